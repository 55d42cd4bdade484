import Glibc
@testable import SwncCore

/// A TLS client and a TLS server over a socketpair, on one event loop: the client's stream is
/// named as if it had connected to "HOST port 443", the server's as its peer "127.0.0.1 port 40000".
final class TLSTestPair {
    let loop: EventLoop
    let client: TLSStream
    let server: TLSStream

    init(client clientContext: TLSContext, server serverContext: TLSContext, host: String = "localhost") throws {
        signal(SIGPIPE, SIG_IGN)  // as swnc does: a peer gone is an error, not a signal
        loop = try EventLoop()
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
                         0, &ends) == 0 else { throw Errno.current }
        client = try TLSStream(client: clientContext, host: host,
                               over: DescriptorStream(FileDescriptor(ends[0]), name: "\(host) port 443", loop: loop))
        server = try TLSStream(server: serverContext,
                               over: DescriptorStream(FileDescriptor(ends[1]), name: "127.0.0.1 port 40000", loop: loop))
    }

    deinit {
        client.close()
        server.close()
    }

    /// Runs both handshakes to their end: each side's failure message, nil for a side that succeeded.
    func handshake() throws -> (client: String?, server: String?) {
        var clientOutcome: Failure??
        var serverOutcome: Failure??
        let stopWhenBothEnded = { [unowned self] in
            if clientOutcome != nil, serverOutcome != nil { loop.stop() }
        }
        drive(client) { clientOutcome = .some($0); stopWhenBothEnded() }
        drive(server) { serverOutcome = .some($0); stopWhenBothEnded() }
        try run(unlessDone: { clientOutcome != nil && serverOutcome != nil })
        guard let clientOutcome, let serverOutcome else { throw Failure("handshakes did not end") }
        return (clientOutcome?.description, serverOutcome?.description)
    }

    private func drive(_ stream: TLSStream, done: @escaping (Failure?) -> Void) {
        func step() {
            do {
                if let readiness = try stream.handshake() {
                    stream.waitToRead(readiness)
                    return
                }
                stream.waitToRead(nil)
                done(nil)
            } catch {
                stream.waitToRead(nil)
                done(error as? Failure ?? Failure("\(error)"))
            }
        }
        stream.onReadable = step
        step()
    }

    /// Sends `clientData` to the server and `serverData` to the client at the same time, each
    /// side ending its sending with close_notify, and returns what each received up to its end
    /// of file.
    func exchange(_ clientData: [UInt8], _ serverData: [UInt8]) throws -> (client: [UInt8], server: [UInt8]) {
        let clientEnd = Endpoint(client, sending: clientData)
        let serverEnd = Endpoint(server, sending: serverData)
        let finished = { [unowned self] in
            if clientEnd.isDone, serverEnd.isDone { loop.stop() }
        }
        clientEnd.start(whenDone: finished)
        serverEnd.start(whenDone: finished)
        try run(unlessDone: { clientEnd.isDone && serverEnd.isDone })
        if let failure = clientEnd.failure ?? serverEnd.failure { throw failure }
        return (clientEnd.received, serverEnd.received)
    }

    /// Reads from `stream` until its end of file.
    func readAll(_ stream: TLSStream) throws -> [UInt8] {
        let end = Endpoint(stream, sending: [], endSending: false)
        end.start { [unowned self] in if end.isDone { loop.stop() } }
        try run(unlessDone: { end.isDone })
        if let failure = end.failure { throw failure }
        return end.received
    }

    /// Runs the loop until it is stopped, for at most 10 seconds; not at all when `done` already.
    private func run(unlessDone done: () -> Bool) throws {
        if done() { return }
        let timeout = loop.schedule(after: .seconds(10)) { [unowned self] in loop.fail(Failure("timed out")) }
        defer { loop.cancel(timeout) }
        try loop.run()
    }

    /// One side of an exchange: writes its bytes, then close_notify; reads until end of file.
    private final class Endpoint {
        let stream: TLSStream
        let outgoing: [UInt8]
        let endSending: Bool
        var sent = 0
        var received: [UInt8] = []
        var endOfFile = false
        var failure: Error?
        private var whenDone: () -> Void = {}

        init(_ stream: TLSStream, sending outgoing: [UInt8], endSending: Bool = true) {
            self.stream = stream
            self.outgoing = outgoing
            self.endSending = endSending
            if !endSending { sent = outgoing.count }
        }

        var isDone: Bool { failure != nil || (endOfFile && sent == outgoing.count) }

        func start(whenDone: @escaping () -> Void) {
            self.whenDone = whenDone
            stream.onReadable = { [unowned self] in readSome() }
            stream.onWritable = { [unowned self] in writeSome() }
            if endSending { writeSome() }
            readSome()
        }

        private func readSome() {
            var buffer = [UInt8](repeating: 0, count: 16384)
            do {
                while true {
                    switch try buffer.withUnsafeMutableBytes({ try stream.read(into: $0) }) {
                    case .bytes(let count):
                        received += buffer[..<count]
                    case .endOfFile:
                        endOfFile = true
                        stream.waitToRead(nil)
                        return whenDone()
                    case .wouldBlock(let readiness):
                        return stream.waitToRead(readiness)
                    }
                }
            } catch {
                fail(error)
            }
        }

        private func writeSome() {
            do {
                while sent < outgoing.count {
                    let result = try outgoing.withUnsafeBytes {
                        try stream.write(UnsafeRawBufferPointer(rebasing: $0[sent...]))
                    }
                    switch result {
                    case .wrote(let count): sent += count
                    case .wouldBlock(let readiness): return stream.waitToWrite(readiness)
                    }
                }
                stream.waitToWrite(nil)
                stream.shutdownSending()
                whenDone()
            } catch {
                fail(error)
            }
        }

        private func fail(_ error: Error) {
            failure = error
            stream.waitToRead(nil)
            stream.waitToWrite(nil)
            whenDone()
        }
    }
}
