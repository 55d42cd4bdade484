import Foundation
import Testing

/// `-e` / `-c`: the program run for each connection on a socketpair. Peers are Peers/exec_peer.py
/// (it knows its own address and times end of file) and swnc itself.
@Suite struct ExecTests {
    // MARK: Wiring

    @Test func catEchoesAMegabyteByteExact() throws {
        let (server, endpoint) = try startSwncServer(["-e", "/bin/cat", "-l", "0"], serving: .tcp)
        let data = randomBytes(count: 1 << 20)
        let client = try Spawned(swnc: endpoint.swncClientArguments)
        client.writeInBackground(data, thenClose: true)
        try client.waitForOutput(equalTo: data)
        try client.expectCleanExit()
        try server.expectCleanExit()
    }

    @Test func shExecSpeaksFirstThenRelaysThePeer() throws {
        let (server, port) = try startExecServer(["-c", "echo hello; cat"])
        let client = try execPeer(["talk", port, "from the peer\n"])
        try client.expectCleanExit()
        #expect(client.standardOutputText == "hello\nfrom the peer\n")
        try server.expectCleanExit()
    }

    @Test(arguments: [
        ("/bin/sh -c 'echo a   b'", "a b\n"),
        (#"printf "[%s]" "two words" $HOME 'it''s'"#, "[two words][$HOME][its]"),
        (#"printf [%s] a\ b"#, "[a b]"),
    ])
    func execSplitsTheCommandWithQuotesAndNoShell(command: String, output: String) throws {
        let (server, port) = try startExecServer(["-e", command])
        let client = try execPeer(["talk", port, ""])
        try client.expectCleanExit()
        #expect(client.standardOutputText == output)
        try server.expectCleanExit()
    }

    @Test func theChildLearnsBothAddressesFromItsEnvironment() throws {
        let printEnvironment = #"echo "$NCAT_REMOTE_ADDR $SWNC_REMOTE_PORT $SWNC_PROTO $SWNC_LOCAL_ADDR $NCAT_LOCAL_PORT""#
        let (server, port) = try startExecServer(["-c", printEnvironment])
        let client = try execPeer(["talk", port, ""])
        try client.expectCleanExit()
        let clientPort = try #require(client.standardError.split(separator: "\n").first { $0.hasPrefix("LOCAL ") }?.split(separator: " ").last)
        #expect(client.standardOutputText == "127.0.0.1 \(clientPort) TCP 127.0.0.1 \(port)\n")
        try server.expectCleanExit()
    }

    @Test func theChildsStderrStaysOnSwncsStderr() throws {
        let (server, port) = try startExecServer(["-c", "echo out; echo to-stderr >&2"])
        let client = try execPeer(["talk", port, ""])
        try client.expectCleanExit()
        #expect(client.standardOutputText == "out\n")
        try server.expectCleanExit()
        #expect(server.standardError.split(separator: "\n").contains("to-stderr"))
    }

    // MARK: End of file, each way

    @Test func thePeersEndOfFileReachesTheChildAndItsLaterOutputStillArrives() throws {
        let (server, port) = try startExecServer(["-c", "cat >/dev/null; sleep 0.3; echo after end of file"])
        let client = try execPeer(["talk", port, "some input\n"])
        try client.expectCleanExit()
        #expect(client.standardOutputText == "after end of file\n")
        try server.expectCleanExit()
    }

    /// stdin and stdout are one socket: the peer sees end of file once the child has closed both
    /// (or exited), while the child still runs.
    @Test func theChildClosingItsOutputEndsWhatThePeerReads() throws {
        let (server, port) = try startExecServer(["-v", "-c", "echo done; exec >&- <&-; sleep 5"])
        let client = try execPeer(["talk", port, "", "--keep-sending"])
        try client.expectCleanExit()
        #expect(client.standardOutputText == "done\n")
        let seconds = try #require(Double(client.standardError.split(separator: "\n").last?.split(separator: " ").last ?? ""))
        #expect(seconds < 2, "end of file came after \(seconds) s")
        // The peer then closed too: the connection is over, and the child still running is ended.
        try server.waitForError(containing: "killed by signal TERM")
        try server.expectCleanExit()
    }

    @Test func aChildThatClosesStdoutAndExitsLaterEndsThePeersInputThen() throws {
        let (server, port) = try startExecServer(["-c", "echo done; exec >&-; sleep 1"])
        let client = try execPeer(["talk", port, "", "--keep-sending"])
        try client.expectCleanExit()
        #expect(client.standardOutputText == "done\n")
        try server.expectCleanExit()
    }

    // MARK: Many children

    @Test func keepOpenServesThreeChildrenAtOnce() throws {
        let (server, endpoint) = try startSwncServer(["-e", "/bin/cat", "-lk", "0"], serving: .tcp)
        try echoInTurns(.python, clients: 3, at: endpoint)
        #expect(server.process.isRunning, "stderr: \(server.standardError)")
    }

    @Test func noZombiesAfterTwoHundredConnections() throws {
        let (server, port) = try startExecServer(["-c", "echo x"], keepOpen: true)
        let client = try execPeer(["sequential", port, "200", "x\n"])
        try client.expectCleanExit(timeout: 120)
        #expect(client.standardOutputText == "OK 200\n")
        // The last child may still be being reaped: its connection can close first.
        let deadline = Date(timeIntervalSinceNow: 5)
        while try !children(of: server.pid).isEmpty, Date() < deadline { usleep(20_000) }
        #expect(try children(of: server.pid) == [], "stderr: \(server.standardError)")
        #expect(server.process.isRunning)
    }

    // MARK: Programs that cannot run, children that end

    @Test(arguments: [
        ("/nonexistent/program", "No such file or directory"),
        ("swnc-test-no-such-program", "No such file or directory"),
        ("{not executable}", "Permission denied"),
        ("/tmp", "Permission denied"),
    ])
    func aProgramThatCannotRunIsOneErrorBeforeListening(program: String, reason: String) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plainFile = directory.appendingPathComponent("plain").path
        try "echo never run\n".write(toFile: plainFile, atomically: true, encoding: .utf8)
        chmod(plainFile, 0o644)
        let program = program == "{not executable}" ? plainFile : program
        let server = try Spawned(swnc: ["-v", "-e", program, "-l", "0"])
        #expect(try server.waitForExit() == 1)
        #expect(server.standardError == "swnc: cannot run \(program): \(reason)\n")
    }

    /// Out of descriptors (ulimit -n 10 leaves room for one child): the next peer is closed
    /// at once with a -v line, and is served again once the first has left.
    @Test func aChildThatCannotStartEndsItsConnectionOnly() throws {
        let server = try Spawned("/bin/sh", ["-c", #"ulimit -n 10; exec "$0" -v -c cat -lk 127.0.0.1 0"#, Paths.swnc])
        let port = String(try server.waitForPort())
        let first = try Spawned(swnc: ["-N", "127.0.0.1", port])
        try first.sayAndHearBack("first")
        let refused = try execPeer(["talk", port, ""])
        try refused.expectCleanExit()
        #expect(refused.standardOutputText == "")
        try server.waitForError(containing: "swnc: cannot run /bin/sh: Too many open files")
        first.closeInput()
        try first.expectCleanExit()
        // The first child's descriptors go once it is reaped, which may follow its connection's end.
        var output = ""
        for _ in 1...20 where output.isEmpty {
            let later = try execPeer(["talk", port, "third\n"])
            try later.expectCleanExit()
            output = later.standardOutputText
            if output.isEmpty { usleep(200_000) }
        }
        #expect(output == "third\n")
        #expect(server.process.isRunning, "stderr: \(server.standardError)")
    }

    /// Found and executable at start, but refused by execve(2) (no #! line, not ELF): the
    /// connection closes with one warning, and the listener goes on.
    @Test func aProgramThatExecveRefusesEndsItsConnectionOnly() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = directory.appendingPathComponent("garbage").path
        try "not a program\n".write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        let (server, port) = try startExecServer(["-e", program], keepOpen: true)
        for _ in 1...2 {
            // Sending nothing: swnc may close before reading, and unread bytes would make it a reset.
            let client = try execPeer(["talk", port, ""])
            try client.expectCleanExit()
            #expect(client.standardOutputText == "")
        }
        _ = try server.waitForError(containing: "swnc: cannot run \(program): Exec format error")
        #expect(server.process.isRunning, "stderr: \(server.standardError)")
    }

    @Test func aChildStillRunningWhenThePeerLeavesGetsSIGTERM() throws {
        let (server, port) = try startExecServer(["-v", "-c", "exec sleep 30"], keepOpen: true)
        let client = try execPeer(["reset", port, "0.5"])
        try client.expectCleanExit()
        let line = try server.waitForError(containing: "killed by signal TERM", timeout: 3)
        let pid = try #require(childPID(in: line))
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
        #expect(server.process.isRunning, "a -k listener outlives its children; stderr: \(server.standardError)")
    }

    @Test func aChildIgnoringSIGTERMGetsSIGKILLTwoSecondsLater() throws {
        let (server, port) = try startExecServer(["-v", "-c", "trap '' TERM; exec sleep 30"])
        let started = Date()
        let client = try execPeer(["reset", port, "0.3"])
        try client.expectCleanExit()
        try server.waitForError(containing: "killed by signal KILL", timeout: 5)
        #expect(Date().timeIntervalSince(started) >= 2)
        try server.expectCleanExit()
    }

    @Test(arguments: [("exit 3", "exited with status 3"), ("kill -USR1 $$", "killed by signal USR1")])
    func aChildsFailureIsReportedButNotSwncsExitStatus(command: String, report: String) throws {
        let (server, port) = try startExecServer(["-v", "-c", command])
        let client = try execPeer(["talk", port, ""])
        try client.expectCleanExit()
        try server.expectCleanExit()
        let line = try #require(server.standardError.split(separator: "\n").first { $0.hasPrefix("Child ") })
        #expect(childPID(in: String(line)) != nil && line.hasSuffix(" \(report)"), "\(line)")
    }

    @Test func aChildThatExitsWithZeroIsNotReported() throws {
        let (server, port) = try startExecServer(["-v", "-c", "echo fine"])
        let client = try execPeer(["talk", port, ""])
        try client.expectCleanExit()
        try server.expectCleanExit()
        #expect(!server.standardError.contains("Child "), "\(server.standardError)")
    }

    // MARK: Client mode, UDP

    @Test func inClientModeTheChildTalksToTheServer() throws {
        let (peer, port) = try startPythonPeer("exec_peer.py", ["serve-once"])
        let client = try Spawned(swnc: ["-e", "/bin/cat", "127.0.0.1", String(port)])
        try peer.waitForOutputLine(startingWith: "GOT ")
        #expect(peer.standardOutputText.hasSuffix("GOT ping\n"))
        try client.expectCleanExit()
    }

    @Test func aUDPListenersChildGetsEachDatagramWhole() throws {
        let (server, endpoint) = try startSwncServer(["-e", "/bin/cat", "-lu", "0"], serving: .udp)
        let client = try execPeer(["datagrams", String(endpoint.port ?? 0), "100", "2000", "1", "30000"])
        try client.expectCleanExit()
        #expect(client.standardOutputText == "100 2000 1 30000\n")
        #expect(server.process.isRunning, "stderr: \(server.standardError)")
    }

    /// `-kul -e`: a child per sender, each datagram whole both ways (a SOCK_SEQPACKET pair).
    @Test func aKeepOpenUDPListenerRunsAChildPerSender() throws {
        let (server, endpoint) = try startSwncServer(["-k", "-c", "echo $$; exec cat", "-lu", "127.0.0.1", "0"], serving: .udp)
        let senders = try Spawned(Paths.python, [Paths.peer("udp_exec_senders.py"), String(endpoint.port ?? 0), "100", "30000", "1"])
        try senders.expectCleanExit()
        #expect(senders.standardOutputText == "pids differ\n100 30000 1 100 30000 1\n")
        #expect(server.standardError.components(separatedBy: "Connection received on ").count - 1 == 2,
                "stderr: \(server.standardError)")
        server.process.terminate()
    }

    // MARK: ncat's scripts

    @Test(.enabled(if: Paths.which("ncat") != nil, "ncat is not installed"))
    func aScriptWrittenForNcatGivesTheSameBytesUnderSwnc() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("greet.sh").path
        try "#!/bin/sh\necho \"hello $NCAT_REMOTE_ADDR\"\nread line\necho \"you said: $line\"\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)

        let ncatPort = String(try unusedPort())
        let ncat = try Spawned(Paths.which("ncat") ?? "ncat", ["-l", "127.0.0.1", ncatPort, "-e", script])
        try waitUntilListening(on: ncatPort)
        // The peer keeps its sending side open: ncat ends the child when the peer half-closes.
        let ncatClient = try execPeer(["talk", ncatPort, "hi there\n", "--keep-sending"])
        try ncatClient.expectCleanExit()
        _ = try? ncat.waitForExit()

        let (swnc, swncPort) = try startExecServer(["-e", script])
        let swncClient = try execPeer(["talk", swncPort, "hi there\n", "--keep-sending"])
        try swncClient.expectCleanExit()
        try swnc.expectCleanExit()

        #expect(ncatClient.standardOutputText == "hello 127.0.0.1\nyou said: hi there\n")
        #expect(swncClient.standardOutput == ncatClient.standardOutput)
    }
}

