import Foundation
import Testing

/// --stats and -vv: ncat's line `N bytes sent, M bytes received in T seconds` at the end of
/// each connection. --progress: a live meter on a terminal (swnc run inside tmux), and nothing
/// at all when stderr is not a terminal.
@Suite struct StatsProgressTests {
    /// The stats line for these counts, any time with two decimals.
    static func statsLine(sent: Int, received: Int) throws -> Regex<AnyRegexOutput> {
        try Regex("\(sent) bytes sent, \(received) bytes received in \\d+\\.\\d\\d seconds")
    }

    static func statsLines(of process: Spawned) -> [String] {
        errorLines(of: process).filter { $0.contains(" bytes sent, ") }
    }

    /// A client sends "hello\n" (6 bytes) and gets "re:hello\n" (9) back; its stderr is
    /// returned once it has ended.
    static func clientSession(_ options: [String]) throws -> Spawned {
        let (peer, port) = try startPythonPeer("reply_peer.py")
        let client = try Spawned(swnc: options + ["-N", "127.0.0.1", String(port)])
        try client.write("hello\n")
        try client.waitForOutput(equalTo: "re:hello\n")
        client.closeInput()
        try client.expectCleanExit()
        try peer.expectCleanExit()
        return client
    }

    @Test(arguments: [["--stats"], ["--stats", "-v"], ["-vv"]])
    func clientPrintsOneStatsLine(options: [String]) throws {
        let client = try Self.clientSession(options)
        let lines = Self.statsLines(of: client)
        #expect(lines.count == 1, "stderr: \(client.standardError)")
        #expect(try lines.first?.wholeMatch(of: Self.statsLine(sent: 6, received: 9)) != nil, "\(lines)")
        if options == ["--stats"] { #expect(errorLines(of: client) == lines, "--stats alone prints nothing else") }
    }

    /// -v alone is OpenBSD netcat's -v: no stats line.
    @Test func verboseAlonePrintsNoStats() throws {
        let client = try Self.clientSession(["-v"])
        #expect(Self.statsLines(of: client).isEmpty, "stderr: \(client.standardError)")
    }

    @Test(arguments: [["--stats"], ["-vv"]])
    func echoKeepOpenPrintsALineForEachPeer(options: [String]) throws {
        let (server, endpoint) = try startSwncServer(options + ["--echo", "-lk", "127.0.0.1", "0"], serving: .tcp)
        for text in ["one", "three"] {
            #expect(try drivePeers(port: endpoint.port ?? 0, ["open:p", "send:p:\(text)", "recv:p:\(text)", "shut:p", "eof:p"])
                    == ["p got b'\(text)\\n'", "p eof after b''"])
        }
        try server.waitFor("two stats lines", timeout: 10) { _, errors in errors.components(separatedBy: " bytes sent, ").count == 3 }
        let lines = Self.statsLines(of: server)
        #expect(lines.count == 2)
        #expect(try lines.first?.wholeMatch(of: Self.statsLine(sent: 4, received: 4)) != nil, "\(lines)")
        #expect(try lines.last?.wholeMatch(of: Self.statsLine(sent: 6, received: 6)) != nil, "\(lines)")
    }

