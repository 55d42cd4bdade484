/// One direction of a relay, as in netcat's poll loop: read from a source stream, write to a
/// sink stream, through a bounded buffer. The source is read only while the buffer has room,
/// so a slow sink slows the source down instead of growing memory.
final class Pump {
    let source: ByteStream
    private(set) var sink: ByteStream
    private let buffer: ByteBuffer
    private let capacity: Int
    /// Between two plain descriptors bulk moves through this pipe with splice(2), never copied
    /// to `buffer` and back, until an end refuses splice (a terminal, say). Made at the first
    /// read of `bulkRead` bytes or more: small messages (a request, a reply) go through the
    /// buffer, which costs fewer system calls than making a pipe for a short connection.
    private var splicePipe: SplicePipe?
    /// Both ends have a splice descriptor, and neither has refused splice yet.
    private var maySplice: Bool
    static let bulkRead = 16384
    /// The splice pipe's size, when it is made.
    private let pipeCapacity: Int
    /// A regular file goes to a plain sink by sendfile(2) instead, straight from the file,
    /// until the sink refuses it (the splice path takes over then).
    private var fileSender: FileSender?
    /// Datagram semantics: read only into an empty buffer, so each read is one whole message
    /// (a datagram socket sends all of a write or none of it).
    private let keepsMessages: Bool
    /// What the last read and write would have blocked on.
    private var sourceWaits = Readiness.readable
    private var sinkWaits = Readiness.writable
    private(set) var sourceOpen = true
    private(set) var finished = false
    /// Bytes written to the sink so far.
    private(set) var bytesMoved = 0

    /// The source ended and every byte has been written.
    var onFinished: () -> Void = {}
    enum Side { case source, sink }
    /// Reading (the source side) or writing (the sink side) failed: an `Errno`, or a stream's
    /// own `Failure` (TLS, a session log).
    var onFailure: (Error, Side) -> Void = { _, _ in }
    /// Bytes moved (for idle timeouts).
    var onProgress: () -> Void = {}
    /// A whole message or chunk went out (for datagrams kept to be sent again).
    var onWritten: ((UnsafeRawBufferPointer) -> Void)?

    /// `capacity` is the buffer's, and the pipe's unless `pipeCapacity` asks for a larger pipe.
    init(from source: ByteStream, to sink: ByteStream, capacity: Int, pipeCapacity: Int? = nil,
         keepsMessages: Bool = false) {
        self.source = source
        self.sink = sink
        self.keepsMessages = keepsMessages
        self.capacity = capacity
        buffer = ByteBuffer(capacity: capacity)
        self.pipeCapacity = pipeCapacity ?? capacity
        maySplice = !keepsMessages && source.spliceDescriptor != nil && sink.spliceDescriptor != nil
        fileSender = maySplice ? source.spliceDescriptor.flatMap(FileSender.init) : nil
    }

    /// Takes the source's and the sink's callbacks and starts moving bytes.
    func start() {
        source.onReadable = { [unowned self] in pull() }
        sink.onWritable = { [unowned self] in push() }
        source.onIdleFailure = { [unowned self] error in
            if sourceOpen { fail(error, .source) }
        }
        updateInterest()
    }

    /// Stops for good, dropping what is buffered, and lets go of the streams' callbacks.
    func cancel() {
        sourceOpen = false
        finished = true
        buffer.removeAll()
        splicePipe = nil
        fileSender = nil
        source.waitToRead(nil)
        sink.waitToWrite(nil)
        source.onReadable = {}
        sink.onWritable = {}
        source.onIdleFailure = nil
    }

    /// The source is gone (a reset): what is buffered still goes out, then the pump finishes.
    func endSource() {
        sourceOpen = false
        push()
    }

    /// Bytes that arrived before the pump existed (the first datagram of a UDP listener, what
    /// a proxy sent after its reply).
    func preload(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(bytes)
        push()
    }

    /// Points the pump at a new sink (a UDP client moving to the next address).
    func redirect(to newSink: ByteStream) {
        sink.waitToWrite(nil)
        sink.onWritable = {}
        sink = newSink
        sink.onWritable = { [unowned self] in push() }
        updateInterest()
    }

    /// The source may have bytes. Reads while there is room (and, for a stream that holds
    /// bytes the descriptor will not announce, such as TLS, until it is empty).
    func pull() {
        while sourceOpen, hasRoom, !keepsMessages || isEmpty {
            do {
                switch try readSource() {
                case .bytes(let count):
                    sourceWaits = .readable
                    if count > 0 { onProgress() }
                case .endOfFile:
                    sourceOpen = false
                case .wouldBlock(let readiness):
                    sourceWaits = readiness
                    return push()
                }
            } catch {
                return fail(error, .source)
            }
            if !source.hasBufferedInput { break }
        }
        push()
    }

