/// `swnc -lu`: the sender of the first datagram becomes the peer (the socket is connected to
/// it) and is relayed with stdin/stdout, or with -e / -c with a child. With -k, datagrams from
/// every sender go to stdout.
final class DatagramListener {
    private let configuration: Configuration
    private let report: Reporter
    private let loop: EventLoop
    private let streams: StandardStreams
    private var listeners: [(socket: Socket, watch: EventLoop.Watch)] = []
    private var role: AnyObject?
    private var collector: DatagramCollector?
    private let access: AccessList

    init(_ configuration: Configuration, sockets: [Socket], loop: EventLoop, access: AccessList,
         report: @escaping Reporter) throws {
        self.access = access
        self.configuration = configuration
        self.report = report
        self.loop = loop
        streams = try StandardStreams(loop: loop)
        if configuration.keepOpen {
            collector = try DatagramCollector(loop: loop, sockets: sockets, output: streams.output,
                                              largestDatagram: configuration.largestDatagram, first: nil)
            return
        }
        listeners = try loop.watchReading(sockets) { [unowned self] socket in firstDatagram(on: socket) }
    }

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
        let shown = Listening.shownPeer(sender, of: socket, configuration)
        if access.restrictsPeers, !access.permits(sender) { return report(.refused(shown)) }
        report(.connectionReceived(shown))
        stopListening(keeping: socket)
        do {
            guard sender.canBeRepliedTo, (try? socket.connect(to: sender)) != nil else {
                // An unnamed UNIX datagram sender cannot be answered: just print what arrives.
                collector = try DatagramCollector(loop: loop, sockets: [socket], output: streams.output,
                                                  largestDatagram: configuration.largestDatagram, first: first)
                return
            }
            let stream = try DescriptorStream(socket.descriptor, peer: shown, loop: loop, isDatagram: true)
            let peer = Relay.Peer(stream: stream, isDatagram: true)
            let ended = { [loop] (ending: Relay.Ending) in
                if case .failed(let failure) = ending { loop.fail(failure) } else { loop.stop() }
            }
            if configuration.exec != nil {
                let role = ExecRole(loop: loop, configuration: configuration, report: report)
                self.role = role
                role.run(for: peer, socket: socket.descriptor, firstData: first, ended: ended)
            } else {
                let role = StdioRelayRole(loop: loop, streams: streams, configuration: configuration, report: report)
                self.role = role
                role.relay(peer, firstData: first, ended: ended)
            }
        } catch {
            loop.fail(Failure("watch", error))
        }
    }

    /// Only the socket the first datagram came to is kept.
    private func stopListening(keeping kept: Socket) {
        for (socket, watch) in listeners {
            loop.remove(watch)
            if socket.descriptor != kept.descriptor { socket.close() }
        }
        listeners = []
    }
}
