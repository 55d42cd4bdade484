import Foundation
import Testing

/// A peer that half-closes first still gets everything (issue 8, bug 1): swnc used to quit at
/// the peer's end of file, so a server that greets, shuts down its sending side and keeps
/// reading got the client's first line only. nc.openbsd and ncat deliver all of it.
@Suite struct HalfCloseTests {
    static let lines = ["line1\n", "line2\n", "line3\n"]

    /// Writes the three lines to swnc's stdin over about a second, then closes it.
    static func typeLinesSlowly(into swnc: Spawned) throws {
        for line in lines {
            try swnc.write(line)
            Thread.sleep(forTimeInterval: 0.35)
        }
        swnc.closeInput()
    }

    @Test(arguments: [Endpoint.Kind.tcp, .unix])
    func aClientSendsEveryLineToAServerThatHalfClosedFirst(kind: Endpoint.Kind) throws {
        try withSocketPath { path in
            let server = try Spawned(Paths.python, ["-u", Paths.peer("halfclose_first.py"), "server"]
                                     + (kind == .tcp ? ["tcp", "0"] : ["unix", path]))
            let ready = try server.waitForOutputLine(startingWith: "READY ")
            let target = kind == .tcp ? ["127.0.0.1", String(ready.split(separator: " ").last ?? "")] : ["-U", path]
            let swnc = try Spawned(swnc: target)
            try Self.typeLinesSlowly(into: swnc)
            #expect(try swnc.waitForExit() == 0, "stderr: \(swnc.standardError)")
            #expect(swnc.standardOutputText == "hi\n")
            #expect(try server.waitForExit() == 0, "stderr: \(server.standardError)")
            #expect(server.standardOutputText == ready + "\n" + Self.lines.joined())
        }
    }

    @Test(arguments: [Endpoint.Kind.tcp, .unix])
    func aListenerSendsEveryLineToAClientThatHalfClosedFirst(kind: Endpoint.Kind) throws {
        try withSocketPath { path in
            let (listener, endpoint) = try startSwncServer(kind == .tcp ? ["-l", "0"] : ["-lU", path], serving: kind)
            let client = try Spawned(Paths.python, ["-u", Paths.peer("halfclose_first.py"), "client"]
                                     + (kind == .tcp ? ["tcp", String(endpoint.port ?? 0)] : ["unix", path]))
            try listener.waitForOutput(count: 3)
            try Self.typeLinesSlowly(into: listener)
            #expect(try listener.waitForExit() == 0, "stderr: \(listener.standardError)")
            #expect(listener.standardOutputText == "hi\n")
            #expect(try client.waitForExit() == 0, "stderr: \(client.standardError)")
            #expect(client.standardOutputText == Self.lines.joined())
        }
    }
}
