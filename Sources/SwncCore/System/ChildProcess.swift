import CSwncSystem
import Glibc

/// A program run for one connection (-e / -c): spawned with posix_spawn(3) on one end of a
/// socketpair, reaped on the event loop (a pidfd, no thread, no SIGCHLD handler).
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
            try swnc.setStatusFlags(swnc.statusFlags() | O_NONBLOCK)
        } catch {
            swnc.close()
            FileDescriptor(ends[1]).close()
            throw error
        }
        return (Socket(adopting: swnc), FileDescriptor(ends[1]))
    }

    /// Runs `argv` (argv[0] found as `ExecCommand.resolve` finds it) with `connection` as its
    /// stdin and stdout and swnc's stderr as its stderr; no other descriptor of swnc's reaches
    /// it. It starts with every signal at its default and none blocked (swnc ignores SIGPIPE,
    /// and an ignored signal stays ignored across exec). Its environment is swnc's with
    /// `additions` put in (replacing variables of the same name).
    ///
    /// `connection` is made blocking (it is the child's alone); the caller closes its copy
    /// after this returns, so that the child's exit is the end of the stream. `onExit` is called
    /// once, from the loop, when the child has been reaped.
    public static func spawn(argv: [String], connection: FileDescriptor, environment additions: [(String, String)],
                             loop: EventLoop, onExit: @escaping (ExitStatus) -> Void) throws -> ChildProcess {
        try spawn(argv: argv, connection: connection, environment: additions, loop: loop, pollingForExit: false, onExit: onExit)
    }

    /// `spawn`, which tests ask to poll for the exit as it does where pidfd_open fails.
    static func spawn(argv: [String], connection: FileDescriptor, environment additions: [(String, String)],
                      loop: EventLoop, pollingForExit: Bool, onExit: @escaping (ExitStatus) -> Void) throws -> ChildProcess {
        guard let program = argv.first else { throw Failure("empty -e command") }
        let path = try ExecCommand.resolve(program)
        let flags = try connection.statusFlags()
        if flags & O_NONBLOCK != 0 { try connection.setStatusFlags(flags & ~O_NONBLOCK) }
        // An ignored SIGCHLD (inherited across exec) would make the kernel reap children
        // itself, and their status would be lost.
        signal(SIGCHLD, SIG_DFL)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, connection.rawValue, STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, connection.rawValue, STDOUT_FILENO)
        // Also what swnc inherited without close-on-exec.
        swnc_spawn_close_from(&actions, STDERR_FILENO + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        var none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let error = withCStrings(argv) { arguments in
            withCStrings(environment(adding: additions)) { variables in
                posix_spawn(&pid, path, &actions, &attributes, arguments, variables)
            }
        }
        // posix_spawn returns the error of fork or exec (EAGAIN past ulimit -u, ENOENT, ...).
        guard error == 0 else { throw ExecCommand.cannotRun(program, Errno(error)) }
        let child = ChildProcess(pid: pid, loop: loop, onExit: onExit)
        child.watchForExit(polling: pollingForExit)
        return child
    }

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
