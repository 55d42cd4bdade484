import Foundation
import Testing

/// Where a server waits, as the clients of the tests reach it (loopback and UNIX sockets only).
enum Endpoint {
    case tcp(port: UInt16)
    case udp(port: UInt16)
    case unix(path: String)
    case unixDatagram(path: String)

    enum Kind { case tcp, udp, unix, unixDatagram }

    var isDatagram: Bool {
        switch self {
        case .udp, .unixDatagram: return true
        case .tcp, .unix: return false
        }
    }

    var port: UInt16? {
        switch self {
        case .tcp(let port), .udp(let port): return port
        case .unix, .unixDatagram: return nil
        }
    }

    /// The arguments of Peers/client.py that reach this endpoint.
    var pythonClientArguments: [String] {
        switch self {
        case .tcp(let port): return ["tcp", "127.0.0.1", String(port)]
        case .udp(let port): return ["udp", "127.0.0.1", String(port)]
        case .unix(let path): return ["unix", path]
        case .unixDatagram(let path): return ["unixgram", path]
        }
    }

    /// The arguments of a swnc client that reaches this endpoint and ends cleanly once its
    /// stdin is closed: a stream client half-closes (-N) and exits when the server closes; a
    /// datagram client, which never sees end of file, quits at once (-q 0).
    var swncClientArguments: [String] {
        switch self {
        case .tcp(let port): return ["-N", "127.0.0.1", String(port)]
        case .udp(let port): return ["-u", "-q", "0", "127.0.0.1", String(port)]
        case .unix(let path): return ["-N", "-U", path]
        case .unixDatagram(let path): return ["-q", "0", "-U", "-u", path]
        }
    }
}

/// Who talks to a swnc server: the cheatsheet's Python client or swnc itself.
enum ClientProgram: String, CaseIterable, CustomTestStringConvertible {
    case python, swnc
    var testDescription: String { rawValue }
}

/// Lines with bytes that a careless relay would change: tabs, a carriage return, UTF-8.
func sampleLines(count: Int = 3, from speaker: String) -> [String] {
    (1...count).map { "\(speaker) line \($0):\ttab, \r carriage return, ünïcödé ✓" }
}

/// The built swnc as a server, started with -v so that it says where it waits: the real port
/// of a "0" port is read from its "Listening on"/"Bound on" line; for UNIX sockets the path is
/// the last argument, and the server is ready once it says it listens or is bound.
func startSwncServer(_ arguments: [String], serving kind: Endpoint.Kind) throws -> (Spawned, Endpoint) {
    let server = try Spawned(swnc: ["-v"] + arguments)
    let path = arguments.last ?? ""
    switch kind {
    case .tcp: return (server, .tcp(port: try server.waitForPort()))
    case .udp: return (server, .udp(port: try server.waitForPort()))
    case .unix:
        try server.waitForError(containing: "Listening on \(path)")
        return (server, .unix(path: path))
    case .unixDatagram:
        try server.waitForError(containing: "Bound on \(path)")
        return (server, .unixDatagram(path: path))
    }
}

/// Peers/client.py with the given arguments (see the script for its steps).
func startPythonClient(_ arguments: [String]) throws -> Spawned {
    try Spawned(Paths.python, ["-u", Paths.peer("client.py")] + arguments)
}

/// A socket path in a fresh directory; `body` runs with it, and the directory goes afterwards.
func withSocketPath<Result>(_ body: (String) throws -> Result) throws -> Result {
    let directory = try Paths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory.appendingPathComponent("domain.sock").path)
}

/// An echo server that must outlive its clients: alive right after traffic is not enough (it
/// could die a moment later), so one more client is echoed, and the server still runs after it.
func expectStillEchoing(_ server: Spawned, at endpoint: Endpoint) throws {
    try echoInTurns(.python, at: endpoint)
    #expect(server.process.isRunning, "stderr: \(server.standardError)")
}

/// Has `count` clients of one program talk to the echo server at `endpoint` at the same time:
/// all are connected before the first line, and line by line they take turns, each waiting
/// for its line to come back before the next client speaks. Every client must get exactly
/// what it sent and end cleanly.
func echoInTurns(_ program: ClientProgram, clients count: Int = 1, at endpoint: Endpoint, rounds: Int = 3) throws {
    switch program {
    case .python:
        let lines = sampleLines(count: rounds, from: "client {client}")
        let steps = lines.flatMap { ["send:\($0)", "expect:\($0)"] }
        let client = try startPythonClient(["--clients", String(count)] + endpoint.pythonClientArguments + steps)
        try client.expectCleanExit()
        #expect(client.standardOutputText.hasSuffix("DONE\n"))
    case .swnc:
        let clients = try (1...count).map { _ in try Spawned(swnc: endpoint.swncClientArguments) }
        for round in 1...rounds {
            for (number, client) in clients.enumerated() {
                try client.sayAndHearBack(sampleLines(count: rounds, from: "client \(number + 1)")[round - 1])
            }
        }
        for client in clients {
            client.closeInput()
            try client.expectCleanExit()
        }
    }
}

