import Foundation
@testable import swnc

/// The option table's names and summaries, which every document must match.
enum OptionNames {
    /// ["-4", "--ipv4"], or ["--echo"].
    static func names(of option: OptionSpec) -> [String] {
        (option.short.map { ["-\($0)"] } ?? []) + ["--\(option.long)"]
    }

    static let all = Set(OptionTable.all.flatMap(names))
    static let long = all.filter { $0.hasPrefix("--") }

    /// "-4" and "--ipv4" alike to "IPv4 only".
    static let summaries = Dictionary(uniqueKeysWithValues: OptionTable.all.flatMap { option in
        names(of: option).map { ($0, option.summary) }
    })

    /// The options a word names, read as getopt does: `--wait=1` names --wait, `-lku` three
    /// options, `-w1` only -w (1 is its argument), `-` and `--` none.
    static func named(by word: String) -> [String] {
        if word.hasPrefix("--") { return word.count > 2 ? [String(word.prefix { $0 != "=" })] : [] }
        var names: [String] = []
        for letter in word.dropFirst() {
            names.append("-\(letter)")
            if OptionTable.find(short: letter)?.argument != nil { break }
        }
        return names
    }

    /// Every option named in free text (`-lu`, `[-u|-U]`, `--echo`), cluster letters one by one.
    static func named(inText text: String) -> Set<String> {
        let words = text.split { !($0.isLetter || $0.isNumber || $0 == "-") }
        return Set(words.filter { $0.first == "-" && $0.count > 1 }.flatMap { named(by: String($0)) })
    }
}

/// A file of the package, as text.
func packageFile(_ path: String) throws -> String {
    try String(contentsOf: Paths.root.appendingPathComponent(path), encoding: .utf8)
}

/// Runs a program with stdin from /dev/null and waits for it (killing it after `timeout`).
func runToEnd(_ executable: String, _ arguments: [String], directory: URL? = nil,
              environment: [String: String] = [:], timeout: TimeInterval = 30) throws -> Finished {
    let process = try Spawned(executable, arguments, standardInput: FileHandle.nullDevice,
                              environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                              directory: directory)
    let status = try process.waitForExit(timeout: timeout)
    return Finished(status: status, output: process.standardOutputText, errors: process.standardError)
}

/// A directory with a UNIX-domain socket file `peer.sock` and a plain file `notes.txt` in it.
func directoryWithSocketFile() throws -> URL {
    let directory = try Paths.temporaryDirectory()
    let socket = directory.appendingPathComponent("peer.sock").path
    let bound = try runToEnd(Paths.python, ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", socket])
    guard bound.status == 0 else { throw SpawnError.unexpected("cannot make \(socket): \(bound.errors)") }
    try Data("not a socket\n".utf8).write(to: directory.appendingPathComponent("notes.txt"))
    return directory
}
