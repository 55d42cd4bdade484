import Glibc

/// stdin and stdout as streams on the event loop. Pipes and sockets are made non-blocking so
/// that a full stdout cannot stall the other direction; their flags are put back when swnc
/// exits. Terminals stay as they are (they are shared with the shell). They belong to the
/// process: closing the streams stops watching them, and leaves them open.
final class StandardStreams {
    let input: DescriptorStream
    let output: DescriptorStream

    init(loop: EventLoop) throws {
        ProcessCleanup.makeNonBlocking(.standardInput)
        ProcessCleanup.makeNonBlocking(.standardOutput)
        input = try DescriptorStream(.standardInput, name: "stdin", loop: loop, ownsDescriptor: false)
        output = try DescriptorStream(.standardOutput, name: "stdout", loop: loop, ownsDescriptor: false)
    }

    /// The relays' local side, one for the whole run: stdin (unless -d or --recv-only) and
    /// stdout (unless --send-only).
    func localSide(_ configuration: Configuration) -> LocalSide {
        LocalSide(input: configuration.readsInput && !configuration.receiveOnly ? input : nil,
                  output: configuration.sendOnly ? DiscardStream() : output)
    }

    deinit {
        input.close()
        output.close()
    }
}
