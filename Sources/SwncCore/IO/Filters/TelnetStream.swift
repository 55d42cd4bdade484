/// `-t` over the socket: reads hand out the data with the telnet commands taken out
/// (`TelnetDecoder`), and the answers to negotiation go back through the wrapped stream's
/// `write`. Answers that would block wait here, are sent before any more data is written,
/// and are flushed as soon as the wrapped stream can take them (this stream then waits to
/// write on its own behalf). Past `answerLimit` queued bytes, reads wait until answers drain,
/// so a peer that negotiates and never reads cannot make the queue grow without bound.
public final class TelnetStream: ByteStream {
    private let wrapped: ByteStream
    private var decoder = TelnetDecoder()
    private var answers: [UInt8] = []
    /// What the last write of answers waited for; nil when none are queued.
    private var answersWait: Readiness?
    /// What the writer waits for.
    private var writerWaits: Readiness?
    /// An error from sending answers outside a read or write, thrown by the next of them.
    private var answerFailure: Error?
    private let answerLimit = 4096

    public var onWritable: () -> Void = {}

    public init(wrapping wrapped: ByteStream) {
        self.wrapped = wrapped
        wrapped.onWritable = { [unowned self] in
            if answersWait != nil {
                do { try flushAnswers() } catch { answerFailure = error }
            }
            if writerWaits != nil { onWritable() }
        }
    }

    public var name: String { wrapped.name }
    public var hasBufferedInput: Bool { wrapped.hasBufferedInput }
    public var spliceDescriptor: FileDescriptor? { nil }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult {
        try flushAnswers()
        // Each pass consumes input, so this ends when the wrapped stream has nothing more.
        while answers.count < answerLimit {
            let result = try wrapped.read(into: buffer)
            guard case .bytes(let count) = result, count > 0 else { return result }
            let kept = decoder.decode(UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]), answers: &answers)
            try flushAnswers()
            if kept > 0 { return .bytes(kept) }
        }
        return .wouldBlock(answersWait ?? .writable)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult {
        try flushAnswers()
        if let answersWait { return .wouldBlock(answersWait) }
        return try wrapped.write(bytes)
    }

    public func shutdownSending() {
        try? flushAnswers()
        wrapped.shutdownSending()
    }

    public func waitToRead(_ readiness: Readiness?) { wrapped.waitToRead(readiness) }

    public func waitToWrite(_ readiness: Readiness?) {
        writerWaits = readiness
        updateWriteWait()
    }

    public var onReadable: () -> Void {
        get { wrapped.onReadable }
        set { wrapped.onReadable = newValue }
    }

    public func close() { wrapped.close() }

    /// Writes queued answers until they are out or the wrapped stream would block.
    private func flushAnswers() throws {
        if let answerFailure {
            self.answerFailure = nil
            throw answerFailure
        }
        while !answers.isEmpty {
            let result = try answers.withUnsafeBytes { try wrapped.write($0) }
            switch result {
            case .wrote(let count) where count > 0:
                answers.removeFirst(min(count, answers.count))
            case .wrote:
                return blockAnswers(on: .writable)
            case .wouldBlock(let readiness):
                return blockAnswers(on: readiness)
            }
        }
        if answersWait != nil {
            answersWait = nil
            updateWriteWait()
        }
    }

    private func blockAnswers(on readiness: Readiness) {
        answersWait = readiness
        updateWriteWait()
    }

    /// Queued answers go before the writer's data, so while there are any the wrapped
    /// stream waits for what they need.
    private func updateWriteWait() {
        wrapped.waitToWrite(answersWait ?? writerWaits)
    }
}
