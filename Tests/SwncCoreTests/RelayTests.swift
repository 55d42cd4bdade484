import Glibc
import Testing
@testable import SwncCore

/// A relay between a peer and a local side, each end a socketpair whose far end the test
/// drives: `peer` (the network), `input` (what stdin would give), `output` (stdout).
final class RelayRig {
    let loop: EventLoop
    let peer: StreamPair
    let input: StreamPair
    let output: StreamPair
    let atPeer: FarEnd
    let atInput: FarEnd
    let atOutput: FarEnd
    private(set) var relay: Relay!
    private(set) var ending: String?
    /// How long after `run` started the relay ended.
    private(set) var endedAfter: Duration?
    private(set) var warnings: [String] = []
    private var started = Clock.now

    init(_ configure: (inout Configuration) -> Void = { _ in }) throws {
        loop = try EventLoop()
        peer = try StreamPair(loop: loop, name: "peer")
        input = try StreamPair(loop: loop, name: "input")
        output = try StreamPair(loop: loop, name: "output")
        atPeer = try FarEnd(peer.far, loop: loop)
        atInput = try FarEnd(input.far, loop: loop)
        atOutput = try FarEnd(output.far, loop: loop)
        var configuration = Configuration()
        configure(&configuration)
        relay = Relay(loop: loop, local: LocalSide(input: input.near, output: output.near),
                      configuration: configuration, peer: Relay.Peer(stream: peer.near, isDatagram: false)) {
            [unowned self] ending in
            self.ending = RelayRig.describe(ending)
            endedAfter = Clock.now - started
            loop.stop()
        }
        relay.onWarning = { [unowned self] failure in warnings.append(failure.description) }
        atPeer.collect()
        atOutput.collect()
    }

    private var closedFarEnds: Set<Int32> = []

    deinit {
        atPeer.stop(); atInput.stop(); atOutput.stop()
        relay = nil
        // The relay closes the peer's stream when it ends; a relay that never ended did not.
        peer.near.close(); input.near.close(); output.near.close()
        for far in [peer.far, input.far, output.far] { closeFarEnd(far) }
    }

    /// Closes a far end once (a second close could hit a descriptor another test has opened since).
    func closeFarEnd(_ descriptor: FileDescriptor) {
        guard closedFarEnds.insert(descriptor.rawValue).inserted else { return }
        descriptor.close()
    }

    static func describe(_ ending: Relay.Ending) -> String {
        switch ending {
        case .finished: return "finished"
        case .quit: return "quit"
        case .failed(let failure): return "failed: \(failure)"
        }
    }

    /// Runs `action` `delay` after the relay starts.
    func at(_ delay: Duration, _ action: @escaping () -> Void) { loop.schedule(after: delay, action) }

    /// Starts the relay and runs until it ends (failing the test after 5 s).
    func run(sourceLocation: SourceLocation = #_sourceLocation) throws {
        started = Clock.now
        relay.start()
        try loop.run(failingAfter: .seconds(5), "the relay's end", sourceLocation: sourceLocation)
        // The loop stopped as the relay ended: the last bytes may not have been read yet.
        atPeer.collectRest()
        atOutput.collectRest()
    }

    /// The relay has not ended yet.
    var running: Bool { ending == nil }
}

/// Writes `text` to a far end at once (small enough to fit).
func send(_ text: String, to descriptor: FileDescriptor, sourceLocation: SourceLocation = #_sourceLocation) {
    let written = try? Array(text.utf8).withUnsafeBytes { try descriptor.write($0) }
    #expect(written == text.utf8.count, "writing \(text.debugDescription)", sourceLocation: sourceLocation)
}

func endSending(_ descriptor: FileDescriptor) { _ = shutdown(descriptor.rawValue, Int32(SHUT_WR)) }

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// SPEC.md's end rule: done when both directions are done; a peer that only half-closed still
/// gets all of the input.
@Suite struct RelayTests {
    /// The peer greets, half-closes and goes on reading (bug 1 of issue 8): every line of the
    /// input still reaches it, and the relay ends only once the input has ended too.
    @Test(arguments: [false, true])
    func peerEndOfFileFirstWhileInputStillFlows(halfClose: Bool) throws {
        let rig = try RelayRig { $0.halfCloseOnInputEnd = halfClose }
        rig.at(.zero) { send("hi\n", to: rig.peer.far); endSending(rig.peer.far) }
        for line in 1...3 {
            rig.at(.milliseconds(100 * line)) { send("line\(line)\n", to: rig.input.far) }
        }
        var runningWhileInputFlows = false
        rig.at(.milliseconds(350)) { runningWhileInputFlows = rig.running; endSending(rig.input.far) }
        try rig.run()
        #expect(runningWhileInputFlows)
        #expect(rig.ending == "finished")
        #expect(text(rig.atPeer.bytes) == "line1\nline2\nline3\n")
        #expect(text(rig.atOutput.bytes) == "hi\n")
        #expect(rig.endedAfter.map { $0 >= .milliseconds(350) } == true)
    }

