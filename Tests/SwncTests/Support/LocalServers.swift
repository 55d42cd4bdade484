import Foundation
import Testing

/// A real server (a proxy, sshd) a test started on a free loopback port, its configuration in a
/// fresh temporary directory: nothing of the machine's own services is used. It is stopped
/// (SIGTERM, then SIGKILL) and its directory removed when the object goes away.
final class LocalServer {
    let process: Spawned
    let port: UInt16
    let directory: URL

    /// Starts `executable` with the arguments `arguments(directory, port)` makes, after `prepare`
    /// wrote its files into the directory, and waits until the port accepts connections.
    init(_ executable: String, prepare: (URL, UInt16) throws -> Void = { _, _ in },
         _ arguments: (URL, UInt16) -> [String]) throws {
        guard let path = Paths.which(executable) else {
            throw SpawnError.unexpected("\(executable) is not installed (.ci/run installs it)")
        }
        directory = try Paths.temporaryDirectory()
        port = try unusedPort()
        try prepare(directory, port)
        // Through run_server.py: daemons would otherwise keep the spawner's blocked signals.
        process = try Spawned(Paths.python, [Paths.peer("run_server.py"), path] + arguments(directory, port))
        try LocalServer.waitUntilAccepting(port: port, process: process)
    }

    deinit {
        process.signal(SIGTERM)
        _ = try? process.waitForExit(timeout: 5)
        try? FileManager.default.removeItem(at: directory)
    }

    /// microsocks (SOCKS5), with RFC 1929 authentication when `user` is given.
    static func microsocks(user: String? = nil, password: String = "") throws -> LocalServer {
        try LocalServer("microsocks") { _, port in
            ["-i", "127.0.0.1", "-p", "\(port)"] + (user.map { ["-u", $0, "-P", password] } ?? [])
        }
    }

    /// Dante (SOCKS4 and SOCKS5, no authentication: its user method takes system accounts).
    static func dante() throws -> LocalServer {
        try LocalServer("danted", prepare: { directory, port in
            try """
            logoutput: stderr
            internal: 127.0.0.1 port = \(port)
            external: 127.0.0.1
            socksmethod: none
            clientmethod: none
            user.privileged: root
            user.unprivileged: nobody
            client pass {
                from: 127.0.0.0/8 to: 0.0.0.0/0
            }
            socks pass {
                from: 127.0.0.0/8 to: 0.0.0.0/0
                protocol: tcp
            }

            """.write(to: directory.appendingPathComponent("danted.conf"), atomically: true, encoding: .utf8)
        }) { directory, _ in
            ["-f", directory.appendingPathComponent("danted.conf").path, "-p", directory.appendingPathComponent("danted.pid").path]
        }
    }

    /// tinyproxy (HTTP CONNECT) in the foreground, with Basic authentication, allowing CONNECT to `connectPort` only.
    static func tinyproxy(user: String, password: String, connectPort: UInt16) throws -> LocalServer {
        try LocalServer("tinyproxy", prepare: { directory, port in
            try """
            Port \(port)
            Listen 127.0.0.1
            Timeout 30
            MaxClients 10
            Allow 127.0.0.1
            BasicAuth \(user) \(password)
            ConnectPort \(connectPort)
            LogLevel Warning

            """.write(to: directory.appendingPathComponent("tinyproxy.conf"), atomically: true, encoding: .utf8)
        }) { directory, _ in
            ["-d", "-c", directory.appendingPathComponent("tinyproxy.conf").path]
        }
    }

    /// sshd on 127.0.0.1, root logging in with the key `userKey` (in the directory) only; the
    /// host and user keys are made for it. Needs root (see `canRunSSHServer`).
    static func sshd() throws -> LocalServer {
        try LocalServer("sshd", prepare: { directory, _ in
            for key in ["host_key", userKey] {
                let keygen = try Spawned(Paths.which("ssh-keygen") ?? "ssh-keygen",
                                         ["-q", "-t", "ed25519", "-N", "", "-f", directory.appendingPathComponent(key).path])
                guard try keygen.waitForExit() == 0 else { throw SpawnError.unexpected("ssh-keygen: \(keygen.standardError)") }
            }
            try FileManager.default.copyItem(at: directory.appendingPathComponent(userKey + ".pub"),
                                             to: directory.appendingPathComponent("authorized_keys"))
            try """
            ListenAddress 127.0.0.1
            HostKey \(directory.appendingPathComponent("host_key").path)
            PidFile \(directory.appendingPathComponent("sshd.pid").path)
            AuthorizedKeysFile \(directory.appendingPathComponent("authorized_keys").path)
            PermitRootLogin yes
            UsePAM no
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes

            """.write(to: directory.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
            // The privilege separation directory, made by the service's start where it runs.
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        }) { directory, port in
            ["-D", "-e", "-f", directory.appendingPathComponent("sshd_config").path, "-p", "\(port)"]
        }
    }

    static let userKey = "user_key"

    /// sshd runs only as root (it changes user), and needs OpenSSH's server and client installed.
    static let canRunSSHServer = geteuid() == 0 && ["sshd", "ssh", "ssh-keygen"].allSatisfy { Paths.which($0) != nil }

    /// Connects to 127.0.0.1 `port` every 20 ms until it is accepted, for at most 10 seconds.
    private static func waitUntilAccepting(port: UInt16, process: Spawned) throws {
        for _ in 0..<500 {
            guard process.process.isRunning else {
                throw SpawnError.unexpected("\(process.process.arguments ?? []) exited: \(process.standardError)")
            }
            if accepts(port: port) { return }
            usleep(20_000)
        }
        throw SpawnError.timeout("a server on port \(port): \(process.standardError)")
    }

    private static func accepts(port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
