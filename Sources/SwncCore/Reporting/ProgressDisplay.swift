import Glibc

/// `--progress`: the live meter on stderr while a relay runs, redrawn at most ten times a
/// second, and only where stderr is a terminal (a log file or a pipe gets nothing). When stdin
/// is a regular file its size gives the percentage and the time left.
final class ProgressDisplay {
    private static let interval = Duration.milliseconds(100)
    private let loop: EventLoop
    private let totals: () -> Event
    private let totalSize: Int?
    private var timer: EventLoop.TimerID?

    /// nil unless --progress was asked for and stderr is a terminal.
    init?(_ configuration: Configuration, loop: EventLoop, totals: @escaping () -> Event) {
        guard configuration.progress, isatty(STDERR_FILENO) == 1 else { return nil }
        self.loop = loop
        self.totals = totals
        totalSize = ProgressDisplay.sizeOfStandardInput()
        schedule()
    }

    /// Takes the meter away (the stats line, if any, then has the line to itself).
    func stop() {
        loop.cancel(timer)
        StandardError.write(ProgressMeter.clear)
    }

    private func schedule() {
        timer = loop.schedule(after: ProgressDisplay.interval) { [unowned self] in
            draw()
            schedule()
        }
    }

    private func draw() {
        guard case .transferred(let sent, let received, let elapsed) = totals() else { return }
        let line = ProgressMeter.line(sent: sent, received: received, elapsed: elapsed, totalSize: totalSize)
        StandardError.write(ProgressMeter.redraw(line))
    }

    /// What is left to read of stdin when it is a regular file.
    private static func sizeOfStandardInput() -> Int? {
        var status = stat()
        guard fstat(STDIN_FILENO, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let offset = lseek(STDIN_FILENO, 0, SEEK_CUR)
        return max(0, Int(status.st_size) - max(0, Int(offset)))
    }
}

/// Bytes for stderr from the core (the meter), in one write(2) so that they never interleave.
enum StandardError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { try? FileDescriptor.standardError.writeAll(UnsafeRawBufferPointer($0)) }
    }
}
