/// A stream over another stream that only changes or watches the bytes (CRLF, the session
/// logs' tap): everything but `read` and `write` is the wrapped stream's. A filter never
/// splices: it must see the bytes.
public protocol StreamFilter: ByteStream {
    var wrapped: ByteStream { get }
}

extension StreamFilter {
    public var name: String { wrapped.name }
    public var peerAddress: SocketAddress? { wrapped.peerAddress }
    public var spliceDescriptor: FileDescriptor? { nil }
    public func shutdownSending() { wrapped.shutdownSending() }
    public func waitToRead(_ readiness: Readiness?) { wrapped.waitToRead(readiness) }
    public func waitToWrite(_ readiness: Readiness?) { wrapped.waitToWrite(readiness) }
    public func close() { wrapped.close() }

    public var onReadable: () -> Void {
        get { wrapped.onReadable }
        set { wrapped.onReadable = newValue }
    }

    public var onWritable: () -> Void {
        get { wrapped.onWritable }
        set { wrapped.onWritable = newValue }
    }

    public var onIdleFailure: ((Error) -> Void)? {
        get { wrapped.onIdleFailure }
        set { wrapped.onIdleFailure = newValue }
    }
}
