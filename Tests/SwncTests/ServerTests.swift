import Foundation
import Testing

/// The server side of the classic socket examples: the cheatsheet's Python clients and swnc
/// itself talk to swnc's echo servers and plain listeners. Servers ask for port 0 and tell the
/// real one with -v.
@Suite struct ServerTests {
    // MARK: --echo

    @Test(arguments: ClientProgram.allCases)
    func tcpEchoServesOneConnectionThenExits(client: ClientProgram) throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-l", "0"], serving: .tcp)
        try echoInTurns(client, at: endpoint)
        try server.expectCleanExit()
    }

    @Test(arguments: ClientProgram.allCases)
    func tcpEchoWithKeepOpenServesThreeClientsAtOnceAndKeepsListening(client: ClientProgram) throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "0"], serving: .tcp)
        try echoInTurns(client, clients: 3, at: endpoint)
        try expectStillEchoing(server, at: endpoint)
    }

    @Test(arguments: [Endpoint.Kind.tcp, .unix])
    func streamEchoReturnsHundredsOfKilobytesByteExact(kind: Endpoint.Kind) throws {
        try withSocketPath { path in
            let (server, endpoint) = try startSwncServer(["--echo", "-l"] + (kind == .tcp ? ["0"] : ["-U", path]), serving: kind)
            try echoBulk(to: endpoint)
            try server.expectCleanExit()
        }
    }

    @Test(arguments: ClientProgram.allCases)
    func udpEchoSendsEachDatagramBack(client: ClientProgram) throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lu", "0"], serving: .udp)
        try echoInTurns(client, at: endpoint)
        // Without -k the echo answers only its first sender, so no other client can be served;
        // still running is what there is to see.
        #expect(server.process.isRunning, "stderr: \(server.standardError)")
    }

    @Test(arguments: ClientProgram.allCases)
    func udpEchoWithKeepOpenAnswersSeveralSendersAtOnce(client: ClientProgram) throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-kul", "0"], serving: .udp)
        try echoInTurns(client, clients: 3, at: endpoint)
        try expectStillEchoing(server, at: endpoint)
    }

    @Test(arguments: ClientProgram.allCases)
    func unixStreamEchoServesOneConnectionThenExits(client: ClientProgram) throws {
        try withSocketPath { path in
            let (server, endpoint) = try startSwncServer(["--echo", "-lU", path], serving: .unix)
            try echoInTurns(client, at: endpoint)
            try server.expectCleanExit()
        }
    }

    @Test(arguments: ClientProgram.allCases)
    func unixDatagramEchoSendsEachDatagramBack(client: ClientProgram) throws {
        try withSocketPath { path in
            let (server, endpoint) = try startSwncServer(["--echo", "-lUu", path], serving: .unixDatagram)
            try echoInTurns(client, at: endpoint)
            // Without -k the echo answers only its first sender, so no other client can be served;
        // still running is what there is to see.
        #expect(server.process.isRunning, "stderr: \(server.standardError)")
        }
    }

    // MARK: Plain listeners

    @Test(arguments: ClientProgram.allCases)
    /// SPEC.md: a listener is done once the peer has closed and its stdin has ended.
    func tcpListenerRelaysBothWaysAndExitsWhenThePeerAndStdinAreDone(client: ClientProgram) throws {
        let (listener, endpoint) = try startSwncServer(["-l", "0"], serving: .tcp)
        try exchangeLines(client, with: listener, at: endpoint)
        try listener.expectCleanExit()
    }

    /// A regular file on a -N client's stdin (sent with sendfile(2)): the listener gets it
    /// byte-exact from where stdin stands on, more than one sendfile call's worth, or nothing.
    @Test(arguments: [(20 << 20 + 7, 0), (1 << 20, 4099), (0, 0)])
    func tcpListenerGetsTheFileOnAClientsStdinByteExact(size: Int, alreadyRead: UInt64) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SystemRandomNumberGenerator()
        let words = (0..<(size + 7) / 8).map { _ in generator.next() as UInt64 }
        let data = words.withUnsafeBytes { Data($0.prefix(size)) }
        let file = directory.appendingPathComponent("data")
        try data.write(to: file)
        let input = try FileHandle(forReadingFrom: file)
        try input.seek(toOffset: alreadyRead)
        let listener = try Spawned(swnc: ["-v", "-l", "127.0.0.1", "0"], standardInput: FileHandle.nullDevice)
        let client = try Spawned(swnc: ["-N", "127.0.0.1", String(try listener.waitForPort())], standardInput: input)
        try listener.expectCleanExit()
        try client.expectCleanExit()
        #expect(listener.standardOutput == data.dropFirst(Int(alreadyRead)))
    }

    /// A UDP listener never sees its peer leave: -q 0 ends it once its stdin is closed.
    @Test(arguments: ClientProgram.allCases)
    func udpListenerRelaysBothWaysWithTheFirstSender(client: ClientProgram) throws {
        let (listener, endpoint) = try startSwncServer(["-q", "0", "-lu", "0"], serving: .udp)
        try exchangeLines(client, with: listener, at: endpoint)
        listener.closeInput()
        try listener.expectCleanExit()
    }

    @Test(arguments: ClientProgram.allCases)
    func unixListenerRelaysBothWaysAndExitsWhenThePeerAndStdinAreDone(client: ClientProgram) throws {
        try withSocketPath { path in
            let (listener, endpoint) = try startSwncServer(["-lU", path], serving: .unix)
            try exchangeLines(client, with: listener, at: endpoint)
            try listener.expectCleanExit()
        }
    }

    /// The cheatsheet's broadcast receiver (`-k -w 1 -ul`) with several senders at once, Python
    /// and swnc: every datagram of every sender comes out whole. -w does not end a listener:
    /// it still takes datagrams after the swnc senders have been idle long enough (-w 1) to quit.
    @Test func udpKeepOpenListenerPrintsTheDatagramsOfEverySender() throws {
        let (listener, endpoint) = try startSwncServer(["-k", "-w", "1", "-ul", "0"], serving: .udp)
        let port = try #require(endpoint.port)
        let pythonLines = sampleLines(count: 2, from: "python sender {client}")
        let pythonSenders = try startPythonClient(["--clients", "3"] + endpoint.pythonClientArguments + pythonLines.map { "send:\($0)" })
        var expected = (1...3).flatMap { number in pythonLines.map { $0.replacingOccurrences(of: "{client}", with: String(number)) } }
        let swncSenders = try (1...2).map { number in
            let sender = try Spawned(swnc: ["-w", "1", "-u", "127.0.0.1", String(port)])
            let lines = sampleLines(count: 2, from: "swnc sender \(number)")
            for line in lines { try sender.write(line + "\n") }
            expected += lines
            return sender
        }
        try pythonSenders.expectCleanExit()
        try listener.waitForOutput(lines: expected.count)
        for sender in swncSenders { try sender.expectCleanExit() }

        let lateLine = "late sender, after a second of quiet"
        let lateSender = try startPythonClient(endpoint.pythonClientArguments + ["send:\(lateLine)"])
        try lateSender.expectCleanExit()
        expected.append(lateLine)
        try listener.waitForOutput(lines: expected.count)
        #expect(listener.outputLines.sorted() == expected.sorted())
        // Alive right after traffic could still die a moment later: it must take one more sender.
        let lastSender = try startPythonClient(endpoint.pythonClientArguments + ["send:one more"])
        try lastSender.expectCleanExit()
        try listener.waitForOutput(lines: expected.count + 1)
        #expect(listener.outputLines.last == "one more")
        #expect(listener.process.isRunning, "stderr: \(listener.standardError)")
    }
}
