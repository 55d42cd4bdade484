import Glibc

/// `-e` / `-c`: each connection gets its own run of the program. The child's stdin and stdout
/// are one end of a socketpair; a `Relay` moves the other end's bytes to and from the peer
/// (end of file passing both ways). A connection is over once its relay has ended and its
/// child has been reaped: a child still running when the relay ends gets SIGTERM (SIGKILL
/// 2 s later); a child that exits ends the relay once its output has gone out.
final class ExecRole: Role {
    /// ncat's default for --max-conns.
    static let defaultMaxConnections = 100

    let concurrentPeers: Int?
    fileprivate let loop: EventLoop
    fileprivate let configuration: Configuration
    fileprivate let report: Reporter
    fileprivate let argv: [String]
    /// argv[0] as found at the first spawn (main checked it before listening): no PATH search
    /// per connection. nil while it cannot be found, so that each spawn says why.
    fileprivate lazy var path: String? = try? ExecCommand.resolve(argv.first ?? "")
    private var sessions: [ObjectIdentifier: ExecSession] = [:]

    init(loop: EventLoop, configuration: Configuration, report: @escaping Reporter) {
        self.loop = loop
        self.configuration = configuration
        self.report = report
        argv = configuration.exec ?? []
        concurrentPeers = configuration.keepOpen ? configuration.maxConnections ?? Self.defaultMaxConnections : 1
    }

    func serve(_ connection: Connection, ended: @escaping (Relay.Ending) -> Void) {
        run(for: Relay.Peer(stream: connection.stream, isDatagram: connection.isDatagram),
            socket: connection.socket.descriptor, ended: ended)
    }

    /// Runs the program for `peer` (an accepted connection, a client's, a UDP listener's first
    /// sender), whose own socket `socket` tells the child's environment the addresses;
    /// `firstData` arrived before (that sender's first datagram). A program that cannot be
    /// started ends this connection only: `ended` gets the failure, and the peer is closed.
    func run(for peer: Relay.Peer, socket: FileDescriptor, firstData: UnsafeRawBufferPointer? = nil,
             ended: @escaping (Relay.Ending) -> Void) {
        let session: ExecSession
        do {
            session = try ExecSession(role: self, peer: peer, environment: environment(of: Socket(adopting: socket)),
                                      ended: ended)
        } catch {
            peer.stream.close()
            return ended(.failed(error as? Failure ?? ExecCommand.cannotRun(argv.first ?? "", error)))
        }
        sessions[ObjectIdentifier(session)] = session
        session.start(firstData: firstData)
    }

    fileprivate func finished(_ session: ExecSession) {
        sessions[ObjectIdentifier(session)] = nil
    }

    /// SWNC_* and NCAT_* for the child: the peer's and swnc's addresses of this connection.
    private func environment(of socket: Socket) -> [(String, String)] {
        let proto = configuration.unixDomain ? "UNIX" : configuration.transport == .udp ? "UDP" : "TCP"
        return ChildProcess.environment(remote: try? socket.peerAddress(), local: try? socket.localAddress(), proto: proto)
    }
}

/// One connection and its child.
private final class ExecSession {
    unowned let role: ExecRole
    private let childStream: DescriptorStream
    private var relay: Relay?
    private var child: ChildProcess?
    /// How the relay ended; nil while it runs.
    private var ending: Relay.Ending?
    /// execve(2) refused the program: the connection ends with this failure.
    private var startFailure: Failure?
    private let ended: (Relay.Ending) -> Void

    /// Makes the socketpair and starts the child on its end. A datagram peer gets a
    /// SOCK_SEQPACKET pair, so that each datagram stays one message both ways; the child's
    /// stream is still read as a stream, whose read of 0 is the child's end.
    init(role: ExecRole, peer: Relay.Peer, environment: [(String, String)], ended: @escaping (Relay.Ending) -> Void) throws {
        self.role = role
        self.ended = ended
        let program = role.argv.first ?? ""
        let pair = try ChildProcess.connectionPair(type: Int32((peer.isDatagram ? SOCK_SEQPACKET : SOCK_STREAM).rawValue))
        defer { pair.child.close() }  // the child has its copy: its exit is the end of the stream
        do {
            childStream = try DescriptorStream(pair.swnc.descriptor, name: program, loop: role.loop)
        } catch {
            pair.swnc.close()
            throw Failure("watch the socketpair of \(program)", error)
        }
        do {
            child = try ChildProcess.spawn(argv: role.argv, path: role.path, connection: pair.child,
                                           environment: environment, loop: role.loop) { [unowned self] status in childExited(status) }
        } catch {
            childStream.close()
            throw error
        }
        let local = LocalSide(input: childStream, output: childStream, passesEndOfFile: true)
        relay = Relay(loop: role.loop, local: local, configuration: role.configuration, peer: peer) { [unowned self] ending in
            relayEnded(ending)
        }
        relay?.onWarning = { [report = role.report] in report(.warning($0)) }
    }

    func start(firstData: UnsafeRawBufferPointer?) {
        relay?.start(firstData: firstData)
    }

    private func relayEnded(_ ending: Relay.Ending) {
        self.ending = ending
        child?.terminate()
        finishIfDone()
    }

    private func childExited(_ status: ChildProcess.ExitStatus) {
        if let error = child?.startFailure {
            startFailure = ExecCommand.cannotRun(role.argv.first ?? "", error)
        } else if let child, status != .exited(0) {
            role.report(.childEnded(pid: child.pid, status: status))
        }
        if ending == nil { relay?.endOnceInputIsSent() }
        finishIfDone()
    }

    /// Both the relay and the child are done: the connection is over.
    private func finishIfDone() {
        guard let ending, child?.status != nil else { return }
        childStream.close()
        relay = nil
        child = nil
        role.finished(self)
        ended(startFailure.map { .failed($0) } ?? ending)
    }
}
