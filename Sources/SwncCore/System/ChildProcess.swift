import CSwncSystem
import Glibc

/// A program run for one connection (-e / -c): forked (the loop never waits for its execve)
/// on one end of a socketpair, reaped on the event loop (a pidfd, no thread, no SIGCHLD handler).
///
/// The object stays alive, and its child watched, until the child is reaped, even when the
/// caller lets go of it: every child is reaped exactly once.
public final class ChildProcess {
    /// How a child ended.
    public enum ExitStatus: Equatable, CustomStringConvertible {
        case exited(Int32)
        case killed(signal: Int32)

        /// From a wait status (the bits WIFEXITED and WTERMSIG read, which Swift does not import).
        init(waitStatus: Int32) {
            let signal = waitStatus & 0x7f
            self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .killed(signal: signal)
        }

        /// "exited with status 3", "killed by signal TERM" (the number for signals without a name).
        public var description: String {
            switch self {
            case .exited(let code):
                return "exited with status \(code)"
            case .killed(let signal):
                return "killed by signal \(swnc_signal_name(signal).map { String(cString: $0) } ?? String(signal))"
            }
        }
    }

    public let pid: pid_t
    /// How the child ended; nil while it runs.
    public private(set) var status: ExitStatus?

    private let loop: EventLoop
    private var onExit: ((ExitStatus) -> Void)?
    /// The pidfd's watch; nil when pidfd_open failed and exitPoll stands in for it.
    private var exitWatch: EventLoop.Watch?
    private var exitPoll: EventLoop.TimerID?
    private var killTimer: EventLoop.TimerID?
    private var terminating = false
    /// The read end of the pipe on which the child reports a failed execve.
    private var execFailure: FileDescriptor?
    /// Why execve(2) refused the program (the child then exited 127); nil once it ran.
    public private(set) var startFailure: Errno?

    /// How long a child may outlive SIGTERM before SIGKILL.
    static let killDelay = Duration.seconds(2)
    /// How often waitpid(2) asks, on kernels without pidfd_open (before 5.3) or where a
    /// seccomp filter refuses it.
    static let pollInterval = Duration.milliseconds(100)

    private init(pid: pid_t, loop: EventLoop, onExit: @escaping (ExitStatus) -> Void) {
        self.pid = pid
        self.loop = loop
        self.onExit = onExit
    }

    /// A socketpair for a child: swnc's end non-blocking, the child's end blocking (programs
    /// expect blocking stdin and stdout). Both close-on-exec: spawn gives the child its end as
    /// 0 and 1. `type` is SOCK_STREAM, or SOCK_SEQPACKET / SOCK_DGRAM to keep datagrams apart.
    public static func connectionPair(type: Int32) throws -> (swnc: Socket, child: FileDescriptor) {
        var ends: [Int32] = [-1, -1]
        _ = try retryingOnInterrupt { socketpair(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) }
        let swnc = FileDescriptor(ends[0])
        do {
            try swnc.setStatusFlags(O_RDWR | O_NONBLOCK)  // a new socket's flags: one fcntl, not two
        } catch {
            swnc.close()
            FileDescriptor(ends[1]).close()
            throw error
        }
        return (Socket(adopting: swnc), FileDescriptor(ends[1]))
    }

    /// Runs `argv` (argv[0] found as `ExecCommand.resolve` finds it, or at `path` when the
    /// caller has resolved it already) with `connection` as its stdin and stdout and swnc's
    /// stderr as its stderr; no other descriptor of swnc's reaches it. It starts with every
    /// signal at its default and none blocked (swnc ignores SIGPIPE, and an ignored signal stays
    /// ignored across exec). Its environment is swnc's with `additions` put in (replacing
    /// variables of the same name).
    ///
    /// `connection` must be blocking (it is the child's alone); the caller closes its copy
    /// after this returns, so that the child's exit is the end of the stream. `onExit` is called
    /// once, from the loop, when the child has been reaped; a program that execve(2) refused
    /// then has `startFailure`.
    public static func spawn(argv: [String], path: String? = nil, connection: FileDescriptor,
                             environment additions: [(String, String)],
                             loop: EventLoop, onExit: @escaping (ExitStatus) -> Void) throws -> ChildProcess {
        try spawn(argv: argv, path: path, connection: connection, environment: additions, loop: loop,
                  pollingForExit: false, onExit: onExit)
    }

