import Glibc

/// How errors name a peer: "127.0.0.1 port 5566", or the path of a UNIX-domain address.
enum PeerName {
    static func of(_ address: SocketAddress) -> String {
        address.family == AF_UNIX ? address.host : "\(address.host) port \(address.port)"
    }
}
