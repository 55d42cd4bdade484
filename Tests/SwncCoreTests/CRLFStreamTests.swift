import Testing
@testable import SwncCore

@Suite struct CRLFStreamTests {
    /// LF alone, CR LF, CR CR LF, LF LF, a lone CR at the end.
    static let input = Array("ab\ncd\r\nef\r\r\n\n\r".utf8)
    static let expected = Array("ab\r\ncd\r\nef\r\r\n\r\n\r".utf8)

    /// The translator alone, fed in the given pieces into an output of `room` bytes a call.
    static func translate(_ pieces: [[UInt8]], room: Int) -> [UInt8] {
        var translator = CRLFTranslator()
        var output: [UInt8] = []
        var space = [UInt8](repeating: 0, count: room)
        for piece in pieces {
            var rest = piece[...]
            for _ in 0..<10_000 {
                let (consumed, produced) = rest.withUnsafeBytes { input in
                    space.withUnsafeMutableBytes { translator.translate(input, into: $0) }
                }
                output += space[..<produced]
                rest = rest.dropFirst(consumed)
                if rest.isEmpty, !translator.owesLineFeed { break }
            }
        }
        return output
    }

    @Test func translatorTurnsLoneLineFeedsIntoCRLFAndKeepsCRLF() {
        #expect(Self.translate([Self.input], room: 64) == Self.expected)
        #expect(Self.translate([Array("\n\n\n".utf8)], room: 64) == Array("\r\n\r\n\r\n".utf8))
        #expect(Self.translate([[]], room: 64) == [])
    }

    @Test func translatorSplitAnywhereAndIntoAnyRoomGivesTheSameBytes() {
        for split in everySplit(of: Self.input) {
            for room in [1, 2, 3, 64] {
                #expect(Self.translate(split, room: room) == Self.expected, "split \(split) room \(room)")
            }
        }
    }

    @Test func aCarriageReturnAtTheEndOfOneReadPairsWithTheLineFeedOfTheNext() {
        #expect(Self.translate([Array("x\r".utf8), Array("\ny".utf8)], room: 64) == Array("x\r\ny".utf8))
    }

    @Test func readsOverASocketGiveExactlyTheTranslatedBytesForEverySplit() throws {
        for split in everySplit(of: Self.input) {
            for bufferSize in [1, 2, 4096] {
                let pair = try SocketPairFixture()
                let stream = CRLFStream(wrapping: pair.near)
                defer { stream.close() }
                var output: [UInt8] = []
                for chunk in split {
                    try pair.send(chunk)
                    output += try drain(stream, bufferSize: bufferSize)
                }
                #expect(output == Self.expected, "split \(split) buffer \(bufferSize)")
                #expect(!stream.hasBufferedInput)
            }
        }
    }

    @Test func whatDidNotFitTheReaderIsReportedAsBufferedInput() throws {
        let pair = try SocketPairFixture()
        let stream = CRLFStream(wrapping: pair.near)
        defer { stream.close() }
        try pair.send(Array("\n\n".utf8))
        var buffer = [UInt8](repeating: 0, count: 2)
        let first = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        #expect(first == .bytes(2))
        #expect(buffer == Array("\r\n".utf8))
        #expect(stream.hasBufferedInput)
        let second = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        #expect(second == .bytes(2))
        #expect(buffer == Array("\r\n".utf8))
        #expect(!stream.hasBufferedInput)
        let third = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        #expect(third == .wouldBlock(.readable))
    }

    @Test func endOfFileComesAfterThePendingBytes() throws {
        let pair = try SocketPairFixture()
        let stream = CRLFStream(wrapping: pair.near)
        defer { stream.close() }
        try pair.send(Array("a\n".utf8))
        pair.endSending()
        #expect(try drain(stream, bufferSize: 1) == Array("a\r\n".utf8))
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } == .endOfFile)
    }

    @Test func writesPassThroughUnchanged() throws {
        let pair = try SocketPairFixture()
        let stream = CRLFStream(wrapping: pair.near)
        defer { stream.close() }
        let bytes = Array("a\nb\r\n".utf8)
        #expect(try bytes.withUnsafeBytes { try stream.write($0) } == .wrote(bytes.count))
        #expect(try pair.received() == bytes)
        #expect(stream.spliceDescriptor == nil)
    }
}
