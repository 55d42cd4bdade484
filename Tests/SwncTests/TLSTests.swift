import Foundation
import Testing

/// --ssl end to end: swnc against openssl s_server/s_client, a Python `ssl` peer, ncat and
/// itself, with throwaway certificates made by the openssl command line.
@Suite(.enabled(if: Paths.which("openssl") != nil, "the openssl command line is not installed"))
struct TLSTests {
    let certificates: TLSTestCertificates

    init() throws {
        certificates = try TLSTestCertificates.shared.get()
    }

    /// A Python TLS echo server with certificate `name` (see Peers/tls_echo.py).
    func startPythonServer(_ name: String, _ options: [String] = []) throws -> (Spawned, UInt16) {
        try startPythonPeer("tls_echo.py", [certificates.certificateFile(name), certificates.keyFile(name)] + options)
    }

    /// `openssl s_server` on an ephemeral loopback port; its stdin stays open (at EOF it quits).
    func startOpenSSLServer(_ options: [String]) throws -> (Spawned, UInt16) {
        let server = try Spawned("/usr/bin/openssl", ["s_server", "-accept", "127.0.0.1:0", "-naccept", "1",
                                                      "-cert", certificates.certificateFile("server"),
                                                      "-key", certificates.keyFile("server")] + options)
        let line = try server.waitForOutputLine(startingWith: "ACCEPT ")  // "ACCEPT 127.0.0.1:PORT"
        guard let port = UInt16(line.split(separator: ":").last ?? "") else { throw SpawnError.unexpected(line) }
        return (server, port)
    }

    /// A swnc listener with `arguments` on an ephemeral loopback port, and that port.
    func startListener(_ arguments: [String], standardInput: Any? = nil) throws -> (Spawned, UInt16) {
        let listener = try Spawned(swnc: ["-l", "-v"] + arguments + ["127.0.0.1", "0"], standardInput: standardInput)
        return (listener, try listener.waitForPort())
    }

    @Test func verifiesWithTheTrustFileAndEchoes() throws {
        let (peer, port) = try startPythonServer("server")
        let run = try runSwnc(["--ssl", "--ssl-trustfile", certificates.caFile, "-N", "localhost", "\(port)"], input: "hello\n")
        #expect(run.status == 0)
        #expect(run.output == "hello\n")
        try peer.waitForOutputLine(startingWith: "CLOSED ")
        #expect(peer.standardOutputText.contains("SNI localhost\nALPN -\nCLIENT -\nCLOSED 6\n"))
    }

    struct Refusal: CustomTestStringConvertible {
        let certificate: String
        let reason: String
        var testDescription: String { certificate }
    }

