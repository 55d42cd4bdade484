import Glibc

/// The addresses one --allow / --deny spec stands for, as a range of values for each byte of
/// the address (4 for IPv4, 16 for IPv6). An address, a CIDR block and nmap's octet ranges
/// (`192.168.0.1-50`, `10.0-1.*.1`) all take this shape, so matching is one comparison a byte.
struct AddressPattern: Equatable {
    let octets: [ClosedRange<UInt8>]

    /// An IPv4-mapped pattern (inside ::ffff:0:0/96) becomes the IPv4 pattern it stands for,
    /// since peers are matched unmapped.
    init(octets: [ClosedRange<UInt8>]) {
        let mapped = AddressPattern.mappedPrefix.map { $0...$0 }
        self.octets = octets.count == 16 && Array(octets[..<12]) == mapped ? Array(octets[12...]) : octets
    }

    /// The block of `address` (4 or 16 bytes) whose first `prefixLength` bits are fixed.
    init(address: [UInt8], prefixLength: Int) {
        self.init(octets: address.enumerated().map { index, byte in
            let fixedBits = Swift.min(Swift.max(prefixLength - 8 * index, 0), 8)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - fixedBits))
            return (byte & mask)...(byte | ~mask)
        })
    }

    /// Whether `address` (4 or 16 bytes, network order, unmapped) is one of the pattern's.
    func matches(_ address: [UInt8]) -> Bool {
        address.count == octets.count && zip(octets, address).allSatisfy { $0.contains($1) }
    }

    private static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]

    /// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, an IPv4 peer of a dual-stack listener) as
    /// the IPv4 address it is; any other address as it is.
    static func unmapped(_ address: [UInt8]) -> [UInt8] {
        address.count == 16 && address.starts(with: mappedPrefix) ? Array(address[12...]) : address
    }
}

extension AddressPattern {
    enum SpecError: Error, Equatable {
        case invalid
        /// A host name that does not resolve, and the resolver's reason.
        case unresolved(String)
    }

    /// The patterns of one spec: an IPv4 or IPv6 address, `address/prefix`, IPv4 octet ranges,
    /// or a host name (a pattern for each of its addresses, resolved now).
    static func patterns(of spec: String, resolver: Resolver) throws -> [AddressPattern] {
        // Printable ASCII only: the C calls below would stop at a NUL, and no form needs more.
        guard spec.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else { throw SpecError.invalid }
        if let slash = spec.firstIndex(of: "/") {
            guard let address = numericAddress(spec[..<slash]),
                  let prefixLength = Int(digits: spec[spec.index(after: slash)...]),
                  prefixLength <= address.count * 8 else { throw SpecError.invalid }
            return [AddressPattern(address: address, prefixLength: prefixLength)]
        }
        if spec.contains(":") {
            guard let address = ipv6Address(spec[...]) else { throw SpecError.invalid }
            return [AddressPattern(address: address, prefixLength: 128)]
        }
        if let octets = ipv4Ranges(spec[...]) { return [AddressPattern(octets: octets)] }
        guard isHostName(spec) else { throw SpecError.invalid }
        do {
            return try resolver.addresses(of: spec, port: 0, transport: .tcp).compactMap(\.addressBytes).map {
                AddressPattern(address: $0, prefixLength: $0.count * 8)
            }
        } catch {
            throw SpecError.unresolved((error as? Failure)?.reason ?? "\(error)")
        }
    }

    /// The bytes of a numeric IPv6 or IPv4 address (no ranges).
    private static func numericAddress(_ text: Substring) -> [UInt8]? {
        if text.contains(":") { return ipv6Address(text) }
        guard let octets = ipv4Ranges(text), octets.allSatisfy({ $0.count == 1 }) else { return nil }
        return octets.map(\.lowerBound)
    }

    /// inet_pton(3) of an IPv6 address.
    private static func ipv6Address(_ text: Substring) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, String(text), &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// Four dot-separated octets, each a number, `low-high` or `*` (0-255), as nmap writes them.
    /// Numbers are decimal without leading zeros, which inet_aton(3) would read as octal.
    private static func ipv4Ranges(_ text: Substring) -> [ClosedRange<UInt8>]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [ClosedRange<UInt8>] = []
        for part in parts {
            if part == "*" {
                octets.append(0...255)
                continue
            }
            let bounds = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = bounds.first, let last = bounds.last,
                  let low = octet(first), let high = octet(last), low <= high else { return nil }
            octets.append(low...high)
        }
        return octets
    }

    private static func octet(_ text: Substring) -> UInt8? {
        guard text.count <= 3, text == "0" || !text.hasPrefix("0"), let value = Int(digits: text) else { return nil }
        return UInt8(exactly: value)
    }

    /// Letters, digits, `-` and `_` in dot-separated labels of at most 63 bytes, none starting
    /// or ending with `-`, and a letter somewhere (so that a mistyped address such as
    /// `10.0.0.300` is not looked up as a name).
    private static func isHostName(_ text: String) -> Bool {
        let name = text.hasSuffix(".") ? text.utf8.dropLast() : text.utf8[...]
        let labels = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let isLetter = { (byte: UInt8) in (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) }
        let hyphen = UInt8(ascii: "-")
        return name.count <= 253 && name.contains(where: isLetter) && labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != hyphen && label.last != hyphen && label.allSatisfy {
                isLetter($0) || (0x30...0x39).contains($0) || $0 == hyphen || $0 == UInt8(ascii: "_")
            }
        }
    }
}

extension SocketAddress {
    /// The 4 or 16 bytes of an IP address, network order; nil for other families.
    var addressBytes: [UInt8]? {
        withSockaddr { address, _ in
            let raw = UnsafeRawPointer(address)
            switch family {
            case AF_INET: return withUnsafeBytes(of: raw.load(as: sockaddr_in.self).sin_addr) { Array($0) }
            case AF_INET6: return withUnsafeBytes(of: raw.load(as: sockaddr_in6.self).sin6_addr) { Array($0) }
            default: return nil
            }
        }
    }
}
