import Glibc

/// The data path between a peer and the local side (stdin and stdout, or an exec child): a
/// pump each way and one end rule, checked in one place (`checkDone`). The relay is done when
/// both directions are: the peer's end of file has reached the local side, and the local input
/// has ended (or can no longer be sent). Until then a peer that only half-closed still gets
/// what the local side has.
final class Relay {
    /// The connected peer, as a stream, and how to speak of it.
    struct Peer {
        var stream: ByteStream
        var isDatagram: Bool
        var name: String { stream.name }
    }

    /// How the relay ends besides the end rule: the options that shape it.
    struct Policy {
        /// -N (and -q 0): shut down sending to the peer once the local input has ended.
        var halfCloseWhenInputEnds = false
        /// -q secs: after the local input ended, quit swnc this much later.
        var quitDelay: Duration?
        /// --idle-timeout, or -w on a client: a connection on which nothing moves for this
        /// long ends.
        var idleTimeout: Duration?
        /// --send-only: done once the input is sent, whatever the peer does.
        var endsWithInput = false
        /// -W: once the peer's packets are in (its stream ends), swnc is done, whatever stdin
        /// still has (nc.openbsd stops reading both).
        var quitsWhenPeerEnds = false

        /// `-q 0` waits for a stream peer to close, as -N does (`echo cmd | nc -q0 host port`
        /// expects the reply); a datagram peer never closes, so there it quits at once.
        init(_ configuration: Configuration, isDatagram: Bool) {
            let waitsForPeer = configuration.quitDelay == .zero && !isDatagram
            halfCloseWhenInputEnds = configuration.halfCloseOnInputEnd || waitsForPeer
            quitDelay = waitsForPeer ? nil : configuration.quitDelay
            idleTimeout = configuration.idleTimeout ?? (configuration.mode == .connect ? configuration.timeout : nil)
            endsWithInput = configuration.sendOnly
            quitsWhenPeerEnds = configuration.receiveLimit != nil
        }
    }

    /// How a relay ended.
    enum Ending {
        /// Both directions are done, or the peer went away (a reset, an idle timeout).
        case finished
        /// -q ran out, or stdout was closed by its reader: swnc as a whole is done.
        case quit
        /// An error of this connection.
        case failed(Failure)
    }

    private static let streamCapacity = 128 * 1024
    /// The pipes of the one relay of stdin and stdout: 1 MiB (the most fs.pipe-max-size lets a
    /// user ask for by default), so that a bulk stream moves in fewer, larger splices. An exec
    /// child's relay, one per connection, keeps pipes of the stream capacity: a user's pipes
    /// together are limited (fs.pipe-user-pages-soft).
    private static func pipeCapacity(for local: LocalSide) -> Int? {
        local.passesEndOfFile ? nil : 1 << 20
    }
    /// What one read of stdin sends as a datagram: OpenBSD netcat's size, which its receivers
    /// take whole.
    private static let largestDatagramSent = 16384

    private let loop: EventLoop
    private let local: LocalSide
    private var policy: Policy
    private let largestDatagram: Int
    private var peer: Peer
    private var fromPeer: Pump
    private var toPeer: Pump?
    private var peerDone = false
    private var inputDone: Bool
    private var idleTimer: EventLoop.TimerID?
    private var quitTimer: EventLoop.TimerID?
    private var lastActivity = Clock.now
    private let startedAt = Clock.now
    private var ended = false
    private let onEnd: (Ending) -> Void
    /// Bytes written to stdout from peers left behind (a UDP client's refused addresses);
    /// the stdin pump follows the client from peer to peer, so it counts all that was sent.
    private var receivedFromEarlierPeers = 0
    /// Bytes sent to the peer and received from it so far, and since when (--stats, -vv,
    /// --progress).
    var totals: Event {
        .transferred(sent: toPeer?.bytesMoved ?? 0, received: receivedFromEarlierPeers + fromPeer.bytesMoved,
                     elapsed: Clock.now - startedAt)
    }

    /// A datagram relay that has somewhere else to go when the peer answers "port unreachable".
    var onRefused: (() -> Peer?)?
    /// Reports what does not end swnc (a reset, with -v).
    var onWarning: (Failure) -> Void = { _ in }
    private var keeper: DatagramKeeper?

    init(loop: EventLoop, local: LocalSide, configuration: Configuration, peer: Peer,
         onEnd: @escaping (Ending) -> Void) {
        self.loop = loop
        self.local = local
        self.peer = peer
        self.onEnd = onEnd
        policy = Policy(configuration, isDatagram: peer.isDatagram)
        largestDatagram = configuration.largestDatagram
        fromPeer = Relay.receiver(for: peer, local: local, largestDatagram: largestDatagram)
        inputDone = local.input == nil || local.inputEnded
        if !inputDone, let input = local.input {
            toPeer = Pump(from: input, to: peer.stream,
                          capacity: !peer.isDatagram ? Relay.streamCapacity : local.passesEndOfFile ? largestDatagram : Relay.largestDatagramSent,
                          pipeCapacity: Relay.pipeCapacity(for: local), keepsMessages: peer.isDatagram)
        }
    }

    /// Starts moving bytes; `firstData` arrived before the relay (a UDP listener's first
    /// datagram, what a proxy sent right after its reply).
    func start(firstData: UnsafeRawBufferPointer? = nil) {
        wire()
        toPeer?.start()
        fromPeer.start()
        if let idle = policy.idleTimeout { armIdleTimer(idle) }
        if let firstData { fromPeer.preload(firstData) }
    }

    private static func receiver(for peer: Peer, local: LocalSide, largestDatagram: Int) -> Pump {
        Pump(from: peer.stream, to: local.output,
             capacity: peer.isDatagram ? largestDatagram : streamCapacity, pipeCapacity: pipeCapacity(for: local),
             keepsMessages: peer.isDatagram)
    }

