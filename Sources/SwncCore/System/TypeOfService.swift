/// -T: the IP TOS / IPv6 traffic class byte, from a keyword or a number.
public enum TypeOfService {
    /// OpenBSD netcat's keywords (map_tos) and `va` (VOICE-ADMIT, RFC 5865), as SPEC lists them.
    public static let keywords: [String: Int32] = [
        "lowdelay": 0x10, "throughput": 0x08, "reliability": 0x04,
        "critical": 0xa0, "inetcontrol": 0xc0, "netcontrol": 0xe0,
        "af11": 0x28, "af12": 0x30, "af13": 0x38,
        "af21": 0x48, "af22": 0x50, "af23": 0x58,
        "af31": 0x68, "af32": 0x70, "af33": 0x78,
        "af41": 0x88, "af42": 0x90, "af43": 0x98,
        "cs0": 0x00, "cs1": 0x20, "cs2": 0x40, "cs3": 0x60,
        "cs4": 0x80, "cs5": 0xa0, "cs6": 0xc0, "cs7": 0xe0,
        "ef": 0xb8, "va": 0xb0,
    ]

    /// The byte `text` names: a keyword (any case), or 0..255 in decimal or `0x` hex; nil otherwise.
    public static func parse(_ text: String) -> Int32? {
        let lowered = text.lowercased()
        if let value = keywords[lowered] { return value }
        let isHex = lowered.hasPrefix("0x")
        guard let value = Int(digits: isHex ? lowered.dropFirst(2) : Substring(lowered), radix: isHex ? 16 : 10),
              value <= 255 else { return nil }
        return Int32(value)
    }
}
