/// A fixed-capacity byte buffer, allocated once: bytes are appended at the end and consumed from the front.
final class ByteBuffer {
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var isEmpty: Bool { start == end }
    var count: Int { end - start }
    var hasSpace: Bool { end < storage.count }

    /// The bytes not yet consumed.
    var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[start..<end]) }

    /// The free space after the last byte, to read into.
    var writable: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(rebasing: storage[end...]) }

    /// Marks `count` bytes read into `writable` as present.
    func commit(_ count: Int) { end += count }

    /// Drops `count` bytes from the front; an emptied buffer starts over at the beginning.
    func consume(_ count: Int) {
        start += count
        if start == end { start = 0; end = 0 }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        writable.copyMemory(from: bytes)
        commit(bytes.count)
    }

    /// Moves the unconsumed bytes to the front, so that all free space follows them.
    func compact() {
        guard start > 0 else { return }
        let count = self.count
        storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: count)
        start = 0
        end = count
    }

    func removeAll() { start = 0; end = 0 }
}
