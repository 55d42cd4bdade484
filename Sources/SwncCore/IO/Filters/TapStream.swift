/// `--output` / `--hex-dump` over the socket: every byte passes unchanged, and each chunk read
/// (received) or written (sent) is also handed to the session logs. It must see the bytes, so
/// it offers no descriptor to splice.
public final class TapStream: StreamFilter {
    public let wrapped: ByteStream
    private let logs: [SessionLog]
    private var receivedCount = 0
    private var sentCount = 0

    /// The logs stay open when the tap closes: they belong to whoever made them.
    public init(wrapping wrapped: ByteStream, logs: [SessionLog]) {
        self.wrapped = wrapped
        self.logs = logs
    }

    public var hasBufferedInput: Bool { wrapped.hasBufferedInput }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult {
        let result = try wrapped.read(into: buffer)
        if case .bytes(let count) = result {
            try record(UnsafeRawBufferPointer(rebasing: buffer[..<count]), .received, offset: &receivedCount)
        }
        return result
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult {
        let result = try wrapped.write(bytes)
        if case .wrote(let count) = result {
            try record(UnsafeRawBufferPointer(rebasing: bytes[..<count]), .sent, offset: &sentCount)
        }
        return result
    }

    private func record(_ chunk: UnsafeRawBufferPointer, _ direction: DataDirection, offset: inout Int) throws {
        for log in logs { try log.record(chunk, direction, offset: offset) }
        offset += chunk.count
    }

}
