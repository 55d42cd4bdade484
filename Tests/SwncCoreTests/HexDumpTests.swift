import Testing
@testable import SwncCore

@Suite struct HexDumpTests {
    /// Text, control bytes, DEL and high bytes: 40 bytes.
    static let bytes = Array("The quick brown fox jumps\n".utf8) + [0x00, 0x7F, 0x80, 0xFF, 0x1B] + Array("over it!\r".utf8)

    static func block(_ count: Int, _ direction: DataDirection, offset: Int = 0) -> String {
        Array(bytes[..<count]).withUnsafeBytes { HexDump.block($0, direction, offset: offset) }
    }

    // The lines are those of `hexdump -C` for the same bytes, without its closing offset line.
    @Test func zeroBytesIsTheHeaderAlone() {
        #expect(Self.block(0, .sent) == "> 0 bytes\n")
        #expect(Self.block(0, .received) == "< 0 bytes\n")
    }

    @Test func oneByte() {
        #expect(Self.block(1, .received) == """
            < 1 bytes
            00000000  54                                                |T|

            """)
    }

    @Test func fifteenBytes() {
        #expect(Self.block(15, .sent) == """
            > 15 bytes
            00000000  54 68 65 20 71 75 69 63  6b 20 62 72 6f 77 6e     |The quick brown|

            """)
    }

    @Test func sixteenBytes() {
        #expect(Self.block(16, .received) == """
            < 16 bytes
            00000000  54 68 65 20 71 75 69 63  6b 20 62 72 6f 77 6e 20  |The quick brown |

            """)
    }

    @Test func seventeenBytes() {
        #expect(Self.block(17, .sent) == """
            > 17 bytes
            00000000  54 68 65 20 71 75 69 63  6b 20 62 72 6f 77 6e 20  |The quick brown |
            00000010  66                                                |f|

            """)
    }

    @Test func fortyBytesWithNonPrintables() {
        #expect(Self.block(40, .received) == """
            < 40 bytes
            00000000  54 68 65 20 71 75 69 63  6b 20 62 72 6f 77 6e 20  |The quick brown |
            00000010  66 6f 78 20 6a 75 6d 70  73 0a 00 7f 80 ff 1b 6f  |fox jumps......o|
            00000020  76 65 72 20 69 74 21 0d                           |ver it!.|

            """)
    }

    @Test func linesCountFromTheOffsetWithinTheDirection() {
        #expect(Self.block(17, .sent, offset: 0x1F8) == """
            > 17 bytes
            000001f8  54 68 65 20 71 75 69 63  6b 20 62 72 6f 77 6e 20  |The quick brown |
            00000208  66                                                |f|

            """)
    }
}
