import Testing
@testable import SwncCore

@Suite struct TransferReportTests {
    @Test func statsLineHasSecondsWithTwoDecimals() {
        #expect(TransferStats.line(sent: 10, received: 2048, elapsed: .milliseconds(1234))
                == "10 bytes sent, 2048 bytes received in 1.23 seconds")
        #expect(TransferStats.line(sent: 0, received: 0, elapsed: .zero) == "0 bytes sent, 0 bytes received in 0.00 seconds")
        #expect(TransferStats.line(sent: 1, received: 2, elapsed: .milliseconds(1235)) == "1 bytes sent, 2 bytes received in 1.24 seconds")
        #expect(TransferStats.line(sent: 1, received: 2, elapsed: .milliseconds(5)) == "1 bytes sent, 2 bytes received in 0.01 seconds")
        #expect(TransferStats.line(sent: 1, received: 2, elapsed: .milliseconds(61_500)) == "1 bytes sent, 2 bytes received in 61.50 seconds")
    }

    @Test func bytesInBinaryUnits() {
        #expect(TransferUnits.bytes(0) == "0 B")
        #expect(TransferUnits.bytes(1023) == "1023 B")
        #expect(TransferUnits.bytes(1024) == "1.0 KiB")
        #expect(TransferUnits.bytes(1536) == "1.5 KiB")
        #expect(TransferUnits.bytes(1024 * 1024 - 1) == "1.0 MiB")
        #expect(TransferUnits.bytes(20 * 1024 * 1024 + 100 * 1024) == "20.1 MiB")
        #expect(TransferUnits.bytes(3 * 1024 * 1024 * 1024) == "3.0 GiB")
        #expect(TransferUnits.bytes(Int.max) == "8388608.0 TiB")
    }

    @Test func clockReadings() {
        #expect(TransferUnits.clock(.zero) == "0:00")
        #expect(TransferUnits.clock(.milliseconds(9_999)) == "0:09")
        #expect(TransferUnits.clock(.seconds(754)) == "12:34")
        #expect(TransferUnits.clock(.seconds(3725)) == "1:02:05")
    }

    @Test func progressLineWithoutAKnownSize() {
        #expect(ProgressMeter.line(sent: 1536, received: 512, elapsed: .seconds(2))
                == "sent 1.5 KiB, received 512 B, 1.0 KiB/s, 0:02")
        #expect(ProgressMeter.line(sent: 0, received: 0, elapsed: .zero) == "sent 0 B, received 0 B, 0 B/s, 0:00")
    }

    @Test func progressLineWithAKnownSizeHasPercentAndETA() {
        #expect(ProgressMeter.line(sent: 1536, received: 0, elapsed: .seconds(2), totalSize: 3072)
                == "sent 1.5 KiB, received 0 B, 768 B/s, 0:02, 50%, ETA 0:02")
        #expect(ProgressMeter.line(sent: 3072, received: 0, elapsed: .seconds(4), totalSize: 3072)
                == "sent 3.0 KiB, received 0 B, 768 B/s, 0:04, 100%, ETA 0:00")
        // Nothing sent yet: no ETA to tell.
        #expect(ProgressMeter.line(sent: 0, received: 10, elapsed: .seconds(1), totalSize: 100)
                == "sent 0 B, received 10 B, 10 B/s, 0:01, 0%")
        #expect(ProgressMeter.line(sent: 0, received: 0, elapsed: .seconds(1), totalSize: 0)
                == "sent 0 B, received 0 B, 0 B/s, 0:01, 100%")
        // A huge size over a long time does not overflow.
        #expect(ProgressMeter.line(sent: 1, received: 0, elapsed: .seconds(86_400), totalSize: Int.max)
                == "sent 1 B, received 0 B, 0 B/s, 24:00:00, 0%, ETA 277777:46:40")
    }

    @Test func redrawReturnsToTheLineStartAndClearsTheRest() {
        #expect(ProgressMeter.redraw("x") == "\rx\u{1B}[K")
        #expect(ProgressMeter.clear == "\r\u{1B}[K")
    }
}
