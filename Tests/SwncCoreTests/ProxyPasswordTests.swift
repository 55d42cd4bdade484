import Foundation
import Glibc
import Testing
@testable import SwncCore

/// Serialized: the tests set and unset SWNC_PROXY_PASSWORD, which the process shares.
@Suite(.serialized) struct ProxyPasswordTests {
    @Test func theEnvironmentVariableComesFirst() throws {
        setenv(ProxyPassword.environmentVariable, "from the environment", 1)
        defer { unsetenv(ProxyPassword.environmentVariable) }
        #expect(try ProxyPassword.read(user: "bob", terminal: "/nonexistent/tty") == "from the environment")
    }

    @Test func withoutATerminalItFailsInOneLine() {
        unsetenv(ProxyPassword.environmentVariable)
        #expect(failureMessage { _ = try ProxyPassword.read(user: "bob", terminal: "/nonexistent/tty") }
            == "read the proxy password failed: no terminal (/nonexistent/tty: No such file or directory); SWNC_PROXY_PASSWORD can hold it")
    }

    @Test func theTerminalIsAskedWithoutEchoAndRestored() throws {
        unsetenv(ProxyPassword.environmentVariable)
        var master: Int32 = -1, slave: Int32 = -1
        // openpty(3) writes the name without a length: room enough for any path.
        var name = [CChar](repeating: 0, count: Int(PATH_MAX))
        try #require(openpty(&master, &slave, &name, nil, nil) == 0)
        // The slave stays open too, so that the terminal's settings can be checked after the read.
        defer { close(master); close(slave) }
        let path = String(cString: name)

        let typist = Typist(master: master)
        Thread.detachNewThread { typist.type("s3cret\n", after: "Proxy password for bob: ") }
        let password = try ProxyPassword.read(user: "bob", terminal: path)
        #expect(password == "s3cret")
        #expect(typist.transcript() == "Proxy password for bob: \r\n")
        var settings = termios()
        #expect(tcgetattr(slave, &settings) == 0)
        #expect(settings.c_lflag & tcflag_t(ECHO) != 0)
    }
}

/// The user at the terminal: waits for the prompt, types, and keeps what the terminal showed.
final class Typist: @unchecked Sendable {
    private let master: Int32
    private var shown: [UInt8] = []
    private let finished = DispatchSemaphore(value: 0)

    init(master: Int32) { self.master = master }

    func type(_ text: String, after prompt: String) {
        readUntil { $0.hasSuffix(prompt) }
        _ = Array(text.utf8).withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        // Bytes, not Characters: CR LF is one Character, which "\n" is not a suffix of.
        readUntil { $0.utf8.last == 10 }
        finished.signal()
    }

    /// What the terminal showed, once the line was typed and its end shown (or 5 s passed).
    func transcript() -> String {
        _ = finished.wait(timeout: .now() + 5)
        return String(decoding: shown, as: UTF8.self)
    }

    private func readUntil(_ done: (String) -> Bool) {
        var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        var byte: UInt8 = 0
        let deadline = Clock.now + .seconds(5)
        while !done(String(decoding: shown, as: UTF8.self)), Clock.now < deadline {
            guard poll(&entry, 1, 100) > 0, read(master, &byte, 1) == 1 else { continue }
            shown.append(byte)
        }
    }
}
