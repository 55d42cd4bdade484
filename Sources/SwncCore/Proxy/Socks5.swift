/// SOCKS5 (RFC 1928) CONNECT, with user name and password authentication (RFC 1929) when a
/// user is given: greeting, method selection, [authentication,] request, reply.
struct Socks5Handshake: ProxyHandshake {
    private enum Stage { case methodSelection, authentication, reply }

    private static let noAuthentication: UInt8 = 0
    private static let userAndPassword: UInt8 = 2
    private static let noAcceptableMethod: UInt8 = 0xFF

    let protocolName = "SOCKS5"
    /// The greeting: the methods offered.
    let request: [UInt8]
    private let proxy: ProxyEndpoint
    private let user: String?
    /// RFC 1929's request, when a user is given.
    private let credentials: [UInt8]?
    private let connect: [UInt8]
    private var stage = Stage.methodSelection
    private var received: [UInt8] = []

    init(proxy: ProxyEndpoint, destination host: String, port: UInt16, user: String?, password: String?) throws {
        self.proxy = proxy
        self.user = user
        if let user {
            let name = Array(user.utf8), secret = Array((password ?? "").utf8)
            guard name.count <= 255, secret.count <= 255 else {
                throw proxy.handshakeFailure("SOCKS5 user names and passwords are at most 255 bytes")
            }
            credentials = [1, UInt8(name.count)] + name + [UInt8(secret.count)] + secret
            request = [5, 2, Self.noAuthentication, Self.userAndPassword]
        } else {
            credentials = nil
            request = [5, 1, Self.noAuthentication]
        }
        let address: [UInt8]
        switch ProxyDestination(host) {
        case .ipv4(let bytes): address = [1] + bytes
        case .ipv6(let bytes): address = [4] + bytes
        case .name(let name):
            let bytes = Array(name.utf8)
            guard !bytes.isEmpty, bytes.count <= 255 else {
                throw proxy.handshakeFailure("SOCKS5 carries names of 1 to 255 bytes, not \(bytes.count)")
            }
            address = [3, UInt8(bytes.count)] + bytes
        }
        connect = [5, 1, 0] + address + port.bigEndianBytes
    }

    mutating func feed(_ bytes: [UInt8]) throws -> ProxyStep {
        received += bytes
        switch stage {
        case .methodSelection: return try methodSelection()
        case .authentication: return try authentication()
        case .reply: return try reply()
        }
    }

    private mutating func methodSelection() throws -> ProxyStep {
        guard try hasVersion(5, of: "SOCKS5 method selection"), received.count >= 2 else { return .needMore }
        let method = received[1]
        received.removeFirst(2)
        switch method {
        case Self.noAuthentication:
            stage = .reply
            return .send(connect)
        case Self.userAndPassword where credentials != nil:
            stage = .authentication
            return .send(credentials ?? [])
        case Self.noAcceptableMethod:
            let offered = credentials == nil ? "no authentication" : "no authentication, user name and password"
            throw Failure("\(proxy.name) accepts none of the SOCKS5 authentication methods offered (\(offered))")
        default:
            throw proxy.handshakeFailure("SOCKS5 method \(method) chosen, which was not offered")
        }
    }

    private mutating func authentication() throws -> ProxyStep {
        guard try hasVersion(1, of: "SOCKS5 authentication"), received.count >= 2 else { return .needMore }
        let status = received[1]
        guard status == 0 else {
            throw Failure("\(proxy.name) refused user \(user ?? ""): SOCKS5 authentication status \(status)")
        }
        received.removeFirst(2)
        stage = .reply
        return .send(connect)
    }

    private func reply() throws -> ProxyStep {
        guard try hasVersion(5, of: "SOCKS5"), received.count >= 2 else { return .needMore }
        let code = received[1]
        guard code == 0 else { throw proxy.refusal("SOCKS5 reply \(code) (\(Self.meaning(of: code)))") }
        guard received.count >= 4 else { return .needMore }
        // BND.ADDR, which swnc has no use for, but must skip.
        let addressLength: Int
        switch received[3] {
        case 1: addressLength = 4
        case 4: addressLength = 16
        case 3:
            guard received.count >= 5 else { return .needMore }
            guard received[4] > 0 else { throw proxy.handshakeFailure("SOCKS5 reply with an empty domain name") }
            addressLength = 1 + Int(received[4])
        case let type:
            throw proxy.handshakeFailure("SOCKS5 reply with unknown address type \(type)")
        }
        let length = 4 + addressLength + 2
        guard received.count >= length else { return .needMore }
        return .done(leftover: Array(received[length...]))
    }

    /// Whether the version byte of the reply has come; throws if it is not `expected`.
    private func hasVersion(_ expected: UInt8, of reply: String) throws -> Bool {
        guard let version = received.first else { return false }
        guard version == expected else {
            throw proxy.handshakeFailure("\(reply) reply version \(version), expected \(expected)")
        }
        return true
    }

    /// RFC 1928's words for its reply codes.
    static func meaning(of code: UInt8) -> String {
        switch code {
        case 1: "general SOCKS server failure"
        case 2: "connection not allowed by ruleset"
        case 3: "network unreachable"
        case 4: "host unreachable"
        case 5: "connection refused"
        case 6: "TTL expired"
        case 7: "command not supported"
        case 8: "address type not supported"
        default: "unassigned"
        }
    }
}
