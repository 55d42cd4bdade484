import SwncCore
import Glibc

/// The operands (destination, port, path) of each mode, the checks that tie options together,
/// and the parsing of option arguments: ports, times, numbers, proxy addresses, programs.
enum Operands {
    static func apply(_ operands: [String], to request: inout CommandLineRequest) throws {
        try checkCombinations(request)
        var configuration = request.configuration
        if request.resolve {
            configuration.mode = .resolve
            guard operands.count <= 1 else { throw UsageError("--resolve takes at most one host") }
            configuration.host = try operands.first.map(host)
        } else if request.broadcast {
            configuration.mode = .broadcast
            guard (1...2).contains(operands.count) else { throw UsageError("--broadcast takes [address] port") }
            configuration.host = operands.count == 2 ? try host(operands[0]) : nil
            configuration.ports = [try port(operands.last!, allowZero: false, configuration)]
        } else if configuration.unixDomain {
            configuration.mode = request.listen ? .listen : request.probe ? .probe : .connect
            guard operands.count == 1 else { throw UsageError("-U takes one socket path") }
            guard !operands[0].isEmpty else { throw UsageError("empty socket path") }
            configuration.path = operands[0]
        } else if request.listen {
            configuration.mode = .listen
            switch (operands.count, configuration.sourcePort) {
            case (0, let port?):  // the traditional `nc -l -p port`
                configuration.ports = [port]
                configuration.sourcePort = nil
                configuration.host = configuration.sourceAddress
            case (2, nil) where configuration.sourceAddress != nil:
                // Not an address 0.0.110.40 made of the first port, as nc.openbsd takes it.
                throw UsageError("cannot use -s with -l and an address")
            case (1, nil), (2, nil):
                configuration.host = operands.count == 2 ? try host(operands[0]) : configuration.sourceAddress
                configuration.ports = [try port(operands.last!, allowZero: true, configuration)]
            case (1, _), (2, _):
                throw UsageError("cannot use -p with -l and a port")
            default:
                throw UsageError(operands.isEmpty ? "missing port to listen on" : "too many operands")
            }
            configuration.sourceAddress = nil
        } else if request.probe {
            configuration.mode = .probe
            guard operands.count >= 2 else { throw UsageError("missing destination or port") }
            configuration.host = try host(operands[0])
            configuration.ports = try operands.dropFirst().flatMap { try portRange($0, configuration) }
        } else {
            configuration.mode = .connect
            guard operands.count == 2 else {
                throw UsageError(operands.count < 2 ? "missing destination or port" : "too many operands")
            }
            configuration.host = try host(operands[0])
            configuration.ports = [try port(operands[1], allowZero: false, configuration)]
        }
        if configuration.sourcePort == 0 { throw UsageError("port out of range: '0'") }
        if let proxy = request.proxyAddress {
            configuration.proxy = ProxySettings(kind: request.proxyKind, host: proxy.host, port: proxy.port,
                                                user: request.proxyUser)
        }
        configuration.tls = request.given.contains("--ssl") ? request.tls : nil
        request.configuration = configuration
    }

    /// Options that need another (`--broker` needs `-l`), by `OptionSpec.name`.
    static let needs: [(option: String, needed: String)] = [
        ("--echo", "-l"), ("-k", "-l"), ("--broker", "-l"), ("--chat", "-l"), ("--max-conns", "-l"),
        ("--allow", "-l"), ("--deny", "-l"), ("--allowfile", "-l"), ("--denyfile", "-l"),
        ("-X", "-x"), ("-P", "-x"), ("--append-output", "--output"),
        ("--ssl-cert", "--ssl"), ("--ssl-key", "--ssl"), ("--ssl-trustfile", "--ssl"), ("--ssl-servername", "--ssl"),
        ("--ssl-alpn", "--ssl"), ("--ssl-insecure", "--ssl"), ("--ssl-verify-client", "--ssl"),
        ("--ssl-cert", "--ssl-key"), ("--ssl-key", "--ssl-cert"), ("--ssl-verify-client", "-l"),
    ]

    /// Options that cannot go together, by `OptionSpec.name`.
    static let conflicts: [(String, String)] = [
        ("-e", "-c"), ("--echo", "-e"), ("--echo", "-c"), ("-z", "-e"), ("-z", "-c"),
        ("--broker", "-e"), ("--broker", "-c"), ("--broker", "--echo"), ("--broker", "-u"),
        ("--chat", "-e"), ("--chat", "-c"), ("--chat", "--echo"), ("--chat", "-u"),
        ("--send-only", "--recv-only"), ("--send-only", "-d"),
        ("-F", "-l"), ("-F", "-z"), ("-F", "-e"), ("-F", "-c"), ("-F", "--ssl"),
        ("-x", "-l"), ("-x", "-u"), ("-x", "-U"), ("-x", "--broadcast"), ("-x", "--resolve"),
        ("--ssl", "-u"), ("--ssl", "--broadcast"),
    ]

