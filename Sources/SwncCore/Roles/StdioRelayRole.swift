/// netcat's own role: the peer's bytes go to stdout and stdin's go to the peer, one peer at a
/// time (with -k, the next peer once this one is done).
final class StdioRelayRole: Role {
    let concurrentPeers: Int? = 1
    private let loop: EventLoop
    private let streams: StandardStreams
    private let local: LocalSide
    private let configuration: Configuration
    private let report: Reporter
    private var relay: Relay?
    private var progress: ProgressDisplay?

    init(loop: EventLoop, streams: StandardStreams, configuration: Configuration, report: @escaping Reporter) {
        self.loop = loop
        self.streams = streams
        local = streams.localSide(configuration)
        self.configuration = configuration
        self.report = report
    }

    func serve(_ connection: Connection, ended: @escaping (Relay.Ending) -> Void) {
        relay(Relay.Peer(stream: connection.stream, isDatagram: connection.isDatagram), ended: ended)
    }

    /// Relays with `peer` (also a UDP listener's first sender, whose first datagram is
    /// `firstData`).
    func relay(_ peer: Relay.Peer, firstData: UnsafeRawBufferPointer? = nil, ended: @escaping (Relay.Ending) -> Void) {
        let peer = PeerStreamStack.build(over: peer, configuration, alreadyReceived: firstData == nil ? 0 : 1)
        let relay = Relay(loop: loop, local: local, configuration: configuration, peer: peer) { [unowned self] ending in
            progress?.stop()
            if let totals = self.relay?.totals { report(totals) }
            self.relay = nil
            progress = nil
            ended(ending)
        }
        relay.onWarning = { [report] in report(.warning($0)) }
        self.relay = relay
        relay.start(firstData: firstData)
        if self.relay != nil { progress = ProgressDisplay(configuration, loop: loop) { relay.totals } }
    }
}
