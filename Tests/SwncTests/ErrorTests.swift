import Foundation
import Testing

/// Every bad command line, and every failure to resolve, connect or bind: one line on stderr
/// that starts with `swnc: ` (bad usage adds the usage), exit 1, never a death by signal.
@Suite struct ErrorTests {
    struct BadCommand: CustomTestStringConvertible, Sendable {
        /// `{closed}`: a loopback port nobody listens on; `{open}`: one somebody listens on;
        /// `{dir}`: a fresh directory.
        let arguments: [String]
        /// What the error line must say (after the same substitutions).
        let says: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let usageErrors = [
        BadCommand(arguments: ["-y", "127.0.0.1", "80"], says: "invalid option -- 'y'"),
        BadCommand(arguments: ["--bogus", "127.0.0.1", "80"], says: "unrecognized option '--bogus'"),
        BadCommand(arguments: ["--listen=1", "80"], says: "option '--listen' doesn't allow an argument"),
        BadCommand(arguments: [], says: "missing destination or port"),
        BadCommand(arguments: ["127.0.0.1"], says: "missing destination or port"),
        BadCommand(arguments: ["127.0.0.1", "80", "81"], says: "too many operands"),
        BadCommand(arguments: ["-l"], says: "missing port to listen on"),
        BadCommand(arguments: ["-l", "127.0.0.1", "80", "81"], says: "too many operands"),
        BadCommand(arguments: ["-z", "127.0.0.1"], says: "missing destination or port"),
        BadCommand(arguments: ["-U"], says: "-U takes one socket path"),
        BadCommand(arguments: ["-U", ""], says: "empty socket path"),
        BadCommand(arguments: ["", "80"], says: "empty host"),
        BadCommand(arguments: ["-l", "", "80"], says: "empty host"),
        BadCommand(arguments: ["-z", "", "80"], says: "empty host"),
        BadCommand(arguments: ["-s", "", "127.0.0.1", "80"], says: "empty source address"),
        BadCommand(arguments: ["127.0.0.1", "0"], says: "port out of range: '0'"),
        BadCommand(arguments: ["127.0.0.1", "65536"], says: "port out of range: '65536'"),
        BadCommand(arguments: ["-l", "65536"], says: "port out of range: '65536'"),
        BadCommand(arguments: ["-lu", "127.0.0.1", "70000"], says: "port out of range: '70000'"),
        BadCommand(arguments: ["127.0.0.1", "--", "-5"], says: "port out of range: '-5'"),
        BadCommand(arguments: ["-z", "127.0.0.1", "0"], says: "port out of range: '0'"),
        BadCommand(arguments: ["-z", "127.0.0.1", "1-65536"], says: "port out of range: '65536'"),
        BadCommand(arguments: ["-z", "127.0.0.1", "80-"], says: "invalid port: '80-'"),
        BadCommand(arguments: ["-z", "127.0.0.1", "no-such-service"], says: "invalid port: 'no-such-service'"),
        BadCommand(arguments: ["--broadcast", "0"], says: "port out of range: '0'"),
        BadCommand(arguments: ["127.0.0.1", "eighty"], says: "invalid port: 'eighty'"),
        BadCommand(arguments: ["127.0.0.1", "٨٠"], says: "invalid port: '٨٠'"),
        BadCommand(arguments: ["127.0.0.1", "99999999999999999999"], says: "invalid port: '99999999999999999999'"),
        BadCommand(arguments: ["-p", "x", "127.0.0.1", "80"], says: "invalid port: 'x'"),
        BadCommand(arguments: ["-p", "0", "127.0.0.1", "80"], says: "port out of range: '0'"),
        BadCommand(arguments: ["-p", "65536", "127.0.0.1", "80"], says: "port out of range: '65536'"),
        BadCommand(arguments: ["-l", "-p", "1", "2"], says: "cannot use -p with -l and a port"),
        BadCommand(arguments: ["-w", "abc", "127.0.0.1", "80"], says: "invalid time for -w: 'abc'"),
        BadCommand(arguments: ["-w", "", "127.0.0.1", "80"], says: "invalid time for -w: ''"),
        BadCommand(arguments: ["-w", "-5", "127.0.0.1", "80"], says: "invalid time for -w: '-5'"),
        BadCommand(arguments: ["-w", "nan", "127.0.0.1", "80"], says: "invalid time for -w: 'nan'"),
        BadCommand(arguments: ["-w", "1e300", "127.0.0.1", "80"], says: "invalid time for -w: '1e300'"),
        BadCommand(arguments: ["-w2x", "127.0.0.1", "80"], says: "invalid time for -w: '2x'"),
        BadCommand(arguments: ["-q", "soon", "127.0.0.1", "80"], says: "invalid time for -q: 'soon'"),
        BadCommand(arguments: ["-q", "-99999999999", "127.0.0.1", "80"], says: "invalid time for -q: '-99999999999'"),
        BadCommand(arguments: ["127.0.0.1", "80", "-w"], says: "option requires an argument -- 'w'"),
        BadCommand(arguments: ["127.0.0.1", "80", "--wait"], says: "option requires an argument -- --wait"),
        BadCommand(arguments: ["-l", "-z", "80"], says: "cannot use -l and -z"),
        BadCommand(arguments: ["-lz", "127.0.0.1", "80"], says: "cannot use -l and -z"),
        BadCommand(arguments: ["-l", "--broadcast", "80"], says: "cannot use -l and --broadcast"),
        BadCommand(arguments: ["-z", "--resolve"], says: "cannot use -z and --resolve"),
        BadCommand(arguments: ["--echo", "127.0.0.1", "80"], says: "--echo needs -l"),
        BadCommand(arguments: ["-k", "127.0.0.1", "80"], says: "-k needs -l"),
        BadCommand(arguments: ["-ku", "127.0.0.1", "80"], says: "-k needs -l"),
        BadCommand(arguments: ["-4", "-6", "127.0.0.1", "80"], says: "cannot use -4 and -6"),
        BadCommand(arguments: ["-64", "127.0.0.1", "80"], says: "cannot use -4 and -6"),
        BadCommand(arguments: ["-6", "--broadcast", "80"], says: "--broadcast is IPv4 only"),
        BadCommand(arguments: ["--broadcast"], says: "--broadcast takes [address] port"),
        BadCommand(arguments: ["--broadcast", "10.0.0.255", "80", "81"], says: "--broadcast takes [address] port"),
        BadCommand(arguments: ["--resolve", "localhost", "other"], says: "--resolve takes at most one host"),
        BadCommand(arguments: ["-l", "-s", "127.0.0.1", "80", "81"], says: "cannot use -s with -l and an address"),
        // Bad values of the second release's options.
        BadCommand(arguments: ["-T", "fast", "127.0.0.1", "80"], says: "invalid TOS for -T: 'fast'"),
        BadCommand(arguments: ["-T", "256", "127.0.0.1", "80"], says: "invalid TOS for -T: '256'"),
        BadCommand(arguments: ["-T", "0x100", "127.0.0.1", "80"], says: "invalid TOS for -T: '0x100'"),
        BadCommand(arguments: ["--tos=af44", "127.0.0.1", "80"], says: "invalid TOS for -T: 'af44'"),
        BadCommand(arguments: ["-X", "6", "-x", "127.0.0.1", "h", "80"], says: "invalid proxy protocol for -X: '6'"),
        BadCommand(arguments: ["-x", "[::1", "h", "80"], says: "invalid proxy address: '[::1'"),
        BadCommand(arguments: ["-x", "[::1]1080", "h", "80"], says: "invalid proxy address: '[::1]1080'"),
        BadCommand(arguments: ["-x", ":1080", "h", "80"], says: "empty proxy host: ':1080'"),
        BadCommand(arguments: ["-x", "[]:1080", "h", "80"], says: "empty proxy host: '[]:1080'"),
        BadCommand(arguments: ["-x", "127.0.0.1:0", "h", "80"], says: "port out of range: '0'"),
        BadCommand(arguments: ["-x", "127.0.0.1:", "h", "80"], says: "invalid port: ''"),
        BadCommand(arguments: ["-I", "0", "127.0.0.1", "80"], says: "invalid length for -I: '0'"),
        BadCommand(arguments: ["-O", "big", "127.0.0.1", "80"], says: "invalid length for -O: 'big'"),
        BadCommand(arguments: ["-O", "2147483648", "127.0.0.1", "80"], says: "invalid length for -O: '2147483648'"),
        BadCommand(arguments: ["-M", "256", "127.0.0.1", "80"], says: "invalid ttl for -M: '256'"),
        BadCommand(arguments: ["-m", "-1", "127.0.0.1", "80"], says: "invalid ttl for -m: '-1'"),
        BadCommand(arguments: ["-W", "0", "127.0.0.1", "80"], says: "invalid count for -W: '0'"),
        BadCommand(arguments: ["--max-conns", "0", "-lk", "80"], says: "invalid count for --max-conns: '0'"),
        BadCommand(arguments: ["-i", "soon", "127.0.0.1", "80"], says: "invalid time for -i: 'soon'"),
        BadCommand(arguments: ["--idle-timeout", "0", "127.0.0.1", "80"], says: "invalid time for --idle-timeout: '0'"),
        BadCommand(arguments: ["-e", "", "-l", "80"], says: "empty -e command"),
        BadCommand(arguments: ["-e", "'cat", "-l", "80"], says: "unbalanced ' in -e command"),
        BadCommand(arguments: ["-e", "cat\\", "-l", "80"], says: "-e command ends with a backslash"),
        BadCommand(arguments: ["-c", "", "-l", "80"], says: "empty command for -c"),
        BadCommand(arguments: ["-P", "", "-x", "127.0.0.1", "h", "80"], says: "empty user name for -P"),
        BadCommand(arguments: ["--allow", "", "-l", "80"], says: "empty host list for --allow"),
        BadCommand(arguments: ["--output", "", "127.0.0.1", "80"], says: "empty file name for --output"),
        BadCommand(arguments: ["--ssl", "--ssl-alpn", "h2,,http/1.1", "h", "80"], says: "invalid protocol list for --ssl-alpn: 'h2,,http/1.1'"),
        BadCommand(arguments: ["--ssl", "--ssl-servername=", "h", "80"], says: "empty name for --ssl-servername"),
        // Options that need another.
        BadCommand(arguments: ["--broker", "127.0.0.1", "80"], says: "--broker needs -l"),
        BadCommand(arguments: ["--chat", "127.0.0.1", "80"], says: "--chat needs -l"),
        BadCommand(arguments: ["--max-conns", "5", "127.0.0.1", "80"], says: "--max-conns needs -l"),
        BadCommand(arguments: ["--allow", "10.0.0.0/8", "127.0.0.1", "80"], says: "--allow needs -l"),
        BadCommand(arguments: ["--deny", "10.0.0.1", "127.0.0.1", "80"], says: "--deny needs -l"),
        BadCommand(arguments: ["--allowfile", "hosts", "127.0.0.1", "80"], says: "--allowfile needs -l"),
        BadCommand(arguments: ["--denyfile", "hosts", "127.0.0.1", "80"], says: "--denyfile needs -l"),
        BadCommand(arguments: ["-P", "user", "127.0.0.1", "80"], says: "-P needs -x"),
        BadCommand(arguments: ["--proxy-user=user", "127.0.0.1", "80"], says: "-P needs -x"),
        BadCommand(arguments: ["-X", "5", "127.0.0.1", "80"], says: "-X needs -x"),
        BadCommand(arguments: ["--append-output", "127.0.0.1", "80"], says: "--append-output needs --output"),
        BadCommand(arguments: ["--ssl-cert", "c.pem", "127.0.0.1", "80"], says: "--ssl-cert needs --ssl"),
        BadCommand(arguments: ["--ssl-insecure", "127.0.0.1", "80"], says: "--ssl-insecure needs --ssl"),
        BadCommand(arguments: ["--ssl-alpn", "h2", "127.0.0.1", "80"], says: "--ssl-alpn needs --ssl"),
        BadCommand(arguments: ["--ssl", "--ssl-cert", "c.pem", "-l", "80"], says: "--ssl-cert needs --ssl-key"),
        BadCommand(arguments: ["--ssl", "--ssl-key", "k.pem", "-l", "80"], says: "--ssl-key needs --ssl-cert"),
        BadCommand(arguments: ["--ssl", "--ssl-verify-client", "127.0.0.1", "80"], says: "--ssl-verify-client needs -l"),
        // Options that cannot go together.
        BadCommand(arguments: ["-e", "cat", "-c", "cat", "-l", "80"], says: "cannot use -e and -c"),
        BadCommand(arguments: ["--echo", "-e", "cat", "-l", "80"], says: "cannot use --echo and -e"),
        BadCommand(arguments: ["--echo", "--sh-exec=cat", "-l", "80"], says: "cannot use --echo and -c"),
        BadCommand(arguments: ["-z", "-e", "cat", "127.0.0.1", "80"], says: "cannot use -z and -e"),
        BadCommand(arguments: ["--broker", "-e", "cat", "-l", "80"], says: "cannot use --broker and -e"),
        BadCommand(arguments: ["--broker", "--echo", "-l", "80"], says: "cannot use --broker and --echo"),
        BadCommand(arguments: ["--broker", "-lu", "80"], says: "cannot use --broker and -u"),
        BadCommand(arguments: ["--chat", "-c", "cat", "-l", "80"], says: "cannot use --chat and -c"),
        BadCommand(arguments: ["--chat", "-lu", "80"], says: "cannot use --chat and -u"),
        BadCommand(arguments: ["--send-only", "--recv-only", "127.0.0.1", "80"], says: "cannot use --send-only and --recv-only"),
        BadCommand(arguments: ["--send-only", "-d", "127.0.0.1", "80"], says: "cannot use --send-only and -d"),
        BadCommand(arguments: ["-F", "-l", "80"], says: "cannot use -F and -l"),
        BadCommand(arguments: ["-Fz", "127.0.0.1", "80"], says: "cannot use -F and -z"),
        BadCommand(arguments: ["-F", "-e", "cat", "127.0.0.1", "80"], says: "cannot use -F and -e"),
        BadCommand(arguments: ["-F", "--ssl", "127.0.0.1", "80"], says: "cannot use -F and --ssl"),
        BadCommand(arguments: ["-x", "127.0.0.1", "-l", "80"], says: "cannot use -x and -l"),
        BadCommand(arguments: ["-x", "127.0.0.1", "-u", "h", "80"], says: "cannot use -x and -u"),
        BadCommand(arguments: ["-x", "127.0.0.1", "-U", "/tmp/x.sock"], says: "cannot use -x and -U"),
        BadCommand(arguments: ["-x", "127.0.0.1", "--broadcast", "80"], says: "cannot use -x and --broadcast"),
        BadCommand(arguments: ["--ssl", "-u", "127.0.0.1", "80"], says: "cannot use --ssl and -u"),
        BadCommand(arguments: ["--ssl", "--broadcast", "80"], says: "cannot use --ssl and --broadcast"),
    ]

