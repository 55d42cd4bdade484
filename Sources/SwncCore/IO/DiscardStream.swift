/// `--send-only`: where the peer's bytes go when they must not reach stdout. Takes everything.
final class DiscardStream: ByteStream {
    let name = "nowhere"
    var hasBufferedInput: Bool { false }
    var spliceDescriptor: FileDescriptor? { nil }
    var onReadable: () -> Void = {}
    var onWritable: () -> Void = {}

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult { .endOfFile }
    func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult { .wrote(bytes.count) }
    func shutdownSending() {}
    func waitToRead(_ readiness: Readiness?) {}
    /// A write never waits, so nothing is ever waited for.
    func waitToWrite(_ readiness: Readiness?) {}
    func close() {}
}
