import Glibc

/// Descriptors 0, 1 and 2 closed at start (`<&-`, `>&-`) are opened on /dev/null, so that a
/// socket never takes their number: it would be read as stdin or written as stdout.
public enum StandardDescriptors {
    public static func openClosedOnes() {
        for descriptor in Int32(0)...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            // open(2) returns the lowest free number: this one.
            _ = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
        }
    }
}
