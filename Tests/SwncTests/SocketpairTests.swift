import Testing

@Suite struct SocketpairTests {
    /// stdin and stdout may be a socket: swnc as the child of a socketpair.
    @Test func swncRelaysForAParentThroughASocketpair() throws {
        let parent = try Spawned(Paths.python, [Paths.peer("socketpair_parent.py"), Paths.swnc])
        #expect(try parent.waitForExit(timeout: 30) == 0)
        #expect(parent.standardOutputText == "OK\n", "\(parent.standardError)")
    }
}
