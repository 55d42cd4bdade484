import Glibc

/// An open file descriptor: thin wrappers over read(2), write(2), close(2) and fcntl(2).
public struct FileDescriptor: Hashable {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static let standardInput = FileDescriptor(STDIN_FILENO)
    public static let standardOutput = FileDescriptor(STDOUT_FILENO)
    public static let standardError = FileDescriptor(STDERR_FILENO)

    /// read(2). Returns 0 at end of file, nil when nothing is ready on a non-blocking descriptor.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        try nonBlocking { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// write(2). Returns the bytes written, nil when a non-blocking descriptor is full.
    public func write(_ bytes: UnsafeRawBufferPointer) throws -> Int? {
        try nonBlocking { Glibc.write(rawValue, bytes.baseAddress, bytes.count) }
    }

    /// write(2) until every byte is out, for blocking descriptors such as stderr.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            guard let written = try write(rest) else { continue }
            rest = UnsafeRawBufferPointer(rebasing: rest[written...])
        }
    }

    /// poll(2) until one of `events` (e.g. POLLIN) is ready or `deadline` (a `Clock.now`
    /// instant; nil: never) has passed. False when the deadline came first.
    public func wait(for events: Int32, until deadline: Duration?) throws -> Bool {
        var entry = pollfd(fd: rawValue, events: Int16(events), revents: 0)
        while true {
            // Clamped: -w accepts up to 1e9 seconds, far more milliseconds than poll(2)'s Int32.
            let wait = deadline.map { max(0, Int32(clamping: ($0 - Clock.now).milliseconds)) } ?? -1
            if try retryingOnInterrupt({ poll(&entry, 1, wait) }) > 0 { return true }
            if let deadline, Clock.now >= deadline { return false }
        }
    }

    /// close(2). Errors are ignored: there is nothing useful to do about them.
    public func close() { _ = Glibc.close(rawValue) }

    /// fcntl(2) F_GETFL.
    public func statusFlags() throws -> Int32 { try retryingOnInterrupt { fcntl(rawValue, F_GETFL) } }

    /// fcntl(2) F_SETFL.
    public func setStatusFlags(_ flags: Int32) throws {
        _ = try retryingOnInterrupt { fcntl(rawValue, F_SETFL, flags) }
    }

    /// The file type bits of fstat(2), e.g. S_IFIFO.
    public func fileType() throws -> mode_t {
        var status = stat()
        _ = try retryingOnInterrupt { fstat(rawValue, &status) }
        return status.st_mode & S_IFMT
    }
}
