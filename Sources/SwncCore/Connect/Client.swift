/// `swnc host port`, `swnc -u host port`, `swnc -U path`: connect, then relay until done.
public enum Client {
    public static func run(_ configuration: Configuration, report: @escaping Reporter) throws {
        let (peer, laterAddresses) = try Connecting.open(configuration, report: report)
        let loop = try EventLoop()
        let streams = StandardStreams(loop: loop)
        let relay = Relay(loop: loop, streams: streams, configuration: configuration, peer: peer) { failure in
            if let failure { loop.fail(failure) } else { loop.stop() }
        }
        if peer.isDatagram, !laterAddresses.isEmpty {
            var remaining = laterAddresses[...]
            relay.keepSentDatagrams()
            relay.onRefused = {
                while let next = remaining.popFirst() {
                    guard let peer = try? Connecting.connect(to: next, host: configuration.host ?? "", configuration) else { continue }
                    report(.connected(host: configuration.host ?? "", address: next, transport: configuration.transport))
                    return peer
                }
                return nil
            }
        }
        defer { report(.transferred(sent: relay.totals.sent, received: relay.totals.received)) }
        try loop.run()
    }
}
