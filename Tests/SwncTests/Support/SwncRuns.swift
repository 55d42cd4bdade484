import Foundation
import Testing

/// What a program that ran to its end printed, and how it ended.
struct Finished {
    let status: Int32
    let output: String
    let errors: String
    var errorLines: [Substring] { errors.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
}

/// Runs swnc with `arguments` (stdin: `input`, then EOF) and waits for it to end.
func runSwnc(_ arguments: [String], input: String = "", timeout: TimeInterval = 10) throws -> Finished {
    let process = try Spawned(swnc: arguments)
    // Many runs are of a swnc that exits before it reads (a usage error): a write it refuses
    // is part of the run, not a failure of the test; the exit status says what happened.
    try? process.write(input)
    process.closeInput()
    let status = try process.waitForExit(timeout: timeout)
    return Finished(status: status, output: process.standardOutputText, errors: process.standardError)
}

/// Seconds that `body` took.
func secondsTaken(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let taken = ContinuousClock.now - start
    return Double(taken.components.seconds) + Double(taken.components.attoseconds) / 1e18
}

extension Spawned {
    /// The port of a peer's "READY <port>" line.
    func waitForReadyPort(_ what: String) throws -> UInt16 {
        let line = try waitForOutputLine(startingWith: "READY ")
        guard let port = UInt16(line.split(separator: " ").last ?? "") else { throw SpawnError.unexpected("no port in the READY line of \(what): \(line)") }
        return port
    }

    /// Waits until stderr holds `count` complete lines; returns them.
    func waitForErrorLines(_ count: Int, timeout: TimeInterval = 10) throws -> [String] {
        try waitFor("\(count) lines on stderr", timeout: timeout) { _, errors in
            errors.filter { $0 == "\n" }.count >= count
        }
        return Array(standardError.split(separator: "\n", omittingEmptySubsequences: false).prefix(count).map(String.init))
    }

    /// Waits for a line on stdout that starts with `prefix`; returns it.
    @discardableResult
    func waitForOutputLine(startingWith prefix: String, timeout: TimeInterval = 10) throws -> String {
        func line(in output: Data) -> String? {
            // Complete lines only: a line still being written could be cut short.
            let text = String(decoding: output, as: UTF8.self)
            return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .first { $0.hasPrefix(prefix) }.map(String.init)
        }
        try waitFor("stdout line starting with '\(prefix)'", timeout: timeout) { output, _ in line(in: output) != nil }
        return line(in: standardOutput) ?? ""
    }
}
