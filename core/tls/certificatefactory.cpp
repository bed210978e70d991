#include "tls/certificatefactory.h"

#include "tls/opensslutil.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QSaveFile>
#include <QStandardPaths>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace Gateway::Tls {

namespace {

bool addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext)
        return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

bool fail(QString *error, const QString &what)
{
    if (error)
        *error = what + QStringLiteral(": ") + Ssl::lastError();
    return false;
}

} // namespace

KeyPair CertificateFactory::create(const CertificateRequest &request, const KeyPair &issuer,
                                   QString *error)
{
    Ssl::ensureProviders();
    Ssl::PKey key(EVP_EC_gen("P-256"));
    if (!key) {
        fail(error, QStringLiteral("cannot generate a key"));
        return {};
    }
    Ssl::Cert issuerCert;
    Ssl::PKey issuerKey;
    if (!issuer.isNull()) {
        issuerCert = Ssl::certFromPem(issuer.certificatePem);
        issuerKey = Ssl::keyFromPem(issuer.keyPem, {});
        if (!issuerCert || !issuerKey) {
            fail(error, QStringLiteral("cannot read the issuer certificate"));
            return {};
        }
    }
    Ssl::Cert cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                    long(request.notBeforeOffsetDays) * 86400 - 300);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                    long(request.notBeforeOffsetDays + request.validDays) * 86400);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME *name = X509_get_subject_name(cert.get());
    const QByteArray cn = request.commonName.toUtf8();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>("appgw development"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0);
    X509 *issuerX = issuerCert ? issuerCert.get() : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuerX));

    bool ok = true;
    if (request.isCa) {
        ok = ok
             && addExtension(cert.get(), issuerX, NID_basic_constraints,
                             "critical,CA:TRUE,pathlen:0");
        ok = ok && addExtension(cert.get(), issuerX, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        ok = ok && addExtension(cert.get(), issuerX, NID_basic_constraints, "critical,CA:FALSE");
        ok = ok
             && addExtension(cert.get(), issuerX, NID_key_usage,
                             "critical,digitalSignature,keyEncipherment");
        ok = ok && addExtension(cert.get(), issuerX, NID_ext_key_usage, "serverAuth,clientAuth");
    }
    ok = ok && addExtension(cert.get(), issuerX, NID_subject_key_identifier, "hash");
    if (issuerCert)
        ok = ok && addExtension(cert.get(), issuerX, NID_authority_key_identifier, "keyid:always");
    QStringList sans;
    for (const QString &host : request.hosts) {
        QHostAddress address;
        if (address.setAddress(host))
            sans.append(QStringLiteral("IP:") + address.toString());
        else
            sans.append(QStringLiteral("DNS:") + host);
    }
    if (!sans.isEmpty())
        ok = ok
             && addExtension(cert.get(), issuerX, NID_subject_alt_name,
                             sans.join(QLatin1Char(',')).toUtf8().constData());
    if (!ok) {
        fail(error, QStringLiteral("cannot add the certificate extensions"));
        return {};
    }
    if (X509_sign(cert.get(), issuerKey ? issuerKey.get() : key.get(), EVP_sha256()) <= 0) {
        fail(error, QStringLiteral("cannot sign the certificate"));
        return {};
    }
    KeyPair pair;
    pair.certificatePem = Ssl::certToPem(cert.get());
    pair.keyPem = Ssl::keyToPem(key.get());
    return pair;
}

QByteArray CertificateFactory::toPkcs12(const KeyPair &leaf, const QList<QByteArray> &chainPem,
                                        const QString &password, QString *error)
{
    Ssl::ensureProviders();
    Ssl::Cert cert = Ssl::certFromPem(leaf.certificatePem);
    Ssl::PKey key = Ssl::keyFromPem(leaf.keyPem, {});
    if (!cert || !key) {
        fail(error, QStringLiteral("cannot read the certificate"));
        return {};
    }
    STACK_OF(X509) *ca = sk_X509_new_null();
    for (const QByteArray &pem : chainPem) {
        Ssl::Cert c = Ssl::certFromPem(pem);
        if (c)
            sk_X509_push(ca, c.release());
    }
    const QByteArray pass = password.toUtf8();
    PKCS12 *p12 = PKCS12_create(pass.constData(), "appgw", key.get(), cert.get(), ca, 0, 0, 0, 0, 0);
    sk_X509_pop_free(ca, X509_free);
    if (!p12) {
        fail(error, QStringLiteral("cannot create the PFX"));
        return {};
    }
    BIO *bio = BIO_new(BIO_s_mem());
    i2d_PKCS12_bio(bio, p12);
    PKCS12_free(p12);
    QByteArray der = Ssl::bioToBytes(bio);
    BIO_free(bio);
    return der;
}

KeyPair developmentCa(QString *certificatePath, QString *error)
{
    const QString dir = qEnvironmentVariableIsSet("APPGW_DATA_DIR")
                            ? qEnvironmentVariable("APPGW_DATA_DIR")
                            : QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
                                  + QStringLiteral("/appgw");
    const QString crtPath = dir + QStringLiteral("/development-ca.crt");
    const QString keyPath = dir + QStringLiteral("/development-ca.key");
    if (certificatePath)
        *certificatePath = crtPath;
    QFile crt(crtPath), key(keyPath);
    if (crt.open(QIODevice::ReadOnly) && key.open(QIODevice::ReadOnly)) {
        KeyPair ca{crt.readAll(), key.readAll()};
        if (!ca.certificatePem.isEmpty() && !ca.keyPem.isEmpty())
            return ca;
    }
    crt.close();
    key.close();
    CertificateRequest request;
    request.commonName = QStringLiteral("appgw development CA (%1)")
                             .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    request.isCa = true;
    request.validDays = 3650;
    const KeyPair ca = CertificateFactory::create(request, {}, error);
    if (ca.isNull())
        return {};
    if (!QDir().mkpath(dir)) {
        fail(error, QStringLiteral("cannot create the folder %1").arg(dir));
        return {};
    }
    QSaveFile keyOut(keyPath);
    if (!keyOut.open(QIODevice::WriteOnly)) {
        fail(error, QStringLiteral("cannot write %1: %2").arg(keyPath, keyOut.errorString()));
        return {};
    }
    keyOut.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    keyOut.write(ca.keyPem);
    QSaveFile crtOut(crtPath);
    if (!keyOut.commit() || !crtOut.open(QIODevice::WriteOnly)
        || crtOut.write(ca.certificatePem) < 0 || !crtOut.commit()) {
        fail(error, QStringLiteral("cannot write the development CA into %1").arg(dir));
        return {};
    }
    return ca;
}

} // namespace Gateway::Tls
