import CSwncSystem
import Glibc

/// What swnc must undo however it exits (normally, or by SIGINT / SIGTERM / SIGHUP): the UNIX socket
/// files it created, and the blocking mode of stdin and stdout. The bookkeeping and the signal
/// handler are C (CSwncSystem/cleanup.c): a handler written in Swift can deadlock on the
/// runtime's own locks when the signal interrupts Swift code that holds them.
public enum ProcessCleanup {
    /// Ignores SIGPIPE (a closed peer is an error to report, not a death) and installs the
    /// SIGINT / SIGTERM / SIGHUP handler and the exit handler.
    public static func install() {
        signal(SIGPIPE, SIG_IGN)
        swnc_cleanup_install()
    }

    /// Removes `path` at exit, if it is still the socket file swnc created.
    static func removeAtExit(_ path: String) {
        _ = swnc_cleanup_remove_at_exit(path)
    }

    /// Sets O_NONBLOCK on a pipe or socket, remembering the flags to put back.
    static func makeNonBlocking(_ descriptor: FileDescriptor) {
        guard let type = try? descriptor.fileType(), type == S_IFIFO || type == S_IFSOCK,
              let flags = try? descriptor.statusFlags(), flags & O_NONBLOCK == 0,
              (try? descriptor.setStatusFlags(flags | O_NONBLOCK)) != nil else { return }
        swnc_cleanup_restore_flags(descriptor.rawValue, flags)
    }
}
