import Glibc

/// `swnc --echo -l` over TCP or UNIX stream: every byte a connection sends is written back to
/// it. Without -k the first connection is served and swnc exits when it ends; with -k any number
/// are served at once. One shared read buffer; a connection holds its own buffer only while a
/// write back is incomplete, and is not read until that buffer drains (so a peer that never
/// reads cannot grow the server).
final class EchoServer {
    private static let acceptBatch = 64
    private let configuration: Configuration
    private let report: Reporter
    private let loop: EventLoop
    private var listeners: [(socket: Socket, watch: EventLoop.Watch)] = []
    private var connections: [Int32: EchoConnection] = [:]
    private var acceptRetry: EventLoop.TimerID?
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    init(_ configuration: Configuration, sockets: [Socket], loop: EventLoop, report: @escaping Reporter) {
        self.configuration = configuration
        self.report = report
        self.loop = loop
        for socket in sockets {
            let watch = loop.watch(socket.descriptor)
            watch.onReadable = { [unowned self] in accept(from: socket) }
            watch.reading = true
            listeners.append((socket, watch))
        }
    }

    deinit { scratch.deallocate() }

    private func accept(from listener: Socket) {
        for _ in 0..<EchoServer.acceptBatch {
            let accepted: (Socket, SocketAddress)?
            do {
                accepted = try listener.accept()
            } catch let error as Errno where [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.rawValue) {
                return pauseAccepting()
            } catch {
                continue  // the connection died while waiting (ECONNABORTED and the like)
            }
            guard let (socket, peer) = accepted else { return }
            let shownPeer = Listening.shownPeer(peer, of: listener, configuration)
            report(.connectionReceived(shownPeer))
            connections[socket.descriptor.rawValue] = EchoConnection(server: self, socket: socket, peer: shownPeer)
            if !configuration.keepOpen { return closeListeners() }
        }
    }

    /// Out of descriptors: stop asking until a connection closes (or a second passes), instead of
    /// spinning on a listener that stays readable.
    private func pauseAccepting() {
        listeners.forEach { $0.watch.reading = false }
        loop.cancel(acceptRetry)
        acceptRetry = loop.schedule(after: .seconds(1)) { [unowned self] in resumeAccepting() }
    }

    private func resumeAccepting() {
        loop.cancel(acceptRetry)
        acceptRetry = nil
        listeners.forEach { $0.watch.reading = true }
    }

    private func closeListeners() {
        for (socket, watch) in listeners {
            loop.remove(watch)
            socket.close()
        }
        listeners = []
    }

    fileprivate func watch(_ descriptor: FileDescriptor) -> EventLoop.Watch { loop.watch(descriptor) }

    fileprivate func closed(_ connection: EchoConnection) {
        loop.remove(connection.watch)
        connection.socket.close()
        connections[connection.socket.descriptor.rawValue] = nil
        report(.echoClosed(peer: connection.peer, bytes: connection.bytesEchoed))
        if !configuration.keepOpen { return loop.stop() }
        if acceptRetry != nil { resumeAccepting() }
    }
}

/// One echoed connection.
private final class EchoConnection {
    unowned let server: EchoServer
    let socket: Socket
    let peer: SocketAddress
    let watch: EventLoop.Watch
    /// What the peer has not taken back yet; allocated only while a write back is incomplete.
    private var unsent: ByteBuffer?
    private var peerFinished = false
    private(set) var bytesEchoed = 0

    init(server: EchoServer, socket: Socket, peer: SocketAddress) {
        self.server = server
        self.socket = socket
        self.peer = peer
        watch = server.watch(socket.descriptor)
        watch.onReadable = { [unowned self] in receive() }
        watch.onWritable = { [unowned self] in sendUnsent() }
        watch.reading = true
    }

    private func receive() {
        do {
            guard let count = try socket.descriptor.read(into: server.scratch) else { return }
            if count == 0 {
                peerFinished = true
                return unsent == nil ? server.closed(self) : ()
            }
            let bytes = UnsafeRawBufferPointer(rebasing: server.scratch[..<count])
            let written = try socket.send(bytes) ?? 0
            bytesEchoed += written
            if written < count {
                let rest = ByteBuffer(capacity: server.scratch.count)
                rest.append(UnsafeRawBufferPointer(rebasing: bytes[written...]))
                unsent = rest
                watch.reading = false
                watch.writing = true
            }
        } catch {
            server.closed(self)
        }
    }

    private func sendUnsent() {
        guard let unsent else { return }
        do {
            guard let written = try socket.send(unsent.readable) else { return }
            unsent.consume(written)
            bytesEchoed += written
        } catch {
            return server.closed(self)
        }
        guard unsent.isEmpty else { return }
        self.unsent = nil
        watch.writing = false
        if peerFinished { return server.closed(self) }
        watch.reading = true
    }
}
