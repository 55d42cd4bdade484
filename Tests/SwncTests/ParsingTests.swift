import Glibc
import SwncCore
import Testing
@testable import swnc

/// What the parser makes of the second release's options, in process: each option's
/// Configuration field, and the rules that keep nc.openbsd's command lines working.
@Suite struct ParsingTests {
    private func parse(_ arguments: [String]) throws -> Configuration { try Parser.parse(arguments).configuration }

    // MARK: The rest of OpenBSD netcat

    @Test func flagsSetTheirFields() throws {
        let configuration = try parse(["-bCDrt", "-u", "127.0.0.1", "80"])
        #expect(configuration.allowBroadcast && configuration.crlf && configuration.debugSocket)
        #expect(configuration.randomPorts && configuration.telnet)
        #expect(try parse(["-F", "127.0.0.1", "80"]).passDescriptor)
        #expect(try parse(["--pass-fd", "127.0.0.1", "80"]).passDescriptor)
        let quiet = try parse(["127.0.0.1", "80"])
        #expect(!quiet.allowBroadcast && !quiet.crlf && !quiet.debugSocket && !quiet.randomPorts && !quiet.telnet)
        #expect(!quiet.passDescriptor && quiet.proxy == nil && quiet.tls == nil && quiet.exec == nil)
    }

    @Test func numbersSetTheirFields() throws {
        let configuration = try parse(["-I", "65536", "-O4096", "-M", "64", "--min-ttl=255", "-W", "3", "-i", "500ms",
                                       "127.0.0.1", "80"])
        #expect(configuration.receiveBufferSize == 65536)
        #expect(configuration.sendBufferSize == 4096)
        #expect(configuration.ttl == 64)
        #expect(configuration.minimumTTL == 255)
        #expect(configuration.receiveLimit == 3)
        #expect(configuration.interval == .milliseconds(500))
        #expect(try parse(["-M", "0", "127.0.0.1", "80"]).ttl == 0)
    }

    @Test(arguments: [
        ("lowdelay", 0x10), ("throughput", 0x08), ("reliability", 0x04), ("critical", 0xa0),
        ("inetcontrol", 0xc0), ("netcontrol", 0xe0), ("ef", 0xb8), ("va", 0xb0),
        ("af11", 0x28), ("af12", 0x30), ("af13", 0x38), ("af21", 0x48), ("af22", 0x50), ("af23", 0x58),
        ("af31", 0x68), ("af32", 0x70), ("af33", 0x78), ("af41", 0x88), ("af42", 0x90), ("af43", 0x98),
        ("cs0", 0x00), ("cs1", 0x20), ("cs3", 0x60), ("cs7", 0xe0), ("EF", 0xb8),
        ("0", 0), ("255", 255), ("46", 46), ("0x2e", 0x2e), ("0XFF", 0xff),
    ])
    func typeOfServiceKeywordOrNumber(text: String, value: Int32) throws {
        #expect(TypeOfService.parse(text) == value)
        #expect(try parse(["-T", text, "127.0.0.1", "80"]).typeOfService == value)
    }

    @Test(arguments: ["", "256", "-1", "0x", "0x100", "af44", "af10", "cs8", "+5", "1e2", "lowdelay ", "٤"])
    func typeOfServiceRefusesEverythingElse(text: String) {
        #expect(TypeOfService.parse(text) == nil)
    }

    @Test func typeOfServiceHasOpenBSDsKeywordsAndVa() {
        #expect(TypeOfService.keywords.count == 8 + 12 + 8)
    }

    // MARK: Proxies

