import Glibc
import Testing
@testable import SwncCore

/// The echo role in process, over socketpairs: each connection echoes its own bytes and closes
/// on its own, whatever the order in which the others close.
@Suite struct EchoRoleTests {
    /// A peer of the role: its far end is written and read with plain calls.
    private struct Peer {
        let far: FileDescriptor
        let address: SocketAddress
    }

    /// Both ends of a stream socketpair (close-on-exec), for the tests to hand out and close.
    private static func streamPair() throws -> [Int32] {
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else { throw Errno.current }
        return ends
    }

    private static func address(port: UInt16) throws -> SocketAddress {
        try #require(Resolver(numericOnly: true).addresses(of: "127.0.0.1", port: port, transport: .tcp).first)
    }

    private static func connect(_ role: EchoRole, loop: EventLoop, port: UInt16,
                                ended: @escaping (Relay.Ending) -> Void) throws -> Peer {
        var ends: [Int32] = [0, 0]
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &ends) == 0 else { throw Errno.current }
        let address = try address(port: port)
        let stream = try DescriptorStream(FileDescriptor(ends[0]), peer: address, loop: loop)
        role.serve(Connection(stream: stream, isDatagram: false, socket: Socket(adopting: FileDescriptor(ends[0])),
                              shownAddress: address), ended: ended)
        return Peer(far: FileDescriptor(ends[1]), address: address)
    }

    private static func runLoop(_ loop: EventLoop) throws {
        loop.schedule(after: .milliseconds(50)) { [loop] in loop.stop() }
        try loop.run()
    }

    /// Sends `text`, lets the role echo it, and reads back what came.
    private static func echo(_ text: String, through peer: Peer, loop: EventLoop) throws -> String {
        let written = try Array(text.utf8).withUnsafeBytes { try peer.far.write($0) }
        #expect(written == text.utf8.count)
        try runLoop(loop)
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = try buffer.withUnsafeMutableBytes { try peer.far.read(into: $0) } ?? 0
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// The peer half-closes; the role echoes what was left and closes its end: end of file.
    private static func close(_ peer: Peer, loop: EventLoop) throws -> Bool {
        _ = shutdown(peer.far.rawValue, Int32(SHUT_WR))
        try runLoop(loop)
        var byte: UInt8 = 0
        let count = try withUnsafeMutableBytes(of: &byte) { try peer.far.read(into: $0) }
        peer.far.close()
        return count == 0
    }

    @Test func connectionsEchoAndCloseInAnyOrderEachReportingItsOwnPeer() throws {
        let loop = try EventLoop()
        var closed: [(port: UInt16, bytes: Int)] = []
        let role = EchoRole(loop: loop, idleTimeout: nil) { event in
            if case .echoClosed(let peer, let bytes) = event { closed.append((peer.port, bytes)) }
        }
        var endings = 0
        let peers = try (1...3).map { index in
            try Self.connect(role, loop: loop, port: UInt16(5000 + index)) { ending in
                if case .finished = ending { endings += 1 }
            }
        }
        #expect(try Self.echo("one", through: peers[0], loop: loop) == "one")
        #expect(try Self.echo("two!", through: peers[1], loop: loop) == "two!")
        #expect(try Self.echo("three", through: peers[2], loop: loop) == "three")

        // The middle one first, then the last (which took its place), then the first.
        #expect(try Self.close(peers[1], loop: loop))
        #expect(try Self.echo("again", through: peers[2], loop: loop) == "again")
        #expect(try Self.echo("more", through: peers[0], loop: loop) == "more")
        #expect(try Self.close(peers[2], loop: loop))
        #expect(try Self.echo("last", through: peers[0], loop: loop) == "last")
        #expect(try Self.close(peers[0], loop: loop))

        #expect(closed.map(\.port) == [5002, 5003, 5001])
        #expect(closed.map(\.bytes) == [4, 10, 11])
        #expect(endings == 3)
    }

    @Test func aPeersStreamIsNamedByItsAddressWhenShown() throws {
        let loop = try EventLoop()
        let ends = try Self.streamPair()
        let ip = try DescriptorStream(FileDescriptor(ends[0]), peer: try Self.address(port: 5566), loop: loop)
        #expect(ip.name == "127.0.0.1 port 5566")
        ip.close()
        let path = "/tmp/a-path-longer-than-an-inline-address.sock"
        let unix = try DescriptorStream(FileDescriptor(ends[1]), peer: try SocketAddress.unix(path: path), loop: loop)
        #expect(unix.name == path)
        #expect(unix.peerAddress?.host == path)
        unix.close()
    }

    /// The echo reports the peer by the address its stream keeps: under the session logs' tap too.
    @Test func aTappedStreamHasItsPeersAddress() throws {
        let loop = try EventLoop()
        let ends = try Self.streamPair()
        defer { Glibc.close(ends[1]) }
        let stream = try DescriptorStream(FileDescriptor(ends[0]), peer: try Self.address(port: 5566), loop: loop)
        let tapped: ByteStream = TapStream(wrapping: stream, logs: [])
        #expect(tapped.peerAddress?.port == 5566)
        stream.close()
        let named = try DescriptorStream(FileDescriptor(ends[1]), name: "stdin", loop: loop, ownsDescriptor: false)
        #expect(named.peerAddress == nil)
        named.close()
    }

    /// A stream's watch holds it until `close`, which lets it go: no leak.
    @Test func aClosedStreamIsFreed() throws {
        let loop = try EventLoop()
        let ends = try Self.streamPair()
        defer { Glibc.close(ends[1]) }
        weak var freed: DescriptorStream?
        do {
            let stream = try DescriptorStream(FileDescriptor(ends[0]), peer: try Self.address(port: 5566), loop: loop)
            freed = stream
            stream.close()
        }
        #expect(freed == nil)
    }

    /// What each of 10,000 connections costs: its echo state in a 128-byte allocation, freed when it closes.
    @Test func anEchoConnectionIsA128ByteAllocation() throws {
        let loop = try EventLoop()
        let role = EchoRole(loop: loop, idleTimeout: nil) { _ in }
        let peer = try Self.connect(role, loop: loop, port: 5001) { _ in }
        weak var freed: EchoConnection?
        do {
            let echo = try #require(role.connections.first)
            freed = echo
            // glibc: 120, a 128-byte block less its 8-byte header; AddressSanitizer: the 114 asked for.
            #expect((105...120).contains(mallocUsableSize(Unmanaged.passUnretained(echo).toOpaque())))
        }
        #expect(MemoryLayout<Clock.Reading>.size == 8)
        // Its stream's callbacks hold it until it closes, then let it go.
        #expect(try Self.close(peer, loop: loop))
        #expect(role.connections.isEmpty)
        #expect(freed == nil)
    }
}

@_silgen_name("malloc_usable_size")
private func mallocUsableSize(_ pointer: UnsafeMutableRawPointer) -> Int
