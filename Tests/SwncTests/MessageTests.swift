import Foundation
import Testing

/// The -v lines, word for word as SPEC.md (and OpenBSD netcat) has them.
@Suite struct MessageTests {
    /// A listener's ready line, with the real port in place of the 0 that was asked for.
    struct ReadyLine: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        /// The line up to the port: "Listening on localhost " (the host name, numeric with -n).
        let prefix: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let readyLines = IPv6Loopback.cases([
        ReadyLine(arguments: ["-v", "-l", "127.0.0.1", "0"], prefix: "Listening on \(shownHost("127.0.0.1")) "),
        ReadyLine(arguments: ["-v", "-l", "::1", "0"], prefix: "Listening on \(shownHost("::1")) "),
        ReadyLine(arguments: ["-v", "-l", "0"], prefix: "Listening on :: "),
        ReadyLine(arguments: ["-v", "-4", "-l", "0"], prefix: "Listening on 0.0.0.0 "),
        ReadyLine(arguments: ["-v", "-6", "-l", "0"], prefix: "Listening on :: "),
        ReadyLine(arguments: ["-vn", "-l", "127.0.0.1", "0"], prefix: "Listening on 127.0.0.1 "),
        ReadyLine(arguments: ["-v", "-lu", "127.0.0.1", "0"], prefix: "Bound on \(shownHost("127.0.0.1")) "),
        ReadyLine(arguments: ["-v", "-lu", "0"], prefix: "Bound on :: "),
        ReadyLine(arguments: ["-v", "-4", "-lu", "0"], prefix: "Bound on 0.0.0.0 "),
    ], needing: { $0.arguments.contains("::1") })

    @Test(arguments: readyLines)
    func listenerPrintsItsRealPort(_ case: ReadyLine) throws {
        let listener = try Spawned(swnc: `case`.arguments)
        let line = try listener.waitForErrorLines(1)[0]
        #expect(line.hasPrefix(`case`.prefix), "got: \(line)")
        let port = UInt16(line.dropFirst(`case`.prefix.count))
        #expect(port != nil && port != 0, "no real port in: \(line)")
        #expect(listener.standardError == line + "\n", "one line only")
    }

    @Test func scriptReadsTheEphemeralPortFromTheListeningLine() throws {
        let script = try Spawned("/bin/sh", [Paths.peer("read_port_from_verbose_line.sh"), Paths.swnc])
        #expect(try script.waitForExit() == 0, "stderr: \(script.standardError)")
        let output = script.standardOutputText
        #expect(output.hasPrefix("hello via "), "got: \(output)")
        let port = UInt16(output.dropFirst("hello via ".count).dropLast())
        #expect(port != nil && port != 0, "got: \(output)")
    }

    /// The peer's host name (or address) and port, IPv4 peers of the dual-stack socket shown as IPv4.
    @Test(arguments: IPv6Loopback.cases([("127.0.0.1", "127.0.0.1"), ("::1", "::1"), (nil, "127.0.0.1"), (nil, "::1")],
                                        needing: { $0.1 == "::1" }))
    func connectionReceivedNamesThePeer(listenAddress: String?, clientAddress: String) throws {
        let listener = try Spawned(swnc: ["-v", "-l"] + (listenAddress.map { [$0] } ?? []) + ["0"])
        listener.closeInput()  // the listener is done once the peer is, and its stdin (SPEC.md)
        let port = try listener.waitForPort()
        let clientPort = try unusedPort()
        let client = try Spawned(swnc: ["-N", "-p", String(clientPort), clientAddress, String(port)])
        client.closeInput()
        let line = try listener.waitForError(containing: "Connection received on ")
        #expect(line == "Connection received on \(shownHost(clientAddress)) \(clientPort)")
        #expect(try client.waitForExit() == 0)
        #expect(try listener.waitForExit() == 0)
    }

