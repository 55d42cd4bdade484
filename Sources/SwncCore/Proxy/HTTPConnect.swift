/// HTTP CONNECT: one request, then a reply head (status line and headers) ending at an empty line.
struct HTTPConnectHandshake: ProxyHandshake {
    /// The most a reply head may take: a proxy that sends more is not answering CONNECT.
    static let headLimit = 16 * 1024
    private static let endOfHead = Array("\r\n\r\n".utf8)

    let protocolName = "HTTP"
    let request: [UInt8]
    private let proxy: ProxyEndpoint
    private var statusLine: [UInt8] = []
    private var statusLineEnded = false
    private var headLength = 0
    /// How many bytes of CR LF CR LF the head ends with so far.
    private var endMatched = 0

    init(proxy: ProxyEndpoint, destination host: String, port: UInt16, user: String?, password: String?) throws {
        self.proxy = proxy
        // A space or control character would end the request line or start a header of its own.
        guard host.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw proxy.handshakeFailure("the destination \"\(Self.printable(Array(host.utf8)))\" holds a space or control character")
        }
        var authority = "\(host):\(port)"
        if case .ipv6 = ProxyDestination(host) { authority = "[\(host)]:\(port)" }
        var text = "CONNECT \(authority) HTTP/1.0\r\nHost: \(authority)\r\n"
        if let user {
            text += "Proxy-Authorization: Basic \(Base64.encode(Array("\(user):\(password ?? "")".utf8)))\r\n"
        }
        request = Array((text + "\r\n").utf8)
    }

    mutating func feed(_ bytes: [UInt8]) throws -> ProxyStep {
        // Past the head everything belongs to the stream (and the matcher has nothing more to match).
        if endMatched == Self.endOfHead.count { return .done(leftover: bytes) }
        for (index, byte) in bytes.enumerated() {
            headLength += 1
            guard headLength <= Self.headLimit else {
                throw proxy.handshakeFailure(statusLineEnded
                    ? "HTTP reply head longer than \(Self.headLimit) bytes"
                    : "HTTP status line without end in \(Self.headLimit) bytes")
            }
            endMatched = byte == Self.endOfHead[endMatched] ? endMatched + 1 : (byte == 13 ? 1 : 0)
            if !statusLineEnded {
                if byte == 10, statusLine.last == 13 {
                    statusLine.removeLast()
                    statusLineEnded = true
                    try checkStatusLine()
                } else {
                    statusLine.append(byte)
                }
            }
            if endMatched == Self.endOfHead.count { return .done(leftover: Array(bytes[(index + 1)...])) }
        }
        return .needMore
    }

    /// `HTTP/x.y NNN reason`: any 2xx lets the tunnel through, anything else is a refusal.
    private func checkStatusLine() throws {
        let line = Self.printable(statusLine)
        let words = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count >= 2, words[0].hasPrefix("HTTP/"), words[1].count == 3,
              let code = Int(words[1]), code >= 100 else {
            throw proxy.handshakeFailure("not an HTTP status line: \"\(line)\"")
        }
        guard (200...299).contains(code) else { throw proxy.refusal(line) }
    }

    /// Text from the proxy, fit for a one-line message: printable ASCII, at most 200 characters.
    private static func printable(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(200).map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}
