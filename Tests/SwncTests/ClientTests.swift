import Foundation
import Testing

@Suite struct ClientTests {
    @Test func tcpClientGetsItsLineBackFromPythonEchoServer() throws {
        let (server, port) = try startPythonPeer("tcp_echo.py")
        let client = try Spawned(swnc: ["-N", "127.0.0.1", String(port)])
        client.write("hello, echo\n")
        client.closeInput()
        #expect(try client.waitForExit() == 0)
        #expect(client.standardOutputText == "hello, echo\n")
        #expect(try server.waitForExit() == 0)
    }
}
