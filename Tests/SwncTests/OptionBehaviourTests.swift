import Foundation
import Testing

/// -N, -q, -d, -w, -z, -n, -4/-6, -s, -p: each does what SPEC.md says.
@Suite struct OptionBehaviourTests {
    // MARK: What reaches the peer when stdin ends (-N, -q, -d)

    struct InputEnd: CustomTestStringConvertible, Sendable {
        let flags: [String]
        /// How long the peer waits for EOF before it answers anyway.
        let peerWait: Double
        let closesInput: Bool
        /// What the peer saw: "RECEIVED <bytes> EOF|OPEN".
        let verdict: String
        var testDescription: String { "\(flags.joined(separator: " ")) stdin \(closesInput ? "closed" : "open")" }
    }

    @Test(arguments: [
        // OpenBSD behaviour: EOF on stdin does not end the sending side...
        InputEnd(flags: [], peerWait: 2, closesInput: true, verdict: "RECEIVED 6 OPEN"),
        InputEnd(flags: ["-q", "-1"], peerWait: 2, closesInput: true, verdict: "RECEIVED 6 OPEN"),
        // ...unless -N asks for it.
        InputEnd(flags: ["-N"], peerWait: 20, closesInput: true, verdict: "RECEIVED 6 EOF"),
        // -d: stdin is never read, so nothing is sent, and its EOF is never seen (as nc.openbsd -d -N).
        InputEnd(flags: ["-d"], peerWait: 2, closesInput: false, verdict: "RECEIVED 0 OPEN"),
        InputEnd(flags: ["-d", "-N"], peerWait: 2, closesInput: true, verdict: "RECEIVED 0 OPEN"),
    ])
    func peerSeesEndOfInputOnlyAsTheFlagsSay(_ case: InputEnd) throws {
        let (peer, port) = try startPythonPeer("tcp_observer.py", ["--wait-eof", String(`case`.peerWait)])
        let client = try Spawned(swnc: `case`.flags + ["127.0.0.1", String(port)])
        try client.write("hello\n")
        if `case`.closesInput { client.closeInput() }
        // The peer answers with its verdict and closes: the client prints it and exits.
        #expect(try client.waitForExit(timeout: 30) == 0, "stderr: \(client.standardError)")
        #expect(client.standardOutputText == `case`.verdict + "\n")
        #expect(try peer.waitForExit() == 0)
    }

    /// The peer of a timing test: a TCP server that holds the connection open and reports
    /// what it saw, or a UDP receiver (which answers nothing, so no ICMP error ends swnc).
    enum HeldPeer: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case tcp, udp
        var testDescription: String { rawValue }
        var flags: [String] { self == .udp ? ["-u"] : [] }

