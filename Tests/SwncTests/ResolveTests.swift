import Foundation
import Testing

/// `swnc --resolve [host]` prints what Python's socket module finds: the host name and its
/// addresses, or a host's addresses, IPv4 first, filtered by -4 / -6; a name that does not
/// resolve is an error.
@Suite struct ResolveTests {
    /// Runs `swnc --resolve ARGUMENTS` and the Python reference with the same arguments
    /// (started by `launch`, in or out of a namespace), and compares them.
    private func expectSameAsPython(_ arguments: [String],
                                    launch: (String, [String]) throws -> Spawned) throws {
        let reference = try launch(Paths.python, [Paths.peer("resolve_reference.py")] + arguments)
        let swnc = try launch(Paths.swnc, ["--resolve"] + arguments)
        let expectedStatus = try reference.waitForExit()
        #expect(try swnc.waitForExit() == expectedStatus, "swnc said: \(swnc.standardError)")
        if expectedStatus == 0 {
            #expect(swnc.standardOutputText == reference.standardOutputText)
            #expect(swnc.standardError.isEmpty)
        } else {
            #expect(swnc.standardOutputText.isEmpty)
            #expect(swnc.standardError.hasPrefix("swnc: ") && swnc.standardError.filter { $0 == "\n" }.count == 1,
                    "got: \(swnc.standardError)")
        }
    }

    @Test(arguments: [[], ["localhost"], ["-4", "localhost"], ["-6", "localhost"], ["127.0.0.1"], ["::1"]])
    func agreesWithPythonHere(_ arguments: [String]) throws {
        try expectSameAsPython(arguments) { try Spawned($0, $1) }
    }

    @Test func localHostNameComesFirst() throws {
        let result = try runSwnc(["--resolve"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix(hostName() + "\n"), "got: \(result.output)")
    }

    /// A hosts file of our own, in a namespace: a name with an IPv6 address listed before its
    /// IPv4 one still prints IPv4 first, and a name nobody knows fails (no DNS server is
    /// reachable from the namespace, so the answer comes at once and from nowhere outside).
    static let hosts = """
    fd00:5a::7 swnc-both
    10.200.9.7 swnc-both
    fd00:5a::8 swnc-six
    10.200.9.9 swnc-four
    ::1 localhost
    127.0.0.1 localhost

    """

    @Test(NetworkNamespace.required, arguments: [
        (["swnc-both"], "10.200.9.7\nfd00:5a::7\n"),
        (["-4", "swnc-both"], "10.200.9.7\n"),
        (["-6", "swnc-both"], "fd00:5a::7\n"),
        (["-6", "swnc-four"], nil),
        (["swnc-six"], "fd00:5a::8\n"),
        (["localhost"], "127.0.0.1\n::1\n"),
        (["swnc-no-such-host.invalid"], nil),
        ([], nil),
    ] as [([String], String?)])
    func agreesWithPythonOnOwnHostsFile(arguments: [String], expected: String?) throws {
        let namespace = try NetworkNamespace(label: "resolve", hosts: ResolveTests.hosts)
        try expectSameAsPython(arguments) { try namespace.spawn($0, $1) }
        if let expected {
            let swnc = try namespace.spawnSwnc(["--resolve"] + arguments)
            #expect(try swnc.waitForExit() == 0)
            #expect(swnc.standardOutputText == expected)
        }
    }
}

private func hostName() -> String {
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, name.count - 1)
    return String(cString: name)
}
