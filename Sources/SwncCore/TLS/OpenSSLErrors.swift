import COpenSSL

/// OpenSSL's per-thread error queue, worded for a `Failure`.
enum OpenSSLErrors {
    /// Empties the queue, so that the next call's errors are its own (SSL_get_error needs that).
    static func clear() { ERR_clear_error() }

    /// The reason of the first error in the queue ("No such file or directory", "no start line"),
    /// nil when the queue is empty; the queue is left empty.
    static func takeReason() -> String? {
        defer { ERR_clear_error() }
        let error = ERR_get_error()
        guard error != 0 else { return nil }
        let systemErrno = swnc_ERR_system_errno(error)
        if systemErrno != 0 { return Errno(systemErrno).description }
        if let reason = ERR_reason_error_string(error) { return String(cString: reason) }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(error, &text, text.count)
        return String(cString: text)
    }

    /// Whether the first error in the queue is the peer closing without close_notify.
    static var isUnexpectedEndOfFile: Bool {
        let error = ERR_peek_error()
        return ERR_GET_LIB(error) == ERR_LIB_SSL && ERR_GET_REASON(error) == SSL_R_UNEXPECTED_EOF_WHILE_READING
    }
}
