import Glibc

/// Everything the command line decided: the options module fills it in, the workers read it.
public struct Configuration {
    public enum Mode: Equatable { case connect, listen, probe, broadcast, resolve }

    public var mode: Mode = .connect
    public var transport: Transport = .tcp
    /// -U: the operand is a UNIX-domain socket path.
    public var unixDomain = false
    /// -4 / -6: AF_INET or AF_INET6; AF_UNSPEC for both.
    public var family: Int32 = AF_UNSPEC
    /// -n
    public var numericOnly = false
    /// The host operand (a destination, or the address to listen on or broadcast to).
    public var host: String?
    /// The port operand; for -z, every port to probe.
    public var ports: [UInt16] = []
    /// -U: the socket path.
    public var path: String?
    public var echo = false
    /// -k
    public var keepOpen = false
    /// -d turns it off.
    public var readsInput = true
    /// -N
    public var halfCloseOnInputEnd = false
    /// -q: nil waits forever.
    public var quitDelay: Duration?
    /// -w
    public var timeout: Duration?
    /// -s
    public var sourceAddress: String?
    /// -p
    public var sourcePort: UInt16?
    /// -v counted.
    public var verbosity = 0

    public init() {}

    public var port: UInt16 { ports.first ?? 0 }

    var resolver: Resolver { Resolver(family: family, numericOnly: numericOnly) }

    var socketType: Int32 { transport.socketType }

    /// The largest datagram swnc receives whole: UDP's limit, or for UNIX datagrams a size above
    /// Linux's default socket buffer (212992 bytes), which bounds them.
    var largestDatagram: Int { unixDomain ? 256 * 1024 : 65536 }
}

/// What a worker tells the user about with -v; the executable words it.
public enum Event {
    /// A stream listener is ready.
    case listening(SocketAddress)
    /// A datagram socket (or a UNIX listener's path) is bound.
    case bound(SocketAddress)
    /// A peer connected, or sent the first datagram.
    case connectionReceived(SocketAddress)
    /// A client connection (or UDP association) is up; `host` is the operand as given.
    case connected(host: String, address: SocketAddress, transport: Transport)
    /// An echo connection closed after echoing `bytes`.
    case echoClosed(peer: SocketAddress, bytes: Int)
    /// A relay with a peer ended (reported with -vv).
    case transferred(sent: Int, received: Int)
    /// Something failed that does not end swnc (one address of several, one probed port).
    case warning(Failure)
}

public typealias Reporter = (Event) -> Void
