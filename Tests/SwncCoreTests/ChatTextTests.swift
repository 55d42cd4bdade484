import Testing
@testable import SwncCore

@Suite struct ChatTextTests {
    /// What the others see for `pieces` from `user`, read by read.
    static func messages(from user: Int, _ pieces: [[UInt8]]) -> [UInt8] {
        var line = ChatText.LineState()
        return pieces.flatMap { piece in piece.withUnsafeBytes { ChatText.message(from: user, $0, line: &line) } }
    }

    @Test func eachLineGetsOnePrefix() {
        #expect(Self.messages(from: 1, [Array("hi\nyou\n".utf8)]) == Array("<user1> hi\n<user1> you\n".utf8))
        #expect(Self.messages(from: 12, [Array("no newline".utf8)]) == Array("<user12> no newline".utf8))
        #expect(Self.messages(from: 1, [Array("\n\n".utf8)]) == Array("<user1> \n<user1> \n".utf8))
        #expect(Self.messages(from: 1, [[]]) == [])
    }

    @Test func aLineSplitAcrossReadsGetsOnePrefixForEverySplit() {
        let input = Array("hello\nworld\n!".utf8)
        let expected = Array("<user3> hello\n<user3> world\n<user3> !".utf8)
        for split in everySplit(of: input) {
            #expect(Self.messages(from: 3, split) == expected, "split \(split)")
        }
        #expect(Self.messages(from: 3, [Array("hel".utf8), Array("lo\nwor".utf8), Array("ld\n".utf8)])
                == Array("<user3> hello\n<user3> world\n".utf8))
    }

    @Test func controlBytesAreShownInHexAndTabLineFeedAndHighBytesPass() {
        let input: [UInt8] = [0x00, 0x01, 0x09, 0x0D, 0x1B, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xC3, 0xA9, 0xFF, 0x0A]
        var expected = Array("<user2> \\x00\\x01\t\\x0d\\x1b\\x1f ~\\x7f".utf8)
        expected += [0x80, 0xC3, 0xA9, 0xFF, 0x0A]
        for split in everySplit(of: input) {
            #expect(Self.messages(from: 2, split) == expected, "split \(split)")
        }
    }

    @Test func eachPeerHasItsOwnLineState() {
        var first = ChatText.LineState()
        var second = ChatText.LineState()
        let a = Array("abc".utf8).withUnsafeBytes { ChatText.message(from: 1, $0, line: &first) }
        let b = Array("xyz\n".utf8).withUnsafeBytes { ChatText.message(from: 2, $0, line: &second) }
        let c = Array("d\n".utf8).withUnsafeBytes { ChatText.message(from: 1, $0, line: &first) }
        #expect(a == Array("<user1> abc".utf8))
        #expect(b == Array("<user2> xyz\n".utf8))
        #expect(c == Array("d\n".utf8))
    }

    @Test func announcements() {
        #expect(ChatText.joined(user: 4, host: "127.0.0.1", port: 40123) == Array("<announce> user4 joined from 127.0.0.1 40123\n".utf8))
        #expect(ChatText.joined(user: 1, host: "::1", port: 5) == Array("<announce> user1 joined from ::1 5\n".utf8))
        #expect(ChatText.left(user: 4) == Array("<announce> user4 left\n".utf8))
    }
}
