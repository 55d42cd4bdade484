import Glibc

/// `-kul -e` / `-c`: a child per sender address, each on its own SOCK_SEQPACKET socketpair so
/// that every datagram stays one message both ways (ncat merges them through a pipe). A
/// sender's datagrams go to its child; each message the child writes goes back to that sender.
/// A child whose sender has been silent for --idle-timeout (60 s by default) is ended, and so
/// is its session; a datagram that finds no room is dropped, as UDP would drop it.
final class DatagramExecServer {
    static let defaultIdleTimeout = Duration.seconds(60)
    fileprivate let loop: EventLoop
    fileprivate let configuration: Configuration
    fileprivate let report: Reporter
    private let access: AccessList
    fileprivate let idleTimeout: Duration
    private var listeners: [(socket: Socket, watch: EventLoop.Watch)] = []
    private var sessions: [String: SenderSession] = [:]
    fileprivate let buffer: UnsafeMutableRawBufferPointer

    init(_ configuration: Configuration, sockets: [Socket], loop: EventLoop, access: AccessList,
         report: @escaping Reporter) throws {
        self.configuration = configuration
        self.loop = loop
        self.access = access
        self.report = report
        idleTimeout = configuration.idleTimeout ?? DatagramExecServer.defaultIdleTimeout
        buffer = .allocate(byteCount: configuration.largestDatagram, alignment: 16)
        listeners = try loop.watchReading(sockets) { [unowned self] socket in receive(on: socket) }
    }

    deinit { buffer.deallocate() }

    private func receive(on socket: Socket) {
        var sender = SocketAddress()
        guard let count = try? socket.receive(into: buffer, from: &sender), sender.canBeRepliedTo else { return }
        let key = PeerName.of(sender)
        if let session = sessions[key] { return session.deliver(count) }
        if access.restrictsPeers, !access.permits(sender) { return report(.refused(sender)) }
        if let limit = configuration.maxConnections, sessions.count >= limit { return report(.tooManyPeers(sender)) }
        report(.connectionReceived(Listening.shownPeer(sender, of: socket, configuration)))
        do {
            let session = try SenderSession(server: self, socket: socket, sender: sender) { [unowned self] in
                sessions[key] = nil
            }
            sessions[key] = session
            session.deliver(count)
        } catch {
            report(.warning(error as? Failure ?? Failure("run \(configuration.exec?.first ?? "")", error)))
        }
    }
}

/// One sender and its child.
private final class SenderSession {
    unowned let server: DatagramExecServer
    private let socket: Socket
    private let sender: SocketAddress
    private let childEnd: Socket
    private let watch: EventLoop.Watch
    private var child: ChildProcess?
    private var lastActivity = Clock.now
    private var idleTimer: EventLoop.TimerID?
    private let onEnd: () -> Void

    init(server: DatagramExecServer, socket: Socket, sender: SocketAddress, onEnd: @escaping () -> Void) throws {
        self.server = server
        self.socket = socket
        self.sender = sender
        self.onEnd = onEnd
        let pair = try ChildProcess.connectionPair(type: Int32(SOCK_SEQPACKET.rawValue))
        defer { pair.child.close() }  // the child has its copy
        childEnd = pair.swnc
        do {
            watch = try server.loop.watch(childEnd.descriptor)
        } catch {
            childEnd.close()
            throw error
        }
        let environment = ChildProcess.environment(remote: sender, local: try? socket.localAddress(),
                                                   proto: server.configuration.unixDomain ? "UNIX" : "UDP")
        do {
            child = try ChildProcess.spawn(argv: server.configuration.exec ?? [], connection: pair.child,
                                           environment: environment, loop: server.loop) { [unowned self] status in
                childExited(status)
            }
        } catch {
            server.loop.remove(watch)
            childEnd.close()
            throw error
        }
        watch.onReady = { [unowned self] _ in reply() }
        watch.reading = true
        armIdleTimer()
    }

    /// The first `count` bytes of the server's buffer are a datagram from the sender.
    func deliver(_ count: Int) {
        lastActivity = Clock.now
        _ = try? childEnd.send(UnsafeRawBufferPointer(rebasing: server.buffer[..<count]))
    }

    /// The child wrote a message: it goes back to the sender as one datagram.
    private func reply() {
        guard let count = try? childEnd.descriptor.read(into: server.buffer) else { return }
        guard count > 0 else {
            watch.reading = false  // the child closed its end; its exit ends the session
            return
        }
        lastActivity = Clock.now
        _ = try? socket.send(UnsafeRawBufferPointer(rebasing: server.buffer[..<count]), to: sender)
    }

    private func armIdleTimer() {
        let idle = server.idleTimeout
        idleTimer = server.loop.schedule(after: idle - (Clock.now - lastActivity)) { [unowned self] in
            if Clock.now - lastActivity >= idle { child?.terminate() } else { armIdleTimer() }
        }
    }

    private func childExited(_ status: ChildProcess.ExitStatus) {
        if let error = child?.startFailure {
            server.report(.warning(ExecCommand.cannotRun(server.configuration.exec?.first ?? "", error)))
        } else if let child, status != .exited(0) {
            server.report(.childEnded(pid: child.pid, status: status))
        }
        server.loop.cancel(idleTimer)
        server.loop.remove(watch)
        childEnd.close()
        child = nil
        onEnd()
    }
}
