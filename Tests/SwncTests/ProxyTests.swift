import Foundation
import Testing

/// The proxy client (-x, -X, -P) end to end, against real proxy servers started on loopback
/// (microsocks, Dante, tinyproxy) and scripted_proxy.py for what they cannot show: the bytes of
/// the request, bytes right after the reply, refusals, a proxy that stalls.
@Suite("Proxies")
struct ProxyTests {
    /// Random bytes sent through the tunnel to an echo server and expected back whole.
    static let payloadSize = 300 * 1024

    // MARK: Real proxies

    @Test("SOCKS5 through microsocks, byte-exact both ways", arguments: ["localhost", "127.0.0.1"])
    func microsocksSocks5(destination: String) throws {
        let proxy = try LocalServer.microsocks()
        defer { _ = proxy }
        let (errors, port) = try echoThroughProxy(["-v", "-X", "5", "-x", "127.0.0.1:\(proxy.port)"], destination: destination)
        #expect(errors == "Connection to \(destination) \(port) port [tcp/\(serviceName(ofPort: port, transport: "tcp"))] succeeded!\n")
    }

    @Test("SOCKS5 with user and password (RFC 1929) through microsocks")
    func microsocksWithPassword() throws {
        let proxy = try LocalServer.microsocks(user: "swncuser", password: "s3cret pass")
        defer { _ = proxy }
        let (errors, _) = try echoThroughProxy(["-P", "swncuser", "-x", "127.0.0.1:\(proxy.port)"],
                                               password: "s3cret pass")
        #expect(errors == "")
    }

    @Test("a wrong SOCKS5 password is one line naming the proxy and the status, exit 1")
    func microsocksWrongPassword() throws {
        let proxy = try LocalServer.microsocks(user: "swncuser", password: "s3cret")
        defer { _ = proxy }
        let (echo, port) = try startPythonPeer("tcp_echo.py")
        defer { _ = echo }
        let finished = try runProxied(["-P", "swncuser", "-x", "127.0.0.1:\(proxy.port)", "localhost", "\(port)"], password: "wrong")
        #expect(finished.status == 1)
        #expect(finished.errors == "swnc: proxy 127.0.0.1 port \(proxy.port) refused user swncuser: SOCKS5 authentication status 2\n")
        #expect(finished.output == "")
    }

    @Test("microsocks refusing a closed destination: one line with the SOCKS5 code, exit 1")
    func microsocksRefusal() throws {
        let proxy = try LocalServer.microsocks()
        defer { _ = proxy }
        let closed = try ReservedPorts(count: 1)
        defer { _ = closed }
        let finished = try runProxied(["-x", "127.0.0.1:\(proxy.port)", "127.0.0.1", "\(closed.first)"])
        #expect(finished.status == 1)
        #expect(finished.errors == "swnc: proxy 127.0.0.1 port \(proxy.port) refused the connection: SOCKS5 reply 5 (connection refused)\n")
    }

    @Test("SOCKS4 and SOCKS5 through Dante, byte-exact both ways",
          arguments: [("4", "127.0.0.1"), ("5", "127.0.0.1"), ("5", "localhost")])
    func dante(version: String, destination: String) throws {
        let proxy = try LocalServer.dante()
        defer { _ = proxy }
        let (errors, port) = try echoThroughProxy(["-v", "-X", version, "-x", "127.0.0.1:\(proxy.port)"], destination: destination)
        #expect(errors == "Connection to \(destination) \(port) port [tcp/\(serviceName(ofPort: port, transport: "tcp"))] succeeded!\n")
    }

    @Test("HTTP CONNECT with Basic authentication through tinyproxy, byte-exact both ways")
    func tinyproxyBasicAuth() throws {
        let (echo, echoPort) = try startPythonPeer("tcp_echo_count.py", ["\(Self.payloadSize)"])
        let proxy = try LocalServer.tinyproxy(user: "swncuser", password: "s3cret", connectPort: echoPort)
        defer { _ = proxy }
        let (errors, _) = try echoThroughProxy(["-X", "connect", "-P", "swncuser", "-x", "127.0.0.1:\(proxy.port)"],
                                               password: "s3cret", echo: (echo, echoPort))
        #expect(errors == "")
    }

    @Test("tinyproxy without credentials: its 407 as one line, exit 1")
    func tinyproxyWithoutCredentials() throws {
        let (echo, echoPort) = try startPythonPeer("tcp_echo.py")
        defer { _ = echo }
        let proxy = try LocalServer.tinyproxy(user: "swncuser", password: "s3cret", connectPort: echoPort)
        defer { _ = proxy }
        let finished = try runProxied(["-X", "connect", "-x", "127.0.0.1:\(proxy.port)", "localhost", "\(echoPort)"])
        #expect(finished.status == 1)
        #expect(finished.errors == "swnc: proxy 127.0.0.1 port \(proxy.port) refused the connection: HTTP/1.0 407 Proxy Authentication Required\n")
        #expect(finished.output == "")
    }

