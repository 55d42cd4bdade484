import Foundation
import Testing

/// `--broker` and `--chat`: three and more peers on one listener. swnc clients are the peers
/// that talk; Peers/broker_member.py plays the ones that misbehave (never read, reset). Every
/// peer is connected, as the broker's -v lines show, before anyone speaks.
@Suite struct BrokerTests {
    /// Whose broker: swnc's, or ncat's for the differential checks.
    enum Broker: String, CaseIterable, CustomTestStringConvertible {
        case swnc, ncat
        var testDescription: String { rawValue }

        /// The -v words that each connection adds to stderr.
        var connectionMark: String { self == .swnc ? "Connection received on 127.0.0.1 " : "Connection from 127.0.0.1:" }
    }

    /// A broker listening on 127.0.0.1 `port`.
    struct Running {
        let broker: Broker
        let server: Spawned
        let port: UInt16

        init(_ broker: Broker, _ arguments: [String]) throws {
            self.broker = broker
            switch broker {
            case .swnc:
                // -n: peers are named by number, as the checks below read them.
                let (server, endpoint) = try startSwncServer(arguments + ["-n", "-l", "127.0.0.1", "0"], serving: .tcp)
                self.server = server
                port = endpoint.port ?? 0
            case .ncat:
                let ncat = try #require(Paths.which("ncat"), "ncat is not installed")
                port = try unusedPort()
                server = try Spawned(ncat, ["-v"] + arguments + ["-l", "127.0.0.1", String(port)])
                try server.waitForError(containing: "Listening on")
            }
        }

        /// Waits until `count` peers have connected in all.
        func waitForPeers(_ count: Int) throws {
            try server.waitFor("\(count) connections") { _, errors in
                errors.components(separatedBy: broker.connectionMark).count - 1 >= count
            }
        }

        /// The peers' ports, in the order they connected (swnc's -v lines).
        var peerPorts: [UInt16] {
            server.standardError.split(separator: "\n").compactMap { line in
                line.hasPrefix(broker.connectionMark) ? UInt16(line.dropFirst(broker.connectionMark.count)) : nil
            }
        }

        /// A swnc client, once the broker has it as peer number `number`.
        func join(_ number: Int, _ options: [String] = [], standardInput: Any? = nil) throws -> Spawned {
            let client = try Spawned(swnc: options + ["127.0.0.1", String(port)], standardInput: standardInput)
            try waitForPeers(number)
            return client
        }

        /// A Peers/broker_member.py, once the broker has it as peer number `number`; with its
        /// local port.
        func joinMember(_ number: Int, _ arguments: [String]) throws -> (Spawned, UInt16) {
            let member = try Spawned(Paths.python, ["-u", Paths.peer("broker_member.py"), String(port)] + arguments)
            let line = try member.waitForOutputLine(startingWith: "UP ")
            try waitForPeers(number)
            return (member, UInt16(line.dropFirst("UP ".count)) ?? 0)
        }
    }

    // MARK: Broker

    @Test(arguments: Broker.allCases)
    func eachPeersLineReachesEveryOtherPeerAndNeverItself(broker: Broker) throws {
        let running = try Running(broker, ["--broker"])
        let clients = try (1...3).map { try running.join($0) }
        var heard = ["", "", ""]
        for (speaker, client) in clients.enumerated() {
            let line = "peer \(speaker + 1) says:\ttab, \r return, ünïcödé ✓\n"
            try client.write(line)
            for listener in clients.indices where listener != speaker {
                heard[listener] += line
                try clients[listener].waitForOutput(equalTo: heard[listener])
            }
        }
        // A last line from stdin, after which nothing of a peer's own can still be on its way.
        try running.server.write("the end\n")
        for (listener, client) in clients.enumerated() {
            try client.waitForOutput(equalTo: heard[listener] + "the end\n")
        }
        #expect(running.server.standardOutput.isEmpty)
    }

    @Test func stdinReachesEveryPeerAndItsEndEndsNothingNorDoesAPeerLeaving() throws {
        let running = try Running(.swnc, ["--broker"])
        let clients = try (1...3).map { try running.join($0) }
        try running.server.write("from stdin\n")
        for client in clients { try client.waitForOutput(equalTo: "from stdin\n") }
        running.server.closeInput()
        // Without -k too, the broker goes on when a peer leaves, and takes new ones.
        clients[0].signal(SIGKILL)
        _ = try clients[0].waitForExit()
        let newcomer = try running.join(4)
        try newcomer.write("late\n")
        for client in clients.dropFirst() { try client.waitForOutput(equalTo: "from stdin\nlate\n") }
        #expect(running.server.process.isRunning)
        #expect(running.server.standardOutput.isEmpty)
    }

    // MARK: Chat

