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
        case socket = "Socket options"
        case proxy = "Proxy"
        case roles = "Roles"
        case logs = "Logs"
        case tls = "TLS"
        case information = "Information"
    }

    let short: Character?
    let long: String
    /// The argument's name in help text; nil for a flag.
    let argument: String?
    let group: Group
    let summary: String
    let apply: (inout CommandLineRequest, String) throws -> Void

    /// How messages name the option: `-e`, or `--broker` for one without a letter.
    var name: String { short.map { "-\($0)" } ?? "--\(long)" }
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
    /// The options given, by `OptionSpec.name`: the combination checks read it. An array: a
    /// command line names a few, and a Set's first use costs more than all of -h's other work.
    var given: [String] = []
    /// -x, -X and -P, put together into `configuration.proxy` once all options are read.
    var proxyAddress: (host: String, port: UInt16?)?
    var proxyKind: ProxySettings.Kind = .socks5
    var proxyUser: String?
    /// The --ssl-* settings, kept in `configuration.tls` only with --ssl.
    var tls = TLSSettings()
    /// An OpenBSD-only facility asked for (-S, -V, -Z): main refuses it after parsing.
    var unsupportedFacility: String?
}

enum OptionTable {
    static let all: [OptionSpec] = [
        // Modes
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

        // Connection
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
            // 0 only for `-l -p 0`: Operands refuses it elsewhere.
            request.configuration.sourcePort = try Operands.port(value, allowZero: true)
        },
        OptionSpec(short: "s", long: "source", argument: "address", group: .connection,
                   summary: "local address to send from (-Uu: socket path)") { request, value in
            request.configuration.sourceAddress = try Operands.nonEmpty(value, "source address")
        },
        OptionSpec(short: "r", long: "random-ports", argument: nil, group: .connection,
                   summary: "probe or try ports in random order") { request, _ in request.configuration.randomPorts = true },
        OptionSpec(short: "F", long: "pass-fd", argument: nil, group: .connection,
                   summary: "pass the connected socket to stdout and exit") { request, _ in
            request.configuration.passDescriptor = true
        },

        // Listening
        OptionSpec(short: "k", long: "keep-open", argument: nil, group: .listening,
                   summary: "keep listening after a peer leaves") { request, _ in request.configuration.keepOpen = true },
        OptionSpec(short: nil, long: "max-conns", argument: "n", group: .listening,
                   summary: "with -lk: at most n peers at once") { request, value in
            request.configuration.maxConnections = try Operands.number(value, 1...Int(Int32.max), "count", for: "--max-conns")
        },
        OptionSpec(short: nil, long: "allow", argument: "hosts", group: .listening,
                   summary: "accept peers only from these hosts") { request, value in
            request.configuration.allow.append(try Operands.nonEmpty(value, "host list", for: "--allow"))
        },
        OptionSpec(short: nil, long: "deny", argument: "hosts", group: .listening,
                   summary: "refuse peers from these hosts") { request, value in
            request.configuration.deny.append(try Operands.nonEmpty(value, "host list", for: "--deny"))
        },
        OptionSpec(short: nil, long: "allowfile", argument: "file", group: .listening,
                   summary: "accept peers only from the hosts in file") { request, value in
            request.configuration.allowFiles.append(try Operands.nonEmpty(value, "file name", for: "--allowfile"))
        },
        OptionSpec(short: nil, long: "denyfile", argument: "file", group: .listening,
                   summary: "refuse peers from the hosts in file") { request, value in
            request.configuration.denyFiles.append(try Operands.nonEmpty(value, "file name", for: "--denyfile"))
        },

        // Timing
        OptionSpec(short: "w", long: "wait", argument: "secs", group: .timing,
                   summary: "connect timeout and client idle timeout") { request, value in
            // -w 0 waits for nothing (the core gives it that meaning), as nc.openbsd.
            request.configuration.timeout = try Operands.time(value, for: "-w")
        },
        OptionSpec(short: "q", long: "quit", argument: "secs", group: .timing,
                   summary: "quit secs after EOF on stdin (negative: never)") { request, value in
            guard let time = Operands.duration(value, allowNegative: true) else { throw UsageError("invalid time for -q: '\(value)'") }
            request.configuration.quitDelay = time < .zero ? nil : time
        },
        OptionSpec(short: "i", long: "interval", argument: "secs", group: .timing,
                   summary: "wait secs after each line sent and port probed") { request, value in
            request.configuration.interval = try Operands.time(value, for: "-i")
        },
        OptionSpec(short: nil, long: "idle-timeout", argument: "secs", group: .timing,
                   summary: "close a connection idle for secs, in any mode") { request, value in
            let time = try Operands.time(value, for: "--idle-timeout")
            guard time > .zero else { throw UsageError("invalid time for --idle-timeout: '\(value)'") }
            request.configuration.idleTimeout = time
        },

