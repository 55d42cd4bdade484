/// `swnc --echo -l` over TCP or UNIX stream: every byte a connection sends is written back to
/// it; the connection closes once the peer has closed and has had every byte back. One shared
/// read buffer; a connection holds a buffer of its own only while a write back is incomplete,
/// and is not read until it drains (so a peer that never reads cannot grow the server).
final class EchoRole: Role {
    let concurrentPeers: Int? = nil
    private let report: Reporter
    fileprivate let loop: EventLoop
    fileprivate let idleTimeout: Duration?
    /// The connections being served; each knows its place here, so that it leaves in O(1).
    private(set) var connections: [EchoConnection] = []
    fileprivate let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    init(loop: EventLoop, idleTimeout: Duration?, report: @escaping Reporter) {
        self.loop = loop
        self.idleTimeout = idleTimeout
        self.report = report
    }

    deinit {
        for connection in connections { connection.close() }
        scratch.deallocate()
    }

    func serve(_ connection: Connection, ended: @escaping (Relay.Ending) -> Void) {
        let echo = EchoConnection(role: self, connection: connection, ended: ended)
        echo.place = Int32(connections.count)
        connections.append(echo)
        echo.start()
    }

    fileprivate func closed(_ echo: EchoConnection) {
        guard let place = echo.place else { return }
        echo.place = nil
        let last = connections.removeLast()
        if last !== echo {
            connections[Int(place)] = last
            last.place = place
        }
        echo.stopIdleTimer()
        echo.close()
        // The acceptor names a peer's stream by its address (under TLS and the tap too).
        if let peer = echo.stream.peerAddress { report(.echoClosed(peer: peer, bytes: echo.bytesEchoed)) }
        report(.transferred(sent: echo.bytesEchoed, received: echo.bytesReceived, elapsed: echo.startedAt.elapsed))
        echo.ended(.finished)
    }
}

/// One echoed connection: 114 bytes, a 128-byte allocation (its peer's address is the
/// stream's, its clock readings 8 bytes each, its place 4), and no other.
final class EchoConnection {
    unowned let role: EchoRole
    let stream: ByteStream
    let ended: (Relay.Ending) -> Void
    /// What the peer has not taken back yet; allocated only while a write back is incomplete.
    private var unsent: ByteBuffer?
    private(set) var bytesEchoed = 0
    private(set) var bytesReceived = 0
    let startedAt = Clock.Reading.now
    private var lastActivity = Clock.Reading.now
    private var idleTimer: EventLoop.TimerID?
    /// Its index in the role's connections (4 bytes hold any count of descriptors); nil once closed.
    var place: Int32?
    private var peerFinished = false

    init(role: EchoRole, connection: Connection, ended: @escaping (Relay.Ending) -> Void) {
        self.role = role
        stream = connection.stream
        self.ended = ended
    }

    func start() {
        // It waits to read or to write back, never both: one closure serves both callbacks. It
        // holds the connection strongly, so needs no context allocation; `close` lets it go.
        let onReady = { [self] in unsent == nil ? receive() : sendUnsent() }
        stream.onReadable = onReady
        stream.onWritable = onReady
        stream.waitToRead(.readable)
        if let idle = role.idleTimeout { armIdleTimer(idle) }
    }

    /// --idle-timeout: a connection on which nothing moves for so long is closed.
    private func armIdleTimer(_ idle: Duration) {
        idleTimer = role.loop.schedule(after: idle - lastActivity.elapsed) { [unowned self] in
            if lastActivity.elapsed >= idle { role.closed(self) } else { armIdleTimer(idle) }
        }
    }

    func stopIdleTimer() { role.loop.cancel(idleTimer) }

    /// Closes the stream, and lets go of the callbacks that hold the connection.
    func close() {
        stream.close()
        stream.onReadable = {}
        stream.onWritable = {}
    }

    /// Reads and echoes; a stream holding bytes its descriptor will not announce again (TLS)
    /// is read until it holds none, or until a write back is incomplete.
    private func receive() {
        do {
            repeat {
                switch try stream.read(into: role.scratch) {
                case .endOfFile:
                    peerFinished = true
                    if unsent == nil { finish() }
                    return
                case .bytes(let count):
                    bytesReceived += count
                    lastActivity = Clock.Reading.now
                    stream.waitToRead(.readable)
                    try echo(UnsafeRawBufferPointer(rebasing: role.scratch[..<count]))
                case .wouldBlock(let readiness):
                    return stream.waitToRead(readiness)  // a TLS read may first have to write
                }
            } while unsent == nil && stream.hasBufferedInput
        } catch {
            role.closed(self)  // a reset or the like: the peer is gone
        }
    }

    private func echo(_ bytes: UnsafeRawBufferPointer) throws {
        var written = 0
        var waits = Readiness.writable
        switch try stream.write(bytes) {
        case .wrote(let count): written = count
        case .wouldBlock(let readiness): waits = readiness
        }
        bytesEchoed += written
        guard written < bytes.count else { return }
        let rest = ByteBuffer(capacity: role.scratch.count)
        rest.append(UnsafeRawBufferPointer(rebasing: bytes[written...]))
        unsent = rest
        stream.waitToRead(nil)
        stream.waitToWrite(waits)
    }

    private func sendUnsent() {
        guard let unsent else { return }
        do {
            switch try stream.write(unsent.readable) {  // TLS: retried with the same bytes first
            case .wrote(let written):
                unsent.consume(written)
                bytesEchoed += written
                lastActivity = Clock.Reading.now
            case .wouldBlock(let readiness):
                return stream.waitToWrite(readiness)
            }
        } catch {
            return role.closed(self)
        }
        guard unsent.isEmpty else { return stream.waitToWrite(.writable) }
        self.unsent = nil
        stream.waitToWrite(nil)
        if peerFinished { return finish() }
        stream.waitToRead(.readable)
        if stream.hasBufferedInput { receive() }
    }

    /// The peer has closed and has had every byte back: our end closes too (TLS: close_notify).
    private func finish() {
        stream.shutdownSending()
        role.closed(self)
    }
}
