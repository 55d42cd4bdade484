/// `-klu`: datagrams from every sender, on every bound socket, written to stdout as they came.
/// Nothing is sent back. A socket is read only while stdout has taken the previous datagram.
final class DatagramCollector {
    private let loop: EventLoop
    private let sockets: [EventLoop.Watch]
    private let output: ByteStream
    private let buffer: ByteBuffer

    init(loop: EventLoop, sockets: [Socket], output: ByteStream, largestDatagram: Int, first: UnsafeRawBufferPointer?) throws {
        buffer = ByteBuffer(capacity: largestDatagram)
        self.loop = loop
        self.output = output
        self.sockets = try sockets.map { try loop.watch($0.descriptor) }
        for watch in self.sockets { watch.onReady = { [unowned self] _ in receive(from: watch) } }
        output.onWritable = { [unowned self] in flush() }
        if let first { buffer.append(first) }
        flush()
    }

    private func receive(from watch: EventLoop.Watch) {
        guard buffer.isEmpty, let count = try? watch.descriptor.read(into: buffer.writable) else { return }
        buffer.commit(count)
        flush()
    }

    private func flush() {
        do {
            while !buffer.isEmpty, case .wrote(let written) = try output.write(buffer.readable) {
                buffer.consume(written)
            }
        } catch let error as Errno where error == .brokenPipe {
            return loop.stop()  // stdout's reader is gone: nothing more to do
        } catch {
            return loop.fail(Failure("write to stdout", error))
        }
        output.waitToWrite(buffer.isEmpty ? nil : .writable)
        for watch in sockets { watch.reading = buffer.isEmpty }
    }
}
