/// `--output` and `--hex-dump`: the session logs of the run, opened once at start (each -k
/// peer is added to the same files) and put over every peer stream as a tap.
final class SessionLogs {
    private let logs: [SessionLog]

    init(_ configuration: Configuration) throws {
        var logs: [SessionLog] = []
        if let path = configuration.outputFile {
            logs.append(try RawSessionLog(path: path, append: configuration.appendOutput))
        }
        if let path = configuration.hexDumpFile {
            logs.append(try HexDumpSessionLog(path: path, append: configuration.appendOutput))
        }
        self.logs = logs
    }

    deinit { logs.forEach { $0.close() } }

    /// `stream`, tapped when there is a log (a tap turns splice off; without logs nothing changes).
    func tap(_ stream: ByteStream) -> ByteStream {
        logs.isEmpty ? stream : TapStream(wrapping: stream, logs: logs)
    }
}