    /// The sink may take bytes.
    func push() {
        guard !finished else { return }
        do {
            while !isEmpty {
                guard let written = try writeSink() else { break }
                if written > 0 { onProgress() }
            }
            if isEmpty, sourceOpen, let fileSender { try send(fileSender) }
        } catch {
            return fail(error, .sink)
        }
        updateInterest()
        if !sourceOpen, isEmpty {
            finished = true
            onFinished()
        } else if sourceOpen, hasRoom, source.hasBufferedInput {
            pull()
        }
    }

    /// Bulk has been seen, and goes through the splice pipe.
    var splicing: Bool { splicePipe != nil }

    private var isEmpty: Bool { buffer.isEmpty && splicePipe?.isEmpty != false }
    private var hasRoom: Bool { splicePipe?.hasRoom ?? buffer.hasSpace }

    /// A failed source stops being read, and what the buffer holds can still go out
    /// (`endSource`); a failed sink ends the pump.
    private func fail(_ error: Error, _ side: Side) {
        if side == .sink { cancel() } else {
            sourceOpen = false
            source.waitToRead(nil)
            source.onIdleFailure = nil
        }
        onFailure(error, side)
    }

    private func readSource() throws -> ReadResult {
        if let splicePipe, let descriptor = source.spliceDescriptor {
            do {
                guard let moved = try splicePipe.fill(from: descriptor) else { return .wouldBlock(.readable) }
                return moved == 0 ? .endOfFile : .bytes(moved)
            } catch let error as Errno where error == .invalidArgument {
                stopSplicing()
            }
        }
        let result = try source.read(into: buffer.writable)
        if case .bytes(let count) = result {
            buffer.commit(count)
            if count >= Pump.bulkRead, maySplice, splicePipe == nil {
                splicePipe = SplicePipe(capacity: pipeCapacity, bufferCapacity: capacity)
                maySplice = splicePipe != nil
            }
        }
        return result
    }

    /// One sendfile(2) call from the file to the sink: the loop comes back between calls, and
    /// wakes the pump again while the sink is writable. A regular file hardly fails to read, so
    /// what sendfile reports is the sink's error.
    private func send(_ fileSender: FileSender) throws {
        do {
            guard let descriptor = sink.spliceDescriptor else { throw Errno.invalidArgument }
            sinkWaits = .writable
            guard let sent = try fileSender.send(to: descriptor) else { return }
            if sent == 0 {
                sourceOpen = false
                return
            }
            bytesMoved += sent
            onProgress()
        } catch let error as Errno where error == .invalidArgument || error == .notImplemented {
            // Nothing is held between the file and the sink: the splice path goes on from here.
            self.fileSender = nil
        }
    }

    /// One write (or splice) to the sink: the bytes written, nil when the sink would block.
    private func writeSink() throws -> Int? {
        // The buffer's bytes came first (preloaded, or read before bulk was seen): they go out first.
        if buffer.isEmpty, let splicePipe, let descriptor = sink.spliceDescriptor {
            do {
                guard let written = try splicePipe.drain(to: descriptor) else {
                    sinkWaits = .writable
                    return nil
                }
                bytesMoved += written
                return written
            } catch let error as Errno where error == .invalidArgument {
                stopSplicing()
            }
        }
        switch try sink.write(buffer.readable) {
        case .wrote(let written):
            sinkWaits = .writable
            onWritten?(UnsafeRawBufferPointer(rebasing: buffer.readable.prefix(written)))
            buffer.consume(written)
            bytesMoved += written
            return written
        case .wouldBlock(let readiness):
            sinkWaits = readiness
            return nil
        }
    }

    /// An end takes no splice: what the pipe holds moves to the buffer, and the rest follows it.
    private func stopSplicing() {
        splicePipe?.drain(into: buffer)
        splicePipe = nil
        maySplice = false
    }

    private func updateInterest() {
        // A file being sent is never waited on: the sink's room says when to send more.
        let sending = sourceOpen && fileSender != nil
        source.waitToRead(sourceOpen && hasRoom && (!keepsMessages || isEmpty) && !sending ? sourceWaits : nil)
        sink.waitToWrite(isEmpty && !sending ? nil : sinkWaits)
    }
}
