import Glibc

/// A `-U -u` client without `-s` binds its socket to `/tmp/swnc.XXXXXXXXXX` (a random name, as
/// mkstemp(3) makes them) so that the server's replies can reach it; `-v` says `Bound on PATH`,
/// and the file is removed when swnc exits.
enum TemporarySocketFile {
    private static let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let attempts = 100

    static func bind(_ socket: Socket, report: Reporter) throws {
        var lastError: Error = Errno(EEXIST)
        for _ in 0..<attempts {
            let name = String(decoding: (0..<10).map { _ in letters.randomElement() ?? 65 }, as: UTF8.self)
            let path = "/tmp/swnc.\(name)"
            let address = try SocketAddress.unix(path: path)
            do {
                try socket.bind(to: address)
            } catch let error as Errno where error.rawValue == EADDRINUSE {
                lastError = error  // a file of that name exists: another name
                continue
            } catch {
                throw Failure("bind to \(path)", error)
            }
            ProcessCleanup.removeAtExit(path)
            // Only the owner may send to it (best effort: the bind made it with the umask's mode).
            _ = chmod(path, 0o600)
            report(.bound(address))
            return
        }
        throw Failure("bind to a temporary socket in /tmp", lastError)
    }
}
