import Glibc
import CSwncSystem

/// The one event loop: level-triggered epoll(7) over every descriptor swnc uses, plus timers.
/// Descriptors epoll refuses (regular files, /dev/null) are treated as always ready.
public final class EventLoop {
    /// Interest in one descriptor, and what to call when it is ready.
    public final class Watch {
        public let descriptor: FileDescriptor
        public var reading = false { didSet { if reading != oldValue { loop?.interestChanged(self) } } }
        public var writing = false { didSet { if writing != oldValue { loop?.interestChanged(self) } } }
        // The flags beside the descriptor, where they pack: 72 bytes, an 80-byte allocation each.
        fileprivate var alwaysReady = false
        fileprivate var waitingForUpdate = false
        /// What to call when the descriptor is readable or writable: one closure for both (a
        /// stream's watch is one of 10,000 in a crowd, each closure an allocation).
        var onReady: (Readiness) -> Void
        /// Called on an error (a reset) while neither reading nor writing is wanted.
        var onIdleError: (() -> Void)? { didSet { loop?.interestChanged(self) } }
        /// nil once removed, or once the loop is gone.
        fileprivate(set) unowned(unsafe) var loop: EventLoop?
        fileprivate var generation: UInt32 = 0
        /// The events epoll has for it; 0 while it is not registered (it then wants none).
        fileprivate var registeredEvents: UInt32 = 0

        init(_ descriptor: FileDescriptor, onReady: @escaping (Readiness) -> Void) {
            self.descriptor = descriptor
            self.onReady = onReady
        }

        fileprivate var wantedEvents: UInt32 {
            let wanted = (reading ? EPOLLIN.rawValue | EPOLLRDHUP.rawValue : 0) | (writing ? EPOLLOUT.rawValue : 0)
            // Only errors, once each (edge-triggered): a hung-up descriptor cannot spin the loop.
            return wanted == 0 && onIdleError != nil ? EPOLLET.rawValue : wanted
        }
    }

    public struct TimerID: Equatable { fileprivate let value: Int }

    private struct Timer {
        let id: TimerID
        let deadline: Duration
        let action: () -> Void
    }

