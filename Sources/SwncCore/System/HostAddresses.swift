import Glibc

/// `swnc --resolve [host]`: the lines it prints.
public enum HostAddresses {
    /// Without a host: the local host name, then its addresses. With one: its addresses, IPv4 first.
    public static func lines(for host: String?, _ configuration: Configuration) throws -> [String] {
        guard let host else {
            let name = Resolver.hostName()
            let addresses = (try? numericAddresses(of: name, configuration)) ?? []
            return [name] + addresses
        }
        return try numericAddresses(of: host, configuration)
    }

    private static func numericAddresses(of host: String, _ configuration: Configuration) throws -> [String] {
        let addresses = try configuration.resolver.addresses(of: host, port: 0, transport: .tcp)
        let ordered = addresses.filter { $0.family == AF_INET } + addresses.filter { $0.family != AF_INET }
        var seen: [String] = []
        for address in ordered where !seen.contains(address.host) { seen.append(address.host) }
        return seen
    }
}
