import Testing
@testable import SwncCore

@Suite struct TLSContextTests {
    let certificates: TLSTestCertificates

    init() throws {
        certificates = try TLSTestCertificates.shared.get()
    }

    func failure(server: Bool = true, _ adjust: (inout TLSSettings) -> Void) -> String? {
        var settings = TLSSettings()
        adjust(&settings)
        do {
            _ = server ? try TLSContext(server: settings) : try TLSContext(client: settings)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aMissingCertificateFileIsNamedWithTheSystemsReason() {
        #expect(failure { $0.certificateFile = "/nonexistent/cert.pem" }
                == "load certificate /nonexistent/cert.pem failed: No such file or directory")
    }

    @Test func aFileWithoutACertificateSaysSo() {
        #expect(failure { $0.certificateFile = certificates.keyFile("server") }
                == "load certificate \(certificates.keyFile("server")) failed: no start line")
    }

    @Test func aKeyOfAnotherCertificateIsRefused() {
        #expect(failure {
            $0.certificateFile = certificates.certificateFile("server")
            $0.keyFile = certificates.keyFile("client")
        } == "load key \(certificates.keyFile("client")) failed: key values mismatch")
    }

    @Test func aMissingTrustFileIsNamed() {
        #expect(failure(server: false) { $0.trustFile = "/nonexistent/ca.pem" }
                == "load trust file /nonexistent/ca.pem failed: No such file or directory")
    }

    @Test func aKeyWithoutACertificateIsRefused() {
        #expect(failure { $0.keyFile = certificates.keyFile("server") } == "--ssl-key needs --ssl-cert")
    }

    @Test func alpnNamesGoOutLengthFirst() throws {
        #expect(try TLSContext.alpnWireFormat(["h2", "http/1.1"]) == [2] + Array("h2".utf8) + [8] + Array("http/1.1".utf8))
        #expect(failure(server: false) { $0.alpn = ["h2", ""] } == "ALPN protocol \"\" failed: must be 1 to 255 bytes long")
        #expect(failure { $0.alpn = [String(repeating: "x", count: 256)] }?.hasSuffix("failed: must be 1 to 255 bytes long") == true)
    }

    @Test func aListenerWithoutACertificateMakesOneAndOnlyThenHasAFingerprint() throws {
        let made = try TLSContext(server: TLSSettings())
        var given = TLSSettings()
        given.certificateFile = certificates.certificateFile("server")
        given.keyFile = certificates.keyFile("server")
        #expect(made.selfSignedFingerprint?.count == 95)
        #expect(try TLSContext(server: given).selfSignedFingerprint == nil)
        #expect(try TLSContext(server: TLSSettings()).selfSignedFingerprint != made.selfSignedFingerprint)
    }
}
