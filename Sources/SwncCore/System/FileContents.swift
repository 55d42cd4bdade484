import Glibc

extension FileDescriptor {
    /// The bytes of the file at `path`, read with open(2) and read(2). Past `limit` bytes it
    /// fails with EFBIG, so that a device such as /dev/zero given by mistake ends in an error
    /// rather than in all the memory.
    static func contents(ofFile path: String, limit: Int) throws -> [UInt8] {
        let file = FileDescriptor(try retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) })
        defer { file.close() }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // A blocking descriptor: nil (would block) cannot come back.
            let count = try chunk.withUnsafeMutableBytes { try file.read(into: $0) } ?? 0
            if count == 0 { return contents }
            contents += chunk[..<count]
            if contents.count > limit { throw Errno(EFBIG) }
        }
    }
}
