/// SOCKS4, and SOCKS4a when the destination is a name: one CONNECT request, one 8-byte reply.
struct Socks4Handshake: ProxyHandshake {
    let protocolName = "SOCKS4"
    let request: [UInt8]
    private let proxy: ProxyEndpoint
    private var received: [UInt8] = []

    /// `user` is sent as the USERID (SOCKS4 has no password).
    init(proxy: ProxyEndpoint, destination host: String, port: UInt16, user: String?) throws {
        self.proxy = proxy
        let userID = Array((user ?? "").utf8) + [0]
        let connect: [UInt8] = [4, 1] + port.bigEndianBytes
        switch ProxyDestination(host) {
        case .ipv4(let address):
            request = connect + address + userID
        case .name(let name):
            // SOCKS4a: the address 0.0.0.1 says the name follows the USERID.
            request = connect + [0, 0, 0, 1] + userID + Array(name.utf8) + [0]
        case .ipv6:
            throw proxy.handshakeFailure("SOCKS4 cannot carry the IPv6 address \(host) (SOCKS5 can)")
        }
    }

    mutating func feed(_ bytes: [UInt8]) throws -> ProxyStep {
        received += bytes
        guard let version = received.first else { return .needMore }
        // The reply's version is 0; some servers send 4, which nc.openbsd accepts too.
        guard version == 0 || version == 4 else {
            throw proxy.handshakeFailure("SOCKS4 reply version \(version), expected 0")
        }
        guard received.count >= 2 else { return .needMore }
        let code = received[1]
        guard code == 90 else { throw proxy.refusal("SOCKS4 reply \(code) (\(Self.meaning(of: code)))") }
        guard received.count >= 8 else { return .needMore }
        return .done(leftover: Array(received[8...]))
    }

    /// The words of the SOCKS4 protocol for its reply codes.
    static func meaning(of code: UInt8) -> String {
        switch code {
        case 91: "request rejected or failed"
        case 92: "request rejected because SOCKS server cannot connect to identd on the client"
        case 93: "request rejected because the client program and identd report different user-ids"
        default: "not a SOCKS4 reply code"
        }
    }
}
