import Foundation
import Testing
@testable import SwncCore

@Suite struct TLSStreamTests {
    let certificates: TLSTestCertificates

    init() throws {
        certificates = try TLSTestCertificates.shared.get()
    }

    /// A client trusting the test CA only, as --ssl-trustfile.
    func clientSettings(_ adjust: (inout TLSSettings) -> Void = { _ in }) -> TLSSettings {
        var settings = TLSSettings()
        settings.trustFile = certificates.caFile
        adjust(&settings)
        return settings
    }

    /// A listener with one of the test certificates.
    func serverSettings(_ name: String, _ adjust: (inout TLSSettings) -> Void = { _ in }) -> TLSSettings {
        var settings = TLSSettings()
        settings.certificateFile = certificates.certificateFile(name)
        settings.keyFile = certificates.keyFile(name)
        adjust(&settings)
        return settings
    }

    func pair(client: TLSSettings, server: TLSSettings, host: String = "localhost") throws -> TLSTestPair {
        try TLSTestPair(client: TLSContext(client: client), server: TLSContext(server: server), host: host)
    }

    /// What the client's handshake failed with, the server's being whatever it was.
    func clientFailure(client: TLSSettings, server: TLSSettings, host: String = "localhost") throws -> String? {
        try pair(client: client, server: server, host: host).handshake().client
    }

