import Foundation
import Testing

/// --output (a raw copy of both directions, in the order they went), --append-output and
/// --hex-dump (`> N bytes` / `< N bytes` blocks of `hexdump -C` lines) for a client, a -l
/// listener and an --echo listener. Every chunk is sent only after the one before has been
/// answered, so each is one read and one write, and the files' contents are exact.
@Suite struct SessionLogTests {
    static let first = Data("ping\n".utf8)
    /// NUL, control bytes, DEL and 0xff: what a log must copy unchanged and a dump show as dots.
    static let second = Data((0..<0x28).map { UInt8($0) } + [0x7f, 0xff, 0x41])

    /// One chunk of the session as swnc saw it: sent to the peer (`>`) or received (`<`).
    struct Chunk {
        let sent: Bool
        let bytes: Data
    }

    /// The raw log of `chunks`: their bytes, in order.
    static func raw(_ chunks: [Chunk]) -> Data { chunks.reduce(Data()) { $0 + $1.bytes } }

    /// The hex dump of `chunks`, made with hexdump(1) -C: a header line a chunk, then its lines
    /// with offsets counted within the direction (hexdump's last line, the end offset, is not
    /// part of a block; -v keeps repeated lines).
    static func hexDump(_ chunks: [Chunk]) throws -> String {
        var offsets = (sent: 0, received: 0)
        var text = ""
        for chunk in chunks {
            let offset = chunk.sent ? offsets.sent : offsets.received
            text += "\(chunk.sent ? ">" : "<") \(chunk.bytes.count) bytes\n"
            let dumped = try withTemporaryFile(named: "chunk") { path -> Finished in
                try chunk.bytes.write(to: URL(fileURLWithPath: path))
                return try runToEnd(Paths.which("hexdump") ?? "hexdump", ["-C", "-v", path])
            }
            #expect(dumped.status == 0, "hexdump: \(dumped.errors)")
            for line in dumped.output.split(separator: "\n").dropLast() {
                let lineOffset = Int(line.prefix(8), radix: 16) ?? -1
                text += String(format: "%08x", lineOffset + offset) + line.dropFirst(8) + "\n"
            }
            if chunk.sent { offsets.sent += chunk.bytes.count } else { offsets.received += chunk.bytes.count }
        }
        return text
    }

