#include "tls/opensslutil.h"

#include <mutex>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>

namespace Gateway::Tls::Ssl {

void ensureProviders()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Loading "legacy" explicitly replaces the implicit default, so load both.
        OSSL_PROVIDER_load(nullptr, "default");
        OSSL_PROVIDER_load(nullptr, "legacy");
        ERR_clear_error();
    });
}

QString lastError()
{
    QString text;
    unsigned long e;
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!text.isEmpty())
            text += QStringLiteral("; ");
        text += QString::fromLatin1(buf);
    }
    return text.isEmpty() ? QStringLiteral("unknown OpenSSL error") : text;
}

QByteArray bioToBytes(BIO *bio)
{
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(len));
}

Cert certFromPem(const QByteArray &pem)
{
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    Cert cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    return cert;
}

Cert certFromDer(const QByteArray &der)
{
    const unsigned char *p = reinterpret_cast<const unsigned char *>(der.constData());
    return Cert(d2i_X509(nullptr, &p, long(der.size())));
}

PKey keyFromPem(const QByteArray &pem, const QByteArray &password)
{
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    // A non-null passphrase (even empty) so OpenSSL never prompts on the terminal.
    QByteArray pass = password;
    PKey key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, pass.data()));
    BIO_free(bio);
    return key;
}

QByteArray certToPem(X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    QByteArray pem = bioToBytes(bio);
    BIO_free(bio);
    return pem;
}

QByteArray keyToPem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    QByteArray pem = bioToBytes(bio);
    BIO_free(bio);
    return pem;
}

} // namespace Gateway::Tls::Ssl