    @Test(arguments: [
        ("127.0.0.1:1080", "127.0.0.1", UInt16?(1080)), ("proxy.example", "proxy.example", nil),
        ("proxy.example:3128", "proxy.example", 3128), ("[::1]:1080", "::1", 1080), ("[::1]", "::1", nil),
        ("::1", "::1", nil), ("[2001:db8::1]:8080", "2001:db8::1", 8080), ("proxy:socks", "proxy", 1080),
    ])
    func proxyAddressAndPort(text: String, host: String, port: UInt16?) throws {
        let proxy = try parse(["-x", text, "destination.example", "22"]).proxy
        #expect(proxy == ProxySettings(kind: .socks5, host: host, port: port, user: nil))
    }

    @Test(arguments: [("4", ProxySettings.Kind.socks4), ("5", .socks5), ("connect", .httpConnect), ("CONNECT", .httpConnect)])
    func proxyTypeAndUser(text: String, kind: ProxySettings.Kind) throws {
        let configuration = try parse(["-X", text, "-P", "alice", "--proxy=[::1]:9", "%h", "22"])
        #expect(configuration.proxy == ProxySettings(kind: kind, host: "::1", port: 9, user: "alice"))
        #expect(configuration.host == "%h" && configuration.ports == [22])
    }

    /// -x before -X or after: the same settings; the default port follows the protocol.
    @Test func proxyDefaultPortFollowsTheType() throws {
        #expect(try parse(["-x", "p", "-X", "connect", "h", "80"]).proxy?.effectivePort == 3128)
        #expect(try parse(["-X", "4", "-x", "p", "h", "80"]).proxy?.effectivePort == 1080)
        #expect(try parse(["-x", "p", "h", "80"]).proxy?.effectivePort == 1080)
    }

    // MARK: ncat's roles

    @Test(arguments: [
        ("cat", ["cat"]),
        ("  /bin/echo  a   b ", ["/bin/echo", "a", "b"]),
        ("printf '%s\\n' \"two words\"", ["printf", "%s\\n", "two words"]),
        ("echo it\\'s a\\ b", ["echo", "it's", "a b"]),
        ("x \"\" ''", ["x", "", ""]),
        ("say \"a \\\"quoted\\\" \\n\"", ["say", "a \"quoted\" \\n"]),
        ("ab'cd'\"ef\"", ["abcdef"]),
    ])
    func execSplitsOnWhitespaceWithQuotes(text: String, words: [String]) throws {
        #expect(try parse(["-e", text, "-l", "80"]).exec == words)
    }

    @Test func shExecRunsTheShell() throws {
        #expect(try parse(["-c", "echo $HOME | tr a-z A-Z", "-lk", "80"]).exec == ["/bin/sh", "-c", "echo $HOME | tr a-z A-Z"])
        #expect(try parse(["--sh-exec=cat", "127.0.0.1", "80"]).exec == ["/bin/sh", "-c", "cat"])
    }

    @Test func listenerRolesAndAccess() throws {
        let configuration = try parse(["--chat", "--broker", "--max-conns", "7", "--allow", "10.0.0.0/8,::1",
                                       "--allow", "localhost", "--deny=10.0.0.9", "--allowfile", "a.txt",
                                       "--denyfile", "d.txt", "-lk", "80"])
        #expect(configuration.chat && configuration.broker && configuration.maxConnections == 7)
        #expect(configuration.allow == ["10.0.0.0/8,::1", "localhost"])
        #expect(configuration.deny == ["10.0.0.9"])
        #expect(configuration.allowFiles == ["a.txt"] && configuration.denyFiles == ["d.txt"])
    }

    @Test func dataDirectionsTimesAndLogs() throws {
        let configuration = try parse(["--send-only", "--idle-timeout", "2m", "--output", "out.bin", "--append-output",
                                       "--hex-dump", "dump.txt", "--stats", "--progress", "127.0.0.1", "80"])
        #expect(configuration.sendOnly && !configuration.receiveOnly)
        #expect(configuration.idleTimeout == .seconds(120))
        #expect(configuration.outputFile == "out.bin" && configuration.appendOutput)
        #expect(configuration.hexDumpFile == "dump.txt" && configuration.stats && configuration.progress)
        #expect(try parse(["--recv-only", "127.0.0.1", "80"]).receiveOnly)
    }

