import Foundation
import Testing

/// A process a test started: stdin is a pipe the test writes to, stdout and stderr are
/// collected as they arrive. Every wait has a deadline; a process still running when the
/// object goes away is killed (by its PID, which only this test knows).
final class Spawned: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    /// What the reader threads fill in; they hold only this, so a test's Spawned can go away
    /// (and kill its process) while they run.
    private final class Collected: @unchecked Sendable {
        let lock = NSCondition()
        var output = Data()
        var errors = Data()
        var outputClosed = false
        var errorsClosed = false
    }
    private let collected = Collected()
    private var lock: NSCondition { collected.lock }
    private var collectedOutput: Data { collected.output }
    private var collectedErrors: Data { collected.errors }
    private var outputClosed: Bool { collected.outputClosed }
    private var errorsClosed: Bool { collected.errorsClosed }

    /// Starts `executable` with `arguments`; stdin is a pipe unless `standardInput` is given.
    init(_ executable: String, _ arguments: [String], standardInput: Any? = nil,
         environment: [String: String]? = nil, directory: URL? = nil) throws {
        _ = Spawned.brokenPipesIgnored
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = standardInput ?? input
        process.standardOutput = output
        process.standardError = errors
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        try process.run()
        try? input.fileHandleForReading.close()
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
        collect(output.fileHandleForReading.fileDescriptor, isOutput: true)
        collect(errors.fileHandleForReading.fileDescriptor, isOutput: false)
    }

    /// A thread that reads one of the child's outputs until end of file.
    private func collect(_ descriptor: Int32, isOutput: Bool) {
        let collected = collected
        Thread.detachNewThread {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(descriptor, &chunk, chunk.count)
                if count < 0, errno == EINTR { continue }
                collected.lock.lock()
                if count <= 0 {
                    if isOutput { collected.outputClosed = true } else { collected.errorsClosed = true }
                } else if isOutput {
                    collected.output.append(contentsOf: chunk[..<count])
                } else {
                    collected.errors.append(contentsOf: chunk[..<count])
                }
                collected.lock.broadcast()
                collected.lock.unlock()
                if count <= 0 { return }
            }
        }
    }

    /// Writing to the stdin of a process that has already exited must fail the write, not kill
    /// the whole test run with SIGPIPE.
    private static let brokenPipesIgnored: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    /// The built swnc with `arguments`.
    convenience init(swnc arguments: [String], standardInput: Any? = nil, directory: URL? = nil) throws {
        try self.init(Paths.swnc, arguments, standardInput: standardInput, directory: directory)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    var pid: Int32 { process.processIdentifier }

    func write(_ text: String) throws { try write(Data(text.utf8)) }

    /// Writes to the process's stdin. A process that has died makes this fail at once, with
    /// its exit status and stderr, instead of as a timeout later.
    func write(_ data: Data) throws {
        do {
            try input.fileHandleForWriting.write(contentsOf: data)
        } catch {
            let status = process.isRunning ? "still running" : "exited with status \(process.terminationStatus)"
            throw SpawnError.unexpected("writing to \(process.arguments ?? []) failed (\(error)); it \(status); stderr: \(standardError)")
        }
    }
    func closeInput() { try? input.fileHandleForWriting.close() }

    var standardOutput: Data { lock.lock(); defer { lock.unlock() }; return collectedOutput }
    var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }
    var standardError: String { lock.lock(); defer { lock.unlock() }; return String(decoding: collectedErrors, as: UTF8.self) }

    /// Waits until `condition` holds for (stdout, stderr), or fails the test after `timeout`.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 10, _ condition: (Data, String) -> Bool) throws -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        lock.lock()
        defer { lock.unlock() }
        while !condition(collectedOutput, String(decoding: collectedErrors, as: UTF8.self)) {
            if !lock.wait(until: deadline) {
                throw SpawnError.timeout("\(what); stderr so far: \(String(decoding: collectedErrors, as: UTF8.self))")
            }
        }
        return true
    }

    /// Waits for a line on stderr that contains `text`; returns the line.
    @discardableResult
    func waitForError(containing text: String, timeout: TimeInterval = 10) throws -> String {
        try waitFor("stderr line containing '\(text)'", timeout: timeout) { _, errors in errors.contains(text) }
        return standardError.split(separator: "\n").first { $0.contains(text) }.map(String.init) ?? ""
    }

    /// Waits until stdout holds at least `count` bytes.
    func waitForOutput(count: Int, timeout: TimeInterval = 10) throws {
        try waitFor("\(count) bytes on stdout", timeout: timeout) { output, _ in output.count >= count }
    }

    /// The port of a "Listening on ADDRESS PORT" or "Bound on ADDRESS PORT" line.
    func waitForPort(timeout: TimeInterval = 10) throws -> UInt16 {
        let line = try waitFor("a Listening/Bound line", timeout: timeout) { _, errors in
            errors.contains("Listening on ") || errors.contains("Bound on ")
        } ? standardError.split(separator: "\n").first { $0.hasPrefix("Listening on ") || $0.hasPrefix("Bound on ") } : nil
        guard let port = line.flatMap({ $0.split(separator: " ").last }).flatMap({ UInt16($0) }) else {
            throw SpawnError.unexpected("no port in: \(standardError)")
        }
        return port
    }

    /// Waits for the exit status (a signal death shows as 128 + signal), killing after `timeout`.
    @discardableResult
    func waitForExit(timeout: TimeInterval = 10) throws -> Int32 {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw SpawnError.timeout("exit of \(process.arguments ?? []); stderr: \(standardError)")
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        // Let the readers take the last bytes.
        _ = try? waitFor("end of output", timeout: 5) { [unowned self] _, _ in outputClosed && errorsClosed }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    func signal(_ signalNumber: Int32) { kill(process.processIdentifier, signalNumber) }
}

enum SpawnError: Error, CustomStringConvertible {
    case timeout(String)
    case unexpected(String)
    var description: String {
        switch self {
        case .timeout(let what): return "timed out waiting for \(what)"
        case .unexpected(let what): return what
        }
    }
}

enum Paths {
    /// The package root, found from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The swnc binary `swift build` made (SWNC_BINARY overrides it).
    static let swnc: String = {
        if let path = ProcessInfo.processInfo.environment["SWNC_BINARY"] { return path }
        for configuration in ["debug", "release"] {
            let path = root.appendingPathComponent(".build/\(configuration)/swnc").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return root.appendingPathComponent(".build/debug/swnc").path
    }()

    static let peers = root.appendingPathComponent("Tests/SwncTests/Peers")

    /// A Python peer script in Tests/SwncTests/Peers.
    static func peer(_ name: String) -> String { peers.appendingPathComponent(name).path }

    static func which(_ tool: String) -> String? {
        for directory in ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"] {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static let python: String = which("python3") ?? "/usr/bin/env"

    /// A fresh, empty directory for socket files and the like.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swnc-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Starts a Python peer from Tests/SwncTests/Peers that prints "READY <port>" once it listens.
func startPythonPeer(_ script: String, _ arguments: [String] = []) throws -> (Spawned, UInt16) {
    let peer = try Spawned(Paths.python, ["-u", Paths.peer(script)] + arguments)
    // python -u writes print("READY", port) in pieces: wait for the whole line.
    return (peer, try peer.waitForReadyPort(script))
}

/// Starts a Python peer that prints "READY <path>" once it listens on a UNIX-domain path.
func startPythonPeer(_ script: String, listeningOn path: String) throws -> Spawned {
    let peer = try Spawned(Paths.python, ["-u", Paths.peer(script), path])
    _ = try peer.waitForOutputLine(startingWith: "READY ")
    return peer
}
