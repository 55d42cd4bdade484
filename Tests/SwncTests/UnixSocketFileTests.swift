import Foundation
import Testing

/// `-lU path` (and `-Uu -s path`): what swnc does with the file at path, before, during and after.
@Suite struct UnixSocketFileTests {
    /// A fresh directory, removed at the end of the test.
    final class Directory {
        let url: URL
        init() throws { url = try Paths.temporaryDirectory() }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    }

    static let streamAndDatagram: [[String]] = [["-lU"], ["-lUu"]]

    /// What is at the path before swnc starts; none of it may be deleted.
    enum NotASocket: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case regularFile, directory, symlinkToFile, symlinkToStaleSocket, danglingSymlink
        var testDescription: String { rawValue }

        /// Makes it at `path`; returns a check that it is still there, unchanged.
        func make(at path: String, in directory: Directory) throws -> () -> Bool {
            let files = FileManager.default
            switch self {
            case .regularFile:
                try "precious\n".write(toFile: path, atomically: false, encoding: .utf8)
                return { (try? String(contentsOfFile: path, encoding: .utf8)) == "precious\n" }
            case .directory:
                try files.createDirectory(atPath: path, withIntermediateDirectories: false)
                return { var isDirectory: ObjCBool = false; return files.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue }
            case .symlinkToFile, .symlinkToStaleSocket, .danglingSymlink:
                let target = directory.path("target")
                if self == .symlinkToFile { try "target\n".write(toFile: target, atomically: false, encoding: .utf8) }
                if self == .symlinkToStaleSocket { try makeStaleSocket(at: target) }
                try files.createSymbolicLink(atPath: path, withDestinationPath: target)
                return { (try? files.destinationOfSymbolicLink(atPath: path)) == target }
            }
        }
    }

    /// The ways swnc makes a socket file of its own.
    enum Maker: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case streamListener, datagramListener
        /// `-Uu -s path`: the client's own address, for replies.
        case datagramClient
        var testDescription: String { rawValue }

        func arguments(path: String, in directory: Directory) -> [String] {
            switch self {
            case .streamListener: return ["-v", "-lU", path]
            case .datagramListener: return ["-v", "-q", "0", "-lUu", path]
            case .datagramClient: return ["-Uu", "-q", "0", "-s", path, directory.path("server.sock")]
            }
        }

        /// Starts swnc (and, for the client, its server) and waits until the file is made.
        func start(path: String, in directory: Directory) throws -> (swnc: Spawned, server: Spawned?) {
            guard self == .datagramClient else {
                let listener = try Spawned(swnc: arguments(path: path, in: directory))
                try listener.waitForError(containing: "Bound on \(path)")
                return (listener, nil)
            }
            let server = try Spawned(swnc: ["-v", "-lUu", directory.path("server.sock")])
            try server.waitForError(containing: "Bound on ")
            let client = try Spawned(swnc: arguments(path: path, in: directory))
            try client.write("from the client\n")
            try server.waitForError(containing: "Connection received on ")  // so the client has bound its file
            return (client, server)
        }

        /// Ends swnc the ordinary way: its peer leaves, or (datagrams) its stdin ends with -q 0.
        func endNormally(_ swnc: Spawned, path: String) throws {
            switch self {
            case .streamListener:
                swnc.closeInput()  // the listener is done once its peer and its stdin are
                #expect(try runSwnc(["-N", "-U", path]).status == 0)
            case .datagramListener:
                // The sender stays until the listener has it as its peer (a sender that is
                // already gone cannot be connected to, and the listener then only collects).
                let sender = try Spawned(swnc: ["-Uu", path])
                try sender.write("datagram\n")
                try swnc.waitForOutput(count: "datagram\n".count)
                swnc.closeInput()
            case .datagramClient:
                swnc.closeInput()
            }
        }
    }

    @Test(arguments: NotASocket.allCases, Maker.allCases)
    func fileThatIsNotASocketIsNeverDeleted(_ existing: NotASocket, maker: Maker) throws {
        let directory = try Directory()
        let path = directory.path("taken.sock")
        let stillThere = try existing.make(at: path, in: directory)
        let result = try runSwnc(maker.arguments(path: path, in: directory))
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1 && result.errors.hasPrefix("swnc: "), "got: \(result.errors)")
        #expect(result.errors.contains(path), "the message names the path: \(result.errors)")
        #expect(stillThere())
    }

    @Test(arguments: streamAndDatagram)
    func staleSocketIsReplaced(mode: [String]) throws {
        let directory = try Directory()
        let path = directory.path("stale.sock")
        try makeStaleSocket(at: path)
        let listener = try Spawned(swnc: ["-v"] + mode + [path])
        if mode == ["-lU"] { listener.closeInput() }  // done once the peer and stdin are
        try listener.waitForError(containing: "Bound on \(path)")
        let client = try runSwnc(["-N", "-U"] + (mode.contains("-lUu") ? ["-u", "-q", "1"] : []) + [path], input: "to the new listener\n")
        #expect(client.status == 0, "client: \(client.errors)")
        try listener.waitForOutput(count: "to the new listener\n".count)
        #expect(listener.standardOutputText == "to the new listener\n")
    }

    @Test(arguments: streamAndDatagram)
    func liveSocketIsAddressAlreadyInUse(mode: [String]) throws {
        let directory = try Directory()
        let path = directory.path("live.sock")
        let first = try Spawned(swnc: ["-v"] + mode + [path])
        if mode == ["-lU"] { first.closeInput() }
        try first.waitForError(containing: "Bound on \(path)")
        let second = try runSwnc(mode + [path])
        #expect(second.status == 1)
        #expect(second.errors == "swnc: bind to \(path) failed: Address already in use\n")
        // The first listener still owns its file and still works.
        #expect(isSocket(path))
        if mode == ["-lU"] {
            let client = try runSwnc(["-N", "-U", path], input: "still here\n")
            #expect(client.status == 0)
            #expect(try first.waitForExit() == 0)
            #expect(first.standardOutputText == "still here\n")
        }
    }

    enum Ending: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case normal, interrupt, terminate
        var testDescription: String { rawValue }
    }

    /// swnc removes the socket file it made however it ends: normally, on SIGINT, on SIGTERM.
    @Test(arguments: Maker.allCases, Ending.allCases)
    func ownSocketFileIsRemovedAtTheEnd(_ maker: Maker, ending: Ending) throws {
        let directory = try Directory()
        let path = directory.path("own.sock")
        let (swnc, server) = try maker.start(path: path, in: directory)
        defer { withExtendedLifetime(server) {} }
        #expect(isSocket(path))
        switch ending {
        case .normal:
            try maker.endNormally(swnc, path: path)
            #expect(try swnc.waitForExit() == 0, "stderr: \(swnc.standardError)")
        case .interrupt:
            swnc.signal(SIGINT)
            #expect(try swnc.waitForExit() == 128 + SIGINT)
        case .terminate:
            swnc.signal(SIGTERM)
            #expect(try swnc.waitForExit() == 128 + SIGTERM)
        }
        #expect(!existsAtAll(path))
    }

    /// The signal handler must work whatever swnc is doing when the signal comes (a handler
    /// that waited for a Swift runtime lock hung now and then): many listeners, each signalled
    /// as soon as it is up, all end by the signal and leave no file.
    @Test(arguments: 0..<30)
    func signalAtAnyMomentEndsSwncAndRemovesTheFile(_ run: Int) throws {
        let directory = try Directory()
        let path = directory.path("signalled-\(run).sock")
        let listener = try Spawned(swnc: ["-v", "-lUu", path])
        try listener.waitForError(containing: "Bound on")
        listener.signal(SIGTERM)
        #expect(try listener.waitForExit(timeout: 5) == 128 + SIGTERM)
        #expect(!existsAtAll(path))
    }

    /// A file someone else put in place of swnc's socket is theirs: swnc leaves it.
    @Test func replacedSocketFileIsNotRemoved() throws {
        let directory = try Directory()
        let path = directory.path("replaced.sock")
        let listener = try Spawned(swnc: ["-v", "-lU", path])
        try listener.waitForError(containing: "Listening on \(path)")
        try FileManager.default.removeItem(atPath: path)
        try "someone else's\n".write(toFile: path, atomically: false, encoding: .utf8)
        listener.signal(SIGTERM)
        _ = try listener.waitForExit()
        #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "someone else's\n")
    }

    @Test(arguments: [["-lU"], ["-lUu"], ["-U"], ["-Uu"]])
    func pathTooLongForSockaddrIsAnError(mode: [String]) throws {
        let directory = try Directory()
        let path = directory.path(String(repeating: "x", count: 120))
        let result = try runSwnc(mode + [path])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1 && result.errors.hasPrefix("swnc: "), "got: \(result.errors)")
        #expect(!existsAtAll(path))
    }
}

/// A socket file nobody listens on: bound, then closed without removing the file.
private func makeStaleSocket(at path: String) throws {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    let status = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard status == 0 else { throw SpawnError.unexpected("bind \(path): \(String(cString: strerror(errno)))") }
}

private func isSocket(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFSOCK
}

/// Whether anything, even a dangling symbolic link, is at `path`.
private func existsAtAll(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0
}
