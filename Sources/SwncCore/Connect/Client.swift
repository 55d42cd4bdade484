/// `swnc host port`, `swnc -u host port`, `swnc -U path`: connect, then relay stdin and stdout
/// (or, with -e / -c, a child) until done. With --ssl, the connected stream is first made a
/// TLS session and handshaken; no byte of stdin is sent before the handshake is done.
public enum Client {
    public static func run(_ configuration: Configuration, report: @escaping Reporter) throws {
        let tls = try configuration.tls.map { try TLSContext(client: $0) }  // a bad trust file fails before connecting
        let logs = try SessionLogs(configuration)
        let (connected, laterAddresses) = try Connecting.open(configuration, report: report)
        if configuration.passDescriptor { return try passToStandardOutput(connected) }
        let loop = try EventLoop()
        let streams = configuration.exec == nil ? try StandardStreams(loop: loop) : nil
        var failure: Failure?
        var over = false  // the connection ended before the loop ran (a program that cannot start)
        func end(_ ending: Relay.Ending) {
            if case .failed(let error) = ending { failure = error }
            over = true
            loop.stop()
        }
        var relay: Relay?
        var exec: ExecRole?
        var progress: ProgressDisplay?
        /// `firstData`: what a proxy sent right after its reply, the start of the stream.
        func serve(_ peer: Relay.Peer, firstData: [UInt8] = []) {
            var peer = peer
            peer.stream = logs.tap(peer.stream)
            peer = PeerStreamStack.build(over: peer, configuration)
            guard let streams else {
                // The child talks to the server; swnc exits when the connection ends.
                let role = ExecRole(loop: loop, configuration: configuration, report: report)
                exec = role
                return firstData.withUnsafeBytes {
                    role.run(for: peer, socket: connected.socket.descriptor, firstData: $0.isEmpty ? nil : $0, ended: end)
                }
            }
            let started = Relay(loop: loop, local: streams.localSide(configuration), configuration: configuration,
                                peer: peer, onEnd: end)
            relay = started
            started.onWarning = { report(.warning($0)) }
            if peer.isDatagram, !laterAddresses.isEmpty {
                var remaining = laterAddresses[...]
                started.keepSentDatagrams()
                started.onRefused = {
                    while let next = remaining.popFirst() {
                        guard let connected = try? Connecting.connect(to: next, host: configuration.host ?? "", configuration, report: report),
                              let peer = try? connected.peer(on: loop) else { continue }
                        report(.connected(host: configuration.host ?? "", address: next, transport: configuration.transport))
                        return PeerStreamStack.build(over: Relay.Peer(stream: logs.tap(peer.stream), isDatagram: true), configuration)
                    }
                    return nil
                }
            }
            firstData.withUnsafeBytes { started.start(firstData: $0.isEmpty ? nil : $0) }
            progress = ProgressDisplay(configuration, loop: loop) { started.totals }
        }
        var session: TLSStream?
        if let tls {
            session = try secure(connected, with: tls, configuration, loop: loop, report: report) { serve($0) }
        } else {
            serve(try connected.peer(on: loop), firstData: connected.firstData)
        }
        defer {
            progress?.stop()
            if let relay { report(relay.totals) }
        }
        if !over { try withExtendedLifetime(exec) { try loop.run() } }
        if let session, session.truncated { report(.tlsTruncated(peer: session.name)) }
        if let failure { throw failure }
    }

    /// The TLS stage: a session with the destination as given (the name verified, and sent as
    /// SNI, unless --ssl-servername), handshaken under -w; the relay starts once it is done.
    /// Over a proxy, `connected` is the tunnel, so TLS runs inside it.
    private static func secure(_ connected: ConnectedSocket, with context: TLSContext, _ configuration: Configuration,
                               loop: EventLoop, report: @escaping Reporter,
                               then serve: @escaping (Relay.Peer) -> Void) throws -> TLSStream {
        // OpenSSL reads the socket itself: bytes a proxy sent after its reply cannot reach it.
        guard connected.firstData.isEmpty else {
            connected.socket.close()
            throw Failure("TLS through the proxy", "\(connected.firstData.count) bytes came before the handshake")
        }
        let host = configuration.host ?? configuration.path ?? ""
        let stream = try connected.stream(on: loop)
        let session: TLSStream
        do {
            session = try TLSStream(client: context, host: host, over: stream,
                                    name: configuration.unixDomain ? host : "\(host) port \(configuration.port)")
        } catch {
            stream.close()
            throw error
        }
        TLSHandshake.start(session, loop: loop, deadline: configuration.timeout) { failure in
            if let failure {
                session.close()
                return loop.fail(failure)
            }
            report(.tlsSession(session.sessionSummary))
            serve(Relay.Peer(stream: session, isDatagram: false))
        }
        return session
    }

    /// -F: the connected socket goes to the process at the other end of stdout, nothing is relayed.
    private static func passToStandardOutput(_ connected: ConnectedSocket) throws {
        defer { connected.socket.close() }
        let action = "pass the connection to stdout"
        guard FileDescriptor.standardOutput.isUnixSocket else { throw Failure(action, "stdout is not a UNIX socket") }
        // Those bytes cannot go along with the descriptor.
        guard connected.firstData.isEmpty else {
            throw Failure(action, "\(connected.firstData.count) bytes came right after the proxy's reply")
        }
        do {
            try connected.socket.sendDescriptor(over: .standardOutput)
        } catch {
            throw Failure(action, error)
        }
    }
}
