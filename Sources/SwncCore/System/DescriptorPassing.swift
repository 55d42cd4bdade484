import Glibc
import CSwncSystem

/// -F: a connected socket handed to the process at the other end of a UNIX socket (SCM_RIGHTS),
/// as ssh's ProxyUseFdpass wants it.
extension Socket {
    /// Sends this socket's descriptor over `channel` with one byte of data, waiting while
    /// `channel` is full. The caller checks first that `channel` is a UNIX socket.
    public func sendDescriptor(over channel: FileDescriptor) throws {
        while try nonBlocking({ swnc_send_descriptor(channel.rawValue, descriptor.rawValue) }) == nil {
            _ = try channel.wait(for: Int32(POLLOUT), until: nil)
        }
    }
}

extension FileDescriptor {
    /// Whether this is a UNIX-domain socket, the only kind that carries descriptors.
    public var isUnixSocket: Bool {
        guard (try? fileType()) == S_IFSOCK, let address = try? Socket(adopting: self).localAddress() else { return false }
        return address.family == AF_UNIX
    }
}