        func start() throws -> (Spawned, UInt16) {
            self == .tcp
                ? try startPythonPeer("tcp_observer.py", ["--wait-eof", "30", "--hold"])
                : try startPythonPeer("udp_collector.py")
        }
    }

    /// -q secs: after stdin's EOF swnc shuts down sending and quits secs later, although the
    /// peer is still there.
    @Test(arguments: [(HeldPeer.tcp, "1", 1.0), (.tcp, "500ms", 0.5), (.tcp, "0.5s", 0.5), (.udp, "1", 1.0)])
    func quitsSecondsAfterEndOfInput(peerKind: HeldPeer, delay: String, seconds: Double) throws {
        let (peer, port) = try peerKind.start()
        let client = try Spawned(swnc: peerKind.flags + ["-q", delay, "127.0.0.1", String(port)])
        try client.write("data\n")
        // Time the quit, not the connect.
        try peer.waitForOutputLine(startingWith: peerKind == .tcp ? "PEER" : "data")
        var status: Int32 = -1
        let taken = try secondsTaken {
            client.closeInput()
            status = try client.waitForExit(timeout: seconds + 10)
        }
        #expect(status == 0)
        #expect(taken >= seconds * 0.9 && taken < seconds + 5, "quit after \(taken) s")
        if peerKind == .tcp {
            // The peer saw the sending side shut down, and its answer still reached stdout.
            #expect(try peer.waitForOutputLine(startingWith: "RECEIVED") == "RECEIVED 5 EOF")
            #expect(client.standardOutputText == "RECEIVED 5 EOF\n")
        }
    }

    // MARK: -w

    /// A listener whose accept queue is full drops the SYN: only -w ends the connect (or probe).
    @Test(arguments: [(["-w", "1"], 1.0), (["-w", "700ms"], 0.7), (["-zv", "-w", "1"], 1.0)])
    func connectTimesOutAfterWaitSeconds(flags: [String], seconds: Double) throws {
        let (backlog, port) = try startPythonPeer("full_backlog.py")
        defer { withExtendedLifetime(backlog) {} }
        var result: Finished?
        let taken = try secondsTaken { result = try runSwnc(flags + ["127.0.0.1", String(port)], timeout: 30) }
        #expect(result?.status == 1)
        #expect(result?.errors == "swnc: connect to 127.0.0.1 port \(port) (tcp) failed: Connection timed out\n")
        #expect(taken >= seconds * 0.9 && taken < seconds + 5, "gave up after \(taken) s")
    }

    /// A client on which nothing moves for -w secs ends, with exit 0.
    @Test(arguments: HeldPeer.allCases)
    func idleClientEndsAfterWaitSeconds(peerKind: HeldPeer) throws {
        let (peer, port) = try peerKind.start()
        var status: Int32 = -1
        // Timed from before the start: the idle clock cannot start earlier than that.
        let taken = try secondsTaken {
            let client = try Spawned(swnc: peerKind.flags + ["-w", "1", "127.0.0.1", String(port)])
            status = try client.waitForExit(timeout: 20)
            #expect(client.standardError.isEmpty)
        }
        #expect(status == 0)
        #expect(taken >= 1 && taken < 6, "ended after \(taken) s")
        if peerKind == .tcp {
            #expect(try peer.waitForOutputLine(startingWith: "RECEIVED") == "RECEIVED 0 EOF")
        }
    }

    /// Traffic restarts the idle clock: sending every 0.3 s for 2 s keeps a -w 1 client alive.
    @Test func trafficKeepsWaitingClientAlive() throws {
        let (peer, port) = try startPythonPeer("tcp_observer.py", ["--wait-eof", "30", "--hold"])
        let client = try Spawned(swnc: ["-w", "1", "127.0.0.1", String(port)])
        try peer.waitForOutputLine(startingWith: "PEER")
        for _ in 0..<7 {
            try client.write("x")
            usleep(300_000)  // time is what is tested here
            #expect(client.process.isRunning, "ended while data was moving")
        }
        #expect(try client.waitForExit(timeout: 20) == 0)
        #expect(try peer.waitForOutputLine(startingWith: "RECEIVED") == "RECEIVED 7 EOF")
    }

    /// -w has no effect on -l: a listener still takes a peer after the time has passed.
    @Test func waitDoesNotLimitListener() throws {
        let listener = try Spawned(swnc: ["-v", "-w", "500ms", "-l", "127.0.0.1", "0"])
        listener.closeInput()  // the listener is done once the peer is, and its stdin (SPEC.md)
        let port = try listener.waitForPort()
        usleep(1_200_000)  // more than -w: time is what is tested here
        #expect(listener.process.isRunning)
        let client = try runSwnc(["-N", "127.0.0.1", String(port)], input: "late\n")
        #expect(client.status == 0)
        #expect(try listener.waitForExit() == 0)
        #expect(listener.standardOutputText == "late\n")
    }

    // MARK: -z

    struct Probe: CustomTestStringConvertible, Sendable {
        let name: String
        /// Port operands as offsets in a block of reserved ports: "0", "1-4".
        let operands: [String]
        let openOffsets: [Int]
        /// Every offset probed, in order.
        let probedOffsets: [Int]
        var testDescription: String { name }
    }

    @Test(arguments: [
        Probe(name: "one open port", operands: ["0"], openOffsets: [0], probedOffsets: [0]),
        Probe(name: "one closed port", operands: ["0"], openOffsets: [], probedOffsets: [0]),
        Probe(name: "several ports, one open", operands: ["0", "2", "3"], openOffsets: [2], probedOffsets: [0, 2, 3]),
        Probe(name: "several ports, none open", operands: ["0", "3"], openOffsets: [], probedOffsets: [0, 3]),
        Probe(name: "range, one open", operands: ["0-4"], openOffsets: [3], probedOffsets: [0, 1, 2, 3, 4]),
        Probe(name: "range, two open", operands: ["1-3"], openOffsets: [1, 3], probedOffsets: [1, 2, 3]),
        Probe(name: "range, none open", operands: ["0-4"], openOffsets: [], probedOffsets: [0, 1, 2, 3, 4]),
        Probe(name: "range and port", operands: ["0-1", "4"], openOffsets: [4], probedOffsets: [0, 1, 4]),
    ], [false, true])
    func probeExitsZeroWhenAnyPortIsOpen(_ case: Probe, verbose: Bool) throws {
        let ports = try ReservedPorts(count: 5)
        for offset in `case`.openOffsets { try ports.open(offset) }
        func port(_ offset: Int) -> String { String(ports.first + UInt16(offset)) }
        let operands = `case`.operands.map { $0.split(separator: "-").map { port(Int($0)!) }.joined(separator: "-") }
        let result = try runSwnc((verbose ? ["-vz"] : ["-z"]) + ["127.0.0.1"] + operands)
        #expect(result.status == (`case`.openOffsets.isEmpty ? 1 : 0))
        #expect(result.output.isEmpty)
        // Quiet without -v; with it, one line per port, in port order.
        let expected = !verbose ? "" : `case`.probedOffsets.map { offset in
            `case`.openOffsets.contains(offset)
                ? "Connection to 127.0.0.1 \(port(offset)) port [tcp/\(serviceName(ofPort: UInt16(port(offset))!, transport: "tcp"))] succeeded!\n"
                : "swnc: connect to 127.0.0.1 port \(port(offset)) (tcp) failed: Connection refused\n"
        }.joined()
        #expect(result.errors == expected)
    }

    @Test func probeSendsNothing() throws {
        let (peer, port) = try startPythonPeer("tcp_observer.py", ["--wait-eof", "20"])
        let result = try runSwnc(["-z", "127.0.0.1", String(port)], input: "must not be sent\n")
        #expect(result.status == 0)
        #expect(try peer.waitForOutputLine(startingWith: "RECEIVED") == "RECEIVED 0 EOF")
    }

    // MARK: -n, -4, -6

    @Test(arguments: [
        (["-n", "localhost"], "swnc: resolve localhost failed: "),
        (["-6", "127.0.0.1"], "swnc: resolve 127.0.0.1 failed: "),
        (["-4", "::1"], "swnc: resolve ::1 failed: "),
    ])
    func addressTheFlagsRuleOutIsAnError(arguments: [String], message: String) throws {
        let ports = try ReservedPorts(count: 1)
        try ports.open(0)
        let result = try runSwnc(arguments + [String(ports.first)])
        #expect(result.status == 1)
        #expect(result.errors.hasPrefix(message) && result.errorLines.count == 1, "got: \(result.errors)")
    }

    /// A port may be a service name, with -n too (the services file is not DNS, as
    /// nc.openbsd); -n only keeps the name out of the -v line.
    @Test func numericOnlyStillReadsServiceNames() throws {
        let named = try runSwnc(["-vu", "-q", "0", "127.0.0.1", "domain"])
        #expect(named.status == 0)
        #expect(named.errors == "Connection to 127.0.0.1 53 port [udp/domain] succeeded!\n")
        let numeric = try runSwnc(["-vun", "-q", "0", "127.0.0.1", "domain"])
        #expect(numeric.status == 0)
        #expect(numeric.errors == "Connection to 127.0.0.1 53 port [udp/*] succeeded!\n")
    }

    /// -4 / -6 on a listener without an address: only that family's wildcard.
    @Test(IPv6Loopback.required, arguments: [("-4", "127.0.0.1", "::1"), ("-6", "::1", "127.0.0.1")])
    func listenerFamilyFlagLimitsWhoCanConnect(flag: String, reachable: String, refused: String) throws {
        let listener = try Spawned(swnc: ["-v", flag, "-l", "0"])
        listener.closeInput()
        let port = try listener.waitForPort()
        let refusedClient = try runSwnc([refused, String(port)])
        #expect(refusedClient.status == 1)
        #expect(refusedClient.errors.hasPrefix("swnc: connect to \(refused) port \(port) (tcp) failed: Connection refused"))
        let client = try runSwnc(["-N", reachable, String(port)], input: "over \(reachable)\n")
        #expect(client.status == 0)
        #expect(try listener.waitForExit() == 0)
        #expect(listener.standardOutputText == "over \(reachable)\n")
    }

    /// `-l PORT` without an address takes IPv4 and IPv6 peers alike (-k: one after the other).
    @Test(IPv6Loopback.required) func listenerWithoutAddressIsReachableOverBothFamilies() throws {
        let listener = try Spawned(swnc: ["-v", "-k", "-l", "0"])
        listener.closeInput()  // each peer is done once it and stdin are
        let port = try listener.waitForPort()
        for address in ["127.0.0.1", "::1"] {
            let client = try runSwnc(["-N", address, String(port)], input: "over \(address)\n")
            #expect(client.status == 0, "\(address): \(client.errors)")
            try listener.waitForOutputLine(startingWith: "over \(address)")
        }
        #expect(listener.standardOutputText == "over 127.0.0.1\nover ::1\n")
    }

    // MARK: -s, -p

    struct Source: CustomTestStringConvertible, Sendable {
        let flags: [String]
        let peerHost: String
        let expectedHost: String
        var testDescription: String { flags.joined(separator: " ") }
    }

    /// The traditional `nc -l -p port`: -p names the port to listen on. `-p 0` (an ephemeral
    /// port, SPEC.md) rather than a port found free beforehand, which another test could take
    /// before swnc binds it; the real port is read from the `Listening on` line.
    @Test func listenWithSourcePortListensOnIt() throws {
        let listener = try Spawned(swnc: ["-v", "-l", "-p", "0"])
        let port = try listener.waitForPort()
        #expect(port != 0)
        #expect(try listener.waitForErrorLines(1) == ["Listening on :: \(port)"])
        listener.closeInput()
        #expect(try runSwnc(["-N", "127.0.0.1", String(port)], input: "via -p\n").status == 0)
        #expect(try listener.waitForExit() == 0)
        #expect(listener.standardOutputText == "via -p\n")
    }

    @Test(arguments: IPv6Loopback.cases([
        Source(flags: ["-s", "127.0.0.2"], peerHost: "127.0.0.1", expectedHost: "127.0.0.2"),
        Source(flags: ["--source=127.0.0.3"], peerHost: "127.0.0.1", expectedHost: "127.0.0.3"),
        Source(flags: ["-s", "::1"], peerHost: "::1", expectedHost: "::1"),
        Source(flags: ["-p", "PORT"], peerHost: "127.0.0.1", expectedHost: "127.0.0.1"),
        Source(flags: ["-s", "127.0.0.4", "-p", "PORT"], peerHost: "127.0.0.1", expectedHost: "127.0.0.4"),
    ], needing: { $0.peerHost == "::1" }))
    func connectionComesFromSourceAddressAndPort(_ case: Source) throws {
        let sourcePort = try unusedPort()
        let flags = `case`.flags.map { $0 == "PORT" ? String(sourcePort) : $0 }
        let (peer, port) = try startPythonPeer("tcp_observer.py", ["--host", `case`.peerHost])
        let client = try runSwnc(flags + ["-N", `case`.peerHost, String(port)])
        #expect(client.status == 0, "stderr: \(client.errors)")
        let seen = try peer.waitForOutputLine(startingWith: "PEER").split(separator: " ")
        #expect(seen[1] == `case`.expectedHost)
        if flags.contains("-p") { #expect(seen[2] == String(sourcePort)) }
    }
}
