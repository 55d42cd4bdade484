import Foundation
import Testing

/// Peers that reset or vanish, outputs that are closed, signals: swnc ends cleanly (exit 0 or
/// 1 with one `swnc: ` line), never by SIGPIPE, and removes its socket file.
@Suite(.serialized) struct FaultTests {
    static func devNull() -> FileHandle { FileHandle(forReadingAtPath: "/dev/null")! }

    /// A pipe whose reading end is already closed: writing to it raises SIGPIPE / EPIPE.
    static func closedPipe() throws -> FileHandle {
        let pipe = ExclusivePipe()
        try pipe.reading.close()
        return pipe.writing
    }

    /// The peer reads 1 MiB of the 256 MiB swnc sends from stdin, then resets (SO_LINGER 0).
    @Test(arguments: [false, true])
    func peerThatResetsWhileSwncWritesEndsItCleanly(swncListens: Bool) throws {
        let swnc: Spawned
        let peer: Spawned
        if swncListens {
            swnc = try Spawned(swncWithDefaultSignals: ["-v", "-l", "127.0.0.1", "0"], standardInput: LargeRandomFile.readHandle())
            peer = try Spawned(Paths.python, ["-u", Paths.peer("fault_stream_peer.py"), "connect-reset",
                                              String(try swnc.waitForPort()), "1048576"])
        } else {
            let port: UInt16
            (peer, port) = try startPeer("fault_stream_peer.py", ["reset-after", "1048576"])
            swnc = try Spawned(swncWithDefaultSignals: ["127.0.0.1", String(port)], standardInput: LargeRandomFile.readHandle())
        }
        let status = try swnc.waitForExit(timeout: 30)
        #expect(try peer.reportedLine("RESET") == ["1048576"])
        // SPEC.md: a reset is the peer going away, not a failure of swnc: exit 0, and at most
        // -v's one line saying so (a write may see EPIPE instead, which -v does not report).
        #expect(status == 0, "stderr: \(swnc.standardError)")
        let errors = swnc.standardError.split(separator: "\n").filter { !$0.hasPrefix("Listening on") && !$0.hasPrefix("Connection received") }
        #expect(errors.count <= 1 && errors.allSatisfy { $0.hasSuffix("Connection reset by peer") },
                "stderr: \(swnc.standardError)")
    }

    /// The peer sends 256 MiB and closes at once; swnc still holds much of it for a slow
    /// stdout, and must deliver all of it.
    @Test func peerThatClosesWhileDataIsQueuedLosesNothing() throws {
        let file = LargeRandomFile.shared
        let (peer, port) = try startPeer("fault_stream_peer.py", ["send-close", file.path])
        let (swnc, hasher) = try swncIntoHasher(["-d", "127.0.0.1", String(port)], standardInput: Self.devNull(),
                                                hasherOptions: ByteExactTransferTests.slowReader)
        #expect(try swnc.waitForExit(timeout: 60) == 0, "stderr: \(swnc.standardError)")
        #expect(try peer.reportedLine("SENT") == [String(LargeRandomFile.byteCount)])
        #expect(try hasher.reportedLine("RECEIVED") == [String(LargeRandomFile.byteCount), file.sha256])
    }

    /// A client floods `--echo` without reading, then resets with echoes still queued: that
    /// connection ends, the server serves on and gives its descriptors back.
    @Test func echoPeerThatResetsWithEchoesQueuedLeavesTheServerServing() throws {
        let (server, port) = try LoadTests.echoServer()
        let before = try LoadTests.baselineDescriptors(of: server, port: port)
        let flooder = try Spawned(Paths.python, ["-u", Paths.peer("fault_stream_peer.py"), "flood-close", String(port)])
        try flooder.reportedLine("FLOODED", timeout: 30)
        try flooder.write("reset\n")
        try flooder.reportedLine("RESET")
        let next = try LoadTests.echoClients(port, ["--sequential", "3", "--bytes", "100000"])
        #expect(try next.reportedLine("DONE") == ["3", "0"])
        #expect(ProcessFacts.eventually(timeout: 5) { ProcessFacts.openDescriptors(of: server.pid) == before })
        #expect(!server.standardError.contains("swnc: "))
    }

    /// SPEC.md: a reader that closed stdout (`swnc host port | head -c 10`) ends swnc quietly,
    /// exit 0, as nc.openbsd does.
    @Test func stdoutThatIsAClosedPipeEndsSwncQuietly() throws {
        let (peer, port) = try startPeer("fault_stream_peer.py", ["send-close", LargeRandomFile.shared.path])
        let swnc = try RedirectedSwnc(["-d", "127.0.0.1", String(port)], standardInput: Self.devNull(),
                                      standardOutput: try Self.closedPipe())
        #expect(try swnc.waitForExit(timeout: 30) == 0)
        #expect(swnc.standardError == "", "stderr: \(swnc.standardError)")
        withExtendedLifetime(peer) {}
    }

    /// Output that nobody reads, before any socket exists: help to a closed stdout, a usage
    /// error to a closed stderr. Neither may kill swnc with SIGPIPE: -h and --version exit 0
    /// (SPEC.md; a reader that closed stdout is not an error), a missing argument exits 1.
    @Test(arguments: [(["-h"], 0), (["--version"], 0), (["-X"], 1)] as [([String], Int32)])
    func closedOutputsBeforeAnySocketDoNotKillSwnc(arguments: [String], expected: Int32) throws {
        let swnc = try RedirectedSwnc(arguments, standardInput: Self.devNull(), standardOutput: try Self.closedPipe(),
                                      standardError: try Self.closedPipe())
        let status = try swnc.waitForExit(timeout: 10)
        #expect(status == expected, "swnc \(arguments) ended with status \(status)")
    }

    enum UnixListener: String, CaseIterable, CustomStringConvertible {
        case idle, echo, withPeer
        var description: String { rawValue }
    }

    @Test(arguments: [SIGINT, SIGTERM], UnixListener.allCases)
    func signalOnAUnixListenerRemovesItsSocketFile(_ signal: Int32, listener: UnixListener) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("listener.sock").path
        let swnc = try Spawned(swnc: listener == .echo ? ["--echo", "-lkU", "-v", path] : ["-lU", "-v", path])
        try swnc.waitForError(containing: "Listening on")
        #expect(FileManager.default.fileExists(atPath: path))
        var peer: Spawned?
        if listener != .idle {
            peer = try Spawned(swnc: ["-U", path])
            try swnc.waitForError(containing: "Connection received")
            try peer?.write("hello\n")
        }
        swnc.signal(signal)
        #expect(try swnc.waitForExit() == 128 + signal)
        #expect(!FileManager.default.fileExists(atPath: path), "socket file left behind after signal \(signal)")
        withExtendedLifetime(peer) {}
    }
}
