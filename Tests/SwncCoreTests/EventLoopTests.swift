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
}
