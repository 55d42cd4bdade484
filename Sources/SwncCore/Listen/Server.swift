/// `swnc -l`, with or without `--echo`: opens the listening sockets, then serves them on one
/// event loop: a stream listener hands each peer to the mode's role, a datagram listener
/// serves its senders itself.
public enum Server {
    public static func run(_ configuration: Configuration, report: @escaping Reporter) throws {
        let tls = try configuration.tls.map { try TLSContext(server: $0) }  // a bad certificate fails before binding
        if let fingerprint = tls?.selfSignedFingerprint { report(.tlsCertificate(fingerprint: fingerprint)) }
        let sockets = try Listening.open(configuration, report: report)
        let loop = try EventLoop()
        let worker: AnyObject
        switch (configuration.transport, configuration.echo) {
        case (.udp, true):
            worker = try DatagramEchoServer(configuration, sockets: sockets, loop: loop, report: report)
        case (.udp, false):
            worker = try DatagramListener(configuration, sockets: sockets, loop: loop, report: report)
        case (.tcp, true):
            worker = try Acceptor(loop: loop, sockets: sockets, configuration: configuration,
                                  role: EchoRole(report: report), tls: tls, report: report)
        case (.tcp, false):
            let role = StdioRelayRole(loop: loop, streams: try StandardStreams(loop: loop),
                                      configuration: configuration, report: report)
            worker = try Acceptor(loop: loop, sockets: sockets, configuration: configuration, role: role,
                                  tls: tls, report: report)
        }
        try withExtendedLifetime(worker) { try loop.run() }
    }
}
