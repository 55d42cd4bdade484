import Glibc
import CSwncSystem

/// `swnc --echo -lu` and `-lUu`: every datagram goes back, unchanged, to its sender. Without -k
/// only the first sender is served. Datagrams are taken and sent in batches (recvmmsg(2),
/// sendmmsg(2)); while a batch cannot be sent whole, the socket is not read.
final class DatagramEchoServer {
    private let configuration: Configuration
    private let report: Reporter
    private let loop: EventLoop
    private var batches: [DatagramBatch] = []
    /// Without -k: the one sender served.
    private var onlySender: SocketAddress?
    /// The last sender reported with -v, so that a stream of datagrams is reported once.
    private var lastReported: SocketAddress?
    private var lastRefused: SocketAddress?
    private let access: AccessList

    init(_ configuration: Configuration, sockets: [Socket], loop: EventLoop, access: AccessList,
         report: @escaping Reporter) throws {
        self.access = access
        self.configuration = configuration
        self.report = report
        self.loop = loop
        for socket in sockets {
            let batch = DatagramBatch(socket: socket, watch: try loop.watch(socket.descriptor),
                                      largestDatagram: configuration.largestDatagram)
            batch.watch.onReady = { [unowned self, unowned batch] readiness in
                if readiness == .readable { receive(into: batch) } else { send(batch) }
            }
            batch.watch.reading = true
            batches.append(batch)
        }
    }

    private func receive(into batch: DatagramBatch) {
        let received = swnc_recvmmsg(batch.socket.descriptor.rawValue, batch.received, UInt32(DatagramBatch.size))
        guard received > 0 else { return }
        batch.prepareReplies(count: Int(received)) { [self] sender in accepts(sender, on: batch.socket) }
        send(batch)
    }

    private func accepts(_ sender: SocketAddress, on socket: Socket) -> Bool {
        guard sender.canBeRepliedTo else { return false }
        if access.restrictsPeers, !access.permits(sender) {
            if sender != lastRefused { report(.refused(sender)) }
            lastRefused = sender
            return false
        }
        if !configuration.keepOpen {
            if onlySender == nil { onlySender = sender }
            if sender != onlySender { return false }
        }
        if sender != lastReported {
            lastReported = sender
            report(.connectionReceived(Listening.shownPeer(sender, of: socket, configuration)))
        }
        return true
    }

    private func send(_ batch: DatagramBatch) {
        while batch.sent < batch.replies {
            let remaining = UInt32(batch.replies - batch.sent)
            let sent = swnc_sendmmsg(batch.socket.descriptor.rawValue, batch.outgoing + batch.sent, remaining)
            if sent > 0 {
                batch.sent += Int(sent)
            } else if errno == EAGAIN || errno == ENOBUFS {
                break
            } else {
                batch.sent += 1  // that sender cannot be reached: drop its datagram, as UDP would
            }
        }
        let waiting = batch.sent < batch.replies
        batch.watch.writing = waiting
        batch.watch.reading = !waiting
    }
}

/// The buffers of one socket's batch, allocated once.
final class DatagramBatch {
    static let size = 32
    let largestDatagram: Int
    let socket: Socket
    let watch: EventLoop.Watch
    let received = UnsafeMutablePointer<swnc_mmsghdr>.allocate(capacity: size)
    let outgoing = UnsafeMutablePointer<swnc_mmsghdr>.allocate(capacity: size)
    private let receiveVectors = UnsafeMutablePointer<iovec>.allocate(capacity: size)
    private let sendVectors = UnsafeMutablePointer<iovec>.allocate(capacity: size)
    private let senders = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: size)
    /// Pages are taken from the kernel only as datagrams fill them, so the batch costs little
    /// memory until it is used.
    private let payloads: UnsafeMutableRawPointer
    var replies = 0
    var sent = 0

    init(socket: Socket, watch: EventLoop.Watch, largestDatagram: Int) {
        self.socket = socket
        self.watch = watch
        self.largestDatagram = largestDatagram
        payloads = .allocate(byteCount: DatagramBatch.size * largestDatagram, alignment: 16)
        for index in 0..<DatagramBatch.size {
            receiveVectors[index] = iovec(iov_base: payloads + index * largestDatagram, iov_len: largestDatagram)
            received[index] = swnc_mmsghdr()
            received[index].msg_hdr.msg_iov = receiveVectors + index
            received[index].msg_hdr.msg_iovlen = 1
            received[index].msg_hdr.msg_name = UnsafeMutableRawPointer(senders + index)
            received[index].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
        }
    }

    deinit {
        received.deallocate()
        outgoing.deallocate()
        receiveVectors.deallocate()
        sendVectors.deallocate()
        senders.deallocate()
        payloads.deallocate()
    }

    /// Turns the `count` datagrams just received into replies, keeping those `accepts` allows;
    /// readies the receive headers for the next batch.
    func prepareReplies(count: Int, accepts: (SocketAddress) -> Bool) {
        replies = 0
        sent = 0
        for index in 0..<count {
            let header = received[index].msg_hdr
            let sender = SocketAddress(copying: UnsafeRawPointer(senders + index).assumingMemoryBound(to: sockaddr.self),
                                       length: header.msg_namelen)
            guard accepts(sender) else { continue }
            sendVectors[replies] = iovec(iov_base: receiveVectors[index].iov_base, iov_len: Int(received[index].msg_len))
            outgoing[replies] = swnc_mmsghdr()
            outgoing[replies].msg_hdr.msg_name = header.msg_name
            outgoing[replies].msg_hdr.msg_namelen = header.msg_namelen
            outgoing[replies].msg_hdr.msg_iov = sendVectors + replies
            outgoing[replies].msg_hdr.msg_iovlen = 1
            replies += 1
        }
        for index in 0..<count {
            received[index].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            received[index].msg_hdr.msg_flags = 0
        }
    }
}
