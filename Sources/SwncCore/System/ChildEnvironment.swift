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

    /// Calls `body` with swnc's environment, with `additions` put in place of any variables of
    /// the same names, as a NULL-terminated array of NAME=value C strings (envp).
    static func withEnvironment<R>(adding additions: [(String, String)],
                                   _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let replaced = Set(additions.map(\.0))
        let added = additions.map { strdup("\($0.0)=\($0.1)") }
        defer { added.forEach { free($0) } }
        let variables = inheritedEnvironment.filter { !replaced.contains($0.name) }.map(\.entry) + added + [nil]
        return variables.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// swnc's environment as it was at the first spawn (swnc never changes it), read once.
    private static let inheritedEnvironment: [(name: String, entry: UnsafeMutablePointer<CChar>)] = {
        var variables: [(String, UnsafeMutablePointer<CChar>)] = []
        var entry: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        while let pointer = entry?.pointee {
            let variable = String(cString: pointer)
            variables.append((String(variable.prefix { $0 != "=" }), strdup(pointer)))
            entry = entry?.successor()
        }
        return variables
    }()
}