    /// Each verification failure is one line with its reason, exit 1, and nothing of stdin goes out.
    @Test(arguments: [Refusal(certificate: "selfsigned", reason: "self-signed certificate"),
                      Refusal(certificate: "wrongname", reason: "host name mismatch"),
                      Refusal(certificate: "expired", reason: "certificate has expired")])
    func refusesACertificateThatDoesNotVerify(_ refusal: Refusal) throws {
        let (peer, port) = try startPythonServer(refusal.certificate)
        let run = try runSwnc(["--ssl", "--ssl-trustfile", certificates.caFile, "localhost", "\(port)"], input: "secret\n")
        #expect(run.status == 1)
        #expect(run.errors == "swnc: TLS handshake with localhost port \(port) failed: certificate verify failed: "
                + "\(refusal.reason) (--ssl-insecure skips verification)\n")
        #expect(run.output == "")
        try peer.waitForOutputLine(startingWith: "HANDSHAKE FAILED ")
        #expect(!peer.standardOutputText.contains("CLOSED"))
    }

    @Test func insecureConnectsToASelfSignedServer() throws {
        let (peer, port) = try startPythonServer("selfsigned")
        let run = try runSwnc(["--ssl", "--ssl-insecure", "-N", "127.0.0.1", "\(port)"], input: "anyway\n")
        #expect(run.status == 0)
        #expect(run.output == "anyway\n")
        try peer.waitForOutputLine(startingWith: "CLOSED 7")
        #expect(peer.standardOutputText.contains("SNI -\n"))  // never for an IP address
    }

    @Test func sendsTheServerNameAndOffersALPN() throws {
        let (peer, port) = try startPythonServer("wrongname", ["--alpn", "h2,x-swnc"])
        let run = try runSwnc(["--ssl", "--ssl-trustfile", certificates.caFile, "--ssl-servername", "other.example",
                               "--ssl-alpn", "x-swnc,http/1.1", "-v", "-N", "127.0.0.1", "\(port)"], input: "sni\n")
        #expect(run.status == 0)
        #expect(run.output == "sni\n")
        #expect(run.errorLines.contains("ALPN: x-swnc"))
        try peer.waitForOutputLine(startingWith: "CLOSED ")
        #expect(peer.standardOutputText.contains("SNI other.example\nALPN x-swnc\n"))
    }

    @Test func talksToOpenSSLServer() throws {
        let (server, port) = try startOpenSSLServer(["-rev", "-alpn", "h2"])
        let client = try Spawned(swnc: ["--ssl", "--ssl-trustfile", certificates.caFile, "--ssl-alpn", "h2", "-v",
                                        "-N", "localhost", "\(port)"])
        try client.write("hello\n")
        try client.waitFor("the reversed line") { output, _ in String(decoding: output, as: UTF8.self).contains("olleh") }
        client.closeInput()  // close_notify, which s_server answers
        #expect(try client.waitForExit() == 0)
        server.closeInput()
        let verbose = client.standardError.split(separator: "\n").map(String.init)
        #expect(verbose.contains("ALPN: h2"))
        #expect(verbose.contains("Peer certificate: subject CN=localhost, SHA-256 \(try certificates.fingerprint("server"))"))
    }

    @Test func sendsAClientCertificateWhenAsked() throws {
        let (peer, port) = try startPythonServer("server", ["--require-client", certificates.caFile])
        let run = try runSwnc(["--ssl", "--ssl-trustfile", certificates.caFile, "--ssl-cert", certificates.certificateFile("client"),
                               "--ssl-key", certificates.keyFile("client"), "-N", "localhost", "\(port)"], input: "me\n")
        #expect(run.status == 0)
        #expect(run.output == "me\n")
        try peer.waitForOutputLine(startingWith: "CLOSED ")
        #expect(peer.standardOutputText.contains("CLIENT swnc test client\n"))
    }

    @Test func listenerVerifiesAClientCertificate() throws {
        let (listener, port) = try startListener(["--ssl", "--ssl-cert", certificates.certificateFile("server"),
                                                  "--ssl-key", certificates.keyFile("server"),
                                                  "--ssl-trustfile", certificates.caFile, "--ssl-verify-client"])
        let client = try Spawned("/usr/bin/openssl", ["s_client", "-quiet", "-connect", "127.0.0.1:\(port)",
                                                      "-CAfile", certificates.caFile,
                                                      "-cert", certificates.certificateFile("client"),
                                                      "-key", certificates.keyFile("client")])
        try client.write("certified\n")
        try listener.waitForOutput(count: 10)
        client.closeInput()
        #expect(listener.standardOutputText == "certified\n")
        #expect(try listener.waitForError(containing: "Peer certificate: ").hasPrefix("Peer certificate: subject CN=swnc test client, SHA-256 \(try certificates.fingerprint("client"))"))
    }

    @Test func listenerRefusesAClientWithoutCertificate() throws {
        let (listener, port) = try startListener(["--ssl", "--ssl-cert", certificates.certificateFile("server"),
                                                  "--ssl-key", certificates.keyFile("server"),
                                                  "--ssl-trustfile", certificates.caFile, "--ssl-verify-client"])
        let client = try Spawned("/usr/bin/openssl", ["s_client", "-quiet", "-connect", "127.0.0.1:\(port)",
                                                      "-CAfile", certificates.caFile])
        try client.write("anonymous\n")
        #expect(try listener.waitForExit() == 1)
        client.closeInput()
        let lastLine = listener.standardError.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.hasPrefix("swnc: TLS handshake with 127.0.0.1 port "))
        #expect(lastLine.hasSuffix(" failed: peer did not return a certificate"))
        #expect(listener.standardOutputText == "")
    }

    /// The fingerprint -v prints at start is that of the certificate a peer receives.
    @Test func selfSignedFingerprintMatchesWhatThePeerSees() throws {
        let (listener, port) = try startListener(["--ssl"])
        let printed = try listener.waitForError(containing: "TLS certificate SHA-256 ")
        let client = try Spawned("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)"])
        try client.waitFor("the server's certificate") { output, _ in
            String(decoding: output, as: UTF8.self).contains("-----END CERTIFICATE-----")
        }
        client.closeInput()
        let text = client.standardOutputText
        guard let start = text.range(of: "-----BEGIN CERTIFICATE-----"),
              let end = text.range(of: "-----END CERTIFICATE-----") else { throw SpawnError.unexpected(text) }
        let x509 = try Spawned("/usr/bin/openssl", ["x509", "-noout", "-fingerprint", "-sha256"])
        try x509.write(String(text[start.lowerBound..<end.upperBound]) + "\n")
        x509.closeInput()
        #expect(try x509.waitForExit() == 0)
        let seen = x509.standardOutputText.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(printed == "TLS certificate SHA-256 \(seen ?? "none")")
    }

    /// 8 MB each way at once, swnc on both ends, byte-exact.
    @Test func eightMegabytesBothWays() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let toClient = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom")).read(upToCount: 8 << 20) ?? Data()
        #expect(toClient.count == 8 << 20)
        let toListener = Data(toClient.reversed())
        let listenerInput = directory.appendingPathComponent("to-client")
        let clientInput = directory.appendingPathComponent("to-listener")
        try toClient.write(to: listenerInput)
        try toListener.write(to: clientInput)
        let (listener, port) = try startListener(["--ssl", "-N"], standardInput: try FileHandle(forReadingFrom: listenerInput))
        let client = try Spawned(swnc: ["--ssl", "--ssl-insecure", "-N", "127.0.0.1", "\(port)"],
                                 standardInput: try FileHandle(forReadingFrom: clientInput))
        #expect(try client.waitForExit(timeout: 60) == 0)
        #expect(try listener.waitForExit(timeout: 60) == 0)
        #expect(client.standardOutput == toClient)
        #expect(listener.standardOutput == toListener)
        #expect(!listener.standardError.contains("close_notify"))  // the client closed cleanly
    }

    /// Several clients are echoed while one peer stalls before its handshake and another in the
    /// middle of its ClientHello; both stalled ones are dropped at the deadline.
    @Test func echoServesOthersWhileOneStallsMidHandshake() throws {
        let (listener, port) = try startListener(["--ssl", "--echo", "-k"])
        let silent = try Spawned(swnc: ["127.0.0.1", "\(port)"])
        let halfHello = try Spawned(swnc: ["127.0.0.1", "\(port)"])
        try halfHello.write(Data([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]))
        try listener.waitFor("both stalled peers accepted") { _, errors in
            errors.components(separatedBy: "Connection received on ").count == 3
        }
        let taken = try secondsTaken {
            let clients = try (1...3).map { index in
                let client = try Spawned(swnc: ["--ssl", "--ssl-insecure", "-N", "127.0.0.1", "\(port)"])
                try client.write("client \(index)\n")
                client.closeInput()
                return client
            }
            for (index, client) in clients.enumerated() {
                #expect(try client.waitForExit() == 0)
                #expect(client.standardOutputText == "client \(index + 1)\n")
            }
        }
        #expect(taken < 5)  // well inside the 10 s the stalled handshakes hold
        try listener.waitFor("both stalled handshakes timed out", timeout: 20) { _, errors in
            errors.components(separatedBy: " failed: timed out\n").count == 3
        }
        silent.closeInput()
        halfHello.closeInput()
        #expect(try silent.waitForExit() == 0)
        #expect(try halfHello.waitForExit() == 0)
    }

    @Test func plainClientDoesNotStopATLSListener() throws {
        let (listener, port) = try startListener(["--ssl", "--echo", "-k"])
        let plain = try runSwnc(["-N", "127.0.0.1", "\(port)"], input: "GET / HTTP/1.0\r\n\r\n")
        #expect(plain.status == 0)
        try listener.waitForError(containing: " failed: ")
        let run = try runSwnc(["--ssl", "--ssl-insecure", "-N", "127.0.0.1", "\(port)"], input: "next\n")
        #expect(run.status == 0)
        #expect(run.output == "next\n")
        #expect(listener.process.isRunning)
    }

    @Test(.enabled(if: Paths.which("ncat") != nil, "ncat is not installed"))
    func ncatServerSwncClient() throws {
        let port = try unusedPort()
        let ncat = try Spawned(Paths.which("ncat") ?? "", ["-l", "-v", "--ssl", "--ssl-cert", certificates.certificateFile("server"),
                                                          "--ssl-key", certificates.keyFile("server"), "127.0.0.1", "\(port)"])
        try ncat.waitForError(containing: "Listening on")
        let client = try Spawned(swnc: ["--ssl", "--ssl-insecure", "127.0.0.1", "\(port)"])
        try client.write("from swnc\n")
        try ncat.write("from ncat\n")
        try ncat.waitForOutput(count: 10)
        try client.waitForOutput(count: 10)
        ncat.closeInput()
        client.closeInput()
        #expect(try client.waitForExit() == 0)
        #expect(ncat.standardOutputText == "from swnc\n")
        #expect(client.standardOutputText == "from ncat\n")
    }

    @Test(.enabled(if: Paths.which("ncat") != nil, "ncat is not installed"))
    func swncListenerNcatClient() throws {
        let (listener, port) = try startListener(["--ssl"])
        let ncat = try Spawned(Paths.which("ncat") ?? "", ["--ssl", "127.0.0.1", "\(port)"])
        try ncat.write("from ncat\n")
        try listener.write("from swnc\n")
        try listener.waitForOutput(count: 10)
        try ncat.waitForOutput(count: 10)
        ncat.closeInput()
        listener.closeInput()
        #expect(try listener.waitForExit() == 0)
        #expect(listener.standardOutputText == "from ncat\n")
        #expect(ncat.standardOutputText == "from swnc\n")
    }
}
