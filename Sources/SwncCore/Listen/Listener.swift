import Glibc

/// `swnc -l`: waits for one peer and relays stdin/stdout with it. With -k, TCP and UNIX stream
/// peers are served one after another, and UDP datagrams are taken from every sender.
final class Listener {
    private let configuration: Configuration
    private let report: Reporter
    private let loop: EventLoop
    private let streams: StandardStreams
    private var listeners: [EventLoop.Watch] = []
    private var sockets: [Socket] = []
    private var relay: Relay?
    private var collector: DatagramCollector?

    init(_ configuration: Configuration, sockets: [Socket], loop: EventLoop, report: @escaping Reporter) {
        self.configuration = configuration
        self.report = report
        self.sockets = sockets
        self.loop = loop
        streams = StandardStreams(loop: loop)
        let isDatagram = configuration.transport == .udp
        if isDatagram, configuration.keepOpen {
            collector = DatagramCollector(loop: loop, sockets: sockets, output: streams.output,
                                          largestDatagram: configuration.largestDatagram, first: nil)
            return
        }
        for socket in sockets {
            let watch = loop.watch(socket.descriptor)
            watch.onReadable = { [unowned self] in isDatagram ? firstDatagram(on: socket) : accept(from: socket) }
            watch.reading = true
            listeners.append(watch)
        }
    }

    private func accept(from socket: Socket) {
        let accepted: (Socket, SocketAddress)?
        do {
            accepted = try socket.accept()
        } catch {
            return loop.fail(Failure("accept", error))
        }
        guard let (connection, peerAddress) = accepted else { return }
        report(.connectionReceived(Listening.shownPeer(peerAddress, of: socket, configuration)))
        if configuration.keepOpen {
            listeners.forEach { $0.reading = false }
        } else {
            closeListeners()
        }
        let name = configuration.unixDomain ? configuration.path ?? "" : "\(peerAddress.host) port \(peerAddress.port)"
        relay = Relay(loop: loop, streams: streams, configuration: configuration,
                      peer: Relay.Peer(socket: connection, name: name, isDatagram: false)) { [unowned self] failure in
            relayEnded(failure)
        }
    }

    /// A peer is done: with -k, a stream listener takes the next one; otherwise swnc is done.
    private func relayEnded(_ failure: Failure?) {
        if let totals = relay?.totals { report(.transferred(sent: totals.sent, received: totals.received)) }
        if let failure { return loop.fail(failure) }
        guard configuration.keepOpen, !listeners.isEmpty else { return loop.stop() }
        listeners.forEach { $0.reading = true }
    }

    /// The sender of the first datagram becomes the peer: the socket is connected to it.
    private func firstDatagram(on socket: Socket) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: configuration.largestDatagram, alignment: 16)
        defer { buffer.deallocate() }
        var sender = SocketAddress()
        let received: Int?
        do {
            received = try socket.receive(into: buffer, from: &sender)
        } catch {
            return loop.fail(Failure("receive", error))
        }
        guard let count = received else { return }
        let first = UnsafeRawBufferPointer(rebasing: buffer[..<count])
        report(.connectionReceived(Listening.shownPeer(sender, of: socket, configuration)))
        closeListeners(keeping: socket)
        guard sender.canBeRepliedTo, (try? socket.connect(to: sender)) != nil else {
            // An unnamed UNIX datagram sender cannot be answered: just print what arrives.
            collector = DatagramCollector(loop: loop, sockets: [socket], output: streams.output,
                                          largestDatagram: configuration.largestDatagram, first: first)
            return
        }
        let name = configuration.unixDomain ? sender.path ?? "" : "\(sender.host) port \(sender.port)"
        relay = Relay(loop: loop, streams: streams, configuration: configuration,
                      peer: Relay.Peer(socket: socket, name: name, isDatagram: true), firstData: first) { [unowned self] failure in
            relayEnded(failure)
        }
    }

    private func closeListeners(keeping kept: Socket? = nil) {
        for watch in listeners { loop.remove(watch) }
        listeners = []
        for socket in sockets where socket.descriptor != kept?.descriptor { socket.close() }
        sockets = []
    }
}
