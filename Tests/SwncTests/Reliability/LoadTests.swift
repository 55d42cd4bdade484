import Foundation
import Testing

/// `--echo` with many clients, too few descriptors, and floods of datagrams.
@Suite(.serialized) struct LoadTests {
    /// `swnc --echo -lk -v 127.0.0.1 0`, started with a shell command in front (e.g. `ulimit -n 64;`).
    static func echoServer(_ options: [String] = ["-lk"], prelude: String? = nil) throws -> (Spawned, UInt16) {
        let arguments = ["--echo", "-v"] + options + ["127.0.0.1", "0"]
        let server = try prelude.map { try Spawned("/bin/sh", ["-c", "\($0) exec \"$@\"", "sh", Paths.swnc] + arguments) }
            ?? Spawned(swncWithDefaultSignals: arguments)
        return (server, try server.waitForPort())
    }

    static func echoClients(_ port: UInt16, _ options: [String]) throws -> Spawned {
        try Spawned(Paths.python, ["-u", Paths.peer("load_echo_clients.py"), String(port)] + options)
    }

    /// The server's descriptors once it is fully up: it prints its Listening line before it
    /// makes its event loop, so one echoed connection goes first.
    static func baselineDescriptors(of server: Spawned, port: UInt16) throws -> Int {
        #expect(try echoClients(port, ["--sequential", "1", "--bytes", "10"]).reportedLine("DONE") == ["1", "0"])
        return ProcessFacts.openDescriptors(of: server.pid)
    }

    @Test func fiveHundredClientsAtOnceGetEveryByteBackAndOneKilledClientHarmsNone() throws {
        let (server, port) = try Self.echoServer()
        let memory = PeakMemoryWatch(pid: server.pid)
        let victim = try Self.echoClients(port, ["--clients", "1", "--stall-halfway"])
        let clients = try Self.echoClients(port, ["--clients", "500", "--bytes", String(256 * 1024)])
        try clients.reportedLine("CONNECTED")
        try victim.reportedLine("HALFWAY")
        victim.signal(SIGKILL)

        let result = try clients.reportedLine("DONE", timeout: 120)
        print("500 echo clients: \(result[0]) finished intact, \(result[1]) failed; server peak RSS \(memory.stop()) KiB")
        #expect(result == ["500", "0"], "\(clients.standardError)")
        #expect(try victim.waitForExit() == 128 + SIGKILL)
        // The server lives on and still serves.
        let after = try Self.echoClients(port, ["--sequential", "1", "--bytes", "1000"])
        #expect(try after.reportedLine("DONE") == ["1", "0"])
        #expect(!server.standardError.contains("swnc: "))
    }

    @Test func descriptorsReturnToTheirStartingCountAfter5000SequentialConnections() throws {
        let (server, port) = try Self.echoServer()
        let before = try Self.baselineDescriptors(of: server, port: port)
        let clients = try Self.echoClients(port, ["--sequential", "5000", "--bytes", "100"])
        #expect(try clients.reportedLine("DONE", timeout: 120) == ["5000", "0"])
        _ = ProcessFacts.eventually(timeout: 5) { ProcessFacts.openDescriptors(of: server.pid) == before }
        let after = ProcessFacts.openDescriptors(of: server.pid)
        print("echo server descriptors: \(before) before, \(after) after 5,000 sequential connections")
        #expect(before > 0 && after == before)
    }

    /// With `ulimit -n 64` and 100 clients: the connections it has keep being served, waiting
    /// ones do not make it spin, and it accepts them once descriptors are free again.
    @Test func outOfDescriptorsItKeepsServingDoesNotSpinAndAcceptsAgain() throws {
        let (server, port) = try Self.echoServer(prelude: "ulimit -n 64;")
        let clients = try Spawned(Paths.python, ["-u", Paths.peer("fault_fd_exhaustion.py"), String(port), "100"])
        let served = Int(try clients.reportedLine("SERVED", timeout: 30)[0]) ?? 0
        let servedAgain = Int(try clients.reportedLine("AGAIN", timeout: 30)[0]) ?? 0

        let ticksBefore = ProcessFacts.cpuTicks(of: server.pid)
        usleep(2_000_000)
        let ticksWhileFull = ProcessFacts.cpuTicks(of: server.pid) - ticksBefore
        let descriptorsWhileFull = ProcessFacts.openDescriptors(of: server.pid)
        try clients.write("release\n")
        let late = try clients.reportedLine("LATE", timeout: 30)
        print("ulimit -n 64: \(served) of 100 served, \(descriptorsWhileFull) descriptors open, "
              + "\(ticksWhileFull) CPU ticks in 2 s while full; \(late[0]) of \(late[1]) accepted later")
        #expect(served >= 40 && served < 64)
        #expect(servedAgain == served)
        #expect(ticksWhileFull <= ProcessFacts.ticksPerSecond / 10, "more than 5% CPU while it cannot accept")
        #expect(late.count == 2 && late[0] == late[1] && late[1] == String(100 - served))
        #expect(!server.standardError.contains("swnc: "))
    }

    @Test func datagramsOfEverySizePassThroughEchoUnchanged() throws {
        let (server, port) = try Self.echoServer(["-lku"])
        let client = try Spawned(Paths.python, ["-u", Paths.peer("load_udp_echo.py"), String(port), "sizes"])
        #expect(try client.reportedLine("SIZES", timeout: 60)[1] == "0", "\(client.standardError)")
        withExtendedLifetime(server) {}
    }

    /// UNIX datagrams are bounded by the socket buffer, not by UDP's 64 KiB: none is cut.
    @Test func unixDatagramsLargerThanUDPsPassThroughEchoUnchanged() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("echo.sock").path
        let server = try Spawned(swnc: ["--echo", "-v", "-lkUu", path])
        try server.waitForError(containing: "Bound on \(path)")
        let client = try Spawned(Paths.python, ["-u", Paths.peer("load_udp_echo.py"), path, "sizes"])
        #expect(try client.reportedLine("SIZES", timeout: 60)[1] == "0", "\(client.standardError)")
    }

    @Test func aBurstOf10000DatagramsComesBackUncorruptedAndUnmerged() throws {
        let (server, port) = try Self.echoServer(["-lku"])
        let memory = PeakMemoryWatch(pid: server.pid)
        let client = try Spawned(Paths.python, ["-u", Paths.peer("load_udp_echo.py"), String(port), "burst", "10000"])
        let result = try client.reportedLine("BURST", timeout: 60)
        print("UDP burst: \(result[0]) of 10000 datagrams came back, \(result[1]) corrupted; server peak RSS \(memory.stop()) KiB")
        #expect(result.count == 2 && result[1] == "0")
        #expect((Int(result[0]) ?? 0) > 0)
    }
}
