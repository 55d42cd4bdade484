import Foundation
import Testing

/// Every hostile mode of Peers/scripted_proxy.py through `swnc -w 2 -x`: a malformed reply is
/// one error line and exit 1 within the -w bound plus 2 s; a reply split one byte a send, or
/// followed at once by data, works byte-exact with exit 0.
@Suite("Hostile proxies")
struct HostileProxyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let mode: String
        let kind: String
        var testDescription: String { "\(mode) (-X \(kind))" }
    }

    static let failing: [Case] = [
        Case(mode: "truncated", kind: "5"), Case(mode: "truncated", kind: "4"), Case(mode: "truncated", kind: "connect"),
        Case(mode: "close-mid-reply", kind: "5"), Case(mode: "close-mid-reply", kind: "4"),
        Case(mode: "close-mid-reply", kind: "connect"),
        Case(mode: "wrong-version", kind: "5"), Case(mode: "unknown-atyp", kind: "5"),
        Case(mode: "huge-domain-length", kind: "5"),
        Case(mode: "no-status-end", kind: "connect"), Case(mode: "huge-header", kind: "connect"),
    ]

    static let working: [Case] = [
        Case(mode: "one-byte-at-a-time", kind: "5"), Case(mode: "one-byte-at-a-time", kind: "4"),
        Case(mode: "one-byte-at-a-time", kind: "connect"), Case(mode: "socks5-ok-then-data", kind: "5"),
    ]

    static let waitSeconds = 2.0

    @Test(arguments: failing)
    func aMalformedReplyIsOneErrorLineAndExitOneWithinTheBound(_ hostile: Case) throws {
        let (proxy, proxyPort) = try startPythonPeer("scripted_proxy.py", [hostile.mode])
        defer { _ = proxy }
        var status: Int32 = -1
        var errors = ""
        var output = Data()
        let seconds = try secondsTaken {
            // stdin stays open: only the proxy's reply may end the run.
            let client = try Spawned(swnc: ["-w", "2", "-X", hostile.kind, "-x", "127.0.0.1:\(proxyPort)", "localhost", "9"])
            status = try client.waitForExit(timeout: Self.waitSeconds + 8)
            errors = client.standardError
            output = client.standardOutput
        }
        #expect(status == 1)
        #expect(isOneErrorLine(errors), "stderr: \(errors.debugDescription)")
        #expect(errors.contains("proxy 127.0.0.1 port \(proxyPort)"), "stderr: \(errors.debugDescription)")
        #expect(output == Data())
        #expect(seconds < Self.waitSeconds + 2, "took \(seconds) s")
    }

    @Test(arguments: working)
    func aSplitOrEagerReplyStillCarriesEveryByte(_ hostile: Case) throws {
        let payloadSize = 256 * 1024
        let (proxy, proxyPort) = try startPythonPeer("scripted_proxy.py", [hostile.mode])
        let (echo, echoPort) = try startPythonPeer("tcp_echo_count.py", ["\(payloadSize)"])
        defer { _ = (proxy, echo) }
        let payload = randomBytes(count: payloadSize)
        let early = hostile.mode == "socks5-ok-then-data" ? Data("early\n".utf8) : Data()
        let client = try Spawned(swnc: ["-w", "2", "-X", hostile.kind, "-x", "127.0.0.1:\(proxyPort)", "localhost", "\(echoPort)"])
        client.writeInBackground(payload, thenClose: true)
        try client.waitForOutput(equalTo: early + payload)
        try client.expectCleanExit()
        #expect(client.standardError == "")
    }
}
