/// `-C`: each LF becomes CR LF, and a CR LF already there stays one CR LF. The state is one
/// byte wide (was the last byte a CR?), so a CR LF split across two reads is still seen as one;
/// plus an LF owed when the output had room for the CR only.
public struct CRLFTranslator {
    private var lastWasCarriageReturn = false
    /// A CR went out for an LF, the LF did not fit: it comes first next time.
    public private(set) var owesLineFeed = false

    private static let carriageReturn: UInt8 = 0x0D
    private static let lineFeed: UInt8 = 0x0A

    public init() {}

    /// Translates from the front of `input` into `output` until either is used up; returns how
    /// many bytes of `input` were taken and how many were written. Makes progress whenever
    /// `output` is not empty and there is input or an owed LF.
    public mutating func translate(_ input: UnsafeRawBufferPointer,
                                   into output: UnsafeMutableRawBufferPointer) -> (consumed: Int, produced: Int) {
        var consumed = 0
        var produced = 0
        if owesLineFeed, produced < output.count {
            output[produced] = Self.lineFeed
            produced += 1
            owesLineFeed = false
        }
        while !owesLineFeed, consumed < input.count, produced < output.count {
            let byte = input[consumed]
            consumed += 1
            if byte == Self.lineFeed, !lastWasCarriageReturn {
                output[produced] = Self.carriageReturn
                produced += 1
                if produced < output.count {
                    output[produced] = Self.lineFeed
                    produced += 1
                } else {
                    owesLineFeed = true
                }
            } else {
                output[produced] = byte
                produced += 1
            }
            lastWasCarriageReturn = byte == Self.carriageReturn
        }
        return (consumed, produced)
    }
}
