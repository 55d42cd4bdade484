import Foundation
import Testing

/// The client side of the classic socket examples: swnc talks to servers written the
/// cheatsheet's way, in Python (Tests/SwncTests/Peers).
@Suite struct ClientTests {
    static let tcpEchoServers = ["tcp_echo.py", "tcp_socketserver_echo.py", "tcp_threaded_echo.py",
                                 "tcp_select_echo.py", "tcp_selectors_echo.py"]
    static let multiClientEchoServers = ["tcp_threaded_echo.py", "tcp_select_echo.py", "tcp_selectors_echo.py"]
    static let udpEchoServers = ["udp_echo.py", "udp_socketserver_echo.py"]
    /// The servers listen on 127.0.0.1 only: "localhost" must reach them however it resolves.
    static let hosts = ["127.0.0.1", "localhost"]

    @Test(arguments: tcpEchoServers, hosts)
    func tcpClientGetsItsLinesBackByteExact(server script: String, host: String) throws {
        let (server, port) = try startPythonPeer(script)
        let client = try Spawned(swnc: ["-N", host, String(port)])
        for line in sampleLines(from: "swnc") { try client.sayAndHearBack(line) }
        client.closeInput()
        try client.expectCleanExit()
        try server.expectCleanExit()
    }

    @Test(arguments: multiClientEchoServers)
    func threeTcpClientsAtOnceEachGetTheirOwnLinesBack(server script: String) throws {
        let (server, port) = try startPythonPeer(script, ["3"])
        try echoInTurns(.swnc, clients: 3, at: .tcp(port: port))
        try server.expectCleanExit()
    }

    @Test func tcpClientMovesHundredsOfKilobytesBothWaysAtOnce() throws {
        let (server, port) = try startPythonPeer("tcp_echo.py")
        try echoBulk(to: .tcp(port: port))
        try server.expectCleanExit()
    }

    @Test(arguments: udpEchoServers, hosts)
    func udpClientGetsEachDatagramBack(server script: String, host: String) throws {
        let (server, port) = try startPythonPeer(script)
        let client = try Spawned(swnc: ["-u", "-q", "0", host, String(port)])
        for line in sampleLines(from: "swnc") { try client.sayAndHearBack(line) }
        client.closeInput()
        try client.expectCleanExit()
        #expect(server.process.isRunning, "the UDP echo server died: \(server.standardError)")
    }

    @Test func unixClientGetsItsLinesBack() throws {
        try withSocketPath { path in
            let server = try startPythonPeer("unix_echo.py", listeningOn: path)
            let client = try Spawned(swnc: ["-N", "-U", path])
            for line in sampleLines(from: "swnc") { try client.sayAndHearBack(line) }
            client.closeInput()
            try client.expectCleanExit()
            try server.expectCleanExit()
        }
    }

    /// The cheatsheet's "UDP sender": each line typed becomes one datagram, delivered as is.
    @Test(arguments: hosts)
    func udpSenderDeliversEachLineAsOneDatagram(host: String) throws {
        let lines = sampleLines(count: 4, from: "sender")
        let (receiver, port) = try startPythonPeer("udp_receiver.py", [String(lines.count)])
        let sender = try Spawned(swnc: ["-u", "-q", "0", host, String(port)])
        for (index, line) in lines.enumerated() {
            try sender.write(line + "\n")
            try receiver.waitForOutput(lines: index + 2)  // READY, then one GOT line a datagram
        }
        sender.closeInput()
        try sender.expectCleanExit()
        try receiver.expectCleanExit()
        let received = receiver.outputLines.dropFirst()
        #expect(Array(received) == lines.map { "GOT " + Data(($0 + "\n").utf8).hexDigits })
    }
}

