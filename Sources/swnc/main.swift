import SwncCore
import Glibc

/// Reads the command line, runs the mode it asks for, and exits with its status.
func runSwnc() -> Int32 {
    StandardDescriptors.openClosedOnes()
    // First of all: even help or a usage error written to a closed pipe must not be a SIGPIPE death.
    ProcessCleanup.install()
    let request: CommandLineRequest
    do {
        request = try Parser.parse(Array(CommandLine.arguments.dropFirst()))
    } catch let error as UsageError {
        Messages.usageError(error)
        return 1
    } catch {
        Messages.error(error)
        return 1
    }
    if request.help {
        let help = Usage.help
        help.withUnsafeBytes { try? FileDescriptor.standardOutput.writeAll($0) }
        return 0
    }
    if request.version {
        print("swnc \(Usage.version)")
        return 0
    }
    if let facility = request.unsupportedFacility {
        Messages.error("\(facility) is an OpenBSD facility that Linux lacks")
        return 1
    }
    let configuration = request.configuration
    let messages = Messages(verbosity: configuration.verbosity, numericOnly: configuration.numericOnly, stats: configuration.stats)
    let report: Reporter = { messages.report($0) }
    do {
        // A program that cannot run is one error line before swnc listens or connects.
        if let program = configuration.exec?.first { _ = try ExecCommand.resolve(program) }
        switch configuration.mode {
        case .connect:
            try Client.run(configuration, report: report)
        case .listen:
            try Server.run(configuration, report: report)
        case .probe:
            return try Prober.run(configuration, report: report) ? 0 : 1
        case .broadcast:
            try Broadcaster.run(configuration, report: report)
        case .resolve:
            for line in try HostAddresses.lines(for: configuration.host, configuration) { print(line) }
        }
    } catch {
        Messages.error(error)
        return 1
    }
    return 0
}

exit(runSwnc())
