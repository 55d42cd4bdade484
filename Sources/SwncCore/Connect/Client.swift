/// `swnc host port`, `swnc -u host port`, `swnc -U path`: connect, then relay until done.
public enum Client {
    public static func run(_ configuration: Configuration, report: @escaping Reporter) throws {
        let (connected, laterAddresses) = try Connecting.open(configuration, report: report)
        let loop = try EventLoop()
        let streams = try StandardStreams(loop: loop)
        let peer = PeerStreamStack.build(over: try connected.peer(on: loop), configuration)
        var failure: Failure?
        let relay = Relay(loop: loop, local: streams.localSide(configuration), configuration: configuration, peer: peer) { ending in
            if case .failed(let error) = ending { failure = error }
            loop.stop()
        }
        relay.onWarning = { report(.warning($0)) }
        if peer.isDatagram, !laterAddresses.isEmpty {
            var remaining = laterAddresses[...]
            relay.keepSentDatagrams()
            relay.onRefused = {
                while let next = remaining.popFirst() {
                    guard let connected = try? Connecting.connect(to: next, host: configuration.host ?? "", configuration, report: report),
                          let peer = try? connected.peer(on: loop) else { continue }
                    report(.connected(host: configuration.host ?? "", address: next, transport: configuration.transport))
                    return PeerStreamStack.build(over: peer, configuration)
                }
                return nil
            }
        }
        relay.start()
        defer { report(.transferred(sent: relay.totals.sent, received: relay.totals.received)) }
        try loop.run()
        if let failure { throw failure }
    }
}
