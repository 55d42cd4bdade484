import Glibc

/// A byte stream straight over a descriptor (a socket, a pipe, a terminal, a file), with the
/// one watch the event loop has for it. It routes readiness to whichever side waits for it:
/// a socket is read by one pump and written by another.
public final class DescriptorStream: ByteStream {
    // The small fields first, beside the descriptor, where they pack: a peer's stream is 136
    // bytes, a 144-byte allocation.
    public let descriptor: FileDescriptor
    /// Datagrams: a read of 0 bytes is an empty datagram, not end of file.
    let isDatagram: Bool
    /// stdin and stdout belong to the process: `close` stops watching them but leaves them open.
    private let ownsDescriptor: Bool
    private var readerWaits: Readiness?
    private var writerWaits: Readiness?
    private var closed = false
    private let label: Label
    private let watch: EventLoop.Watch

    public var onReadable: () -> Void = {}
    public var onWritable: () -> Void = {}
    public var onIdleFailure: ((Error) -> Void)? {
        didSet { watch.onIdleError = onIdleFailure == nil ? nil : { [unowned self] in idleFailed() } }
    }

    /// What messages call the stream: a peer's address is kept, and made text only when shown
    /// (a server holding 10,000 peers keeps no 10,000 strings).
    private enum Label {
        case text(String)
        case peer(SocketAddress)
    }

    /// Watches `descriptor` on `loop`; throws if the loop already watches it.
    public convenience init(_ descriptor: FileDescriptor, name: String, loop: EventLoop,
                            isDatagram: Bool = false, ownsDescriptor: Bool = true) throws {
        try self.init(descriptor, label: .text(name), loop: loop, isDatagram: isDatagram, ownsDescriptor: ownsDescriptor)
    }

    /// A connected socket, named by its peer's address ("127.0.0.1 port 5566").
    convenience init(_ descriptor: FileDescriptor, peer: SocketAddress, loop: EventLoop, isDatagram: Bool = false) throws {
        try self.init(descriptor, label: .peer(peer), loop: loop, isDatagram: isDatagram, ownsDescriptor: true)
    }

    private init(_ descriptor: FileDescriptor, label: Label, loop: EventLoop, isDatagram: Bool, ownsDescriptor: Bool) throws {
        self.descriptor = descriptor
        self.label = label
        self.isDatagram = isDatagram
        self.ownsDescriptor = ownsDescriptor
        watch = try loop.watch(descriptor)
        // Held strongly until `close`: a closure whose one capture is a strong reference needs
        // no context of its own (an unowned one costs a 32-byte allocation per stream).
        watch.onReady = { readiness in self.ready(readiness) }
    }

    public var name: String {
        switch label {
        case .text(let text): text
        case .peer(let address): PeerName.of(address)
        }
    }

    public var peerAddress: SocketAddress? {
        if case .peer(let address) = label { address } else { nil }
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
        watch.loop?.remove(watch)  // nil once the loop is gone
        watch.onReady = { _ in }  // lets the stream go
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
