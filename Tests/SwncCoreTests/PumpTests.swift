import Glibc
import Testing
@testable import SwncCore

/// The pump between DescriptorStreams on socketpairs and pipes, spliced (both ends plain
/// descriptors) and copied (one end hides its descriptor, as a filter does).
@Suite struct PumpTests {
    static let capacity = 64 * 1024

    /// A pump from `source` to `sink` that, spliced or not, shuts the sink down when it finishes.
    static func pump(_ source: ByteStream, _ sink: ByteStream, spliced: Bool, pipeCapacity: Int? = nil) -> Pump {
        let pump = Pump(from: spliced ? source : UnspliceableStream(source), to: sink, capacity: capacity,
                        pipeCapacity: pipeCapacity)
        pump.onFailure = { error, side in Issue.record("\(side) failed: \(error)") }
        return pump
    }

    @Test(arguments: [true, false])
    func bytesGoBothWaysByteExactOverSocketpairs(spliced: Bool) throws {
        let loop = try EventLoop()
        let left = try StreamPair(loop: loop, name: "left")
        let right = try StreamPair(loop: loop, name: "right")
        defer { left.near.close(); right.near.close(); left.far.close(); right.far.close() }
        let rightward = patternBytes(3 << 20, seed: 1)
        let leftward = patternBytes(2 << 20 + 17, seed: 2)
        // One socket is read by one pump and written by the other.
        let toRight = Self.pump(left.near, right.near, spliced: spliced)
        let toLeft = Self.pump(right.near, left.near, spliced: spliced)
        toRight.onFinished = { right.near.shutdownSending() }
        toLeft.onFinished = { left.near.shutdownSending() }
        let atLeft = try FarEnd(left.far, loop: loop)
        let atRight = try FarEnd(right.far, loop: loop)
        atLeft.feed(rightward)
        atRight.feed(leftward)
        atLeft.collect()
        atRight.collect()
        var ended = 0
        atRight.onEnd = { ended += 1; if ended == 2 { loop.stop() } }
        atLeft.onEnd = { ended += 1; if ended == 2 { loop.stop() } }
        toRight.start()
        toLeft.start()
        try loop.run(failingAfter: .seconds(5), "both directions' end of file")
        atRight.stop(); atLeft.stop()
        #expect(atRight.bytes == rightward)
        #expect(atLeft.bytes == leftward)
        #expect(atRight.endOfFile && atLeft.endOfFile)
        #expect(toRight.bytesMoved == rightward.count && toLeft.bytesMoved == leftward.count)
        #expect(toRight.finished && toLeft.finished)
    }

    @Test(arguments: [true, false])
    func bytesGoByteExactFromPipeToPipe(spliced: Bool) throws {
        let loop = try EventLoop()
        let (sourceRead, feederWrite) = try nonBlockingPipe()
        let (collectorRead, sinkWrite) = try nonBlockingPipe()
        let source = try DescriptorStream(sourceRead, name: "pipe in", loop: loop)
        let sink = try DescriptorStream(sinkWrite, name: "pipe out", loop: loop)
        defer { source.close(); collectorRead.close() }
        let bytes = patternBytes(2 << 20 + 5, seed: 3)
        let pump = Self.pump(source, sink, spliced: spliced)
        // A pipe has no shutdown: its write end is closed to end it.
        pump.onFinished = { sink.close() }
        let feeder = try FarEnd(feederWrite, loop: loop)
        let collector = try FarEnd(collectorRead, loop: loop)
        feeder.feed(bytes)
        collector.collect()
        collector.onEnd = { loop.stop() }
        pump.start()
        try loop.run(failingAfter: .seconds(5), "the pipe's end of file")
        feeder.stop(); collector.stop()
        #expect(collector.bytes == bytes)
        #expect(collector.endOfFile)
        #expect(pump.finished)
    }

