import Glibc
import Testing
@testable import SwncCore

@Suite struct SocketOptionsTests {
    /// getsockopt(2) of an integer option.
    private func option(_ socket: Socket, _ level: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(socket.descriptor.rawValue, level, name, &value, &length) == 0 else { return nil }
        return value
    }

    private var everyOption: Configuration {
        var configuration = Configuration()
        configuration.allowBroadcast = true
        configuration.receiveBufferSize = 4096
        configuration.sendBufferSize = 8192
        configuration.ttl = 7
        configuration.minimumTTL = 5
        configuration.typeOfService = 0xb8
        return configuration
    }

    @Test func everyKeywordHasOpenBSDsValue() {
        let expected: [(String, Int32)] = [
            ("lowdelay", 0x10), ("throughput", 0x08), ("reliability", 0x04),
            ("critical", 0xa0), ("inetcontrol", 0xc0), ("netcontrol", 0xe0),
            ("af11", 0x28), ("af12", 0x30), ("af13", 0x38), ("af21", 0x48), ("af22", 0x50), ("af23", 0x58),
            ("af31", 0x68), ("af32", 0x70), ("af33", 0x78), ("af41", 0x88), ("af42", 0x90), ("af43", 0x98),
            ("cs0", 0x00), ("cs1", 0x20), ("cs2", 0x40), ("cs3", 0x60),
            ("cs4", 0x80), ("cs5", 0xa0), ("cs6", 0xc0), ("cs7", 0xe0),
            ("ef", 0xb8), ("va", 0xb0),
        ]
        for (keyword, value) in expected {
            #expect(TypeOfService.parse(keyword) == value, "\(keyword)")
            #expect(TypeOfService.parse(keyword.uppercased()) == value, "\(keyword)")
        }
        #expect(TypeOfService.keywords.count == expected.count)
    }