    /// The input ends first: with -N the peer reads end of file at once, without it the peer
    /// sees nothing; either way the relay goes on until the peer closes, and what it sends
    /// then is written.
    @Test(arguments: [false, true])
    func inputEndOfFileFirstReachesThePeerOnlyWithHalfClose(halfClose: Bool) throws {
        let rig = try RelayRig { $0.halfCloseOnInputEnd = halfClose }
        rig.atPeer.stop()  // read by hand below
        rig.at(.zero) { send("request\n", to: rig.input.far); endSending(rig.input.far) }
        var peerRead: [UInt8]?
        var peerThen: [UInt8]?
        var runningAfterInputEnded = false
        rig.at(.milliseconds(200)) {
            peerRead = try? readNow(rig.peer.far)
            peerThen = try? readNow(rig.peer.far)
            runningAfterInputEnded = rig.running
            send("reply\n", to: rig.peer.far)
            endSending(rig.peer.far)
        }
        try rig.run()
        #expect(peerRead.map(text) == "request\n")
        // [] is end of file; nil is "nothing yet, the connection is open".
        #expect(peerThen == (halfClose ? [] : nil))
        #expect(runningAfterInputEnded)
        #expect(rig.ending == "finished")
        #expect(text(rig.atOutput.bytes) == "reply\n")
    }

    /// The peer resets (it closes with bytes unread): what it sent before is written, the
    /// input is not waited for, and the relay is finished (a reset is the peer leaving).
    @Test func aResetFromThePeerFinishesWithTheBytesThatArrivedWritten() throws {
        let rig = try RelayRig()
        rig.atPeer.stop()  // it never reads: its close is a reset
        rig.at(.zero) { send("unread\n", to: rig.input.far) }
        rig.at(.milliseconds(100)) {
            send("last words\n", to: rig.peer.far)
            rig.closeFarEnd(rig.peer.far)
        }
        try rig.run()
        #expect(rig.ending == "finished")
        #expect(text(rig.atOutput.bytes) == "last words\n")
        #expect(rig.warnings == ["read from peer failed: Connection reset by peer"])
    }

    /// stdout's reader went away (EPIPE): swnc as a whole is done, quietly.
    @Test func brokenPipeOnTheLocalOutputQuits() throws {
        let rig = try RelayRig()
        rig.atOutput.stop()
        rig.closeFarEnd(rig.output.far)
        rig.at(.zero) { send("for nobody\n", to: rig.peer.far) }
        try rig.run()
        #expect(rig.ending == "quit")
        #expect(rig.warnings.isEmpty)
    }

    /// -q: the input ended, the peer is told (end of file) and never closes; the relay quits
    /// the delay after the input's end, not before.
    @Test func quitDelayQuitsThatLongAfterTheInputEnds() throws {
        let rig = try RelayRig { $0.quitDelay = .milliseconds(300) }
        rig.atPeer.stop()
        rig.at(.milliseconds(50)) { endSending(rig.input.far) }
        var peerSawEndOfFile: [UInt8]?
        var runningBeforeDelay = false
        rig.at(.milliseconds(200)) {
            peerSawEndOfFile = try? readNow(rig.peer.far)
            runningBeforeDelay = rig.running
        }
        try rig.run()
        #expect(peerSawEndOfFile == [])
        #expect(runningBeforeDelay)
        #expect(rig.ending == "quit")
        #expect(rig.endedAfter.map { $0 >= .milliseconds(350) && $0 < .seconds(3) } == true,
                "ended after \(String(describing: rig.endedAfter))")
    }

    /// -q 0 on a stream waits for the peer to close, as -N does.
    @Test func quitDelayZeroWaitsForThePeer() throws {
        let rig = try RelayRig { $0.quitDelay = .zero }
        rig.atPeer.stop()
        rig.at(.zero) { endSending(rig.input.far) }
        var peerSawEndOfFile: [UInt8]?
        var runningAfterInputEnded = false
        rig.at(.milliseconds(200)) {
            peerSawEndOfFile = try? readNow(rig.peer.far)
            runningAfterInputEnded = rig.running
            send("answer\n", to: rig.peer.far)
            endSending(rig.peer.far)
        }
        try rig.run()
        #expect(peerSawEndOfFile == [])
        #expect(runningAfterInputEnded)
        #expect(rig.ending == "finished")
        #expect(text(rig.atOutput.bytes) == "answer\n")
    }

    /// -w on a client: the relay ends once nothing has moved for that long; bytes moving
    /// keep it going.
    @Test func idleTimeoutEndsTheRelayOnlyAfterThatLongWithoutTraffic() throws {
        let rig = try RelayRig {
            $0.mode = .connect
            $0.timeout = .milliseconds(300)
        }
        for tick in 1...4 {
            rig.at(.milliseconds(150 * tick)) { send("a", to: rig.peer.far) }
        }
        try rig.run()
        #expect(rig.ending == "finished")
        #expect(text(rig.atOutput.bytes) == "aaaa")
        #expect(rig.endedAfter.map { $0 >= .milliseconds(900) && $0 < .seconds(3) } == true,
                "ended after \(String(describing: rig.endedAfter))")
    }

    /// A listener's -w is its accept timeout, not an idle timeout of the connection.
    @Test func aListenersTimeoutDoesNotEndItsRelay() throws {
        let rig = try RelayRig {
            $0.mode = .listen
            $0.timeout = .milliseconds(100)
        }
        var runningPastTimeout = false
        rig.at(.milliseconds(400)) {
            runningPastTimeout = rig.running
            endSending(rig.peer.far)
            endSending(rig.input.far)
        }
        try rig.run()
        #expect(runningPastTimeout)
        #expect(rig.ending == "finished")
    }
}
