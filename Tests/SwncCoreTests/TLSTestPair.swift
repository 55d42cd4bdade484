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
        let outcomes = try TLSTestSession.handshake([client, server], on: loop)
        return (outcomes[0], outcomes[1])
    }

    /// Each side sends its bytes, then close_notify, and reads until its end of file.
    func exchange(_ clientData: [UInt8], _ serverData: [UInt8]) throws -> (client: [UInt8], server: [UInt8]) {
        let received = try TLSTestSession.exchange([(client, clientData), (server, serverData)], on: loop)
        return (received[0], received[1])
    }

    /// Reads from `stream` until its end of file.
    func readAll(_ stream: TLSStream) throws -> [UInt8] {
        try TLSTestSession.exchange([(stream, nil)], on: loop)[0]
    }
}