/// One line each way between a client and a plain swnc listener (`listener`, at `endpoint`):
/// the client's line must come out of the listener's stdout, and a line written to the
/// listener's stdin out of the client. The client then closes, and must end cleanly. A stream
/// listener's stdin is closed after its line: SPEC.md's end rule (as nc.openbsd) waits for
/// both directions, so the connection ends only once the listener's input has ended too.
func exchangeLines(_ program: ClientProgram, with listener: Spawned, at endpoint: Endpoint) throws {
    let fromClient = "hello from the \(program) client ✓"
    let fromListener = "hello from the listener\t✓"
    switch program {
    case .python:
        let client = try startPythonClient(endpoint.pythonClientArguments + ["send:\(fromClient)", "expect:\(fromListener)"])
        try listener.waitForOutput(equalTo: fromClient + "\n")
        try listener.write(fromListener + "\n")
        if !endpoint.isDatagram { listener.closeInput() }
        try client.expectCleanExit()
    case .swnc:
        let client = try Spawned(swnc: endpoint.swncClientArguments)
        try client.write(fromClient + "\n")
        try listener.waitForOutput(equalTo: fromClient + "\n")
        try listener.write(fromListener + "\n")
        if !endpoint.isDatagram { listener.closeInput() }
        try client.waitForOutput(equalTo: fromListener + "\n")
        client.closeInput()
        try client.expectCleanExit()
    }
}

/// `count` random bytes: data no line discipline or text encoding leaves alone by chance.
func randomBytes(count: Int) -> Data {
    var generator = SystemRandomNumberGenerator()
    return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
}

/// Sends a few hundred KB of random bytes through a swnc stream client (its stdin a pipe) to
/// an echo server at `endpoint` and expects exactly them back: both directions must move at
/// once, or the echo server stalls when the client stops reading.
func echoBulk(to endpoint: Endpoint) throws {
    let data = randomBytes(count: 300 * 1024)
    let client = try Spawned(swnc: endpoint.swncClientArguments)
    client.writeInBackground(data, thenClose: true)
    try client.waitForOutput(equalTo: data)
    try client.expectCleanExit()
}

extension Spawned {
    /// Writes `data` to stdin from another thread, so that a test can wait on stdout meanwhile
    /// (a process that has stopped reading must not block the test itself).
    func writeInBackground(_ data: Data, thenClose: Bool) {
        Thread.detachNewThread { [self] in
            // A process that stops reading early is what some callers test; they check its output.
            try? write(data)
            if thenClose { closeInput() }
        }
    }

    /// Generous: the machine running the tests may be busy.
    static let patience: TimeInterval = 30

    /// Writes `line` and a newline, and waits until it has come back on stdout, after what
    /// came back before.
    func sayAndHearBack(_ line: String) throws {
        let expected = standardOutput + Data((line + "\n").utf8)
        try write(line + "\n")
        try waitForOutput(equalTo: expected)
    }

    /// Waits until stdout holds as many bytes as `expected`, then expects them to be `expected`.
    func waitForOutput(equalTo expected: Data, timeout: TimeInterval = patience) throws {
        try waitFor("\(expected.count) bytes on stdout", timeout: timeout) { output, _ in output.count >= expected.count }
        let output = standardOutput
        #expect(output == expected, "stdout: \(String(decoding: output, as: UTF8.self).debugDescription)")
    }

    func waitForOutput(equalTo expected: String, timeout: TimeInterval = patience) throws {
        try waitForOutput(equalTo: Data(expected.utf8), timeout: timeout)
    }

    /// Waits until stdout has at least `count` lines.
    func waitForOutput(lines count: Int, timeout: TimeInterval = patience) throws {
        try waitFor("\(count) lines on stdout", timeout: timeout) { output, _ in
            output.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } >= count
        }
    }

    /// Waits for the exit and expects status 0 (stderr is shown otherwise).
    func expectCleanExit(timeout: TimeInterval = patience) throws {
        let status = try waitForExit(timeout: timeout)
        #expect(status == 0, "\(process.arguments ?? []) exited with \(status); stderr: \(standardError)")
    }

    /// Stdout split into lines, without the newlines.
    var outputLines: [String] { standardOutputText.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

extension Data {
    /// Lower-case hex, as Python's bytes.hex().
    var hexDigits: String { map { String(format: "%02x", $0) }.joined() }
}
