import Glibc

/// An error number from a failed system call, as a typed error.
public struct Errno: Error, Equatable, CustomStringConvertible {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The errno of the call that just failed.
    public static var current: Errno { Errno(errno) }

    /// The words of strerror(3), e.g. "Connection refused".
    public var description: String { String(cString: strerror(rawValue)) }

    public static let wouldBlock = Errno(EAGAIN)
    public static let interrupted = Errno(EINTR)
    public static let connectionRefused = Errno(ECONNREFUSED)
    public static let brokenPipe = Errno(EPIPE)
    public static let connectionReset = Errno(ECONNRESET)
    public static let tooManyOpenFiles = Errno(EMFILE)
    public static let invalidArgument = Errno(EINVAL)
    public static let notImplemented = Errno(ENOSYS)

    /// Errors that a non-blocking call returns instead of waiting.
    var meansWouldBlock: Bool { rawValue == EAGAIN || rawValue == EWOULDBLOCK || rawValue == EINPROGRESS }
}

/// Calls `body` until it does not fail with EINTR: the one place interrupted calls are retried.
/// A negative result throws the call's errno.
@inline(__always)
func retryingOnInterrupt<Result: BinaryInteger>(_ body: () -> Result) throws -> Result {
    while true {
        let result = body()
        if result >= 0 { return result }
        let error = Errno.current
        if error != .interrupted { throw error }
    }
}

/// Like `retryingOnInterrupt`, but "would block" comes back as nil instead of an error (and
/// without throwing one to catch it: a thrown error is an allocation, and would-block is common).
@inline(__always)
func nonBlocking<Result: BinaryInteger>(_ body: () -> Result) throws -> Result? {
    while true {
        let result = body()
        if result >= 0 { return result }
        let error = Errno.current
        if error.meansWouldBlock { return nil }
        if error != .interrupted { throw error }
    }
}
