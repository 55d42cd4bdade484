import Glibc
import Testing
@testable import SwncCore

/// A regular file as a pump's source (stdin redirected from a file) goes to a plain sink with
/// sendfile(2): the pump never waits on the file nor reads it, and the bytes arrive exact, from
/// the file's offset on.
@Suite struct FileSendingTests {
    /// More than one sendfile call's worth; stdin partly read before; an empty file.
    @Test(arguments: [(FileSender.largestSend + 5, 0), (300 * 1024, 12345), (0, 0)])
    func aFileReachesASocketByteExactFromItsOffset(size: Int, alreadyRead: Int) throws {
        let loop = try EventLoop()
        let bytes = patternBytes(size, seed: 8)
        let file = try TemporaryFile(bytes, offset: alreadyRead)
        let source = WatchedStream(try DescriptorStream(file.descriptor, name: "file", loop: loop))
        let pair = try StreamPair(loop: loop, name: "socket")
        defer { source.close(); pair.near.close(); pair.far.close() }
        let pump = PumpTests.pump(source, pair.near, spliced: true)
        pump.onFinished = { pair.near.shutdownSending() }
        let collector = try FarEnd(pair.far, loop: loop)
        collector.collect()
        collector.onEnd = { loop.stop() }
        pump.start()
        try loop.run(failingAfter: .seconds(10), "the socket's end of file")
        collector.stop()
        #expect(collector.bytes == Array(bytes[alreadyRead...]))
        #expect(collector.endOfFile)
        #expect(pump.finished && pump.bytesMoved == size - alreadyRead)
        #expect(!source.waitedToRead, "the splice and copy paths wait for the file to be readable")
        #expect(lseek(file.descriptor.rawValue, 0, SEEK_CUR) == size, "the file's offset moved as reading would")
    }

    /// sendfile(2) refuses a sink opened for appending (EINVAL): the pump goes on the way it
    /// would without sendfile, and every byte still arrives once, in order.
    @Test func aSinkThatRefusesSendfileGetsTheFileAnotherWay() throws {
        let loop = try EventLoop()
        let bytes = patternBytes(1 << 20 + 3, seed: 9)
        let file = try TemporaryFile(bytes)
        let appended = try TemporaryFile([], flags: O_APPEND)
        let source = WatchedStream(try DescriptorStream(file.descriptor, name: "file", loop: loop))
        let sink = try DescriptorStream(appended.descriptor, name: "appended file", loop: loop)
        defer { source.close(); sink.close() }
        let pump = PumpTests.pump(source, sink, spliced: true)
        pump.onFinished = { loop.stop() }
        pump.start()
        try loop.run(failingAfter: .seconds(5), "the pump's end")
        #expect(try contentsOfFile(appended.path) == bytes)
        #expect(pump.bytesMoved == bytes.count)
        #expect(source.waitedToRead, "the pump fell back to reading the file")
    }
}
