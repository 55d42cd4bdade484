import Glibc

/// A byte stream straight over a descriptor (a socket, a pipe, a terminal, a file), with the
/// one watch the event loop has for it. It routes readiness to whichever side waits for it:
/// a socket is read by one pump and written by another.
public final class DescriptorStream: ByteStream {
    public let name: String
    public let descriptor: FileDescriptor
    /// Datagrams: a read of 0 bytes is an empty datagram, not end of file.
    let isDatagram: Bool
    /// stdin and stdout belong to the process: `close` stops watching them but leaves them open.
    private let ownsDescriptor: Bool
    private let watch: EventLoop.Watch
    private weak var loop: EventLoop?
    private var readerWaits: Readiness?
    private var writerWaits: Readiness?
    private var closed = false

    public var onReadable: () -> Void = {}
    public var onWritable: () -> Void = {}
    public var onIdleFailure: ((Error) -> Void)? {
        didSet { watch.onIdleError = onIdleFailure == nil ? nil : { [unowned self] in idleFailed() } }
    }

    /// Watches `descriptor` on `loop`; throws if the loop already watches it.
    public init(_ descriptor: FileDescriptor, name: String, loop: EventLoop,
                isDatagram: Bool = false, ownsDescriptor: Bool = true) throws {
        self.descriptor = descriptor
        self.name = name
        self.isDatagram = isDatagram
        self.ownsDescriptor = ownsDescriptor
        self.loop = loop
        watch = try loop.watch(descriptor)
        watch.onReadable = { [unowned self] in ready(.readable) }
        watch.onWritable = { [unowned self] in ready(.writable) }
    }

    deinit {
        assert(closed, "\(name) (descriptor \(descriptor.rawValue)) was never closed")
    }

    public var hasBufferedInput: Bool { false }
    public var spliceDescriptor: FileDescriptor? { isDatagram ? nil : descriptor }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult {
        guard let count = try descriptor.read(into: buffer) else { return .wouldBlock(.readable) }
        return count == 0 && !isDatagram ? .endOfFile : .bytes(count)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult {
        guard let count = try descriptor.write(bytes) else { return .wouldBlock(.writable) }
        return .wrote(count)
    }

    public func shutdownSending() {
        _ = Glibc.shutdown(descriptor.rawValue, Int32(SHUT_WR))
    }

    public func waitToRead(_ readiness: Readiness?) {
        readerWaits = readiness
        updateInterest()
    }

    public func waitToWrite(_ readiness: Readiness?) {
        writerWaits = readiness
        updateInterest()
    }

    public func close() {
        guard !closed else { return }
        closed = true
        loop?.remove(watch)
        if ownsDescriptor { descriptor.close() }
    }

    private func updateInterest() {
        watch.reading = readerWaits == .readable || writerWaits == .readable
        watch.writing = readerWaits == .writable || writerWaits == .writable
    }

    /// The error is the socket's pending one (SO_ERROR), which reading would have returned.
    private func idleFailed() {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor.rawValue, SOL_SOCKET, SO_ERROR, &value, &length) == 0, value != 0 else { return }
        onIdleFailure?(Errno(value))
    }

    private func ready(_ readiness: Readiness) {
        if readerWaits == readiness { onReadable() }
        if !closed, writerWaits == readiness { onWritable() }
    }
}
