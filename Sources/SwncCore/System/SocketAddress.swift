import Glibc

/// An IPv4, IPv6 or UNIX-domain socket address and its length. IP addresses, which swnc keeps
/// one of per peer (10,000 peers: 10,000 addresses), are held inline in 28 bytes; a longer one
/// (a UNIX path) in a sockaddr_storage of its own.
public struct SocketAddress {
    private var inline = sockaddr_in6()
    private(set) var length: socklen_t  // here, in the 4 bytes `inline` leaves before `long`: 40 bytes in all
    private var long: LongAddress?

    private final class LongAddress {
        let storage: sockaddr_storage
        init(_ storage: sockaddr_storage) { self.storage = storage }
    }

    init(copying address: UnsafePointer<sockaddr>, length: socklen_t) {
        self.length = length
        let bytes = UnsafeRawBufferPointer(start: address, count: Int(length))
        if Int(length) <= MemoryLayout<sockaddr_in6>.size {
            withUnsafeMutableBytes(of: &inline) { $0.copyMemory(from: bytes) }
        } else {
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
            long = LongAddress(storage)
        }
    }

    /// An address of no family, for accept(2) and recvfrom(2) to fill in.
    init() { length = 0 }

    /// A UNIX-domain address; fails when the path does not fit in sockaddr_un. A path that
    /// starts with `@` is a name in Linux's abstract namespace (no file): its first byte
    /// becomes the NUL that marks one, and the length ends the name (no NUL after it).
    public static func unix(path: String) throws -> SocketAddress {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let isAbstract = isAbstract(path)
        let bytes = isAbstract ? [0] + path.utf8.dropFirst() : Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw Failure(path, "path too long for a UNIX-domain socket (at most \(capacity - 1) bytes)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (isAbstract ? 0 : 1))
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(copying: $0, length: length) }
        }
    }

    /// The wildcard address of a family (`::` or `0.0.0.0`) with a port; for AF_UNIX, the
    /// unnamed address that makes bind(2) pick an abstract one.
    public static func any(family: Int32, port: UInt16) -> SocketAddress {
        var address = SocketAddress()
        address.inline.sin6_family = sa_family_t(family)
        switch family {
        case AF_INET6: address.length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        case AF_INET: address.length = socklen_t(MemoryLayout<sockaddr_in>.size)
        default: address.length = socklen_t(MemoryLayout<sa_family_t>.size)
        }
        address.port = port
        return address
    }

    public var family: Int32 { Int32(long?.storage.ss_family ?? inline.sin6_family) }

    /// The port of an IP address (host byte order); 0 for UNIX addresses.
    public var port: UInt16 {
        get {
            withBytes { raw in
                switch family {
                case AF_INET: return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
                case AF_INET6: return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
                default: return 0
                }
            }
        }
        set {
            let family = self.family
            withUnsafeMutableBytes(of: &inline) { raw in  // an IP address is always inline
                switch family {
                case AF_INET: raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port = newValue.bigEndian
                case AF_INET6: raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_port = newValue.bigEndian
                default: break
                }
            }
        }
    }

    /// The numeric host (inet_ntop(3)) of an IP address, or the path of a UNIX address.
    public var host: String {
        withBytes { raw -> String in
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            switch family {
            case AF_INET:
                var address = raw.load(as: sockaddr_in.self).sin_addr
                inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
            case AF_INET6:
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                let bytes = withUnsafeBytes(of: &address) { Array($0) }
                if bytes[..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
                    // An IPv4 peer of a dual-stack socket: shown as the IPv4 address it is.
                    return bytes[12...].map(String.init).joined(separator: ".")
                }
                inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            case AF_UNIX:
                return path ?? ""
            default:
                return "?"
            }
            return String(cString: text)
        }
    }

    /// The path of a UNIX address bound to a file, or `@name` for an abstract one; nil for an
    /// unnamed one.
    public var path: String? {
        guard family == AF_UNIX else { return nil }
        let offset = MemoryLayout<sa_family_t>.size
        guard Int(length) > offset else { return nil }
        return withBytes { raw in
            let bytes = raw[offset..<Int(length)]
            if bytes.first == 0 { return "@" + String(decoding: bytes.dropFirst(), as: UTF8.self) }
            let name = bytes.prefix { $0 != 0 }
            return name.isEmpty ? nil : String(decoding: name, as: UTF8.self)
        }
    }

    /// Whether a -U path names an abstract socket (`@name`), which has no file to make or remove.
    public static func isAbstract(_ path: String) -> Bool { path.hasPrefix("@") }

    /// Whether a UNIX datagram peer has an address that can be replied to.
    var canBeRepliedTo: Bool { family != AF_UNIX || Int(length) > MemoryLayout<sa_family_t>.size }

    /// Calls `body` with the address as the C calls take it.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        try withBytes { try body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }

    /// Calls `body` so that a C call can fill the address in.
    mutating func withMutableSockaddr<R>(_ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) throws -> R) rethrows -> R {
        var filled = sockaddr_storage()
        let capacity = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var filledLength = capacity
        let result = try withUnsafeMutablePointer(to: &filled) { storagePointer in
            try storagePointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, &filledLength) }
        }
        // A call that would block leaves the length as it was (every address swnc takes is
        // shorter than sockaddr_storage): there is nothing to keep.
        guard filledLength < capacity else { return result }
        self = withUnsafePointer(to: &filled) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(copying: $0, length: filledLength) }
        }
        return result
    }

    /// The storage that holds the address: its first `length` bytes are the address.
    private func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let long { return try withUnsafeBytes(of: long.storage, body) }
        return try withUnsafeBytes(of: inline, body)
    }
}

extension SocketAddress: Equatable {
    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        guard lhs.length == rhs.length else { return false }
        return lhs.withSockaddr { a, length in rhs.withSockaddr { b, _ in memcmp(a, b, Int(length)) == 0 } }
    }
}
