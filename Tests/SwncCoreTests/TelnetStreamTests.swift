import Testing
@testable import SwncCore

/// A decoder written apart from `TelnetDecoder`, over the whole input at once, to check it
/// against: data and answers, with a command cut off by the end of the input dropped.
func referenceTelnetDecode(_ input: [UInt8]) -> (data: [UInt8], answers: [UInt8]) {
    var data: [UInt8] = []
    var answers: [UInt8] = []
    var index = 0
    scanning: while index < input.count {
        guard input[index] == 0xFF else {
            data.append(input[index])
            index += 1
            continue
        }
        guard index + 1 < input.count else { break }
        let command = input[index + 1]
        switch command {
        case 0xFF:
            data.append(0xFF)
            index += 2
        case 0xFB...0xFE:
            guard index + 2 < input.count else { break scanning }
            if command == 0xFD { answers += [0xFF, 0xFC, input[index + 2]] }
            if command == 0xFB { answers += [0xFF, 0xFE, input[index + 2]] }
            index += 3
        case 0xFA:
            // Skip to IAC SE; IAC IAC stays inside; IAC and anything else ends the
            // subnegotiation and is read again as a command.
            var scan = index + 2
            while true {
                guard scan + 1 < input.count else { break scanning }
                if input[scan] != 0xFF {
                    scan += 1
                } else if input[scan + 1] == 0xFF {
                    scan += 2
                } else if input[scan + 1] == 0xF0 {
                    index = scan + 2
                    continue scanning
                } else {
                    index = scan
                    continue scanning
                }
            }
        default:
            index += 2
        }
    }
    return (data, answers)
}

@Suite struct TelnetStreamTests {
    static let iac: UInt8 = 0xFF

    /// The decoder alone, fed `pieces` one call each.
    static func decode(_ pieces: [[UInt8]]) -> (data: [UInt8], answers: [UInt8]) {
        var decoder = TelnetDecoder()
        var data: [UInt8] = []
        var answers: [UInt8] = []
        for piece in pieces {
            var bytes = piece
            let kept = bytes.withUnsafeMutableBytes { decoder.decode($0, answers: &answers) }
            data += bytes[..<kept]
        }
        return (data, answers)
    }

    @Test(arguments: [
        // DO -> WONT, WILL -> DONT.
        ([0x61, 0xFF, 0xFD, 0x01, 0x62], [0x61, 0x62], [0xFF, 0xFC, 0x01]),
        ([0xFF, 0xFB, 0x03, 0x63], [0x63], [0xFF, 0xFE, 0x03]),
        // DONT and WONT are not answered.
        ([0x61, 0xFF, 0xFE, 0x01, 0xFF, 0xFC, 0x02, 0x62], [0x61, 0x62], []),
        // IAC IAC is one 0xFF.
        ([0x61, 0xFF, 0xFF, 0x62], [0x61, 0xFF, 0x62], []),
        // Two-byte commands: NOP, GA, AYT, IP, SE outside a subnegotiation, DM, BRK.
        ([0x61, 0xFF, 0xF1, 0xFF, 0xF9, 0xFF, 0xF6, 0xFF, 0xF4, 0xFF, 0xF0, 0xFF, 0xF2, 0xFF, 0xF3, 0x62],
         [0x61, 0x62], []),
        // A subnegotiation, with IAC IAC and a DO inside it, removed whole.
        ([0x61, 0xFF, 0xFA, 0x18, 0x01, 0xFF, 0xFF, 0xFD, 0x02, 0xFF, 0xF0, 0x62], [0x61, 0x62], []),
        // A subnegotiation that IAC DO ends instead of IAC SE: the DO is answered.
        ([0xFF, 0xFA, 0x18, 0x00, 0xFF, 0xFD, 0x05, 0x61], [0x61], [0xFF, 0xFC, 0x05]),
        // Options 0 and 255.
        ([0xFF, 0xFD, 0x00, 0xFF, 0xFB, 0xFF], [], [0xFF, 0xFC, 0x00, 0xFF, 0xFE, 0xFF]),
        // A command cut off by the end waits for its rest.
        ([0x61, 0xFF], [0x61], []),
        ([0x61, 0xFF, 0xFD], [0x61], []),
    ] as [([UInt8], [UInt8], [UInt8])])
    func everyCommandKind(input: [UInt8], data: [UInt8], answers: [UInt8]) {
        for split in everySplit(of: input) {
            let decoded = Self.decode(split)
            #expect(decoded.data == data, "split \(split)")
            #expect(decoded.answers == answers, "split \(split)")
        }
        let reference = referenceTelnetDecode(input)
        #expect(reference.data == data)
        #expect(reference.answers == answers)
    }

