import Foundation
import Testing

/// --idle-timeout on an --echo -lk listener, a -l listener and a client; --send-only and
/// --recv-only on a client; and the same bytes to the peer as ncat with the same options.
@Suite struct IdleAndDirectionTests {
    // MARK: --idle-timeout

    /// A silent peer is closed after about a second; a peer that keeps talking for longer
    /// stays, and is closed a second after it falls silent.
    @Test func echoListenerClosesIdlePeersOnly() throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--idle-timeout", "1", "127.0.0.1", "0"], serving: .tcp)
        let talking = (1...6).flatMap { ["send:busy:\($0)", "recv:busy:\($0)", "sleep:0.3"] }
        let transcript = try drivePeers(port: endpoint.port ?? 0, ["open:idle", "eof:idle", "took:idle:0.8:3", "open:busy"]
                                        + talking + ["eof:busy", "took:busy:2.5:6"])
        #expect(transcript == ["idle eof after b''", "idle took 0.8-3 s"] + (1...6).map { "busy got b'\($0)\\n'" }
                + ["busy eof after b''", "busy took 2.5-6 s"])
        #expect(server.process.isRunning, "stderr: \(server.standardError)")
    }

    /// Waiting for the first peer never times out; the peer then goes after a second of silence,
    /// and without -k so does the listener (exit 0).
    @Test func stdioListenerClosesAnIdlePeerButWaitsForTheFirst() throws {
        let (listener, endpoint) = try startSwncServer(["-l", "--idle-timeout", "1", "127.0.0.1", "0"], serving: .tcp)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(listener.process.isRunning, "stderr: \(listener.standardError)")
        #expect(try drivePeers(port: endpoint.port ?? 0, ["open:a", "send:a:hello", "eof:a", "took:a:0.8:3"])
                == ["a eof after b''", "a took 0.8-3 s"])
        try listener.expectCleanExit()
        #expect(listener.standardOutputText == "hello\n")
    }

    /// A client whose server says nothing and whose stdin stays open ends after a second, with 0.
    @Test func clientEndsAfterASecondOfSilence() throws {
        let (peer, port) = try startRecordingPeer(greeting: "", holdSeconds: 10)
        let client = try Spawned(swnc: ["--idle-timeout", "1", "127.0.0.1", String(port)])
        let taken = try secondsTaken { try client.expectCleanExit() }
        #expect((0.8...3).contains(taken), "took \(taken) s")
        try peer.expectCleanExit()
        #expect(peer.recordedLines == ["got b'' eof"])
    }

    // MARK: --send-only, --recv-only

    /// stdin reaches the peer, the peer's greeting never reaches stdout, and swnc exits once
    /// stdin's end is sent, though the peer stays open for seconds more.
    @Test func sendOnlySendsAndExitsAtTheEndOfInput() throws {
        let (peer, port) = try startRecordingPeer(greeting: "from the peer\n", holdSeconds: 10)
        let client = try Spawned(swnc: ["--send-only", "127.0.0.1", String(port)])
        try client.write("to the peer\n")
        client.closeInput()
        let taken = try secondsTaken { try client.expectCleanExit() }
        #expect(taken < 3, "took \(taken) s")
        #expect(client.standardOutput.isEmpty)
        try peer.expectCleanExit()
        #expect(peer.recordedLines == ["got b'to the peer\\n' eof"])
    }

    /// stdin is never read (the peer gets nothing of it); the peer's bytes reach stdout, and
    /// swnc exits when the peer closes, though stdin is still open.
    @Test func recvOnlyNeverReadsInput() throws {
        let (peer, port) = try startRecordingPeer(greeting: "from the peer\n", holdSeconds: 1)
        let client = try Spawned(swnc: ["--recv-only", "127.0.0.1", String(port)])
        try client.write("to the peer\n")
        try client.expectCleanExit()
        #expect(client.standardOutputText == "from the peer\n")
        try peer.expectCleanExit()
        #expect(peer.recordedLines == ["got b'' open"])
    }

    // MARK: The same bytes as ncat

    /// What the peer records, and what the client prints, for one client run of `program`.
    static func clientRun(_ program: String, _ options: [String], holdSeconds: Double) throws -> (peer: [String], output: String) {
        let (peer, port) = try startRecordingPeer(greeting: "from the peer\n", holdSeconds: holdSeconds)
        let client = try Spawned(program, options + ["127.0.0.1", String(port)])
        try client.write("to the peer\n")
        if options.contains("--send-only") { client.closeInput() }
        _ = try client.waitForExit(timeout: 15)
        try peer.expectCleanExit()
        return (peer.recordedLines, client.standardOutputText)
    }

    @Test(Ncat.required, arguments: [
        (["--send-only"], 10.0, ["got b'to the peer\\n' eof"], ""),
        (["--recv-only"], 1.0, ["got b'' open"], "from the peer\n"),
        (["--idle-timeout", "1"], 10.0, ["got b'to the peer\\n' eof"], "from the peer\n"),
    ])
    func sameBytesAsNcat(options: [String], holdSeconds: Double, peerRecord: [String], output: String) throws {
        for program in [Ncat.path ?? "ncat", Paths.swnc] {
            let run = try Self.clientRun(program, options, holdSeconds: holdSeconds)
            #expect(run.peer == peerRecord, "\(program)")
            #expect(run.output == output, "\(program)")
        }
    }
}
