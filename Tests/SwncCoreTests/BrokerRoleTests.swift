import Glibc
import Testing
@testable import SwncCore

/// The broker in process, over socketpairs: a read goes at once to each receiver with nothing
/// queued, what a full socket does not take is queued for that receiver alone, and one that
/// stops reading is dropped past 1 MiB queued while the others get every byte.
@Suite struct BrokerRoleTests {
    /// A peer's stream that remembers whether the broker ever waited to write to it.
    final class WaitRecordingStream: ByteStream {
        let base: DescriptorStream
        private(set) var waitedToWrite = false
        init(_ base: DescriptorStream) { self.base = base }
        var name: String { base.name }
        var hasBufferedInput: Bool { false }
        var spliceDescriptor: FileDescriptor? { base.spliceDescriptor }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult { try base.read(into: buffer) }
        func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult { try base.write(bytes) }
        func shutdownSending() { base.shutdownSending() }
        func waitToRead(_ readiness: Readiness?) { base.waitToRead(readiness) }
        func waitToWrite(_ readiness: Readiness?) {
            if readiness != nil { waitedToWrite = true }
            base.waitToWrite(readiness)
        }
        var onReadable: () -> Void { get { base.onReadable } set { base.onReadable = newValue } }
        var onWritable: () -> Void { get { base.onWritable } set { base.onWritable = newValue } }
        func close() { base.close() }
    }

    /// A broker on `loop` and its peers; each peer's far end is the test's.
    final class Harness {
        /// The peers the broker reported dropped.
        final class Drops { var peers: [SocketAddress] = [] }

        let loop: EventLoop
        let broker: BrokerRole
        let drops = Drops()
        private var fars: [FileDescriptor] = []

        init() throws {
            loop = try EventLoop()
            broker = BrokerRole(loop: loop, standardStreams: nil, configuration: Configuration()) { [drops] event in
                if case .brokerPeerDropped(let peer, _) = event { drops.peers.append(peer) }
            }
        }

        deinit { for far in fars { far.close() } }

        /// Connects a peer whose broker side has a send buffer of `sendBuffer` bytes (the
        /// kernel doubles it): its far end and the stream the broker writes.
        func join(_ name: String, sendBuffer: Int32) throws -> (FarEnd, WaitRecordingStream) {
            let pair = try StreamPair(loop: loop, name: name)
            var size = sendBuffer
            setsockopt(pair.near.descriptor.rawValue, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            fars.append(pair.far)
            let stream = WaitRecordingStream(pair.near)
            broker.serve(Connection(stream: stream, isDatagram: false, socket: Socket(adopting: pair.near.descriptor),
                                    shownAddress: try .unix(path: name)), ended: { _ in })
            return (try FarEnd(pair.far, loop: loop), stream)
        }

        /// Runs the loop until `done` holds (checked every 10 ms), at most 10 s.
        func run(until done: @escaping () -> Bool, _ what: String) throws {
            func check() {
                if done() { loop.stop() } else { loop.schedule(after: .milliseconds(10), check) }
            }
            check()
            try loop.run(failingAfter: .seconds(10), what)
        }
    }

    @Test func aReadGoesAtOnceToAnIdleReceiverAndWhatAFullSocketLeavesIsQueuedByteExact() throws {
        let harness = try Harness()
        let data = patternBytes(768 * 1024 + 13, seed: 7)
        // Room for all of it: the broker never has to wait for this one.
        let (roomy, roomyStream) = try harness.join("roomy", sendBuffer: 2 << 20)
        // Room for a few KiB: most of each read is queued, and sent as the socket drains.
        let (narrow, narrowStream) = try harness.join("narrow", sendBuffer: 4096)
        let (sender, _) = try harness.join("sender", sendBuffer: 4096)
        sender.feed(data)
        try harness.run(until: { sender.written == data.count }, "the sender's bytes going out")
        roomy.collect()
        narrow.collect()
        try harness.run(until: { roomy.bytes.count >= data.count && narrow.bytes.count >= data.count },
                        "every byte at both receivers")
        #expect(roomy.bytes == data)
        #expect(narrow.bytes == data)
        #expect(!roomyStream.waitedToWrite)
        #expect(narrowStream.waitedToWrite)
        #expect(harness.drops.peers.isEmpty)
        for far in [roomy, narrow, sender] { far.stop() }
    }

    @Test func aReceiverThatStopsReadingIsDroppedPastOneMebibyteWhileTheOthersGetEveryByte() throws {
        let harness = try Harness()
        let data = patternBytes(6 << 20, seed: 8)
        let (reader, _) = try harness.join("reader", sendBuffer: 64 * 1024)
        let (stalled, _) = try harness.join("stalled", sendBuffer: 4096)
        let (sender, _) = try harness.join("sender", sendBuffer: 4096)
        reader.collect()
        sender.feed(data)
        try harness.run(until: { reader.bytes.count >= data.count }, "every byte at the reader")
        #expect(reader.bytes == data)
        #expect(harness.drops.peers == [try SocketAddress.unix(path: "stalled")])
        // The dropped receiver's socket holds a prefix of the bytes, then its end.
        stalled.collect()
        try harness.run(until: { stalled.endOfFile }, "the dropped receiver's end of file")
        #expect(stalled.bytes.count < BrokerRole.queueLimit)
        #expect(stalled.bytes == Array(data.prefix(stalled.bytes.count)))
        for far in [reader, stalled, sender] { far.stop() }
    }
}
