import Glibc

/// What swnc must undo however it exits (normally, or by SIGINT / SIGTERM): the UNIX socket
/// files it created, and the blocking mode of stdin and stdout. Kept in plain globals because
/// the signal handler may only make async-signal-safe calls (lstat, unlink, fcntl).
public enum ProcessCleanup {
    private struct OwnedFile {
        let path: UnsafeMutablePointer<CChar>
        let device: dev_t
        let inode: ino_t
    }

    private static var ownedFiles: [OwnedFile] = []
    private static var originalFlags: (input: Int32, output: Int32) = (-1, -1)

    /// Ignores SIGPIPE (a closed peer is an error to report, not a death) and installs the
    /// SIGINT / SIGTERM handler and the exit handler.
    public static func install() {
        signal(SIGPIPE, SIG_IGN)
        // Touch the globals now, so that the handler never runs their lazy initialisation.
        _ = (ownedFiles.count, originalFlags)
        signal(SIGINT, handleSignal)
        signal(SIGTERM, handleSignal)
        // A blocked signal mask is inherited across exec (a parent's worker thread may block
        // them): unblock the two we handle, or SIGINT / SIGTERM would never reach swnc.
        var handled = sigset_t()
        sigemptyset(&handled)
        sigaddset(&handled, SIGINT)
        sigaddset(&handled, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &handled, nil)
        atexit { ProcessCleanup.run() }
    }

    /// Removes `path` at exit, if it is still the socket file swnc created.
    static func removeAtExit(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        ownedFiles.append(OwnedFile(path: strdup(path), device: status.st_dev, inode: status.st_ino))
    }

    /// Sets O_NONBLOCK on a pipe or socket, remembering the flags to put back.
    static func makeNonBlocking(_ descriptor: FileDescriptor) {
        guard let type = try? descriptor.fileType(), type == S_IFIFO || type == S_IFSOCK,
              let flags = try? descriptor.statusFlags(), flags & O_NONBLOCK == 0,
              (try? descriptor.setStatusFlags(flags | O_NONBLOCK)) != nil else { return }
        if descriptor == .standardInput { originalFlags.input = flags } else { originalFlags.output = flags }
    }

    private static func run() {
        for file in ownedFiles {
            var status = stat()
            if lstat(file.path, &status) == 0, status.st_dev == file.device, status.st_ino == file.inode {
                unlink(file.path)
            }
        }
        if originalFlags.input >= 0 { _ = fcntl(STDIN_FILENO, F_SETFL, originalFlags.input) }
        if originalFlags.output >= 0 { _ = fcntl(STDOUT_FILENO, F_SETFL, originalFlags.output) }
    }

    private static let handleSignal: @convention(c) (Int32) -> Void = { signalNumber in
        ProcessCleanup.run()
        signal(signalNumber, SIG_DFL)
        raise(signalNumber)
    }
}
