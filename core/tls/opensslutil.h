#pragma once

// Internal to core/tls: small RAII wrappers around OpenSSL 3 objects and PEM conversions.
// Never included from headers outside core/tls (gateway_core links OpenSSL privately).

#include <QByteArray>
#include <QString>

#include <memory>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace Gateway::Tls::Ssl {

struct X509Free
{
    void operator()(X509 *x) const { X509_free(x); }
};
struct PKeyFree
{
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
using Cert = std::unique_ptr<X509, X509Free>;
using PKey = std::unique_ptr<EVP_PKEY, PKeyFree>;

// Loads the default and (when present) legacy providers once, so old PFX files (RC2/3DES)
// still open.
void ensureProviders();
// The OpenSSL error queue as one line (and clears it).
QString lastError();
QByteArray bioToBytes(BIO *bio);

Cert certFromPem(const QByteArray &pem);
Cert certFromDer(const QByteArray &der);
PKey keyFromPem(const QByteArray &pem, const QByteArray &password);
QByteArray certToPem(X509 *cert);
QByteArray keyToPem(EVP_PKEY *key); // unencrypted PKCS#8, in memory only

} // namespace Gateway::Tls::Ssl