    private let epoll: FileDescriptor
    private var watches: [Watch?] = []
    private var nextGeneration: UInt32 = 1
    private var pendingUpdates: [Watch] = []
    private var alwaysReady: [Watch] = []
    private var timers: [Timer] = []
    private var nextTimer = 0
    private var running = false
    private var failure: Error?
    private let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 256)
    private let eventCapacity: Int32 = 256

    public init() throws {
        epoll = FileDescriptor(try retryingOnInterrupt { epoll_create1(Int32(EPOLL_CLOEXEC)) })
    }

    deinit {
        // A watch kept by a stream that outlives the loop must not reach back into it.
        for watch in watches { watch?.loop = nil }
        events.deallocate()
        epoll.close()
    }

    /// Starts watching a descriptor; set `reading` / `writing` on the result to ask for events.
    /// A descriptor has one watch: asking for a second is a mistake of swnc's, thrown as EEXIST.
    public func watch(_ descriptor: FileDescriptor, onReady: @escaping (Readiness) -> Void = { _ in }) throws -> Watch {
        let slot = Int(descriptor.rawValue)
        if slot < watches.count, watches[slot] != nil { throw Errno(EEXIST) }
        let watch = Watch(descriptor, onReady: onReady)
        watch.loop = self
        watch.generation = nextGeneration
        nextGeneration &+= 1
        if slot >= watches.count { watches.append(contentsOf: repeatElement(nil, count: slot - watches.count + 1)) }
        watches[slot] = watch
        return watch
    }

    /// Watches each of `sockets` for reading (listening or datagram sockets): `onReadable`
    /// gets the socket that is ready.
    func watchReading(_ sockets: [Socket], _ onReadable: @escaping (Socket) -> Void) throws
        -> [(socket: Socket, watch: Watch)] {
        try sockets.map { socket in
            let watch = try self.watch(socket.descriptor, onReady: { _ in onReadable(socket) })
            watch.reading = true
            return (socket, watch)
        }
    }

    /// Stops watching; call before the descriptor is closed.
    public func remove(_ watch: Watch) {
        guard watch.loop != nil else { return }
        if watch.registeredEvents != 0 {
            _ = epoll_ctl(epoll.rawValue, EPOLL_CTL_DEL, watch.descriptor.rawValue, nil)
        }
        if watch.alwaysReady { alwaysReady.removeAll { $0 === watch } }
        watch.loop = nil
        let slot = Int(watch.descriptor.rawValue)
        if slot < watches.count, watches[slot] === watch { watches[slot] = nil }
    }

    /// Runs `action` once, `delay` from now.
    @discardableResult
    public func schedule(after delay: Duration, _ action: @escaping () -> Void) -> TimerID {
        nextTimer += 1
        let id = TimerID(value: nextTimer)
        timers.append(Timer(id: id, deadline: Clock.now + delay, action: action))
        return id
    }

    public func cancel(_ timer: TimerID?) {
        timers.removeAll { $0.id == timer }
    }

    /// Ends `run()`; it returns normally.
    public func stop() { running = false }

    /// Ends `run()`; it throws `error`.
    public func fail(_ error: Error) {
        if failure == nil { failure = error }
        running = false
    }

    /// Dispatches events until `stop()` or `fail(_:)`.
    public func run() throws {
        running = true
        while running {
            applyInterestChanges()
            let count = try waitForEvents()
            for index in 0..<Int(count) where running {
                dispatch(events[index])
            }
            if running { serveAlwaysReady() }
            if running { fireDueTimers() }
        }
        if let failure { throw failure }
    }

    private func interestChanged(_ watch: Watch) {
        if !watch.waitingForUpdate {
            watch.waitingForUpdate = true
            pendingUpdates.append(watch)
        }
    }

    /// One epoll_ctl(2) per watch whose interest changed since the last wait.
    private func applyInterestChanges() {
        for watch in pendingUpdates {
            watch.waitingForUpdate = false
            guard watch.loop != nil, !watch.alwaysReady else { continue }
            let wanted = watch.wantedEvents
            guard wanted != watch.registeredEvents else { continue }
            var event = epoll_event()
            event.events = wanted
            event.data.u64 = UInt64(UInt32(bitPattern: watch.descriptor.rawValue)) | UInt64(watch.generation) << 32
            let fd = watch.descriptor.rawValue
            if wanted == 0 {
                // Unregistered, so that a hung-up descriptor nobody listens to cannot spin the loop.
                _ = epoll_ctl(epoll.rawValue, EPOLL_CTL_DEL, fd, nil)
                watch.registeredEvents = 0
            } else if watch.registeredEvents == 0 {
                if epoll_ctl(epoll.rawValue, EPOLL_CTL_ADD, fd, &event) == 0 {
                    watch.registeredEvents = wanted
                } else if errno == EPERM {
                    watch.alwaysReady = true
                    alwaysReady.append(watch)
                } else {
                    fail(Failure("epoll_ctl", Errno.current))
                }
            } else if epoll_ctl(epoll.rawValue, EPOLL_CTL_MOD, fd, &event) == 0 {
                watch.registeredEvents = wanted
            } else {
                fail(Failure("epoll_ctl", Errno.current))
            }
        }
        pendingUpdates.removeAll(keepingCapacity: true)
    }

    private func waitForEvents() throws -> Int32 {
        var timeout: Int32 = -1
        if alwaysReady.contains(where: { $0.reading || $0.writing }) {
            timeout = 0
        } else if let next = timers.lazy.map(\.deadline).min() {  // lazy: no array per wait
            timeout = Int32(clamping: max(0, (next - Clock.now).milliseconds))
        }
        let count = epoll_wait(epoll.rawValue, events, eventCapacity, timeout)
        if count < 0 {
            if errno == EINTR { return 0 }
            throw Failure("epoll_wait", Errno.current)
        }
        return count
    }

    private func dispatch(_ event: epoll_event) {
        let slot = Int(UInt32(truncatingIfNeeded: event.data.u64))
        let generation = UInt32(truncatingIfNeeded: event.data.u64 >> 32)
        guard slot < watches.count, let watch = watches[slot], watch.generation == generation else { return }
        let failed = event.events & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
        if watch.reading, failed || event.events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 {
            watch.onReady(.readable)
        }
        if watch.loop != nil, watch.writing, failed || event.events & EPOLLOUT.rawValue != 0 {
            watch.onReady(.writable)
        }
        if watch.loop != nil, !watch.reading, !watch.writing, event.events & EPOLLERR.rawValue != 0 {
            watch.onIdleError?()
        }
    }

    private func serveAlwaysReady() {
        for watch in alwaysReady where running {
            if watch.reading { watch.onReady(.readable) }
            if watch.loop != nil, watch.writing { watch.onReady(.writable) }
        }
    }

    private func fireDueTimers() {
        guard !timers.isEmpty else { return }
        let now = Clock.now
        let due = timers.filter { $0.deadline <= now }.map(\.id)
        // One at a time: a timer's action may cancel another that is due in the same turn.
        for id in due where running {
            guard let index = timers.firstIndex(where: { $0.id == id }) else { continue }
            timers.remove(at: index).action()
        }
    }
}
