/// The datagrams a UDP client sent to an address that may yet answer "port unreachable":
/// kept (up to 256 KiB) until a reply arrives or a second passes quietly, so that they can be
/// sent again to the destination's next address.
final class DatagramKeeper {
    private static let limit = 256 * 1024
    private let loop: EventLoop
    private var kept: [[UInt8]] = []
    private var keptBytes = 0
    private var timer: EventLoop.TimerID?
    /// A second passed with nothing refused.
    var onExpired: () -> Void = {}

    init(loop: EventLoop) { self.loop = loop }

    func keep(_ datagram: UnsafeRawBufferPointer) {
        guard keptBytes + datagram.count <= DatagramKeeper.limit else { return }
        kept.append(Array(datagram))
        keptBytes += datagram.count
        loop.cancel(timer)
        timer = loop.schedule(after: .seconds(1)) { [unowned self] in onExpired() }
    }

    /// Sends what is kept to the next address (best effort: a datagram may be dropped anyway).
    func resend(to stream: ByteStream) {
        for datagram in kept {
            datagram.withUnsafeBytes { _ = try? stream.write($0) }
        }
    }

    func clear() {
        loop.cancel(timer)
        kept = []
        keptBytes = 0
    }
}
