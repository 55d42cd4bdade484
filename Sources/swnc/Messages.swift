import SwncCore
import Glibc

/// The words swnc writes to stderr: -v reports (OpenBSD netcat's wording) and errors.
struct Messages {
    let verbosity: Int
    /// -n: no service names either, so `[tcp/*]`.
    let numericOnly: Bool
    /// --stats: each connection's totals, also without -v.
    var stats = false

    func report(_ event: Event) {
        if case .transferred(let sent, let received, let elapsed) = event {
            if stats || verbosity > 1 { Messages.write(TransferStats.line(sent: sent, received: received, elapsed: elapsed)) }
            return
        }
        guard verbosity > 0 else { return }
        switch event {
        case .transferred:
            break
        case .refused(let address):
            Messages.write("Connection from \(address.host) refused by --allow/--deny")
        case .tooManyPeers(let address):
            Messages.write("Connection from \(address.host) \(address.port) closed: --max-conns peers already served")
        case .listening(let address):
            Messages.write("Listening on \(describe(address))")
        case .bound(let address):
            Messages.write("Bound on \(describe(address))")
        case .connectionReceived(let address):
            Messages.write("Connection received on \(describe(address))")
        case .connected(let host, let address, _) where address.family == AF_UNIX:
            Messages.write("Connection to \(host) succeeded!")
        case .connected(let host, let address, let transport):
            let service = numericOnly ? "*" : Resolver.serviceName(ofPort: address.port, transport: transport)
            let shown = host == address.host || Resolver.isNumeric(host) ? address.host : "\(host) (\(address.host))"
            Messages.write("Connection to \(shown) \(address.port) port [\(transport.name)/\(service)] succeeded!")
        case .tunnelled(let host, let port):
            let service = numericOnly ? "*" : Resolver.serviceName(ofPort: port, transport: .tcp)
            Messages.write("Connection to \(host) \(port) port [tcp/\(service)] succeeded!")
        case .echoClosed(let peer, let bytes):
            Messages.write("Connection closed on \(describe(peer)): \(bytes) bytes echoed")
        case .childEnded(let pid, let status):
            Messages.write("Child \(pid) \(status)")
        case .brokerPeerDropped(let peer, let queueLimit):
            Messages.write("Connection from \(peer.host) \(peer.port) closed: more than \(queueLimit >> 20) MiB queued")
        case .tlsCertificate(let fingerprint):
            Messages.write("TLS certificate SHA-256 \(fingerprint)")
        case .tlsSession(let lines):
            lines.forEach(Messages.write)
        case .tlsTruncated(let peer):
            Messages.write("TLS connection with \(peer) ended without close_notify: the data may be truncated")
        case .warning(let failure):
            Messages.error(failure)
        }
    }

    /// "localhost 5566" (the address's host name, as OpenBSD netcat shows it; the number with
    /// -n or when it has none), or the path of a UNIX-domain address.
    func describe(_ address: SocketAddress) -> String {
        guard address.family != AF_UNIX else { return address.host }
        let host = numericOnly ? address.host : Resolver.name(of: address) ?? address.host
        return "\(host) \(address.port)"
    }

    static func error(_ error: Any) {
        write("swnc: \(oneLine("\(error)"))")
    }

    static func usageError(_ error: UsageError) {
        write("swnc: \(oneLine(error.description))\n\(Usage.synopsis)")
    }

    /// An error quotes what the user typed or the peer sent: control characters in it (a
    /// newline in an argument) are escaped, so that the message stays one line.
    static func oneLine(_ text: String) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.generalCategory == .control }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return text.unicodeScalars.map { isControl($0) ? $0.escaped(asASCII: false) : String($0) }.joined()
    }

    /// One write(2) a message, so that lines from one run never interleave.
    static func write(_ line: String) {
        let text = line + "\n"
        text.utf8CString.withUnsafeBytes { bytes in
            try? FileDescriptor.standardError.writeAll(UnsafeRawBufferPointer(rebasing: bytes.dropLast()))
        }
    }
}
