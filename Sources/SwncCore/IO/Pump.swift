/// One direction of a relay, as in netcat's poll loop: read from a source, write to a sink,
/// through a bounded buffer. The source is read only while the buffer has room, so a slow sink
/// slows the source down instead of growing memory.
final class Pump {
    /// Where the bytes come from and go to; the relay may share a watch between two pumps
    /// (a socket is the sink of one direction and the source of the other).
    let source: EventLoop.Watch
    private(set) var sink: EventLoop.Watch
    private let buffer: ByteBuffer
    /// A stream moves through this pipe with splice(2), without being copied to `buffer` and
    /// back, until an end refuses splice (a terminal, say): then it goes through `buffer`.
    private var splicePipe: SplicePipe?
    /// Datagram semantics: read only into an empty buffer, so each read is one whole message
    /// (a datagram socket sends all of a write or none of it).
    private let keepsMessages: Bool
    /// False for a datagram socket, where a read of 0 bytes is an empty datagram.
    private let sourceHasEndOfFile: Bool
    private let sourceName: String
    private let sinkName: String
    private(set) var sourceOpen = true
    private(set) var finished = false
    /// Bytes written to the sink so far.
    private(set) var bytesMoved = 0

    /// The source ended and every byte has been written.
    var onFinished: () -> Void = {}
    enum Side { case source, sink }
    /// Reading (the source side) or writing (the sink side) failed.
    var onFailure: (Errno, Failure, Side) -> Void = { _, _, _ in }
    /// Bytes moved (for idle timeouts).
    var onProgress: () -> Void = {}
    /// A whole message or chunk went out (for datagrams kept to be sent again).
    var onWritten: ((UnsafeRawBufferPointer) -> Void)?

    init(from source: EventLoop.Watch, named sourceName: String, to sink: EventLoop.Watch, named sinkName: String,
         capacity: Int, keepsMessages: Bool = false, sourceHasEndOfFile: Bool = true) {
        self.sourceHasEndOfFile = sourceHasEndOfFile
        self.source = source
        self.sink = sink
        self.sourceName = sourceName
        self.sinkName = sinkName
        self.keepsMessages = keepsMessages
        buffer = ByteBuffer(capacity: capacity)
        splicePipe = keepsMessages ? nil : SplicePipe(capacity: capacity)
    }

    func start() { updateInterest() }

    /// Stops both sides for good, dropping what is buffered.
    func cancel() {
        sourceOpen = false
        finished = true
        buffer.removeAll()
        splicePipe = nil
        updateInterest()
    }

    /// Bytes that arrived before the pump existed (the first datagram of a UDP listener).
    func preload(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(bytes)
        push()
    }

    /// Points the pump at a new sink (a UDP client moving to the next address).
    func redirect(to newSink: EventLoop.Watch) {
        sink = newSink
        updateInterest()
    }

    /// The source is readable.
    func pull() {
        guard sourceOpen, hasRoom, !keepsMessages || buffer.isEmpty else { return updateInterest() }
        do {
            guard let count = try readSource() else { return updateInterest() }
            if count == 0 {
                sourceOpen = !sourceHasEndOfFile
            } else {
                onProgress()
            }
            push()
        } catch let error as Errno {
            onFailure(error, Failure("read from \(sourceName)", error), .source)
        } catch {}
    }

    /// The sink is writable.
    func push() {
        do {
            while !isEmpty {
                guard try writeSink() != nil else { break }
                onProgress()
            }
        } catch let error as Errno {
            return onFailure(error, Failure("write to \(sinkName)", error), .sink)
        } catch {}
        updateInterest()
        if !sourceOpen, isEmpty, !finished {
            finished = true
            onFinished()
        }
    }

    private var isEmpty: Bool { buffer.isEmpty && splicePipe?.isEmpty != false }
    private var hasRoom: Bool { splicePipe?.hasRoom ?? buffer.hasSpace }

    /// One read (or splice) from the source: the bytes taken, 0 at end of file, nil for none now.
    private func readSource() throws -> Int? {
        if let splicePipe {
            do {
                return try splicePipe.fill(from: source.descriptor)
            } catch let error as Errno where error == .invalidArgument {
                stopSplicing()
            }
        }
        let count = try source.descriptor.read(into: buffer.writable)
        if let count { buffer.commit(count) }
        return count
    }

    /// One write (or splice) to the sink: the bytes written, nil when the sink is full.
    private func writeSink() throws -> Int? {
        if let splicePipe {
            do {
                let written = try splicePipe.drain(to: sink.descriptor)
                bytesMoved += written ?? 0
                return written
            } catch let error as Errno where error == .invalidArgument {
                stopSplicing()
            }
        }
        guard let written = try sink.descriptor.write(buffer.readable) else { return nil }
        if let onWritten { onWritten(UnsafeRawBufferPointer(rebasing: buffer.readable.prefix(written))) }
        buffer.consume(written)
        bytesMoved += written
        return written
    }

    /// An end takes no splice: what the pipe holds moves to the buffer, and the rest follows it.
    private func stopSplicing() {
        splicePipe?.drain(into: buffer)
        splicePipe = nil
    }

    private func updateInterest() {
        source.reading = sourceOpen && hasRoom && (!keepsMessages || buffer.isEmpty)
        sink.writing = !isEmpty
    }
}
