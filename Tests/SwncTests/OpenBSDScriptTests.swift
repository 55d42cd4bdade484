import Foundation
import Testing

/// Issue 9's "scripts that break today": each command line as a script runs it, against both
/// swnc and nc.openbsd (the reference: same output, same exit status) where nc.openbsd gets it
/// right, and against swnc alone where nc.openbsd has a wart that SPEC says swnc does not copy.
@Suite(.enabled(if: NetcatOpenBSD.path != nil, "nc.openbsd is not installed (Debian package netcat-openbsd)"))
struct OpenBSDScriptTests {
    typealias Program = InteropTests.Program
    static let peer = "openbsd_flags_peer.py"

    private func executable(_ program: Program) -> String { program == .swnc ? Paths.swnc : (NetcatOpenBSD.path ?? "") }

    /// stderr with the program's name taken out, to compare the two programs' words.
    private func words(_ errors: String, _ program: Program) -> String {
        errors.replacingOccurrences(of: program == .swnc ? "swnc: " : "nc.openbsd: ", with: "")
    }

    /// The statsd one-liner: -w 0 sends what stdin holds and exits, listener or not. (stdin is
    /// a file, so that it holds the line from the start, as printf's pipe mostly does.)
    @Test(arguments: Program.allCases)
    func statsdOneLinerWithWaitZero(_ program: Program) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let line = directory.appendingPathComponent("line")
        try Data("x:1|c\n".utf8).write(to: line)
        let (recorder, port) = try startPythonPeer(Self.peer, ["record-udp", "1"])
        let client = try program.start(["-u", "-w0", "127.0.0.1", String(port)], standardInput: try FileHandle(forReadingFrom: line))
        #expect(try client.waitForExit(timeout: 5) == 0)
        #expect(try recorder.waitForOutputLine(startingWith: "D ").hasSuffix(" 783a317c630a"))
        let nobody = try program.start(["-u", "-w0", "127.0.0.1", String(try unusedPort())],
                                       standardInput: try FileHandle(forReadingFrom: line))
        #expect(try nobody.waitForExit(timeout: 5) == 0)
    }

    /// `printf ruok | nc -q0 host port` prints the reply.
    @Test(arguments: Program.allCases)
    func quitZeroWaitsForTheReply(_ program: Program) throws {
        let (server, port) = try startPythonPeer(Self.peer, ["reply"])
        defer { server.signal(SIGKILL) }
        let client = try program.start(["-q0", "127.0.0.1", String(port)])
        try client.write("ruok")
        client.closeInput()
        #expect(try client.waitForExit() == 0)
        #expect(client.standardOutputText == "imok")
    }

    /// A reset after all the data arrived: the data is written, exit 0.
    @Test(arguments: Program.allCases)
    func resetAfterAllDataIsNotAFailure(_ program: Program) throws {
        let (server, port) = try startPythonPeer(Self.peer, ["reset"])
        defer { server.signal(SIGKILL) }
        let client = try program.start(["127.0.0.1", String(port)])
        defer { client.closeInput() }
        #expect(try client.waitForExit() == 0)
        #expect(client.standardOutputText == "data")
    }

    /// `nc host port | head -c 10`: stops quietly when head has what it wants.
    @Test(arguments: Program.allCases)
    func stdoutClosedByItsReaderIsQuiet(_ program: Program) throws {
        let (server, port) = try startPythonPeer(Self.peer, ["flood"])
        defer { server.signal(SIGKILL) }
        let shell = try Spawned("/bin/bash", ["-c", "\"$0\" 127.0.0.1 \(port) < /dev/null | head -c 10 > /dev/null; echo ${PIPESTATUS[0]}",
                                              executable(program)])
        #expect(try shell.waitForExit() == 0)
        #expect(shell.standardOutputText == "0\n")
        #expect(shell.standardError == "")
    }

    /// UDP to a port nobody listens on, with -w1: exit 0.
    @Test(arguments: Program.allCases)
    func datagramsToNobodyAreNotAFailure(_ program: Program) throws {
        let client = try program.start(["-u", "-w1", "127.0.0.1", String(try unusedPort())])
        try client.write("x")
        client.closeInput()
        #expect(try client.waitForExit() == 0)
    }

    /// Ports: a service name with a hyphen, a reversed range, a service name with -n: the same
    /// words and status as nc.openbsd.
    @Test(arguments: Program.allCases)
    func portOperandsAsOpenBSDReadsThem(_ program: Program) throws {
        let ports = try ReservedPorts(count: 5)
        try ports.open(2)
        let reversed = "\(ports.ports[4])-\(ports.ports[0])"
        let cases: [[String]] = [["-zv", "127.0.0.1", "http-alt"], ["-zvn", "127.0.0.1", reversed], ["-zvn", "127.0.0.1", "http"]]
        for arguments in cases {
            let run = try program.start(arguments, standardInput: FileHandle.nullDevice)
            let status = try run.waitForExit()
            let reference = try Program.netcat.start(arguments, standardInput: FileHandle.nullDevice)
            #expect(status == (try reference.waitForExit()), "\(arguments)")
            #expect(words(run.standardError, program) == words(reference.standardError, .netcat), "\(arguments)")
        }
    }

    /// -zvn shows `[tcp/*]`, -zv the service name.
    @Test(arguments: Program.allCases)
    func numericProbeShowsNoServiceName(_ program: Program) throws {
        let (server, port) = try startPythonPeer(Self.peer, ["named-port"])
        defer { server.signal(SIGKILL) }
        let numeric = try program.start(["-zvn", "127.0.0.1", String(port)], standardInput: FileHandle.nullDevice)
        #expect(try numeric.waitForExit() == 0)
        #expect(words(numeric.standardError, program) == "Connection to 127.0.0.1 \(port) port [tcp/*] succeeded!\n")
        let named = try program.start(["-zv", "127.0.0.1", String(port)], standardInput: FileHandle.nullDevice)
        #expect(try named.waitForExit() == 0)
        let service = serviceName(ofPort: port, transport: "tcp")
        #expect(named.standardError == "Connection to 127.0.0.1 \(port) port [tcp/\(service)] succeeded!\n")
    }

    /// -zU: 0 when something listens, 1 when the file is missing or nobody listens.
    @Test(arguments: Program.allCases)
    func probeUnixSocket(_ program: Program) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("live.sock").path
        let server = try startPythonPeer("unix_echo.py", listeningOn: path)
        defer { server.signal(SIGKILL) }
        let live = try program.start(["-zU", path], standardInput: FileHandle.nullDevice)
        #expect(try live.waitForExit() == 0)
        let missing = try program.start(["-zU", directory.appendingPathComponent("missing.sock").path], standardInput: FileHandle.nullDevice)
        #expect(try missing.waitForExit() == 1)
        #expect(missing.standardError.contains("No such file or directory"))
    }

    /// `-l -p 0`: an ephemeral port, like `-l 0`.
    @Test(arguments: Program.allCases)
    func listenOnPortZeroWithP(_ program: Program) throws {
        let listener = try program.start(["-v", "-l", "-p", "0"], standardInput: FileHandle.nullDevice)
        let port = try listener.waitForPort()
        #expect(port != 0)
        let client = try Spawned(Paths.python, [Paths.peer("client.py"), "tcp", "127.0.0.1", String(port), "send:hi"])
        #expect(try client.waitForExit() == 0)
        try listener.waitForOutput(count: 3)
        #expect(listener.standardOutputText == "hi\n")
        listener.signal(SIGKILL)
        _ = try listener.waitForExit()
    }

    /// 200 kB over UDP to `nc.openbsd -lu` arrive whole: datagrams of at most 16384 bytes.
    @Test(arguments: Program.allCases)
    func udpDatagramsFitOpenBSDsReceiver(_ program: Program) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let file = directory.appendingPathComponent("200k.bin")
        try data.write(to: file)
        let receiver = try Program.netcat.start(["-v", "-u", "-l", "127.0.0.1", "0"], standardInput: FileHandle.nullDevice)
        defer { receiver.signal(SIGKILL) }
        let port = try receiver.waitForPort()
        let sender = try program.start(["-u", "-w", "1", "127.0.0.1", String(port)], standardInput: try FileHandle(forReadingFrom: file))
        #expect(try sender.waitForExit() == 0)
        try receiver.waitForOutput(count: data.count, timeout: 5)
        #expect(receiver.standardOutput == data)
    }

    // MARK: swnc alone: nc.openbsd has the wart

    /// `-l -s ADDR P1 P2` is a usage error (nc.openbsd binds 0.0.110.40).
    @Test func listenWithSourceAndTwoOperandsIsAUsageError() throws {
        let run = try runSwnc(["-l", "-s", "127.0.0.1", "28200", "28201"])
        #expect(run.status == 1)
        #expect(run.errorLines.first == "swnc: cannot use -s with -l and an address")
        #expect(run.errorLines.dropFirst().first?.hasPrefix("usage: swnc") == true)
    }

    /// SIGHUP removes the -lU socket file, as SIGINT and SIGTERM do.
    @Test func hangUpRemovesTheSocketFile() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("hup.sock").path
        let listener = try Spawned(swnc: ["-v", "-lU", path])
        _ = try listener.waitForError(containing: "Listening on")
        #expect(FileManager.default.fileExists(atPath: path))
        listener.signal(SIGHUP)
        #expect(try listener.waitForExit() == 128 + SIGHUP)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// stdin that is a directory: one error line, exit 1 (nc.openbsd spins on it).
    @Test func stdinThatIsADirectoryIsOneError() throws {
        let (server, port) = try startPythonPeer(Self.peer, ["hold"])
        defer { server.signal(SIGKILL) }
        let client = try Spawned(swnc: ["127.0.0.1", String(port)], standardInput: FileHandle(forReadingAtPath: "/") as Any)
        #expect(try client.waitForExit() == 1)
        #expect(client.standardError == "swnc: read from stdin failed: Is a directory\n")
    }

    /// A -U -u client without -s binds /tmp/swnc.XXXXXXXXXX, gets the reply, removes the file.
    @Test func unixDatagramClientBindsATemporarySocket() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("echo.sock").path
        let server = try Spawned(swnc: ["-v", "--echo", "-lUu", path], standardInput: FileHandle.nullDevice)
        defer { server.signal(SIGKILL) }
        _ = try server.waitForError(containing: "Bound on")
        let client = try Spawned(swnc: ["-v", "-Uu", path])
        try client.write("ping")
        let bound = try client.waitForError(containing: "Bound on /tmp/swnc.")
        let temporary = String(bound.dropFirst("Bound on ".count))
        #expect(temporary.count == "/tmp/swnc.".count + 10)
        try client.waitForOutput(count: 4)
        #expect(client.standardOutputText == "ping")
        var status = stat()
        #expect(lstat(temporary, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        client.signal(SIGTERM)
        _ = try client.waitForExit()
        #expect(!FileManager.default.fileExists(atPath: temporary))
    }

    /// Abstract `@name` sockets: stream and datagram, no file made or removed.
    @Test(arguments: ["", "u"])
    func abstractUnixSockets(_ datagram: String) throws {
        let name = "@swnc-test-\(getpid())-\(datagram)\(UInt32.random(in: 0...UInt32.max))"
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let listener = try Spawned(swnc: ["-v", "-lU\(datagram)", name], standardInput: FileHandle.nullDevice, directory: directory)
        defer { listener.signal(SIGKILL) }
        _ = try listener.waitForError(containing: "Bound on \(name)")
        let client = try Spawned(swnc: ["-N", "-U\(datagram)", name], directory: directory)
        try client.write("over\n")
        try listener.waitForOutput(count: 5)
        #expect(listener.standardOutputText == "over\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
        client.signal(SIGTERM)  // the datagram client's temporary socket file goes with it
        #expect(try client.waitForExit() == 128 + SIGTERM)
    }

    /// Host names in the listener's lines, as nc.openbsd shows them; numbers with -n.
    @Test(arguments: Program.allCases)
    func listenerLinesShowHostNames(_ program: Program) throws {
        for (arguments, shown) in [(["-l", "localhost", "0"], "localhost"), (["-l", "127.0.0.1", "0"], "localhost"),
                                   (["-ln", "127.0.0.1", "0"], "127.0.0.1"), (["-l", "-4", "0"], "0.0.0.0")] {
            let listener = try program.start(["-v"] + arguments, standardInput: FileHandle.nullDevice)
            let port = try listener.waitForPort()
            #expect(listener.standardError == "Listening on \(shown) \(port)\n", "\(arguments)")
            let client = try Spawned(Paths.python, [Paths.peer("client.py"), "tcp", "127.0.0.1", String(port), "send:x"])
            _ = try client.waitForExit()
            _ = try listener.waitForError(containing: "Connection received on")
            #expect(listener.standardError.split(separator: "\n").last?.hasPrefix(
                arguments.contains("-ln") ? "Connection received on 127.0.0.1 " : "Connection received on localhost ") == true, "\(arguments)")
            listener.signal(SIGKILL)
            _ = try listener.waitForExit()
        }
    }
}
