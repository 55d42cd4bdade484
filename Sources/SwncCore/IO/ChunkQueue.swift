/// The bytes of one read, shared by every receiver they go to: a broker reads once and queues
/// the same chunk for each peer, so that N receivers cost N references, not N copies. It is
/// freed when the last receiver has sent it.
final class SharedChunk {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// What one receiver still has to be sent: shared chunks in order, the first one perhaps
/// partly sent. A chunk is let go as soon as it is sent, so the queue holds only unsent bytes.
struct ChunkQueue {
    /// Sent chunks are nil until the slots are reused: the live ones are `chunks[head...]`.
    private var chunks: [SharedChunk?] = []
    private var head = 0
    /// Bytes of `chunks[head]` already sent.
    private var sentOfHead = 0
    /// Bytes queued and not yet sent.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Queues `chunk` but its first `sent` bytes, which only an empty queue can have sent
    /// already (the broker writes a chunk at once to a receiver with nothing queued).
    mutating func append(_ chunk: SharedChunk, sent: Int = 0) {
        precondition(sent == 0 || isEmpty, "bytes sent past a queue")
        guard sent < chunk.bytes.count else { return }
        chunks.append(chunk)
        if sent > 0 { sentOfHead = sent }  // the queue was empty: this chunk is its head
        count += chunk.bytes.count - sent
    }

    /// Writes from the front until the queue is empty or `stream` would block; returns what to
    /// wait for before sending more (nil: the queue is empty).
    mutating func send(to stream: ByteStream) throws -> Readiness? {
        while head < chunks.count, let chunk = chunks[head] {
            let result = try chunk.bytes.withUnsafeBytes { bytes in
                try stream.write(UnsafeRawBufferPointer(rebasing: bytes[sentOfHead...]))
            }
            switch result {
            case .wouldBlock(let readiness):
                return readiness
            case .wrote(let written):
                guard written > 0 else { return .writable }
                consume(min(written, chunk.bytes.count - sentOfHead), of: chunk)
            }
        }
        return nil
    }

    mutating func removeAll() {
        chunks = []
        head = 0
        sentOfHead = 0
        count = 0
    }

    private mutating func consume(_ written: Int, of chunk: SharedChunk) {
        count -= written
        sentOfHead += written
        guard sentOfHead == chunk.bytes.count else { return }
        chunks[head] = nil
        head += 1
        sentOfHead = 0
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= chunks.count {
            chunks.removeFirst(head)  // the emptied slots, at most as many as the live ones
            head = 0
        }
    }
}
