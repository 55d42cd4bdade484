import Glibc

/// The data path of a client or single-peer listener: stdin to the peer and the peer to stdout,
/// both ways at once on one event loop, with netcat's half-close rules:
/// peer EOF ends the relay once stdout has everything; stdin EOF shuts down sending with -N,
/// and quits after -q; -w ends a connection on which nothing moves.
final class Relay {
    /// A connected socket and how to speak of it.
    struct Peer {
        var socket: Socket
        /// "127.0.0.1 port 5566", for messages.
        var name: String
        var isDatagram: Bool
    }

    private static let streamCapacity = 128 * 1024
    private static let largestUDPPayload = 65507

    private let loop: EventLoop
    private let streams: StandardStreams
    private let configuration: Configuration
    private var peer: Peer
    private var socketWatch: EventLoop.Watch
    private var fromPeer: Pump
    private var toPeer: Pump?
    private var idleTimer: EventLoop.TimerID?
    private var quitTimer: EventLoop.TimerID?
    private var lastActivity = Clock.now
    private var ended = false
    private let onEnd: (Failure?) -> Void
    /// Bytes written to stdout from peers left behind (a UDP client's refused addresses);
    /// the stdin pump follows the client from peer to peer, so it counts all that was sent.
    private var receivedFromEarlierPeers = 0
    /// Bytes sent to the peer, and written to stdout from it (for -vv).
    var totals: (sent: Int, received: Int) {
        (toPeer?.bytesMoved ?? 0, receivedFromEarlierPeers + fromPeer.bytesMoved)
    }

    /// A datagram relay that has somewhere else to go when the peer answers "port unreachable".
    var onRefused: (() -> Peer?)?
    /// Datagrams sent since the last peer change, kept to be sent again to the next one.
    private var kept: [[UInt8]] = []
    private var keptBytes = 0
    private var keeping = false
    private var keepTimer: EventLoop.TimerID?

    init(loop: EventLoop, streams: StandardStreams, configuration: Configuration, peer: Peer,
         firstData: UnsafeRawBufferPointer? = nil, onEnd: @escaping (Failure?) -> Void) {
        self.loop = loop
        self.streams = streams
        self.configuration = configuration
        self.peer = peer
        self.onEnd = onEnd
        socketWatch = loop.watch(peer.socket.descriptor)
        fromPeer = Relay.makeReceiver(peer: peer, watch: socketWatch, streams: streams, configuration)
        if configuration.readsInput, !streams.inputEnded {
            toPeer = Pump(from: streams.input, named: "stdin", to: socketWatch, named: peer.name,
                          capacity: peer.isDatagram ? Relay.largestUDPPayload : Relay.streamCapacity,
                          keepsMessages: peer.isDatagram)
        }
        wire()
        if let firstData { fromPeer.preload(firstData) }
        toPeer?.start()
        fromPeer.start()
        if let idle = configuration.timeout, configuration.mode == .connect { armIdleTimer(idle) }
    }

    private static func makeReceiver(peer: Peer, watch: EventLoop.Watch, streams: StandardStreams,
                                     _ configuration: Configuration) -> Pump {
        Pump(from: watch, named: peer.name, to: streams.output, named: "stdout",
             capacity: peer.isDatagram ? configuration.largestDatagram : streamCapacity,
             keepsMessages: peer.isDatagram, sourceHasEndOfFile: !peer.isDatagram)
    }

    /// Points the descriptors' callbacks at this relay's pumps.
    private func wire() {
        let fromPeer = fromPeer
        socketWatch.onReadable = { fromPeer.pull() }
        streams.output.onWritable = { fromPeer.push() }
        fromPeer.onProgress = { [unowned self] in lastActivity = Clock.now }
        fromPeer.onFinished = { [unowned self] in end(nil) }
        fromPeer.onFailure = { [unowned self] error, failure, side in
            failed(error, failure, onSocket: side == .source, sending: false)
        }
        if keeping { fromPeer.onWritten = { [unowned self] _ in stopKeeping() } }
        guard let toPeer else { return }
        socketWatch.onWritable = { toPeer.push() }
        streams.input.onReadable = { toPeer.pull() }
        toPeer.onProgress = { [unowned self] in lastActivity = Clock.now }
        toPeer.onFinished = { [unowned self] in inputEnded() }
        toPeer.onFailure = { [unowned self] error, failure, side in
            failed(error, failure, onSocket: side == .sink, sending: true)
        }
    }

    private func failed(_ error: Errno, _ failure: Failure, onSocket: Bool, sending: Bool) {
        if onSocket, error == .connectionRefused, peer.isDatagram, let next = onRefused?() {
            return move(to: next)
        }
        if onSocket, error == .connectionRefused, peer.isDatagram, configuration.mode == .listen {
            return end(nil)  // the UDP peer went away
        }
        if onSocket, sending, error == .brokenPipe {
            // The peer stopped reading: stop sending, and keep receiving until it closes.
            toPeer?.cancel()
            return
        }
        end(failure)
    }

    private func inputEnded() {
        streams.inputEnded = true
        if let delay = configuration.quitDelay {
            if !peer.isDatagram { peer.socket.shutdownSending() }
            // -q quits swnc, not just this peer (a -k listener would otherwise wait for the next).
            quitTimer = loop.schedule(after: delay) { [unowned self] in
                end(nil)
                loop.stop()
            }
        } else if configuration.halfCloseOnInputEnd, !peer.isDatagram {
            peer.socket.shutdownSending()
        }
    }

    private func armIdleTimer(_ idle: Duration) {
        idleTimer = loop.schedule(after: idle - (Clock.now - lastActivity)) { [unowned self] in
            if Clock.now - lastActivity >= idle { end(nil) } else { armIdleTimer(idle) }
        }
    }

    // MARK: Moving a UDP client to the next address

    /// Keeps copies of what is sent until the peer answers or stays quiet for a second.
    func keepSentDatagrams() {
        keeping = true
        toPeer?.onWritten = { [unowned self] datagram in keep(datagram) }
        fromPeer.onWritten = { [unowned self] _ in stopKeeping() }
    }

    private func keep(_ datagram: UnsafeRawBufferPointer) {
        guard keeping, keptBytes + datagram.count <= 256 * 1024 else { return }
        kept.append(Array(datagram))
        keptBytes += datagram.count
        loop.cancel(keepTimer)
        keepTimer = loop.schedule(after: .seconds(1)) { [unowned self] in stopKeeping() }
    }

    private func stopKeeping() {
        keeping = false
        kept = []
        keptBytes = 0
        loop.cancel(keepTimer)
        toPeer?.onWritten = nil
        fromPeer.onWritten = nil
    }

    private func move(to next: Peer) {
        loop.remove(socketWatch)
        peer.socket.close()
        peer = next
        socketWatch = loop.watch(next.socket.descriptor)
        fromPeer.cancel()
        receivedFromEarlierPeers += fromPeer.bytesMoved
        fromPeer = Relay.makeReceiver(peer: next, watch: socketWatch, streams: streams, configuration)
        toPeer?.redirect(to: socketWatch)
        wire()
        for datagram in kept {
            datagram.withUnsafeBytes { _ = try? next.socket.send($0) }
        }
        fromPeer.start()
    }

    /// Stops everything and closes the socket; stdin and stdout stay open for a next peer.
    private func end(_ failure: Failure?) {
        guard !ended else { return }
        ended = true
        loop.cancel(idleTimer)
        loop.cancel(quitTimer)
        loop.cancel(keepTimer)
        toPeer?.cancel()
        fromPeer.cancel()
        loop.remove(socketWatch)
        peer.socket.close()
        onEnd(failure)
    }
}
