/// `swnc -l --broker` and `--chat`: every peer on the one loop; what a peer sends goes to every
/// other peer, what stdin gives goes to all of them, nothing goes to stdout. With chat, each
/// peer's text is named `<userN> ` and escaped, and joins and leaves are announced.
///
/// A read is written at once to each receiver with nothing queued; what a receiver's socket
/// does not take is one chunk, shared by all such receivers and written as each socket allows.
/// A sender is read at the pace of its fastest receiver (while the shortest of their queues is
/// under `paceLimit`), not of its slowest: a receiver that falls more than `queueLimit` behind
/// is disconnected, so one slow reader neither stalls the others (as ncat's broker does) nor
/// grows the broker. stdin is a sender like the peers, read only while some peer is there to get
/// it; its end of file ends nothing (as ncat).
final class BrokerRole: Role {
    static let queueLimit = 1 << 20
    static let paceLimit = 256 * 1024
    /// A read costs a write and a wake-up per receiver: 64 KiB reads took twice the CPU per
    /// byte delivered to 100 receivers. At most a quarter of `queueLimit`, so that a receiver
    /// is dropped only once it is several reads behind (with 512 KiB reads a busy machine
    /// dropped a receiver of the benchmark).
    static let readSize = 256 * 1024
    /// --max-conns is the acceptor's: it closes the peers past the limit at once.
    let concurrentPeers: Int? = nil
    private let loop: EventLoop
    /// nil with -d.
    private let standardStreams: StandardStreams?
    private let chat: Bool
    private let report: Reporter
    /// In arrival order.
    private var peers: [BrokerPeer] = []
    private var lastUser = 0
    private var inputOpen: Bool
    /// stdin's text in chat: user 0, as ncat names it.
    private var inputLine = ChatText.LineState()
    /// In chat, the user (0: stdin) whose last line the others have not seen the end of.
    private var unfinishedUser: Int?
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 16)

    init(loop: EventLoop, standardStreams: StandardStreams?, configuration: Configuration,
         report: @escaping Reporter) {
        self.loop = loop
        self.standardStreams = standardStreams
        chat = configuration.chat
        self.report = report
        inputOpen = standardStreams != nil
        standardStreams?.input.onReadable = { [unowned self] in receiveInput() }
    }

    deinit {
        for peer in peers { peer.stream.close() }
        scratch.deallocate()
    }

    func serve(_ connection: Connection, ended: @escaping (Relay.Ending) -> Void) {
        lastUser += 1
        let peer = BrokerPeer(connection: connection, user: lastUser, ended: ended)
        peer.stream.onReadable = { [unowned self, unowned peer] in receive(from: peer) }
        peer.stream.onWritable = { [unowned self, unowned peer] in send(to: peer) }
        if chat {
            let address = connection.shownAddress
            fanOutChat(ChatText.joined(user: peer.user, host: address.host, port: address.port), from: peer, user: nil)
        }
        peers.append(peer)
        updateReading()
    }

    private func receive(from peer: BrokerPeer) {
        do {
            switch try peer.stream.read(into: scratch) {
            case .bytes(let count):
                peer.readWaitsFor = .readable
                let bytes = UnsafeRawBufferPointer(rebasing: scratch[..<count])
                if chat {
                    fanOutChat(ChatText.message(from: peer.user, bytes, line: &peer.line), from: peer, user: peer.user,
                               lineEnded: peer.line.atLineStart)
                } else {
                    fanOut(bytes, from: peer)
                }
            case .endOfFile:
                leave(peer)
            case .wouldBlock(let readiness):
                peer.readWaitsFor = readiness
                peer.stream.waitToRead(readiness)
            }
        } catch {
            leave(peer)  // a reset: the peer is gone
        }
    }

    private func send(to peer: BrokerPeer) {
        let queuedBefore = peer.queue.count
        do {
            peer.stream.waitToWrite(try peer.queue.send(to: peer.stream))
        } catch {
            return leave(peer)  // EPIPE, a reset: the peer is gone
        }
        // Only a queue that drops under the pace limit can let a sender be read again; a pass
        // over every peer on each write was 7 % of the broker's time with 100 receivers.
        if queuedBefore >= BrokerRole.paceLimit, peer.queue.count < BrokerRole.paceLimit { updateReading() }
    }

    private func receiveInput() {
        guard let input = standardStreams?.input else { return }
        do {
            switch try input.read(into: scratch) {
            case .bytes(let count):
                let bytes = UnsafeRawBufferPointer(rebasing: scratch[..<count])
                if chat {
                    fanOutChat(ChatText.message(from: 0, bytes, line: &inputLine), from: nil, user: 0,
                               lineEnded: inputLine.atLineStart)
                } else {
                    fanOut(bytes, from: nil)
                }
            case .endOfFile:
                inputOpen = false
            case .wouldBlock:
                break
            }
        } catch {
            inputOpen = false
            report(.warning(Failure("read from stdin", error)))
        }
        updateReading()
    }

    /// Sends `bytes` to every peer but `sender`: at once to a receiver with nothing queued, and
    /// what a socket does not take is queued, copied once into a chunk they all share. A peer
    /// that cannot take them is dropped.
    private func fanOut(_ bytes: UnsafeRawBufferPointer, from sender: BrokerPeer?) {
        guard !bytes.isEmpty else { return }
        var chunk: SharedChunk?
        var overflowing: [BrokerPeer] = [], gone: [BrokerPeer] = []
        for receiver in peers where receiver !== sender && receiver.isPresent {
            let wasIdle = receiver.queue.isEmpty
            var sent = 0, waitFor = Readiness.writable
            if wasIdle {
                do {
                    switch try receiver.stream.write(bytes) {
                    case .wrote(let count): sent = count
                    case .wouldBlock(let readiness): waitFor = readiness
                    }
                } catch {
                    gone.append(receiver)  // EPIPE, a reset
                    continue
                }
                if sent == bytes.count { continue }
            }
            let shared = chunk ?? SharedChunk(Array(bytes))
            chunk = shared
            receiver.queue.append(shared, sent: sent)
            if receiver.queue.count > BrokerRole.queueLimit {
                overflowing.append(receiver)
            } else if wasIdle {
                receiver.stream.waitToWrite(waitFor)
            }
        }
        // Gone or dropped once every receiver has the bytes: the announcement of a leave (and
        // the end of an unfinished chat line before it) comes after them for all alike.
        for receiver in gone { leave(receiver) }
        for receiver in overflowing where receiver.isPresent {  // an announcement may have dropped it
            report(.brokerPeerDropped(peer: receiver.shownAddress, queueLimit: BrokerRole.queueLimit))
            leave(receiver)
        }
        updateReading()
    }

    /// Fans out chat text of `user` (nil: an announcement). A line another user left unfinished
    /// is ended first, and that user's next byte starts a new prefixed line: text from two
    /// peers never shares a line, so every line the others see names who wrote it.
    private func fanOutChat(_ text: [UInt8], from sender: BrokerPeer?, user: Int?, lineEnded: Bool = true) {
        if let unfinished = unfinishedUser, unfinished != user { endLine(of: unfinished) }
        // Set before the fan-out, which may drop a receiver and announce it.
        unfinishedUser = lineEnded ? nil : user
        text.withUnsafeBytes { fanOut($0, from: sender) }
    }

    /// Ends `user`'s unfinished line for those who saw its start.
    private func endLine(of user: Int) {
        unfinishedUser = nil
        let speaker = peers.first { $0.user == user }
        if user == 0 { inputLine = ChatText.LineState() }
        speaker?.line = ChatText.LineState()
        [UInt8(ascii: "\n")].withUnsafeBytes { fanOut($0, from: speaker) }
    }

    /// Removes `peer` for good: what was queued for it is dropped.
    private func leave(_ peer: BrokerPeer) {
        guard peer.isPresent else { return }
        peer.isPresent = false
        peer.queue.removeAll()
        peer.stream.close()
        peers.removeAll { $0 === peer }
        updateReading()
        if chat {
            fanOutChat(ChatText.left(user: peer.user), from: nil, user: nil)
        }
        peer.ended(.finished)
    }

    /// Reads each sender only while its fastest receiver has less than `paceLimit` queued (a
    /// peer with no receiver at all is read anyway: its bytes go nowhere). Called whenever a
    /// queue or the set of peers changes.
    private func updateReading() {
        // A peer's fastest receiver has the shortest queue, or the second shortest when the
        // shortest is its own.
        var shortest: (peer: BrokerPeer, count: Int)?
        var secondCount: Int?
        for peer in peers {
            let count = peer.queue.count
            if let first = shortest, first.count <= count {
                secondCount = min(secondCount ?? count, count)
            } else {
                secondCount = shortest?.count
                shortest = (peer, count)
            }
        }
        for peer in peers {
            let fastest = peer === shortest?.peer ? secondCount : shortest?.count
            peer.mayRead = fastest.map { $0 < BrokerRole.paceLimit } ?? true
            peer.stream.waitToRead(peer.mayRead ? peer.readWaitsFor : nil)
            if peer.mayRead, peer.stream.hasBufferedInput { readSoon(peer) }
        }
        let inputPaced = shortest.map { $0.count < BrokerRole.paceLimit } ?? false
        standardStreams?.input.waitToRead(inputOpen && inputPaced ? .readable : nil)
    }

    /// Reads what `peer` holds already (decrypted TLS records), which will not wake its
    /// descriptor: once this turn of the loop is over, so that a fan-out never nests in another.
    private func readSoon(_ peer: BrokerPeer) {
        guard !peer.readPending else { return }
        peer.readPending = true
        loop.schedule(after: .zero) { [weak self, weak peer] in
            guard let self, let peer else { return }
            peer.readPending = false
            if peer.isPresent, peer.mayRead { receive(from: peer) }
        }
    }
}

/// One peer of the broker.
private final class BrokerPeer {
    let stream: ByteStream
    let shownAddress: SocketAddress
    /// Its number in chat, from 1 in arrival order.
    let user: Int
    let ended: (Relay.Ending) -> Void
    /// What the others sent that it has not been sent yet.
    var queue = ChunkQueue()
    /// What its next read waits for (a TLS read may wait for writable).
    var readWaitsFor = Readiness.readable
    /// Its fastest receiver has room: it is read.
    var mayRead = false
    /// A read of its buffered input is scheduled.
    var readPending = false
    /// Where its chat text stands.
    var line = ChatText.LineState()
    var isPresent = true

    init(connection: Connection, user: Int, ended: @escaping (Relay.Ending) -> Void) {
        stream = connection.stream
        shownAddress = connection.shownAddress
        self.user = user
        self.ended = ended
    }
}
