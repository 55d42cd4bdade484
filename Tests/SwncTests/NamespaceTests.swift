import Foundation
import Testing

/// What must not happen on the machine's own network: broadcasts, and a `localhost` that
/// resolves to ::1 first. Each test makes its own network namespaces (deleted afterwards).
@Suite struct NamespaceTests {
    enum Receiver: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case swnc, python
        var testDescription: String { rawValue }

        /// Starts listening in `namespace` for broadcasts; returns it and its port.
        func start(in namespace: NetworkNamespace) throws -> (Spawned, UInt16) {
            switch self {
            case .swnc:
                let receiver = try namespace.spawnSwnc(["-v", "-kul", "0"])
                return (receiver, try receiver.waitForPort())
            case .python:
                return try namespace.startPythonPeer("udp_collector.py", ["0.0.0.0"])
            }
        }
    }

    /// `--broadcast [address] port` arguments before the port.
    static let broadcasts: [[String]] = [
        [],  // 255.255.255.255
        ["255.255.255.255"],
        ["10.200.7.255"],
        ["-s", "10.200.7.1", "10.200.7.255"],
    ]

    @Test(NetworkNamespace.required, arguments: Receiver.allCases, broadcasts)
    func broadcastReachesReceiverOnTheLink(_ receiver: Receiver, arguments: [String]) throws {
        let (senderSide, receiverSide) = try NetworkNamespace.pair(label: "bcast", subnet: "10.200.7")
        let (listening, port) = try receiver.start(in: receiverSide)
        let sender = try senderSide.spawnSwnc(["--broadcast"] + arguments + [String(port)])
        try sender.write("first line\n")
        try sender.write("second line\n")
        sender.closeInput()
        #expect(try sender.waitForExit() == 0, "sender: \(sender.standardError)")
        let expected = "first line\nsecond line\n"
        try listening.waitFor("both datagrams") { output, _ in
            String(decoding: output, as: UTF8.self).hasSuffix(expected)
        }
        #expect(listening.standardOutputText.hasSuffix(expected))
    }

    /// `localhost` is ::1 first, and nothing listens there: the port-unreachable answer makes
    /// swnc move to 127.0.0.1 and send again what ::1 was sent, so no line is lost.
    @Test(NetworkNamespace.required)
    func udpClientFallsBackToNextAddressWithoutLosingData() throws {
        let namespace = try NamespaceTests.dualLocalhost("fallback")
        let (receiver, port) = try namespace.startPythonPeer("udp_collector.py", ["127.0.0.1"])
        let client = try namespace.spawnSwnc(["-v", "-u", "localhost", String(port)])
        try client.waitForError(containing: "Connection to localhost (::1) \(port) port [udp/")
        let lines = ["one\n", "two\n", "three\n"]
        for line in lines { try client.write(line) }
        try receiver.waitFor("every line") { output, _ in String(decoding: output, as: UTF8.self).contains("three\n") }
        #expect(receiver.standardOutputText == "READY \(port)\n" + lines.joined())
        #expect(client.standardError.contains("Connection to localhost (127.0.0.1) \(port) port [udp/"))
    }

    /// In a namespace whose `localhost` is ::1 first, then 127.0.0.1.
    private static func dualLocalhost(_ label: String) throws -> NetworkNamespace {
        try NetworkNamespace(label: label, hosts: "::1 localhost\n127.0.0.1 localhost\n")
    }

    /// A TCP client tries each address of a name in turn. Quiet, only the last failure is
    /// an error; with -v each failed address gets its line, as with OpenBSD netcat.
    @Test(NetworkNamespace.required, arguments: [false, true])
    func tcpClientTriesEveryAddressOfName(verbose: Bool) throws {
        let namespace = try NamespaceTests.dualLocalhost("tcpnext")
        let (server, port) = try namespace.startPythonPeer("tcp_observer.py", ["--host", "127.0.0.1"])
        let client = try namespace.spawnSwnc((verbose ? ["-v"] : []) + ["-N", "localhost", String(port)])
        client.closeInput()
        #expect(try client.waitForExit() == 0)
        #expect(client.standardOutputText == "RECEIVED 0 EOF\n")
        #expect(client.standardError == (!verbose ? "" : """
            swnc: connect to localhost (::1) port \(port) (tcp) failed: Connection refused
            Connection to localhost (127.0.0.1) \(port) port [tcp/\(serviceName(ofPort: port, transport: "tcp"))] succeeded!

            """))
        #expect(try server.waitForExit() == 0)

        // Nothing listens any more: every address fails; quiet, one line says so.
        let refused = try namespace.spawnSwnc((verbose ? ["-v"] : []) + ["localhost", String(port)])
        #expect(try refused.waitForExit() == 1)
        let lastFailure = "swnc: connect to localhost (127.0.0.1) port \(port) (tcp) failed: Connection refused\n"
        #expect(refused.standardError == (!verbose ? lastFailure
            : "swnc: connect to localhost (::1) port \(port) (tcp) failed: Connection refused\n" + lastFailure))
    }

    /// `-l NAME 0` listens on every address of the name, all on one ephemeral port.
    @Test(NetworkNamespace.required)
    func listenerOnNameTakesEveryAddressOnOnePort() throws {
        let namespace = try NamespaceTests.dualLocalhost("listenname")
        let listener = try namespace.spawnSwnc(["-v", "-k", "-l", "localhost", "0"])
        listener.closeInput()  // each peer is done once it and stdin are
        let lines = try listener.waitForErrorLines(2)
        let port = try listener.waitForPort()
        // The namespace's hosts file names both addresses localhost.
        #expect(lines == ["Listening on localhost \(port)", "Listening on localhost \(port)"])
        for address in ["127.0.0.1", "::1"] {
            let client = try namespace.spawnSwnc(["-N", address, String(port)])
            try client.write("over \(address)\n")
            client.closeInput()
            #expect(try client.waitForExit() == 0, "\(address): \(client.standardError)")
            try listener.waitForOutputLine(startingWith: "over \(address)")
        }
    }
}
