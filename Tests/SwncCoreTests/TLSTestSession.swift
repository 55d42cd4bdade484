@testable import SwncCore

/// Drives TLS streams on an event loop the way a pump would, through their readiness waits.
enum TLSTestSession {
    /// Runs each stream's handshake to its end: each one's failure message, nil for success.
    static func handshake(_ streams: [TLSStream], on loop: EventLoop) throws -> [String?] {
        var outcomes: [String??] = Array(repeating: nil, count: streams.count)
        for (index, stream) in streams.enumerated() {
            drive(stream) { failure in
                outcomes[index] = .some(failure)
                if !outcomes.contains(where: { $0 == nil }) { loop.stop() }
            }
        }
        try run(loop, unlessDone: { !outcomes.contains(where: { $0 == nil }) })
        return outcomes.map { $0 ?? "did not end" }
    }

    private static func drive(_ stream: TLSStream, done: @escaping (String?) -> Void) {
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
                done("\(error)")
            }
        }
        stream.onReadable = step
        step()
    }

    /// Each stream sends its bytes and then close_notify (`nil`: sends nothing and keeps its
    /// sending side open), all at the same time, and reads until its end of file; returns what
    /// each received.
    static func exchange(_ sides: [(TLSStream, [UInt8]?)], on loop: EventLoop) throws -> [[UInt8]] {
        let endpoints = sides.map { Endpoint($0.0, sending: $0.1) }
        let allDone = { endpoints.allSatisfy(\.isDone) }
        for endpoint in endpoints {
            endpoint.start { if allDone() { loop.stop() } }
        }
        try run(loop, unlessDone: allDone)
        if let failure = endpoints.lazy.compactMap(\.failure).first { throw failure }
        return endpoints.map(\.received)
    }

    /// Runs the loop until it is stopped, for at most 10 seconds; not at all when `done` already.
    private static func run(_ loop: EventLoop, unlessDone done: () -> Bool) throws {
        if done() { return }
        let timeout = loop.schedule(after: .seconds(10)) { loop.fail(Failure("timed out")) }
        defer { loop.cancel(timeout) }
        try loop.run()
    }

    /// One side of an exchange.
    private final class Endpoint {
        let stream: TLSStream
        let outgoing: [UInt8]
        let endsSending: Bool
        var sent = 0
        var received: [UInt8] = []
        var endOfFile = false
        var failure: Error?
        private var whenDone: () -> Void = {}

        init(_ stream: TLSStream, sending outgoing: [UInt8]?) {
            self.stream = stream
            self.outgoing = outgoing ?? []
            endsSending = outgoing != nil
        }

        var isDone: Bool { failure != nil || (endOfFile && sent == outgoing.count) }

        func start(whenDone: @escaping () -> Void) {
            self.whenDone = whenDone
            stream.onReadable = { [unowned self] in readSome() }
            stream.onWritable = { [unowned self] in writeSome() }
            if endsSending { writeSome() }
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