    // MARK: What only a scripted proxy shows

    @Test("the destination name goes to the proxy unresolved; a numeric one as an address",
          arguments: [("5", "localhost"), ("5", "127.0.0.1"), ("4", "localhost"), ("connect", "localhost")])
    func requestAsSent(kind: String, destination: String) throws {
        let mode = ["5": "socks5-ok", "4": "socks4-ok", "connect": "connect-ok"][kind] ?? ""
        let (proxy, proxyPort) = try startPythonPeer("scripted_proxy.py", [mode])
        let (echo, echoPort) = try startPythonPeer("tcp_echo_count.py", ["\(Self.payloadSize)"])
        try echoThroughProxy(["-X", kind, "-x", "127.0.0.1:\(proxyPort)"], destination: destination, echo: (echo, echoPort))
        #expect(try proxy.waitForExit() == 0)
        #expect(proxy.standardError == Self.request(kind: kind, destination: destination, port: echoPort) + "\n")
    }

    @Test("bytes the proxy sends right after its reply reach stdout first")
    func bytesAfterTheReply() throws {
        let (proxy, proxyPort) = try startPythonPeer("scripted_proxy.py", ["socks5-ok-then-data"])
        defer { _ = proxy }
        let (echo, echoPort) = try startPythonPeer("tcp_echo_count.py", ["\(Self.payloadSize)"])
        defer { _ = echo }
        let payload = randomBytes(count: Self.payloadSize)
        let client = try Spawned(swnc: ["-x", "127.0.0.1:\(proxyPort)", "localhost", "\(echoPort)"])
        client.writeInBackground(payload, thenClose: true)
        try client.waitForOutput(equalTo: Data("early\n".utf8) + payload)
        try client.expectCleanExit()
    }

    @Test("a scripted SOCKS5 refusal is one line with the code, exit 1")
    func scriptedRefusal() throws {
        let (proxy, proxyPort) = try startPythonPeer("scripted_proxy.py", ["socks5-refused"])
        defer { _ = proxy }
        let finished = try runProxied(["-x", "127.0.0.1:\(proxyPort)", "localhost", "9"])
        #expect(finished.status == 1)
        #expect(finished.errors == "swnc: proxy 127.0.0.1 port \(proxyPort) refused the connection: SOCKS5 reply 5 (connection refused)\n")
    }

    @Test("a proxy that stalls mid-reply ends at -w, exit 1")
    func stalledProxy() throws {
        let (proxy, proxyPort) = try startPythonPeer("scripted_proxy.py", ["truncated"])
        defer { _ = proxy }
        var finished: Finished?
        let seconds = try secondsTaken {
            finished = try runProxied(["-w", "1", "-x", "127.0.0.1:\(proxyPort)", "localhost", "9"])
        }
        #expect(finished?.status == 1)
        #expect(finished?.errors == "swnc: handshake with proxy 127.0.0.1 port \(proxyPort) failed: timed out\n")
        #expect(seconds >= 0.9 && seconds < 5, "took \(seconds) s")
    }

    // MARK: -F

    @Test("-F passes the connected socket to a parent that talks through it", arguments: [false, true])
    func passDescriptor(throughProxy: Bool) throws {
        let proxy = throughProxy ? try LocalServer.microsocks() : nil
        defer { _ = proxy }
        let route = proxy.map { ["-x", "127.0.0.1:\($0.port)", "localhost"] } ?? ["127.0.0.1"]
        let parent = try Spawned(Paths.python, [Paths.peer("fdpass_parent.py"), Paths.swnc, "-F"] + route + ["ECHO_PORT"])
        #expect(try parent.waitForExit(timeout: Spawned.patience) == 0, "stderr: \(parent.standardError)")
        #expect(parent.standardOutputText == "received 1 descriptor\nechoed \(256 * 1024) bytes exact\n")
    }

    @Test("-F with stdout not a UNIX socket: one line, exit 1")
    func passDescriptorToAPipe() throws {
        let (echo, echoPort) = try startPythonPeer("tcp_echo.py")
        defer { _ = echo }
        let finished = try runSwnc(["-F", "127.0.0.1", "\(echoPort)"])
        #expect(finished.status == 1)
        #expect(finished.errors == "swnc: pass the connection to stdout failed: stdout is not a UNIX socket\n")
    }

    // MARK: nc.openbsd

