import Foundation
import Testing

/// `-lU` never touches what is not its socket, socket files follow the umask, and a client that
/// never reads cannot make `--echo` grow.
@Suite struct SecurityTests {
    enum NotASocket: String, CaseIterable, CustomStringConvertible {
        case regularFile, directory, symlinkToFile
        var description: String { rawValue }
    }

    /// What is at `path`, as lstat(2) sees it and as far as a test cares: type, mode, content.
    static func fingerprint(_ path: String) -> String {
        var status = stat()
        guard lstat(path, &status) == 0 else { return "missing" }
        let content = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
        return "\(status.st_mode) \(status.st_ino) \(target) \(content)"
    }

    @Test(arguments: NotASocket.allCases, [false, true])
    func unixListenerNeverFollowsNorDeletesWhatIsNotASocket(_ kind: NotASocket, echo: Bool) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("taken").path
        let target = directory.appendingPathComponent("target").path
        switch kind {
        case .regularFile:
            try "precious\n".write(toFile: path, atomically: false, encoding: .utf8)
        case .directory:
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        case .symlinkToFile:
            try "precious\n".write(toFile: target, atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        }
        let before = (Self.fingerprint(path), Self.fingerprint(target))
        let swnc = try Spawned(swnc: (echo ? ["--echo", "-k"] : []) + ["-lU", path], standardInput: FaultTests.devNull())
        #expect(try swnc.waitForExit() == 1)
        #expect(isOneErrorLine(swnc.standardError), "stderr: \(swnc.standardError)")
        #expect((Self.fingerprint(path), Self.fingerprint(target)) == before)
    }

    @Test(arguments: [0o077, 0o022, 0o000])
    func unixSocketFilesHonourTheUmask(_ mask: Int) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("masked.sock").path
        let swnc = try Spawned("/bin/sh", ["-c", "umask \(String(mask, radix: 8)); exec \"$@\"", "sh", Paths.swnc, "-lU", "-v", path])
        try swnc.waitForError(containing: "Bound on")
        var status = stat()
        #expect(lstat(path, &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFSOCK)
        #expect(Int(status.st_mode & 0o777) == 0o777 & ~mask)
    }

    /// One client floods `--echo` and never reads: the server stops reading it once one buffer
    /// is unsent, so its memory stays bounded, and other clients are served meanwhile.
    @Test func echoClientThatNeverReadsCannotGrowTheServer() throws {
        let (server, port) = try LoadTests.echoServer()
        let memory = PeakMemoryWatch(pid: server.pid)
        let flooder = try Spawned(Paths.python, ["-u", Paths.peer("fault_stream_peer.py"), "flood-close", String(port)])
        let flooded = try flooder.reportedLine("FLOODED", timeout: 30)
        let others = try LoadTests.echoClients(port, ["--clients", "20", "--bytes", "1000000"])
        #expect(try others.reportedLine("DONE", timeout: 60) == ["20", "0"], "\(others.standardError)")
        let peakKiB = memory.peak
        print("--echo with a client that never reads (it got \(flooded.first ?? "?") bytes in): server peak RSS \(peakKiB) KiB")
        #expect(peakKiB > 0 && peakKiB < memoryLimitKiB)
        try flooder.write("reset\n")
        try flooder.reportedLine("RESET")
        _ = memory.stop()
    }
}