    // MARK: TLS

    @Test func tlsSettingsOnlyWithSSL() throws {
        let configuration = try parse(["--ssl", "--ssl-cert", "c.pem", "--ssl-key=k.pem", "--ssl-trustfile", "ca.pem",
                                       "--ssl-alpn", "h2,http/1.1", "--ssl-verify-client", "-l", "443"])
        var expected = TLSSettings()
        expected.certificateFile = "c.pem"
        expected.keyFile = "k.pem"
        expected.trustFile = "ca.pem"
        expected.alpn = ["h2", "http/1.1"]
        expected.verifyClient = true
        #expect(configuration.tls == expected)
        var client = TLSSettings()
        client.serverName = "example.org"
        client.insecure = true
        #expect(try parse(["--ssl-servername", "example.org", "--ssl-insecure", "--ssl", "127.0.0.1", "443"]).tls == client)
        #expect(try parse(["--ssl", "127.0.0.1", "443"]).tls == TLSSettings())
    }

    // MARK: OpenBSD-only facilities

    @Test(arguments: [(["-S"], "-S (TCP MD5 signatures)"), (["-V", "3"], "-V (routing tables)"), (["--dccp"], "-Z (DCCP)")])
    func openBSDOnlyFacilitiesParseThenAreRefused(flags: [String], facility: String) throws {
        #expect(try Parser.parse(flags + ["127.0.0.1", "80"]).unsupportedFacility == facility)
        #expect(try Parser.parse(["127.0.0.1", "80"]).unsupportedFacility == nil)
    }

    // MARK: Scripts written for nc.openbsd keep working

    @Test func waitZeroIsValid() throws {
        #expect(try parse(["-u", "-w0", "127.0.0.1", "8125"]).timeout == .zero)
        #expect(try parse(["-w", "0", "127.0.0.1", "80"]).timeout == .zero)
    }

    @Test func listenOnSourcePortZero() throws {
        let configuration = try parse(["-l", "-p", "0"])
        #expect(configuration.mode == .listen && configuration.ports == [0] && configuration.sourcePort == nil)
    }

    @Test func serviceNameWithHyphenIsAPortAndRangesGoEitherWay() throws {
        let httpAlt = try #require(Resolver.port(ofService: "http-alt", transport: .tcp))
        let ftpData = try #require(Resolver.port(ofService: "ftp-data", transport: .tcp))
        #expect(try parse(["-z", "127.0.0.1", "http-alt", "ftp-data"]).ports == [httpAlt, ftpData])
        #expect(try parse(["127.0.0.1", "ftp-data"]).ports == [ftpData])
        #expect(try parse(["-z", "127.0.0.1", "27104-27100"]).ports == Array(27100...27104))
        #expect(try parse(["-z", "127.0.0.1", "27100-27104"]).ports == Array(27100...27104))
        #expect(try parse(["-z", "127.0.0.1", "80-80"]).ports == [80])
    }

    @Test func serviceNamesAreLookedUpWithNumericOnly() throws {
        #expect(try parse(["-n", "127.0.0.1", "http"]).ports == [80])
        #expect(try parse(["-nu", "127.0.0.1", "domain"]).ports == [53])
        #expect(try parse(["-nz", "127.0.0.1", "ftp-data"]).ports == [20])
    }

    @Test func probeOfUnixSocket() throws {
        let configuration = try parse(["-zU", "/tmp/some.sock"])
        #expect(configuration.mode == .probe && configuration.unixDomain && configuration.path == "/tmp/some.sock")
    }

    @Test func helpStartsWithUsage() {
        #expect(String(decoding: Usage.help, as: UTF8.self).hasPrefix("usage: swnc "))
        #expect(Usage.synopsis.hasPrefix("usage: swnc "))
    }
}
