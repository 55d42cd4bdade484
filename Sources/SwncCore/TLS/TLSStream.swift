import COpenSSL
import Glibc

/// A TLS session as a byte stream, over a connected socket's `DescriptorStream`. OpenSSL reads
/// and writes the descriptor itself (SSL_set_fd); the inner stream only routes readiness: a
/// read or write that OpenSSL says must wait for the socket becomes `.wouldBlock`, and the
/// waits go to the inner stream.
///
/// The handshake is explicit (`handshake()`), so the caller can report the session, or fail,
/// before any data flows. A write that would block must be retried with at least the same bytes
/// (the buffer may have moved: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
public final class TLSStream: ByteStream {
    private let inner: DescriptorStream
    private let context: TLSContext  // holds the SSL_CTX (and its ALPN callback's list) while `ssl` lives
    private let ssl: OpaquePointer
    private let isClient: Bool
    private var writerWaits: Readiness?
    /// shutdownSending found the socket full: close_notify goes out when it is writable.
    private var closeNotifyPending = false
    private var sentCloseNotify = false
    private var closed = false

    /// The peer closed the connection without close_notify: what was read may be cut short.
    public private(set) var truncated = false

    public let name: String
    public var peerAddress: SocketAddress? { inner.peerAddress }

    public var onReadable: () -> Void {
        get { inner.onReadable }
        set { inner.onReadable = newValue }
    }
    public var onWritable: () -> Void = {}

    /// A client session with `host` (the destination as given); the certificate is verified for
    /// `--ssl-servername` or else `host`, and SNI sent for a name, never for an IP address.
    /// On failure `inner` stays the caller's to close, as it is for every initialiser.
    /// `name` names the session in messages (default: the inner stream's name).
    public convenience init(client context: TLSContext, host: String, over inner: DescriptorStream,
                            name: String? = nil) throws {
        try self.init(context, inner, clientOf: context.serverName ?? host, name: name ?? inner.name)
    }

    /// A listener's session with the peer that connected.
    public convenience init(server context: TLSContext, over inner: DescriptorStream) throws {
        try self.init(context, inner, clientOf: nil, name: inner.name)
    }

    private init(_ context: TLSContext, _ inner: DescriptorStream, clientOf serverName: String?, name: String) throws {
        guard let ssl = SSL_new(context.context) else {
            throw Failure("TLS with \(name)", OpenSSLErrors.takeReason() ?? "out of memory")
        }
        do {
            guard SSL_set_fd(ssl, inner.descriptor.rawValue) == 1 else {
                throw Failure("TLS with \(name)", OpenSSLErrors.takeReason() ?? "out of memory")
            }
            if let serverName {
                SSL_set_connect_state(ssl)
                try Self.expect(serverName, on: ssl, verifying: !context.insecure, peer: name)
            } else {
                SSL_set_accept_state(ssl)
            }
        } catch {
            SSL_free(ssl)
            throw error
        }
        self.inner = inner
        self.name = name
        self.context = context
        self.ssl = ssl
        isClient = serverName != nil
        inner.onWritable = { [unowned self] in socketWritable() }
    }

    /// Sets the name (or address) the server's certificate must be for, and SNI for a name.
    private static func expect(_ serverName: String, on ssl: OpaquePointer, verifying: Bool, peer: String) throws {
        let address = String(serverName.prefix { $0 != "%" })  // fe80::1%eth0: the zone is not in a certificate
        let isAddress = isAddressLiteral(address)
        if verifying {
            let parameters = SSL_get0_param(ssl)
            let set = isAddress
                ? X509_VERIFY_PARAM_set1_ip_asc(parameters, address)
                : X509_VERIFY_PARAM_set1_host(parameters, serverName, 0)
            guard set == 1 else { throw Failure("TLS with \(peer)", "cannot verify the name \(serverName)") }
        }
        if !isAddress, swnc_SSL_set_tlsext_host_name(ssl, serverName) != 1 {
            throw Failure("TLS with \(peer)", "cannot send the name \(serverName) (SNI)")
        }
    }

    deinit {
        assert(closed, "TLS stream \(name) was never closed")
    }

