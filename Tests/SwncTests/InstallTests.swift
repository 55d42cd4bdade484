import Foundation
import Testing
@testable import swnc

/// The README's install commands, run as a user would, into a temporary PREFIX: in a copy of the
/// package, to keep off this build's .build and its lock (the release build takes about 15 s).
@Suite struct InstallTests {
    @Test func readmeInstallCommandsInstallAWorkingSwncAndItsManPage() throws {
        let commands = try packageFile("README.md").components(separatedBy: "## Install\n")[1]
            .components(separatedBy: "```sh\n")[1].components(separatedBy: "```")[0]
        #expect(commands.contains("--static-swift-stdlib"))

        let work = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let package = work.appendingPathComponent("swnc")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        let items = ["Package.swift", "Sources", "Tests", "man", "completions", "README.md"].map { Paths.root.appendingPathComponent($0).path }
        try #require(try runToEnd("/bin/cp", ["-R"] + items + [package.path]).status == 0)
        let prefix = work.appendingPathComponent("prefix")
        let install = try runToEnd("/bin/sh", ["-ec", commands], directory: package,
                                   environment: ["PREFIX": prefix.path], timeout: 900)
        try #require(install.status == 0, "\(install.output)\(install.errors)")

        for file in ["bin/swnc", "share/man/man1/swnc.1", "share/bash-completion/completions/swnc",
                     "share/zsh/site-functions/_swnc", "share/fish/vendor_completions.d/swnc.fish"] {
            #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file) not installed")
        }
        let swnc = prefix.appendingPathComponent("bin/swnc").path
        #expect(try runToEnd(swnc, ["--version"]).output == "swnc \(Usage.version)\n")
        if let ldd = Paths.which("ldd") {
            #expect(!(try runToEnd(ldd, [swnc]).output.contains("libswift")), "links the Swift runtime dynamically")
        }
        guard let man = Paths.which("man") else { return print("InstallTests: man is not installed; man -M not run") }
        let manual = try runToEnd(man, ["-M", prefix.appendingPathComponent("share/man").path, "swnc"], environment: ["MANWIDTH": "80"])
        #expect(manual.status == 0)
        #expect(manual.output.contains("swnc --echo -lk localhost 5566"))
    }
}
