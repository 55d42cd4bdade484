import SwncCore
import Glibc

/// The operands (destination, port, path) of each mode, the checks that tie options together,
/// and the parsing of ports and times.
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
            configuration.mode = request.listen ? .listen : .connect
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
        request.configuration = configuration
    }

    private static func checkCombinations(_ request: CommandLineRequest) throws {
        let configuration = request.configuration
        let modes = [request.listen ? "-l" : nil, request.probe ? "-z" : nil,
                     request.broadcast ? "--broadcast" : nil, request.resolve ? "--resolve" : nil].compactMap { $0 }
        if modes.count > 1 { throw UsageError("cannot use \(modes[0]) and \(modes[1])") }
        if configuration.echo, !request.listen { throw UsageError("--echo needs -l") }
        if configuration.keepOpen, !request.listen { throw UsageError("-k needs -l") }
        if configuration.unixDomain, request.probe || request.broadcast || request.resolve {
            throw UsageError("cannot use -U and \(modes[0])")
        }
        if request.broadcast, configuration.family == AF_INET6 { throw UsageError("--broadcast is IPv4 only") }
    }

    private static func host(_ text: String) throws -> String {
        guard !text.isEmpty else { throw UsageError("empty host") }
        return text
    }

    /// A port number (1-65535, or 0 for a listener's ephemeral port) or, without -n, a service name.
    static func port(_ text: String, allowZero: Bool, _ configuration: Configuration = Configuration()) throws -> UInt16 {
        if let number = Int(text), text.allSatisfy(\.isASCII) {
            guard number >= (allowZero ? 0 : 1), number <= 65535 else { throw UsageError("port out of range: '\(text)'") }
            return UInt16(number)
        }
        if !configuration.numericOnly, !text.isEmpty, text.first!.isLetter,
           let port = Resolver.port(ofService: text, transport: configuration.transport) {
            return port
        }
        throw UsageError("invalid port: '\(text)'")
    }

    /// A port, or a range `lo-hi`, for -z.
    private static func portRange(_ text: String, _ configuration: Configuration) throws -> [UInt16] {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return [try port(text, allowZero: false, configuration)] }
        let low = try port(String(parts[0]), allowZero: false, configuration)
        let high = try port(String(parts[1]), allowZero: false, configuration)
        guard low <= high else { throw UsageError("invalid port range: '\(text)'") }
        return Array(low...high)
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
}
