import Foundation
import Testing

/// 256 MiB of random bytes in a temporary file, written once per test run, and its SHA-256.
/// The peers hash what they receive, so no test holds the data in memory.
enum LargeRandomFile {
    static let byteCount = 256 * 1024 * 1024

    private static let path = FileManager.default.temporaryDirectory.appendingPathComponent("swnc-random-\(getpid()).bin").path

    static let shared: (path: String, sha256: String) = {
        let made = shell("head -c \(byteCount) /dev/urandom > '\(path)' && sha256sum '\(path)'")
        precondition(made.status == 0, "cannot write \(path)")
        atexit { unlink(LargeRandomFile.path) }
        return (path, String(made.output.prefix { $0 != " " }))
    }()

    static func readHandle() -> FileHandle { FileHandle(forReadingAtPath: shared.path)! }
}

/// Runs a short shell command to completion; returns its status and stdout.
@discardableResult
func shell(_ command: String) -> (status: Int32, output: String) {
    let process = Process()
    let output = Pipe()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.standardOutput = output
    process.standardInput = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return (127, "") }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A pipe whose ends are close-on-exec, so that only the process a test hands an end to
/// holds it (tests start processes in parallel).
struct ExclusivePipe {
    let reading: FileHandle
    let writing: FileHandle

    init() {
        var ends: [Int32] = [0, 0]
        precondition(pipe(&ends) == 0)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        reading = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        writing = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
    }
}

/// A swnc whose stdin and stdout are whatever the test gives (a file, one end of a pipe) and
/// whose stderr goes to a small temporary file unless the test gives one. SIGPIPE starts at its default action, so that a
/// swnc that forgot to ignore it would die of it even if the test runner ignores it.
final class RedirectedSwnc {
    let process = Process()
    private let errorsPath: String

    init(_ arguments: [String], standardInput: FileHandle, standardOutput: FileHandle,
         standardError: FileHandle? = nil, directory: URL? = nil) throws {
        errorsPath = FileManager.default.temporaryDirectory.appendingPathComponent("swnc-stderr-\(UUID().uuidString.prefix(8))").path
        _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Paths.python)
        process.arguments = ["-u", Paths.peer("fault_exec_default_sigpipe.py"), Paths.swnc] + arguments
        process.standardInput = standardInput
        process.standardOutput = standardOutput
        process.standardError = standardError ?? FileHandle(forWritingAtPath: errorsPath)
        if let directory { process.currentDirectoryURL = directory }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        unlink(errorsPath)
    }

    var pid: Int32 { process.processIdentifier }

    var standardError: String { (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? "" }

    /// The exit status, 128 + signal for a signal death; kills and throws after `timeout`.
    func waitForExit(timeout: TimeInterval = 60) throws -> Int32 {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning {
            if Date() > deadline {
                kill(pid, SIGKILL)
                process.waitUntilExit()
                throw SpawnError.timeout("exit of swnc \(process.arguments ?? []); stderr: \(standardError)")
            }
            usleep(5_000)
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}

/// swnc with its stdout piped into a peer that hashes it (`load_stream_peer.py hash-stdin`),
/// so that hundreds of MiB can be checked without holding them. Returns swnc and the hasher.
func swncIntoHasher(_ arguments: [String], standardInput: FileHandle,
                    hasherOptions: [String] = []) throws -> (swnc: RedirectedSwnc, hasher: Spawned) {
    let toHasher = ExclusivePipe()
    let hasher = try Spawned(Paths.python, ["-u", Paths.peer("load_stream_peer.py"), "hash-stdin"] + hasherOptions,
                             standardInput: toHasher.reading)
    let swnc = try RedirectedSwnc(arguments, standardInput: standardInput, standardOutput: toHasher.writing)
    // Only the two processes may hold the pipe, or the hasher never sees end of file.
    try toHasher.reading.close()
    try toHasher.writing.close()
    return (swnc, hasher)
}

extension Spawned {
    /// swnc started through the wrapper that gives it SIGPIPE at its default action.
    convenience init(swncWithDefaultSignals arguments: [String], standardInput: Any? = nil, directory: URL? = nil) throws {
        try self.init(Paths.python, ["-u", Paths.peer("fault_exec_default_sigpipe.py"), Paths.swnc] + arguments,
                      standardInput: standardInput, directory: directory)
    }

    /// The words after `word` on the first complete line the process printed that starts with it.
    @discardableResult
    func reportedLine(_ word: String, timeout: TimeInterval = 60) throws -> [String] {
        func line(in output: Data) -> Substring? {
            let text = String(decoding: output, as: UTF8.self)
            let completeLines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            return completeLines.first { $0.hasPrefix(word + " ") || $0 == word }
        }
        try waitFor("a '\(word)' line on stdout", timeout: timeout) { output, _ in line(in: output) != nil }
        return (line(in: standardOutput) ?? "").split(separator: " ").dropFirst().map(String.init)
    }
}

/// Starts a Python peer from Tests/SwncTests/Peers and waits for its whole "READY <port>" line
/// (python -u may write a line in pieces, so a line is taken only once its newline arrived).
func startPeer(_ script: String, _ arguments: [String] = []) throws -> (Spawned, UInt16) {
    let peer = try Spawned(Paths.python, ["-u", Paths.peer(script)] + arguments)
    guard let port = UInt16(try peer.reportedLine("READY", timeout: 10).first ?? "") else {
        throw SpawnError.unexpected("\(script) gave no port: \(peer.standardOutputText) \(peer.standardError)")
    }
    return (peer, port)
}

/// The process's own peak resident set (VmHWM), polled while it runs: the kernel keeps the
/// high-water mark, so the last value read before the process exits is its peak.
final class PeakMemoryWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var peakKiB = 0
    private var running = true

    init(pid: Int32) {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                if let kib = PeakMemoryWatch.highWaterMark(of: pid) { lock.withLock { peakKiB = max(peakKiB, kib) } }
                usleep(20_000)
            }
        }
    }

    /// Stops polling (call once the process has exited) and returns the peak in KiB.
    func stop() -> Int {
        lock.withLock { running = false; return peakKiB }
    }

    var peak: Int { lock.withLock { peakKiB } }

    static func highWaterMark(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
}

enum ProcessFacts {
    /// How many descriptors the process has open.
    static func openDescriptors(of pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// User plus system CPU time of the process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
    static func cpuTicks(of pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ", options: .backwards) else { return -1 }
        let fields = stat[afterName.upperBound...].split(separator: " ")
        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    static let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))

    /// Waits up to `timeout` for `condition`; returns whether it held.
    static func eventually(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }
}

/// What swnc printed on stderr is at most one error line, and an error line starts with `swnc: `.
func isOneErrorLine(_ errors: String) -> Bool {
    let lines = errors.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
    return lines.count == 1 && lines[0].hasPrefix("swnc: ")
}

/// The limit every bounded-memory test holds swnc's peak RSS to.
let memoryLimitKiB = 32 * 1024