/// swnc -v -l 0 (-lk with `keepOpen`) with `arguments`; returns it and its port.
private func startExecServer(_ arguments: [String], keepOpen: Bool = false) throws -> (Spawned, String) {
    let (server, endpoint) = try startSwncServer(arguments + [keepOpen ? "-lk" : "-l", "0"], serving: .tcp)
    return (server, String(endpoint.port ?? 0))
}

private func execPeer(_ arguments: [String]) throws -> Spawned {
    try Spawned(Paths.python, ["-u", Paths.peer("exec_peer.py")] + arguments)
}

/// The PID of a "Child PID ..." line.
private func childPID(in line: String) -> Int32? {
    let words = line.split(separator: " ")
    guard words.count > 2, words[0] == "Child" else { return nil }
    return Int32(words[1])
}

/// The PIDs of `pid`'s children, zombies included, from /proc.
private func children(of pid: Int32) throws -> [Int32] {
    let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
    return try tasks.flatMap { task in
        try String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)
            .split(separator: " ").compactMap { Int32($0) }
    }
}

/// Waits (at most 10 s) until a socket listens on 127.0.0.1 `port`. It reads /proc/net/tcp
/// rather than connecting: ncat -l without -k serves one connection only.
private func waitUntilListening(on port: String) throws {
    let hexPort = String(format: ":%04X", Int(port) ?? 0)
    let deadline = Date(timeIntervalSinceNow: 10)
    while Date() < deadline {
        let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
        // The local address column, in state 0A (LISTEN).
        if table.split(separator: "\n").contains(where: { $0.contains("0100007F\(hexPort) ") && $0.contains(" 0A ") }) { return }
        usleep(20_000)
    }
    throw SpawnError.timeout("ncat listening on port \(port)")
}
