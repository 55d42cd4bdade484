import Foundation
import Glibc
import Testing
@testable import SwncCore

/// A session log that keeps what it is handed.
final class RecordingLog: SessionLog {
    struct Entry: Equatable {
        let bytes: [UInt8]
        let direction: DataDirection
        let offset: Int
    }
    var entries: [Entry] = []
    func record(_ bytes: UnsafeRawBufferPointer, _ direction: DataDirection, offset: Int) throws {
        entries.append(Entry(bytes: Array(bytes), direction: direction, offset: offset))
    }
    func close() {}
}

/// A directory of its own for one test's files, removed at the end.
final class ScratchDirectory {
    let path = NSTemporaryDirectory() + "swnc-tap-\(UUID().uuidString)"
    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    func contents(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: file(name)) ?? Data()) }
}

@Suite struct TapStreamTests {
    static let input = Array("hello\n\u{0}tap\r\n".utf8)

    @Test func readsPassUnchangedAndEachChunkIsRecordedWithItsOffsetForEverySplit() throws {
        for split in everySplit(of: Self.input) {
            let pair = try SocketPairFixture()
            let log = RecordingLog()
            let tap = TapStream(wrapping: pair.near, logs: [log])
            defer { tap.close() }
            var data: [UInt8] = []
            var expected: [RecordingLog.Entry] = []
            for chunk in split {
                try pair.send(chunk)
                let read = try drain(tap)
                if !read.isEmpty { expected.append(.init(bytes: read, direction: .received, offset: data.count)) }
                data += read
            }
            #expect(data == Self.input, "split \(split)")
            #expect(log.entries == expected, "split \(split)")
        }
    }

    @Test func writesPassUnchangedAndOnlyWhatWentOutIsRecorded() throws {
        let pair = try SocketPairFixture()
        let log = RecordingLog()
        let tap = TapStream(wrapping: pair.near, logs: [log])
        defer { tap.close() }
        let first = Array("abc".utf8)
        #expect(try first.withUnsafeBytes { try tap.write($0) } == .wrote(3))
        #expect(try pair.received() == first)
        let filled = try pair.fillNearSendingSide()
        #expect(try first.withUnsafeBytes { try tap.write($0) } == .wouldBlock(.writable))
        #expect(try pair.received().count == filled)
        let second = Array("defg".utf8)
        #expect(try second.withUnsafeBytes { try tap.write($0) } == .wrote(4))
        #expect(try pair.received() == second)
        #expect(log.entries == [.init(bytes: first, direction: .sent, offset: 0),
                                .init(bytes: second, direction: .sent, offset: 3)])
        #expect(tap.spliceDescriptor == nil)
    }

    /// Peer sends "ping\n", swnc sends "pong\n", the peer sends 20 more bytes.
    static func runSession(logs: [SessionLog]) throws {
        let pair = try SocketPairFixture()
        let tap = TapStream(wrapping: pair.near, logs: logs)
        defer { tap.close() }
        try pair.send(Array("ping\n".utf8))
        #expect(try drain(tap) == Array("ping\n".utf8))
        let pong = Array("pong\n".utf8)
        #expect(try pong.withUnsafeBytes { try tap.write($0) } == .wrote(5))
        try pair.send(Array("0123456789abcdefghij".utf8))
        #expect(try drain(tap) == Array("0123456789abcdefghij".utf8))
    }

    @Test func theRawLogHoldsBothDirectionsInOrder() throws {
        let directory = try ScratchDirectory()
        let log = try RawSessionLog(path: directory.file("raw"), append: false)
        try Self.runSession(logs: [log])
        log.close()
        #expect(directory.contents("raw") == Array("ping\npong\n0123456789abcdefghij".utf8))
    }

    static let sessionHexDump = """
        < 5 bytes
        00000000  70 69 6e 67 0a                                    |ping.|
        > 5 bytes
        00000000  70 6f 6e 67 0a                                    |pong.|
        < 20 bytes
        00000005  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|
        00000015  67 68 69 6a                                       |ghij|

        """

    @Test func theHexDumpLogHoldsABlockPerChunk() throws {
        let directory = try ScratchDirectory()
        let log = try HexDumpSessionLog(path: directory.file("hex"), append: false)
        try Self.runSession(logs: [log])
        log.close()
        #expect(String(decoding: directory.contents("hex"), as: UTF8.self) == Self.sessionHexDump)
    }

    @Test func bothLogsAtOnceAndAppendingKeepsWhatWasThereSessionAfterSession() throws {
        let directory = try ScratchDirectory()
        try Array("old\n".utf8).withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: directory.file("raw"))) }
        for _ in 0..<2 {
            let raw = try RawSessionLog(path: directory.file("raw"), append: true)
            let hex = try HexDumpSessionLog(path: directory.file("hex"), append: true)
            try Self.runSession(logs: [raw, hex])
            raw.close()
            hex.close()
        }
        #expect(directory.contents("raw") == Array(("old\n" + String(repeating: "ping\npong\n0123456789abcdefghij", count: 2)).utf8))
        // Offsets count per connection: the second session's start at 0 again.
        #expect(String(decoding: directory.contents("hex"), as: UTF8.self) == Self.sessionHexDump + Self.sessionHexDump)
    }

    @Test func withoutAppendAnOldFileIsEmptiedAndANewOneIsMode0644() throws {
        let directory = try ScratchDirectory()
        try Array("old contents\n".utf8).withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: directory.file("raw"))) }
        let raw = try RawSessionLog(path: directory.file("raw"), append: false)
        let hex = try HexDumpSessionLog(path: directory.file("hex"), append: false)
        raw.close()
        hex.close()
        #expect(directory.contents("raw") == [])
        var status = stat()
        #expect(stat(directory.file("hex"), &status) == 0)
        #expect(status.st_mode & 0o777 == 0o644 & ~Self.umask())
    }

    @Test func aFileThatCannotBeOpenedIsAOneLineFailureNamingIt() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("missing/raw")
        do {
            _ = try RawSessionLog(path: path, append: false)
            Issue.record("opened \(path)")
        } catch let failure as Failure {
            #expect(failure.description == "open \(path) failed: No such file or directory")
        }
    }

    /// The process's umask, read without changing it (tests run in parallel).
    static func umask() -> mode_t {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") } ?? "Umask: 0022"
        return mode_t(line.split(separator: "\t").last.flatMap { UInt32($0, radix: 8) } ?? 0o022)
    }
}
