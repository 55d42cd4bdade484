// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swnc",
    products: [
        .executable(name: "swnc", targets: ["swnc"]),
    ],
    targets: [
        // Declarations Glibc's module leaves out (epoll, accept4, splice, recvmmsg).
        .target(name: "CSwncSystem"),
        .target(name: "SwncCore", dependencies: ["CSwncSystem"]),
        .executableTarget(
            name: "swnc", dependencies: ["SwncCore"],
            // Release builds are fully static: the dynamic loader's work is most of a dynamic
            // Swift program's start-up (README, Performance). Debug builds stay dynamic.
            linkerSettings: [.unsafeFlags(["-static-executable"], .when(configuration: .release))]
        ),
        .testTarget(name: "SwncTests", dependencies: ["SwncCore"]),
    ],
    swiftLanguageModes: [.v5]
)
