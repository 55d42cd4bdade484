import Glibc

/// A client's connected socket, before the event loop takes it.
struct ConnectedSocket {
    let socket: Socket
    /// "localhost (127.0.0.1) port 80 (tcp)", or the path, for messages.
    let name: String
    let isDatagram: Bool
    /// What the peer sent before the relay took over: the bytes right after a proxy's reply.
    var firstData: [UInt8] = []

    /// The socket as the relay's peer stream on `loop`.
    func peer(on loop: EventLoop) throws -> Relay.Peer {
        Relay.Peer(stream: try stream(on: loop), isDatagram: isDatagram)
    }

    /// The socket as a stream on `loop` (what TLS runs over).
    func stream(on loop: EventLoop) throws -> DescriptorStream {
        do {
            return try DescriptorStream(socket.descriptor, name: name, loop: loop, isDatagram: isDatagram)
        } catch {
            socket.close()
            throw Failure("watch \(name)", error)
        }
    }
}

/// Client sockets: resolve the destination, bind the source (-s, -p), connect (-w bounds it).
enum Connecting {
    /// "localhost (127.0.0.1)" for a name, "127.0.0.1" for a numeric host.
    static func describe(host: String, address: SocketAddress) -> String {
        host == address.host || Resolver.isNumeric(host) ? address.host : "\(host) (\(address.host))"
    }

    /// Connects to the first address of the destination that accepts; with -v, each failure
    /// is reported, and the last one is thrown. A UDP client also gets the addresses after the
    /// one it uses, to move on to when that one answers "port unreachable".
    static func open(_ configuration: Configuration, report: Reporter) throws -> (ConnectedSocket, [SocketAddress]) {
        if configuration.unixDomain { return (try openUnix(configuration, report: report), []) }
        if let proxy = configuration.proxy { return (try ProxiedConnecting.open(configuration, through: proxy, report: report), []) }
        let host = configuration.host ?? ""
        let addresses = try configuration.resolver.addresses(of: host, port: configuration.port, transport: configuration.transport)
        var lastFailure = Failure("connect to \(host)", "no address")
        for (index, address) in addresses.enumerated() {
            do {
                let peer = try connect(to: address, host: host, configuration, report: report)
                report(.connected(host: host, address: address, transport: configuration.transport))
                return (peer, Array(addresses[(index + 1)...]))
            } catch {
                lastFailure = error as? Failure ?? Failure("connect", error)
                if index < addresses.count - 1 { report(.warning(lastFailure)) }
            }
        }
        throw lastFailure
    }

    /// One socket connected to one address (a UDP socket is merely associated with it).
    static func connect(to address: SocketAddress, host: String, _ configuration: Configuration,
                        report: Reporter) throws -> ConnectedSocket {
        let transport = configuration.transport
        let name = "\(describe(host: host, address: address)) port \(address.port) (\(transport.name))"
        let socket = try Socket(family: address.family, type: transport.socketType)
        do {
            try SocketOptions.apply(configuration, to: socket, family: address.family, report: report)
            try bindSource(of: socket, family: address.family, configuration)
            try socket.connect(to: address, timeout: configuration.timeout)
            return ConnectedSocket(socket: socket, name: name, isDatagram: transport == .udp)
        } catch {
            socket.close()
            throw error as? Failure ?? Failure("connect to \(name)", error)
        }
    }

    private static func bindSource(of socket: Socket, family: Int32, _ configuration: Configuration) throws {
        guard configuration.sourceAddress != nil || configuration.sourcePort != nil else { return }
        let port = configuration.sourcePort ?? 0
        var source = SocketAddress.any(family: family, port: port)
        if let host = configuration.sourceAddress {
            var resolver = configuration.resolver
            resolver.family = family
            guard let address = try resolver.addresses(of: host, port: port, transport: configuration.transport, passive: true).first else {
                throw Failure("bind to \(host)", "no address of that family")
            }
            source = address
        }
        do {
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            try socket.bind(to: source)
        } catch {
            throw Failure("bind to \(source.host) port \(port) (\(configuration.transport.name))", error)
        }
    }

    /// -U: a stream socket connected to a path; with -u, a datagram socket bound to -s (or to
    /// a temporary file, so that replies can reach it) and associated with the path.
    private static func openUnix(_ configuration: Configuration, report: Reporter) throws -> ConnectedSocket {
        let path = configuration.path ?? ""
        let address = try SocketAddress.unix(path: path)
        let socket = try Socket(family: AF_UNIX, type: configuration.socketType)
        do {
            try SocketOptions.apply(configuration, to: socket, family: AF_UNIX, report: report)
            if configuration.transport == .udp {
                if let source = configuration.sourceAddress {
                    let sourceAddress = try SocketAddress.unix(path: source)
                    do {
                        try socket.bind(to: sourceAddress)
                    } catch {
                        throw Failure("bind to \(source)", error)  // say which path failed
                    }
                    if !SocketAddress.isAbstract(source) { ProcessCleanup.removeAtExit(source) }
                } else {
                    try TemporarySocketFile.bind(socket, report: report)
                }
            }
            try socket.connect(to: address, timeout: configuration.timeout)
        } catch {
            socket.close()
            throw error as? Failure ?? Failure("connect to \(path)", error)
        }
        return ConnectedSocket(socket: socket, name: path, isDatagram: configuration.transport == .udp)
    }
}
