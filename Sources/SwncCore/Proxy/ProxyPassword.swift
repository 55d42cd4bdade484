import Glibc

/// The password for `-P`: from the environment (for scripts), else asked for on the terminal.
public enum ProxyPassword {
    static let environmentVariable = "SWNC_PROXY_PASSWORD"
    /// Longer lines are cut: SOCKS5 takes at most 255 bytes, and a line must end somewhere.
    static let longest = 4096

    /// SWNC_PROXY_PASSWORD when set, otherwise one line read from /dev/tty without echo.
    public static func read(user: String) throws -> String {
        try read(user: user, terminal: "/dev/tty")
    }

    static func read(user: String, terminal path: String) throws -> String {
        if let value = getenv(environmentVariable) { return String(cString: value) }
        let action = "read the proxy password"
        let opened = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard opened >= 0 else {
            throw Failure(action, "no terminal (\(path): \(Errno.current)); \(environmentVariable) can hold it")
        }
        let terminal = FileDescriptor(opened)
        defer { terminal.close() }
        var saved = termios()
        guard tcgetattr(opened, &saved) == 0 else { throw Failure(action, "\(path): \(Errno.current)") }
        do {
            // Echo off before the prompt: TCSAFLUSH drops what was typed before the prompt showed.
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            guard tcsetattr(opened, TCSAFLUSH, &silent) == 0 else { throw Errno.current }
            defer {
                tcsetattr(opened, TCSAFLUSH, &saved)
                // The Enter the user typed was not echoed.
                try? write("\n", to: terminal)
            }
            try write("Proxy password for \(user): ", to: terminal)
            return try readLine(from: terminal)
        } catch {
            throw Failure(action, error)
        }
    }

    private static func write(_ text: String, to terminal: FileDescriptor) throws {
        try Array(text.utf8).withUnsafeBytes { try terminal.writeAll($0) }
    }

    /// One line, without its end (LF, or CR LF); what came before end of file if none.
    private static func readLine(from terminal: FileDescriptor) throws -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < longest, try withUnsafeMutableBytes(of: &byte, { try terminal.read(into: $0) }) == 1, byte != 10 {
            line.append(byte)
        }
        if line.last == 13 { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
