// swift-tools-version:6.0
import PackageDescription

// Release builds are fully static: the dynamic loader's work is most of a dynamic Swift
// program's start-up (README, Performance). Debug builds stay dynamic, and so does a release
// build with SWNC_DYNAMIC=1 (for hosts whose names come from glibc's loadable NSS modules).
let releaseLinking: [LinkerSetting] = Context.environment["SWNC_DYNAMIC"] == "1"
    ? [] : [.unsafeFlags(["-static-executable"], .when(configuration: .release))]

let package = Package(
    name: "swnc",
    products: [
        .executable(name: "swnc", targets: ["swnc"]),
    ],
    targets: [
        // Declarations Glibc's module leaves out (epoll, accept4, splice, recvmmsg).
        .target(name: "CSwncSystem"),
        // The system's OpenSSL 3 (libssl-dev); the static release build links libssl.a and libcrypto.a.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "SwncCore", dependencies: ["CSwncSystem", "COpenSSL"]),
        .executableTarget(name: "swnc", dependencies: ["SwncCore"], linkerSettings: releaseLinking),
        // In-process tests of the core on socketpairs: no binary, no network.
        .testTarget(name: "SwncCoreTests", dependencies: ["SwncCore"]),
        // Peers/ and the zsh scripts are run by the tests, not compiled.
        .testTarget(name: "SwncTests", dependencies: ["SwncCore", "swnc"],
                    exclude: ["Peers", "Support/complete.zsh", "Support/complete-setup.zsh"]),
    ],
    swiftLanguageModes: [.v5]
)
