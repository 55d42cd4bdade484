/// `-t`: takes telnet commands out of received data and refuses every option, as OpenBSD
/// netcat's atelnet() does: IAC DO x is answered IAC WONT x, IAC WILL x is answered IAC DONT x.
/// IAC DONT / IAC WONT already say what we do, so they get no answer (answering them could
/// loop). IAC IAC is one 0xFF data byte; a subnegotiation IAC SB ... IAC SE is removed whole;
/// every other command is two bytes and removed. The state survives between calls, so a
/// command split across reads is decoded as if it had come in one.
public struct TelnetDecoder {
    private enum State {
        case data
        /// After IAC.
        case command
        /// After IAC DO / DONT / WILL / WONT: the option comes next.
        case option(verb: UInt8)
        /// Inside IAC SB, up to IAC SE.
        case subnegotiation
        /// After IAC inside a subnegotiation.
        case subnegotiationCommand
    }

    private static let iac: UInt8 = 255
    private static let dont: UInt8 = 254
    private static let `do`: UInt8 = 253
    private static let wont: UInt8 = 252
    private static let will: UInt8 = 251
    private static let sb: UInt8 = 250
    private static let se: UInt8 = 240

    private var state = State.data

    public init() {}

    /// Decodes `bytes` in place: the data bytes end up at the front, and their count is returned
    /// (the data never outgrows the input, so each byte is written at or before where it was
    /// read). Answers to negotiation are appended to `answers`.
    public mutating func decode(_ bytes: UnsafeMutableRawBufferPointer, answers: inout [UInt8]) -> Int {
        var kept = 0
        for index in bytes.indices {
            let byte = bytes[index]
            switch state {
            case .data:
                if byte == Self.iac {
                    state = .command
                } else {
                    bytes[kept] = byte
                    kept += 1
                }
            case .command:
                if byte == Self.iac {
                    bytes[kept] = byte
                    kept += 1
                    state = .data
                } else {
                    beginCommand(byte)
                }
            case .option(let verb):
                state = .data
                if verb == Self.do {
                    answers += [Self.iac, Self.wont, byte]
                } else if verb == Self.will {
                    answers += [Self.iac, Self.dont, byte]
                }
            case .subnegotiation:
                if byte == Self.iac { state = .subnegotiationCommand }
            case .subnegotiationCommand:
                if byte == Self.se {
                    state = .data
                } else if byte == Self.iac {
                    state = .subnegotiation
                } else {
                    // A peer that forgot IAC SE: end the subnegotiation here rather than
                    // swallow the rest of the session, and take the byte as the command it says.
                    beginCommand(byte)
                }
            }
        }
        return kept
    }

    /// The byte after an IAC that is not a second IAC.
    private mutating func beginCommand(_ byte: UInt8) {
        switch byte {
        case Self.do, Self.dont, Self.will, Self.wont: state = .option(verb: byte)
        case Self.sb: state = .subnegotiation
        default: state = .data
        }
    }
}
