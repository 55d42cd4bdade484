/// One direction of a relay, as in netcat's poll loop: read from a source, write to a sink,
/// through a bounded buffer. The source is read only while the buffer has room, so a slow sink
/// slows the source down instead of growing memory.
final class Pump {
    /// Where the bytes come from and go to; the relay may share a watch between two pumps
    /// (a socket is the sink of one direction and the source of the other).
    let source: EventLoop.Watch
    private(set) var sink: EventLoop.Watch
    private let buffer: ByteBuffer
    /// Datagram semantics: read only into an empty buffer, so each read is one whole message
    /// (a datagram socket sends all of a write or none of it).
    private let keepsMessages: Bool
    /// False for a datagram socket, where a read of 0 bytes is an empty datagram.
    private let sourceHasEndOfFile: Bool
    private let sourceName: String
    private let sinkName: String
    private(set) var sourceOpen = true
    private(set) var finished = false

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
    }

    func start() { updateInterest() }

    /// Stops both sides for good, dropping what is buffered.
    func cancel() {
        sourceOpen = false
        finished = true
        buffer.removeAll()
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
        guard sourceOpen, buffer.hasSpace, !keepsMessages || buffer.isEmpty else { return updateInterest() }
        do {
            guard let count = try source.descriptor.read(into: buffer.writable) else { return }
            if count == 0 {
                sourceOpen = !sourceHasEndOfFile
            } else {
                buffer.commit(count)
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
            while !buffer.isEmpty {
                guard let written = try sink.descriptor.write(buffer.readable) else { break }
                if let onWritten { onWritten(UnsafeRawBufferPointer(rebasing: buffer.readable.prefix(written))) }
                buffer.consume(written)
                onProgress()
            }
        } catch let error as Errno {
            return onFailure(error, Failure("write to \(sinkName)", error), .sink)
        } catch {}
        updateInterest()
        if !sourceOpen, buffer.isEmpty, !finished {
            finished = true
            onFinished()
        }
    }

    private func updateInterest() {
        source.reading = sourceOpen && buffer.hasSpace && (!keepsMessages || buffer.isEmpty)
        sink.writing = !buffer.isEmpty
    }
}
