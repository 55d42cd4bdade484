/// `-i secs` over stdin: each read hands out at most one line (up to and including its LF),
/// and after a whole line the stream pauses for the interval: it reads as would-block and
/// stops watching stdin until a loop timer ends the pause and wakes the reader again.
final class LineIntervalStream: ByteStream {
    private let wrapped: ByteStream
    private let interval: Duration
    private unowned let loop: EventLoop
    /// Bytes read from `wrapped` and not handed out yet.
    private let pending: ByteBuffer
    private var pause: EventLoop.TimerID?
    /// What the reader waits for; passed on to `wrapped` except during a pause.
    private var readerWaits: Readiness?
    private var reader: () -> Void = {}

    init(wrapping wrapped: ByteStream, interval: Duration, loop: EventLoop, capacity: Int = 64 * 1024) {
        self.wrapped = wrapped
        self.interval = interval
        self.loop = loop
        pending = ByteBuffer(capacity: max(1, capacity))
        wrapped.onReadable = { [unowned self] in reader() }
    }

    var name: String { wrapped.name }
    var hasBufferedInput: Bool { pause == nil && (!pending.isEmpty || wrapped.hasBufferedInput) }
    var spliceDescriptor: FileDescriptor? { nil }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult {
        guard pause == nil else { return .wouldBlock(.readable) }
        if pending.isEmpty {
            let result = try wrapped.read(into: pending.writable)
            guard case .bytes(let count) = result, count > 0 else { return result }
            pending.commit(count)
        }
        let line = pending.readable.firstIndex(of: 10).map { $0 + 1 }
        let count = min(line ?? pending.readable.count, buffer.count)
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: pending.readable.prefix(count)))
        pending.consume(count)
        pending.compact()
        if let line, count == line { startPause() }
        return .bytes(count)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult { try wrapped.write(bytes) }
    func shutdownSending() { wrapped.shutdownSending() }

    func waitToRead(_ readiness: Readiness?) {
        readerWaits = readiness
        wrapped.waitToRead(pause == nil ? readiness : nil)
    }

    func waitToWrite(_ readiness: Readiness?) { wrapped.waitToWrite(readiness) }

    var onReadable: () -> Void {
        get { reader }
        set { reader = newValue }
    }

    var onWritable: () -> Void {
        get { wrapped.onWritable }
        set { wrapped.onWritable = newValue }
    }

    func close() {
        loop.cancel(pause)
        pause = nil
        wrapped.close()
    }

    private func startPause() {
        wrapped.waitToRead(nil)
        pause = loop.schedule(after: interval) { [unowned self] in
            pause = nil
            wrapped.waitToRead(readerWaits)
            // Bytes already held (the next line) announce nothing on the descriptor.
            if readerWaits != nil { reader() }
        }
    }
}
