import Glibc

/// The sockets a listener serves (`-l`): bound, and listening for stream transports.
enum Listening {
    /// Opens the listening sockets of `configuration` and reports each with -v.
    static func open(_ configuration: Configuration, report: Reporter) throws -> [Socket] {
        let sockets = try configuration.unixDomain
            ? [bindUnix(configuration, report: report)]
            : bindInternet(configuration, report: report)
        for socket in sockets where configuration.socketType == Transport.tcp.socketType {
            try socket.listen()
            report(.listening(try socket.localAddress()))
        }
        if configuration.transport == .udp, !configuration.unixDomain {
            for socket in sockets { report(.bound(try socket.localAddress())) }
        }
        return sockets
    }

    /// No address: one dual-stack socket on `::` (or `0.0.0.0` with -4, `::` only with -6).
    /// An address or name: a socket on each of its addresses, all on the same port.
    private static func bindInternet(_ configuration: Configuration, report: Reporter) throws -> [Socket] {
        var port = configuration.port
        guard let host = configuration.host else {
            let family = configuration.family == AF_INET ? AF_INET : AF_INET6
            do {
                return [try bind(.any(family: family, port: port), configuration, dualStack: configuration.family == AF_UNSPEC, report: report)]
            } catch let error as Errno where error.rawValue == EAFNOSUPPORT && configuration.family == AF_UNSPEC {
                return [try bind(.any(family: AF_INET, port: port), configuration, dualStack: false, report: report)]
            }
        }
        var sockets: [Socket] = []
        for var address in try configuration.resolver.addresses(of: host, port: port, transport: configuration.transport, passive: true) {
            address.port = port
            let socket = try bind(address, configuration, dualStack: false, report: report)
            if port == 0 { port = try socket.localAddress().port }
            sockets.append(socket)
        }
        return sockets
    }

    private static func bind(_ address: SocketAddress, _ configuration: Configuration, dualStack: Bool,
                             report: Reporter) throws -> Socket {
        let socket = try Socket(family: address.family, type: configuration.socketType)
        do {
            try SocketOptions.apply(configuration, to: socket, family: address.family, report: report)
            if configuration.transport == .tcp { try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1) }
            if address.family == AF_INET6 { try socket.setOption(Int32(IPPROTO_IPV6), IPV6_V6ONLY, dualStack ? 0 : 1) }
            try socket.bind(to: address)
            return socket
        } catch {
            socket.close()
            if error is Errno, error as? Errno == Errno(EAFNOSUPPORT) { throw error }
            throw Failure("bind to \(address.host) port \(address.port) (\(configuration.transport.name))", error)
        }
    }

    /// A UNIX-domain listener on `path`. A stale socket file is replaced; a live one, or a file
    /// that is not a socket (symbolic links included), is never touched.
    private static func bindUnix(_ configuration: Configuration, report: Reporter) throws -> Socket {
        let path = configuration.path ?? ""
        let address = try SocketAddress.unix(path: path)
        let socket = try Socket(family: AF_UNIX, type: configuration.socketType)
        do {
            try SocketOptions.apply(configuration, to: socket, family: AF_UNIX, report: report)
            if !SocketAddress.isAbstract(path) { try removeStaleSocketFile(at: path, address: address) }
            try socket.bind(to: address)
        } catch {
            socket.close()
            throw Failure("bind to \(path)", error)
        }
        if !SocketAddress.isAbstract(path) { ProcessCleanup.removeAtExit(path) }
        report(.bound(address))
        return socket
    }

    private static func removeStaleSocketFile(at path: String, address: SocketAddress) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else { throw Failure("File exists and is not a socket") }
        // A datagram "connect" only names the peer: nothing reaches a live socket. A stream
        // probe would be accepted by a live listener as its peer (ending a listener without -k).
        // Linux answers ECONNREFUSED only when no socket is bound to the file; a live socket of
        // another type gives EPROTOTYPE.
        let probe = try Socket(family: AF_UNIX, type: Transport.udp.socketType)
        defer { probe.close() }
        do {
            try probe.connect(to: address, timeout: .seconds(1))
        } catch let error as Errno where error == .connectionRefused {
            unlink(path)
            return
        } catch {}
        throw Errno(EADDRINUSE)
    }

    /// How -v names a peer of `listener`: its address, or for UNIX domain the listener's path,
    /// as OpenBSD netcat does (a UNIX peer's own address is mostly unnamed or abstract).
    static func shownPeer(_ peer: SocketAddress, of listener: Socket, _ configuration: Configuration) -> SocketAddress {
        configuration.unixDomain ? (try? listener.localAddress()) ?? peer : peer
    }
}