    struct ClientLine: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        /// The destination as the message shows it.
        let shown: String
        var peerHost = "127.0.0.1"
        /// With -n the service is `*`: -n looks up no names to show.
        var numeric: Bool { arguments.contains { $0.hasPrefix("-") && $0.contains("n") } }
        var testDescription: String { arguments.joined(separator: " ") }
    }

    @Test(arguments: IPv6Loopback.cases([
        ClientLine(arguments: ["-v", "127.0.0.1"], shown: "127.0.0.1"),
        ClientLine(arguments: ["-v", "localhost"], shown: "localhost (127.0.0.1)"),
        ClientLine(arguments: ["-vn", "127.0.0.1"], shown: "127.0.0.1"),
        ClientLine(arguments: ["-v", "-4", "localhost"], shown: "localhost (127.0.0.1)"),
        ClientLine(arguments: ["-v", "-6", "::1"], shown: "::1", peerHost: "::1"),
    ], needing: { $0.peerHost == "::1" }))
    func tcpClientSaysConnectionSucceeded(_ case: ClientLine) throws {
        let (server, port) = try startPythonPeer("tcp_observer.py", ["--host", `case`.peerHost])
        let result = try runSwnc(`case`.arguments + ["-N", String(port)])
        #expect(result.status == 0)
        let service = `case`.numeric ? "*" : serviceName(ofPort: port, transport: "tcp")
        #expect(result.errors == "Connection to \(`case`.shown) \(port) port [tcp/\(service)] succeeded!\n")
        _ = try server.waitForExit()
    }

    /// UDP has no handshake: the line comes once the socket is connected, with no probe
    /// datagrams sent. Port 53 shows the service name (`*` with -n); nothing is sent to it (stdin is empty).
    @Test(arguments: [
        ClientLine(arguments: ["-vu", "127.0.0.1"], shown: "127.0.0.1"),
        ClientLine(arguments: ["-vun", "127.0.0.1"], shown: "127.0.0.1"),
        ClientLine(arguments: ["-vu", "localhost"], shown: "localhost (127.0.0.1)"),
    ])
    func udpClientSaysConnectionSucceededWithServiceName(_ case: ClientLine) throws {
        let result = try runSwnc(`case`.arguments + ["-q", "0", "53"])
        #expect(result.status == 0)
        #expect(result.errors == "Connection to \(`case`.shown) 53 port [udp/\(`case`.numeric ? "*" : "domain")] succeeded!\n")
    }

    /// -z: one line per open port, the name shown with its address.
    @Test func probeOfNameSaysNameAndAddress() throws {
        let ports = try ReservedPorts(count: 2)
        try ports.open(0)
        let (open, closed) = (ports.first, ports.first + 1)
        let result = try runSwnc(["-vz", "localhost", String(open), String(closed)])
        #expect(result.status == 0)
        #expect(result.errors == """
            Connection to localhost (127.0.0.1) \(open) port [tcp/\(serviceName(ofPort: open, transport: "tcp"))] succeeded!
            swnc: connect to localhost (127.0.0.1) port \(closed) (tcp) failed: Connection refused

            """)
    }

    /// A UDP listener's peer is the sender of the first datagram.
    @Test func udpListenerNamesTheFirstSender() throws {
        let listener = try Spawned(swnc: ["-v", "-lu", "127.0.0.1", "0"])
        let port = try listener.waitForPort()
        let senderPort = try unusedPort()
        let sender = try runSwnc(["-u", "-q", "0", "-p", String(senderPort), "127.0.0.1", String(port)], input: "first\n")
        #expect(sender.status == 0)
        try listener.waitForOutput(count: "first\n".count)
        #expect(try listener.waitForErrorLines(2) == ["Bound on \(shownHost("127.0.0.1")) \(port)", "Connection received on \(shownHost("127.0.0.1")) \(senderPort)"])
    }

    /// Unlike OpenBSD netcat, `-u -v` sends no "X" probe datagrams: the peer gets the data only.
    @Test func udpVerboseSendsOnlyTheData() throws {
        let (receiver, port) = try startPythonPeer("udp_collector.py")
        let client = try runSwnc(["-vu", "-q", "0", "127.0.0.1", String(port)], input: "only this\n")
        #expect(client.status == 0)
        #expect(client.errors == "Connection to 127.0.0.1 \(port) port [udp/\(serviceName(ofPort: port, transport: "udp"))] succeeded!\n")
        try receiver.waitForOutputLine(startingWith: "only this")
        #expect(receiver.standardOutputText == "READY \(port)\nonly this\n")
    }

    @Test func unixListenerNamesThePath() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("verbose.sock").path
        let listener = try Spawned(swnc: ["-v", "-lU", path])
        listener.closeInput()
        try listener.waitForError(containing: "Listening on ")
        let client = try Spawned(swnc: ["-NU", path])
        client.closeInput()
        #expect(try client.waitForExit() == 0)
        #expect(try listener.waitForExit() == 0)
        #expect(listener.standardError == "Bound on \(path)\nListening on \(path)\nConnection received on \(path)\n")
    }

    /// As OpenBSD netcat, a UNIX datagram listener names its own path for a sender, whether
    /// the sender has a path (-s) or an automatic abstract address.
    @Test(arguments: [false, true])
    func unixDatagramListenerSaysBoundThenNamesItsPath(senderHasPath: Bool) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("verbose-datagram.sock").path
        let listener = try Spawned(swnc: ["-v", "-lUu", path])
        #expect(try listener.waitForErrorLines(1) == ["Bound on \(path)"])
        let senderPath = directory.appendingPathComponent("sender.sock").path
        let sender = try Spawned(swnc: ["-Uu"] + (senderHasPath ? ["-s", senderPath] : []) + [path])
        try sender.write("hello\n")
        #expect(try listener.waitForErrorLines(2) == ["Bound on \(path)", "Connection received on \(path)"])
    }

    /// -vv adds one line at the end of each connection: what went each way, and how long it
    /// took (ncat's words, as --stats).
    @Test func doubleVerboseCountsTheBytesEachWay() throws {
        let echo = try Spawned(swnc: ["--echo", "-v", "-lk", "127.0.0.1", "0"])
        let port = try echo.waitForPort()
        let client = try Spawned(swnc: ["-vv", "-N", "127.0.0.1", String(port)])
        try client.write("hello\n")
        client.closeInput()
        #expect(try client.waitForExit() == 0)
        #expect(client.standardOutputText == "hello\n")
        let lines = client.standardError.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasSuffix("succeeded!"), "got: \(client.standardError)")
        #expect(lines.last?.wholeMatch(of: try Regex(#"6 bytes sent, 6 bytes received in \d+\.\d\d seconds"#)) != nil,
                "got: \(client.standardError)")
        let quiet = try Spawned(swnc: ["-v", "-N", "127.0.0.1", String(port)])
        quiet.closeInput()
        #expect(try quiet.waitForExit() == 0)
        #expect(!quiet.standardError.contains("bytes sent"), "-v alone: \(quiet.standardError)")
    }
}
