import SwncCore
import Glibc

/// One command-line option: the single source of truth for the parser, `--help`, the man page
/// and the completions (a test checks those against this table).
struct OptionSpec {
    enum Group: String, CaseIterable {
        case modes = "Modes"
        case connection = "Connection"
        case listening = "Listening"
        case timing = "Timing"
        case dataAndOutput = "Data and output"
        case information = "Information"
    }

    let short: Character?
    let long: String
    /// The argument's name in help text; nil for a flag.
    let argument: String?
    let group: Group
    let summary: String
    let apply: (inout CommandLineRequest, String) throws -> Void
}

/// What the command line asks for, before the operands are read.
struct CommandLineRequest {
    var configuration = Configuration()
    var listen = false
    var probe = false
    var broadcast = false
    var resolve = false
    var help = false
    var version = false
}

enum OptionTable {
    static let all: [OptionSpec] = [
        OptionSpec(short: "l", long: "listen", argument: nil, group: .modes,
                   summary: "listen for a peer instead of connecting") { request, _ in request.listen = true },
        OptionSpec(short: "z", long: "zero", argument: nil, group: .modes,
                   summary: "probe ports: connect, report (with -v), close") { request, _ in request.probe = true },
        OptionSpec(short: nil, long: "echo", argument: nil, group: .modes,
                   summary: "with -l: send every byte back to its sender") { request, _ in request.configuration.echo = true },
        OptionSpec(short: nil, long: "broadcast", argument: nil, group: .modes,
                   summary: "send stdin as UDP broadcast datagrams") { request, _ in request.broadcast = true },
        OptionSpec(short: nil, long: "resolve", argument: nil, group: .modes,
                   summary: "print the host name, or the addresses of a host") { request, _ in request.resolve = true },
        OptionSpec(short: "u", long: "udp", argument: nil, group: .connection,
                   summary: "UDP (with -U: UNIX datagrams)") { request, _ in request.configuration.transport = .udp },
        OptionSpec(short: "U", long: "unixsock", argument: nil, group: .connection,
                   summary: "UNIX-domain socket at a path") { request, _ in request.configuration.unixDomain = true },
        OptionSpec(short: "4", long: "ipv4", argument: nil, group: .connection,
                   summary: "IPv4 only") { request, _ in try request.setFamily(AF_INET) },
        OptionSpec(short: "6", long: "ipv6", argument: nil, group: .connection,
                   summary: "IPv6 only") { request, _ in try request.setFamily(AF_INET6) },
        OptionSpec(short: "n", long: "nodns", argument: nil, group: .connection,
                   summary: "numeric addresses only: no DNS, no service names") { request, _ in request.configuration.numericOnly = true },
        OptionSpec(short: "p", long: "source-port", argument: "port", group: .connection,
                   summary: "local port to connect from") { request, value in
            request.configuration.sourcePort = try Operands.port(value, allowZero: false)
        },
        OptionSpec(short: "s", long: "source", argument: "address", group: .connection,
                   summary: "local address to send from (-Uu: socket path)") { request, value in
            guard !value.isEmpty else { throw UsageError("empty source address") }
            request.configuration.sourceAddress = value
        },
        OptionSpec(short: "k", long: "keep-open", argument: nil, group: .listening,
                   summary: "keep listening after a peer leaves") { request, _ in request.configuration.keepOpen = true },
        OptionSpec(short: "w", long: "wait", argument: "secs", group: .timing,
                   summary: "connect timeout and client idle timeout") { request, value in
            guard let time = Operands.duration(value), time > .zero else { throw UsageError("invalid time for -w: '\(value)'") }
            request.configuration.timeout = time
        },
        OptionSpec(short: "q", long: "quit", argument: "secs", group: .timing,
                   summary: "quit secs after EOF on stdin (negative: never)") { request, value in
            guard let time = Operands.duration(value, allowNegative: true) else { throw UsageError("invalid time for -q: '\(value)'") }
            request.configuration.quitDelay = time < .zero ? nil : time
        },
        OptionSpec(short: "d", long: "no-stdin", argument: nil, group: .dataAndOutput,
                   summary: "do not read standard input") { request, _ in request.configuration.readsInput = false },
        OptionSpec(short: "N", long: "shutdown", argument: nil, group: .dataAndOutput,
                   summary: "shut down sending after EOF on stdin") { request, _ in request.configuration.halfCloseOnInputEnd = true },
        OptionSpec(short: "v", long: "verbose", argument: nil, group: .dataAndOutput,
                   summary: "report on stderr (-vv: more)") { request, _ in request.configuration.verbosity += 1 },
        OptionSpec(short: "h", long: "help", argument: nil, group: .information,
                   summary: "print this help and exit") { request, _ in request.help = true },
        OptionSpec(short: nil, long: "version", argument: nil, group: .information,
                   summary: "print the version and exit") { request, _ in request.version = true },
    ]

    static func find(short: Character) -> OptionSpec? { all.first { $0.short == short } }
    static func find(long: String) -> OptionSpec? { all.first { $0.long == long } }
}

extension CommandLineRequest {
    mutating func setFamily(_ family: Int32) throws {
        if configuration.family != AF_UNSPEC, configuration.family != family { throw UsageError("cannot use -4 and -6") }
        configuration.family = family
    }
}

/// A command line swnc cannot use: printed with the usage line, exit 1.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
