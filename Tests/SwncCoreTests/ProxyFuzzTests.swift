import Testing
@testable import SwncCore

/// How a handshake took a reply.
enum Outcome: Equatable {
    case done(sent: [UInt8], leftover: [UInt8])
    case needMore(sent: [UInt8])
    case failed(String)
}

func outcome(_ handshake: some ProxyHandshake, _ reply: [UInt8], chunk: Int) -> Outcome {
    do {
        let conversation = try converse(handshake, reply: reply, chunk: chunk)
        guard let leftover = conversation.leftover else { return .needMore(sent: conversation.sent) }
        return .done(sent: conversation.sent, leftover: leftover)
    } catch {
        return .failed((error as? Failure)?.description ?? "not a Failure: \(error)")
    }
}

/// A reply that is random bytes, or a valid one mutated: bytes changed, inserted, removed, cut.
func fuzzedReply(from valid: [[UInt8]], using generator: inout SeededGenerator) -> [UInt8] {
    if Int.random(in: 0..<5, using: &generator) == 0 {
        return (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
    var reply = valid.randomElement(using: &generator) ?? []
    for _ in 0..<Int.random(in: 0...4, using: &generator) {
        let position = Int.random(in: 0...reply.count, using: &generator)
        let byte = UInt8.random(in: 0...255, using: &generator)
        switch Int.random(in: 0..<4, using: &generator) {
        case 0 where position < reply.count: reply[position] = byte
        case 1: reply.insert(byte, at: position)
        case 2 where position < reply.count: reply.remove(at: position)
        case 3: reply.removeLast(reply.count - position)
        default: break
        }
    }
    return reply
}

/// Plays 10,000 fuzzed replies to a fresh handshake each: none may trap, every rejection is one
/// line, and a reply fed whole or one byte at a time or in random pieces ends the same way.
/// Returns how many ended in each way.
func fuzz(_ makeHandshake: () throws -> some ProxyHandshake, valid: [[UInt8]], seed: UInt64) throws -> (done: Int, needMore: Int, failed: Int) {
    var generator = SeededGenerator(seed: seed)
    var counts = (done: 0, needMore: 0, failed: 0)
    for _ in 0..<10_000 {
        let reply = fuzzedReply(from: valid, using: &generator)
        let whole = outcome(try makeHandshake(), reply, chunk: .max)
        #expect(outcome(try makeHandshake(), reply, chunk: 1) == whole)
        #expect(outcome(try makeHandshake(), reply, chunk: Int.random(in: 2...9, using: &generator)) == whole)
        switch whole {
        case .done(_, let leftover):
            counts.done += 1
            #expect(leftover.count <= reply.count)
        case .needMore:
            counts.needMore += 1
        case .failed(let message):
            counts.failed += 1
            #expect(!message.contains("\n") && !message.contains("\r") && !message.contains("not a Failure"))
        }
    }
    return counts
}

@Suite struct ProxyFuzzTests {
    @Test func socks4() throws {
        let counts = try fuzz({ try Socks4Handshake(proxy: testProxy, destination: "example.com", port: 80, user: nil) },
                              valid: [socks4Granted, socks4Granted + early, [0, 91, 0, 0, 0, 0, 0, 0]], seed: 4)
        #expect(counts.done > 0 && counts.needMore > 0 && counts.failed > 0)
    }

    @Test func socks5() throws {
        let valid: [[UInt8]] = [
            socks5Succeeded, socks5Succeeded + early,
            [5, 0, 5, 0, 0, 3, 9] + bytes("localhost") + [0, 80],
            [5, 0, 5, 0, 0, 4] + [UInt8](repeating: 0, count: 16) + [0, 80],
            [5, 0, 5, 1, 0, 1, 0, 0, 0, 0, 0, 0],
        ]
        let counts = try fuzz({ try Socks5Handshake(proxy: testProxy, destination: "example.com", port: 80, user: nil, password: nil) },
                              valid: valid, seed: 5)
        #expect(counts.done > 0 && counts.needMore > 0 && counts.failed > 0)
    }

    @Test func socks5WithAuthentication() throws {
        let valid: [[UInt8]] = [[5, 2, 1, 0] + socks5Succeeded.dropFirst(2), [5, 2, 1, 1], [5, 0] + socks5Succeeded.dropFirst(2) + early]
        let counts = try fuzz({ try Socks5Handshake(proxy: testProxy, destination: "example.com", port: 80, user: "u", password: "p") },
                              valid: valid, seed: 1929)
        #expect(counts.done > 0 && counts.needMore > 0 && counts.failed > 0)
    }

    @Test func httpConnect() throws {
        let valid = [http200, http200 + early, bytes("HTTP/1.0 200 OK\r\n\r\n"),
                     bytes("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n\r\n")]
        let counts = try fuzz({ try HTTPConnectHandshake(proxy: testProxy, destination: "example.com", port: 80, user: nil, password: nil) },
                              valid: valid, seed: 3128)
        #expect(counts.done > 0 && counts.needMore > 0 && counts.failed > 0)
    }
}
