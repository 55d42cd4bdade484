import Foundation
import Glibc
import Testing
@testable import SwncCore

/// The proxy's end of a socketpair, played from a script by a thread; the other end, non-blocking,
/// is the client's socket.
final class ScriptedPeer: @unchecked Sendable {
    enum Action {
        /// Read exactly this many bytes (fewer at end of file), and keep them in `received`.
        case read(Int)
        case write([UInt8])
        case pause(Duration)
    }

    let client: Socket
    private let peer: FileDescriptor
    private var received: [UInt8] = []
    private let finished = DispatchSemaphore(value: 0)

    init(_ script: [Action]) throws {
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else { throw Errno.current }
        client = Socket(adopting: FileDescriptor(ends[0]))
        try client.descriptor.setStatusFlags(client.descriptor.statusFlags() | O_NONBLOCK)
        peer = FileDescriptor(ends[1])
        // A peer waiting for bytes that never come gives up instead of hanging the test.
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(ends[1], SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in
            play(script)
            peer.close()
            finished.signal()
        }
    }

    private func play(_ script: [Action]) {
        for action in script {
            switch action {
            case .read(let count):
                var buffer = [UInt8](repeating: 0, count: count)
                var got = 0
                while got < count {
                    let result = buffer[got...].withUnsafeMutableBytes { Glibc.read(peer.rawValue, $0.baseAddress, $0.count) }
                    if result <= 0 { break }
                    got += result
                }
                received += buffer[..<got]
            case .write(let bytes):
                _ = bytes.withUnsafeBytes { Glibc.send(peer.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case .pause(let duration):
                usleep(UInt32(duration.milliseconds * 1000))
            }
        }
    }

    /// Everything the peer read, once its script is over (and its end closed).
    func bytesReceived() -> [UInt8] {
        _ = finished.wait(timeout: .now() + 10)
        return received
    }

    /// What the client reads after the handshake, up to end of file.
    func restOfStream() throws -> [UInt8] {
        var rest: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Clock.now + .seconds(5)
        while try client.descriptor.wait(for: Int32(POLLIN), until: deadline) {
            guard let count = try buffer.withUnsafeMutableBytes({ try client.descriptor.read(into: $0) }) else { continue }
            if count == 0 { break }
            rest += buffer[..<count]
        }
        return rest
    }
}

let socks5Settings = ProxySettings(kind: .socks5, host: "127.0.0.1")

@Suite struct ProxyDriverTests {
    @Test func socks5SendsTheNameAndReturnsTheDataAfterTheReply() throws {
        let connect: [UInt8] = [5, 1, 0, 3, 11] + bytes("example.com") + [0, 80]
        let peer = try ScriptedPeer([.read(3), .write([5, 0]), .read(connect.count), .write(Array(socks5Succeeded.dropFirst(2)) + early)])
        defer { peer.client.close() }
        let leftover = try Proxy.handshake(over: peer.client, settings: socks5Settings, password: nil,
                                           destination: "example.com", port: 80, deadline: nil)
        #expect(try leftover + peer.restOfStream() == early)
        #expect(peer.bytesReceived() == [5, 1, 0] + connect)
    }

    @Test func socks5WithAuthenticationAndAReplyOneBytePerWrite() throws {
        let credentials: [UInt8] = [1, 5] + bytes("alice") + [6] + bytes("secret")
        let connect: [UInt8] = [5, 1, 0, 1, 127, 0, 0, 1, 0x1F, 0x90]
        let reply: [UInt8] = [5, 2, 1, 0] + socks5Succeeded.dropFirst(2)
        var script: [ScriptedPeer.Action] = [.read(4), .write([reply[0]]), .pause(.milliseconds(1)), .write([reply[1]]), .read(credentials.count)]
        script += reply[2..<4].flatMap { [.write([$0]), .pause(.milliseconds(1))] }
        script.append(.read(connect.count))
        script += reply[4...].flatMap { [.write([$0]), .pause(.milliseconds(1))] }
        script.append(.write(early))
        let peer = try ScriptedPeer(script)
        defer { peer.client.close() }
        let settings = ProxySettings(kind: .socks5, host: "127.0.0.1", user: "alice")
        let leftover = try Proxy.handshake(over: peer.client, settings: settings, password: "secret",
                                           destination: "127.0.0.1", port: 8080, deadline: Clock.now + .seconds(5))
        #expect(try leftover + peer.restOfStream() == early)
        #expect(peer.bytesReceived() == [5, 2, 0, 2] + credentials + connect)
    }

    @Test func socks4aThroughTheDriver() throws {
        let request: [UInt8] = [4, 1, 0, 22, 0, 0, 0, 1, 0] + bytes("example.com") + [0]
        let peer = try ScriptedPeer([.read(request.count), .write(socks4Granted + early)])
        defer { peer.client.close() }
        let leftover = try Proxy.handshake(over: peer.client, settings: ProxySettings(kind: .socks4, host: "127.0.0.1"),
                                           password: nil, destination: "example.com", port: 22, deadline: nil)
        #expect(try leftover + peer.restOfStream() == early)
        #expect(peer.bytesReceived() == request)
    }

    @Test func httpConnectThroughTheDriver() throws {
        let request = bytes("CONNECT [::1]:22 HTTP/1.0\r\nHost: [::1]:22\r\nProxy-Authorization: Basic YWxpY2U6c2VjcmV0\r\n\r\n")
        let peer = try ScriptedPeer([.read(request.count), .write(Array(http200.prefix(20))), .pause(.milliseconds(5)),
                                     .write(Array(http200.dropFirst(20)) + early)])
        defer { peer.client.close() }
        let settings = ProxySettings(kind: .httpConnect, host: "::1", user: "alice")
        let leftover = try Proxy.handshake(over: peer.client, settings: settings, password: "secret",
                                           destination: "::1", port: 22, deadline: Clock.now + .seconds(5))
        #expect(try leftover + peer.restOfStream() == early)
        #expect(peer.bytesReceived() == request)
    }

    @Test func aRefusalNamesTheProxyAndTheCode() throws {
        let peer = try ScriptedPeer([.read(3), .write([5, 0]), .read(10), .write([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])])
        defer { peer.client.close() }
        #expect(failureMessage { _ = try Proxy.handshake(over: peer.client, settings: socks5Settings, password: nil,
                                                         destination: "10.0.0.1", port: 9, deadline: nil) }
            == "proxy 127.0.0.1 port 1080 refused the connection: SOCKS5 reply 5 (connection refused)")
    }

    @Test func aHTTPRefusalNamesTheStatusLine() throws {
        let request = bytes("CONNECT h:1 HTTP/1.0\r\nHost: h:1\r\n\r\n")
        let peer = try ScriptedPeer([.read(request.count), .write(bytes("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"))])
        defer { peer.client.close() }
        let settings = ProxySettings(kind: .httpConnect, host: "127.0.0.1", port: 3128)
        #expect(failureMessage { _ = try Proxy.handshake(over: peer.client, settings: settings, password: nil,
                                                         destination: "h", port: 1, deadline: nil) }
            == "proxy 127.0.0.1 port 3128 refused the connection: HTTP/1.1 407 Proxy Authentication Required")
    }

    @Test func aCloseInTheMiddleOfTheReplyIsAnError() throws {
        let peer = try ScriptedPeer([.read(3), .write([5, 0]), .read(10), .write([5, 0, 0, 1, 127])])
        defer { peer.client.close() }
        #expect(failureMessage { _ = try Proxy.handshake(over: peer.client, settings: socks5Settings, password: nil,
                                                         destination: "10.0.0.1", port: 9, deadline: nil) }
            == "handshake with proxy 127.0.0.1 port 1080 failed: connection closed in the middle of the SOCKS5 reply")
    }

    @Test func aStalledProxyTimesOutAtTheDeadline() throws {
        // The peer reads the greeting, then waits for the client to go away.
        let peer = try ScriptedPeer([.read(3), .read(1)])
        let start = Clock.now
        let message = failureMessage { _ = try Proxy.handshake(over: peer.client, settings: socks5Settings, password: nil,
                                                               destination: "10.0.0.1", port: 9, deadline: start + .milliseconds(100)) }
        let elapsed = Clock.now - start
        peer.client.close()
        #expect(message == "handshake with proxy 127.0.0.1 port 1080 failed: timed out")
        #expect(elapsed >= .milliseconds(100) && elapsed < .seconds(2))
        #expect(peer.bytesReceived() == [5, 1, 0])
    }
}
