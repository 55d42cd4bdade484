import Foundation
import Testing

/// The rest of OpenBSD netcat's flags, end to end, each run against both swnc and nc.openbsd
/// (the reference: same bytes, same exit status) where nc.openbsd has the flag.
@Suite(.enabled(if: NetcatOpenBSD.path != nil, "nc.openbsd is not installed (Debian package netcat-openbsd)"))
struct OpenBSDFlagTests {
    typealias Program = InteropTests.Program
    static let peer = "openbsd_flags_peer.py"

    /// The hex payloads of a recorder's "T <seconds> <hex>" lines, with their times.
    private func recorded(_ recorder: Spawned) throws -> [(seconds: Double, bytes: [UInt8])] {
        try recorder.waitForOutputLine(startingWith: "EOF")
        return recorder.standardOutputText.split(separator: "\n").filter { $0.hasPrefix("T ") }.map { line in
            let fields = line.split(separator: " ")
            return (Double(fields[1]) ?? -1, hexBytes(fields[2]))
        }
    }

    private func hexBytes(_ hex: Substring) -> [UInt8] {
        stride(from: 0, to: hex.count - 1, by: 2).compactMap { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start...hex.index(after: start)], radix: 16)
        }
    }

    @Test(arguments: Program.allCases)
    func crlfTurnsEachLineFeedFromStdinIntoCRLF(_ program: Program) throws {
        let (recorder, port) = try startPythonPeer(Self.peer, ["record-tcp"])
        let client = try program.start(["-C", "-N", "127.0.0.1", String(port)])
        try client.write("a\nb\r\nc")
        client.closeInput()
        #expect(try client.waitForExit() == 0)
        #expect(try recorded(recorder).flatMap(\.bytes) == Array("a\r\nb\r\nc".utf8))
    }

    /// Telnet negotiation in one send: both refuse every option the same way.
    @Test(arguments: Program.allCases)
    func telnetAnswersNegotiationLikeOpenBSD(_ program: Program) throws {
        let (server, port) = try startPythonPeer(Self.peer, ["telnet", "whole"])
        let client = try program.start(["-t", "127.0.0.1", String(port)], standardInput: FileHandle.nullDevice)
        #expect(try client.waitForExit() == 0)
        #expect(try server.waitForOutputLine(startingWith: "ANSWERS ") == "ANSWERS fffc01fffe03")
    }

    /// Commands split across sends are still answered, and none of their bytes reach stdout
    /// (nc.openbsd misses split commands and passes them to stdout: swnc does better, SPEC).
    @Test func telnetCommandsSplitAcrossReadsAreAnsweredAndRemoved() throws {
        let (server, port) = try startPythonPeer(Self.peer, ["telnet", "split"])
        let client = try Spawned(swnc: ["-t", "127.0.0.1", String(port)], standardInput: FileHandle.nullDevice)
        #expect(try client.waitForExit() == 0)
        #expect(try server.waitForOutputLine(startingWith: "ANSWERS ") == "ANSWERS fffc01fffe03")
        #expect(client.standardOutput == Data("hello wor".utf8) + Data([0xff]) + Data("ld\n".utf8))
    }

    @Test(arguments: Program.allCases)
    func intervalPausesAfterEachLineSent(_ program: Program) throws {
        let (recorder, port) = try startPythonPeer(Self.peer, ["record-tcp"])
        let client = try program.start(["-i", "1", "-N", "127.0.0.1", String(port)])
        try client.write("one\ntwo\nthree\n")
        client.closeInput()
        #expect(try client.waitForExit(timeout: 15) == 0)
        let chunks = try recorded(recorder)
        #expect(chunks.map { String(decoding: $0.bytes, as: UTF8.self) } == ["one\n", "two\n", "three\n"])
        for (earlier, later) in zip(chunks, chunks.dropFirst()) {
            #expect(later.seconds - earlier.seconds >= 0.9)
            #expect(later.seconds - earlier.seconds < 3)
        }
    }

    /// -W 2: a UDP listener exits after two datagrams, though its stdin stays open.
    @Test(arguments: Program.allCases)
    func receiveLimitExitsAfterCountDatagrams(_ program: Program) throws {
        let listener = try program.start(["-v", "-u", "-l", "-W", "2", "127.0.0.1", "0"])
        defer { listener.closeInput() }
        let port = try listener.waitForPort()
        let sender = try Spawned(Paths.python, [Paths.peer(Self.peer), "send-udp", String(port), "4"])
        #expect(try listener.waitForExit(timeout: 10) == 0)
        #expect(listener.standardOutputText == "d0d1")
        #expect(try sender.waitForExit() == 0)
    }

    /// -r: every port of the range is reported, the open ones open, in an order that changes.
    @Test(arguments: Program.allCases)
    func randomPortsProbesEveryPortInChangingOrder(_ program: Program) throws {
        let ports = try ReservedPorts(count: 12)
        try ports.open(3)
        try ports.open(8)
        let range = "\(ports.ports.first ?? 0)-\(ports.ports.last ?? 0)"
        var orders: [[UInt16]] = []
        for _ in 0..<3 {
            let probe = try program.start(["-zvn", "-r", "-w", "2", "127.0.0.1", range], standardInput: FileHandle.nullDevice)
            #expect(try probe.waitForExit() == 0)
            let lines = probe.standardError.split(separator: "\n")
            let reported = lines.compactMap { line in line.split(separator: " ").compactMap { UInt16($0) }.first }
            #expect(Set(reported) == Set(ports.ports))
            #expect(reported.count == ports.ports.count)
            let open = lines.filter { $0.hasSuffix("succeeded!") }.compactMap { $0.split(separator: " ").compactMap { UInt16($0) }.first }
            #expect(Set(open) == [ports.ports[3], ports.ports[8]])
            orders.append(reported)
        }
        #expect(Set(orders).count > 1)
    }

    /// -T and -M, seen by the receiver: the datagram's TOS byte and TTL.
    @Test(arguments: Program.allCases)
    func typeOfServiceAndTTLReachThePeer(_ program: Program) throws {
        let (recorder, port) = try startPythonPeer(Self.peer, ["record-udp", "1"])
        let client = try program.start(["-u", "-w", "1", "-T", "lowdelay", "-M", "7", "127.0.0.1", String(port)])
        try client.write("x")
        client.closeInput()
        #expect(try recorder.waitForOutputLine(startingWith: "D ") == "D 16 7 78")
        #expect(try client.waitForExit() == 0)
    }

    /// -m 255: a listener drops packets of a lower TTL, so a client with TTL 64 cannot connect
    /// and one with TTL 255 can.
    @Test(arguments: Program.allCases)
    func minimumTTLDropsPacketsBelowIt(_ program: Program) throws {
        for (ttl, outcome) in [("64", "TIMEOUT"), ("255", "CONNECTED")] {
            let listener = try program.start(["-v", "-l", "-m", "255", "127.0.0.1", "0"], standardInput: FileHandle.nullDevice)
            let port = try listener.waitForPort()
            let client = try Spawned(Paths.python, [Paths.peer(Self.peer), "minttl-client", String(port), ttl])
            #expect(try client.waitForOutputLine(startingWith: outcome) == outcome)
            _ = try client.waitForExit()
            listener.signal(SIGKILL)  // nc.openbsd keeps the SIGTERM mask Foundation's Process hands down
            _ = try listener.waitForExit()
        }
    }

    /// -I and -O, seen by `ss -tm` on the client's socket: Linux doubles what was asked.
    @Test(.enabled(if: Paths.which("ss") != nil, "ss (iproute2) is not installed"), arguments: Program.allCases)
    func bufferSizesAreSetOnTheSocket(_ program: Program) throws {
        let (server, port) = try startPythonPeer(Self.peer, ["hold"])
        let client = try program.start(["-I", "4096", "-O", "8192", "127.0.0.1", String(port)])
        defer { client.signal(SIGTERM); _ = try? client.waitForExit(); _ = try? server.waitForExit() }
        var memory = ""
        for _ in 0..<50 where !memory.contains("skmem") {
            let ss = try Spawned(Paths.which("ss") ?? "ss", ["-tnmH", "state", "established", "( dport = :\(port) )"])
            _ = try ss.waitForExit()
            memory = ss.standardOutputText
            usleep(50_000)
        }
        #expect(memory.contains("rb8192,"))
        #expect(memory.contains("tb16384,"))
    }

    /// -D: accepted; where the system refuses SO_DEBUG, a warning, and the probe goes on.
    @Test(arguments: Program.allCases)
    func debugSocketIsAccepted(_ program: Program) throws {
        let (server, port) = try startPythonPeer(Self.peer, ["named-port"])
        defer { server.signal(SIGTERM) }
        let probe = try program.start(["-D", "-zvn", "127.0.0.1", String(port)], standardInput: FileHandle.nullDevice)
        #expect(try probe.waitForExit() == 0)
        #expect(probe.standardError.contains("port [tcp/*] succeeded!"))
    }

    @Test(arguments: ["-S", "-V", "-Z"])
    func openBSDOnlyFacilitiesAreRefusedInOneLine(option: String) throws {
        var arguments = [option]
        if option == "-V" { arguments.append("1") }
        let run = try runSwnc(arguments + ["127.0.0.1", "9"])
        #expect(run.status == 1)
        #expect(run.errorLines.count == 1)
        #expect(run.errors.hasPrefix("swnc: \(option) "))
        #expect(run.errors.contains("OpenBSD"))
    }

    /// -b, inside two namespaces of the test's own joined by a veth: a UDP client may send to
    /// the subnet's broadcast address with -b, and is refused (EACCES) without it.
    @Test(NetworkNamespace.required, arguments: Program.allCases)
    func broadcastNeedsAllowBroadcast(_ program: Program) throws {
        // Both kept: deleting the second namespace would take the veth pair with it.
        let (sender, receiver) = try NetworkNamespace.pair(label: "b\(program == .swnc ? "s" : "n")", subnet: "10.77.9")
        defer { withExtendedLifetime(receiver) {} }
        let executable = program == .swnc ? Paths.swnc : (NetcatOpenBSD.path ?? "")
        for (options, status) in [(["-b"], Int32(0)), ([], Int32(1))] {
            let client = try sender.spawn(executable, options + ["-u", "-w", "1", "10.77.9.255", "9999"])
            try client.write("x")
            client.closeInput()
            #expect(try client.waitForExit() == status, "\(options): \(client.standardError)")
        }
    }
}
