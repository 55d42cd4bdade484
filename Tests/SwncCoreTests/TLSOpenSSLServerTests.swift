import Foundation
import Testing
@testable import SwncCore

/// TLSStream as a client of a real TLS server: `openssl s_server -rev` on 127.0.0.1, which
/// sends back each line reversed and answers close_notify with its own.
@Suite struct TLSOpenSSLServerTests {
    @Test func aVerifiedSessionWithOpenSSLsServer() throws {
        let certificates = try TLSTestCertificates.shared.get()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-rev", "-alpn", "h2",
                            "-cert", certificates.certificateFile("server"), "-key", certificates.keyFile("server")]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            if server.isRunning { server.terminate() }
            server.waitUntilExit()
        }
        let port = try #require(Self.acceptedPort(output.fileHandleForReading))

        signal(SIGPIPE, SIG_IGN)
        let loop = try EventLoop()
        let socket = try Socket(family: AF_INET, type: Int32(SOCK_STREAM.rawValue))
        let address = try #require(Resolver(numericOnly: true).addresses(of: "127.0.0.1", port: port, transport: .tcp).first)
        do {
            try socket.connect(to: address, timeout: .seconds(5))
        } catch {
            socket.close()
            throw error
        }
        var settings = TLSSettings()
        settings.trustFile = certificates.caFile
        settings.alpn = ["h2"]
        let client = try TLSStream(client: TLSContext(client: settings), host: "localhost",
                                   over: DescriptorStream(socket.descriptor, name: "localhost port \(port)", loop: loop))
        defer { client.close() }

        #expect(try TLSTestSession.handshake([client], on: loop) == [nil])
        #expect(client.sessionSummary == [
            "TLS 1.3, cipher TLS_AES_256_GCM_SHA384",
            "ALPN: h2",
            "Peer certificate: subject CN=localhost, SHA-256 \(try certificates.fingerprint("server"))",
        ])
        let received = try TLSTestSession.exchange([(client, Array("hello\n".utf8))], on: loop)
        #expect(received == [Array("olleh\n".utf8)])
        #expect(!client.truncated)
    }

    /// The port of s_server's "ACCEPT 127.0.0.1:PORT" line (it prints it once it listens).
    private static func acceptedPort(_ output: FileHandle) -> UInt16? {
        var printed = ""
        for _ in 0..<20 {
            let chunk = output.availableData
            if chunk.isEmpty { return nil }  // s_server exited
            printed += String(decoding: chunk, as: UTF8.self)
            if let line = printed.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT 127.0.0.1:") }) {
                return UInt16(line.dropFirst("ACCEPT 127.0.0.1:".count))
            }
        }
        return nil
    }
}
