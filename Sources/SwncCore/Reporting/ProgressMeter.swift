/// `--progress`: the one line of the live meter on stderr, redrawn in place:
/// `sent 1.5 MiB, received 20.0 KiB, 512.0 KiB/s, 0:03` and, when the size of what is sent is
/// known, `, 42%, ETA 0:04` after it.
public enum ProgressMeter {
    public static func line(sent: Int, received: Int, elapsed: Duration, totalSize: Int? = nil) -> String {
        // Floating point: a huge size times a long time must not overflow.
        let seconds = Double(TransferUnits.centiseconds(elapsed)) / 100
        // Bytes per second over the whole session, both ways.
        let rate = seconds > 0 ? Int(min(Double(sent) + Double(received), 1e15) / seconds) : 0
        var text = "sent \(TransferUnits.bytes(sent)), received \(TransferUnits.bytes(received)), "
            + "\(TransferUnits.bytes(rate))/s, \(TransferUnits.clock(elapsed))"
        guard let totalSize else { return text }
        let total = max(0, totalSize)
        let done = min(max(0, sent), total)
        let percent = total > 0 ? Int(Double(done) * 100 / Double(total)) : 100
        text += ", \(percent)%"
        // The rest at the rate of sending so far; unknown until something was sent.
        if done > 0, seconds > 0 {
            let remaining = Double(total - done) * seconds / Double(done)
            text += ", ETA \(TransferUnits.clock(.seconds(Int64(min(remaining, 1e9)))))"
        }
        return text
    }

    /// What to write to stderr to show `line` in place of the one shown before: back to the
    /// start of the line, the text, and the rest of the old line cleared.
    public static func redraw(_ line: String) -> String { "\r\(line)\u{1B}[K" }

    /// What to write to stderr to take the meter away.
    public static let clear = "\r\u{1B}[K"
}
