import Foundation
import Testing

/// Mixed load on one -lk server per role for SWNC_SOAK_SECONDS (default 30: two minutes over
/// the four roles in CI; by hand, for
/// example `SWNC_SOAK_SECONDS=1800 swift test --filter SoakTests` for 30 minutes): clients
/// connect, send random sizes, half-close or reset at random (Peers/hostile_peers.py soak).
/// Descriptors and VmRSS are sampled every second: after the first quarter (the warm-up) RSS
/// grows by under 4 MiB, descriptors come back to their count, every transfer is byte-exact.
@Suite("Soak")
struct SoakTests {
    static let seconds = ProcessInfo.processInfo.environment["SWNC_SOAK_SECONDS"].flatMap(Double.init) ?? 30

    struct Role: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        var testDescription: String { name }
    }

    static let roles = [
        Role(name: "echo", arguments: ["-lk", "--echo"]),
        Role(name: "exec", arguments: ["-lk", "-e", "/bin/cat"]),
        Role(name: "broker", arguments: ["-d", "-lk", "--broker"]),
        Role(name: "tls", arguments: ["--ssl", "-lk", "--echo"]),
    ]

    @Test(arguments: roles)
    func mixedLoadLeavesNoGrowth(_ role: Role) throws {
        let (server, port) = try startHostileListener(role.arguments)
        let descriptorsBefore = ProcessWatch.settledDescriptors(of: server.pid)
        let driver = try hostilePeer(["soak", "\(port)", role.name == "exec" ? "echo" : role.name, "\(Self.seconds)"])
        var samples: [(descriptors: Int, resident: Int)] = []
        let deadline = Date(timeIntervalSinceNow: Self.seconds + 60)
        while driver.process.isRunning, Date() < deadline {
            samples.append((ProcessFacts.openDescriptors(of: server.pid), ProcessWatch.kibibytes("VmRSS", of: server.pid)))
            sleep(1)
        }
        try driver.expectCleanExit(timeout: 30)
        let words = driver.outputLines.first?.split(separator: " ") ?? []
        #expect(words.count == 5 && words[0] == "TRANSFERS" && words[3] == "0", "\(driver.outputLines)")
        #expect((Int(words.count > 1 ? words[1] : "") ?? 0) > 0)
        let warmedUp = samples.dropFirst(samples.count / 4)
        let residentAtWarmUp = warmedUp.first?.resident ?? 0
        let residentPeak = warmedUp.map(\.resident).max() ?? 0
        #expect(ProcessFacts.eventually(timeout: 5) { ProcessFacts.openDescriptors(of: server.pid) == descriptorsBefore },
                "descriptors \(descriptorsBefore) -> \(ProcessFacts.openDescriptors(of: server.pid))")
        print("soak \(role.name) \(Self.seconds) s: \(driver.outputLines.first ?? ""); descriptors \(descriptorsBefore) before, at most \(samples.map(\.descriptors).max() ?? 0) during, \(ProcessFacts.openDescriptors(of: server.pid)) after; VmRSS \(residentAtWarmUp) kB after warm-up, at most \(residentPeak) kB; VmHWM \(ProcessWatch.kibibytes("VmHWM", of: server.pid)) kB")
        #expect(residentPeak - residentAtWarmUp < 4 * 1024)
        #expect(server.process.isRunning, "stderr: \(server.standardError.suffix(2000))")
    }
}
