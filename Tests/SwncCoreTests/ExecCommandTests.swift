import Foundation
import Glibc
import Testing
@testable import SwncCore

@Suite struct ExecCommandTests {
    @Test func whitespaceSeparatesWords() throws {
        #expect(try ExecCommand.split("cat") == ["cat"])
        #expect(try ExecCommand.split("  grep\t-v \n x  ") == ["grep", "-v", "x"])
    }

    @Test func singleQuotesKeepEverything() throws {
        #expect(try ExecCommand.split(#"echo 'a  b' 'c\d' '"'"#) == ["echo", "a  b", #"c\d"#, "\""])
    }

    @Test func doubleQuotesKeepAllButEscapedQuoteAndBackslash() throws {
        #expect(try ExecCommand.split(#"echo "a 'b' \"c\" \\ \n""#) == ["echo", #"a 'b' "c" \ \n"#])
    }

    @Test func backslashOutsideQuotesMakesTheNextCharacterPlain() throws {
        #expect(try ExecCommand.split(#"my\ prog a\\b \'x"#) == ["my prog", #"a\b"#, "'x"])
    }

    @Test func quotedPartsJoinTheirWordAndEmptyQuotesAreAWord() throws {
        #expect(try ExecCommand.split(#"x'y'"z"w '' """#) == ["xyzw", "", ""])
    }

    @Test func emptyCommandIsRefused() {
        #expect(thrownFailure { try ExecCommand.split("") } == "empty -e command")
        #expect(thrownFailure { try ExecCommand.split(" \t ") } == "empty -e command")
    }

    @Test func unbalancedQuotesAndATrailingBackslashAreRefused() {
        #expect(thrownFailure { try ExecCommand.split("echo 'abc") } == "unbalanced ' in -e command")
        #expect(thrownFailure { try ExecCommand.split(#"echo "abc 'd'"#) } == #"unbalanced " in -e command"#)
        #expect(thrownFailure { try ExecCommand.split(#"echo abc\"#) } == "-e command ends with a backslash")
    }

    @Test func shellCommandRunsThroughBinSh() {
        #expect(ExecCommand.shell("echo $HOME | tr a b") == ["/bin/sh", "-c", "echo $HOME | tr a b"])
    }

    @Test func resolveSearchesThePathInOrder() throws {
        let directory = try ProgramDirectory()
        try directory.file("first/prog", mode: 0o644)
        try directory.file("second/prog", mode: 0o755)
        try directory.file("third/prog", mode: 0o755)
        let path = ["first", "second", "third"].map { directory.path + "/" + $0 }.joined(separator: ":")
        #expect(try ExecCommand.resolve("prog", searchPath: path) == directory.path + "/second/prog")
    }

    @Test func resolveUsesProcessPath() throws {
        #expect(try ExecCommand.resolve("sh").hasSuffix("/sh"))
    }

    @Test func resolveReportsMissingAndNotExecutable() throws {
        let directory = try ProgramDirectory()
        try directory.file("bin/plain", mode: 0o644)
        try directory.file("bin/dir/inner", mode: 0o755)
        let bin = directory.path + "/bin"
        #expect(thrownFailure { try ExecCommand.resolve("nothing", searchPath: bin) } == "cannot run nothing: No such file or directory")
        #expect(thrownFailure { try ExecCommand.resolve("plain", searchPath: bin) } == "cannot run plain: Permission denied")
        #expect(thrownFailure { try ExecCommand.resolve("dir", searchPath: bin) } == "cannot run dir: Permission denied")
        #expect(thrownFailure { try ExecCommand.resolve(bin + "/plain") } == "cannot run \(bin)/plain: Permission denied")
        #expect(thrownFailure { try ExecCommand.resolve(bin + "/dir") } == "cannot run \(bin)/dir: Permission denied")
        #expect(thrownFailure { try ExecCommand.resolve(bin + "/nothing") } == "cannot run \(bin)/nothing: No such file or directory")
        #expect(thrownFailure { try ExecCommand.resolve("") } == "cannot run : No such file or directory")
    }

    @Test func resolveTakesAnEmptyPathEntryAsTheCurrentDirectory() throws {
        #expect(thrownFailure { try ExecCommand.resolve("no-such-swnc-program", searchPath: "") }
            == "cannot run no-such-swnc-program: No such file or directory")
        #expect(try ExecCommand.resolve("sh", searchPath: "/nonexistent::/bin") == "/bin/sh")
    }
}

/// The text of the Failure `body` throws; nil when it throws none.
func thrownFailure(_ body: () throws -> Any) -> String? {
    do {
        _ = try body()
        return nil
    } catch {
        return (error as? Failure)?.description ?? "not a Failure: \(error)"
    }
}

/// A directory of programs for resolve and spawn, under /tmp, removed with everything in it when the value goes away.
final class ProgramDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/swnc-programs.XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw Errno.current }
        path = String(cString: template)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Creates `relative` (and the directories above it) holding a shell script, with `mode`.
    func file(_ relative: String, mode: Int, contents: String = "#!/bin/sh\n") throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: full, contents: Data(contents.utf8),
                                               attributes: [.posixPermissions: mode]))
    }
}
