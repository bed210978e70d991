#pragma once

// Throwaway certificates for TLS probe tests, made with OpenSSL at run time (nothing on disk):
// a CA, leaves signed by it (any CN/SAN, any validity window), as PEM.

#include <QByteArray>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace TestCerts {

struct KeyPair
{
    QByteArray certPem;
    QByteArray keyPem;
    QSslCertificate certificate() const { return QSslCertificate(certPem, QSsl::Pem); }
    QSslKey key() const { return QSslKey(keyPem, QSsl::Ec, QSsl::Pem); }
};

namespace Internal {

inline QByteArray bioToBytes(BIO *bio)
{
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(len));
}

inline void addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

} // namespace Internal

// issuer: nullptr for a self-signed CA. Validity in seconds relative to now.
inline KeyPair make(const QString &commonName, const KeyPair *issuer, bool isCa,
                    long notBeforeOffset = -3600, long notAfterOffset = 86400)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    static long serial = 1000;
    ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), notBeforeOffset);
    X509_gmtime_adj(X509_getm_notAfter(cert), notAfterOffset);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    const QByteArray cn = commonName.toUtf8();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0);

    X509 *issuerCert = cert;
    EVP_PKEY *issuerKey = key;
    if (issuer) {
        BIO *cb = BIO_new_mem_buf(issuer->certPem.constData(), int(issuer->certPem.size()));
        issuerCert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
        BIO_free(cb);
        BIO *kb = BIO_new_mem_buf(issuer->keyPem.constData(), int(issuer->keyPem.size()));
        issuerKey = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
        BIO_free(kb);
    }
    X509_set_issuer_name(cert, X509_get_subject_name(issuerCert));
    if (isCa) {
        Internal::addExtension(cert, issuerCert, NID_basic_constraints, "critical,CA:TRUE");
        Internal::addExtension(cert, issuerCert, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        Internal::addExtension(cert, issuerCert, NID_basic_constraints, "CA:FALSE");
        const QByteArray san = "DNS:" + cn;
        Internal::addExtension(cert, issuerCert, NID_subject_alt_name, san.constData());
        Internal::addExtension(cert, issuerCert, NID_ext_key_usage, "serverAuth");
    }
    X509_sign(cert, issuerKey, EVP_sha256());

    KeyPair out;
    BIO *cbio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cbio, cert);
    out.certPem = Internal::bioToBytes(cbio);
    BIO_free(cbio);
    BIO *kbio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(kbio, key, nullptr, nullptr, 0, nullptr, nullptr);
    out.keyPem = Internal::bioToBytes(kbio);
    BIO_free(kbio);

    if (issuer) {
        X509_free(issuerCert);
        EVP_PKEY_free(issuerKey);
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
}

} // namespace TestCerts
