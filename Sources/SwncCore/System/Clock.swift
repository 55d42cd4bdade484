import Glibc

/// The monotonic clock (clock_gettime(2) CLOCK_MONOTONIC), as a Duration since boot.
public enum Clock {
    public static var now: Duration { .nanoseconds(Reading.now.nanoseconds) }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a wait never ends early.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}

extension Clock {
    /// A reading of the clock in 8 bytes, where a Duration takes 16: for what each of 10,000
    /// connections keeps.
    struct Reading {
        fileprivate let nanoseconds: Int64

        static var now: Reading {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return Reading(nanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
        }

        /// The time since the reading.
        var elapsed: Duration { Clock.now - .nanoseconds(nanoseconds) }
    }
}
