import Glibc

/// Names to addresses and ports to service names: getaddrinfo(3), getservbyname(3), getservbyport(3).
public struct Resolver {
    /// AF_UNSPEC, or AF_INET / AF_INET6 for -4 / -6.
    public var family: Int32
    /// -n: numeric hosts only, no DNS.
    public var numericOnly: Bool

    public init(family: Int32 = AF_UNSPEC, numericOnly: Bool = false) {
        self.family = family
        self.numericOnly = numericOnly
    }

    /// Every address of `host` (nil: the wildcard of a listener), in getaddrinfo's order.
    public func addresses(of host: String?, port: UInt16, transport: Transport, passive: Bool = false) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = transport.socketType
        hints.ai_flags = (numericOnly ? AI_NUMERICHOST : 0) | (passive ? AI_PASSIVE : 0) | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            let reason = status == EAI_SYSTEM ? Errno.current.description : String(cString: gai_strerror(status))
            throw Failure("resolve \(host ?? "*")", reason)
        }
        defer { freeaddrinfo(list) }
        var found: [SocketAddress] = []
        for entry in sequence(first: list, next: { $0.pointee.ai_next }) {
            guard let address = entry.pointee.ai_addr else { continue }
            let socketAddress = SocketAddress(copying: address, length: entry.pointee.ai_addrlen)
            if !found.contains(socketAddress) { found.append(socketAddress) }
        }
        return found
    }

    /// Whether `host` is written as a numeric address, so messages need not repeat it.
    public static func isNumeric(_ host: String) -> Bool {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return false }
        freeaddrinfo(list)
        return true
    }

    /// The port a service name stands for in /etc/services, e.g. "http" → 80.
    public static func port(ofService name: String, transport: Transport) -> UInt16? {
        guard let entry = getservbyname(name, transport.name) else { return nil }
        return UInt16(bigEndian: UInt16(truncatingIfNeeded: entry.pointee.s_port))
    }

    /// The service name of a port, as in `[tcp/ssh]`; "*" when it has none.
    public static func serviceName(ofPort port: UInt16, transport: Transport) -> String {
        guard let entry = getservbyport(Int32(port.bigEndian), transport.name) else { return "*" }
        return String(cString: entry.pointee.s_name)
    }

    /// The host name an IP address has (getnameinfo(3) with NI_NAMEREQD: a reverse lookup,
    /// or /etc/hosts), as OpenBSD netcat shows listeners and peers; nil when it has none.
    public static func name(of address: SocketAddress) -> String? {
        guard address.family == AF_INET || address.family == AF_INET6 else { return nil }
        // An IPv4 peer of a dual-stack socket (::ffff:a.b.c.d) is named as the IPv4 address it is.
        if address.family == AF_INET6, !address.host.contains(":"),
           let ipv4 = try? Resolver(family: AF_INET, numericOnly: true).addresses(of: address.host, port: address.port, transport: .tcp).first {
            return name(of: ipv4)
        }
        var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let status = address.withSockaddr { getnameinfo($0, $1, &name, socklen_t(name.count), nil, 0, NI_NAMEREQD) }
        return status == 0 ? String(cString: name) : nil
    }

    /// gethostname(2).
    public static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        return String(cString: name)
    }
}
