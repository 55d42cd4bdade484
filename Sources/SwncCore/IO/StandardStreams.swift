import Glibc

/// stdin and stdout on the event loop. Pipes and sockets are made non-blocking so that a full
/// stdout cannot stall the other direction; their flags are put back when swnc exits.
/// Terminals stay as they are (they are shared with the shell).
final class StandardStreams {
    let input: EventLoop.Watch
    let output: EventLoop.Watch
    /// stdin reached end of file (it stays ended for later peers of `-k`).
    var inputEnded = false

    init(loop: EventLoop) {
        ProcessCleanup.makeNonBlocking(.standardInput)
        ProcessCleanup.makeNonBlocking(.standardOutput)
        input = loop.watch(.standardInput)
        output = loop.watch(.standardOutput)
    }
}
