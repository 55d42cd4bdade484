import Foundation
import Testing

/// 256 MiB of random data through swnc, checked with SHA-256 at the far end, with swnc's
/// peak RSS held under 32 MiB. Serialized: each test moves half a gigabyte.
@Suite(.serialized) struct ByteExactTransferTests {
    enum Transport: String, CustomStringConvertible, CaseIterable {
        case tcp, unix
        var description: String { rawValue }
    }

    /// A reader that takes 2 MiB, then pauses 15 ms: slower than swnc can write.
    static let slowReader = ["--pause-every", "2097152", "--pause-ms", "15"]

    /// swnc -N as a client, sending the file from stdin and writing what the peer sends to stdout,
    /// both at once; the peer and the stdout reader each hash what they get. The peer shuts down
    /// its side last: swnc ends at its peer's end of file (SPEC.md), whatever stdin still holds.
    @Test(arguments: Transport.allCases, [false, true])
    func clientCarries256MiBEachWayIntact(over transport: Transport, slowReaders: Bool) throws {
        let file = LargeRandomFile.shared
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let socketPath = directory.appendingPathComponent("peer.sock").path
        let pauses = slowReaders ? Self.slowReader : []
        let (peer, port) = try transport == .tcp
            ? startPeer("load_stream_peer.py", ["serve-tcp", "--send", file.path, "--half-close-last"] + pauses)
            : startPeer("load_stream_peer.py", ["serve-unix", socketPath, "--send", file.path, "--half-close-last"] + pauses)

        let target = transport == .tcp ? ["127.0.0.1", String(port)] : ["-U", socketPath]
        let (swnc, hasher) = try swncIntoHasher(["-N"] + target, standardInput: LargeRandomFile.readHandle(),
                                                hasherOptions: pauses)
        let memory = PeakMemoryWatch(pid: swnc.pid)

        let status = try swnc.waitForExit(timeout: 120)
        let peakKiB = memory.stop()
        print("swnc client over \(transport)\(slowReaders ? " with slow readers" : ""): peak RSS \(peakKiB) KiB")
        #expect(status == 0, "stderr: \(swnc.standardError)")
        #expect(swnc.standardError.isEmpty)
        let expected = [String(LargeRandomFile.byteCount), file.sha256]
        let peerGot = try peer.reportedLine("RECEIVED")
        let stdoutGot = try hasher.reportedLine("RECEIVED")
        #expect(peerGot == expected, "peer: \(peer.standardOutputText) \(peer.standardError)")
        #expect(stdoutGot == expected, "stdout reader: \(hasher.standardOutputText) \(hasher.standardError)")
        #expect(peakKiB > 0 && peakKiB < memoryLimitKiB)
    }

    /// `--echo -l`: a peer sends the file and hashes the echo at the same time.
    @Test(arguments: Transport.allCases, [false, true])
    func echoReturns256MiBIntact(over transport: Transport, slowReader: Bool) throws {
        let file = LargeRandomFile.shared
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let socketPath = directory.appendingPathComponent("echo.sock").path
        let server = try Spawned(swncWithDefaultSignals: transport == .tcp
                                 ? ["--echo", "-v", "-l", "127.0.0.1", "0"] : ["--echo", "-v", "-lU", socketPath])
        let target: [String]
        if transport == .tcp {
            target = ["connect-tcp", String(try server.waitForPort())]
        } else {
            try server.waitForError(containing: "Listening on")
            target = ["connect-unix", socketPath]
        }
        let memory = PeakMemoryWatch(pid: server.pid)
        let client = try Spawned(Paths.python, ["-u", Paths.peer("load_stream_peer.py")] + target
                                 + ["--send", file.path] + (slowReader ? Self.slowReader : []))

        let received = try? client.reportedLine("RECEIVED", timeout: 60)
        #expect(received == [String(LargeRandomFile.byteCount), file.sha256],
                "client: \(client.standardOutputText) \(client.standardError); server: \(server.standardError)")
        let status = try server.waitForExit(timeout: 30)
        let peakKiB = memory.stop()
        print("swnc --echo over \(transport)\(slowReader ? " with a slow reader" : ""): peak RSS \(peakKiB) KiB")
        #expect(status == 0, "stderr: \(server.standardError)")
        #expect(server.standardError.contains("\(LargeRandomFile.byteCount) bytes echoed"))
        #expect(peakKiB > 0 && peakKiB < memoryLimitKiB)
    }
}
