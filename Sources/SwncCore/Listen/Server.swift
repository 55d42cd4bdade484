/// `swnc -l`, with or without `--echo`: opens the listening sockets, then serves them on one
/// event loop with the worker the mode needs.
public enum Server {
    public static func run(_ configuration: Configuration, report: @escaping Reporter) throws {
        let sockets = try Listening.open(configuration, report: report)
        let loop = try EventLoop()
        let worker: AnyObject
        switch (configuration.echo, configuration.transport) {
        case (true, .udp): worker = DatagramEchoServer(configuration, sockets: sockets, loop: loop, report: report)
        case (true, .tcp): worker = EchoServer(configuration, sockets: sockets, loop: loop, report: report)
        case (false, _): worker = Listener(configuration, sockets: sockets, loop: loop, report: report)
        }
        try withExtendedLifetime(worker) { try loop.run() }
    }
}
