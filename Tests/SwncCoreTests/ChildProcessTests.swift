import Foundation
import Glibc
import Testing
@testable import SwncCore

@Suite struct ChildProcessTests {
    @Test func bytesGoThroughCatAndBack() throws {
        let harness = try ChildHarness(argv: ["cat"])
        try harness.send("hello, child\n")
        harness.socket.shutdownSending()
        try harness.runUntilDone()
        #expect(harness.output == "hello, child\n")
        #expect(harness.status == .exited(0))
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(harness.child.pid)"))
    }

    @Test func childSeesTheConnectionInItsEnvironment() throws {
        let remote = try Resolver(numericOnly: true).addresses(of: "127.0.0.1", port: 5555, transport: .tcp)[0]
        let local = try Resolver(numericOnly: true).addresses(of: "::1", port: 80, transport: .tcp)[0]
        let script = #"echo "$SWNC_REMOTE_ADDR $SWNC_REMOTE_PORT $SWNC_LOCAL_ADDR $SWNC_LOCAL_PORT $SWNC_PROTO|"#
            + #"$NCAT_REMOTE_ADDR $NCAT_REMOTE_PORT $NCAT_LOCAL_ADDR $NCAT_LOCAL_PORT $NCAT_PROTO|"#
            + #"$HOME|$(env | grep -c ^HOME=)""#
        let environment = ChildProcess.environment(remote: remote, local: local, proto: "TCP") + [("HOME", "/nowhere")]
        let harness = try ChildHarness(argv: ExecCommand.shell(script), environment: environment)
        try harness.runUntilDone()
        #expect(harness.output == "127.0.0.1 5555 ::1 80 TCP|127.0.0.1 5555 ::1 80 TCP|/nowhere|1\n")
        #expect(harness.status == .exited(0))
    }

