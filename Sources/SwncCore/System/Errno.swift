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
/// A negative result is the call's errno, returned rather than thrown (a thrown error is an
/// allocation, and would-block is common).
@inline(__always)
private func untilNotInterrupted<Value: BinaryInteger>(_ body: () -> Value) -> Result<Value, Errno> {
    while true {
        let value = body()
        if value >= 0 { return .success(value) }
        let error = Errno.current
        if error != .interrupted { return .failure(error) }
    }
}

/// `body`'s result, retried on EINTR; a failure throws the call's errno.
@inline(__always)
func retryingOnInterrupt<Value: BinaryInteger>(_ body: () -> Value) throws -> Value {
    try untilNotInterrupted(body).get()
}

/// Like `retryingOnInterrupt`, but "would block" comes back as nil instead of an error.
@inline(__always)
func nonBlocking<Value: BinaryInteger>(_ body: () -> Value) throws -> Value? {
    switch untilNotInterrupted(body) {
    case .success(let value): return value
    case .failure(let error) where error.meansWouldBlock: return nil
    case .failure(let error): throw error
    }
}