    private static func checkCombinations(_ request: CommandLineRequest) throws {
        let configuration = request.configuration
        let modes = [request.listen ? "-l" : nil, request.probe ? "-z" : nil,
                     request.broadcast ? "--broadcast" : nil, request.resolve ? "--resolve" : nil].compactMap { $0 }
        if modes.count > 1 { throw UsageError("cannot use \(modes[0]) and \(modes[1])") }
        for (option, needed) in needs where request.given.contains(option) && !request.given.contains(needed) {
            throw UsageError("\(option) needs \(needed)")
        }
        for (one, other) in conflicts where request.given.contains(one) && request.given.contains(other) {
            throw UsageError("cannot use \(one) and \(other)")
        }
        if configuration.unixDomain, request.broadcast || request.resolve {
            throw UsageError("cannot use -U and \(modes[0])")
        }
        if request.broadcast, configuration.family == AF_INET6 { throw UsageError("--broadcast is IPv4 only") }
    }

    private static func host(_ text: String) throws -> String {
        guard !text.isEmpty else { throw UsageError("empty host") }
        return text
    }

    /// A port number (1-65535, or 0 for a listener's ephemeral port) or a service name. Names are
    /// looked up with -n too: the services file is not DNS.
    static func port(_ text: String, allowZero: Bool, _ configuration: Configuration = Configuration()) throws -> UInt16 {
        if let number = Int(text), text.allSatisfy(\.isASCII) {
            guard number >= (allowZero ? 0 : 1), number <= 65535 else { throw UsageError("port out of range: '\(text)'") }
            return UInt16(number)
        }
        if text.first?.isLetter == true, let port = Resolver.port(ofService: text, transport: configuration.transport) {
            return port
        }
        throw UsageError("invalid port: '\(text)'")
    }

    /// A port, or for -z a range `number-number` in either order; a name with a hyphen
    /// (`http-alt`) is a port.
    private static func portRange(_ text: String, _ configuration: Configuration) throws -> [UInt16] {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return [try port(text, allowZero: false, configuration)]
        }
        let low = try port(String(parts[0]), allowZero: false, configuration)
        let high = try port(String(parts[1]), allowZero: false, configuration)
        return Array(min(low, high)...max(low, high))
    }

    /// Seconds as a plain number (`1`, `0.5`) or with a unit (`500ms`, `2s`, `1m`).
    static func duration(_ text: String, allowNegative: Bool = false) -> Duration? {
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        let (number, scale) = units.first { text.hasSuffix($0.suffix) }
            .map { (String(text.dropLast($0.suffix.count)), $0.scale) } ?? (text, 1)
        guard let value = Double(number), value.isFinite, number.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }),
              allowNegative || value >= 0 else { return nil }
        let seconds = value * scale
        guard abs(seconds) < 1e9 else { return nil }
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// A time of zero or more seconds for `option`.
    static func time(_ text: String, for option: String) throws -> Duration {
        guard let time = duration(text) else { throw UsageError("invalid time for \(option): '\(text)'") }
        return time
    }

    /// A decimal number in `range`, e.g. `-M`'s ttl: "invalid ttl for -M: '300'" otherwise.
    static func number(_ text: String, _ range: ClosedRange<Int>, _ what: String, for option: String) throws -> Int {
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), range.contains(value) else {
            throw UsageError("invalid \(what) for \(option): '\(text)'")
        }
        return value
    }

    /// An argument that must not be empty: "empty file name for --output" otherwise.
    static func nonEmpty(_ text: String, _ what: String, for option: String? = nil) throws -> String {
        guard !text.isEmpty else { throw UsageError("empty \(what)" + (option.map { " for \($0)" } ?? "")) }
        return text
    }

    /// -x's `address[:port]`: `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address.
    static func proxyAddress(_ text: String) throws -> (host: String, port: UInt16?) {
        let host: Substring
        let port: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw UsageError("invalid proxy address: '\(text)'") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { throw UsageError("invalid proxy address: '\(text)'") }
            port = rest.isEmpty ? nil : rest.dropFirst()
        } else if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            host = Substring(text)
            port = nil
        }
        guard !host.isEmpty else { throw UsageError("empty proxy host: '\(text)'") }
        return (String(host), try port.map { try self.port(String($0), allowZero: false) })
    }

    /// -e's program and its arguments (`ExecCommand.split`); a malformed one is a usage error.
    static func program(_ text: String) throws -> [String] {
        do {
            return try ExecCommand.split(text)
        } catch let failure as Failure {
            throw UsageError(failure.description)
        }
    }

    /// --ssl-alpn's comma-separated protocols, each 1 to 255 bytes (the wire format's limit).
    static func protocolList(_ text: String) throws -> [String] {
        let protocols = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard protocols.allSatisfy({ (1...255).contains($0.utf8.count) }) else {
            throw UsageError("invalid protocol list for --ssl-alpn: '\(text)'")
        }
        return protocols
    }
}
