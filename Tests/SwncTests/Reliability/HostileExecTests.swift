import Foundation
import Testing

/// Exec children that misbehave, under `swnc -lk -e`/`-c`: each is gone soon after its peer
/// leaves, no zombie stays, swnc's descriptors come back to their count, its RSS stays bounded.
@Suite("Hostile exec children")
struct HostileExecTests {
    struct Child: CustomTestStringConvertible, Sendable {
        let kind: String
        let command: [String]
        /// What the peer prints between CONNECTED and LEFT.
        let seen: [String]
        /// Seconds from the peer's leaving to the child's reaping, at most.
        let goneWithin: Double
        var testDescription: String { kind }
    }

    static let children: [Child] = [
        Child(kind: "exits", command: ["-e", "/bin/true"], seen: ["GOT 0 eof"], goneWithin: 1),
        Child(kind: "never-reads", command: ["-c", "exec sleep 30"], seen: ["STOPPED SENDING"], goneWithin: 1),
        Child(kind: "floods", command: ["-e", "yes"], seen: ["GOT 1048576 yes"], goneWithin: 1),
        Child(kind: "closes-stdout", command: ["-c", "exec >&-; exec sleep 30"], seen: ["GOT (nothing)"], goneWithin: 1),
        Child(kind: "ignores-term", command: ["-c", "trap '' TERM; exec sleep 30"], seen: [], goneWithin: 3),
    ]

    /// Three peers one after another for each kind of child, on one -lk listener.
    @Test(arguments: children)
    func aMisbehavingChildIsGoneSoonAfterItsPeerAndLeavesNothingBehind(_ child: Child) throws {
        let (server, port) = try startHostileListener(child.command + ["-lk"])
        let descriptorsBefore = ProcessWatch.settledDescriptors(of: server.pid)
        let residentBefore = ProcessWatch.kibibytes("VmRSS", of: server.pid)
        for round in 1...3 {
            let peer = try hostilePeer(["exec", "\(port)", child.kind])
            try peer.waitForOutputLine(startingWith: "CONNECTED")
            // The child of this peer, seen while the connection is open (one that exits at once may be gone already).
            let started = ProcessWatch.children(of: server.pid)
            try peer.expectCleanExit(timeout: 15)
            #expect(peer.outputLines == ["CONNECTED"] + child.seen + ["LEFT"], "round \(round)")
            let seconds = ProcessWatch.secondsUntilChildless(server.pid, timeout: 6)
            #expect(seconds < child.goneWithin + 0.5, "round \(round): \(started) still there after \(seconds) s")
            for pid in started { #expect(ProcessWatch.state(of: pid) == nil, "child \(pid) not reaped") }
            if child.kind == "ignores-term" {
                #expect(seconds > 1.5, "SIGKILL came \(seconds) s after the peer left, before the 2 s grace")
            }
        }
        #expect(ProcessWatch.children(of: server.pid) == [])
        let descriptorsAfter = ProcessFacts.openDescriptors(of: server.pid)
        let residentAfter = ProcessWatch.kibibytes("VmRSS", of: server.pid)
        print("exec \(child.kind): descriptors \(descriptorsBefore) -> \(descriptorsAfter), VmRSS \(residentBefore) -> \(residentAfter) kB, VmHWM \(ProcessWatch.kibibytes("VmHWM", of: server.pid)) kB")
        #expect(descriptorsAfter == descriptorsBefore)
        #expect(residentAfter - residentBefore < 4 * 1024)
        #expect(server.process.isRunning, "stderr: \(server.standardError)")
    }

    @Test func aThousandSequentialConnectionsUnderCatAreByteExactAndLeaveNothingBehind() throws {
        let (server, port) = try startHostileListener(["-lk", "-e", "/bin/cat"])
        let descriptorsBefore = ProcessWatch.settledDescriptors(of: server.pid)
        let residentBefore = ProcessWatch.kibibytes("VmRSS", of: server.pid)
        let peer = try hostilePeer(["sequential", "\(port)", "1000"])
        try peer.expectCleanExit(timeout: 240)
        #expect(peer.outputLines == ["OK 1000"])
        _ = ProcessWatch.secondsUntilChildless(server.pid, timeout: 5)
        #expect(ProcessWatch.children(of: server.pid) == [])
        let descriptorsAfter = ProcessFacts.openDescriptors(of: server.pid)
        let residentAfter = ProcessWatch.kibibytes("VmRSS", of: server.pid)
        print("exec /bin/cat x1000: descriptors \(descriptorsBefore) -> \(descriptorsAfter), VmRSS \(residentBefore) -> \(residentAfter) kB, VmHWM \(ProcessWatch.kibibytes("VmHWM", of: server.pid)) kB")
        #expect(descriptorsAfter == descriptorsBefore)
        #expect(residentAfter - residentBefore < 4 * 1024)
        #expect(server.process.isRunning)
    }
}
