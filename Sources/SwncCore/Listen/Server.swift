/// `swnc -l`, with `--echo`, `-e` / `-c`, `--broker` / `--chat` or none: opens the listening
/// sockets, then serves them on one event loop: a stream listener hands each peer to the
/// mode's role, a datagram listener serves its senders itself.
public enum Server {
    public static func run(_ configuration: Configuration, report: @escaping Reporter) throws {
        let access = try AccessList(configuration)
        let logs = try SessionLogs(configuration)
        let tls = try configuration.tls.map { try TLSContext(server: $0) }  // a bad certificate fails before binding
        if let fingerprint = tls?.selfSignedFingerprint { report(.tlsCertificate(fingerprint: fingerprint)) }
        let sockets = try Listening.open(configuration, report: report)
        let loop = try EventLoop()
        let worker: AnyObject
        switch (configuration.transport, configuration.echo) {
        case (.udp, true):
            worker = try DatagramEchoServer(configuration, sockets: sockets, loop: loop, access: access, report: report)
        case (.udp, false) where configuration.exec != nil && configuration.keepOpen:
            worker = try DatagramExecServer(configuration, sockets: sockets, loop: loop, access: access, report: report)
        case (.udp, false):
            worker = try DatagramListener(configuration, sockets: sockets, loop: loop, access: access, report: report)
        case (.tcp, true):
            worker = try Acceptor(loop: loop, sockets: sockets, configuration: configuration,
                                  role: EchoRole(loop: loop, idleTimeout: configuration.idleTimeout, report: report), access: access, logs: logs, tls: tls, report: report)
        case (.tcp, false) where configuration.broker || configuration.chat:
            let input = configuration.readsInput ? try StandardStreams(loop: loop) : nil
            let role = BrokerRole(loop: loop, standardStreams: input, configuration: configuration, report: report)
            var brokered = configuration
            brokered.keepOpen = true  // as ncat's broker: peers come and go without -k
            worker = try Acceptor(loop: loop, sockets: sockets, configuration: brokered, role: role,
                                  access: access, logs: logs, tls: tls, report: report)
        case (.tcp, false) where configuration.exec != nil:
            worker = try Acceptor(loop: loop, sockets: sockets, configuration: configuration,
                                  role: ExecRole(loop: loop, configuration: configuration, report: report),
                                  access: access, logs: logs, tls: tls, report: report)
        case (.tcp, false):
            let role = StdioRelayRole(loop: loop, streams: try StandardStreams(loop: loop),
                                      configuration: configuration, report: report)
            worker = try Acceptor(loop: loop, sockets: sockets, configuration: configuration, role: role,
                                  access: access, logs: logs, tls: tls, report: report)
        }
        try withExtendedLifetime(worker) { try loop.run() }
    }
}
