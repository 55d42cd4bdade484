/// `swnc host port`, `swnc -u host port`, `swnc -U path`: connect, then relay stdin and stdout
/// (or, with -e / -c, a child) until done.
public enum Client {
    public static func run(_ configuration: Configuration, report: @escaping Reporter) throws {
        let logs = try SessionLogs(configuration)
        let (connected, laterAddresses) = try Connecting.open(configuration, report: report)
        let loop = try EventLoop()
        var peer = try connected.peer(on: loop)
        peer.stream = logs.tap(peer.stream)
        var failure: Failure?
        if configuration.exec != nil {
            // The child talks to the server; swnc exits when the connection ends.
            let role = ExecRole(loop: loop, configuration: configuration, report: report)
            var over = false  // a program that cannot start ends the connection before the loop runs
            role.run(for: peer, socket: connected.socket.descriptor) { ending in
                if case .failed(let error) = ending { failure = error }
                over = true
                loop.stop()
            }
            if !over { try withExtendedLifetime(role) { try loop.run() } }
            if let failure { throw failure }
            return
        }
        let streams = try StandardStreams(loop: loop)
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
                    guard let connected = try? Connecting.connect(to: next, host: configuration.host ?? "", configuration),
                          let peer = try? connected.peer(on: loop) else { continue }
                    report(.connected(host: configuration.host ?? "", address: next, transport: configuration.transport))
                    return peer
                }
                return nil
            }
        }
        relay.start()
        let progress = ProgressDisplay(configuration, loop: loop) { relay.totals }
        defer {
            progress?.stop()
            report(relay.totals)
        }
        try loop.run()
        if let failure { throw failure }
    }
}
