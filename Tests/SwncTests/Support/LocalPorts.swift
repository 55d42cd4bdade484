import Foundation
import Testing

/// Loopback TCP ports this test holds without listening on them: a connect to one is refused
/// for sure, and no other test can take it. `open(_:)` starts listening on one of them.
/// The ports are consecutive, so `lo-hi` ranges can be made of them.
final class ReservedPorts {
    private var sockets: [Int32] = []
    let first: UInt16
    var ports: [UInt16] { (0..<sockets.count).map { first + UInt16($0) } }

    init(count: Int, host: String = "127.0.0.1") throws {
        // A run of ports below Linux's ephemeral range (32768 and up), which busy neighbours
        // (thousands of connections' TIME_WAIT) may have taken in long stretches.
        for _ in 0..<200 {
            let base = UInt16.random(in: 20000...32000)
            guard let start = try? ReservedPorts.bind(host: host, port: base) else { continue }
            var taken = [start]
            for offset in 1..<count {
                guard base <= UInt16.max - UInt16(offset),
                      let next = try? ReservedPorts.bind(host: host, port: base + UInt16(offset)) else { break }
                taken.append(next)
            }
            if taken.count == count {
                sockets = taken
                first = base
                return
            }
            taken.forEach { close($0) }
        }
        throw SpawnError.unexpected("could not reserve \(count) consecutive ports")
    }

    deinit { sockets.forEach { close($0) } }

    /// Starts listening on the port at `index`, so probes and clients find it open.
    func open(_ index: Int) throws {
        guard listen(sockets[index], 16) == 0 else { throw SpawnError.unexpected("listen: \(String(cString: strerror(errno)))") }
    }

    private static func bind(host: String, port: UInt16) throws -> Int32 {
        let isIPv6 = host.contains(":")
        let descriptor = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SpawnError.unexpected("socket: \(String(cString: strerror(errno)))") }
        var status: Int32
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard status == 0 else {
            close(descriptor)
            throw SpawnError.unexpected("bind \(host) \(port): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }
}

/// A loopback port nobody uses right now (for -p): taken from the kernel and let go again.
func unusedPort() throws -> UInt16 {
    try ReservedPorts(count: 1).first
}

/// The name /etc/services gives `port`, or "*", as swnc's `[tcp/SERVICE]` shows it.
func serviceName(ofPort port: UInt16, transport: String) -> String {
    guard let entry = getservbyport(Int32(port.bigEndian), transport) else { return "*" }
    return String(cString: entry.pointee.s_name)
}

/// Whether loopback has IPv6 here (containers often have none): the tests that use ::1 need it.
enum IPv6Loopback {
    static let isAvailable = (try? ReservedPorts(count: 1, host: "::1")) != nil

    /// Skips a test, saying why, where ::1 is missing.
    static var required: ConditionTrait { .enabled(if: isAvailable, "no IPv6 on the loopback interface (::1)") }

    /// The cases of a parameterized test, less those that need ::1 where it is missing.
    static func cases<Case>(_ all: [Case], needing usesIPv6: (Case) -> Bool) -> [Case] {
        isAvailable ? all : all.filter { !usesIPv6($0) }
    }
}

/// How -v shows a numeric address without -n: its host name where the system has one
/// (getnameinfo NI_NAMEREQD, so /etc/hosts counts), else the number.
func shownHost(_ numeric: String) -> String {
    var hints = addrinfo()
    hints.ai_flags = AI_NUMERICHOST
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(numeric, nil, &hints, &list) == 0, let entry = list else { return numeric }
    defer { freeaddrinfo(list) }
    var name = [CChar](repeating: 0, count: 1025)
    guard getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NAMEREQD) == 0 else {
        return numeric
    }
    return String(cString: name)
}
