import Testing
@testable import SwncCore

/// Plays `reply` to `handshake` as the driver does, in pieces of `chunk` bytes. Returns every byte
/// the client sent (the first request too) and what follows the reply: the rest of the piece it
/// ended in and the pieces not fed; nil when the reply ran out before it was whole.
func converse(_ handshake: some ProxyHandshake, reply: [UInt8], chunk: Int = .max) throws -> (sent: [UInt8], leftover: [UInt8]?) {
    var handshake = handshake
    var sent = handshake.request
    var rest = reply[...]
    var step = try handshake.feed([])
    while true {
        switch step {
        case .send(let bytes):
            sent += bytes
            step = try handshake.feed([])
        case .needMore:
            if rest.isEmpty { return (sent, nil) }
            let piece = rest.prefix(chunk)
            rest = rest.dropFirst(piece.count)
            step = try handshake.feed(Array(piece))
        case .done(let leftover):
            return (sent, leftover + rest)
        }
    }
}

func socks4() throws -> Socks4Handshake {
    try Socks4Handshake(proxy: testProxy, destination: "example.com", port: 80, user: nil)
}

func socks5(user: String? = nil) throws -> Socks5Handshake {
    try Socks5Handshake(proxy: testProxy, destination: "example.com", port: 80, user: user, password: user.map { _ in "pw" })
}

func httpConnect() throws -> HTTPConnectHandshake {
    try HTTPConnectHandshake(proxy: testProxy, destination: "example.com", port: 80, user: nil, password: nil)
}

/// The leftover of a reply played whole, and the same played one byte at a time (which must agree).
func leftovers(_ handshake: some ProxyHandshake, _ reply: [UInt8]) throws -> [[UInt8]?] {
    [try converse(handshake, reply: reply).leftover, try converse(handshake, reply: reply, chunk: 1).leftover]
}

/// The message of the failure a reply causes, played whole and one byte at a time.
func failures(_ handshake: some ProxyHandshake, _ reply: [UInt8]) -> [String?] {
    [failureMessage { _ = try converse(handshake, reply: reply) },
     failureMessage { _ = try converse(handshake, reply: reply, chunk: 1) }]
}

let early = bytes("early\n")
let malformed = "handshake with proxy 127.0.0.1 port 1080 failed: "
let socks4Granted: [UInt8] = [0, 90, 0, 80, 10, 0, 0, 1]
let socks5Succeeded: [UInt8] = [5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38]
let http200 = bytes("HTTP/1.1 200 Connection established\r\nVia: test\r\n\r\n")

@Suite struct ProxyReplyTests {
    @Test func socks4GrantedWholeSplitAndWithData() throws {
        #expect(try leftovers(socks4(), socks4Granted) == [[], []])
        #expect(try leftovers(socks4(), socks4Granted + early) == [early, early])
        #expect(try leftovers(socks4(), Array(socks4Granted.prefix(7))) == [nil, nil])
    }

    @Test func socks4AcceptsReplyVersion4AsServersSendIt() throws {
        #expect(try leftovers(socks4(), [4] + socks4Granted.dropFirst() + early) == [early, early])
    }

