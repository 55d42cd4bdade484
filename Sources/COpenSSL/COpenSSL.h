#ifndef COPENSSL_H
#define COPENSSL_H

// The system's OpenSSL 3, plus functions for the macros Swift cannot import (they expand to
// *_ctrl calls with casts, or to variadic functions).

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static inline int swnc_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_min_proto_version(context, version);
}

/// Partial writes, and a retried write may come from a moved buffer (a pump's buffer moves).
static inline void swnc_SSL_CTX_set_partial_write_modes(SSL_CTX *context) {
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

static inline int swnc_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// The bytes a memory BIO holds; returns their count.
static inline long swnc_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

/// A fresh EC key on the P-256 curve (EVP_EC_gen is a macro over a variadic function).
static inline EVP_PKEY *swnc_EVP_EC_gen_P256(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/// The errno an error-queue entry carries, or 0 when it is not a system error.
static inline int swnc_ERR_system_errno(unsigned long error) {
    return ERR_SYSTEM_ERROR(error) ? (int)ERR_GET_REASON(error) : 0;
}

/// A one-line distinguished name: "C=DE, O=Example, CN=host", control bytes escaped.
static inline unsigned long swnc_XN_FLAG_ONELINE_COMPACT(void) {
    return XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ;
}

static inline int swnc_MBSTRING_ASC(void) {
    return MBSTRING_ASC;
}

#endif