    /// The usage that follows a usage error, the same for all.
    static let usage: String = {
        let text = (try? runSwnc(["-y"]).errors) ?? ""
        return String(text.drop { $0 != "\n" }.dropFirst())
    }()

    @Test(arguments: usageErrors)
    func badUsageIsOneErrorLineThenTheUsage(_ case: BadCommand) throws {
        let result = try runSwnc(`case`.arguments)
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errors == "swnc: \(`case`.says)\n\(ErrorTests.usage)")
        #expect(ErrorTests.usage.hasPrefix("usage: swnc ") && !ErrorTests.usage.contains("swnc: "))
    }

    /// -S, -V and -Z are OpenBSD netcat's, for facilities Linux lacks: accepted, then one line.
    @Test(arguments: [
        (["-S", "127.0.0.1", "80"], "-S (TCP MD5 signatures)"),
        (["--md5sig", "127.0.0.1", "80"], "-S (TCP MD5 signatures)"),
        (["-V", "1", "127.0.0.1", "80"], "-V (routing tables)"),
        (["--rtable=1", "-l", "80"], "-V (routing tables)"),
        (["-Z", "127.0.0.1", "80"], "-Z (DCCP)"),
    ])
    func openBSDOnlyFacilityIsOneErrorLine(arguments: [String], facility: String) throws {
        let result = try runSwnc(arguments)
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errors == "swnc: \(facility) is an OpenBSD facility that Linux lacks\n")
    }

    static let failures = [
        BadCommand(arguments: ["-n", "localhost", "80"], says: "resolve localhost failed: "),
        BadCommand(arguments: ["-6", "127.0.0.1", "80"], says: "resolve 127.0.0.1 failed: "),
        BadCommand(arguments: ["-l", "-n", "localhost", "0"], says: "resolve localhost failed: "),
        BadCommand(arguments: ["127.0.0.1", "{closed}"], says: "connect to 127.0.0.1 port {closed} (tcp) failed: Connection refused"),
        BadCommand(arguments: ["-v", "127.0.0.1", "{closed}"], says: "connect to 127.0.0.1 port {closed} (tcp) failed: Connection refused"),
        BadCommand(arguments: ["-U", "{dir}/missing.sock"], says: "connect to {dir}/missing.sock failed: No such file or directory"),
        BadCommand(arguments: ["-l", "127.0.0.1", "{open}"], says: "bind to 127.0.0.1 port {open} (tcp) failed: Address already in use"),
        BadCommand(arguments: ["--echo", "-l", "127.0.0.1", "{open}"], says: "bind to 127.0.0.1 port {open} (tcp) failed: Address already in use"),
        // 192.0.2.1 (TEST-NET-1) is on no interface of this machine: binding to it fails, nothing is sent.
        BadCommand(arguments: ["-l", "192.0.2.1", "0"], says: "bind to 192.0.2.1 port 0 (tcp) failed: Cannot assign requested address"),
        BadCommand(arguments: ["-lu", "192.0.2.1", "0"], says: "bind to 192.0.2.1 port 0 (udp) failed: Cannot assign requested address"),
        BadCommand(arguments: ["-s", "192.0.2.1", "127.0.0.1", "{open}"], says: "bind to 192.0.2.1 port 0 (tcp) failed: Cannot assign requested address"),
        BadCommand(arguments: ["-p", "{open}", "127.0.0.1", "{open}"], says: "bind to 0.0.0.0 port {open} (tcp) failed: Address already in use"),
        BadCommand(arguments: ["-lU", "{dir}/no/such/dir.sock"], says: "bind to {dir}/no/such/dir.sock failed: No such file or directory"),
    ]

    @Test(arguments: failures)
    func failureIsOneErrorLine(_ case: BadCommand) throws {
        let ports = try ReservedPorts(count: 2)
        try ports.open(1)
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func substituted(_ text: String) -> String {
            text.replacingOccurrences(of: "{closed}", with: String(ports.first))
                .replacingOccurrences(of: "{open}", with: String(ports.first + 1))
                .replacingOccurrences(of: "{dir}", with: directory.path)
        }
        let result = try runSwnc(`case`.arguments.map(substituted))
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1, "got: \(result.errors)")
        #expect(result.errors.hasPrefix("swnc: \(substituted(`case`.says))"), "got: \(result.errors)")
    }

    /// An odd command line with what SPEC.md says it ends with.
    struct OddCommandLine: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        let status: Int32
        let why: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    /// Odd input on stdin or argv never kills swnc: it exits with the status SPEC.md gives.
    @Test(arguments: [
        OddCommandLine(arguments: ["-w", "0.0000000001", "127.0.0.1", "{closed}"], status: 1,
                       why: "a refused TCP connect is an error"),
        OddCommandLine(arguments: ["-q", "0", "-u", "127.0.0.1", "{closed}"], status: 0,
                       why: "UDP refused with no other address to try is not an error to scripts"),
        OddCommandLine(arguments: ["-", "{closed}"], status: 1, why: "'-' is a host name that does not resolve"),
        OddCommandLine(arguments: ["-l", "127.0.0.1", "\u{1F600}"], status: 1, why: "an invalid port is a usage error"),
        OddCommandLine(arguments: ["--=", "127.0.0.1", "{closed}"], status: 1, why: "an unknown option is a usage error"),
        OddCommandLine(arguments: ["-zv", "127.0.0.1", "{closed}-{closed}"], status: 1,
                       why: "-z exits 1 when no port is open"),
    ])
    func oddCommandLinesEndWithTheStatusSPECSays(_ line: OddCommandLine) throws {
        let ports = try ReservedPorts(count: 1)
        let result = try runSwnc(line.arguments.map { $0.replacingOccurrences(of: "{closed}", with: String(ports.first)) },
                                 input: String(repeating: "\u{0}\u{FF}garbage\n", count: 100))
        #expect(result.status == line.status, "\(line.why); stderr: \(result.errors)")
        if line.status == 1 { #expect(result.errors.hasPrefix("swnc: "), "got: \(result.errors)") }
    }
}