    @Test func typeOfServiceNumbersAreDecimalOrHexUpTo255() {
        let accepted: [(String, Int32)] = [("0", 0), ("16", 16), ("255", 255), ("0x10", 0x10), ("0XB8", 0xb8),
                                           ("0xff", 255), ("007", 7), ("0x0", 0)]
        for (text, value) in accepted { #expect(TypeOfService.parse(text) == value, "\(text)") }
        for text in ["", "256", "-1", "+5", "0x", "0x100", "0x-1", "0x+f", " 5", "5 ", "1e2", "ff", "lowdelayx",
                     "af44", "cs8", "99999999999999999999999999", "0x99999999999999999999", "٣"] {
            #expect(TypeOfService.parse(text) == nil, "\(text)")
        }
    }

    @Test func hopCountsAre1To255() {
        #expect(SocketOptions.hopCount("1") == 1)
        #expect(SocketOptions.hopCount("64") == 64)
        #expect(SocketOptions.hopCount("255") == 255)
        for text in ["0", "256", "-1", "+1", "", "0x10", "1.5", "99999999999999999999999"] {
            #expect(SocketOptions.hopCount(text) == nil, "\(text)")
        }
    }

    @Test func bufferSizesArePositiveInt32s() {
        #expect(SocketOptions.bufferSize("1") == 1)
        #expect(SocketOptions.bufferSize("65536") == 65536)
        #expect(SocketOptions.bufferSize("2147483647") == Int32.max)
        for text in ["0", "-1", "2147483648", "", "1k", "0x100", "99999999999999999999999"] {
            #expect(SocketOptions.bufferSize(text) == nil, "\(text)")
        }
    }

    @Test func anIPv4TCPSocketGetsTTLMinimumTTLTOSAndBuffersButNoBroadcast() throws {
        let socket = try Socket(family: AF_INET, type: Transport.tcp.socketType)
        defer { socket.close() }
        #expect(try SocketOptions.apply(everyOption, to: socket, family: AF_INET, transport: .tcp) == nil)
        #expect(option(socket, Int32(IPPROTO_IP), IP_TTL) == 7)
        #expect(option(socket, Int32(IPPROTO_IP), IP_MINTTL) == 5)
        #expect(option(socket, Int32(IPPROTO_IP), IP_TOS) == 0xb8)
        // Linux doubles the size asked for, to count its bookkeeping.
        #expect(option(socket, SOL_SOCKET, SO_RCVBUF) == 8192)
        #expect(option(socket, SOL_SOCKET, SO_SNDBUF) == 16384)
        #expect(option(socket, SOL_SOCKET, SO_BROADCAST) == 0)
    }

    @Test func anIPv4UDPSocketGetsBroadcast() throws {
        let socket = try Socket(family: AF_INET, type: Transport.udp.socketType)
        defer { socket.close() }
        #expect(try SocketOptions.apply(everyOption, to: socket, family: AF_INET, transport: .udp) == nil)
        #expect(option(socket, SOL_SOCKET, SO_BROADCAST) == 1)
        #expect(option(socket, Int32(IPPROTO_IP), IP_TOS) == 0xb8)
        #expect(option(socket, Int32(IPPROTO_IP), IP_TTL) == 7)
    }

    @Test func anIPv6SocketGetsHopLimitMinimumHopCountTrafficClassAndTheIPv4OnesForMappedPeers() throws {
        for transport in [Transport.tcp, .udp] {
            let socket = try Socket(family: AF_INET6, type: transport.socketType)
            defer { socket.close() }
            #expect(try SocketOptions.apply(everyOption, to: socket, family: AF_INET6, transport: transport) == nil)
            #expect(option(socket, Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS) == 7)
            #expect(option(socket, Int32(IPPROTO_IPV6), IPV6_MINHOPCOUNT) == 5)
            #expect(option(socket, Int32(IPPROTO_IPV6), IPV6_TCLASS) == 0xb8)
            #expect(option(socket, Int32(IPPROTO_IP), IP_TTL) == 7)
            #expect(option(socket, Int32(IPPROTO_IP), IP_MINTTL) == 5)
            #expect(option(socket, Int32(IPPROTO_IP), IP_TOS) == 0xb8)
            #expect(option(socket, SOL_SOCKET, SO_RCVBUF) == 8192)
        }
    }

    @Test func aUNIXSocketGetsOnlyTheBuffers() throws {
        let socket = try Socket(family: AF_UNIX, type: Transport.udp.socketType)
        defer { socket.close() }
        #expect(try SocketOptions.apply(everyOption, to: socket, family: AF_UNIX, transport: .udp) == nil)
        #expect(option(socket, SOL_SOCKET, SO_RCVBUF) == 8192)
        #expect(option(socket, SOL_SOCKET, SO_SNDBUF) == 16384)
        #expect(option(socket, SOL_SOCKET, SO_BROADCAST) == 0)
    }

    @Test func withoutOptionsNothingChanges() throws {
        let socket = try Socket(family: AF_INET, type: Transport.udp.socketType)
        defer { socket.close() }
        let before = [option(socket, Int32(IPPROTO_IP), IP_TTL), option(socket, Int32(IPPROTO_IP), IP_TOS),
                      option(socket, SOL_SOCKET, SO_RCVBUF), option(socket, SOL_SOCKET, SO_BROADCAST)]
        #expect(try SocketOptions.apply(Configuration(), to: socket, family: AF_INET, transport: .udp) == nil)
        let after = [option(socket, Int32(IPPROTO_IP), IP_TTL), option(socket, Int32(IPPROTO_IP), IP_TOS),
                     option(socket, SOL_SOCKET, SO_RCVBUF), option(socket, SOL_SOCKET, SO_BROADCAST)]
        #expect(after == before)
        #expect(option(socket, SOL_SOCKET, SO_BROADCAST) == 0)
    }

    @Test func debugIsSetWhereAllowed() throws {
        // Linux lets SO_DEBUG through with CAP_NET_ADMIN only: what a bare setsockopt says decides.
        let allowed = try {
            let probe = try Socket(family: AF_INET, type: Transport.tcp.socketType)
            defer { probe.close() }
            return (try? probe.setOption(SOL_SOCKET, SO_DEBUG, 1)) != nil
        }()
        var configuration = Configuration()
        configuration.debugSocket = true
        let socket = try Socket(family: AF_INET, type: Transport.tcp.socketType)
        defer { socket.close() }
        let warning = try SocketOptions.apply(configuration, to: socket, family: AF_INET, transport: .tcp)
        #expect(warning?.description == (allowed ? nil : "SO_DEBUG: Permission denied"))
        #expect(option(socket, SOL_SOCKET, SO_DEBUG) == (allowed ? 1 : 0))
    }

    @Test func aRefusedDebugIsAWarningNotAnError() throws {
        // A pipe refuses every socket option: SO_DEBUG's refusal must not throw.
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        var configuration = Configuration()
        configuration.debugSocket = true
        let warning = try SocketOptions.apply(configuration, to: Socket(adopting: FileDescriptor(ends[0])),
                                              family: AF_INET, transport: .tcp)
        #expect(warning?.description == "SO_DEBUG: Socket operation on non-socket")
    }

    @Test func aValueTheSystemRefusesIsOneLineNamingTheOption() throws {
        var configuration = Configuration()
        configuration.ttl = 0
        let socket = try Socket(family: AF_INET, type: Transport.tcp.socketType)
        defer { socket.close() }
        let error = #expect(throws: Failure.self) {
            try SocketOptions.apply(configuration, to: socket, family: AF_INET, transport: .tcp)
        }
        #expect(error?.description == "set IP_TTL to 0 failed: Invalid argument")
    }
}