        // Data and output
        OptionSpec(short: "d", long: "no-stdin", argument: nil, group: .dataAndOutput,
                   summary: "do not read standard input") { request, _ in request.configuration.readsInput = false },
        OptionSpec(short: "N", long: "shutdown", argument: nil, group: .dataAndOutput,
                   summary: "shut down sending after EOF on stdin") { request, _ in request.configuration.halfCloseOnInputEnd = true },
        OptionSpec(short: "C", long: "crlf", argument: nil, group: .dataAndOutput,
                   summary: "send each LF of stdin as CR LF") { request, _ in request.configuration.crlf = true },
        OptionSpec(short: "t", long: "telnet", argument: nil, group: .dataAndOutput,
                   summary: "refuse telnet negotiation, keep it from stdout") { request, _ in request.configuration.telnet = true },
        OptionSpec(short: "W", long: "recv-limit", argument: "count", group: .dataAndOutput,
                   summary: "exit after receiving count packets") { request, value in
            request.configuration.receiveLimit = try Operands.number(value, 1...Int(Int32.max), "count", for: "-W")
        },
        OptionSpec(short: nil, long: "send-only", argument: nil, group: .dataAndOutput,
                   summary: "only send: never write to stdout") { request, _ in request.configuration.sendOnly = true },
        OptionSpec(short: nil, long: "recv-only", argument: nil, group: .dataAndOutput,
                   summary: "only receive: never read stdin") { request, _ in request.configuration.receiveOnly = true },
        OptionSpec(short: "v", long: "verbose", argument: nil, group: .dataAndOutput,
                   summary: "report on stderr (-vv: more)") { request, _ in request.configuration.verbosity += 1 },

        // Socket options
        OptionSpec(short: "b", long: "allow-broadcast", argument: nil, group: .socket,
                   summary: "UDP: allow sending to a broadcast address") { request, _ in
            request.configuration.allowBroadcast = true
        },
        OptionSpec(short: "D", long: "debug-socket", argument: nil, group: .socket,
                   summary: "SO_DEBUG on the socket") { request, _ in request.configuration.debugSocket = true },
        OptionSpec(short: "I", long: "recv-buffer", argument: "length", group: .socket,
                   summary: "size of the receive buffer (SO_RCVBUF)") { request, value in
            request.configuration.receiveBufferSize = Int32(try Operands.number(value, 1...Int(Int32.max), "length", for: "-I"))
        },
        OptionSpec(short: "O", long: "send-buffer", argument: "length", group: .socket,
                   summary: "size of the send buffer (SO_SNDBUF)") { request, value in
            request.configuration.sendBufferSize = Int32(try Operands.number(value, 1...Int(Int32.max), "length", for: "-O"))
        },
        OptionSpec(short: "M", long: "ttl", argument: "ttl", group: .socket,
                   summary: "TTL or hop limit of outgoing packets") { request, value in
            request.configuration.ttl = Int32(try Operands.number(value, 0...255, "ttl", for: "-M"))
        },
        OptionSpec(short: "m", long: "min-ttl", argument: "ttl", group: .socket,
                   summary: "minimum TTL or hop limit of incoming packets") { request, value in
            request.configuration.minimumTTL = Int32(try Operands.number(value, 0...255, "ttl", for: "-m"))
        },
        OptionSpec(short: "T", long: "tos", argument: "keyword", group: .socket,
                   summary: "IP TOS or traffic class: keyword or 0-255") { request, value in
            guard let tos = TypeOfService.parse(value) else { throw UsageError("invalid TOS for -T: '\(value)'") }
            request.configuration.typeOfService = tos
        },
        OptionSpec(short: "S", long: "md5sig", argument: nil, group: .socket,
                   summary: "TCP MD5 signatures (OpenBSD only)") { request, _ in
            request.unsupportedFacility = "-S (TCP MD5 signatures)"
        },
        OptionSpec(short: "V", long: "rtable", argument: "rtable", group: .socket,
                   summary: "routing table (OpenBSD only)") { request, _ in
            request.unsupportedFacility = "-V (routing tables)"
        },
        OptionSpec(short: "Z", long: "dccp", argument: nil, group: .socket,
                   summary: "DCCP (OpenBSD only)") { request, _ in request.unsupportedFacility = "-Z (DCCP)" },

