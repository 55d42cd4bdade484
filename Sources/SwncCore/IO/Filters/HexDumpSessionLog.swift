/// `--hex-dump`: each chunk of both directions as a `HexDump` block, in order, to one file.
public final class HexDumpSessionLog: SessionLog {
    private let file: SessionLogFile

    /// Throws a `Failure` naming the file when it cannot be opened.
    public init(path: String, append: Bool) throws {
        file = try SessionLogFile(path: path, append: append)
    }

    public func record(_ bytes: UnsafeRawBufferPointer, _ direction: DataDirection, offset: Int) throws {
        var text = HexDump.block(bytes, direction, offset: offset)
        try text.withUTF8 { try file.write(UnsafeRawBufferPointer($0)) }
    }

    public func close() { file.close() }
}
