import Glibc

/// Takes the peers of a stream listener and hands each to the role: in batches, as many at
/// once as the role serves, and without -k only the first. The checks every role shares are
/// here, once: --allow/--deny and --max-conns (a peer refused is accepted and closed at once),
/// and the session logs' tap. Errors of one connection never end a -k listener; only the
/// listening socket's own do. Out of descriptors, it stops asking until a connection closes or
/// a second passes, instead of spinning on a listener that stays readable.
final class Acceptor {
    private static let batch = 64
    private let loop: EventLoop
    private let configuration: Configuration
    private let report: Reporter
    private let role: Role
    private let access: AccessList
    private let logs: SessionLogs
    /// --ssl: each peer is handshaken before the role gets it.
    private let tls: TLSContext?
    private var listeners: [(socket: Socket, watch: EventLoop.Watch)] = []
    private var served = 0
    private var retryTimer: EventLoop.TimerID?

    init(loop: EventLoop, sockets: [Socket], configuration: Configuration, role: Role,
         access: AccessList, logs: SessionLogs, tls: TLSContext? = nil, report: @escaping Reporter) throws {
        self.loop = loop
        self.configuration = configuration
        self.role = role
        self.access = access
        self.logs = logs
        self.tls = tls
        self.report = report
        listeners = try loop.watchReading(sockets) { [unowned self] socket in accept(from: socket) }
    }

    deinit { closeListeners() }

    private func accept(from listener: Socket) {
        for _ in 0..<Acceptor.batch where !isFull {
            let accepted: (Socket, SocketAddress)?
            do {
                accepted = try listener.accept()
            } catch let error as Errno where [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.rawValue) {
                return pause(retryingAfter: .seconds(1))
            } catch let error as Errno where [ECONNABORTED, EPROTO, EPERM, ENETDOWN, EHOSTUNREACH].contains(error.rawValue) {
                continue  // that connection died while waiting; the listener is fine
            } catch {
                return loop.fail(Failure("accept", error))
            }
            guard let (socket, address) = accepted else { return }
            let shown = Listening.shownPeer(address, of: listener, configuration)
            if access.restrictsPeers, !access.permits(address) {
                report(.refused(shown))
                socket.close()
                continue
            }
            if let limit = configuration.maxConnections, served >= limit {
                report(.tooManyPeers(shown))
                socket.close()
                continue
            }
            report(.connectionReceived(shown))
            let stream: DescriptorStream
            do {
                stream = try DescriptorStream(socket.descriptor, peer: shown, loop: loop)
            } catch {
                socket.close()
                return loop.fail(Failure("watch", error))
            }
            served += 1
            if !configuration.keepOpen { closeListeners() }
            if let tls {
                secure(stream, socket: socket, with: tls, shown: shown)
            } else {
                serve(Connection(stream: logs.tap(stream), isDatagram: false, socket: socket, shownAddress: shown))
            }
            if listeners.isEmpty { return }
        }
        if isFull { listeners.forEach { $0.watch.reading = false } }
    }

    private func serve(_ connection: Connection) {
        role.serve(connection, ended: connectionEnded)
    }

    /// What each connection calls when it is over: one closure for them all, not one each.
    private lazy var connectionEnded: (Relay.Ending) -> Void = { [unowned self] ending in ended(ending) }

    /// The TLS stage: the role gets the peer once its handshake is done; a failed or stalled
    /// handshake ends that connection only.
    private func secure(_ stream: DescriptorStream, socket: Socket, with context: TLSContext, shown: SocketAddress) {
        let session: TLSStream
        do {
            session = try TLSStream(server: context, over: stream)
        } catch {
            stream.close()
            return ended(.failed(error as? Failure ?? Failure("TLS with \(stream.name)", error)))
        }
        TLSHandshake.start(session, loop: loop, deadline: TLSHandshake.listenerDeadline) { [unowned self] failure in
            if let failure {
                session.close()
                return ended(.failed(failure))
            }
            report(.tlsSession(session.sessionSummary))
            role.serve(Connection(stream: logs.tap(session), isDatagram: false, socket: socket, shownAddress: shown)) { [unowned self] ending in
                if session.truncated { report(.tlsTruncated(peer: session.name)) }
                ended(ending)
            }
        }
    }

    private var isFull: Bool { role.concurrentPeers.map { served >= $0 } ?? false }

    /// One connection is over: without -k so is swnc; with -k, only -q or a closed stdout end it.
    private func ended(_ ending: Relay.Ending) {
        served -= 1
        switch ending {
        case .quit:
            loop.stop()
        case .failed(let failure) where !configuration.keepOpen:
            loop.fail(failure)
        case .failed(let failure):
            report(.warning(failure))
            fallthrough
        case .finished:
            if listeners.isEmpty { return loop.stop() }
            resume()
        }
    }

    private func pause(retryingAfter delay: Duration) {
        listeners.forEach { $0.watch.reading = false }
        loop.cancel(retryTimer)
        retryTimer = loop.schedule(after: delay) { [unowned self] in resume() }
    }

    private func resume() {
        loop.cancel(retryTimer)
        retryTimer = nil
        if !isFull { listeners.forEach { $0.watch.reading = true } }
    }

    private func closeListeners() {
        for (socket, watch) in listeners {
            loop.remove(watch)
            socket.close()
        }
        listeners = []
    }
}