    private func wire() {
        fromPeer.onProgress = { [unowned self] in lastActivity = Clock.now }
        fromPeer.onFinished = { [unowned self] in
            peerDone = true
            if local.passesEndOfFile { local.output.shutdownSending() }
            if policy.quitsWhenPeerEnds { return end(.quit) }
            checkDone()
        }
        fromPeer.onFailure = { [unowned self] error, side in
            side == .source ? peerFailed(error, sending: false) : outputFailed(error)
        }
        guard let toPeer else { return }
        toPeer.onProgress = { [unowned self] in lastActivity = Clock.now }
        toPeer.onFinished = { [unowned self] in inputEnded() }
        toPeer.onFailure = { [unowned self] error, side in
            side == .sink ? peerFailed(error, sending: true) : inputFailed(error)
        }
    }

    /// The one end rule: done when the peer's end of file is written out and the input is over.
    private func checkDone() {
        if peerDone, inputDone { end(.finished) }
    }

    private func inputEnded() {
        local.inputEnded = true
        inputDone = true
        if policy.halfCloseWhenInputEnds || policy.quitDelay != nil || local.passesEndOfFile, !peer.isDatagram {
            peer.stream.shutdownSending()
        }
        if let delay = policy.quitDelay {
            quitTimer = loop.schedule(after: delay) { [unowned self] in end(.quit) }
        }
        if policy.endsWithInput { return end(.finished) }
        checkDone()
    }

    /// Ends the relay once all of the local input has been sent (an exec child exited: what
    /// it wrote still goes out, and the connection is then over).
    func endOnceInputIsSent() {
        policy.endsWithInput = true
        if inputDone { end(.finished) }
    }

    /// Reading from or sending to the peer failed.
    private func peerFailed(_ error: Error, sending: Bool) {
        let failure = error as? Failure ?? Failure("\(sending ? "write to" : "read from") \(peer.name)", error)
        guard let error = error as? Errno else { return end(.failed(failure)) }
        if error == .connectionRefused, peer.isDatagram {
            if let next = onRefused?() { return move(to: next) }
            // Fire-and-forget UDP to a port nobody listens on is not an error to scripts.
            onWarning(failure)
            return end(.finished)
        }
        guard error == .connectionReset || error == .brokenPipe else { return end(.failed(failure)) }
        // The peer went away: what it sent before still goes out, and nothing more is sent.
        if error == .connectionReset { onWarning(failure) }
        // An exec child's connection ends when the peer resets (SPEC.md), even with bytes for a
        // child that does not read: it would hold the connection, and the child, forever.
        if local.passesEndOfFile, error == .connectionReset { return end(.finished) }
        toPeer?.cancel()
        inputDone = true
        if sending { checkDone() } else { fromPeer.endSource() }
    }

    /// Reading the local input failed. An exec child that exits before reading all it was
    /// sent resets its socketpair: that is the end of its output, not an error.
    private func inputFailed(_ error: Error) {
        if local.passesEndOfFile, error as? Errno == .connectionReset, let toPeer { return toPeer.endSource() }
        end(.failed(error as? Failure ?? Failure("read from \(local.input?.name ?? "stdin")", error)))
    }

    /// Writing to the local output failed; a reader that closed stdout (EPIPE) ends swnc
    /// quietly. An exec child that is gone ends only this direction: what it wrote before
    /// still goes out.
    private func outputFailed(_ error: Error) {
        let errno = error as? Errno
        if local.passesEndOfFile, errno == .brokenPipe || errno == .connectionReset {
            peerDone = true
            return checkDone()
        }
        end(errno == .brokenPipe ? .quit : .failed(error as? Failure ?? Failure("write to \(local.output.name)", error)))
    }

    private func armIdleTimer(_ idle: Duration) {
        idleTimer = loop.schedule(after: idle - (Clock.now - lastActivity)) { [unowned self] in
            if Clock.now - lastActivity >= idle { end(.finished) } else { armIdleTimer(idle) }
        }
    }

    // MARK: Moving a UDP client to the next address

    /// Keeps copies of what is sent until the peer answers or stays quiet for a second.
    func keepSentDatagrams() {
        let keeper = DatagramKeeper(loop: loop)
        self.keeper = keeper
        toPeer?.onWritten = { [unowned keeper] datagram in keeper.keep(datagram) }
        fromPeer.onWritten = { [unowned self] _ in stopKeeping() }
        keeper.onExpired = { [unowned self] in stopKeeping() }
    }

    private func stopKeeping() {
        keeper?.clear()
        keeper = nil
        toPeer?.onWritten = nil
        fromPeer.onWritten = nil
    }

    private func move(to next: Peer) {
        fromPeer.cancel()
        receivedFromEarlierPeers += fromPeer.bytesMoved
        peer.stream.close()
        peer = next
        fromPeer = Relay.receiver(for: next, local: local, largestDatagram: largestDatagram)
        toPeer?.redirect(to: next.stream)
        wire()
        if let keeper { fromPeer.onWritten = { [unowned self] _ in stopKeeping() }; keeper.resend(to: next.stream) }
        fromPeer.start()
    }

    /// Stops everything and closes the peer; the local side stays open (stdin and stdout serve
    /// the next peer of -k; an exec child's stream is its role's to close).
    private func end(_ ending: Ending) {
        guard !ended else { return }
        ended = true
        loop.cancel(idleTimer)
        loop.cancel(quitTimer)
        keeper?.clear()
        toPeer?.cancel()
        fromPeer.cancel()
        peer.stream.close()
        onEnd(ending)
    }
}