        // Proxy
        OptionSpec(short: "x", long: "proxy", argument: "address[:port]", group: .proxy,
                   summary: "connect through this proxy") { request, value in
            request.proxyAddress = try Operands.proxyAddress(value)
        },
        OptionSpec(short: "X", long: "proxy-type", argument: "proto", group: .proxy,
                   summary: "proxy protocol: 4, 5 (default) or connect") { request, value in
            switch value.lowercased() {
            case "4": request.proxyKind = .socks4
            case "5": request.proxyKind = .socks5
            case "connect": request.proxyKind = .httpConnect
            default: throw UsageError("invalid proxy protocol for -X: '\(value)'")
            }
        },
        OptionSpec(short: "P", long: "proxy-user", argument: "user", group: .proxy,
                   summary: "user name for proxy authentication") { request, value in
            request.proxyUser = try Operands.nonEmpty(value, "user name", for: "-P")
        },

        // Roles
        OptionSpec(short: "e", long: "exec", argument: "prog", group: .roles,
                   summary: "run prog for each connection, no shell") { request, value in
            request.configuration.exec = try Operands.program(value)
        },
        OptionSpec(short: "c", long: "sh-exec", argument: "command", group: .roles,
                   summary: "run /bin/sh -c command for each connection") { request, value in
            request.configuration.exec = ExecCommand.shell(try Operands.nonEmpty(value, "command", for: "-c"))
        },
        OptionSpec(short: nil, long: "broker", argument: nil, group: .roles,
                   summary: "with -l: pass what each peer sends to the others") { request, _ in
            request.configuration.broker = true
        },
        OptionSpec(short: nil, long: "chat", argument: nil, group: .roles,
                   summary: "with -l: a chat room, lines named by sender") { request, _ in request.configuration.chat = true },

        // Logs
        OptionSpec(short: nil, long: "output", argument: "file", group: .logs,
                   summary: "copy the data of both directions to file") { request, value in
            request.configuration.outputFile = try Operands.nonEmpty(value, "file name", for: "--output")
        },
        OptionSpec(short: nil, long: "append-output", argument: nil, group: .logs,
                   summary: "with --output: append, do not truncate") { request, _ in request.configuration.appendOutput = true },
        OptionSpec(short: nil, long: "hex-dump", argument: "file", group: .logs,
                   summary: "hex dump of both directions to file") { request, value in
            request.configuration.hexDumpFile = try Operands.nonEmpty(value, "file name", for: "--hex-dump")
        },
        OptionSpec(short: nil, long: "stats", argument: nil, group: .logs,
                   summary: "bytes each way and time, at each connection end") { request, _ in request.configuration.stats = true },
        OptionSpec(short: nil, long: "progress", argument: nil, group: .logs,
                   summary: "a live meter of the transfer on stderr") { request, _ in request.configuration.progress = true },

        // TLS
        OptionSpec(short: nil, long: "ssl", argument: nil, group: .tls,
                   summary: "TLS over TCP, client or listener") { _, _ in
            // Being given is all: Operands keeps the --ssl-* settings only with it.
        },
        OptionSpec(short: nil, long: "ssl-cert", argument: "file", group: .tls,
                   summary: "PEM certificate (chain) to present") { request, value in
            request.tls.certificateFile = try Operands.nonEmpty(value, "file name", for: "--ssl-cert")
        },
        OptionSpec(short: nil, long: "ssl-key", argument: "file", group: .tls,
                   summary: "PEM private key of the certificate") { request, value in
            request.tls.keyFile = try Operands.nonEmpty(value, "file name", for: "--ssl-key")
        },
        OptionSpec(short: nil, long: "ssl-trustfile", argument: "file", group: .tls,
                   summary: "PEM CA certificates to verify the peer with") { request, value in
            request.tls.trustFile = try Operands.nonEmpty(value, "file name", for: "--ssl-trustfile")
        },
        OptionSpec(short: nil, long: "ssl-servername", argument: "name", group: .tls,
                   summary: "name sent (SNI) and verified") { request, value in
            request.tls.serverName = try Operands.nonEmpty(value, "name", for: "--ssl-servername")
        },
        OptionSpec(short: nil, long: "ssl-alpn", argument: "protos", group: .tls,
                   summary: "ALPN protocols, comma-separated") { request, value in
            request.tls.alpn = try Operands.protocolList(value)
        },
        OptionSpec(short: nil, long: "ssl-insecure", argument: nil, group: .tls,
                   summary: "do not verify the server") { request, _ in request.tls.insecure = true },
        OptionSpec(short: nil, long: "ssl-verify-client", argument: nil, group: .tls,
                   summary: "with -l: ask for a client certificate, verify it") { request, _ in
            request.tls.verifyClient = true
        },

        // Information
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
