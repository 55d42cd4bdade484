/// The TLS stage of a connection: drives a `TLSStream`'s handshake on the event loop until it
/// is done or has failed, under a deadline, then calls back once. It never blocks the loop, so
/// a peer that stalls mid-handshake holds up nobody else; the deadline drops it.
final class TLSHandshake {
    /// How long a listener waits for one peer's handshake: a client that connects and goes
    /// quiet (slowloris) is dropped after this.
    static let listenerDeadline: Duration = .seconds(10)

    private let stream: TLSStream
    private let loop: EventLoop
    private var timer: EventLoop.TimerID?
    private var done: ((Failure?) -> Void)?

    /// Starts the handshake on `stream`; `done` gets nil once it succeeded, or the one-line
    /// failure (the stream is then still open: the caller closes it). nil `deadline`: no bound.
    @discardableResult
    static func start(_ stream: TLSStream, loop: EventLoop, deadline: Duration?,
                      done: @escaping (Failure?) -> Void) -> TLSHandshake {
        let handshake = TLSHandshake(stream, loop: loop, done: done)
        if let deadline {
            handshake.timer = loop.schedule(after: deadline) { [weak handshake] in
                handshake?.finish(Failure("TLS handshake with \(stream.name)", "timed out"))
            }
        }
        // The first step comes from the loop (a connected socket is writable at once), so `done`
        // is never called before `start` returns, nor before the loop runs.
        stream.waitToRead(.writable)
        return handshake
    }

    private init(_ stream: TLSStream, loop: EventLoop, done: @escaping (Failure?) -> Void) {
        self.stream = stream
        self.loop = loop
        self.done = done
        // The stream's callback holds the handshake until it finishes.
        stream.onReadable = { [self] in step() }
    }

    private func step() {
        do {
            guard let wait = try stream.handshake() else { return finish(nil) }
            stream.waitToRead(wait)  // either readiness: the stream routes both to onReadable
        } catch {
            finish(error as? Failure ?? Failure("TLS handshake with \(stream.name)", error))
        }
    }

    private func finish(_ failure: Failure?) {
        guard let done else { return }
        self.done = nil
        loop.cancel(timer)
        stream.waitToRead(nil)
        stream.onReadable = {}  // lets go of the handshake
        done(failure)
    }
}
