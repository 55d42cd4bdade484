import Foundation
import Testing

/// A TLS listener (`--ssl -lk --echo`, a fresh self-signed certificate) against peers that do
/// not speak TLS, or stop halfway (Peers/hostile_peers.py tls): each failure is one -v line,
/// a client stalled mid-handshake holds up nobody, and a good client is echoed after it all.
@Suite("Hostile TLS peers", .enabled(if: Paths.which("openssl") != nil, "the openssl command line is not installed"))
struct HostileTLSTests {
    struct Abuse: CustomTestStringConvertible, Sendable {
        let step: String
        /// The one line (besides "Connection received") that names the peer's port, up to it.
        let line: String
        /// Whether the line is whole, or only its start (random bytes fail in random ways).
        let exact: Bool
        var testDescription: String { step }
    }

    static let abuses = [
        Abuse(step: "plaintext", line: "swnc: TLS handshake with 127.0.0.1 port PORT failed: http request", exact: true),
        Abuse(step: "random", line: "swnc: TLS handshake with 127.0.0.1 port PORT failed: ", exact: false),
        Abuse(step: "truncated-hello", line: "swnc: TLS handshake with 127.0.0.1 port PORT failed: unexpected eof while reading", exact: true),
        // The echo role counts a reset as the peer's going, as it does without TLS.
        Abuse(step: "reset-mid-record", line: "Connection closed on 127.0.0.1 PORT: 0 bytes echoed", exact: true),
    ]

    @Test func everyAbuseIsOneLineAndTheListenerKeepsServingWhileAClientStalls() throws {
        let (server, port) = try startHostileListener(["--ssl", "-lk", "--echo"])
        let descriptorsBefore = ProcessWatch.settledDescriptors(of: server.pid)
        let idle = ProcessWatch.kibibytes("VmHWM", of: server.pid)

        // Half a ClientHello, then nothing, until the end of the test.
        let stalled = try hostilePeer(["tls", "\(port)", "stall"])
        let stalledPort = try localPort(of: stalled)
        try stalled.waitForOutputLine(startingWith: "STALLING")

        for round in 1...3 {
            for abuse in Self.abuses {
                let peer = try hostilePeer(["tls", "\(port)", abuse.step])
                let peerPort = try localPort(of: peer)
                try peer.expectCleanExit(timeout: 15)
                #expect(peer.outputLines.last == (abuse.step == "reset-mid-record" ? "RESET" : "CLOSED"), "\(abuse.step): \(peer.standardError)")
                let expected = abuse.line.replacingOccurrences(of: "PORT", with: "\(peerPort)")
                try server.waitFor("the line of \(abuse.step)", timeout: 10) { _, errors in lines(in: errors, naming: peerPort).count == 2 }
                usleep(200_000)  // a second line would come now
                let named = lines(in: server.standardError, naming: peerPort)
                #expect(named.count == 2 && named.first == "Connection received on 127.0.0.1 \(peerPort)", "round \(round): \(named)")
                if abuse.exact {
                    #expect(named.last == expected, "round \(round): \(named)")
                } else {
                    #expect(named.last?.hasPrefix(expected) == true, "round \(round): \(named)")
                }
            }
            let good = try hostilePeer(["tls", "\(port)", "echo", "\(256 * 1024)"])
            try good.expectCleanExit(timeout: 30)
            #expect(good.outputLines == ["ECHO \(256 * 1024) exact"], "round \(round) while a client stalls mid-handshake")
        }

        stalled.closeInput()
        try stalled.expectCleanExit()
        try server.waitFor("the stalled client's line", timeout: 10) { _, errors in lines(in: errors, naming: stalledPort).count == 2 }
        #expect(lines(in: server.standardError, naming: stalledPort).last
                == "swnc: TLS handshake with 127.0.0.1 port \(stalledPort) failed: unexpected eof while reading")

        let after = try hostilePeer(["tls", "\(port)", "echo", "\(1 << 20)"])
        try after.expectCleanExit(timeout: 30)
        #expect(after.outputLines == ["ECHO \(1 << 20) exact"])
        let peak = ProcessWatch.kibibytes("VmHWM", of: server.pid)
        #expect(ProcessFacts.eventually(timeout: 5) { ProcessFacts.openDescriptors(of: server.pid) == descriptorsBefore },
                "descriptors \(descriptorsBefore) -> \(ProcessFacts.openDescriptors(of: server.pid))")
        print("TLS echo under abuse: VmHWM \(idle) kB idle, \(peak) kB after; descriptors \(descriptorsBefore) -> \(ProcessFacts.openDescriptors(of: server.pid))")
        #expect(peak - idle < 8 * 1024)
        #expect(server.process.isRunning)
    }

    private func localPort(of peer: Spawned) throws -> UInt16 {
        let line = try peer.waitForOutputLine(startingWith: "LOCAL ")
        return try #require(UInt16(line.split(separator: " ").last ?? ""))
    }
}

/// The lines of a listener's stderr about the peer on `port` (its address ends them, or its port is named).
private func lines(in errors: String, naming port: UInt16) -> [String] {
    errors.split(separator: "\n").map(String.init).filter {
        $0.hasSuffix(" \(port)") || $0.contains(" \(port):") || $0.contains("port \(port) ")
    }
}
