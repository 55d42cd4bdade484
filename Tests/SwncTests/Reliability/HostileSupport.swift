import Foundation
import Testing

/// What the hostile-peer and soak tests read about a running swnc from /proc.
enum ProcessWatch {
    /// The PIDs of `pid`'s children, zombies included.
    static func children(of pid: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { Int32($0) }
        }
    }

    /// The state letter of a process (R, S, Z, ...), nil once it is gone.
    static func state(of pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ", options: .backwards) else { return nil }
        return stat[afterName.upperBound...].first
    }

    /// A field of /proc/PID/status in kB (VmRSS, VmHWM).
    static func kibibytes(_ field: String, of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return -1 }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
    }

    /// The descriptor count of a listener once its event loop runs: swnc prints its
    /// Listening line before it makes the epoll descriptor.
    static func settledDescriptors(of pid: Int32) -> Int {
        _ = ProcessFacts.eventually(timeout: 5) {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            return entries.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == "anon_inode:[eventpoll]" }
        }
        return ProcessFacts.openDescriptors(of: pid)
    }

    /// Waits (at most `timeout`) until `pid` has no children; returns the seconds it took.
    static func secondsUntilChildless(_ pid: Int32, timeout: TimeInterval) -> Double {
        let start = Date()
        _ = ProcessFacts.eventually(timeout: timeout) { children(of: pid).isEmpty }
        return Date().timeIntervalSince(start)
    }
}

/// A peer from Peers/hostile_peers.py.
func hostilePeer(_ arguments: [String]) throws -> Spawned {
    try Spawned(Paths.python, ["-u", Paths.peer("hostile_peers.py")] + arguments)
}

/// `swnc -vn ARGUMENTS 127.0.0.1 0` (a listener), once it listens, and its port; -n: peers
/// are named by number, as the checks read them.
func startHostileListener(_ arguments: [String]) throws -> (Spawned, UInt16) {
    let server = try Spawned(swnc: ["-v", "-n"] + arguments + ["127.0.0.1", "0"])
    return (server, try server.waitForPort())
}
