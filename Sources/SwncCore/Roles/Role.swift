/// A connected peer, as a role receives it.
struct Connection {
    /// The peer: the socket, or the TLS session over it, with the session logs' tap.
    let stream: ByteStream
    let isDatagram: Bool
    /// The peer's socket, for its addresses (an exec child's environment); the stream owns it.
    let socket: Socket
    /// The peer's address as -v shows it (a UNIX peer: the listener's path).
    let shownAddress: SocketAddress
}

/// What a connected peer is handed to: the stdio relay, the echo, and later an exec child or
/// the broker. The acceptor (or the client) makes the connection; the role serves it.
protocol Role: AnyObject {
    /// Peers served at once; nil for no limit. The stdio relay serves one at a time, as
    /// netcat's -k does.
    var concurrentPeers: Int? { get }

    /// Serves one peer, and calls `ended` once when its connection is over (and closed).
    func serve(_ connection: Connection, ended: @escaping (Relay.Ending) -> Void)
}
