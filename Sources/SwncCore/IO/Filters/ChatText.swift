/// The text of `--chat`. Each line a peer sends reaches the others prefixed `<userN> `; control
/// bytes (below 0x20 except tab and LF, and DEL) are shown as `\xNN` instead of being passed on,
/// so that no peer can drive the others' terminals. ncat names peers by descriptor, escapes in
/// octal and prefixes each read rather than each line; swnc follows its own specification.
public enum ChatText {
    /// Where one peer's text stands; kept per peer, so that a line that arrives in several
    /// reads gets one prefix.
    public struct LineState {
        var atLineStart = true
        public init() {}
    }

    private static let tab: UInt8 = 0x09
    private static let lineFeed: UInt8 = 0x0A
    private static let delete: UInt8 = 0x7F
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// What the others are sent for `bytes` from peer number `user`.
    public static func message(from user: Int, _ bytes: UnsafeRawBufferPointer, line: inout LineState) -> [UInt8] {
        let prefix = Array("<user\(user)> ".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count + prefix.count)
        for byte in bytes {
            if line.atLineStart { text += prefix }
            if byte < 0x20 && byte != tab && byte != lineFeed || byte == delete {
                text += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            } else {
                text.append(byte)
            }
            line.atLineStart = byte == lineFeed
        }
        return text
    }

    /// Told to the others when peer number `user` comes in from `host` `port`.
    public static func joined(user: Int, host: String, port: UInt16) -> [UInt8] {
        Array("<announce> user\(user) joined from \(host) \(port)\n".utf8)
    }

    /// Told to the others when peer number `user` goes.
    public static func left(user: Int) -> [UInt8] {
        Array("<announce> user\(user) left\n".utf8)
    }
}
