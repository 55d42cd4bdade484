import Glibc
import Testing
@testable import SwncCore

@Suite struct EventLoopTests {
    @Test func timersFireInDeadlineOrderAndStopTheLoop() throws {
        let loop = try EventLoop()
        var fired: [Int] = []
        loop.schedule(after: .milliseconds(20)) { fired.append(2); loop.stop() }
        loop.schedule(after: .milliseconds(1)) { fired.append(1) }
        try loop.run()
        #expect(fired == [1, 2])
    }

    @Test func aTimerCancelledByAnotherDueTimerDoesNotFire() throws {
        let loop = try EventLoop()
        var fired: [String] = []
        var second: EventLoop.TimerID?
        loop.schedule(after: .zero) { fired.append("first"); loop.cancel(second) }
        second = loop.schedule(after: .zero) { fired.append("second") }
        loop.schedule(after: .milliseconds(10)) { loop.stop() }
        try loop.run()
        #expect(fired == ["first"])
    }

    @Test func aTimerFiresNoSoonerThanItsDelayAndACancelledOneNever() throws {
        let loop = try EventLoop()
        let start = Clock.now
        var firedAt: Duration?
        var cancelledFired = false
        let cancelled = loop.schedule(after: .milliseconds(30)) { cancelledFired = true }
        loop.schedule(after: .milliseconds(80)) { firedAt = Clock.now - start; loop.stop() }
        loop.cancel(cancelled)
        try loop.run(failingAfter: .seconds(5), "the 80 ms timer")
        #expect(!cancelledFired)
        #expect(firedAt.map { $0 >= .milliseconds(80) } == true, "fired after \(String(describing: firedAt))")
    }

    @Test func aSecondWatchOfOneDescriptorThrowsEEXISTAndAfterRemovalItCanBeWatchedAgain() throws {
        let loop = try EventLoop()
        let pair = try StreamPair(loop: loop, name: "near")
        defer { pair.near.close(); pair.far.close() }
        let first = try loop.watch(pair.far)
        #expect(throws: Errno(EEXIST)) { try loop.watch(pair.far) }
        // The stream's own watch of its descriptor is one too.
        #expect(throws: Errno(EEXIST)) { try loop.watch(pair.near.descriptor) }
        loop.remove(first)
        let second = try loop.watch(pair.far)
        loop.remove(second)
    }

    @Test func theFirstWatchStillGetsItsEventsAfterASecondWasRefused() throws {
        let loop = try EventLoop()
        let pair = try StreamPair(loop: loop, name: "near")
        defer { pair.near.close(); pair.far.close() }
        var readable = 0
        let watch = try loop.watch(pair.far, onReady: { _ in readable += 1; loop.stop() })
        defer { loop.remove(watch) }
        _ = try? loop.watch(pair.far, onReady: { _ in Issue.record("the refused watch was called") })
        watch.reading = true
        _ = try Array("x".utf8).withUnsafeBytes { try pair.near.descriptor.write($0) }
        try loop.run(failingAfter: .seconds(5), "the first watch's readable event")
        #expect(readable == 1)
    }

    /// epoll refuses regular files and /dev/null (EPERM): they are always ready, as poll(2) says.
    @Test(arguments: ["regular file", "/dev/null"])
    func aDescriptorEpollRefusesIsServedAsAlwaysReady(kind: String) throws {
        let loop = try EventLoop()
        let path = kind == "/dev/null" ? "/dev/null" : "/tmp/swnc-eventloop-\(getpid())"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        defer { close(descriptor); if kind != "/dev/null" { unlink(path) } }
        var readable = 0
        var writable = 0
        let watch = try loop.watch(FileDescriptor(descriptor),
                                   onReady: { if $0 == .readable { readable += 1 } else { writable += 1 } })
        watch.reading = true
        watch.writing = true
        loop.schedule(after: .milliseconds(50)) { loop.stop() }
        try loop.run(failingAfter: .seconds(5), "the 50 ms timer")
        loop.remove(watch)
        #expect(readable > 1, "onReadable called \(readable) times")
        #expect(writable > 1, "onWritable called \(writable) times")
        // Once nobody asks, the loop no longer calls it (and no longer spins).
        let calls = (readable, writable)
        loop.schedule(after: .milliseconds(20)) { loop.stop() }
        try loop.run(failingAfter: .seconds(5), "the 20 ms timer")
        #expect(readable == calls.0 && writable == calls.1)
    }
}
