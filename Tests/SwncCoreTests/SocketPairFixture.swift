import Glibc
import Testing
@testable import SwncCore

/// A connected pair of non-blocking UNIX stream sockets for driving a filter in process:
/// `near` is a DescriptorStream for the filter to wrap (the filter closes it), `far` is the
/// peer's end, written and read with plain calls.
final class SocketPairFixture {
    let loop: EventLoop
    let near: DescriptorStream
    let far: FileDescriptor

    init() throws {
        var ends: [Int32] = [0, 0]
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &ends) == 0 else { throw Errno.current }
        loop = try EventLoop()
        near = try DescriptorStream(FileDescriptor(ends[0]), name: "near", loop: loop)
        far = FileDescriptor(ends[1])
    }

    deinit { far.close() }

    /// Sends `bytes` from the peer; they must all fit the socket at once.
    func send(_ bytes: [UInt8]) throws {
        let written = try bytes.withUnsafeBytes { try far.write($0) } ?? 0
        #expect(written == bytes.count)
    }

    /// The peer shuts down its sending side: the near end reads end of file.
    func endSending() { _ = shutdown(far.rawValue, Int32(SHUT_WR)) }

    /// Everything the peer can read now.
    func received() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<1000 {
            guard let count = try buffer.withUnsafeMutableBytes({ try far.read(into: $0) }), count > 0 else {
                return bytes
            }
            bytes += buffer[..<count]
        }
        Issue.record("the peer's end never ran dry")
        return bytes
    }

    /// Fills the near end's sending side until it would block; returns how many bytes that took.
    func fillNearSendingSide() throws -> Int {
        let chunk = [UInt8](repeating: 0x61, count: 4096)
        var total = 0
        for _ in 0..<100_000 {
            guard let written = try chunk.withUnsafeBytes({ try near.descriptor.write($0) }) else { return total }
            total += written
        }
        Issue.record("the socket never filled")
        return total
    }

    /// Runs the event loop for `duration`, so that watches fire.
    func runLoop(for duration: Duration) throws {
        loop.schedule(after: duration) { [loop] in loop.stop() }
        try loop.run()
    }
}

/// Reads `stream` until it would block or ends, `bufferSize` bytes at a time.
func drain(_ stream: ByteStream, bufferSize: Int = 4096) throws -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: bufferSize)
    for _ in 0..<1_000_000 {
        let result = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        guard case .bytes(let count) = result else { return bytes }
        bytes += buffer[..<count]
    }
    Issue.record("\(stream.name) never ran dry")
    return bytes
}

/// `bytes` cut in two at every point, and cut into single bytes: the ways a peer's data can
/// arrive in reads.
func everySplit(of bytes: [UInt8]) -> [[[UInt8]]] {
    var splits = (0...bytes.count).map { [Array(bytes[..<$0]), Array(bytes[$0...])] }
    splits.append(bytes.map { [$0] })
    return splits
}

/// A small seeded generator (SplitMix64), so that a failing fuzz case can be run again.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
