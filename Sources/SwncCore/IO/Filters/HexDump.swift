/// The text of `--hex-dump`: for each chunk a line `> N bytes` (sent) or `< N bytes`
/// (received), then `hexdump -C` lines: the offset within the direction in 8 lower-case hex
/// digits, 16 bytes in hex in two groups of 8, and the bytes between bars with every
/// non-printable one shown as a dot.
public enum HexDump {
    public static func block(_ bytes: UnsafeRawBufferPointer, _ direction: DataDirection, offset: Int) -> String {
        var text = "\(direction == .sent ? ">" : "<") \(bytes.count) bytes\n"
        var lineStart = 0
        while lineStart < bytes.count {
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<min(lineStart + 16, bytes.count)])
            text += Self.line(line, offset: offset + lineStart)
            lineStart += 16
        }
        return text
    }

    /// One line of up to 16 bytes, as hexdump -C prints it.
    private static func line(_ bytes: UnsafeRawBufferPointer, offset: Int) -> String {
        var text = hex(UInt64(truncatingIfNeeded: offset), digits: 8) + " "
        for column in 0..<16 {
            if column == 8 { text += " " }
            text += column < bytes.count ? " " + hex(UInt64(bytes[column]), digits: 2) : "   "
        }
        text += "  |"
        for byte in bytes {
            text.unicodeScalars.append(byte >= 0x20 && byte < 0x7F ? Unicode.Scalar(byte) : ".")
        }
        return text + "|\n"
    }

    /// `value` in lower-case hex, zero-padded to at least `digits`.
    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
