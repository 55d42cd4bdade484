/// `-W count` over the peer: after `count` reads that brought data (a datagram each, for UDP),
/// the stream reads as ended, so the relay writes what it has and stops receiving.
final class ReceiveLimitStream: ByteStream {
    private let wrapped: ByteStream
    private var remaining: Int

    /// `alreadyReceived`: packets that came before the stream (a UDP listener's first datagram).
    init(wrapping wrapped: ByteStream, limit: Int, alreadyReceived: Int = 0) {
        self.wrapped = wrapped
        remaining = max(0, limit - alreadyReceived)
    }

    var name: String { wrapped.name }
    var hasBufferedInput: Bool { remaining > 0 && wrapped.hasBufferedInput }
    var spliceDescriptor: FileDescriptor? { nil }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult {
        guard remaining > 0 else { return .endOfFile }
        let result = try wrapped.read(into: buffer)
        if case .bytes = result { remaining -= 1 }
        return result
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult { try wrapped.write(bytes) }
    func shutdownSending() { wrapped.shutdownSending() }
    func waitToRead(_ readiness: Readiness?) { wrapped.waitToRead(readiness) }
    func waitToWrite(_ readiness: Readiness?) { wrapped.waitToWrite(readiness) }

    var onReadable: () -> Void {
        get { wrapped.onReadable }
        set { wrapped.onReadable = newValue }
    }

    var onWritable: () -> Void {
        get { wrapped.onWritable }
        set { wrapped.onWritable = newValue }
    }

    func close() { wrapped.close() }
}
