/// What a stream waits for before a call can go on: its descriptor turning readable or
/// writable. A TLS session can want either for either call (a read may have to write a
/// handshake record), so the two calls each say which.
public enum Readiness: Equatable {
    case readable, writable
}

/// What one `read` did.
public enum ReadResult: Equatable {
    /// This many bytes are at the start of the buffer (0 only for an empty datagram).
    case bytes(Int)
    case endOfFile
    case wouldBlock(Readiness)
}

/// What one `write` did.
public enum WriteResult: Equatable {
    /// This many bytes of the front of `bytes` went out (a datagram stream: all or none).
    case wrote(Int)
    case wouldBlock(Readiness)
}

/// The seam between where bytes live and what moves them: a socket, stdin or stdout, a TLS
/// session, a filter over another stream (CRLF, telnet, a log tap) and an exec child's
/// socketpair are all byte streams, and a `Pump` moves bytes from one to another.
///
/// Readiness: a stream has one reader (the pump reading it) and one writer (the pump writing
/// it). Each says what it waits for with `waitToRead` / `waitToWrite`, and is called back by
/// `onReadable` / `onWritable` when that may have come. A stream over another stream passes
/// its waits on to it.
///
/// Ownership: whoever made a stream closes it, exactly once; closing a stream over another
/// closes that one too.
public protocol ByteStream: AnyObject {
    /// How messages name the stream: "127.0.0.1 port 5566", "stdin".
    var name: String { get }

    /// The address of the peer the stream is with, as -v shows it; nil for a stream that is no
    /// peer's (stdin, a file). Kept once, here, not again by whoever serves the peer.
    var peerAddress: SocketAddress? { get }

    /// Bytes were read into the stream but not handed out yet, so they will not wake the
    /// descriptor (decrypted TLS records, a filter's output): the reader should read again
    /// without waiting.
    var hasBufferedInput: Bool { get }

    /// The descriptor that splice(2) may use in place of `read` / `write`, when nothing must
    /// see the bytes on their way; nil for a stream that transforms or watches them.
    var spliceDescriptor: FileDescriptor? { get }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult
    func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult

    /// Ends the sending side: the peer reads end of file (shutdown(2), TLS close_notify).
    /// Best effort: the stream keeps receiving.
    func shutdownSending()

    /// The reader waits for this (nil: it waits for nothing).
    func waitToRead(_ readiness: Readiness?)
    /// The writer waits for this (nil: it waits for nothing).
    func waitToWrite(_ readiness: Readiness?)
    /// Called when what the reader waits for may have come.
    var onReadable: () -> Void { get set }
    /// Called when what the writer waits for may have come.
    var onWritable: () -> Void { get set }
    /// Called with the error (a reset) that comes while nobody reads or writes the stream: a
    /// pump whose sink is full stops reading its source, and would not hear of the reset.
    var onIdleFailure: ((Error) -> Void)? { get set }

    /// Stops watching and closes the descriptor (where the stream owns it).
    func close()
}

extension ByteStream {
    public var peerAddress: SocketAddress? { nil }

    /// A stream with no descriptor of its own to watch hears of failures only when it is read.
    public var onIdleFailure: ((Error) -> Void)? {
        get { nil }
        set {}
    }
}
