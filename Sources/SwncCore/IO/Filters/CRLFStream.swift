/// `-C` over stdin: reads give each LF as CR LF (`CRLFTranslator`). The translation can double
/// the bytes, so what did not fit the reader's buffer waits here, still untranslated, and is
/// handed out before the next read of the wrapped stream. Writes pass through unchanged.
public final class CRLFStream: StreamFilter {
    public let wrapped: ByteStream
    private var translator = CRLFTranslator()
    /// Bytes read from `wrapped` and not translated yet.
    private let pending: ByteBuffer

    /// `capacity`: the most bytes read from `wrapped` at once.
    public init(wrapping wrapped: ByteStream, capacity: Int = 64 * 1024) {
        self.wrapped = wrapped
        pending = ByteBuffer(capacity: max(1, capacity))
    }

    public var hasBufferedInput: Bool { !pending.isEmpty || translator.owesLineFeed || wrapped.hasBufferedInput }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult {
        if pending.isEmpty, !translator.owesLineFeed {
            // At most as many bytes as the reader takes, so that what is left over stays small.
            let room = UnsafeMutableRawBufferPointer(rebasing: pending.writable.prefix(buffer.count))
            let result = try wrapped.read(into: room)
            guard case .bytes(let count) = result, count > 0 else { return result }
            pending.commit(count)
        }
        let (consumed, produced) = translator.translate(pending.readable, into: buffer)
        pending.consume(consumed)
        return .bytes(produced)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult { try wrapped.write(bytes) }
}
