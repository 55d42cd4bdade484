import Foundation
import Testing

/// stdin or stdout closed at start (`<&-`, `>&-`; issue 8, bug 3): SPEC.md says swnc opens
/// /dev/null on them first, so the socket never takes descriptor 0 or 1. It used to: with
/// `<&-` swnc never exited, with `>&-` what the server sent went back to the server.
@Suite struct ClosedStandardDescriptorTests {
    /// swnc started by a shell with `redirection`, against a server that sends "hello\n",
    /// half-closes and reports what came back.
    static func run(_ redirection: String) throws -> (swnc: Spawned, status: Int32, serverGot: String) {
        let (server, port) = try startPythonPeer("line_then_close.py")
        let swnc = try Spawned("/bin/sh", ["-c", "exec \"$0\" 127.0.0.1 \(port) \(redirection)", Paths.swnc])
        swnc.closeInput()
        let status = try swnc.waitForExit()
        let got = try server.waitForOutputLine(startingWith: "GOT ")
        return (swnc, status, got)
    }

    @Test func withStdinClosedTheClientExitsZeroWithTheServersLine() throws {
        let (swnc, status, serverGot) = try Self.run("<&-")
        #expect(status == 0, "stderr: \(swnc.standardError)")
        #expect(swnc.standardOutputText == "hello\n")
        #expect(serverGot == "GOT b''")
    }

    @Test func withStdoutClosedTheServerDoesNotGetItsOwnLineBack() throws {
        let (swnc, status, serverGot) = try Self.run(">&-")
        #expect(status == 0, "stderr: \(swnc.standardError)")
        #expect(serverGot == "GOT b''")
    }
}