    /// A request-sized message goes through the buffer (no pipe made for it); the bulk that
    /// follows is spliced, and every byte arrives once, in order.
    @Test func smallBytesAreCopiedAndTheBulkAfterThemIsSpliced() throws {
        let loop = try EventLoop()
        let left = try StreamPair(loop: loop, name: "left")
        let right = try StreamPair(loop: loop, name: "right")
        defer { left.near.close(); right.near.close(); left.far.close(); right.far.close() }
        let small = patternBytes(64, seed: 6)
        let bytes = small + patternBytes(2 << 20 + 9, seed: 7)
        let pump = Self.pump(left.near, right.near, spliced: true)
        pump.onFinished = { right.near.shutdownSending() }
        let feeder = try FarEnd(left.far, loop: loop)
        let collector = try FarEnd(right.far, loop: loop)
        var splicedSmall: Bool?
        pump.onProgress = {
            guard splicedSmall == nil, pump.bytesMoved == small.count else { return }
            splicedSmall = pump.splicing
            feeder.feed(bytes)  // the rest, after the 64 bytes already written
        }
        feeder.feed(small, thenEnd: false)
        collector.collect()
        collector.onEnd = { loop.stop() }
        pump.start()
        try loop.run(failingAfter: .seconds(5), "the sink's end of file")
        feeder.stop(); collector.stop()
        #expect(splicedSmall == false)
        #expect(pump.splicing)
        #expect(collector.bytes == bytes)
        #expect(pump.bytesMoved == bytes.count)
    }

    /// splice(2) refuses a file opened for appending (EINVAL) after the pump has begun to splice:
    /// what is in its pipe moves to the buffer, and every byte still arrives once, in order, also
    /// from a pipe larger than the buffer.
    @Test(arguments: [nil, 1 << 20])
    func aSinkThatRefusesSpliceGetsEveryByteByWrite(pipeCapacity: Int?) throws {
        let loop = try EventLoop()
        let pair = try StreamPair(loop: loop, name: "socket")
        let file = try TemporaryFile([], flags: O_APPEND)
        let sink = try DescriptorStream(file.descriptor, name: "appended file", loop: loop)
        defer { pair.near.close(); sink.close(); pair.far.close() }
        let bytes = patternBytes(1 << 20 + 3, seed: 4)
        let pump = Self.pump(pair.near, sink, spliced: true, pipeCapacity: pipeCapacity)
        #expect(sink.spliceDescriptor != nil, "the sink offers splice, and refuses it only when tried")
        pump.onFinished = { loop.stop() }
        let feeder = try FarEnd(pair.far, loop: loop)
        feeder.feed(bytes)
        pump.start()
        try loop.run(failingAfter: .seconds(5), "the pump's end")
        feeder.stop()
        #expect(try contentsOfFile(file.path) == bytes)
        #expect(pump.bytesMoved == bytes.count)
    }

    /// A sink nobody reads: the source is read only while the pump's buffer has room, so what
    /// the feeder gets rid of is bounded by the socket buffers and one pump buffer, not by what
    /// it offers. Once the sink is read, everything arrives.
    @Test(arguments: [true, false])
    func aSlowSinkStopsTheSourceBeingRead(spliced: Bool) throws {
        let loop = try EventLoop()
        let left = try StreamPair(loop: loop, name: "left")
        let right = try StreamPair(loop: loop, name: "right")
        defer { left.near.close(); right.near.close(); left.far.close(); right.far.close() }
        let bytes = patternBytes(4 << 20, seed: 5)
        let pump = Self.pump(left.near, right.near, spliced: spliced)
        pump.onFinished = { right.near.shutdownSending() }
        let feeder = try FarEnd(left.far, loop: loop)
        let collector = try FarEnd(right.far, loop: loop)
        feeder.feed(bytes)
        var stalled = 0
        loop.schedule(after: .milliseconds(300)) { stalled = feeder.written; collector.collect() }
        collector.onEnd = { loop.stop() }
        pump.start()
        try loop.run(failingAfter: .seconds(10), "the sink's end of file")
        feeder.stop(); collector.stop()
        // Two UNIX socket buffers (net.core.wmem_default, 208 KiB each) and one pump buffer.
        #expect(stalled > 0 && stalled < 1 << 20, "the feeder wrote \(stalled) bytes while the sink was not read")
        #expect(collector.bytes == bytes)
    }

