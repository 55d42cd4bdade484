import Foundation
import Testing

/// --allow, --deny, --allowfile, --denyfile and --max-conns on listeners, seen from loopback:
/// peers from 127.0.0.1 and (bound with Python, which Linux allows on lo) from 127.0.0.2.
@Suite struct AccessTests {
    static let refusedLine = "Connection from 127.0.0.1 refused by --allow/--deny"

    /// What a refused 127.0.0.1 peer and a served 127.0.0.2 peer see.
    static let refusedThenServed = ["one eof after b''", "two got b'hello\\n'"]
    static let refusedThenServedSteps = ["open:one", "eof:one", "open:two@127.0.0.2", "send:two:hello", "recv:two:hello"]

    /// Specs that let 127.0.0.2 in and keep 127.0.0.1 out, as --allow values.
    static let allowingOnlyTheSecond = ["127.0.0.2", "127.0.0.2-5", "127.0.0.2/31", "10.0.0.1,127.0.0.2", "127.0.0-3.2-9", "::1, 127.0.0.2"]
    /// Specs that keep 127.0.0.1 out and let 127.0.0.2 in, as --deny values.
    static let denyingOnlyTheFirst = ["127.0.0.1", "127.0.0.1-1", "127.0.0.1/32", "localhost", "10.0.0.1, 127.0.0.1"]

    // MARK: Every spec form on an --echo -lk listener