    @Test func verifiedSessionMovesAMegabyteEachWayAndEndsWithCloseNotify() throws {
        let pair = try pair(client: clientSettings(), server: serverSettings("server"))
        let outcome = try pair.handshake()
        #expect(outcome.client == nil && outcome.server == nil)
        #expect(pair.client.sessionSummary == [
            "TLS 1.3, cipher TLS_AES_256_GCM_SHA384",
            "Peer certificate: subject CN=localhost, SHA-256 \(try certificates.fingerprint("server"))",
        ])
        #expect(pair.server.sessionSummary == ["TLS 1.3, cipher TLS_AES_256_GCM_SHA384"])
        let toServer = (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        let toClient = (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3 &+ $0 >> 13) }
        let received = try pair.exchange(toServer, toClient)
        #expect(received.server == toServer)
        #expect(received.client == toClient)
        #expect(!pair.client.truncated && !pair.server.truncated)
    }

    @Test func aPlainCloseReadsAsATruncatedEndOfFile() throws {
        let pair = try pair(client: clientSettings(), server: serverSettings("server"))
        #expect(try pair.handshake() == (nil, nil))
        let hello = Array("hello".utf8)
        #expect(try hello.withUnsafeBytes { try pair.server.write($0) } == .wrote(5))
        pair.server.close()
        #expect(try pair.readAll(pair.client) == hello)
        #expect(pair.client.truncated)
    }

    @Test func aPeerGoneBeforeTheHandshakeIsOneLine() throws {
        let pair = try pair(client: clientSettings(), server: serverSettings("server"))
        pair.server.close()
        #expect(try TLSTestSession.handshake([pair.client], on: pair.loop)
                == ["TLS handshake with localhost port 443 failed: Broken pipe"])
    }

    @Test func aSelfSignedServerFailsVerificationAgainstTheSystemStore() throws {
        var systemStore = TLSSettings()
        systemStore.trustFile = nil
        #expect(try clientFailure(client: systemStore, server: TLSSettings()) ==
            "TLS handshake with localhost port 443 failed: certificate verify failed: self-signed certificate (--ssl-insecure skips verification)")
    }

    @Test func aCertificateForAnotherNameFails() throws {
        #expect(try clientFailure(client: clientSettings(), server: serverSettings("wrongname")) ==
            "TLS handshake with localhost port 443 failed: certificate verify failed: host name mismatch (--ssl-insecure skips verification)")
    }

    @Test func anAddressNotInTheCertificateFails() throws {
        #expect(try clientFailure(client: clientSettings(), server: serverSettings("wrongname"), host: "127.0.0.1") ==
            "TLS handshake with 127.0.0.1 port 443 failed: certificate verify failed: IP address mismatch (--ssl-insecure skips verification)")
    }

    @Test func anExpiredCertificateFails() throws {
        #expect(try clientFailure(client: clientSettings(), server: serverSettings("expired")) ==
            "TLS handshake with localhost port 443 failed: certificate verify failed: certificate has expired (--ssl-insecure skips verification)")
    }

    @Test func insecureConnectsToWhateverAnswers() throws {
        for server in ["wrongname", "expired"] {
            let insecure = clientSettings { $0.insecure = true; $0.trustFile = nil }
            #expect(try pair(client: insecure, server: serverSettings(server)).handshake() == (nil, nil))
        }
    }

    @Test func sniIsSentForANameAndNeverForAnAddress() throws {
        let byName = try pair(client: clientSettings(), server: serverSettings("server"))
        #expect(try byName.handshake() == (nil, nil))
        #expect(byName.server.requestedServerName == "localhost")

        let byAddress = try pair(client: clientSettings(), server: serverSettings("server"), host: "127.0.0.1")
        #expect(try byAddress.handshake() == (nil, nil))  // verified against the IP SAN
        #expect(byAddress.server.requestedServerName == nil)

        let named = try pair(client: clientSettings { $0.serverName = "localhost" }, server: serverSettings("server"),
                             host: "127.0.0.1")
        #expect(try named.handshake() == (nil, nil))
        #expect(named.server.requestedServerName == "localhost")
    }

    @Test func alpnAgreesOnTheClientsFirstProtocolTheListenerAccepts() throws {
        let agreed = try pair(client: clientSettings { $0.alpn = ["h2", "http/1.1"] },
                              server: serverSettings("server") { $0.alpn = ["http/1.1", "h2"] })
        #expect(try agreed.handshake() == (nil, nil))
        #expect(agreed.client.alpnProtocol == "h2")
        #expect(agreed.server.alpnProtocol == "h2")
        #expect(agreed.client.sessionSummary.dropFirst().first == "ALPN: h2")

        let disjoint = try pair(client: clientSettings { $0.alpn = ["spdy/3"] },
                                server: serverSettings("server") { $0.alpn = ["h2"] })
        #expect(try disjoint.handshake() == (nil, nil))
        #expect(disjoint.client.alpnProtocol == nil)
        #expect(disjoint.server.alpnProtocol == nil)
    }

    @Test func aRequiredClientCertificateIsVerified() throws {
        let requiring = serverSettings("server") { $0.verifyClient = true; $0.trustFile = certificates.caFile }
        let given = try pair(client: clientSettings {
            $0.certificateFile = certificates.certificateFile("client")
            $0.keyFile = certificates.keyFile("client")
        }, server: requiring)
        #expect(try given.handshake() == (nil, nil))
        #expect(given.server.peerCertificateFingerprint == (try certificates.fingerprint("client")))
        #expect(given.server.sessionSummary.last
                == "Peer certificate: subject CN=swnc test client, SHA-256 \(try certificates.fingerprint("client"))")

        let missing = try pair(client: clientSettings(), server: requiring)
        #expect(try missing.handshake().server ==
            "TLS handshake with 127.0.0.1 port 40000 failed: peer did not return a certificate")
    }

    @Test func theSelfSignedFingerprintIsWhatTheClientSees() throws {
        let serverContext = try TLSContext(server: TLSSettings())
        let fingerprint = try #require(serverContext.selfSignedFingerprint)
        #expect(fingerprint.count == 32 * 3 - 1)
        #expect(fingerprint.allSatisfy { $0 == ":" || $0.isHexDigit && !$0.isLowercase })
        let pair = try TLSTestPair(client: TLSContext(client: clientSettings { $0.insecure = true }),
                                   server: serverContext)
        #expect(try pair.handshake() == (nil, nil))
        #expect(pair.client.peerCertificateFingerprint == fingerprint)
        #expect(pair.client.sessionSummary.last == "Peer certificate: subject CN=swnc, SHA-256 \(fingerprint)")
    }
}
