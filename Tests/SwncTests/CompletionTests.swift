import Foundation
import SwncCore
import Testing
@testable import swnc

/// The bash, zsh and fish completions against the option table: first as files, then loaded
/// in their real shells and asked what they complete.
@Suite struct CompletionTests {
    // MARK: The files

    @Test(arguments: Shell.allCases)
    func fileNamesEveryOptionOfTheTableAndNoOther(_ shell: Shell) throws {
        #expect(try shell.optionsInFile() == OptionNames.all)
    }

    // MARK: The shells

    @Test(.enabled(if: Shell.bash.isInstalled, "bash or bash-completion is not installed"))
    func bashCompletes() throws { try checkCompletions(.bash) }

    @Test(.enabled(if: Shell.zsh.isInstalled, "zsh is not installed"))
    func zshCompletes() throws { try checkCompletions(.zsh) }

    @Test(.enabled(if: Shell.fish.isInstalled, "fish is not installed"))
    func fishCompletes() throws { try checkCompletions(.fish) }

    @Test(.enabled(if: Shell.zsh.isInstalled, "zsh is not installed"))
    func zshOffersNeitherOfIPv4AndIPv6AfterTheOther() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try Shell.zsh.complete("swnc -4 -", in: directory).words.isDisjoint(with: ["-4", "--ipv4", "-6", "--ipv6"]))
        #expect(try Shell.zsh.complete("swnc --ipv6 -", in: directory).words.isDisjoint(with: ["-4", "--ipv4", "-6", "--ipv6"]))
    }

    private func checkCompletions(_ shell: Shell) throws {
        let directory = try directoryWithSocketFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let options = try shell.complete("swnc -", in: directory)
        #expect(options.words == OptionNames.all)
        #expect(try shell.complete("swnc --", in: directory).words == OptionNames.long)
        if shell != .bash {  // bash shows no descriptions
            for (option, description) in options.descriptions {
                #expect(description == OptionNames.summaries[option], "description of \(option)")
            }
            #expect(Set(options.descriptions.keys) == OptionNames.all)
        }
        for line in ["swnc -U ", "swnc -lU ", "swnc --unixsock ", "swnc -Uu -s "] {
            #expect(try shell.complete(line, in: directory).words.contains("peer.sock"), "'\(line)'")
        }
        #expect(try shell.complete("swnc -X ", in: directory).words == ["4", "5", "connect"])
        #expect(try shell.complete("swnc --proxy-type ", in: directory).words == ["4", "5", "connect"])
        #expect(try shell.complete("swnc -T ", in: directory).words == Set(TypeOfService.keywords.keys))
        for line in ["swnc --ssl-cert ", "swnc --ssl --ssl-key ", "swnc --output ", "swnc -lk --allowfile "] {
            #expect(try shell.complete(line, in: directory).words.isSuperset(of: ["peer.sock", "notes.txt"]), "'\(line)'")
        }
        for line in ["swnc -x ", "swnc --allow ", "swnc -X 5 -x "] {
            #expect(try shell.complete(line, in: directory).words.contains("localhost"), "'\(line)'")
        }
        #expect(try shell.complete("swnc -e ", in: directory).words.contains("sh"))
        for line in ["swnc -I ", "swnc --max-conns ", "swnc -W "] {
            #expect(try shell.complete(line, in: directory).words.isEmpty, "'\(line)'")
        }
        #expect(try shell.complete("swnc localh", in: directory).words.contains("localhost"))
        #expect(try shell.complete("swnc --resolve localh", in: directory).words.contains("localhost"))
        for line in ["swnc localhost ", "swnc -u localhost ", "swnc -w 2 localhost ", "swnc -zv localhost 22 "] {
            #expect(try shell.complete(line, in: directory).words.isDisjoint(with: ["peer.sock", "notes.txt"]),
                    "file names for a port: '\(line)'")
        }
    }
}

/// A shell with swnc's completion file loaded, asked what it completes for a command line.
enum Shell: String, CaseIterable, CustomStringConvertible {
    case bash, zsh, fish

    var description: String { rawValue }

    static let bashCompletion = "/usr/share/bash-completion/bash_completion"

    var file: URL {
        let name = ["bash": "swnc.bash", "zsh": "_swnc", "fish": "swnc.fish"][rawValue]!
        return Paths.root.appendingPathComponent("completions/\(name)")
    }

    var isInstalled: Bool {
        Paths.which(rawValue) != nil && (self != .bash || FileManager.default.fileExists(atPath: Shell.bashCompletion))
    }

    /// What the shell offers: the words, and for zsh and fish each one's description.
    struct Offer {
        var words: Set<String> = []
        var descriptions: [String: String] = [:]
    }

    func complete(_ line: String, in directory: URL) throws -> Offer {
        let arguments: [String]
        switch self {
        case .bash:
            arguments = ["--norc", "--noprofile", "-c", Shell.bashDriver, "bash", file.path, line]
        case .zsh:
            let driver = Paths.root.appendingPathComponent("Tests/SwncTests/Support/complete.zsh").path
            arguments = ["-f", driver, file.deletingLastPathComponent().path, line]
        case .fish:
            arguments = ["--no-config", "-c", "source $argv[1]; complete -C $argv[2]", file.path, line]
        }
        let finished = try runToEnd(Paths.which(rawValue)!, arguments, directory: directory)
        guard finished.status == 0 else { throw SpawnError.unexpected("\(self) for '\(line)': \(finished.errors)") }
        var offer = Offer()
        let separator = self == .fish ? "\t" : " -- "
        for entry in finished.output.split(separator: "\n").map(String.init) {
            let parts = entry.components(separatedBy: separator)
            offer.words.insert(parts[0])
            if parts.count > 1 { offer.descriptions[parts[0]] = parts[1] }
        }
        return offer
    }

    /// Loads bash-completion and the file, sets COMP_* as readline would, runs the function.
    private static let bashDriver = """
        source \(bashCompletion) && source "$1" || exit 2
        COMP_LINE=$2 COMP_POINT=${#2}
        read -ra COMP_WORDS <<< "$COMP_LINE"
        [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        function=$(complete -p swnc | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')
        "$function" swnc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        (( ${#COMPREPLY[@]} )) && printf '%s\\n' "${COMPREPLY[@]}"
        exit 0
        """

    /// The options the file itself names, read from where each shell's file lists them.
    func optionsInFile() throws -> Set<String> {
        let text = try String(contentsOf: file, encoding: .utf8)
        switch self {
        case .bash:  // the words of compgen -W '...'
            return OptionNames.named(inText: text.components(separatedBy: "compgen -W '")[1].components(separatedBy: "'")[0])
        case .zsh:  // the _arguments specs (lines that start with a quote), without their exclusion lists
            let specs = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("'") }
            let names = specs.map { $0.components(separatedBy: "[")[0].split(separator: ")", maxSplits: 1).last ?? "" }
            return OptionNames.named(inText: names.joined(separator: "\n"))
        case .fish:  // -s X and -l name of each complete line
            var names: Set<String> = []
            for line in text.split(separator: "\n") where line.hasPrefix("complete -c swnc ") {
                let words = line.split(separator: " ").map(String.init)
                for (index, word) in words.enumerated().dropLast() where word == "-s" || word == "-l" {
                    names.insert((word == "-s" ? "-" : "--") + words[index + 1])
                }
            }
            return names
        }
    }
}