    /// Goes on with the handshake: nil when it is done, else what to wait for (with `waitToRead`)
    /// before calling again. A failure names the reason, and for a client whose verification
    /// failed, the option that skips it.
    public func handshake() throws -> Readiness? {
        OpenSSLErrors.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return nil }
        let systemError = errno  // before anything else can change it
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ: return .readable
        case SSL_ERROR_WANT_WRITE: return .writable
        default: throw handshakeFailure(systemError: error == SSL_ERROR_SYSCALL ? systemError : 0)
        }
    }

    private func handshakeFailure(systemError: Int32) -> Failure {
        let action = "TLS handshake with \(name)"
        let verification = SSL_get_verify_result(ssl)
        if verification != X509_V_OK, SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER != 0 {
            OpenSSLErrors.clear()
            let reason = verification == X509_V_ERR_HOSTNAME_MISMATCH
                ? "host name mismatch"  // OpenSSL says "hostname mismatch"; SPEC's words
                : String(cString: X509_verify_cert_error_string(verification))
            let hint = isClient ? " (--ssl-insecure skips verification)" : ""
            return Failure(action, "certificate verify failed: \(reason)\(hint)")
        }
        if let reason = OpenSSLErrors.takeReason() { return Failure(action, reason) }
        return Failure(action, systemError != 0 ? Errno(systemError).description : "connection closed by the peer")
    }

    /// Decrypted bytes, or received bytes of a record, that the socket will not announce again.
    public var hasBufferedInput: Bool { !closed && SSL_has_pending(ssl) == 1 }
    public var spliceDescriptor: FileDescriptor? { nil }

    /// The TLS version and cipher, the ALPN protocol agreed on and the peer's certificate, one
    /// line each, for -v.
    public var sessionSummary: [String] {
        let version = String(cString: SSL_get_version(ssl))  // "TLSv1.3"
        let cipher = SSL_get_current_cipher(ssl).map { String(cString: SSL_CIPHER_get_name($0)) } ?? "none"
        var lines = ["\(version.hasPrefix("TLSv") ? "TLS " + version.dropFirst(4) : version), cipher \(cipher)"]
        if let alpnProtocol { lines.append("ALPN: \(alpnProtocol)") }
        if let certificate = SSL_get0_peer_certificate(ssl) {
            lines.append("Peer certificate: subject \(Certificate.subject(certificate)), "
                         + "SHA-256 \(Certificate.fingerprint(certificate))")
        }
        return lines
    }

    /// The ALPN protocol agreed on, if any.
    public var alpnProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The SNI name the client sent (on a listener's session).
    public var requestedServerName: String? {
        SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
    }

    /// The SHA-256 fingerprint of the peer's certificate, if it sent one.
    public var peerCertificateFingerprint: String? {
        SSL_get0_peer_certificate(ssl).map(Certificate.fingerprint)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadResult {
        OpenSSLErrors.clear()
        var count = 0
        if SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count) == 1 { return .bytes(count) }
        let systemError = errno
        let error = SSL_get_error(ssl, 0)
        switch error {
        case SSL_ERROR_WANT_READ: return .wouldBlock(.readable)
        case SSL_ERROR_WANT_WRITE: return .wouldBlock(.writable)
        case SSL_ERROR_ZERO_RETURN: return .endOfFile  // close_notify
        case SSL_ERROR_SYSCALL where systemError != 0:
            OpenSSLErrors.clear()
            throw Errno(systemError)  // ECONNRESET stays what it is for the caller
        case SSL_ERROR_SYSCALL,  // end of file without close_notify, as OpenSSL 1.1 says it
             SSL_ERROR_SSL where OpenSSLErrors.isUnexpectedEndOfFile:
            OpenSSLErrors.clear()
            truncated = true
            return .endOfFile
        default:
            throw Failure(OpenSSLErrors.takeReason() ?? "TLS error \(error)")
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws -> WriteResult {
        guard !bytes.isEmpty else { return .wrote(0) }
        OpenSSLErrors.clear()
        var count = 0
        if SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &count) == 1 { return .wrote(count) }
        let systemError = errno
        let error = SSL_get_error(ssl, 0)
        switch error {
        case SSL_ERROR_WANT_READ: return .wouldBlock(.readable)
        case SSL_ERROR_WANT_WRITE: return .wouldBlock(.writable)
        case SSL_ERROR_SYSCALL where systemError != 0:
            OpenSSLErrors.clear()
            throw Errno(systemError)  // EPIPE stays what it is for the caller
        default:
            throw Failure(OpenSSLErrors.takeReason() ?? "TLS error \(error)")
        }
    }

    /// Sends close_notify, once; when the socket is full, as soon as it is writable.
    public func shutdownSending() {
        guard !sentCloseNotify else { return }
        sentCloseNotify = true
        sendCloseNotify()
    }

    private func sendCloseNotify() {
        OpenSSLErrors.clear()
        let result = SSL_shutdown(ssl)
        closeNotifyPending = result < 0 && SSL_get_error(ssl, result) == SSL_ERROR_WANT_WRITE
        OpenSSLErrors.clear()
        updateWriteInterest()
    }

    public func waitToRead(_ readiness: Readiness?) {
        inner.waitToRead(readiness)
    }

    public func waitToWrite(_ readiness: Readiness?) {
        writerWaits = readiness
        updateWriteInterest()
    }

    private func updateWriteInterest() {
        inner.waitToWrite(closeNotifyPending ? .writable : writerWaits)
    }

    private func socketWritable() {
        if closeNotifyPending { sendCloseNotify() }
        if !closed, writerWaits != nil { onWritable() }
    }

    /// Frees the session and closes the socket, without close_notify (see `shutdownSending`).
    public func close() {
        guard !closed else { return }
        closed = true
        SSL_free(ssl)
        inner.close()
    }

    private static func isAddressLiteral(_ host: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
    }
}