    @Test func unixAddressesHaveNoPortAndUnknownOnesAreLeftOut() throws {
        let local = try SocketAddress.unix(path: "/tmp/swnc.socket")
        let variables = ChildProcess.environment(remote: nil, local: local, proto: "UNIX").map { "\($0.0)=\($0.1)" }
        #expect(variables == ["SWNC_LOCAL_ADDR=/tmp/swnc.socket", "SWNC_PROTO=UNIX",
                              "NCAT_LOCAL_ADDR=/tmp/swnc.socket", "NCAT_PROTO=UNIX"])
    }

    @Test func stderrIsNotTheConnection() throws {
        let harness = try ChildHarness(argv: ExecCommand.shell("echo '(expected on stderr)' >&2; echo out"))
        try harness.runUntilDone()
        #expect(harness.output == "out\n")
        #expect(harness.status == .exited(0))
    }

    @Test func childStartsWithDefaultSignalsAndOnlyStandardDescriptors() throws {
        signal(SIGPIPE, SIG_IGN)  // as swnc does
        let inherited = open("/dev/null", O_RDONLY)  // without O_CLOEXEC
        defer { close(inherited) }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR1)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        let spawned = Result { try ChildHarness(argv: ["cat"]) }
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
        let harness = try spawned.get()

        let pid = harness.child.pid
        // spawn does not wait for the child's execve: look once it runs cat, for up to 2 s.
        for _ in 0..<200 where (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) != "cat\n" {
            usleep(10_000)
        }
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        #expect(signalMask("SigBlk", in: status) == 0)
        // The child cannot change glibc's internal signals 32 and 33, which stay ignored when
        // the parent catches them, as this multi-threaded test runner does (swnc does not).
        let glibcInternal: UInt64 = 1 << 31 | 1 << 32
        #expect(signalMask("SigIgn", in: status).map { $0 & ~glibcInternal } == 0)
        // Right after exec the dynamic loader may still hold a library open: look again, for
        // up to 2 s, until the program itself runs.
        var descriptors: [String] = []
        for _ in 0..<200 {
            descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").sorted()
            if descriptors == ["0", "1", "2"] { break }
            usleep(10_000)
        }
        #expect(descriptors == ["0", "1", "2"])

        harness.socket.shutdownSending()
        try harness.runUntilDone()
        #expect(harness.status == .exited(0))
    }

    @Test func exitStatusAndKillingSignalAreReported() throws {
        let exited = try ChildHarness(argv: ExecCommand.shell("exit 3"))
        try exited.runUntilDone()
        #expect(exited.status == .exited(3))
        #expect(exited.status?.description == "exited with status 3")

        let killed = try ChildHarness(argv: ExecCommand.shell("kill -TERM $$"))
        try killed.runUntilDone()
        #expect(killed.status == .killed(signal: SIGTERM))
        #expect(killed.status?.description == "killed by signal TERM")
    }

    @Test func waitStatusBitsAndUnnamedSignals() {
        #expect(ChildProcess.ExitStatus(waitStatus: 0x0300) == .exited(3))
        #expect(ChildProcess.ExitStatus(waitStatus: 0) == .exited(0))
        #expect(ChildProcess.ExitStatus(waitStatus: SIGKILL) == .killed(signal: SIGKILL))
        #expect(ChildProcess.ExitStatus.killed(signal: SIGKILL).description == "killed by signal KILL")
        #expect(ChildProcess.ExitStatus.killed(signal: SIGPIPE).description == "killed by signal PIPE")
        #expect(ChildProcess.ExitStatus.killed(signal: 99).description == "killed by signal 99")
    }

    @Test func terminateEndsAChildWithSIGTERM() throws {
        let harness = try ChildHarness(argv: ["cat"])
        harness.child.terminate()
        harness.child.terminate()
        try harness.runUntilDone()
        #expect(harness.status == .killed(signal: SIGTERM))
        harness.child.terminate()  // after the exit: nothing to signal
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(harness.child.pid)"))
    }

    @Test func terminateKillsAChildThatIgnoresSIGTERMAfterTwoSeconds() throws {
        let harness = try ChildHarness(argv: ExecCommand.shell(#"trap "" TERM; echo ready; exec sleep 30"#))
        let clock = ContinuousClock()
        var terminatedAt: ContinuousClock.Instant?
        harness.onRead = { _ in
            guard terminatedAt == nil else { return }
            terminatedAt = clock.now
            harness.child.terminate()
        }
        try harness.runUntilDone(limit: .seconds(6))
        let elapsed = clock.now - (terminatedAt ?? clock.now)
        #expect(harness.output == "ready\n")
        #expect(harness.status == .killed(signal: SIGKILL))
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(3))
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(harness.child.pid)"))
    }

    @Test func withoutPidfdTheExitIsFoundByPolling() throws {
        let harness = try ChildHarness(argv: ExecCommand.shell("echo polled; exit 7"), pollingForExit: true)
        try harness.runUntilDone()
        #expect(harness.output == "polled\n")
        #expect(harness.status == .exited(7))
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(harness.child.pid)"))
    }

    @Test func terminateWhilePollingStillKillsAChildThatIgnoresSIGTERM() throws {
        let harness = try ChildHarness(argv: ExecCommand.shell(#"trap "" TERM; echo ready; exec sleep 30"#), pollingForExit: true)
        harness.onRead = { _ in harness.child.terminate() }
        try harness.runUntilDone(limit: .seconds(6))
        #expect(harness.status == .killed(signal: SIGKILL))
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(harness.child.pid)"))
    }

    @Test func seqpacketKeepsEachWriteOneMessage() throws {
        let harness = try ChildHarness(argv: ExecCommand.shell("printf one; printf two"), type: Int32(SOCK_SEQPACKET.rawValue))
        try harness.runUntilDone()
        #expect(harness.reads.map { String(decoding: $0, as: UTF8.self) } == ["one", "two"])
        #expect(harness.status == .exited(0))
    }

    @Test func programsThatCannotBeFoundAreFailures() throws {
        #expect(thrownFailure { try ChildHarness(argv: ["/nonexistent/program"]) }
            == "cannot run /nonexistent/program: No such file or directory")
    }

    /// Found and executable, but refused by execve(2) itself: the child says why before it
    /// exits 127, and swnc never waits for its execve.
    @Test func aProgramThatExecveRefusesIsAStartFailure() throws {
        let directory = try ProgramDirectory()
        try directory.file("garbage", mode: 0o755, contents: "not a program\n")
        let harness = try ChildHarness(argv: [directory.path + "/garbage"])
        try harness.runUntilDone()
        #expect(harness.status == .exited(127))
        #expect(harness.child.startFailure == Errno(ENOEXEC))
        #expect(harness.output == "")
    }

    @Test func aProgramThatRunsHasNoStartFailure() throws {
        let harness = try ChildHarness(argv: ExecCommand.shell("exit 127"))
        try harness.runUntilDone()
        #expect(harness.status == .exited(127))
        #expect(harness.child.startFailure == nil)
    }
}

/// A signal mask line of /proc/PID/status, e.g. "SigIgn:\t0000000000001000".
private func signalMask(_ name: String, in status: String) -> UInt64? {
    status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
        .flatMap { UInt64($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
}

/// One child on a socketpair, on an event loop of its own: collects what the child writes
/// (each read apart, so that message boundaries show) and how it ended.
final class ChildHarness {
    let loop: EventLoop
    let socket: Socket
    private(set) var child: ChildProcess!
    private(set) var reads: [[UInt8]] = []
    private(set) var status: ChildProcess.ExitStatus?
    private var watch: EventLoop.Watch?
    /// Called with each read, from the loop.
    var onRead: ([UInt8]) -> Void = { _ in }

    var output: String { String(decoding: reads.joined(), as: UTF8.self) }

    init(argv: [String], type: Int32 = Int32(SOCK_STREAM.rawValue), environment: [(String, String)] = [],
         pollingForExit: Bool = false) throws {
        loop = try EventLoop()
        let pair = try ChildProcess.connectionPair(type: type)
        socket = pair.swnc
        defer { pair.child.close() }
        do {
            child = try ChildProcess.spawn(argv: argv, connection: pair.child, environment: environment, loop: loop,
                                           pollingForExit: pollingForExit) {
                [unowned self] status in
                self.status = status
                stopWhenDone()
            }
        } catch {
            socket.close()
            throw error
        }
        let watch = try loop.watch(socket.descriptor, onReady: { [unowned self] _ in readSome() })
        watch.reading = true
        self.watch = watch
    }

    deinit {
        if let watch { loop.remove(watch) }
        socket.close()
    }

    func send(_ text: String) throws {
        let written = try Array(text.utf8).withUnsafeBytes { try socket.send($0) }
        #expect(written == text.utf8.count)
    }

    /// Runs the loop until the child has been reaped and its output has ended.
    func runUntilDone(limit: Duration = .seconds(5)) throws {
        let timeout = loop.schedule(after: limit) { [loop] in loop.fail(Failure("child still running after \(limit)")) }
        defer { loop.cancel(timeout) }
        try loop.run()
    }

    private func readSome() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        do {
            guard let count = try buffer.withUnsafeMutableBytes({ try socket.descriptor.read(into: $0) }) else { return }
            if count == 0 {
                if let watch { loop.remove(watch) }
                watch = nil
                stopWhenDone()
                return
            }
            reads.append(Array(buffer[..<count]))
            onRead(reads[reads.count - 1])
        } catch {
            loop.fail(error)
        }
    }

    private func stopWhenDone() {
        if status != nil, watch == nil { loop.stop() }
    }
}
