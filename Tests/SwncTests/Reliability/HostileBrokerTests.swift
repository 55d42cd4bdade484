import Foundation
import Testing

/// `--broker` and `--chat` under a storm (Peers/hostile_peers.py storm: one Python process
/// with selectors): readers, peers that never read, senders as fast as the readers take them
/// (paced, so that a starved driver never leaves a reader 1 MiB behind), peers that leave
/// mid-write. Every reader gets every byte of every sender that stayed, the silent ones
/// alone are dropped, VmHWM stays within SPEC.md's bound, and a new pair is served after.
@Suite("Hostile broker and chat")
struct HostileBrokerTests {
    struct Storm: CustomTestStringConvertible, Sendable {
        let role: String
        let readers, silent, senders, leavers, size: Int
        var peers: Int { readers + silent + senders + leavers }
        var testDescription: String { "\(role), \(peers) peers" }
    }

    static let storms = [
        Storm(role: "--broker", readers: 150, silent: 30, senders: 4, leavers: 16, size: 1 << 20),
        Storm(role: "--chat", readers: 28, silent: 6, senders: 3, leavers: 3, size: 2_000_000),
    ]

    @Test(arguments: storms)
    func readersGetEverythingWhileSilentPeersAreDroppedAndMemoryStaysBounded(_ storm: Storm) throws {
        let (server, port) = try startHostileListener(["-d", "-l", storm.role])
        let descriptorsBefore = ProcessWatch.settledDescriptors(of: server.pid)
        let driver = try hostilePeer(["storm", "\(port)"] + [storm.readers, storm.silent, storm.senders, storm.leavers, storm.size].map(String.init)
                                     + (storm.role == "--chat" ? ["chat"] : []))
        try driver.waitForOutputLine(startingWith: "CONNECTED", timeout: 30)
        try server.waitFor("\(storm.peers) connections", timeout: 30) { _, errors in
            errors.components(separatedBy: "Connection received on ").count - 1 == storm.peers
        }
        let idle = ProcessWatch.kibibytes("VmHWM", of: server.pid)
        try driver.write("go\n")
        try driver.expectCleanExit(timeout: 180)
        #expect(driver.outputLines == ["CONNECTED \(storm.peers)", "READERS \(storm.readers)/\(storm.readers)",
                                       "SENDERS \(storm.senders)/\(storm.senders)"])
        let dropped = server.standardError.components(separatedBy: "closed: more than 1 MiB queued").count - 1
        #expect(dropped == storm.silent, "stderr: \(server.standardError.suffix(2000))")
        let peak = ProcessWatch.kibibytes("VmHWM", of: server.pid)
        let bound = 1024 + 1024 * storm.silent
        print("\(storm.role) storm of \(storm.peers) peers: VmHWM \(idle) kB with every peer in, \(peak) kB after (bound +\(bound) kB)")
        #expect(peak - idle <= bound)

        // Every peer of the storm is gone: the broker holds what it held before, and serves a new pair.
        #expect(ProcessFacts.eventually(timeout: 5) { ProcessFacts.openDescriptors(of: server.pid) == descriptorsBefore },
                "descriptors \(descriptorsBefore) -> \(ProcessFacts.openDescriptors(of: server.pid))")
        let listener = try Spawned(swnc: ["127.0.0.1", "\(port)"])
        try server.waitFor("the listener joined", timeout: 10) { _, errors in
            errors.components(separatedBy: "Connection received on ").count - 1 == storm.peers + 1
        }
        let talker = try Spawned(swnc: ["127.0.0.1", "\(port)"])
        try server.waitFor("the talker joined", timeout: 10) { _, errors in
            errors.components(separatedBy: "Connection received on ").count - 1 == storm.peers + 2
        }
        try talker.write("after the storm\n")
        let expected = storm.role == "--chat"
            ? "<announce> user\(storm.peers + 2) joined from 127.0.0.1 " : ""
        try listener.waitFor("the line", timeout: 10) { output, _ in String(decoding: output, as: UTF8.self).hasSuffix("after the storm\n") }
        if expected.isEmpty {
            #expect(listener.standardOutputText == "after the storm\n")
        } else {
            #expect(listener.outputLines.count == 2)
            #expect(listener.outputLines.first?.hasPrefix(expected) == true)
            #expect(listener.outputLines.last == "<user\(storm.peers + 2)> after the storm")
        }
        #expect(server.process.isRunning)
    }

    @Test func chatLinesOfTwoPeersNeverShareALine() throws {
        let (server, port) = try startHostileListener(["-d", "-l", "--chat"])
        defer { _ = server }
        var peers: [Spawned] = []
        for number in 1...3 {
            peers.append(try Spawned(swnc: ["127.0.0.1", "\(port)"]))
            try server.waitFor("peer \(number)", timeout: 10) { _, errors in
                errors.components(separatedBy: "Connection received on ").count - 1 == number
            }
        }
        let watcher = peers[2]
        try watcher.waitForOutput(lines: 0)
        try peers[0].write("abc")
        try watcher.waitFor("abc", timeout: 10) { output, _ in String(decoding: output, as: UTF8.self).hasSuffix("abc") }
        try peers[1].write("xyz\n")
        try watcher.waitFor("xyz", timeout: 10) { output, _ in String(decoding: output, as: UTF8.self).hasSuffix("xyz\n") }
        try peers[0].write("d\n")
        try watcher.waitFor("d", timeout: 10) { output, _ in String(decoding: output, as: UTF8.self).hasSuffix("d\n") }
        #expect(watcher.standardOutputText == "<user1> abc\n<user2> xyz\n<user1> d\n")
    }
}