    /// Data, every kind of command, IAC at both ends.
    static let session: [UInt8] = [0xFF, 0xFD, 0x18, 0x68, 0x69, 0xFF, 0xFF, 0xFF, 0xFB, 0x01, 0x0A,
                                   0xFF, 0xFA, 0x1F, 0x00, 0x50, 0xFF, 0xF0, 0xFF, 0xF1, 0x6F, 0x6B,
                                   0xFF, 0xFE, 0x22, 0xFF, 0xFC, 0x03, 0x21, 0xFF, 0xFF]
    static let sessionData: [UInt8] = [0x68, 0x69, 0xFF, 0x0A, 0x6F, 0x6B, 0x21, 0xFF]
    static let sessionAnswers: [UInt8] = [0xFF, 0xFC, 0x18, 0xFF, 0xFE, 0x01]

    @Test func overASocketEverySplitGivesTheDataAndTheExactAnswers() throws {
        for split in everySplit(of: Self.session) {
            let pair = try SocketPairFixture()
            let stream = TelnetStream(wrapping: pair.near)
            defer { stream.close() }
            var data: [UInt8] = []
            for chunk in split {
                try pair.send(chunk)
                data += try drain(stream)
            }
            #expect(data == Self.sessionData, "split \(split)")
            #expect(try pair.received() == Self.sessionAnswers, "split \(split)")
        }
    }

