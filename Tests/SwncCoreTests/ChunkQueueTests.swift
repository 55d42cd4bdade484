import Glibc
import Testing
@testable import SwncCore

/// The broker's per-receiver queue of shared chunks: order, partial writes, and what it waits for.
@Suite struct ChunkQueueTests {
    /// A sink that takes at most `perWrite` bytes a call and `budget` bytes until refilled.
    final class Sink: ByteStream {
        var received: [UInt8] = []
        var perWrite: Int
        var budget: Int
        var failure: Errno?
        init(perWrite: Int, budget: Int) {
            self.perWrite = perWrite
            self.budget = budget
        }
        let name = "sink"
        var hasBufferedInput: Bool { false }
        var spliceDescriptor: FileDescriptor? { nil }
        var onReadable: () -> Void = {}
        var onWritable: () -> Void = {}
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult { .wouldBlock(.readable) }
        func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult {
            if let failure { throw failure }
            let count = min(bytes.count, perWrite, budget)
            guard count > 0 else { return .wouldBlock(.writable) }
            received += bytes.prefix(count)
            budget -= count
            return .wrote(count)
        }
        func shutdownSending() {}
        func waitToRead(_ readiness: Readiness?) {}
        func waitToWrite(_ readiness: Readiness?) {}
        func close() {}
    }

    @Test func sendsEveryChunkInOrderAcrossPartialWrites() throws {
        var queue = ChunkQueue()
        queue.append(SharedChunk(Array("hello ".utf8)))
        queue.append(SharedChunk([]))
        queue.append(SharedChunk(Array("world\n".utf8)))
        #expect(queue.count == 12)
        let sink = Sink(perWrite: 5, budget: 7)
        #expect(try queue.send(to: sink) == .writable)
        #expect(sink.received == Array("hello w".utf8))
        #expect(queue.count == 5)
        sink.budget = 100
        #expect(try queue.send(to: sink) == nil)
        #expect(sink.received == Array("hello world\n".utf8))
        #expect(queue.isEmpty)
    }

    @Test func oneChunkSharedByTwoQueuesIsSentWholeToEach() throws {
        let chunk = SharedChunk(Array(0...255))
        var first = ChunkQueue(), second = ChunkQueue()
        first.append(chunk)
        second.append(chunk)
        let fast = Sink(perWrite: 1000, budget: 1000), slow = Sink(perWrite: 3, budget: 1000)
        #expect(try first.send(to: fast) == nil)
        #expect(try second.send(to: slow) == nil)
        #expect(fast.received == Array(0...255))
        #expect(slow.received == Array(0...255))
    }

    @Test func aQueueOfManyChunksKeepsOrderWhileItIsRefilled() throws {
        var queue = ChunkQueue()
        let sink = Sink(perWrite: 7, budget: 0)
        var expected: [UInt8] = []
        for round in 0..<300 {
            let bytes = (0..<10).map { UInt8(truncatingIfNeeded: round &* 10 &+ $0) }
            expected += bytes
            queue.append(SharedChunk(bytes))
            sink.budget += 9  // a little less than comes in: the queue grows
            #expect(try queue.send(to: sink) == .writable)
        }
        sink.budget = Int.max
        #expect(try queue.send(to: sink) == nil)
        #expect(sink.received == expected)
    }

    @Test func aChunkPartlySentAlreadyIsQueuedForItsRestOnlyAndThenTheNextWhole() throws {
        var queue = ChunkQueue()
        queue.append(SharedChunk(Array("already sent|rest".utf8)), sent: 13)
        queue.append(SharedChunk(Array(" next".utf8)))
        queue.append(SharedChunk(Array("all sent".utf8)), sent: 0)
        #expect(queue.count == 17)
        let sink = Sink(perWrite: 3, budget: 100)
        #expect(try queue.send(to: sink) == nil)
        #expect(sink.received == Array("rest nextall sent".utf8))
    }

    @Test func aFailingWriteIsThrownAndRemoveAllEmptiesTheQueue() throws {
        var queue = ChunkQueue()
        queue.append(SharedChunk([1, 2, 3]))
        let sink = Sink(perWrite: 10, budget: 10)
        sink.failure = Errno(EPIPE)
        #expect(throws: Errno(EPIPE)) { try queue.send(to: sink) }
        #expect(queue.count == 3)
        queue.removeAll()
        #expect(queue.isEmpty)
    }
}
