import COpenSSL

/// The settings of --ssl made into one OpenSSL context, shared by every connection of a client
/// or a listener. Nothing of OpenSSL runs before one is made (OpenSSL 3 initialises itself on
/// first use), so swnc without --ssl does not pay for TLS.
public final class TLSContext {
    let context: OpaquePointer
    /// The name a client verifies and sends as SNI instead of the destination (--ssl-servername).
    let serverName: String?
    /// A client does not verify the server (--ssl-insecure).
    let insecure: Bool
    /// The SHA-256 fingerprint ("AB:CD:...") of the certificate a listener made at start because
    /// it was given none; nil otherwise.
    public let selfSignedFingerprint: String?
    /// --ssl-alpn in ALPN's wire format (each name after its length byte).
    private let alpn: [UInt8]

    /// A client's context: the server is verified against the system's store or --ssl-trustfile
    /// unless insecure; ALPN is offered; a client certificate is sent when given.
    public convenience init(client settings: TLSSettings) throws {
        try self.init(settings, isServer: false)
    }

    /// A listener's context: its certificate and key from files, or a fresh self-signed one;
    /// ALPN accepted from the configured list; a client certificate required with verifyClient.
    public convenience init(server settings: TLSSettings) throws {
        try self.init(settings, isServer: true)
    }

    private init(_ settings: TLSSettings, isServer: Bool) throws {
        let alpn = try Self.alpnWireFormat(settings.alpn)
        guard let context = SSL_CTX_new(TLS_method()) else {
            throw Failure("make a TLS context", OpenSSLErrors.takeReason() ?? "out of memory")
        }
        do {
            guard swnc_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
                throw Failure("make a TLS context", OpenSSLErrors.takeReason() ?? "no TLS 1.2")
            }
            swnc_SSL_CTX_set_partial_write_modes(context)
            selfSignedFingerprint = isServer
                ? try Self.configureServer(context, settings)
                : try Self.configureClient(context, settings, alpn: alpn)
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        self.context = context
        self.alpn = alpn
        serverName = settings.serverName
        insecure = settings.insecure
        if isServer, !alpn.isEmpty {
            SSL_CTX_set_alpn_select_cb(context, Self.selectProtocol, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    deinit {
        SSL_CTX_free(context)
    }

    private static func configureClient(_ context: OpaquePointer, _ settings: TLSSettings,
                                         alpn: [UInt8]) throws -> String? {
        if !settings.insecure {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            try loadTrust(context, settings.trustFile)
        }
        if !alpn.isEmpty, SSL_CTX_set_alpn_protos(context, alpn, UInt32(alpn.count)) != 0 {  // 0 is success
            throw Failure("offer ALPN", OpenSSLErrors.takeReason() ?? "out of memory")
        }
        if let certificateFile = settings.certificateFile {
            try loadCertificate(context, certificateFile, keyFile: settings.keyFile ?? certificateFile)
        } else if settings.keyFile != nil {
            throw Failure("--ssl-key needs --ssl-cert")
        }
        return nil
    }

    /// Returns the fingerprint of the certificate it made, when it made one.
    private static func configureServer(_ context: OpaquePointer, _ settings: TLSSettings) throws -> String? {
        SSL_CTX_set_num_tickets(context, 0)  // swnc never resumes a session: tickets would be wasted
        if settings.verifyClient {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
            try loadTrust(context, settings.trustFile)
            if let trustFile = settings.trustFile, let names = SSL_load_client_CA_file(trustFile) {
                SSL_CTX_set_client_CA_list(context, names)  // tells the client which CAs to pick from
            }
        }
        if let certificateFile = settings.certificateFile {
            try loadCertificate(context, certificateFile, keyFile: settings.keyFile ?? certificateFile)
            return nil
        }
        if settings.keyFile != nil { throw Failure("--ssl-key needs --ssl-cert") }
        let (certificate, key) = try Certificate.makeSelfSigned()
        defer {
            X509_free(certificate)
            EVP_PKEY_free(key)
        }
        guard SSL_CTX_use_certificate(context, certificate) == 1, SSL_CTX_use_PrivateKey(context, key) == 1 else {
            throw Failure("use the self-signed certificate", OpenSSLErrors.takeReason() ?? "unknown error")
        }
        return Certificate.fingerprint(certificate)
    }

    /// --ssl-trustfile, or the system's store without it.
    private static func loadTrust(_ context: OpaquePointer, _ trustFile: String?) throws {
        if let trustFile {
            guard SSL_CTX_load_verify_file(context, trustFile) == 1 else {
                throw Failure("load trust file \(trustFile)", OpenSSLErrors.takeReason() ?? "no certificate in it")
            }
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            throw Failure("load the system's trusted certificates", OpenSSLErrors.takeReason() ?? "unknown error")
        }
    }

    private static func loadCertificate(_ context: OpaquePointer, _ certificateFile: String, keyFile: String) throws {
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
            throw Failure("load certificate \(certificateFile)", OpenSSLErrors.takeReason() ?? "unknown error")
        }
        // Also checks that the key is the certificate's ("key values mismatch").
        guard SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1 else {
            throw Failure("load key \(keyFile)", OpenSSLErrors.takeReason() ?? "unknown error")
        }
    }

    /// "h2,http/1.1" as ALPN sends it: each name after its length byte.
    static func alpnWireFormat(_ protocols: [String]) throws -> [UInt8] {
        var wire: [UInt8] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            guard let length = UInt8(exactly: bytes.count), length > 0 else {
                throw Failure("ALPN protocol \"\(name)\"", "must be 1 to 255 bytes long")
            }
            wire.append(length)
            wire += bytes
        }
        return wire
    }

    /// A listener's ALPN choice: the first protocol of the client's list that is also in the
    /// configured one. No match: no ALPN, the handshake goes on.
    private static let selectProtocol: SSL_CTX_alpn_select_cb_func = { _, selected, selectedLength, offered, offeredLength, argument in
        guard let selected, let selectedLength, let offered, let argument else { return SSL_TLSEXT_ERR_NOACK }
        let context = Unmanaged<TLSContext>.fromOpaque(argument).takeUnretainedValue()
        var choice: UnsafeMutablePointer<UInt8>?
        var choiceLength: UInt8 = 0
        // SSL_select_next_proto goes through its first list in order: give it the client's.
        let outcome = context.alpn.withUnsafeBufferPointer { configured in
            SSL_select_next_proto(&choice, &choiceLength, offered, offeredLength,
                                  configured.baseAddress, UInt32(configured.count))
        }
        guard outcome == OPENSSL_NPN_NEGOTIATED, let choice else { return SSL_TLSEXT_ERR_NOACK }
        selected.pointee = UnsafePointer(choice)  // points into the client's list, which outlives the call
        selectedLength.pointee = choiceLength
        return SSL_TLSEXT_ERR_OK
    }
}
