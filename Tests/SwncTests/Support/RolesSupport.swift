import Foundation
import Testing

/// Runs Peers/session_driver.py against a listener and returns its transcript, one line an
/// observation (see the script for the steps and what each prints).
func drivePeers(_ kind: String = "tcp", host: String = "127.0.0.1", port: UInt16, _ steps: [String]) throws -> [String] {
    let driver = try Spawned(Paths.python, ["-u", Paths.peer("session_driver.py"), kind, host, String(port)] + steps)
    let status = try driver.waitForExit(timeout: 60)
    #expect(status == 0, "session_driver.py exited with \(status); stderr: \(driver.standardError)")
    return driver.outputLines
}

/// ncat, the reference of the differential checks (installed by .ci/run).
enum Ncat {
    static let path = Paths.which("ncat")
    static var required: ConditionTrait { .enabled(if: path != nil, "ncat is not installed") }

    /// `ncat ARGUMENTS 127.0.0.1 PORT` as a listener on a fresh port, once it listens (-v says so).
    static func listen(_ arguments: [String]) throws -> (Spawned, UInt16) {
        let port = try unusedPort()
        let server = try Spawned(Paths.python, withNoSignalsBlocked(path ?? "ncat", ["-v"] + arguments + ["127.0.0.1", String(port)]))
        try server.waitForError(containing: "Listening on")
        return (server, port)
    }
}

/// The arguments of Python that runs `executable` with `arguments` and no signal blocked. The
/// test runner's threads block signals, and a spawned child inherits the mask: ncat would never
/// see SIGCHLD (nor count its -e children gone).
func withNoSignalsBlocked(_ executable: String, _ arguments: [String]) -> [String] {
    ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
     executable] + arguments
}

/// A file in a fresh directory, removed with it when `body` is done.
func withTemporaryFile<Result>(named name: String, _ body: (String) throws -> Result) throws -> Result {
    let directory = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory.appendingPathComponent(name).path)
}

/// Stderr lines of a process, without the empty one after the last newline.
func errorLines(of process: Spawned) -> [String] {
    process.standardError.split(separator: "\n").map(String.init)
}

/// A Python TCP peer for client-mode tests (Peers/tcp_observer.py is for other things): listens
/// on a fresh loopback port, sends `greeting` on accept, then records everything until end of
/// file or `holdSeconds` passed, and prints `got b'...'` and how it ended.
func startRecordingPeer(greeting: String, holdSeconds: Double) throws -> (Spawned, UInt16) {
    let script = """
    import socket, sys, time
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    print("READY", s.getsockname()[1], flush=True)
    c, _ = s.accept(); c.sendall(sys.argv[1].encode()); c.settimeout(float(sys.argv[2]))
    data, end = b"", "open"
    try:
        while True:
            chunk = c.recv(65536)
            if not chunk:
                end = "eof"; break
            data += chunk
    except socket.timeout:
        pass
    print("got", repr(data), end, flush=True)
    """
    let peer = try Spawned(Paths.python, ["-u", "-c", script, greeting, String(holdSeconds)])
    return (peer, try peer.waitForReadyPort("recording peer"))
}

extension Spawned {
    /// What a recording peer printed after its READY line.
    var recordedLines: [String] { outputLines.filter { !$0.hasPrefix("READY ") } }
}