    /// End of file behind bytes the sink cannot take yet: the pump finishes only after the last
    /// of them is written.
    @Test(arguments: [true, false])
    func endOfFileAfterBufferedBytesFinishesOnlyOnceTheyAreWritten(spliced: Bool) throws {
        let loop = try EventLoop()
        let left = try StreamPair(loop: loop, name: "left")
        let right = try StreamPair(loop: loop, name: "right")
        defer { left.near.close(); right.near.close(); left.far.close(); right.far.close() }
        let bytes = patternBytes(300 * 1024, seed: 6)
        let pump = Self.pump(left.near, right.near, spliced: spliced)
        var finishedWith: Int?
        pump.onFinished = { finishedWith = pump.bytesMoved; right.near.shutdownSending() }
        let feeder = try FarEnd(left.far, loop: loop)
        let collector = try FarEnd(right.far, loop: loop)
        feeder.feed(bytes)
        var finishedWhileBlocked = true
        loop.schedule(after: .milliseconds(300)) {
            #expect(feeder.written == bytes.count, "the source's end of file is sent")
            finishedWhileBlocked = pump.finished
            collector.collect()
        }
        collector.onEnd = { loop.stop() }
        pump.start()
        try loop.run(failingAfter: .seconds(5), "the sink's end of file")
        feeder.stop(); collector.stop()
        #expect(!finishedWhileBlocked)
        #expect(finishedWith == bytes.count)
        #expect(collector.bytes == bytes)
    }

    /// The source resets (its far end closed with bytes unread) while the sink is full: the
    /// pump reports the error on the source side, and `endSource` still sends what it holds.
    @Test(arguments: [true, false])
    func aSourceErrorLeavesBufferedBytesToGoOutThroughEndSource(spliced: Bool) throws {
        let loop = try EventLoop()
        let left = try StreamPair(loop: loop, name: "left")
        let right = try StreamPair(loop: loop, name: "right")
        defer { left.near.close(); right.near.close(); right.far.close() }
        // The sink is full before the pump starts.
        let filler = try fill(right.near.descriptor)
        let payload = patternBytes(5000, seed: 7)
        _ = try payload.withUnsafeBytes { try left.far.write($0) }
        // Bytes the far end never reads make its close a reset.
        _ = try [UInt8](repeating: 1, count: 10).withUnsafeBytes { try left.near.descriptor.write($0) }
        left.far.close()
        let pump = Pump(from: spliced ? left.near : UnspliceableStream(left.near), to: right.near,
                        capacity: Self.capacity)
        var failure: (Errno?, Pump.Side)?
        pump.onFailure = { error, side in failure = (error as? Errno, side); pump.endSource() }
        pump.onFinished = { right.near.shutdownSending() }
        let collector = try FarEnd(right.far, loop: loop)
        loop.schedule(after: .milliseconds(100)) { collector.collect() }
        collector.onEnd = { loop.stop() }
        pump.start()
        try loop.run(failingAfter: .seconds(5), "the sink's end of file")
        collector.stop()
        #expect(failure?.0 == .connectionReset)
        #expect(failure?.1 == .source)
        #expect(collector.bytes.count == filler + payload.count)
        #expect(Array(collector.bytes.suffix(payload.count)) == payload)
        #expect(pump.finished)
    }
}

/// Writes to `descriptor` until it would block; returns how many bytes that took.
func fill(_ descriptor: FileDescriptor) throws -> Int {
    let chunk = [UInt8](repeating: 0x61, count: 4096)
    var total = 0
    for _ in 0..<100_000 {
        guard let written = try chunk.withUnsafeBytes({ try descriptor.write($0) }) else { return total }
        total += written
    }
    Issue.record("descriptor \(descriptor.rawValue) never filled")
    return total
}

/// The bytes of the file at `path`.
func contentsOfFile(_ path: String) throws -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw Errno.current }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    for _ in 0..<100_000 {
        let count = read(descriptor, &chunk, chunk.count)
        guard count > 0 else { return bytes }
        bytes += chunk[..<count]
    }
    return bytes
}
