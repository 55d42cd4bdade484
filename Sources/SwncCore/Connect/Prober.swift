import Glibc

/// `swnc -z host ports`: connects to each port and closes again, sending nothing. Many probes
/// run at once (non-blocking connects on the event loop) but are reported in port order (-r:
/// in a random order); with -i, one at a time, the interval apart. A UDP probe sends one
/// empty datagram and counts the port closed only if it answers "port unreachable" within the
/// wait (-w, or one second). `-z -U path` probes a UNIX socket.
public final class Prober {
    private struct Probe {
        var addressIndex = 0
        var socket: Socket?
        var watch: EventLoop.Watch?
        var timer: EventLoop.TimerID?
        var outcome: Event?
        var open = false
    }

    private let configuration: Configuration
    private let report: Reporter
    private let loop: EventLoop
    private let addresses: [SocketAddress]
    /// The ports in the order they are probed.
    private let ports: [UInt16]
    /// -i: the pause before each probe after the first.
    private var intervalTimer: EventLoop.TimerID?
    /// A refused SO_DEBUG is said once, not for every port.
    private var warnedAboutOptions = false
    private var probes: [Probe]
    private var nextToStart = 0
    private var nextToReport = 0
    private var running = 0
    private var anyOpen = false
    private let parallel: Int
    private let udpWait: Duration
    /// A TCP socket whose connect was refused while connect(2) ran: it can connect again, which
    /// spares the next probe of its family a socket(2) and a close(2).
    private var refusedSocket: (family: Int32, socket: Socket)?

    /// Probes every port; true when at least one was open.
    public static func run(_ configuration: Configuration, report: @escaping Reporter) throws -> Bool {
        if configuration.unixDomain { return try probeUnix(configuration, report: report) }
        let prober = try Prober(configuration, report: report)
        prober.startMore()
        if prober.nextToReport < prober.probes.count { try prober.loop.run() }
        prober.refusedSocket?.socket.close()
        return prober.anyOpen
    }

    private init(_ configuration: Configuration, report: @escaping Reporter) throws {
        self.configuration = configuration
        self.report = report
        loop = try EventLoop()
        addresses = try configuration.resolver.addresses(of: configuration.host ?? "", port: 0, transport: configuration.transport)
        ports = configuration.randomPorts ? configuration.ports.shuffled() : configuration.ports
        probes = Array(repeating: Probe(), count: ports.count)
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        parallel = configuration.interval == nil ? max(1, min(256, Int(limit.rlim_cur) - 16)) : 1
        udpWait = configuration.timeout ?? .seconds(1)
    }

    /// Starts probes up to the limit. Re-entered when a probe ends at once: the outer call goes on.
    private var starting = false
    private func startMore() {
        guard !starting else { return }
        starting = true
        defer { starting = false }
        while running < parallel, nextToStart < probes.count {
            if let interval = configuration.interval, nextToStart > 0 {
                guard intervalTimer == nil else { return }
                intervalTimer = loop.schedule(after: interval) { [unowned self] in startNext() }
                return
            }
            startNext()
        }
    }

    private func startNext() {
        intervalTimer = nil
        running += 1
        nextToStart += 1
        attempt(nextToStart - 1)
    }

    private func attempt(_ index: Int) {
        var address = addresses[probes[index].addressIndex]
        address.port = ports[index]
        do {
            let socket = try takeRefusedSocket(family: address.family) ?? newSocket(family: address.family)
            probes[index].socket = socket
            if configuration.transport == .udp {
                _ = try socket.connect(to: address)
                _ = try socket.send(UnsafeRawBufferPointer(start: nil, count: 0))
                wait(index, reading: true, for: udpWait)
            } else if try socket.connect(to: address) || socket.connectAgain(to: address) {
                // (A closed port of this host refuses before the first connect(2) returns:
                // asking again settles it without a wait.)
                finish(index, error: nil)
            } else if let timeout = configuration.timeout {
                wait(index, reading: false, for: timeout)
            } else {
                wait(index, reading: false, for: nil)
            }
        } catch {
            if error as? Errno == .connectionRefused, configuration.transport == .tcp, let socket = probes[index].socket {
                refusedSocket?.socket.close()
                refusedSocket = (address.family, socket)
                probes[index].socket = nil
            }
            finish(index, error: error)
        }
    }

    private func newSocket(family: Int32) throws -> Socket {
        let socket = try Socket(family: family, type: configuration.transport.socketType)
        do {
            try SocketOptions.apply(configuration, to: socket, family: family) { [unowned self] event in
                if !warnedAboutOptions { report(event) }
                warnedAboutOptions = true
            }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    private func takeRefusedSocket(family: Int32) -> Socket? {
        guard let refused = refusedSocket, refused.family == family else { return nil }
        refusedSocket = nil
        return refused.socket
    }

    private func wait(_ index: Int, reading: Bool, for limit: Duration?) {
        guard let socket = probes[index].socket else { return }
        let watch: EventLoop.Watch
        do {
            watch = try loop.watch(socket.descriptor)
        } catch {
            return finish(index, error: error)
        }
        watch.onReady = { [unowned self] _ in finish(index, error: socket.pendingError()) }
        watch.reading = reading
        watch.writing = !reading
        probes[index].watch = watch
        if let limit {
            // A UDP port that stays silent counts as open; a TCP connect that stays silent, as failed.
            probes[index].timer = loop.schedule(after: limit) { [unowned self] in
                finish(index, error: reading ? nil : Errno(ETIMEDOUT))
            }
        }
    }

    private func finish(_ index: Int, error: Error?) {
        if let watch = probes[index].watch { loop.remove(watch) }
        loop.cancel(probes[index].timer)
        probes[index].socket?.close()
        probes[index].watch = nil
        probes[index].timer = nil
        probes[index].socket = nil
        var address = addresses[probes[index].addressIndex]
        address.port = ports[index]
        if let error {
            if probes[index].addressIndex + 1 < addresses.count {
                probes[index].addressIndex += 1
                return attempt(index)
            }
            let host = Connecting.describe(host: configuration.host ?? "", address: address)
            probes[index].outcome = .warning(Failure("connect to \(host) port \(address.port) (\(configuration.transport.name))", error))
        } else {
            probes[index].outcome = .connected(host: configuration.host ?? "", address: address, transport: configuration.transport)
            anyOpen = true
        }
        running -= 1
        reportInOrder()
        startMore()
    }

    private func reportInOrder() {
        while nextToReport < probes.count, let outcome = probes[nextToReport].outcome {
            report(outcome)
            probes[nextToReport].outcome = nil
            nextToReport += 1
        }
        if nextToReport == probes.count { loop.stop() }
    }

    /// `-z -U path`: true when something listens on the socket (-v says so); a refusal or a
    /// missing file is the run's error, printed with or without -v (as nc.openbsd does).
    private static func probeUnix(_ configuration: Configuration, report: Reporter) throws -> Bool {
        let path = configuration.path ?? ""
        let address = try SocketAddress.unix(path: path)
        let socket = try Socket(family: AF_UNIX, type: configuration.socketType)
        defer { socket.close() }
        do {
            try SocketOptions.apply(configuration, to: socket, family: AF_UNIX, report: report)
            try socket.connect(to: address, timeout: configuration.timeout)
        } catch {
            throw error as? Failure ?? Failure("connect to \(path)", error)
        }
        report(.connected(host: path, address: address, transport: configuration.transport))
        return true
    }
}
