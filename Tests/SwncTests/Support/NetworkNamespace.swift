import Foundation
import Testing

/// A network namespace this test run creates (unique name), for traffic that must never reach
/// the machine's own network: broadcasts, a hosts file of our own. Deleted, with its
/// /etc/netns/NAME directory, when the object goes away, whether the test passed or not.
final class NetworkNamespace {
    let name: String
    private var hostsDirectory: URL { URL(fileURLWithPath: "/etc/netns/\(name)") }

    /// Why namespaces cannot be used here, or nil when they can (root, `ip`, a kernel that allows it).
    static let unavailableReason: String? = {
        guard geteuid() == 0 else { return "network namespace tests need root" }
        guard Paths.which("ip") != nil else { return "network namespace tests need iproute2's ip" }
        removeLeftovers()
        do {
            _ = try NetworkNamespace(label: "probe")
            return nil
        } catch {
            return "cannot create a network namespace: \(error)"
        }
    }()

    /// The trait that skips a test, saying why, where namespaces are unavailable.
    static var required: ConditionTrait {
        .disabled(if: unavailableReason != nil, Comment(rawValue: unavailableReason ?? ""))
    }

    /// A new namespace with its loopback up; `hosts` becomes its /etc/hosts.
    init(label: String, hosts: String? = nil) throws {
        name = "swnc-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try NetworkNamespace.ip(["netns", "add", name])
        do {
            try ip(["link", "set", "lo", "up"])
            if let hosts {
                try FileManager.default.createDirectory(at: hostsDirectory, withIntermediateDirectories: true)
                try hosts.write(to: hostsDirectory.appendingPathComponent("hosts"), atomically: true, encoding: .utf8)
            }
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    /// Namespaces of an earlier run that was killed before it could delete them: their names
    /// hold the PID of a process that no longer exists.
    private static func removeLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/var/run/netns")) ?? []
        for name in names where name.hasPrefix("swnc-") {
            let parts = name.split(separator: "-")
            guard parts.count == 4, let pid = Int32(parts[2]), kill(pid, 0) != 0, errno == ESRCH else { continue }
            _ = try? ip(["netns", "delete", name])
            try? FileManager.default.removeItem(atPath: "/etc/netns/\(name)")
        }
    }

    private func remove() {
        _ = try? NetworkNamespace.ip(["netns", "delete", name])
        try? FileManager.default.removeItem(at: hostsDirectory)
    }

    /// `ip ARGUMENTS` inside this namespace.
    func ip(_ arguments: [String]) throws {
        try NetworkNamespace.ip(["-n", name] + arguments)
    }

    /// Two namespaces joined by a veth pair, `subnet`.1/24 in the first and `subnet`.2/24 in the
    /// second. The link is created in the namespaces themselves, never in the main one.
    static func pair(label: String, subnet: String) throws -> (NetworkNamespace, NetworkNamespace) {
        let first = try NetworkNamespace(label: "\(label)a")
        let second = try NetworkNamespace(label: "\(label)b")
        try ip(["link", "add", "swnc0", "netns", first.name, "type", "veth", "peer", "name", "swnc1", "netns", second.name])
        for (namespace, device, host) in [(first, "swnc0", 1), (second, "swnc1", 2)] {
            try namespace.ip(["addr", "add", "\(subnet).\(host)/24", "broadcast", "\(subnet).255", "dev", device])
            try namespace.ip(["link", "set", device, "up"])
            // 255.255.255.255 needs a route; the only way out of the namespace is the veth.
            try namespace.ip(["route", "add", "default", "dev", device])
        }
        return (first, second)
    }

    /// `executable arguments` started inside this namespace.
    func spawn(_ executable: String, _ arguments: [String], standardInput: Any? = nil) throws -> Spawned {
        try Spawned(Paths.which("ip") ?? "/sbin/ip", ["netns", "exec", name, executable] + arguments, standardInput: standardInput)
    }

    /// swnc with `arguments`, inside this namespace.
    func spawnSwnc(_ arguments: [String], standardInput: Any? = nil) throws -> Spawned {
        try spawn(Paths.swnc, arguments, standardInput: standardInput)
    }

    /// A Python peer from Tests/SwncTests/Peers inside this namespace, once it prints "READY <port>".
    func startPythonPeer(_ script: String, _ arguments: [String] = []) throws -> (Spawned, UInt16) {
        let peer = try spawn(Paths.python, ["-u", Paths.peer(script)] + arguments)
        return (peer, try peer.waitForReadyPort(script))
    }

    /// Runs `ip ARGUMENTS` to the end; a failure throws with what ip said.
    private static func ip(_ arguments: [String]) throws {
        let ip = try Spawned(Paths.which("ip") ?? "/sbin/ip", arguments, standardInput: FileHandle.nullDevice)
        guard try ip.waitForExit(timeout: 20) == 0 else {
            throw SpawnError.unexpected("ip \(arguments.joined(separator: " ")): \(ip.standardError)")
        }
    }
}