    @Test func socks4Refusals() throws {
        let refused = "proxy 127.0.0.1 port 1080 refused the connection: SOCKS4 reply "
        #expect(try failures(socks4(), [0, 91, 0, 0, 0, 0, 0, 0]) == Array(repeating: refused + "91 (request rejected or failed)", count: 2))
        #expect(try failures(socks4(), [0, 92]) == Array(repeating: refused
            + "92 (request rejected because SOCKS server cannot connect to identd on the client)", count: 2))
        #expect(try failures(socks4(), [0, 93]) == Array(repeating: refused
            + "93 (request rejected because the client program and identd report different user-ids)", count: 2))
        #expect(try failures(socks4(), [0, 7]) == Array(repeating: refused + "7 (not a SOCKS4 reply code)", count: 2))
    }

    @Test func socks4WrongVersion() throws {
        #expect(try failures(socks4(), [5, 90, 0, 0, 0, 0, 0, 0]) == Array(repeating: malformed + "SOCKS4 reply version 5, expected 0", count: 2))
    }

    @Test(arguments: [
        [1, 127, 0, 0, 1] as [UInt8],
        [3, 9] + bytes("localhost"),
        [3, 255] + [UInt8](repeating: 0x61, count: 255),
        [4] + [UInt8](repeating: 0, count: 15) + [1],
    ])
    func socks5SucceededWithEachAddressType(address: [UInt8]) throws {
        let reply: [UInt8] = [5, 0] + [5, 0, 0] + address + [0x04, 0x38]
        #expect(try leftovers(socks5(), reply) == [[], []])
        #expect(try leftovers(socks5(), reply + early) == [early, early])
        #expect(try leftovers(socks5(), Array(reply.dropLast())) == [nil, nil])
    }

    @Test func socks5SucceededAfterAuthentication() throws {
        let reply: [UInt8] = [5, 2, 1, 0] + socks5Succeeded.dropFirst(2)
        #expect(try leftovers(socks5(user: "u"), reply + early) == [early, early])
    }

    @Test func socks5RefusalsUseRFC1928Words() throws {
        let words = [1: "general SOCKS server failure", 2: "connection not allowed by ruleset", 3: "network unreachable",
                     4: "host unreachable", 5: "connection refused", 6: "TTL expired", 7: "command not supported",
                     8: "address type not supported", 9: "unassigned", 255: "unassigned"]
        for (code, text) in words {
            #expect(try failures(socks5(), [5, 0, 5, UInt8(code), 0, 1, 0, 0, 0, 0, 0, 0])
                == Array(repeating: "proxy 127.0.0.1 port 1080 refused the connection: SOCKS5 reply \(code) (\(text))", count: 2))
        }
    }

    @Test func socks5MalformedReplies() throws {
        #expect(try failures(socks5(), [4, 0]) == Array(repeating: malformed + "SOCKS5 method selection reply version 4, expected 5", count: 2))
        #expect(try failures(socks5(), [5, 0, 4, 0, 0, 1]) == Array(repeating: malformed + "SOCKS5 reply version 4, expected 5", count: 2))
        #expect(try failures(socks5(), [5, 0, 5, 0, 0, 7, 1, 2, 3, 4, 5, 6]) == Array(repeating: malformed + "SOCKS5 reply with unknown address type 7", count: 2))
        #expect(try failures(socks5(), [5, 0, 5, 0, 0, 3, 0, 0, 80]) == Array(repeating: malformed + "SOCKS5 reply with an empty domain name", count: 2))
        #expect(try failures(socks5(), [5, 2]) == Array(repeating: malformed + "SOCKS5 method 2 chosen, which was not offered", count: 2))
        #expect(try failures(socks5(user: "u"), [5, 2, 5, 0]) == Array(repeating: malformed + "SOCKS5 authentication reply version 5, expected 1", count: 2))
    }

    @Test func socks5AuthenticationRefusals() throws {
        #expect(try failures(socks5(), [5, 0xFF]) == Array(repeating:
            "proxy 127.0.0.1 port 1080 accepts none of the SOCKS5 authentication methods offered (no authentication)", count: 2))
        #expect(try failures(socks5(user: "u"), [5, 0xFF]) == Array(repeating:
            "proxy 127.0.0.1 port 1080 accepts none of the SOCKS5 authentication methods offered (no authentication, user name and password)", count: 2))
        #expect(try failures(socks5(user: "alice"), [5, 2, 1, 1]) == Array(repeating:
            "proxy 127.0.0.1 port 1080 refused user alice: SOCKS5 authentication status 1", count: 2))
    }

    @Test func httpSuccessWholeSplitAndWithData() throws {
        #expect(try leftovers(httpConnect(), http200) == [[], []])
        #expect(try leftovers(httpConnect(), http200 + early) == [early, early])
        #expect(try leftovers(httpConnect(), bytes("HTTP/1.0 204 No Content\r\n\r\n") + early) == [early, early])
        #expect(try leftovers(httpConnect(), Array(http200.dropLast())) == [nil, nil])
    }

    @Test func httpRefusalNamesTheStatusLine() throws {
        let reply = bytes("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n")
        #expect(try failures(httpConnect(), reply) == Array(repeating:
            "proxy 127.0.0.1 port 1080 refused the connection: HTTP/1.1 407 Proxy Authentication Required", count: 2))
        #expect(try failures(httpConnect(), bytes("HTTP/1.1 503 \u{1B}[31mno\r\n")) == Array(repeating:
            "proxy 127.0.0.1 port 1080 refused the connection: HTTP/1.1 503 ?[31mno", count: 2))
    }

    @Test func httpMalformedStatusLines() throws {
        #expect(try failures(httpConnect(), bytes("SSH-2.0-OpenSSH_9.6\r\n")) == Array(repeating:
            malformed + "not an HTTP status line: \"SSH-2.0-OpenSSH_9.6\"", count: 2))
        #expect(try failures(httpConnect(), bytes("HTTP/1.1 2000 OK\r\n")) == Array(repeating:
            malformed + "not an HTTP status line: \"HTTP/1.1 2000 OK\"", count: 2))
        #expect(try failures(httpConnect(), bytes("\r\n\r\n")) == Array(repeating: malformed + "not an HTTP status line: \"\"", count: 2))
    }

    @Test func httpStatusLineWithoutEnd() throws {
        let reply = bytes("HTTP/1.1 200 OK") + [UInt8](repeating: 0x41, count: HTTPConnectHandshake.headLimit)
        #expect(try failures(httpConnect(), reply) == Array(repeating: malformed + "HTTP status line without end in 16384 bytes", count: 2))
    }

    @Test func httpHugeHeaderIsCutAtTheLimit() throws {
        let header = bytes("X-Filler: " + String(repeating: "x", count: 100) + "\r\n")
        let reply = bytes("HTTP/1.1 200 OK\r\n") + Array((0..<10_000).map { _ in header }.joined())
        #expect(failureMessage { _ = try converse(httpConnect(), reply: reply, chunk: 4096) }
            == malformed + "HTTP reply head longer than 16384 bytes")
        #expect(failureMessage { _ = try converse(httpConnect(), reply: reply, chunk: 1) }
            == malformed + "HTTP reply head longer than 16384 bytes")
    }

    @Test func httpHeadOfExactlyTheLimitIsAccepted() throws {
        let start = bytes("HTTP/1.1 200 OK\r\nX: ")
        let filler = [UInt8](repeating: 0x78, count: HTTPConnectHandshake.headLimit - start.count - 4)
        let head = start + filler + bytes("\r\n\r\n")
        #expect(try leftovers(httpConnect(), head + early) == [early, early])
        let over = start + filler + [0x78] + bytes("\r\n\r\n")
        #expect(try failures(httpConnect(), over) == Array(repeating: malformed + "HTTP reply head longer than 16384 bytes", count: 2))
    }

    @Test func httpHeadEndIsFoundAfterACarriageReturnRun() throws {
        #expect(try leftovers(httpConnect(), bytes("HTTP/1.1 200 OK\r\nA: b\r\r\n\r\n") + early) == [early, early])
    }
}
