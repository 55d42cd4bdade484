import Glibc

/// `swnc --broadcast [address] port`: each line of stdin (or each read, for input without
/// newlines) goes out as one UDP datagram with SO_BROADCAST set; swnc exits when stdin ends.
public enum Broadcaster {
    static let defaultAddress = "255.255.255.255"
    static let largestDatagram = 65507

    public static func run(_ configuration: Configuration, report: @escaping Reporter) throws {
        var resolver = configuration.resolver
        resolver.family = AF_INET
        let host = configuration.host ?? defaultAddress
        guard let destination = try resolver.addresses(of: host, port: configuration.port, transport: .udp).first else {
            throw Failure("resolve \(host)", "no IPv4 address")
        }
        let socket = try Socket(family: AF_INET, type: Transport.udp.socketType)
        defer { socket.close() }
        let name = "\(destination.host) port \(destination.port) (udp)"
        do {
            try SocketOptions.apply(configuration, to: socket, family: AF_INET, report: report)
            try socket.setOption(SOL_SOCKET, SO_BROADCAST, 1)
            if let source = configuration.sourceAddress {
                try socket.bind(to: try resolver.addresses(of: source, port: configuration.sourcePort ?? 0, transport: .udp, passive: true)[0])
            } else if let port = configuration.sourcePort {
                try socket.bind(to: .any(family: AF_INET, port: port))
            }
        } catch {
            throw Failure("broadcast to \(name)", error)
        }
        report(.connected(host: host, address: destination, transport: .udp))
        try sendLines(to: destination, over: socket, name: name)
    }

    /// Reads stdin (blocking: nothing else is going on) and sends it line by line.
    private static func sendLines(to destination: SocketAddress, over socket: Socket, name: String) throws {
        let buffer = ByteBuffer(capacity: largestDatagram)
        var blocking = pollfd(fd: socket.descriptor.rawValue, events: Int16(POLLOUT), revents: 0)
        func send(_ datagram: UnsafeRawBufferPointer) throws {
            do {
                while try socket.send(datagram, to: destination) == nil { _ = poll(&blocking, 1, -1) }
            } catch {
                throw Failure("send to \(name)", error)
            }
        }
        while true {
            let count: Int
            do {
                guard let read = try FileDescriptor.standardInput.read(into: buffer.writable) else {
                    waitForInput()
                    continue
                }
                count = read
            } catch {
                throw Failure("read from stdin", error)
            }
            if count == 0 { break }
            buffer.commit(count)
            // Every complete line is one datagram; a read with no newline at all is one as it is.
            var sentLine = false
            while let newline = buffer.readable.firstIndex(of: 10) {
                try send(UnsafeRawBufferPointer(rebasing: buffer.readable[...newline]))
                buffer.consume(newline + 1)
                sentLine = true
            }
            buffer.compact()
            if !buffer.isEmpty, !sentLine || !buffer.hasSpace {
                try send(buffer.readable)
                buffer.removeAll()
            }
        }
        if !buffer.isEmpty { try send(buffer.readable) }
    }

    /// stdin is non-blocking and empty: wait until it is readable.
    private static func waitForInput() {
        var entry = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, -1)
    }
}
