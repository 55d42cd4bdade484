import Glibc
import Testing
@testable import SwncCore

/// SocketAddress keeps IP addresses inline and longer ones (UNIX paths) apart: both read back
/// as they were given, and compare by their bytes.
@Suite struct SocketAddressTests {
    @Test func anIPAddressIsKeptInFortyBytes() {
        #expect(MemoryLayout<SocketAddress>.size == 40)
    }

    @Test func anIPv6AddressReadsBackItsHostAndPort() throws {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = UInt16(5566).bigEndian
        _ = inet_pton(AF_INET6, "2001:db8::1", &address.sin6_addr)
        let copied = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                SocketAddress(copying: $0, length: socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
        #expect(copied.family == AF_INET6)
        #expect(copied.host == "2001:db8::1")
        #expect(copied.port == 5566)
        var changed = copied
        changed.port = 7
        #expect(changed.port == 7 && copied.port == 5566)
        #expect(changed != copied)
    }

    @Test(arguments: ["/tmp/s", "/tmp/a-socket-path-that-does-not-fit-inline-\(getpid()).sock", "@abstract-name"])
    func aUnixAddressReadsBackItsPath(path: String) throws {
        let address = try SocketAddress.unix(path: path)
        #expect(address.family == AF_UNIX)
        #expect(address.path == path)
        #expect(address == (try SocketAddress.unix(path: path)))
        #expect(address != (try SocketAddress.unix(path: path + "x")))
    }

    @Test func aBoundUnixSocketsLongPathComesBackFromTheKernel() throws {
        let path = "/tmp/swnc-socket-address-test-\(getpid())-with-a-long-name.sock"
        unlink(path)
        defer { unlink(path) }
        let socket = try Socket(family: AF_UNIX, type: Int32(SOCK_STREAM.rawValue))
        defer { socket.close() }
        try socket.bind(to: try SocketAddress.unix(path: path))
        #expect(try socket.localAddress().path == path)
        #expect(try socket.localAddress() == (try SocketAddress.unix(path: path)))
    }

    @Test func anAcceptThatWouldBlockReturnsNil() throws {
        let listener = try Socket(family: AF_INET, type: Int32(SOCK_STREAM.rawValue))
        defer { listener.close() }
        try listener.bind(to: .any(family: AF_INET, port: 0))
        try listener.listen()
        #expect(try listener.accept() == nil)
    }

    @Test func wouldBlockComesBackAsNilOtherErrorsAreThrownAndInterruptsRetried() throws {
        #expect(try nonBlocking { () -> Int32 in errno = EAGAIN; return -1 } == nil)
        #expect(throws: Errno(EBADF)) { try nonBlocking { () -> Int32 in errno = EBADF; return -1 } }
        var calls = 0
        let result = try nonBlocking { () -> Int32 in
            calls += 1
            if calls == 1 { errno = EINTR; return -1 }
            return 3
        }
        #expect(result == 3 && calls == 2)
    }
}
