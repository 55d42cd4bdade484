import Glibc
import CSwncSystem

/// The kinds of socket swnc opens.
public enum Transport {
    case tcp, udp

    var socketType: Int32 { Int32(self == .tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue) }
    public var name: String { self == .tcp ? "tcp" : "udp" }
}

/// A non-blocking, close-on-exec socket: thin wrappers over the socket calls.
public struct Socket {
    public let descriptor: FileDescriptor

    init(adopting descriptor: FileDescriptor) { self.descriptor = descriptor }

    /// socket(2) with SOCK_NONBLOCK | SOCK_CLOEXEC.
    public init(family: Int32, type: Int32) throws {
        let flags = Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        descriptor = FileDescriptor(try retryingOnInterrupt { Glibc.socket(family, type | flags, 0) })
    }

    /// setsockopt(2) of an integer option.
    public func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws {
        var value = value
        _ = try retryingOnInterrupt {
            setsockopt(descriptor.rawValue, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// bind(2).
    public func bind(to address: SocketAddress) throws {
        _ = try address.withSockaddr { pointer, length in
            try retryingOnInterrupt { Glibc.bind(descriptor.rawValue, pointer, length) }
        }
    }

    /// listen(2).
    public func listen(backlog: Int32 = SOMAXCONN) throws {
        _ = try retryingOnInterrupt { Glibc.listen(descriptor.rawValue, backlog) }
    }

    /// accept4(2): a new non-blocking socket and its peer's address, nil when nobody is waiting.
    public func accept() throws -> (Socket, SocketAddress)? {
        var peer = SocketAddress()
        let accepted = try peer.withMutableSockaddr { pointer, length in
            try nonBlocking { swnc_accept_nonblocking(descriptor.rawValue, pointer, length) }
        }
        return accepted.map { (Socket(adopting: FileDescriptor($0)), peer) }
    }

    /// connect(2). Returns false while a non-blocking connection is still in progress.
    public func connect(to address: SocketAddress) throws -> Bool {
        try address.withSockaddr { pointer, length in
            try nonBlocking { Glibc.connect(descriptor.rawValue, pointer, length) } != nil
        }
    }

    /// connect(2) once more while a non-blocking connect is under way, which reports how it is
    /// going: false while in progress, true once connected; throws its error once it failed
    /// (which leaves a TCP socket free to connect anew).
    public func connectAgain(to address: SocketAddress) throws -> Bool {
        do {
            return try connect(to: address)
        } catch let error as Errno where error.rawValue == EALREADY {
            return false
        } catch let error as Errno where error.rawValue == EISCONN {
            return true
        }
    }

    /// connect(2), waiting at most `timeout` (poll(2)) for it to finish.
    public func connect(to address: SocketAddress, timeout: Duration?) throws {
        if try connect(to: address) { return }
        guard try descriptor.wait(for: Int32(POLLOUT), until: timeout.map { Clock.now + $0 }) else { throw Errno(ETIMEDOUT) }
        if let error = pendingError() { throw error }
    }

    /// getsockopt(2) SO_ERROR: the error of a finished non-blocking connect, if any.
    public func pendingError() -> Errno? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor.rawValue, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return .current }
        return value == 0 ? nil : Errno(value)
    }

    /// getsockname(2).
    public func localAddress() throws -> SocketAddress {
        var address = SocketAddress()
        _ = try address.withMutableSockaddr { pointer, length in
            try retryingOnInterrupt { getsockname(descriptor.rawValue, pointer, length) }
        }
        return address
    }

    /// getpeername(2).
    public func peerAddress() throws -> SocketAddress {
        var address = SocketAddress()
        _ = try address.withMutableSockaddr { pointer, length in
            try retryingOnInterrupt { getpeername(descriptor.rawValue, pointer, length) }
        }
        return address
    }

    /// shutdown(2) of the sending side: the peer reads end of file.
    public func shutdownSending() {
        _ = Glibc.shutdown(descriptor.rawValue, Int32(SHUT_WR))
    }

    /// recvfrom(2): one datagram and its sender; nil when none is waiting.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, from sender: inout SocketAddress) throws -> Int? {
        try sender.withMutableSockaddr { pointer, length in
            try nonBlocking { recvfrom(descriptor.rawValue, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), pointer, length) }
        }
    }

    /// sendto(2) of one datagram; nil when the send buffer is full.
    public func send(_ bytes: UnsafeRawBufferPointer, to address: SocketAddress) throws -> Int? {
        try address.withSockaddr { pointer, length in
            try nonBlocking {
                sendto(descriptor.rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), pointer, length)
            }
        }
    }

    /// send(2) on a connected socket; nil when the send buffer is full.
    public func send(_ bytes: UnsafeRawBufferPointer) throws -> Int? {
        try nonBlocking { Glibc.send(descriptor.rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    public func close() { descriptor.close() }
}
