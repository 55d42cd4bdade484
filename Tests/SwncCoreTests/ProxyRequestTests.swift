import Testing
@testable import SwncCore

let testProxy = ProxyEndpoint(host: "127.0.0.1", port: 1080)

/// The bytes of `text`, for building expected requests and replies.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The message of the Failure `body` throws, nil when it throws none.
func failureMessage(_ body: () throws -> Void) -> String? {
    do { try body() } catch { return (error as? Failure)?.description ?? "not a Failure: \(error)" }
    return nil
}

@Suite struct ProxyRequestTests {
    @Test func destinationsAreNumericOnlyWhenInetPtonSaysSo() {
        #expect(ProxyDestination("10.1.2.3") == .ipv4([10, 1, 2, 3]))
        #expect(ProxyDestination("::1") == .ipv6([UInt8](repeating: 0, count: 15) + [1]))
        #expect(ProxyDestination("example.com") == .name("example.com"))
        #expect(ProxyDestination("10.1.2") == .name("10.1.2"))
    }

    @Test func socks4CarriesANumericIPv4Destination() throws {
        let handshake = try Socks4Handshake(proxy: testProxy, destination: "10.1.2.3", port: 80, user: nil)
        #expect(handshake.request == [4, 1, 0, 80, 10, 1, 2, 3, 0])
    }

    @Test func socks4SendsTheUserAsUserID() throws {
        let handshake = try Socks4Handshake(proxy: testProxy, destination: "10.1.2.3", port: 0x1234, user: "bob")
        #expect(handshake.request == [4, 1, 0x12, 0x34, 10, 1, 2, 3] + bytes("bob") + [0])
    }

    @Test func socks4aCarriesANameAfterTheUserID() throws {
        let handshake = try Socks4Handshake(proxy: testProxy, destination: "example.com", port: 443, user: "bob")
        #expect(handshake.request == [4, 1, 1, 187, 0, 0, 0, 1] + bytes("bob") + [0] + bytes("example.com") + [0])
    }

