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

    // The rest of OpenBSD netcat.
    /// -b: SO_BROADCAST on a UDP socket.
    public var allowBroadcast = false
    /// -C: LF from stdin goes out as CR LF.
    public var crlf = false
    /// -D: SO_DEBUG.
    public var debugSocket = false
    /// -F: pass the connected socket to stdout (SCM_RIGHTS) and exit.
    public var passDescriptor = false
    /// -I / -O: SO_RCVBUF / SO_SNDBUF.
    public var receiveBufferSize: Int32?
    public var sendBufferSize: Int32?
    /// -i: pause after each line sent, and between probed ports.
    public var interval: Duration?
    /// -M: outgoing TTL or hop limit; -m: minimum incoming TTL.
    public var ttl: Int32?
    public var minimumTTL: Int32?
    /// -r: ports in random order.
    public var randomPorts = false
    /// -T: IP TOS / traffic class.
    public var typeOfService: Int32?
    /// -t: refuse telnet negotiation, remove it from what goes to stdout.
    public var telnet = false
    /// -W: exit after receiving this many packets (reads, for a stream).
    public var receiveLimit: Int?
    /// -x, -X, -P: connect through a proxy.
    public var proxy: ProxySettings?

    // ncat's roles.
    /// -e / -c: the program run for each connection (argv; -c is /bin/sh -c COMMAND).
    public var exec: [String]?
    /// --max-conns: peers served at once with -lk.
    public var maxConnections: Int?
    /// --allow, --deny, --allowfile, --denyfile, as given (read and checked at start).
    public var allow: [String] = []
    public var deny: [String] = []
    public var allowFiles: [String] = []
    public var denyFiles: [String] = []
    /// --send-only / --recv-only.
    public var sendOnly = false
    public var receiveOnly = false
    /// --idle-timeout: any connection on which nothing moves for this long is closed.
    public var idleTimeout: Duration?
    /// --output / --append-output: a raw copy of both directions.
    public var outputFile: String?
    public var appendOutput = false
    /// --hex-dump: a hex dump of both directions.
    public var hexDumpFile: String?
    /// --broker / --chat.
    public var broker = false
    public var chat = false
    /// --stats / --progress.
    public var stats = false
    public var progress = false

    /// --ssl and its settings; nil without --ssl.
    public var tls: TLSSettings?

    public init() {}

    public var port: UInt16 { ports.first ?? 0 }

    var resolver: Resolver { Resolver(family: family, numericOnly: numericOnly) }

    var socketType: Int32 { transport.socketType }

    /// The largest datagram swnc receives whole: UDP's limit, or for UNIX datagrams a size above
    /// Linux's default socket buffer (212992 bytes), which bounds them.
    var largestDatagram: Int { unixDomain ? 256 * 1024 : 65536 }
}

/// -X and -x (and -P): the proxy a client connects through.
public struct ProxySettings: Equatable {
    public enum Kind: Equatable { case socks4, socks5, httpConnect }
    public var kind: Kind = .socks5
    public var host: String
    /// nil: 1080 for SOCKS, 3128 for HTTP CONNECT.
    public var port: UInt16?
    /// -P: the user name; the password comes from SWNC_PROXY_PASSWORD or /dev/tty.
    public var user: String?

    public init(kind: Kind = .socks5, host: String, port: UInt16? = nil, user: String? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.user = user
    }

    public var effectivePort: UInt16 { port ?? (kind == .httpConnect ? 3128 : 1080) }
}

/// --ssl and the options that go with it.
public struct TLSSettings: Equatable {
    public var certificateFile: String?
    public var keyFile: String?
    public var trustFile: String?
    public var serverName: String?
    public var alpn: [String] = []
    public var insecure = false
    public var verifyClient = false

    public init() {}
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
    /// A proxy's tunnel to `host` (as given: the proxy resolved it) port `port` is up.
    case tunnelled(host: String, port: UInt16)
    /// An echo connection closed after echoing `bytes`.
    case echoClosed(peer: SocketAddress, bytes: Int)
    /// A connection ended: bytes each way and how long it lasted (--stats, -vv).
    case transferred(sent: Int, received: Int, elapsed: Duration)
    /// A peer refused by --allow / --deny (accepted, then closed at once).
    case refused(SocketAddress)
    /// A peer closed at once: --max-conns peers are served already.
    case tooManyPeers(SocketAddress)
    /// An exec child ended other than with status 0.
    case childEnded(pid: Int32, status: ChildProcess.ExitStatus)
    /// A broker peer fell more than `queueLimit` bytes behind and was disconnected.
    case brokerPeerDropped(peer: SocketAddress, queueLimit: Int)
    /// A listener made a self-signed certificate at start: its SHA-256 fingerprint.
    case tlsCertificate(fingerprint: String)
    /// A TLS handshake is done: the session's version and cipher, ALPN and peer certificate, a line each.
    case tlsSession([String])
    /// A TLS peer closed without close_notify: what it sent may be cut short.
    case tlsTruncated(peer: String)
    /// Something failed that does not end swnc (one address of several, one probed port).
    case warning(Failure)
}

public typealias Reporter = (Event) -> Void
