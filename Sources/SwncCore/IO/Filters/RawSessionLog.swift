/// `--output`: every byte of both directions, in the order they went, to one file.
public final class RawSessionLog: SessionLog {
    private let file: SessionLogFile

    /// Throws a `Failure` naming the file when it cannot be opened.
    public init(path: String, append: Bool) throws {
        file = try SessionLogFile(path: path, append: append)
    }

    public func record(_ bytes: UnsafeRawBufferPointer, _ direction: DataDirection, offset: Int) throws {
        try file.write(bytes)
    }

    public func close() { file.close() }
}
