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
        .executableTarget(name: "swnc", dependencies: ["SwncCore"]),
        .testTarget(name: "SwncTests", dependencies: ["SwncCore", "swnc"]),
    ],
    swiftLanguageModes: [.v5]
)