    @Test func aReadOfCommandsOnlyWaitsForMoreInsteadOfReturningNothing() throws {
        let pair = try SocketPairFixture()
        let stream = TelnetStream(wrapping: pair.near)
        defer { stream.close() }
        try pair.send([0xFF, 0xFD, 0x01, 0xFF, 0xF1])
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } == .wouldBlock(.readable))
        #expect(try pair.received() == [0xFF, 0xFC, 0x01])
        try pair.send([0xFF, 0xFB])
        pair.endSending()
        #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } == .endOfFile)
    }

    @Test func anIACStormIsAnsweredOneForOne() throws {
        let pair = try SocketPairFixture()
        let stream = TelnetStream(wrapping: pair.near)
        defer { stream.close() }
        var input: [UInt8] = []
        var answers: [UInt8] = []
        var data: [UInt8] = []
        for option in 0..<1000 {
            let byte = UInt8(truncatingIfNeeded: option)
            input += [Self.iac, option % 2 == 0 ? 0xFD : 0xFB, byte, Self.iac, Self.iac]
            answers += [Self.iac, option % 2 == 0 ? 0xFC : 0xFE, byte]
            data.append(Self.iac)
        }
        for start in stride(from: 0, to: input.count, by: 997) {
            try pair.send(Array(input[start..<min(start + 997, input.count)]))
        }
        #expect(try drain(stream, bufferSize: 7) == data)
        // Thousands of tiny answers fill the socket's queue: the rest go out as it drains.
        var received: [UInt8] = []
        for _ in 0..<200 where received.count < answers.count {
            received += try pair.received()
            try pair.runLoop(for: .milliseconds(2))
        }
        #expect(received == answers)
    }

    @Test func answersThatWouldBlockAreQueuedAndGoOutBeforeTheNextData() throws {
        let pair = try SocketPairFixture()
        let stream = TelnetStream(wrapping: pair.near)
        defer { stream.close() }
        let filled = try pair.fillNearSendingSide()
        try pair.send([0x61, Self.iac, 0xFD, 0x01, 0x62])
        #expect(try drain(stream) == [0x61, 0x62])
        // The answer waits, and data may not overtake it.
        let more: [UInt8] = [0x7A]
        #expect(try more.withUnsafeBytes { try stream.write($0) } == .wouldBlock(.writable))
        var drained = try pair.received()
        #expect(drained.count == filled)
        #expect(try more.withUnsafeBytes { try stream.write($0) } == .wrote(1))
        drained = try pair.received()
        #expect(drained == [Self.iac, 0xFC, 0x01, 0x7A])
    }

    @Test func queuedAnswersAreFlushedWhenTheSocketTurnsWritableWithNoReadOrWrite() throws {
        let pair = try SocketPairFixture()
        let stream = TelnetStream(wrapping: pair.near)
        defer { stream.close() }
        var writerCalled = false
        stream.onWritable = { writerCalled = true }
        _ = try pair.fillNearSendingSide()
        try pair.send([Self.iac, 0xFB, 0x18, 0x61])
        #expect(try drain(stream) == [0x61])
        _ = try pair.received()
        try pair.runLoop(for: .milliseconds(50))
        #expect(try pair.received() == [Self.iac, 0xFE, 0x18])
        // Nobody waited to write: the writer is not called for the answers' sake.
        #expect(!writerCalled)
    }

    @Test func aPeerThatNegotiatesAndNeverReadsMakesReadsWaitForWritable() throws {
        let pair = try SocketPairFixture()
        let stream = TelnetStream(wrapping: pair.near)
        defer { stream.close() }
        let filled = try pair.fillNearSendingSide()
        var input: [UInt8] = []
        for _ in 0..<3000 { input += [Self.iac, 0xFD, 0x01] }
        try pair.send(input)
        var buffer = [UInt8](repeating: 0, count: 4096)
        #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } == .wouldBlock(.writable))
        // Once the peer reads, the reads go on and every DO is answered.
        var answers: [UInt8] = []
        for _ in 0..<100 {
            answers += try pair.received()
            guard try buffer.withUnsafeMutableBytes({ try stream.read(into: $0) }) == .wouldBlock(.writable) else { break }
        }
        answers += try pair.received()
        #expect(answers.count == filled + 9000)
        #expect(Array(answers[filled...]) == Array(repeating: [Self.iac, 0xFC, 0x01], count: 3000).flatMap { $0 })
    }

    @Test func fuzzedInputsGiveTheReferenceDataAndAnswers() {
        var generator = SeededGenerator(seed: 0x5357_4E43)
        let seeds: [[UInt8]] = [Self.session,
                                [0xFF, 0xFA, 0x18, 0x01, 0xFF, 0xFF, 0xFF, 0xF0],
                                [0xFF, 0xFD, 0x01, 0xFF, 0xFB, 0x03, 0xFF, 0xFF]]
        for round in 0..<10_000 {
            var input: [UInt8]
            if round % 2 == 0 {
                // Random bytes, mostly from the command range so that commands are common.
                input = (0..<Int.random(in: 0...120, using: &generator)).map { _ in
                    Bool.random(using: &generator) ? UInt8.random(in: 0xF0...0xFF, using: &generator)
                                                   : UInt8.random(in: 0...0xFF, using: &generator)
                }
            } else {
                // A known session, mutated: bytes changed, inserted and removed.
                input = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    let position = Int.random(in: 0...input.count, using: &generator)
                    let byte = UInt8.random(in: 0xF0...0xFF, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0 where position < input.count: input[position] = byte
                    case 1 where position < input.count: input.remove(at: position)
                    default: input.insert(byte, at: position)
                    }
                }
            }
            // Cut into pieces at random points.
            var pieces: [[UInt8]] = []
            var rest = input[...]
            while !rest.isEmpty {
                let length = Int.random(in: 1...max(1, rest.count), using: &generator)
                pieces.append(Array(rest.prefix(length)))
                rest = rest.dropFirst(length)
            }
            let decoded = Self.decode(pieces)
            let reference = referenceTelnetDecode(input)
            #expect(decoded.data == reference.data, "round \(round) input \(input) pieces \(pieces)")
            #expect(decoded.answers == reference.answers, "round \(round) input \(input)")
            if decoded.data != reference.data || decoded.answers != reference.answers { return }
        }
    }

    @Test func fuzzedInputsOverASocketGiveTheReferenceData() throws {
        var generator = SeededGenerator(seed: 23)
        for round in 0..<300 {
            let input = (0..<Int.random(in: 0...60, using: &generator)).map { _ in
                UInt8.random(in: 0xEE...0xFF, using: &generator)
            }
            let pair = try SocketPairFixture()
            let stream = TelnetStream(wrapping: pair.near)
            defer { stream.close() }
            var data: [UInt8] = []
            var rest = input[...]
            while !rest.isEmpty {
                let length = Int.random(in: 1...rest.count, using: &generator)
                try pair.send(Array(rest.prefix(length)))
                rest = rest.dropFirst(length)
                data += try drain(stream, bufferSize: Int.random(in: 1...8, using: &generator))
            }
            let reference = referenceTelnetDecode(input)
            #expect(data == reference.data, "round \(round) input \(input)")
            #expect(try pair.received() == reference.answers, "round \(round) input \(input)")
        }
    }
}
