import Glibc

/// Which way a chunk of the session went, from swnc's side.
public enum DataDirection: Equatable {
    /// Written to the peer (`>` in a hex dump).
    case sent
    /// Read from the peer (`<` in a hex dump).
    case received
}

/// Where a `TapStream` hands every chunk it sees (`--output`, `--hex-dump`). A log is made
/// once and may outlive a connection (each `-k` peer is appended to the same file), so whoever
/// made it closes it.
public protocol SessionLog: AnyObject {
    /// `offset`: how many bytes went the same way on this connection before this chunk.
    func record(_ bytes: UnsafeRawBufferPointer, _ direction: DataDirection, offset: Int) throws
    func close()
}

/// A session log's file: opened for writing, created with mode 0644, emptied first or
/// appended to (`--append-output`), and written with plain blocking write(2): a log file may
/// hold swnc up briefly, but it never drops a byte.
struct SessionLogFile {
    let path: String
    private let descriptor: FileDescriptor

    init(path: String, append: Bool) throws {
        self.path = path
        let flags = O_CREAT | O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        do {
            descriptor = FileDescriptor(try retryingOnInterrupt { open(path, flags, 0o644) })
        } catch {
            throw Failure("open \(path)", error)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            try descriptor.writeAll(bytes)
        } catch {
            throw Failure("write to \(path)", error)
        }
    }

    func close() { descriptor.close() }
}
