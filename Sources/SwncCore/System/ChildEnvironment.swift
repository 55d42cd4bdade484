import Glibc

extension ChildProcess {
    /// What a child learns about its connection: SWNC_REMOTE_ADDR, SWNC_REMOTE_PORT,
    /// SWNC_LOCAL_ADDR, SWNC_LOCAL_PORT, SWNC_PROTO (`TCP`, `UDP`, `UNIX`), and each again as
    /// NCAT_* for scripts written for ncat. An unknown address is left out, and so is the
    /// port of a UNIX address (the address is its path, empty when unnamed).
    public static func environment(remote: SocketAddress?, local: SocketAddress?, proto: String) -> [(String, String)] {
        var values: [(String, String)] = []
        for (side, address) in [("REMOTE", remote), ("LOCAL", local)] {
            guard let address else { continue }
            values.append(("\(side)_ADDR", address.host))
            if address.family != AF_UNIX { values.append(("\(side)_PORT", String(address.port))) }
        }
        values.append(("PROTO", proto))
        return ["SWNC_", "NCAT_"].flatMap { prefix in values.map { (prefix + $0.0, $0.1) } }
    }

    /// swnc's environment as NAME=value strings, with `additions` put in place of any variables
    /// of the same names.
    static func environment(adding additions: [(String, String)]) -> [String] {
        let replaced = Set(additions.map(\.0))
        var variables: [String] = []
        var entry: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        while let pointer = entry?.pointee {
            let variable = String(cString: pointer)
            let name = variable.prefix { $0 != "=" }
            if !replaced.contains(String(name)) { variables.append(variable) }
            entry = entry?.successor()
        }
        return variables + additions.map { "\($0.0)=\($0.1)" }
    }
}
