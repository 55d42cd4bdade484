import Foundation
import Testing
@testable import swnc

/// Random command lines, in-process through the parser and through the real binary, and a
/// table of the errors SPEC.md names: never a trap or a signal, always one clear `swnc: ` line.
@Suite struct BadInputTests {
    /// SplitMix64: small, seedable, the same sequence on every platform, so a failure repeats.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }

    /// SWNC_FUZZ_SEED picks another sequence; the default keeps CI repeatable.
    static let seed = UInt64(ProcessInfo.processInfo.environment["SWNC_FUZZ_SEED"] ?? "") ?? 0x5317_C0DE

    /// Every real option, short and long, alone, clustered and with attached arguments.
    static let optionWords: [String] = {
        var words = OptionTable.all.compactMap { $0.short.map { "-\($0)" } }
        words += OptionTable.all.map { "--\($0.long)" }
        words += OptionTable.all.map { "--\($0.long)=" } + OptionTable.all.map { "--\($0.long)=1" }
        words += ["-lu", "-kul", "-lU", "-lUu", "-vv", "-nz", "-w1", "-w", "-q0", "-q-1", "-p80", "-s", "-46", "-dN", "-zu",
                  "--", "-", "---", "--=", "-=", "--no-such-option", "-X", "-l-", "-w=1"]
        return words
    }()

    /// Options a real command line uses: every flag, and the options with a sensible argument.
    static let plausibleOptionWords: [String] = OptionTable.all.filter { $0.argument == nil }
        .flatMap { option in [option.short.map { "-\($0)" }, "--\(option.long)"].compactMap { $0 } }
        + ["-w1", "-q0", "--wait=500ms", "-q-1", "-lk", "-lu", "-lU", "-kul", "-vn", "-s127.0.0.1"]

    /// Words that name a usable port (`-l -p80` and `-l http` listen on 80): kept out of real runs.
    static let wordsNamingARealPort: Set<String> = ["-p80", "--source-port=1", "http"]

    static let numberWords = ["0", "1", "-1", "65535", "65536", "99999999999999999999999", "1.5", "-0", ".5", "5.",
                              "500ms", "2s", "1m", "1h", "ms", "1e3", "0x10", "nan", "inf", "+5", "٣", "1-2", "2-1",
                              "1--2", "0-0", "-", "1.2.3", "1e400", "-1e400",
                              "999999999", "-999999999", "2147484", "16666666m", "999999999999ms"]
    static let garbageWords = ["", " ", "é", "-é", "🙂", "-🙂", "%n%s", "host:port", "[::1]", "a b", "\t", "\n",
                               "\u{7F}", String(repeating: "x", count: 300), String(repeating: "-", count: 50),
                               "--echo\u{0}", "ß-l", "http", "nosuchservice"]
    static let addressWords = ["127.0.0.1", "localhost", "::1", "0.0.0.0", "::"]

    /// A random argument vector: half of them shaped like a command line (options, then a
    /// destination and a port), the others up to 8 words from every pool.
    static func randomArguments(_ generator: inout SeededGenerator, numbers: [String] = numberWords,
                                hosts: [String], ports: [String], extra: [String] = []) -> [String] {
        func pick<Word>(_ pool: [Word]) -> Word { pool.randomElement(using: &generator)! }
        if Bool.random(using: &generator) {
            let options = (0..<Int.random(in: 0...3, using: &generator)).map { _ in pick(plausibleOptionWords) }
            let operands = [pick(hosts), pick(ports)].suffix(Int.random(in: 1...2, using: &generator))
            return options + operands
        }
        let pools = [optionWords, numbers, garbageWords, hosts, ports, extra].filter { !$0.isEmpty }
        return (0..<Int.random(in: 0...8, using: &generator)).map { _ in pick(pick(pools)) }
    }

