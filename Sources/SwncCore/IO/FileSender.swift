import Glibc

/// A regular file as a pump's source, sent with sendfile(2): the kernel copies it from the
/// page cache to the sink, with no pipe in between and no wait on the file (a regular file is
/// always ready, and epoll refuses to watch one).
struct FileSender {
    /// What one call asks for: large, so that a fast sink takes a file in few calls, and
    /// bounded, so that one call does not keep the loop from the other direction for long.
    static let largestSend = 16 << 20

    private let file: FileDescriptor

    /// A sender for `source` if it is a regular file.
    init?(_ source: FileDescriptor) {
        guard (try? source.fileType()) == S_IFREG else { return nil }
        file = source
    }

    /// Sends from the file's own offset on, and moves it on as read(2) would (stdin may have
    /// been partly read before swnc): the bytes sent, 0 at end of file, nil when the sink is
    /// full. Throws EINVAL or ENOSYS where sendfile is refused.
    func send(to sink: FileDescriptor) throws -> Int? {
        try nonBlocking { sendfile(sink.rawValue, file.rawValue, nil, Self.largestSend) }
    }
}
