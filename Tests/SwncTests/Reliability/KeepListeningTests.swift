import Foundation
import Testing

/// A `-k` listener goes on whatever happened to the last peer, and keeps nothing of it
/// (issue 8, bugs 2 and 4).
@Suite struct KeepListeningTests {
    /// Resident memory in KiB (VmRSS of /proc/PID/status).
    static func residentKiB(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else {
            throw SpawnError.unexpected("no VmRSS in /proc/\(pid)/status")
        }
        return kib
    }

    /// Runs `count` sequential clients (each sends "x\n" and half-closes) against `port`.
    static func visit(port: UInt16, count: Int, timeout: TimeInterval) throws {
        let clients = try Spawned(Paths.python, ["-u", Paths.peer("sequential_clients.py"), String(port), String(count)])
        #expect(try clients.waitForExit(timeout: timeout) == 0, "stderr: \(clients.standardError)")
        #expect(clients.standardOutputText == "DONE \(count)\n")
    }

    /// Every connection used to keep its pumps (a reference cycle) and a 128 KiB buffer: RSS
    /// grew by megabytes over 1,500 connections. After the first 200 (allocator and loop warm),
    /// 1,800 more must not move it by more than 1 MiB.
    @Test(.timeLimit(.minutes(3)))
    func residentMemoryStaysFlatOverTwoThousandSequentialConnections() throws {
        let listener = try Spawned(swnc: ["-v", "-lk", "127.0.0.1", "0"],
                                   standardInput: FileHandle(forReadingAtPath: "/dev/null"))
        let port = try listener.waitForPort()
        let started = Date()
        try Self.visit(port: port, count: 200, timeout: 120)
        let warm = try Self.residentKiB(of: listener.pid)
        try Self.visit(port: port, count: 1800, timeout: 120 - Date().timeIntervalSince(started))
        let end = try Self.residentKiB(of: listener.pid)
        print("swnc -lk VmRSS: \(warm) KiB after 200 connections, \(end) KiB after 2,000")
        #expect(end - warm <= 1024, "VmRSS went from \(warm) KiB to \(end) KiB")
        #expect(Date().timeIntervalSince(started) < 120)
        try listener.waitForOutput(count: 4000)
        #expect(listener.standardOutputText == String(repeating: "x\n", count: 2000))
        #expect(listener.process.isRunning, "stderr: \(listener.standardError)")
    }

    /// Peers that go away badly, then one that is served.
    enum Visitors: String, CaseIterable, CustomTestStringConvertible {
        /// stdin is /dev/null: a peer resets while swnc reads from it.
        case resetWhileReading
        /// stdin never ends (`yes`): peers reset, leave without reading, or reset while queued
        /// behind one being served, all while swnc sends.
        case goAwayWhileSending
        var testDescription: String { rawValue }
    }

    @Test(arguments: Visitors.allCases, [Endpoint.Kind.tcp, .unix])
    func aKeepOpenListenerServesTheNextPeerAfterOnesThatWentAwayBadly(visitors: Visitors, kind: Endpoint.Kind) throws {
        try withSocketPath { path in
            // `yes | swnc`, with `yes` started here so that swnc itself is the spawned process.
            let yes = Process()
            let yesOutput = Pipe()
            yes.executableURL = URL(fileURLWithPath: "/usr/bin/yes")
            yes.standardOutput = yesOutput
            if visitors == .goAwayWhileSending { try yes.run() }
            defer { if yes.isRunning { yes.terminate(); yes.waitUntilExit() } }
            let stdin: Any = visitors == .goAwayWhileSending ? yesOutput : FileHandle(forReadingAtPath: "/dev/null") as Any
            let listener = try Spawned(swnc: ["-v", "-lk"] + (kind == .tcp ? ["127.0.0.1", "0"] : ["-U", path]),
                                       standardInput: stdin)
            let address: String
            if kind == .tcp {
                address = String(try listener.waitForPort())
            } else {
                try listener.waitForError(containing: "Listening on \(path)")
                address = path
            }
            let actions = visitors == .resetWhileReading
                ? ["reset", "reset", "serve:after-resets"]
                : ["reset", "leave", "queued-reset", "serve:after-all"]
            let peers = try Spawned(Paths.python, ["-u", Paths.peer("listener_visitors.py"),
                                                   kind == .tcp ? "tcp" : "unix", address] + actions)
            #expect(try peers.waitForExit(timeout: 30) == 0, "stderr: \(peers.standardError)")
            let tag = actions.last.map { String($0.dropFirst("serve:".count)) } ?? ""
            // What the served peer got from swnc: nothing (stdin is /dev/null), or 64 KiB of `yes`.
            let served = visitors == .resetWhileReading ? "SERVED \(tag) 0 ''" : "SERVED \(tag) 65536 '\\ny'"
            #expect(peers.standardOutputText == actions.map { "DONE \($0)\n" }.dropLast().joined()
                    + "\(served)\nDONE \(actions.last ?? "")\n")
            try listener.waitForOutput(count: tag.utf8.count + 1)
            #expect(listener.standardOutputText == tag + "\n")
            // Still there, and still serving: one more peer after the served one.
            let more = try Spawned(Paths.python, ["-u", Paths.peer("listener_visitors.py"),
                                                  kind == .tcp ? "tcp" : "unix", address, "serve:once-more"])
            #expect(try more.waitForExit(timeout: 30) == 0, "stderr: \(more.standardError)")
            try listener.waitForOutput(count: tag.utf8.count + 1 + "once-more\n".utf8.count)
            #expect(listener.standardOutputText == tag + "\nonce-more\n")
            #expect(listener.process.isRunning, "stderr: \(listener.standardError)")
        }
    }
}
