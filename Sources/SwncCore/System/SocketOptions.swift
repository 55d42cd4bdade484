import Glibc

/// -b, -D, -I, -O, -M, -m, -T: the options the command line sets on each socket swnc makes.
public enum SocketOptions {
    /// Sets every option of `configuration` that applies to `socket` (of `family`, for
    /// `transport`), before it binds or connects. A refused SO_DEBUG (Linux wants CAP_NET_ADMIN)
    /// comes back as a warning to report, and the other options are set all the same; any
    /// other refusal throws.
    public static func apply(_ configuration: Configuration, to socket: Socket, family: Int32,
                             transport: Transport) throws -> Failure? {
        let isIP = family == AF_INET || family == AF_INET6
        if configuration.allowBroadcast, isIP, transport == .udp {
            try set(socket, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST")
        }
        if let size = configuration.receiveBufferSize { try set(socket, SOL_SOCKET, SO_RCVBUF, size, "SO_RCVBUF") }
        if let size = configuration.sendBufferSize { try set(socket, SOL_SOCKET, SO_SNDBUF, size, "SO_SNDBUF") }
        if isIP {
            if let ttl = configuration.ttl {
                try set(socket, family, ipv4: IP_TTL, "IP_TTL", ipv6: IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", ttl)
            }
            if let ttl = configuration.minimumTTL {
                try set(socket, family, ipv4: IP_MINTTL, "IP_MINTTL", ipv6: IPV6_MINHOPCOUNT, "IPV6_MINHOPCOUNT", ttl)
            }
            if let tos = configuration.typeOfService {
                try set(socket, family, ipv4: IP_TOS, "IP_TOS", ipv6: IPV6_TCLASS, "IPV6_TCLASS", tos)
            }
        }
        guard configuration.debugSocket else { return nil }
        do {
            try socket.setOption(SOL_SOCKET, SO_DEBUG, 1)
            return nil
        } catch {
            return Failure("SO_DEBUG: \(error)")
        }
    }

    /// `apply` for a socket of `configuration`'s transport, a refused SO_DEBUG reported as a
    /// warning: what every place that makes a socket calls.
    static func apply(_ configuration: Configuration, to socket: Socket, family: Int32, report: Reporter) throws {
        if let warning = try apply(configuration, to: socket, family: family, transport: configuration.transport) {
            report(.warning(warning))
        }
    }

    /// -M and -m: a TTL or hop limit, 1..255; nil when `text` is not one.
    public static func hopCount(_ text: String) -> Int32? {
        Int(digits: Substring(text)).flatMap { (1...255).contains($0) ? Int32($0) : nil }
    }

    /// -I and -O: a buffer size in bytes, 1..Int32.max (Linux caps it at net.core.rmem_max /
    /// wmem_max); nil when `text` is not one.
    public static func bufferSize(_ text: String) -> Int32? {
        Int(digits: Substring(text)).flatMap { $0 >= 1 ? Int32(exactly: $0) : nil }
    }

    private static func set(_ socket: Socket, _ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws {
        do {
            try socket.setOption(level, name, value)
        } catch {
            throw Failure("set \(label) to \(value)", error)
        }
    }

    /// The IPv6 option on an IPv6 socket, the IPv4 one on an IPv4 socket. An IPv6 socket also
    /// gets the IPv4 option, for the IPv4 peers of a dual-stack listener (Linux takes IPPROTO_IP
    /// options on AF_INET6 sockets); where a system refuses that, IPv6 traffic still has its own.
    private static func set(_ socket: Socket, _ family: Int32, ipv4: Int32, _ ipv4Label: String,
                            ipv6: Int32, _ ipv6Label: String, _ value: Int32) throws {
        if family == AF_INET6 {
            try set(socket, Int32(IPPROTO_IPV6), ipv6, value, ipv6Label)
            try? socket.setOption(Int32(IPPROTO_IP), ipv4, value)
        } else {
            try set(socket, Int32(IPPROTO_IP), ipv4, value, ipv4Label)
        }
    }
}