    @Test func stdioListenerPrintsItsLine() throws {
        let (listener, endpoint) = try startSwncServer(["--stats", "-l", "127.0.0.1", "0"], serving: .tcp)
        try listener.write("from the listener\n")
        listener.closeInput()
        #expect(try drivePeers(port: endpoint.port ?? 0, ["open:a", "recv:a:from the listener", "send:a:hi", "shut:a", "eof:a"])
                == ["a got b'from the listener\\n'", "a eof after b''"])
        try listener.expectCleanExit()
        let lines = Self.statsLines(of: listener)
        #expect(lines.count == 1)
        #expect(try lines.first?.wholeMatch(of: Self.statsLine(sent: 18, received: 3)) != nil, "\(lines)")
    }

    // MARK: --progress

    static let tmux = Paths.which("tmux")

    /// Runs tmux on its own `socket` to the end. Through Python, for two reasons: the test
    /// runner's threads block signals, which the tmux client and server would inherit; and the
    /// server tmux starts would inherit the descriptor by which the runner sees a child end
    /// (subprocess closes it), so the client's exit would never be seen.
    static func runTmux(_ socket: String, _ arguments: [String]) throws -> Finished {
        try runToEnd(Paths.python, ["-c", """
            import signal, subprocess, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            sys.exit(subprocess.run(sys.argv[1:]).returncode)
            """, tmux ?? "tmux", "-S", socket] + arguments)
    }

    /// A file of `count` bytes in `directory`.
    static func bigFile(in directory: URL, count: Int) throws -> String {
        let path = directory.appendingPathComponent("big.bin").path
        try randomBytes(count: count).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The meter's line: bytes each way, rate, elapsed, and (stdin a file) percent and ETA.
    static let meter = try! Regex(#"sent [\d.]+ (B|KiB|MiB), received 0 B, [\d.]+ (B|KiB|MiB)/s, \d+:\d\d, (\d+)%(, ETA \d+:\d\d)?"#)

    /// The meter on a terminal: swnc sends 8 MiB to a slow reader, inside a
    /// tmux pane; two looks at the pane, 0.6 s apart, show the meter, the second further along
    /// (the socket buffers take the first few MiB at once, the rest goes slowly).
    @Test(.enabled(if: tmux != nil, "tmux is not installed"))
    func progressShowsAndUpdatesOnATerminal() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.bigFile(in: directory, count: 8 << 20)
        let (reader, port) = try startPythonPeer("slow_reader.py")
        // A tmux server of this test's own, on its own socket, ended when the test ends.
        let socket = directory.appendingPathComponent("tmux.sock").path
        let command = "'\(Paths.swnc)' --progress -N 127.0.0.1 \(port) < '\(file)'; echo EXIT $?; sleep 60"
        let started = try Self.runTmux(socket, ["new-session", "-d", "-x", "120", "-y", "10", command])
        #expect(started.status == 0, "tmux: \(started.errors)")
        defer { _ = try? Self.runTmux(socket, ["kill-server"]) }
        func pane() throws -> String {
            try Self.runTmux(socket, ["capture-pane", "-p"]).output
        }
        var percents: [Int] = []
        for _ in 0..<2 {
            Thread.sleep(forTimeInterval: 0.6)
            let text = try pane()
            guard let match = text.firstMatch(of: Self.meter), let percent = match.output[3].substring.flatMap({ Int($0) }) else {
                Issue.record("no meter in the pane: \(text.debugDescription)")
                return
            }
            percents.append(percent)
        }
        #expect(percents[0] < percents[1] && percents[1] < 100, "\(percents)")
        try reader.expectCleanExit(timeout: 60)
        #expect(reader.recordedLines == ["READ \(8 << 20)"])
        // Once done, the meter is taken away: the pane holds the exit status only.
        let deadline = Date(timeIntervalSinceNow: 10)
        var text = try pane()
        while !text.contains("EXIT"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            text = try pane()
        }
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT 0", "\(text.debugDescription)")
    }

    /// stderr a file: not a byte of the meter, though the transfer lasts long enough to draw it.
    @Test func progressDrawsNothingWhenStderrIsNotATerminal() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Self.bigFile(in: directory, count: 2 << 20)
        let errors = directory.appendingPathComponent("errors.txt").path
        let (reader, port) = try startPythonPeer("slow_reader.py")
        let run = try runToEnd("/bin/sh", ["-c", "'\(Paths.swnc)' --progress -N 127.0.0.1 \(port) < '\(file)' 2> '\(errors)'"], timeout: 60)
        #expect(run.status == 0)
        try reader.expectCleanExit()
        #expect(reader.recordedLines == ["READ \(2 << 20)"])
        #expect(try String(contentsOfFile: errors, encoding: .utf8) == "")
    }
}
