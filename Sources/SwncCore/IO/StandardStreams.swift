import Glibc

/// stdin and stdout as streams on the event loop. Pipes and sockets are made non-blocking so
/// that a full stdout cannot stall the other direction; their flags are put back when swnc
/// exits. Terminals stay as they are (they are shared with the shell). They belong to the
/// process: closing the streams stops watching them, and leaves them open.
final class StandardStreams {
    let input: DescriptorStream
    let output: DescriptorStream
    private unowned let loop: EventLoop

    init(loop: EventLoop) throws {
        self.loop = loop
        ProcessCleanup.makeNonBlocking(.standardInput)
        ProcessCleanup.makeNonBlocking(.standardOutput)
        input = try DescriptorStream(.standardInput, name: "stdin", loop: loop, ownsDescriptor: false)
        output = try DescriptorStream(.standardOutput, name: "stdout", loop: loop, ownsDescriptor: false)
    }

    /// The relays' local side, one for the whole run: stdin (unless -d or --recv-only) and
    /// stdout (unless --send-only). stdin goes out a line at a time with -i, and with each LF
    /// as CR LF with -C.
    func localSide(_ configuration: Configuration) -> LocalSide {
        let output: ByteStream = configuration.sendOnly ? DiscardStream() : output
        guard configuration.readsInput, !configuration.receiveOnly else { return LocalSide(input: nil, output: output) }
        var stream: ByteStream = input
        if let interval = configuration.interval {
            stream = LineIntervalStream(wrapping: stream, interval: interval, loop: loop)
        }
        if configuration.crlf { stream = CRLFStream(wrapping: stream) }
        return LocalSide(input: stream, output: output)
    }

    deinit {
        input.close()
        output.close()
    }
}