    @Test("nc.openbsd and swnc through microsocks: same bytes, same exit status",
          .enabled(if: NetcatOpenBSD.path != nil, "nc.openbsd is not installed (Debian package netcat-openbsd)"),
          arguments: [true, false])
    func sameAsNetcatOpenBSD(destinationOpen: Bool) throws {
        let proxy = try LocalServer.microsocks()
        defer { _ = proxy }
        let payload = randomBytes(count: 64 * 1024)
        var results: [(status: Int32, output: Data)] = []
        for program in [NetcatOpenBSD.path ?? "", Paths.swnc] {
            let (echo, echoPort) = try startPythonPeer("tcp_echo_count.py", ["\(payload.count)"])
            let closed = try ReservedPorts(count: 1)
            defer { _ = (echo, closed) }
            let port = destinationOpen ? echoPort : closed.first
            let client = try Spawned(program, ["-X", "5", "-x", "127.0.0.1:\(proxy.port)", "localhost", "\(port)"])
            client.writeInBackground(payload, thenClose: true)
            let status = try client.waitForExit(timeout: Spawned.patience)
            results.append((status, client.standardOutput))
        }
        #expect(results[0].status == (destinationOpen ? 0 : 1))
        #expect(results[1].status == results[0].status)
        #expect(results[0].output == (destinationOpen ? payload : Data()))
        #expect(results[1].output == results[0].output)
    }

    // MARK: Helpers

    /// Runs swnc with `options` + `destination` + the port of an echo server that closes after
    /// `payloadSize` bytes, sends that many random bytes, and expects exactly them back and
    /// exit 0. Returns swnc's stderr and the echo server's port.
    @discardableResult
    func echoThroughProxy(_ options: [String], destination: String = "localhost", password: String? = nil,
                          echo: (Spawned, UInt16)? = nil) throws -> (String, UInt16) {
        let (server, port) = try echo ?? startPythonPeer("tcp_echo_count.py", ["\(Self.payloadSize)"])
        defer { _ = server }
        let payload = randomBytes(count: Self.payloadSize)
        let client = try Spawned(Paths.swnc, options + [destination, "\(port)"], environment: Self.environment(password: password))
        client.writeInBackground(payload, thenClose: true)
        try client.waitForOutput(equalTo: payload)
        try client.expectCleanExit()
        return (client.standardError, port)
    }

    func runProxied(_ arguments: [String], password: String? = nil) throws -> Finished {
        let client = try Spawned(Paths.swnc, arguments, environment: Self.environment(password: password))
        client.closeInput()
        let status = try client.waitForExit(timeout: Spawned.patience)
        return Finished(status: status, output: client.standardOutputText, errors: client.standardError)
    }

    /// In hex, the handshake swnc must send (scripted_proxy.py logs it so).
    static func request(kind: String, destination: String, port: UInt16) -> String {
        let portBytes = String(format: "%04x", port)
        switch (kind, destination) {
        case ("5", "127.0.0.1"): return "050100" + "05010001" + "7f000001" + portBytes
        case ("5", _): return "050100" + "05010003" + String(format: "%02x", destination.utf8.count) + hex(destination) + portBytes
        // SOCKS4a: the address 0.0.0.1, an empty user id, then the name.
        case ("4", _): return "0401" + portBytes + "00000001" + "00" + hex(destination) + "00"
        default: return hex("CONNECT \(destination):\(port) HTTP/1.0\r\nHost: \(destination):\(port)\r\n\r\n")
        }
    }

    /// The test's environment with SWNC_PROXY_PASSWORD set to `password`, or removed.
    static func environment(password: String?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SWNC_PROXY_PASSWORD"] = password
        return environment
    }
}

/// ssh through swnc as its ProxyCommand, to an sshd of the test's own on loopback.
@Suite("ssh's ProxyCommand", .enabled(if: LocalServer.canRunSSHServer,
                                      "sshd cannot run here: it needs root, openssh-server and openssh-client"))
struct SSHProxyCommandTests {
    @Test("ssh -o ProxyCommand='swnc -X 5 -x MICROSOCKS %h %p', and with -F as ProxyUseFdpass", arguments: [false, true])
    func sshThroughSwnc(passDescriptor: Bool) throws {
        let sshd = try LocalServer.sshd()
        let proxy = try LocalServer.microsocks()
        defer { _ = (sshd, proxy) }
        let command = "\(Paths.swnc)\(passDescriptor ? " -F" : "") -X 5 -x 127.0.0.1:\(proxy.port) %h %p"
        let options = ["-F", "/dev/null", "-o", "ProxyCommand=\(command)", "-o", "ProxyUseFdpass=\(passDescriptor ? "yes" : "no")",
                       "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                       "-i", sshd.directory.appendingPathComponent(LocalServer.userKey).path, "-p", "\(sshd.port)"]
        let ssh = try Spawned(Paths.which("ssh") ?? "ssh", options + ["root@127.0.0.1", "echo", "through-proxy"])
        #expect(try ssh.waitForExit(timeout: Spawned.patience) == 0, "stderr: \(ssh.standardError)")
        #expect(ssh.standardOutputText == "through-proxy\n")
    }
}

/// Lower-case hex of `text`'s UTF-8 bytes, as scripted_proxy.py logs a handshake.
func hex(_ text: String) -> String {
    text.utf8.map { String(format: "%02x", $0) }.joined()
}