    @Test func socks4RefusesAnIPv6Destination() {
        #expect(failureMessage { _ = try Socks4Handshake(proxy: testProxy, destination: "::1", port: 22, user: nil) }
            == "handshake with proxy 127.0.0.1 port 1080 failed: SOCKS4 cannot carry the IPv6 address ::1 (SOCKS5 can)")
    }

    @Test func socks5OffersNoAuthenticationWithoutAUser() throws {
        let handshake = try Socks5Handshake(proxy: testProxy, destination: "10.1.2.3", port: 80, user: nil, password: nil)
        #expect(handshake.request == [5, 1, 0])
    }

    @Test func socks5OffersUserAndPasswordWithAUser() throws {
        let handshake = try Socks5Handshake(proxy: testProxy, destination: "10.1.2.3", port: 80, user: "alice", password: "secret")
        #expect(handshake.request == [5, 2, 0, 2])
    }

    @Test(arguments: [
        ("10.1.2.3", [1, 10, 1, 2, 3] as [UInt8]),
        ("example.com", [3, 11] + bytes("example.com")),
        ("2001:db8::7", [4, 0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [7]),
    ])
    func socks5RequestCarriesEachAddressType(host: String, address: [UInt8]) throws {
        let handshake = try Socks5Handshake(proxy: testProxy, destination: host, port: 8080, user: nil, password: nil)
        let conversation = try converse(handshake, reply: [5, 0])
        #expect(conversation.sent == [5, 1, 0] + [5, 1, 0] + address + [0x1f, 0x90])
        #expect(conversation.leftover == nil)
    }

    @Test func socks5SendsRFC1929CredentialsWhenTheProxyChoosesThem() throws {
        let handshake = try Socks5Handshake(proxy: testProxy, destination: "example.com", port: 22, user: "alice", password: "secret")
        let conversation = try converse(handshake, reply: [5, 2, 1, 0])
        #expect(conversation.sent == [5, 2, 0, 2] + [1, 5] + bytes("alice") + [6] + bytes("secret")
            + [5, 1, 0, 3, 11] + bytes("example.com") + [0, 22])
    }

    @Test func socks5SkipsCredentialsWhenTheProxyChoosesNoAuthentication() throws {
        let handshake = try Socks5Handshake(proxy: testProxy, destination: "10.0.0.1", port: 22, user: "alice", password: "secret")
        let conversation = try converse(handshake, reply: [5, 0])
        #expect(conversation.sent == [5, 2, 0, 2] + [5, 1, 0, 1, 10, 0, 0, 1, 0, 22])
    }

    @Test func socks5RefusesNamesAndCredentialsItCannotCarry() {
        let long = String(repeating: "a", count: 256)
        #expect(failureMessage { _ = try Socks5Handshake(proxy: testProxy, destination: long, port: 1, user: nil, password: nil) }
            == "handshake with proxy 127.0.0.1 port 1080 failed: SOCKS5 carries names of 1 to 255 bytes, not 256")
        #expect(failureMessage { _ = try Socks5Handshake(proxy: testProxy, destination: "", port: 1, user: nil, password: nil) }
            == "handshake with proxy 127.0.0.1 port 1080 failed: SOCKS5 carries names of 1 to 255 bytes, not 0")
        #expect(failureMessage { _ = try Socks5Handshake(proxy: testProxy, destination: "h", port: 1, user: long, password: "p") }
            == "handshake with proxy 127.0.0.1 port 1080 failed: SOCKS5 user names and passwords are at most 255 bytes")
        #expect(failureMessage { _ = try Socks5Handshake(proxy: testProxy, destination: "h", port: 1, user: "u", password: long) }
            == "handshake with proxy 127.0.0.1 port 1080 failed: SOCKS5 user names and passwords are at most 255 bytes")
    }

    @Test func connectWithoutAUser() throws {
        let handshake = try HTTPConnectHandshake(proxy: testProxy, destination: "example.com", port: 443, user: nil, password: nil)
        #expect(handshake.request == bytes("CONNECT example.com:443 HTTP/1.0\r\nHost: example.com:443\r\n\r\n"))
    }

    @Test func connectWithAUserSendsBasicAuthorization() throws {
        let handshake = try HTTPConnectHandshake(proxy: testProxy, destination: "10.1.2.3", port: 22, user: "alice", password: "secret")
        #expect(handshake.request == bytes("CONNECT 10.1.2.3:22 HTTP/1.0\r\nHost: 10.1.2.3:22\r\n"
            + "Proxy-Authorization: Basic YWxpY2U6c2VjcmV0\r\n\r\n"))
    }

    @Test func connectWithoutAPasswordSendsAnEmptyOne() throws {
        let handshake = try HTTPConnectHandshake(proxy: testProxy, destination: "h", port: 1, user: "alice", password: nil)
        #expect(handshake.request == bytes("CONNECT h:1 HTTP/1.0\r\nHost: h:1\r\nProxy-Authorization: Basic YWxpY2U6\r\n\r\n"))
    }

    @Test func connectPutsAnIPv6DestinationInBrackets() throws {
        let handshake = try HTTPConnectHandshake(proxy: testProxy, destination: "::1", port: 22, user: nil, password: nil)
        #expect(handshake.request == bytes("CONNECT [::1]:22 HTTP/1.0\r\nHost: [::1]:22\r\n\r\n"))
    }

    @Test func connectRefusesADestinationThatWouldBreakTheRequest() {
        #expect(failureMessage { _ = try HTTPConnectHandshake(proxy: testProxy, destination: "a\r\nX: y", port: 1, user: nil, password: nil) }
            == "handshake with proxy 127.0.0.1 port 1080 failed: the destination \"a??X: y\" holds a space or control character")
    }

    @Test func base64MatchesRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors { #expect(Base64.encode(bytes(plain)) == encoded) }
        #expect(Base64.encode([0xFF, 0xFE, 0xFD]) == "//79")
    }

    @Test func onlySocks5AndConnectNeedAPassword() {
        #expect(ProxySettings(kind: .socks5, host: "p", user: "u").needsPassword)
        #expect(ProxySettings(kind: .httpConnect, host: "p", user: "u").needsPassword)
        #expect(!ProxySettings(kind: .socks4, host: "p", user: "u").needsPassword)
        #expect(!ProxySettings(kind: .socks5, host: "p").needsPassword)
    }
}
