import Glibc

/// Connecting through a proxy: the handshake on a socket already connected to the proxy.
public enum Proxy {
    /// Asks the proxy of `settings` for a tunnel to `host` port `port` over `socket` (connected
    /// to the proxy, non-blocking), waiting with poll(2) until `deadline` (a `Clock.now` instant;
    /// nil: for ever). Blocks: it runs before the event loop. Returns the bytes the proxy sent
    /// after its reply, which start the tunnelled stream. Throws a one-line `Failure`.
    public static func handshake(over socket: Socket, settings: ProxySettings, password: String?,
                                 destination host: String, port: UInt16, deadline: Duration?) throws -> [UInt8] {
        let proxy = ProxyEndpoint(host: settings.host, port: settings.effectivePort)
        var handshake: any ProxyHandshake = switch settings.kind {
        case .socks4: try Socks4Handshake(proxy: proxy, destination: host, port: port, user: settings.user)
        case .socks5: try Socks5Handshake(proxy: proxy, destination: host, port: port, user: settings.user, password: password)
        case .httpConnect: try HTTPConnectHandshake(proxy: proxy, destination: host, port: port, user: settings.user, password: password)
        }
        let channel = Channel(socket: socket, proxy: proxy, deadline: deadline)
        var step = ProxyStep.send(handshake.request)
        while true {
            switch step {
            case .send(let bytes):
                try channel.send(bytes)
                step = try handshake.feed([])
            case .needMore:
                guard let bytes = try channel.receive() else {
                    throw proxy.handshakeFailure("connection closed in the middle of the \(handshake.protocolName) reply")
                }
                step = try handshake.feed(bytes)
            case .done(let leftover):
                return leftover
            }
        }
    }

    /// Blocking sends and receives on the non-blocking socket, under the deadline.
    private struct Channel {
        let socket: Socket
        let proxy: ProxyEndpoint
        let deadline: Duration?

        func send(_ bytes: [UInt8]) throws {
            var sent = 0
            while sent < bytes.count {
                let count = try failing { try bytes[sent...].withUnsafeBytes { try socket.send($0) } }
                if let count { sent += count } else { try wait(for: POLLOUT) }
            }
        }

        /// What the proxy sent next; nil at end of file.
        func receive() throws -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = try failing { try buffer.withUnsafeMutableBytes { try socket.descriptor.read(into: $0) } }
                guard let count else { try wait(for: POLLIN); continue }
                return count == 0 ? nil : Array(buffer[..<count])
            }
        }

        private func wait(for events: Int32) throws {
            guard try failing({ try socket.descriptor.wait(for: events, until: deadline) }) else {
                throw proxy.handshakeFailure("timed out")
            }
        }

        /// A system call's error as the handshake's failure, e.g. "Connection reset by peer".
        private func failing<Result>(_ body: () throws -> Result) throws -> Result {
            do { return try body() } catch { throw proxy.handshakeFailure("\(error)") }
        }
    }
}

extension ProxySettings {
    /// Whether the handshake needs a password: SOCKS4 sends the user name alone.
    public var needsPassword: Bool { user != nil && kind != .socks4 }
}