    /// `spawn`, which tests ask to poll for the exit as it does where pidfd_open fails.
    static func spawn(argv: [String], path: String? = nil, connection: FileDescriptor,
                      environment additions: [(String, String)],
                      loop: EventLoop, pollingForExit: Bool, onExit: @escaping (ExitStatus) -> Void) throws -> ChildProcess {
        guard let program = argv.first else { throw Failure("empty -e command") }
        let path = try path ?? ExecCommand.resolve(program)
        _ = keepChildrenToReap
        var failure: Int32 = -1
        let result = withCStrings(argv) { arguments in
            withEnvironment(adding: additions) { variables in
                swnc_spawn(path, arguments, variables, connection.rawValue, &failure)
            }
        }
        // fork's error (EAGAIN past ulimit -u, ENOMEM), or the pipe's (EMFILE).
        guard result > 0 else { throw ExecCommand.cannotRun(program, Errno(-result)) }
        let child = ChildProcess(pid: result, loop: loop, onExit: onExit)
        child.execFailure = FileDescriptor(failure)
        child.watchForExit(polling: pollingForExit)
        return child
    }

    /// An ignored SIGCHLD (inherited across exec) would make the kernel reap children itself,
    /// and their status would be lost; set once, at the first spawn.
    private static let keepChildrenToReap: Void = { signal(SIGCHLD, SIG_DFL) }()

    /// SIGTERM now, SIGKILL `killDelay` later if the child is still there. Idempotent; nothing
    /// once the child has been reaped.
    public func terminate() {
        guard status == nil, !terminating else { return }
        terminating = true
        // The pid cannot belong to another process yet: only reap() frees it.
        kill(pid, SIGTERM)
        killTimer = loop.schedule(after: Self.killDelay) { [self] in
            killTimer = nil
            kill(pid, SIGKILL)
        }
    }

    private func watchForExit(polling: Bool) {
        guard !polling, let pidfd = try? retryingOnInterrupt({ swnc_pidfd_open(pid) }) else {
            pollForExit()
            return
        }
        guard let watch = try? loop.watch(FileDescriptor(pidfd), onReady: { [self] _ in reap() }) else {
            close(pidfd)
            pollForExit()
            return
        }
        watch.reading = true
        exitWatch = watch
    }

    private func pollForExit() {
        exitPoll = loop.schedule(after: Self.pollInterval) { [self] in
            exitPoll = nil
            reap()
            if status == nil { pollForExit() }
        }
    }

    private func reap() {
        var waitStatus: Int32 = 0
        let result = waitpid(pid, &waitStatus, WNOHANG)
        if result == 0 || (result < 0 && errno == EINTR) { return }
        // Only ECHILD fails: reaped elsewhere, which swnc never does; the status is unknown.
        finish(result == pid ? ExitStatus(waitStatus: waitStatus) : .exited(0))
    }

    private func finish(_ status: ExitStatus) {
        self.status = status
        if let execFailure {
            var error: Int32 = 0
            if status == .exited(127), (try? withUnsafeMutableBytes(of: &error) { try execFailure.read(into: $0) }) == 4 {
                startFailure = Errno(error)
            }
            execFailure.close()
            self.execFailure = nil
        }
        if let exitWatch {
            loop.remove(exitWatch)
            exitWatch.descriptor.close()
            self.exitWatch = nil
        }
        loop.cancel(exitPoll)
        loop.cancel(killTimer)
        exitPoll = nil
        killTimer = nil
        let onExit = self.onExit
        self.onExit = nil
        onExit?(status)
    }
}

/// Calls `body` with `strings` as a NULL-terminated array of C strings (argv, envp).
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
