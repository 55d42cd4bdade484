/// The peer's stream as a relay sees it: the connected socket under the filters the command
/// line asks for, in one place for the client and the listener. -t answers and strips telnet
/// negotiation; -W ends the stream after a count of packets received. (Other layers over the
/// socket, such as TLS and the session logs, belong here too.)
enum PeerStreamStack {
    /// `socket` wrapped as `configuration` says; `alreadyReceived` packets came before the
    /// stream (a UDP listener's first datagram), and count towards -W.
    static func build(over socket: ByteStream, _ configuration: Configuration, alreadyReceived: Int = 0) -> ByteStream {
        var stream = socket
        if configuration.telnet { stream = TelnetStream(wrapping: stream) }
        if let limit = configuration.receiveLimit {
            stream = ReceiveLimitStream(wrapping: stream, limit: limit, alreadyReceived: alreadyReceived)
        }
        return stream
    }

    /// A relay's peer with the stack over its stream.
    static func build(over peer: Relay.Peer, _ configuration: Configuration, alreadyReceived: Int = 0) -> Relay.Peer {
        Relay.Peer(stream: build(over: peer.stream, configuration, alreadyReceived: alreadyReceived),
                   isDatagram: peer.isDatagram)
    }
}
