/// The local side of a relay: where the peer's bytes go, and where the bytes for the peer come
/// from. For netcat's own role that is stdout and stdin, kept for the whole run (stdin stays
/// ended for the next peer of -k); for an exec child, both are its end of a socketpair.
final class LocalSide {
    /// nil: nothing is sent to the peer (-d, --recv-only, a closed stdin).
    let input: ByteStream?
    let output: ByteStream
    /// The input reached its end.
    var inputEnded = false
    /// An exec child: the peer's end of file reaches it as its stdin's (a shutdown of the
    /// socketpair), and its end of output is passed to the peer, whatever -N says.
    let passesEndOfFile: Bool

    init(input: ByteStream?, output: ByteStream, passesEndOfFile: Bool = false) {
        self.input = input
        self.output = output
        self.passesEndOfFile = passesEndOfFile
    }
}
