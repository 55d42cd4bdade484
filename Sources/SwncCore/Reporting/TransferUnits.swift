/// How the reports write amounts of bytes and of time, in integer arithmetic (no Foundation).
enum TransferUnits {
    /// Bytes in binary units with one decimal: `512 B`, `1.5 KiB`, `20.0 MiB`, `3.2 GiB`; the
    /// unit is the largest that keeps the rounded number below 1024.
    static func bytes(_ count: Int) -> String {
        guard count >= 1024 else { return "\(max(0, count)) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var unit = 0
        var scale = 1024
        while true {
            // Whole units and tenths, rounded to nearest; the remainder keeps the product small.
            var whole = count / scale
            var tenths = (count % scale * 10 + scale / 2) / scale
            if tenths == 10 { whole += 1; tenths = 0 }
            if whole < 1024 || unit + 1 == units.count { return "\(whole).\(tenths) \(units[unit])" }
            unit += 1
            scale *= 1024
        }
    }

    /// Seconds with two decimals, rounded to the nearest hundredth: `0.00`, `12.35`.
    static func seconds(_ duration: Duration) -> String {
        let hundredths = max(0, centiseconds(duration))
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// A clock reading, `M:SS` or `H:MM:SS`, whole seconds.
    static func clock(_ duration: Duration) -> String {
        let total = max(0, duration.components.seconds)
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60)
        let paddedSeconds = seconds < 10 ? "0\(seconds)" : "\(seconds)"
        guard hours > 0 else { return "\(minutes):\(paddedSeconds)" }
        return "\(hours):\(minutes < 10 ? "0" : "")\(minutes):\(paddedSeconds)"
    }

    static func centiseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 100 + (attoseconds + 5_000_000_000_000_000) / 10_000_000_000_000_000
    }
}
