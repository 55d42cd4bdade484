import Foundation
import Testing

/// swnc and OpenBSD netcat (Debian's nc.openbsd) on either end of one connection, byte-exact.
/// Both take the same arguments, so each test runs the very same command lines with the two
/// programs swapped.
@Suite(.enabled(if: NetcatOpenBSD.path != nil, "nc.openbsd is not installed (Debian package netcat-openbsd)"))
struct InteropTests {
    enum Program: String, CaseIterable, CustomTestStringConvertible {
        case swnc, netcat
        var testDescription: String { self == .swnc ? "swnc" : "nc.openbsd" }

        func start(_ arguments: [String], standardInput: Any? = nil) throws -> Spawned {
            switch self {
            case .swnc: return try Spawned(swnc: arguments, standardInput: standardInput)
            case .netcat: return try Spawned(NetcatOpenBSD.path ?? "", arguments, standardInput: standardInput)
            }
        }

        var other: Program { self == .swnc ? .netcat : .swnc }
    }

    enum StreamTransport: String, CaseIterable { case tcp, unix }

    /// Which end has the data to send; the other end's stdin is /dev/null.
    enum Sender: String, CaseIterable { case client, listener }

    struct StreamCase: CustomTestStringConvertible {
        let listenerProgram: Program
        let transport: StreamTransport
        let sender: Sender
        var testDescription: String {
            "\(transport), \(listenerProgram.other.testDescription) client -> \(listenerProgram.testDescription) listener, \(sender) sends"
        }
        static let all = Program.allCases.flatMap { program in
            StreamTransport.allCases.flatMap { transport in
                Sender.allCases.map { StreamCase(listenerProgram: program, transport: transport, sender: $0) }
            }
        }
    }

    /// A few hundred KB of random bytes from one end to the other: the sender reads them from a
    /// file and half-closes at its end (-N); the receiver writes them to stdout and exits when
    /// the sender closes; then the sender sees the receiver close, and exits too.
    @Test(arguments: StreamCase.all)
    func streamCarriesRandomBytesByteExact(_ streamCase: StreamCase) throws {
        let (listenerProgram, transport, sender) = (streamCase.listenerProgram, streamCase.transport, streamCase.sender)
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = randomBytes(count: 300 * 1024)
        let dataFile = directory.appendingPathComponent("data")
        try data.write(to: dataFile)
        func standardInput(of end: Sender) throws -> Any {
            end == sender ? try FileHandle(forReadingFrom: dataFile) : FileHandle.nullDevice
        }
        func halfClose(_ end: Sender) -> [String] { end == sender ? ["-N"] : [] }

        let path = directory.appendingPathComponent("domain.sock").path
        let listenerArguments = transport == .tcp ? ["-v", "-l", "127.0.0.1", "0"] : ["-v", "-lU", path]
        let listener = try listenerProgram.start(halfClose(.listener) + listenerArguments, standardInput: standardInput(of: .listener))
        let target: [String]
        switch transport {
        case .tcp: target = ["127.0.0.1", String(try listener.waitForPort())]
        case .unix: try listener.waitForError(containing: "Listening on \(path)"); target = ["-U", path]
        }
        let client = try listenerProgram.other.start(halfClose(.client) + target, standardInput: standardInput(of: .client))

        let receiver = sender == .client ? listener : client
        try receiver.waitForOutput(count: data.count, timeout: Spawned.patience)
        #expect(receiver.standardOutput == data)
        try listener.expectCleanExit()
        try client.expectCleanExit()
    }

    /// A line each way over UDP: the listener takes the first sender as its peer. Neither end
    /// can see the other leave: once the lines are through, stdin is closed and -q 0 quits.
    @Test(arguments: Program.allCases)
    func udpCarriesLinesBothWays(listenerProgram: Program) throws {
        let listener = try listenerProgram.start(["-q", "0", "-v", "-u", "-l", "127.0.0.1", "0"])
        let port = try listener.waitForPort()
        let client = try listenerProgram.other.start(["-q", "0", "-u", "127.0.0.1", String(port)])
        let fromClient = "hello from the client\t\r ünïcödé ✓\n"
        let fromListener = "hello from the listener\t\r ünïcödé ✓\n"
        try client.write(fromClient)
        try listener.waitForOutput(equalTo: fromClient)
        try listener.write(fromListener)
        try client.waitForOutput(equalTo: fromListener)
        client.closeInput()
        listener.closeInput()
        try client.expectCleanExit()
        try listener.expectCleanExit()
    }
}

enum NetcatOpenBSD {
    static let path = Paths.which("nc.openbsd")
}
