import Glibc
import Testing
@testable import SwncCore
import CSwncSystem

/// Writing to a socket whose reader has gone must fail the write (EPIPE), not kill the test run.
let brokenPipesIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

/// A connected pair of non-blocking UNIX stream sockets: `near` is a stream on `loop` for the
/// code under test, `far` is the other end, which the test drives as a `FarEnd`.
struct StreamPair {
    let near: DescriptorStream
    let far: FileDescriptor

    init(loop: EventLoop, name: String) throws {
        _ = brokenPipesIgnored
        var ends: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &ends) == 0 else { throw Errno.current }
        near = try DescriptorStream(FileDescriptor(ends[0]), name: name, loop: loop)
        far = FileDescriptor(ends[1])
    }
}

/// A non-blocking pipe: (read end, write end).
func nonBlockingPipe() throws -> (FileDescriptor, FileDescriptor) {
    var ends: [Int32] = [-1, -1]
    guard swnc_pipe(&ends, 65536) > 0 else { throw Errno.current }
    return (FileDescriptor(ends[0]), FileDescriptor(ends[1]))
}

/// `count` bytes that are not all one value, so that a byte lost, repeated or moved shows.
func patternBytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        for offset in stride(from: 0, to: count, by: 8) {
            withUnsafeBytes(of: generator.next()) { word in
                raw[offset..<min(offset + 8, count)].copyBytes(from: word.prefix(count - offset))
            }
        }
    }
    return bytes
}

/// The test's end of a socketpair or pipe, driven on the loop through its one watch: it
/// writes what it is given to `feed` as fast as it is taken, and reads until end of file once
/// `collect`ing.
final class FarEnd {
    let descriptor: FileDescriptor
    private unowned let loop: EventLoop
    private var watch: EventLoop.Watch?
    private var toFeed: [UInt8] = []
    private var endsAfterFeed = false
    private(set) var written = 0
    private(set) var bytes: [UInt8] = []
    private(set) var endOfFile = false
    private(set) var error: Errno?
    var onEnd: () -> Void = {}

    init(_ descriptor: FileDescriptor, loop: EventLoop) throws {
        self.descriptor = descriptor
        self.loop = loop
        let watch = try loop.watch(descriptor)
        watch.onReady = { [unowned self] readiness in
            if readiness == .readable { collectSome() } else { feedSome() }
        }
        self.watch = watch
    }

    /// Writes `bytes`, then ends the sending side (shutdown(2), or close for a pipe) if `thenEnd`.
    func feed(_ bytes: [UInt8], thenEnd: Bool = true) {
        toFeed = bytes
        endsAfterFeed = thenEnd
        watch?.writing = true
    }

    /// Reads until end of file (or an error), then calls `onEnd`.
    func collect() { watch?.reading = true }

    /// Reads what has arrived but was not read yet (the loop stopped first), if collecting.
    func collectRest() {
        if watch?.reading == true { collectSome() }
    }

    /// Stops watching the descriptor; call before it is closed.
    func stop() {
        if let watch { loop.remove(watch) }
        watch = nil
    }

    private func feedSome() {
        do {
            while written < toFeed.count {
                guard let count = try toFeed[written...].withUnsafeBytes({ try descriptor.write($0) }) else { return }
                written += count
            }
        } catch {
            Issue.record("feeding \(descriptor.rawValue): \(error)")
        }
        watch?.writing = false
        guard endsAfterFeed else { return }
        if (try? descriptor.fileType()) == S_IFIFO {
            stop()
            descriptor.close()
        } else {
            _ = shutdown(descriptor.rawValue, Int32(SHUT_WR))
        }
    }

    private func collectSome() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        do {
            for _ in 0..<64 {
                guard let count = try chunk.withUnsafeMutableBytes({ try descriptor.read(into: $0) }) else { return }
                if count == 0 {
                    endOfFile = true
                    return finish()
                }
                bytes += chunk[..<count]
            }
        } catch let failure as Errno {
            error = failure
            finish()
        } catch {
            Issue.record("collecting \(descriptor.rawValue): \(error)")
            finish()
        }
    }

    private func finish() {
        watch?.reading = false
        onEnd()
    }
}

extension EventLoop {
    /// Runs the loop until something calls `stop()`, failing the test (and stopping) after
    /// `limit`: no test waits for ever.
    func run(failingAfter limit: Duration, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var timedOut = false
        let guardTimer = schedule(after: limit) { [unowned self] in timedOut = true; stop() }
        try run()
        cancel(guardTimer)
        if timedOut { Issue.record("\(what) did not happen within \(limit)", sourceLocation: sourceLocation) }
    }
}

/// What `read` on a far end gives now: bytes, 0 for end of file, nil when it would block.
func readNow(_ descriptor: FileDescriptor) throws -> [UInt8]? {
    var chunk = [UInt8](repeating: 0, count: 65536)
    guard let count = try chunk.withUnsafeMutableBytes({ try descriptor.read(into: $0) }) else { return nil }
    return Array(chunk[..<count])
}

/// A stream over another that hides its descriptor, so a pump cannot splice it (as a filter
/// or a TLS session cannot be spliced).
final class UnspliceableStream: ByteStream {
    let base: ByteStream
    init(_ base: ByteStream) { self.base = base }
    var name: String { base.name }
    var hasBufferedInput: Bool { base.hasBufferedInput }
    var spliceDescriptor: FileDescriptor? { nil }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult { try base.read(into: buffer) }
    func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult { try base.write(bytes) }
    func shutdownSending() { base.shutdownSending() }
    func waitToRead(_ readiness: Readiness?) { base.waitToRead(readiness) }
    func waitToWrite(_ readiness: Readiness?) { base.waitToWrite(readiness) }
    var onReadable: () -> Void { get { base.onReadable } set { base.onReadable = newValue } }
    var onWritable: () -> Void { get { base.onWritable } set { base.onWritable = newValue } }
    func close() { base.close() }
}

/// A file in /tmp holding `bytes`, open for reading and writing at `offset`, removed (the
/// descriptor stays open until its stream closes it) when the value goes.
final class TemporaryFile {
    let path = "/tmp/swnc-test-file-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let descriptor: FileDescriptor

    init(_ bytes: [UInt8], offset: Int = 0, flags: Int32 = 0) throws {
        let raw = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | flags, 0o600)
        guard raw >= 0 else { throw Errno.current }
        descriptor = FileDescriptor(raw)
        try bytes.withUnsafeBytes { try descriptor.writeAll($0) }
        lseek(raw, off_t(offset), SEEK_SET)
    }

    deinit { unlink(path) }
}

/// A stream over another that notes whether its reader ever waited for it to be readable.
final class WatchedStream: ByteStream {
    let base: ByteStream
    private(set) var waitedToRead = false
    init(_ base: ByteStream) { self.base = base }
    var name: String { base.name }
    var hasBufferedInput: Bool { base.hasBufferedInput }
    var spliceDescriptor: FileDescriptor? { base.spliceDescriptor }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult { try base.read(into: buffer) }
    func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult { try base.write(bytes) }
    func shutdownSending() { base.shutdownSending() }
    func waitToRead(_ readiness: Readiness?) {
        if readiness != nil { waitedToRead = true }
        base.waitToRead(readiness)
    }
    func waitToWrite(_ readiness: Readiness?) { base.waitToWrite(readiness) }
    var onReadable: () -> Void { get { base.onReadable } set { base.onReadable = newValue } }
    var onWritable: () -> Void { get { base.onWritable } set { base.onWritable = newValue } }
    func close() { base.close() }
}
