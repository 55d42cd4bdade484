/// A client through a proxy (-x, -X, -P): connect to the proxy as to any destination, then ask
/// it for a tunnel to the real one, whose name the proxy resolves (unless it is numeric).
enum ProxiedConnecting {
    /// The tunnel as the client's connected socket; what the proxy sent right after its reply is
    /// its `firstData`. -w bounds connecting and the handshake together.
    static func open(_ configuration: Configuration, through proxy: ProxySettings, report: Reporter) throws -> ConnectedSocket {
        let host = configuration.host ?? ""
        let port = configuration.port
        // Asked before the clock starts: a person typing is not a slow proxy.
        let password = proxy.needsPassword ? try ProxyPassword.read(user: proxy.user ?? "") : nil
        let deadline = configuration.timeout.map { Clock.now + $0 }
        var toProxy = configuration
        toProxy.proxy = nil
        toProxy.host = proxy.host
        toProxy.ports = [proxy.effectivePort]
        let (connected, _) = try Connecting.open(toProxy) { event in
            // "Connection to" is said of the destination, once the tunnel is up.
            if case .warning = event { report(event) }
        }
        do {
            let leftover = try Proxy.handshake(over: connected.socket, settings: proxy, password: password,
                                               destination: host, port: port, deadline: deadline)
            report(.tunnelled(host: host, port: port))
            return ConnectedSocket(socket: connected.socket, name: "\(host) port \(port) (tcp) through \(connected.name)",
                                   isDatagram: false, firstData: leftover)
        } catch {
            connected.socket.close()
            throw error
        }
    }
}