    @Test(arguments: allowingOnlyTheSecond)
    func allowServesOnlyMatchingPeers(spec: String) throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--allow", spec, "127.0.0.1", "0"], serving: .tcp)
        let transcript = try drivePeers(port: endpoint.port ?? 0, Self.refusedThenServedSteps)
        #expect(transcript == Self.refusedThenServed)
        try server.waitForError(containing: "Connection received on 127.0.0.2")
        #expect(errorLines(of: server).filter { $0.contains("refused") } == [Self.refusedLine])
    }

    @Test(arguments: denyingOnlyTheFirst)
    func denyRefusesMatchingPeers(spec: String) throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--deny", spec, "127.0.0.1", "0"], serving: .tcp)
        let transcript = try drivePeers(port: endpoint.port ?? 0, Self.refusedThenServedSteps)
        #expect(transcript == Self.refusedThenServed)
        try server.waitForError(containing: "Connection received on 127.0.0.2")
        #expect(errorLines(of: server).filter { $0.contains("refused") } == [Self.refusedLine])
    }

    /// A CIDR block and a range hold both loopback peers: both are served.
    @Test(arguments: ["127.0.0.0/8", "127.0.0.1-5", "localhost,127.0.0.2"])
    func allowCoveringBothServesBoth(spec: String) throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--allow", spec, "127.0.0.1", "0"], serving: .tcp)
        let transcript = try drivePeers(port: endpoint.port ?? 0, ["open:one", "send:one:a", "recv:one:a",
                                                                   "open:two@127.0.0.2", "send:two:b", "recv:two:b"])
        #expect(transcript == ["one got b'a\\n'", "two got b'b\\n'"])
        #expect(!server.standardError.contains("refused"))
    }

    @Test func denyWinsOverAllow() throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--allow", "127.0.0.0/8", "--deny", "127.0.0.1",
                                                      "127.0.0.1", "0"], serving: .tcp)
        #expect(try drivePeers(port: endpoint.port ?? 0, Self.refusedThenServedSteps) == Self.refusedThenServed)
        #expect(errorLines(of: server).filter { $0.contains("refused") } == [Self.refusedLine])
    }

    /// Repeated options add up: two --allow options each naming one peer serve both.
    @Test func repeatedAllowOptionsAddUp() throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--allow", "127.0.0.2", "--allow", "127.0.0.1",
                                                 "127.0.0.1", "0"], serving: .tcp)
        let transcript = try drivePeers(port: endpoint.port ?? 0, ["open:one", "send:one:a", "recv:one:a",
                                                                   "open:two@127.0.0.2", "send:two:b", "recv:two:b"])
        #expect(transcript == ["one got b'a\\n'", "two got b'b\\n'"])
        #expect(!server.standardError.contains("refused"))
    }

    // MARK: Files

    static let allowFile = """
    # peers we serve
    10.1.2.3, 192.168.0.0/16   # a list on one line
    127.0.0.2-3 # a range
    # 127.0.0.1 is commented out

    """

    @Test func allowFileWithCommentsAndLists() throws {
        try withTemporaryFile(named: "allow.txt") { path in
            try Data(Self.allowFile.utf8).write(to: URL(fileURLWithPath: path))
            let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--allowfile", path, "127.0.0.1", "0"], serving: .tcp)
            #expect(try drivePeers(port: endpoint.port ?? 0, Self.refusedThenServedSteps) == Self.refusedThenServed)
            #expect(errorLines(of: server).filter { $0.contains("refused") } == [Self.refusedLine])
        }
    }

    @Test func denyFileWithCommentsAndLists() throws {
        try withTemporaryFile(named: "deny.txt") { path in
            try Data("# nobody from here\n10.0.0.0/8,localhost # and loopback's name\n\n#127.0.0.2\n".utf8)
                .write(to: URL(fileURLWithPath: path))
            let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--denyfile", path, "127.0.0.1", "0"], serving: .tcp)
            #expect(try drivePeers(port: endpoint.port ?? 0, Self.refusedThenServedSteps) == Self.refusedThenServed)
            #expect(errorLines(of: server).filter { $0.contains("refused") } == [Self.refusedLine])
        }
    }

    // MARK: Listener kinds

    /// A plain -lk listener: the refused peer gets nothing of stdin and its bytes never reach
    /// stdout; the served one relays both ways.
    @Test func stdioListenerRefusesBeforeRelaying() throws {
        let (server, endpoint) = try startSwncServer(["-lk", "--deny", "127.0.0.1", "127.0.0.1", "0"], serving: .tcp)
        try server.write("from stdin\n")
        let transcript = try drivePeers(port: endpoint.port ?? 0, ["open:one", "eof:one", "open:two@127.0.0.2",
                                                                   "recv:two:from stdin", "send:two:from two", "close:two"])
        #expect(transcript == ["one eof after b''", "two got b'from stdin\\n'"])
        try server.waitForOutput(equalTo: "from two\n")
        #expect(errorLines(of: server).filter { $0.contains("refused") } == [Self.refusedLine])
    }

    /// `-l` with no address is one dual-stack socket: an IPv4 peer arrives as ::ffff:127.0.0.1
    /// and must be matched (and named) as 127.0.0.1.
    @Test(.enabled(if: IPv6Loopback.isAvailable, "no IPv6 here: -l without an address is IPv4 only"))
    func dualStackListenerMatchesIPv4PeersAsIPv4() throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--allow", "127.0.0.2", "0"], serving: .tcp)
        #expect(try drivePeers(port: endpoint.port ?? 0, Self.refusedThenServedSteps) == Self.refusedThenServed)
        #expect(errorLines(of: server).filter { $0.contains("refused") } == [Self.refusedLine])
    }

    @Test(.enabled(if: IPv6Loopback.isAvailable, "no IPv6 here: -l without an address is IPv4 only"))
    func dualStackListenerDeniesIPv4PeersByTheirIPv4CIDR() throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--deny", "127.0.0.0/30", "0"], serving: .tcp)
        #expect(try drivePeers(port: endpoint.port ?? 0, ["open:one", "eof:one", "open:two@127.0.0.2", "eof:two",
                                                          "open:three@127.0.0.4", "send:three:x", "recv:three:x"])
                == ["one eof after b''", "two eof after b''", "three got b'x\\n'"])
        #expect(errorLines(of: server).filter { $0.contains("refused") }
                == [Self.refusedLine, "Connection from 127.0.0.2 refused by --allow/--deny"])
    }

    /// A UDP echo server drops a refused sender's datagrams (no answer) and answers the others.
    @Test func udpEchoAnswersOnlyPermittedSenders() throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-kul", "--deny", "127.0.0.1", "127.0.0.1", "0"], serving: .udp)
        let transcript = try drivePeers("udp", port: endpoint.port ?? 0, ["open:one", "send:one:a", "quiet:one:0.7",
                                                                          "open:two@127.0.0.2", "send:two:b", "recv:two:b",
                                                                          "send:one:again", "quiet:one:0.5"])
        #expect(transcript == ["one quiet", "two got b'b\\n'", "one quiet"])
        // A sender that keeps sending is reported once, not for every datagram.
        #expect(errorLines(of: server).filter { $0.contains("refused") } == [Self.refusedLine])
    }

    // MARK: --max-conns

    @Test func maxConnsClosesTheExtraPeerUntilOneLeaves() throws {
        let (server, endpoint) = try startSwncServer(["--echo", "-lk", "--max-conns", "2", "127.0.0.1", "0"], serving: .tcp)
        let transcript = try drivePeers(port: endpoint.port ?? 0, [
            "open:a", "send:a:one", "recv:a:one", "open:b", "send:b:two", "recv:b:two",
            "open:c", "eof:c", "close:a", "sleep:0.3", "open:d", "send:d:four", "recv:d:four", "send:b:still", "recv:b:still",
        ])
        #expect(transcript == ["a got b'one\\n'", "b got b'two\\n'", "c eof after b''", "d got b'four\\n'", "b got b'still\\n'"])
        let closed = errorLines(of: server).filter { $0.contains("--max-conns") }
        #expect(closed.count == 1)
        #expect(try closed.first?.wholeMatch(of: Regex(#"Connection from 127\.0\.0\.1 \d+ closed: --max-conns peers already served"#)) != nil,
                "\(closed)")
    }

    // MARK: The same bytes as ncat

    /// ncat has no --echo; `-e /bin/cat` is its echo. Both must give the peers the same bytes.
    /// (ncat counts a peer gone only once its child is reaped: a second before the next one.)
    @Test(Ncat.required, arguments: [
        (["--allow", "127.0.0.2"], refusedThenServedSteps, refusedThenServed),
        (["--deny", "127.0.0.1"], refusedThenServedSteps, refusedThenServed),
        (["--allow", "127.0.0.0/8", "--deny", "127.0.0.1"], refusedThenServedSteps, refusedThenServed),
        (["--max-conns", "2"], ["open:a", "send:a:one", "recv:a:one", "open:b", "send:b:two", "recv:b:two",
                                "open:c", "eof:c", "close:a", "sleep:1", "open:d", "send:d:four", "recv:d:four"],
         ["a got b'one\\n'", "b got b'two\\n'", "c eof after b''", "d got b'four\\n'"]),
    ])
    func sameBytesAsNcat(options: [String], steps: [String], expected: [String]) throws {
        let (ncat, ncatPort) = try Ncat.listen(["-lk", "-e", "/bin/cat"] + options)
        let ncatTranscript = try drivePeers(port: ncatPort, steps)
        #expect(ncatTranscript == expected, "ncat: \(ncatTranscript)")
        ncat.signal(SIGTERM)
        let (swnc, endpoint) = try startSwncServer(["--echo", "-lk"] + options + ["127.0.0.1", "0"], serving: .tcp)
        #expect(try drivePeers(port: endpoint.port ?? 0, steps) == expected, "swnc")
        #expect(swnc.process.isRunning, "stderr: \(swnc.standardError)")
    }
}