    @Test func parserNeverTrapsAndEveryRejectionIsOneLine() {
        var generator = SeededGenerator(state: Self.seed)
        var accepted = 0
        var rejected = 0
        for _ in 0..<5_000 {
            let arguments = Self.randomArguments(&generator, hosts: Self.addressWords, ports: Self.numberWords)
            do {
                _ = try Parser.parse(arguments)
                accepted += 1
            } catch let error as UsageError {
                rejected += 1
                let message = "swnc: \(Messages.oneLine(error.description))"
                #expect(!error.description.isEmpty && !message.contains("\n"), "\(arguments) gave \(message.debugDescription)")
            } catch {
                Issue.record("\(arguments) threw \(type(of: error)), not a usage error: \(error)")
            }
        }
        print("parser fuzz (seed \(Self.seed)): 5000 vectors, \(accepted) accepted, \(rejected) rejected")
        #expect(accepted > 0 && rejected > 0)
    }

    /// The words a listener or client in the real-binary run may use: loopback, a port that this
    /// test holds bound (so nothing listens there and nobody else's test is reached), ephemeral 0.
    final class ReservedPort {
        let descriptor: Int32
        let port: UInt16

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.descriptor = descriptor
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
                }
            }
            guard bound else {
                close(descriptor)
                throw SpawnError.unexpected("cannot reserve a port")
            }
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(descriptor) }
    }

    /// Whether stderr of a run that exited 1 is what SPEC.md allows: -v reports, then one
    /// `swnc: ` line (the usage after it for bad usage). Probing many ports may report each.
    static func isCleanFailure(_ errors: String, probing: Bool) -> Bool {
        let reportPrefixes = ["Listening on ", "Bound on ", "Connection received on ", "Connection to ", "Connection closed on "]
        var lines = errors.split(separator: "\n").map(String.init).filter { line in
            !reportPrefixes.contains { line.hasPrefix($0) }
        }
        let usage = Usage.synopsis.split(separator: "\n").map(String.init)
        if lines.count > usage.count, Array(lines.suffix(usage.count)) == usage { lines.removeLast(usage.count) }
        guard lines.allSatisfy({ $0.hasPrefix("swnc: ") }) else { return false }
        return probing ? true : lines.count == 1
    }

    @Test func randomCommandLinesThroughTheBinaryExitZeroOrOneWithOneMessage() async throws {
        let reserved = try ReservedPort()
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SeededGenerator(state: Self.seed ^ 0xB1_4A2F)
        // No NUL bytes (a real argv cannot hold them), no hosts beyond loopback, and no number
        // that is a usable port other than 0 and the reserved one: nobody else's listener is reached.
        let notPorts = Self.numberWords.filter { Int($0).map { !(1...65535).contains($0) } ?? true }.filter { $0 != "1-2" }
        let vectors = (0..<240).map { _ in
            Self.randomArguments(&generator, numbers: notPorts, hosts: ["127.0.0.1", "localhost", "::1", ""],
                                 ports: ["0", String(reserved.port), "x", "2-1"],
                                 extra: ["sock", "/nonexistent/dir/sock", "-w1", "-q0"])
                .filter { !$0.contains("\u{0}") && !Self.wordsNamingARealPort.contains($0) }
        }
        let outcomes = try await withThrowingTaskGroup(of: (arguments: [String], status: Int32?, errors: String).self) { group in
            var outcomes: [(arguments: [String], status: Int32?, errors: String)] = []
            var next = 0
            func startOne() {
                let arguments = vectors[next]
                next += 1
                group.addTask {
                    let swnc = try Spawned(swncWithDefaultSignals: arguments, standardInput: FaultTests.devNull(),
                                           directory: directory)
                    // Listening or waiting for a peer is a fine outcome for a random command line.
                    let exited = ProcessFacts.eventually(timeout: 1) { !swnc.process.isRunning }
                    if !exited { swnc.signal(SIGKILL) }
                    let status = try swnc.waitForExit()
                    return (arguments, exited ? status : nil, swnc.standardError)
                }
            }
            for _ in 0..<min(8, vectors.count) { startOne() }
            while let outcome = try await group.next() {
                outcomes.append(outcome)
                if next < vectors.count { startOne() }
            }
            return outcomes
        }
        var counts = (exit0: 0, exit1: 0, killedAfterTimeout: 0)
        for outcome in outcomes {
            switch outcome.status {
            case nil: counts.killedAfterTimeout += 1
            case 0?: counts.exit0 += 1
            case 1?:
                counts.exit1 += 1
                let probing = outcome.arguments.contains { $0 == "-z" || $0 == "--zero" || $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("z") }
                #expect(Self.isCleanFailure(outcome.errors, probing: probing), "\(outcome.arguments): \(outcome.errors.debugDescription)")
            case let status?:
                Issue.record("\(outcome.arguments) ended with status \(status): \(outcome.errors)")
            }
        }
        print("random argv through swnc: \(counts.exit0) exit 0, \(counts.exit1) exit 1, \(counts.killedAfterTimeout) still running after 1 s (killed)")
    }

    /// Each error of SPEC.md: exit 1 and one `swnc: ` line (plus the usage for bad usage).
    @Test func everyErrorOfTheSpecIsOneLineAndExitOne() throws {
        let reserved = try ReservedPort()
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let live = directory.appendingPathComponent("live.sock").path
        let liveListener = try Spawned(swnc: ["-lU", "-v", live])
        try liveListener.waitForError(containing: "Listening on")
        let port = String(reserved.port)
        let cases: [(arguments: [String], words: String, usage: Bool)] = [
            (["-y"], "invalid option", true),
            (["--no-such"], "unrecognized option", true),
            (["127.0.0.1"], "missing destination or port", true),
            (["-l"], "missing port", true),
            (["", "80"], "empty host", true),
            (["127.0.0.1", "65536"], "port out of range", true),
            (["127.0.0.1", "0"], "port out of range", true),
            (["-l", "65536"], "port out of range", true),
            (["127.0.0.1", "eighty"], "invalid port", true),
            (["-w", "abc", "127.0.0.1", "80"], "invalid time", true),
            (["-q", "soon", "127.0.0.1", "80"], "invalid time", true),
            (["-w"], "requires an argument", true),
            (["-l", "-z", "127.0.0.1", "80"], "cannot use -l and -z", true),
            (["-4", "-6", "127.0.0.1", "80"], "cannot use -4 and -6", true),
            (["-U", ""], "empty socket path", true),
            (["-n", "127.0.0.1", port], "Connection refused", false),
            (["-w", "999999999", "127.0.0.1", port], "Connection refused", false),
            (["-l", "127.0.0.1", port], "Address already in use", false),
            (["-lU", live], "Address already in use", false),
            (["-lU", directory.path + "/" + String(repeating: "p", count: 120)], "too long", false),
            (["-U", directory.appendingPathComponent("nobody.sock").path], "No such file", false),
            (["-n", "--resolve", "not-numeric"], "resolve not-numeric", false),
            (["-n", "-U", "new\nline"], "new\\nline", false),
        ]
        for (arguments, words, usage) in cases {
            let swnc = try Spawned(swncWithDefaultSignals: arguments, standardInput: FaultTests.devNull())
            #expect(try swnc.waitForExit() == 1, "\(arguments)")
            let lines = swnc.standardError.split(separator: "\n").map(String.init)
            let usageLines = usage ? Usage.synopsis.split(separator: "\n").map(String.init) : []
            #expect(lines.count == 1 + usageLines.count && lines.first?.hasPrefix("swnc: ") == true
                    && Array(lines.dropFirst()) == usageLines, "\(arguments): \(swnc.standardError.debugDescription)")
            #expect(lines.first?.contains(words) == true, "\(arguments): expected '\(words)' in \(swnc.standardError.debugDescription)")
        }
        withExtendedLifetime(liveListener) {}
    }
}