    /// The logs' options, with the two files in a fresh directory; `body` gets them and the paths.
    static func withLogs(_ body: ([String], String, String) throws -> Void) throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let raw = directory.appendingPathComponent("session.raw").path
        let hex = directory.appendingPathComponent("session.hex").path
        try body(["--output", raw, "--hex-dump", hex], raw, hex)
    }

    static func expectLogs(raw: String, hex: String, equal chunks: [Chunk]) throws {
        #expect(try Data(contentsOf: URL(fileURLWithPath: raw)) == Self.raw(chunks))
        #expect(try String(contentsOfFile: hex, encoding: .utf8) == hexDump(chunks))
    }

    /// A client sends two chunks from stdin, the peer answers each with "re:" and the chunk.
    static func clientSession(_ options: [String]) throws -> [Chunk] {
        let (peer, port) = try startPythonPeer("reply_peer.py")
        let client = try Spawned(swnc: options + ["-N", "127.0.0.1", String(port)])
        var expected = Data()
        var chunks: [Chunk] = []
        for bytes in [first, second] {
            try client.write(bytes)
            expected += Data("re:".utf8) + bytes
            try client.waitForOutput(equalTo: expected)
            chunks += [Chunk(sent: true, bytes: bytes), Chunk(sent: false, bytes: Data("re:".utf8) + bytes)]
        }
        client.closeInput()
        try client.expectCleanExit()
        try peer.expectCleanExit()
        return chunks
    }

    @Test func clientLogsBothDirections() throws {
        try Self.withLogs { options, raw, hex in
            let chunks = try Self.clientSession(options)
            try Self.expectLogs(raw: raw, hex: hex, equal: chunks)
        }
    }

    /// Without --append-output a new run starts the files afresh; with it, it adds to them.
    @Test func appendOutputAddsToTheFilesAndItsAbsenceReplacesThem() throws {
        try Self.withLogs { options, raw, hex in
            _ = try Self.clientSession(options)
            let second = try Self.clientSession(options)
            try Self.expectLogs(raw: raw, hex: hex, equal: second)
            let third = try Self.clientSession(options + ["--append-output"])
            // Offsets count within a session: the appended dump starts again at 0.
            #expect(try Data(contentsOf: URL(fileURLWithPath: raw)) == Self.raw(second + third))
            #expect(try String(contentsOfFile: hex, encoding: .utf8) == Self.hexDump(second) + Self.hexDump(third))
        }
    }

    @Test func listenerLogsBothDirections() throws {
        try Self.withLogs { options, raw, hex in
            let (listener, endpoint) = try startSwncServer(options + ["-l", "127.0.0.1", "0"], serving: .tcp)
            let answers = [Data("pong\n".utf8), Data([0x00, 0x0a, 0xfe] + Array("end of answers".utf8))]
            let peer = try Spawned(Paths.python, ["-u", Paths.peer("session_driver.py"), "tcp", "127.0.0.1", String(endpoint.port ?? 0),
                                                  "open:a", "sendhex:a:\(Self.first.hexDigits)", "recvhex:a:\(answers[0].hexDigits)",
                                                  "sendhex:a:\(Self.second.hexDigits)", "recvhex:a:\(answers[1].hexDigits)",
                                                  "shut:a", "eof:a"])
            try listener.waitForOutput(equalTo: Self.first)
            try listener.write(answers[0])
            try listener.waitForOutput(equalTo: Self.first + Self.second)
            try listener.write(answers[1])
            listener.closeInput()
            try peer.expectCleanExit()
            #expect(peer.outputLines == ["a got \(answers[0].hexDigits)", "a got \(answers[1].hexDigits)", "a eof after b''"])
            try listener.expectCleanExit()
            try Self.expectLogs(raw: raw, hex: hex, equal: [
                Chunk(sent: false, bytes: Self.first), Chunk(sent: true, bytes: answers[0]),
                Chunk(sent: false, bytes: Self.second), Chunk(sent: true, bytes: answers[1]),
            ])
        }
    }

    @Test func echoListenerLogsBothDirections() throws {
        try Self.withLogs { options, raw, hex in
            let (server, endpoint) = try startSwncServer(options + ["--echo", "-l", "127.0.0.1", "0"], serving: .tcp)
            let transcript = try drivePeers(port: endpoint.port ?? 0, [
                "open:a", "sendhex:a:\(Self.first.hexDigits)", "recvhex:a:\(Self.first.hexDigits)",
                "sendhex:a:\(Self.second.hexDigits)", "recvhex:a:\(Self.second.hexDigits)", "shut:a", "eof:a",
            ])
            #expect(transcript == ["a got \(Self.first.hexDigits)", "a got \(Self.second.hexDigits)", "a eof after b''"])
            try server.expectCleanExit()
            try Self.expectLogs(raw: raw, hex: hex, equal: [
                Chunk(sent: false, bytes: Self.first), Chunk(sent: true, bytes: Self.first),
                Chunk(sent: false, bytes: Self.second), Chunk(sent: true, bytes: Self.second),
            ])
        }
    }

    /// Each -k peer is added to the same files, after the one before.
    @Test func echoKeepOpenLogsEveryPeerInTurn() throws {
        try Self.withLogs { options, raw, _ in
            let (server, endpoint) = try startSwncServer(options + ["--echo", "-lk", "127.0.0.1", "0"], serving: .tcp)
            for name in ["one", "two"] {
                #expect(try drivePeers(port: endpoint.port ?? 0, ["open:p", "send:p:\(name)", "recv:p:\(name)", "shut:p", "eof:p"])
                        == ["p got b'\(name)\\n'", "p eof after b''"])
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: raw)) == Data("one\none\ntwo\ntwo\n".utf8))
            #expect(server.process.isRunning, "stderr: \(server.standardError)")
        }
    }
}
