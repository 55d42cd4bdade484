import Foundation
import Testing
@testable import swnc

/// `--help`, `--version`, the man page and the README against the option table.
@Suite struct DocumentationTests {
    // MARK: --help and --version

    @Test func helpNamesEveryOptionOfTheTableAndNoOther() throws {
        let help = try runToEnd(Paths.swnc, ["--help"])
        #expect(help.status == 0)
        #expect(OptionNames.named(inText: help.output) == OptionNames.all)
        for option in OptionTable.all {
            let names = (option.short.map { "-\($0), " } ?? "") + "--\(option.long)" + (option.argument.map { " \($0)" } ?? "")
            #expect(help.output.split(separator: "\n").contains { $0.contains(names) && $0.hasSuffix(option.summary) },
                    "no help line for \(names)")
        }
    }

    @Test func helpIsGroupedFitsEightyColumnsAndEndsWithExamples() throws {
        let lines = try runToEnd(Paths.swnc, ["-h"]).output.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines { #expect(line.count <= 80, "too wide: \(line)") }
        for group in OptionSpec.Group.allCases { #expect(lines.contains("\(group.rawValue):")) }
        let text = lines.filter { !$0.isEmpty }
        let examples = text.reversed().prefix { $0.hasPrefix("  swnc ") }
        #expect((2...3).contains(examples.count))
        #expect(text.dropLast(examples.count).last?.hasSuffix("Examples:") == true)
    }

    @Test func usageLineNamesEveryOptionButVersion() throws {
        let usage = try runToEnd(Paths.swnc, ["--no-such-option"])
        #expect(usage.status == 1)
        #expect(usage.errors.hasSuffix(Usage.synopsis + "\n"))
        let names = Set(OptionTable.all.map { $0.short.map { "-\($0)" } ?? "--\($0.long)" })
        #expect(OptionNames.named(inText: Usage.synopsis) == names.subtracting(["--version"]))
        for line in Usage.synopsis.split(separator: "\n") { #expect(line.count <= 80) }
    }

    @Test func versionIsOneLine() throws {
        let version = try runToEnd(Paths.swnc, ["--version"])
        #expect(version.status == 0)
        #expect(version.output == "swnc \(Usage.version)\n")
    }

    // MARK: The man page

    @Test func manPageListsEveryOptionOfTheTableAsItsOwnItem() throws {
        let items = ManPage.optionItems(try packageFile("man/swnc.1"))
        #expect(Set(items.flatMap(ManPage.flags)) == OptionNames.all)
        for option in OptionTable.all {
            let names = Set(OptionNames.names(of: option))
            let item = items.filter { Set(ManPage.flags(in: $0)) == names }
            #expect(item.count == 1, "no item of its own for \(names)")
            if let argument = option.argument {
                #expect(item.first?.contains("Ar \(argument)") == true, "\(names) without its argument \(argument)")
            }
        }
    }

    @Test func manPageNamesNoOtherOptionOutsideCompatibility() throws {
        let page = try packageFile("man/swnc.1")
        let ownPart = page.components(separatedBy: "\n.Sh COMPATIBILITY")[0]
        var named: Set<String> = []
        for line in ownPart.split(separator: "\n").map(String.init) {
            named.formUnion(line.hasPrefix(".") ? ManPage.flags(in: line) : Array(OptionNames.named(inText: line)))
        }
        #expect(named.subtracting(OptionNames.all).isEmpty, "unknown: \(named.subtracting(OptionNames.all))")
    }

    @Test(.enabled(if: Paths.which("mandoc") != nil, "mandoc is not installed"))
    func manPageLintsClean() throws {
        let lint = try runToEnd(Paths.which("mandoc")!, ["-Tlint", "-Wstyle", "man/swnc.1"], directory: Paths.root)
        #expect(lint.output == "")
        // Without a mandoc.db (Debian has none) mandoc also notes each page it found for an .Xr
        // by searching the disk; those notes are about the system's index, not this page.
        let errors = lint.errors.split(separator: "\n").filter { !$0.contains("outdated mandoc.db lacks") }
        #expect(errors.isEmpty, "\(errors)")
        #expect(lint.status == 0)
    }

    @Test(.enabled(if: Paths.which("man") != nil, "man is not installed"))
    func manRendersThePage() throws {
        let page = try runToEnd(Paths.which("man")!, ["./man/swnc.1"], directory: Paths.root, environment: ["MANWIDTH": "80"])
        #expect(page.status == 0)
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "EXAMPLES", "COMPATIBILITY", "SEE ALSO"] {
            #expect(page.output.contains("\n\(section)\n"), "no \(section)")
        }
    }

    // MARK: Examples and the README

    @Test func everyExampleIsAValidCommandLine() throws {
        let examples = try Examples.readme() + Examples.manPage() + Examples.help()
        #expect(examples.count > 20)
        for example in examples {
            do { _ = try Parser.parse(Array(example.dropFirst())) } catch {
                Issue.record("\(example.joined(separator: " ")): \(error)")
            }
        }
    }

    @Test func readmeHasTheSetUpCommandsThatCIRuns() throws {
        let readme = try packageFile("README.md")
        let ciCommand = try packageFile(".ci/run").split(separator: "\n").last.map(String.init) ?? ""
        #expect(ciCommand == "swift build && swift test --no-parallel")
        #expect(readme.contains("\n    \(ciCommand)\n"))
        #expect(readme.contains("\n    swift build -c release && .build/release/swnc --help\n"))
        #expect(readme.contains("## Performance") && readme.contains("Tests/Benchmarks/run"))
    }

    @Test func readmeGivesBothSidesOfEveryCheatsheetExample() throws {
        let rows = try packageFile("README.md").split(separator: "\n").filter { $0.hasPrefix("| ") }
        let examples = ["TCP echo server", "TCP echo server via socketserver", "UDP echo server",
                        "UDP echo server via socketserver", "UDP client (sender)", "Broadcast UDP packets",
                        "UNIX-domain socket echo", "Multi-client TCP server: thread", "Multi-client TCP server: select",
                        "Multi-client TCP server: selectors", "socketpair (two processes)"]
        for example in examples {
            let sides = rows.first { $0.hasPrefix("| \(example) |") }?.split(separator: "|").dropFirst()
            #expect(sides?.count == 2, "no row for \(example)")
            #expect(sides?.allSatisfy { $0.contains("`swnc ") } == true, "\(example) lacks a side")
        }
    }
}

/// Reading swnc.1's mdoc source.
enum ManPage {
    /// The `.It` lines of the option list ("The options are as follows:" to its `.El`).
    static func optionItems(_ page: String) -> [String] {
        let list = page.components(separatedBy: "The options are as follows:\n")[1].components(separatedBy: "\n.El\n")[0]
        return list.split(separator: "\n").filter { $0.hasPrefix(".It ") }.map(String.init)
    }

    /// The macros that end the arguments of an `Fl`.
    static let macros: Set<String> = ["Ar", "Cm", "Dq", "Dv", "Em", "Ic", "Li", "Nm", "No", "Ns", "Oc", "Op",
                                      "Ox", "Pa", "Pc", "Po", "Pq", "Ql", "Sq", "Sx", "Sy", "Ux", "Va", "Xr"]

    /// The options a macro line names with `Fl`: `.Fl lU Ar path` names -l and -U, `Fl -echo` --echo.
    static func flags(in line: String) -> [String] {
        var flags: [String] = []
        var inFl = false
        for word in line.split(separator: " ").map(String.init) {
            if word == "Fl" || word == ".Fl" {
                inFl = true
            } else if !inFl || macros.contains(word) || word.first.map({ $0.isPunctuation && $0 != "-" }) == true {
                inFl = false
            } else if word != "-" {
                flags += OptionNames.named(by: "-" + word)
            }
        }
        return flags
    }
}

/// The swnc command lines that the README, the man page and --help give as examples, as words.
enum Examples {
    static func readme() throws -> [[String]] {
        try packageFile("README.md").split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 && $0.element.hasPrefix("swnc ") }.map { words(String($0.element)) }
    }

    static func manPage() throws -> [[String]] {
        try packageFile("man/swnc.1").split(separator: "\n").filter { $0.hasPrefix("$ ") && $0.contains("swnc") }
            .map { words(String($0.dropFirst(2))) }
    }

    static func help() throws -> [[String]] {
        try runToEnd(Paths.swnc, ["--help"]).output.components(separatedBy: "Examples:\n")[1]
            .split(separator: "\n").filter { !$0.isEmpty }.map { words(String($0.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ")[0])) }
    }

    /// A shell command's swnc words: after the last pipe, without comments and redirections.
    static func words(_ command: String) -> [String] {
        let command = command.components(separatedBy: " #")[0].components(separatedBy: "|").last!
        var words: [String] = []
        var redirected = false
        for word in command.split(separator: " ").map(String.init) {
            if word == "<" || word == ">" { redirected = true } else if redirected { redirected = false } else { words.append(word) }
        }
        return words
    }
}
