import Glibc

/// What a proxy handshake wants next, after it was fed what the proxy sent.
enum ProxyStep: Equatable {
    /// The reply is not whole yet: read more.
    case needMore
    /// Send these bytes (the next request), then feed on.
    case send([UInt8])
    /// The handshake succeeded; these bytes came right after the reply and start the tunnelled stream.
    case done(leftover: [UInt8])
}

/// The client side of one proxy protocol as a state machine over bytes, without I/O, so that
/// every reply (whole, split, malformed) can be tested without a proxy.
protocol ProxyHandshake {
    /// The protocol as messages name it, e.g. "SOCKS5".
    var protocolName: String { get }
    /// The first request, sent before anything is read.
    var request: [UInt8] { get }
    /// Takes bytes the proxy sent (possibly none, after a `.send`); throws a `Failure` on a
    /// refusal or a malformed reply.
    mutating func feed(_ bytes: [UInt8]) throws -> ProxyStep
}

/// The proxy, as messages name it, and the two kinds of failure they report.
struct ProxyEndpoint {
    let host: String
    let port: UInt16

    var name: String { "proxy \(host) port \(port)" }

    /// The handshake could not be carried out: a malformed reply, a close, a timeout.
    func handshakeFailure(_ reason: String) -> Failure { Failure("handshake with \(name)", reason) }

    /// The proxy answered, and said no.
    func refusal(_ reply: String) -> Failure { Failure("\(name) refused the connection: \(reply)") }
}

/// The destination as a proxy protocol carries it: a numeric address, or a name the proxy resolves.
enum ProxyDestination: Equatable {
    case ipv4([UInt8])
    case ipv6([UInt8])
    case name(String)

    init(_ host: String) {
        if let bytes = Self.numeric(host, family: AF_INET, size: 4) {
            self = .ipv4(bytes)
        } else if let bytes = Self.numeric(host, family: AF_INET6, size: 16) {
            self = .ipv6(bytes)
        } else {
            self = .name(host)
        }
    }

    /// inet_pton(3): the address in network order, nil when `host` is not one of `family`.
    private static func numeric(_ host: String, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        return inet_pton(family, host, &bytes) == 1 ? bytes : nil
    }
}

extension UInt16 {
    /// Network byte order, as every proxy protocol sends ports.
    var bigEndianBytes: [UInt8] { [UInt8(truncatingIfNeeded: self >> 8), UInt8(truncatingIfNeeded: self)] }
}
