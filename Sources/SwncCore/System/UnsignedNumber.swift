extension Int {
    /// Unsigned digits of `radix` (10 or 16, either case) and nothing else, unlike
    /// Int(_:radix:), which also takes a sign. nil when empty or too large for an Int.
    init?(digits: Substring, radix: Int = 10) {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return true
            case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): return radix == 16
            default: return false
            }
        }), let value = Int(digits, radix: radix) else { return nil }
        self = value
    }
}
