import Glibc
import CSwncSystem

/// A pipe of a pump's own, through which splice(2) moves a stream from its source to its sink
/// inside the kernel: no copy to user memory and back. splice needs a pipe on one side; with
/// this one in the middle any two descriptors that take splice will do, and "would block"
/// keeps one meaning on each side (the source is empty, or the sink is full).
final class SplicePipe {
    private let readEnd: FileDescriptor
    private let writeEnd: FileDescriptor
    private let capacity: Int
    /// What the pipe may hold: at first no more than the pump's buffer can take back should
    /// the sink refuse splice; the whole capacity once the sink has taken a splice.
    private var limit: Int
    /// Bytes in the pipe.
    private(set) var count = 0
    /// The last fill found no room although bytes are below the capacity: a pipe holds a
    /// limited number of slots, one per socket buffer spliced in, however small.
    private var outOfSlots = false

    init?(capacity: Int, bufferCapacity: Int) {
        var ends: [Int32] = [-1, -1]
        let granted = swnc_pipe(&ends, Int32(capacity))
        guard granted > 0 else { return nil }
        readEnd = FileDescriptor(ends[0])
        writeEnd = FileDescriptor(ends[1])
        self.capacity = Int(granted)
        limit = min(self.capacity, bufferCapacity)
    }

    deinit {
        readEnd.close()
        writeEnd.close()
    }

    var isEmpty: Bool { count == 0 }
    var hasRoom: Bool { count < limit && !outOfSlots }

    /// Moves what `source` has into the pipe: the bytes moved, 0 at end of file, nil when the
    /// source has nothing (or the pipe no free slot). Throws EINVAL where the source takes no splice.
    func fill(from source: FileDescriptor) throws -> Int? {
        let moved = try nonBlocking { swnc_splice(source.rawValue, writeEnd.rawValue, limit - count) }
        if let moved { count += moved } else if count > 0 { outOfSlots = true }
        return moved
    }

    /// Moves the pipe's bytes to `sink`: the bytes moved, nil when the sink is full.
    /// Throws EINVAL where the sink takes no splice.
    func drain(to sink: FileDescriptor) throws -> Int? {
        let moved = try nonBlocking { swnc_splice(readEnd.rawValue, sink.rawValue, count) }
        if let moved, moved > 0 {
            count -= moved
            outOfSlots = false
            limit = capacity
        }
        return moved
    }

    /// Reads what the pipe holds into `buffer`: the sink refused its first splice, so the pipe
    /// holds no more than the buffer's capacity.
    func drain(into buffer: ByteBuffer) {
        while count > 0, let moved = try? readEnd.read(into: buffer.writable), moved > 0 {
            buffer.commit(moved)
            count -= moved
        }
    }
}
