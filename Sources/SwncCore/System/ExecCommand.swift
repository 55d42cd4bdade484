import Glibc

/// The program -e / -c runs for a connection: its words, and where it is.
public enum ExecCommand {
    /// -e's text as argv. Whitespace separates words; '...' keeps its text as it is; "..."
    /// keeps its text but for \" and \\; elsewhere a backslash makes the next character plain
    /// text (so `a\ b` is one word, as with ncat). No shell: no variables, globs or redirections.
    public static func split(_ text: String) throws -> [String] {
        enum Quote { case none, single, double }
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var inWord = false
        var quote = Quote.none
        var escaped = false
        for scalar in text.unicodeScalars {
            if escaped {
                // Inside "...", only \" and \\ are escapes; any other backslash is itself.
                if quote == .double, scalar != "\"", scalar != "\\" { word.append("\\") }
                word.append(scalar)
                escaped = false
                continue
            }
            switch quote {
            case .single:
                if scalar == "'" { quote = .none } else { word.append(scalar) }
            case .double:
                if scalar == "\"" { quote = .none } else if scalar == "\\" { escaped = true } else { word.append(scalar) }
            case .none:
                if isSpace(scalar) {
                    if inWord { words.append(String(word)) }
                    word = String.UnicodeScalarView()
                    inWord = false
                    continue
                }
                inWord = true
                switch scalar {
                case "'": quote = .single
                case "\"": quote = .double
                case "\\": escaped = true
                default: word.append(scalar)
                }
            }
        }
        if quote != .none { throw Failure("unbalanced \(quote == .single ? "'" : "\"") in -e command") }
        if escaped { throw Failure("-e command ends with a backslash") }
        if inWord { words.append(String(word)) }
        if words.isEmpty { throw Failure("empty -e command") }
        return words
    }

    /// -c's command as argv.
    public static func shell(_ command: String) -> [String] { ["/bin/sh", "-c", command] }

    /// The file that running `program` executes: `program` itself when it has a slash, else
    /// the first match in PATH (as execvp(3) searches it, glibc's default when PATH is unset).
    /// Checked at start, so that a missing or non-executable program is one error line before
    /// swnc listens or connects.
    public static func resolve(_ program: String) throws -> String {
        try resolve(program, searchPath: getenv("PATH").map { String(cString: $0) } ?? "/bin:/usr/bin")
    }

    /// `resolve` with the directories given, colon-separated (an empty one is ".").
    static func resolve(_ program: String, searchPath: String) throws -> String {
        guard !program.isEmpty else { throw cannotRun(program, Errno(ENOENT)) }
        if program.contains("/") {
            do { try checkExecutable(program) } catch { throw cannotRun(program, error) }
            return program
        }
        // As execvp(3): EACCES if some match was not executable, ENOENT if none was found.
        var denied = false
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : directory) + "/" + program
            do {
                try checkExecutable(candidate)
                return candidate
            } catch let error as Errno where error.rawValue == EACCES {
                denied = true
            } catch {}
        }
        throw cannotRun(program, Errno(denied ? EACCES : ENOENT))
    }

    /// The one line for a program that cannot be run, at start or when a child is spawned.
    static func cannotRun(_ program: String, _ error: Error) -> Failure {
        Failure("cannot run \(program): \(error)")
    }

    /// Throws what execve(2) would fail with: ENOENT and the like, or EACCES for a directory or
    /// a file we may not execute.
    private static func checkExecutable(_ path: String) throws {
        var status = stat()
        _ = try retryingOnInterrupt { stat(path, &status) }
        if status.st_mode & S_IFMT == S_IFDIR { throw Errno(EACCES) }
        _ = try retryingOnInterrupt { access(path, X_OK) }
    }

    /// isspace(3) in the C locale.
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || ("\t"..."\r").contains(scalar)
    }
}