    @Test func chatNamesPeersAnnouncesJoinsAndLeavesAndEscapesControlBytes() throws {
        let running = try Running(.swnc, ["--chat"])
        let clients = try (1...3).map { try running.join($0, ["-N"]) }
        let ports = running.peerPorts
        try #require(ports.count == 3)
        var heard = [
            "<announce> user2 joined from 127.0.0.1 \(ports[1])\n<announce> user3 joined from 127.0.0.1 \(ports[2])\n",
            "<announce> user3 joined from 127.0.0.1 \(ports[2])\n",
            "",
        ]
        func expectHeard(_ text: String, by listeners: [Int]) throws {
            for listener in listeners {
                heard[listener] += text
                try clients[listener].waitForOutput(equalTo: heard[listener])
            }
        }
        try expectHeard("", by: [0, 1])

        try clients[0].write("hi\u{01}there\t\u{1b}[2J\u{7f} ünï\n")
        try expectHeard("<user1> hi\\x01there\t\\x1b[2J\\x7f ünï\n", by: [1, 2])

        try running.server.write("from the host\n")
        try expectHeard("<user0> from the host\n", by: [0, 1, 2])

        // Half a line, then end of file: the line is ended before the announcement.
        try clients[1].write("half a line")
        try expectHeard("<user2> half a line", by: [0, 2])
        clients[1].closeInput()
        try expectHeard("\n<announce> user2 left\n", by: [0, 2])
        try clients[1].expectCleanExit()
        #expect(clients[1].standardOutputText == heard[1])
    }

    // MARK: Slow and vanishing peers

    /// The sender goes at about 20 MB/s, which each reader keeps up with even on a busy machine:
    /// the broker reads a sender at the pace of its fastest receiver, and a reader that lost
    /// more than 1 MiB (beyond the sockets' buffers) to the fastest would be dropped too.
    @Test func aReaderThatNeverReadsIsDroppedWhileTheOthersGetAllTwentyMegabytes() throws {
        let running = try Running(.swnc, ["--broker"])
        let data = try randomData(megabytes: 20)
        let readers = try (1...2).map { try running.join($0, ["-d"]) }
        let (stalled, stalledPort) = try running.joinMember(3, ["stall"])
        let idle = try peakMemoryKiB(of: running.server.pid)

        let sender = try running.join(4, ["-N"])
        sender.writeSteadily(data, piece: 64 * 1024, pause: 0.003)
        for reader in readers {
            try expectOutput(data, from: reader, of: running)
        }
        try sender.expectCleanExit()
        let dropped = try running.server.waitForError(containing: "closed: more than 1 MiB queued")
        #expect(dropped == "Connection from 127.0.0.1 \(stalledPort) closed: more than 1 MiB queued")
        #expect(running.server.standardError.components(separatedBy: "MiB queued").count == 2)
        #expect(stalled.process.isRunning)
        let peak = try peakMemoryKiB(of: running.server.pid)
        print("broker VmHWM with a stalled reader: \(idle) kB idle, \(peak) kB after 20 MB")
        #expect(peak - idle < 4 * 1024)
        #expect(running.server.process.isRunning)
    }

    @Test func peersLeavingInTheMiddleOfAFanOutDoNotEndTheBroker() throws {
        let running = try Running(.swnc, ["--broker"])
        let data = try randomData(megabytes: 8)
        let reader = try running.join(1, ["-d"])
        let (resetter, _) = try running.joinMember(2, ["leave", "65536", "reset"])
        let (closer, _) = try running.joinMember(3, ["leave", "200000", "close"])

        let sender = try running.join(4, ["-N"])
        sender.writeSteadily(data, piece: 64 * 1024, pause: 0.003)
        try resetter.waitForOutputLine(startingWith: "LEFT", timeout: 60)
        try closer.waitForOutputLine(startingWith: "LEFT", timeout: 60)
        try expectOutput(data, from: reader, of: running)
        try sender.expectCleanExit()

        let newcomer = try running.join(5)
        try newcomer.write("still here\n")
        try expectOutput(data + Data("still here\n".utf8), from: reader, of: running)
        #expect(running.server.process.isRunning)
    }

    // MARK: Helpers

    /// `megabytes` MiB from the kernel's random source.
    private func randomData(megabytes: Int) throws -> Data {
        let source = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
        defer { try? source.close() }
        let data = try source.read(upToCount: megabytes << 20) ?? Data()
        try #require(data.count == megabytes << 20)
        return data
    }

    /// Waits until `client` has as many bytes as `expected` (or has ended), then expects them.
    private func expectOutput(_ expected: Data, from client: Spawned, of running: Running) throws {
        try client.waitFor("\(expected.count) bytes on stdout", timeout: 120) { output, _ in
            output.count >= expected.count || !client.process.isRunning
        }
        let output = client.standardOutput
        #expect(output.count == expected.count, "broker's stderr: \(running.server.standardError)")
        #expect(output == expected)
    }

    /// The process's peak resident set (VmHWM), in kB.
    private func peakMemoryKiB(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return try #require(line.flatMap { $0.split(whereSeparator: \.isWhitespace).dropFirst().first }.flatMap { Int($0) })
    }
}

extension Spawned {
    /// Writes `data` to stdin from another thread in pieces with a pause after each, then closes
    /// stdin: a sender of a steady rate.
    func writeSteadily(_ data: Data, piece: Int, pause: TimeInterval) {
        Thread.detachNewThread { [self] in
            for start in stride(from: 0, to: data.count, by: piece) {
                try? write(data.subdata(in: start..<min(start + piece, data.count)))
                Thread.sleep(forTimeInterval: pause)
            }
            closeInput()
        }
    }
}
