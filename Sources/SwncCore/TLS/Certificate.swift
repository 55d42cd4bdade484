import COpenSSL

/// What -v says about a certificate, and the self-signed one a listener makes when it is given
/// none. Certificates and keys are OpenSSL's X509 and EVP_PKEY pointers.
enum Certificate {
    /// The SHA-256 of the certificate's DER encoding, as "AB:CD:...".
    static func fingerprint(_ certificate: OpaquePointer) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, EVP_sha256(), &digest, &length) == 1 else { return "" }
        return digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// The subject on one line, "C=DE, O=Example, CN=host", its control and non-ASCII bytes
    /// escaped (it comes from the peer).
    static func subject(_ certificate: OpaquePointer) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, X509_get_subject_name(certificate), 0, swnc_XN_FLAG_ONELINE_COMPACT()) >= 0
        else { return "" }
        var data: UnsafeMutablePointer<CChar>?
        let count = swnc_BIO_get_mem_data(bio, &data)
        guard let data, count > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    }

    /// A fresh self-signed certificate: EC P-256 key, X.509 v3, random serial, CN "swnc", valid
    /// from an hour ago (clocks differ) for a year, signed with SHA-256. The caller frees both.
    static func makeSelfSigned() throws -> (certificate: OpaquePointer, key: OpaquePointer) {
        let failure = { Failure("make a self-signed certificate", OpenSSLErrors.takeReason() ?? "unknown error") }
        guard let key = swnc_EVP_EC_gen_P256() else { throw failure() }
        guard let certificate = X509_new() else {
            EVP_PKEY_free(key)
            throw failure()
        }
        let serial = BN_new()
        defer { BN_free(serial) }
        let name = X509_get_subject_name(certificate)
        let commonName = Array("swnc".utf8)
        let made = X509_set_version(certificate, Int(X509_VERSION_3)) == 1
            && BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1
            && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate)) != nil
            && X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil
            && X509_gmtime_adj(X509_getm_notAfter(certificate), 365 * 24 * 3600) != nil
            && X509_NAME_add_entry_by_txt(name, "CN", swnc_MBSTRING_ASC(), commonName, Int32(commonName.count), -1, 0) == 1
            && X509_set_issuer_name(certificate, name) == 1
            && X509_set_pubkey(certificate, key) == 1
            && X509_sign(certificate, key, EVP_sha256()) > 0
        guard made else {
            X509_free(certificate)
            EVP_PKEY_free(key)
            throw failure()
        }
        return (certificate, key)
    }
}
