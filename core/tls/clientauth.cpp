#include "tls/clientauth.h"

#include "tls/opensslutil.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace Gateway::Tls {

namespace {

QString nameOf(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    const QString text = QString::fromUtf8(Ssl::bioToBytes(bio));
    BIO_free(bio);
    return text;
}

QString timeOf(const ASN1_TIME *time)
{
    BIO *bio = BIO_new(BIO_s_mem());
    ASN1_TIME_print(bio, time);
    const QString text = QString::fromLatin1(Ssl::bioToBytes(bio));
    BIO_free(bio);
    return text;
}

Ssl::Cert toX509(const QSslCertificate &certificate)
{
    return Ssl::certFromDer(certificate.toDer());
}

bool isCa(X509 *cert)
{
    return X509_check_ca(cert) > 0;
}

} // namespace

const QStringList &ClientCertificate::variableNames()
{
    static const QStringList names = {QStringLiteral("client_certificate"),
                                      QStringLiteral("client_certificate_end_date"),
                                      QStringLiteral("client_certificate_fingerprint"),
                                      QStringLiteral("client_certificate_issuer"),
                                      QStringLiteral("client_certificate_serial"),
                                      QStringLiteral("client_certificate_start_date"),
                                      QStringLiteral("client_certificate_subject"),
                                      QStringLiteral("client_certificate_verification")};
    return names;
}

QString ClientCertificate::variable(const QString &name) const
{
    const QString n = name.toLower();
    if (n == QLatin1String("client_certificate_verification"))
        return verification;
    if (!presented)
        return {};
    if (n == QLatin1String("client_certificate"))
        return QString::fromLatin1(pem);
    if (n == QLatin1String("client_certificate_end_date"))
        return endDate;
    if (n == QLatin1String("client_certificate_fingerprint"))
        return fingerprint;
    if (n == QLatin1String("client_certificate_issuer"))
        return issuer;
    if (n == QLatin1String("client_certificate_serial"))
        return serial;
    if (n == QLatin1String("client_certificate_start_date"))
        return startDate;
    if (n == QLatin1String("client_certificate_subject"))
        return subject;
    return {};
}

ClientCertificate verifyClientCertificate(const ClientAuthority &authority,
                                          const QSslCertificate &leaf,
                                          const QList<QSslCertificate> &sentChain,
                                          const QDateTime &now)
{
    ClientCertificate result;
    result.required = true;
    if (leaf.isNull())
        return result;
    Ssl::ensureProviders();
    Ssl::Cert x = toX509(leaf);
    if (!x) {
        result.presented = true;
        result.verification = QStringLiteral("FAILED:unreadable certificate");
        return result;
    }
    result.presented = true;
    result.pem = leaf.toPem();
    result.subject = nameOf(X509_get_subject_name(x.get()));
    result.issuer = nameOf(X509_get_issuer_name(x.get()));
    {
        BIO *bio = BIO_new(BIO_s_mem());
        i2a_ASN1_INTEGER(bio, X509_get_serialNumber(x.get()));
        result.serial = QString::fromLatin1(Ssl::bioToBytes(bio));
        BIO_free(bio);
    }
    result.startDate = timeOf(X509_get0_notBefore(x.get()));
    result.endDate = timeOf(X509_get0_notAfter(x.get()));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(x.get(), EVP_sha1(), digest, &length) == 1)
        result.fingerprint = QString::fromLatin1(
            QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex());

    X509_STORE *store = X509_STORE_new();
    for (const QSslCertificate &ca : authority.caCertificates)
        if (Ssl::Cert c = toX509(ca))
            X509_STORE_add_cert(store, c.get()); // takes its own reference
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (const QSslCertificate &c : sentChain) {
        if (c == leaf)
            continue;
        if (Ssl::Cert u = toX509(c))
            sk_X509_push(untrusted, u.release());
    }
    X509_STORE_CTX *context = X509_STORE_CTX_new();
    QString failure;
    if (X509_STORE_CTX_init(context, store, x.get(), untrusted) == 1) {
        X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_CLIENT);
        X509_STORE_CTX_set_time(context, 0, time_t(now.toSecsSinceEpoch()));
        if (X509_verify_cert(context) != 1)
            failure = QString::fromLatin1(
                X509_verify_cert_error_string(X509_STORE_CTX_get_error(context)));
    } else {
        failure = Ssl::lastError();
    }
    X509_STORE_CTX_free(context);
    sk_X509_pop_free(untrusted, X509_free);
    X509_STORE_free(store);
    ERR_clear_error();
    // Azure's wording for the issuer DN check (mutual-authentication-troubleshooting.md).
    if (failure.isEmpty() && authority.verifyIssuerDn
        && !authority.issuerDns.contains(result.issuer))
        failure = QStringLiteral("unable to verify the client certificate issuer");
    result.verification = failure.isEmpty() ? QStringLiteral("SUCCESS")
                                            : QStringLiteral("FAILED:") + failure;
    return result;
}

QString readTrustedClientCertificate(const QString &data, QList<QSslCertificate> *out,
                                     QString *issuerDn)
{
    out->clear();
    const QByteArray raw = data.trimmed().toLatin1();
    if (raw.isEmpty())
        return QStringLiteral("holds no certificate data "
                              "(ApplicationGatewayTrustedClientCertificateMustSpecifyData)");
    QByteArray pem = raw;
    if (!raw.contains("-----BEGIN")) {
        const QByteArray decoded = QByteArray::fromBase64(raw);
        pem = decoded.contains("-----BEGIN") ? decoded : QByteArray();
        if (pem.isEmpty())
            *out = QSslCertificate::fromData(decoded, QSsl::Der);
    }
    if (pem.contains("PRIVATE KEY-----"))
        return QStringLiteral("holds a private key; upload only the CA certificates "
                              "(ApplicationGatewayTrustedClientCertificateMustNotHavePrivateKey)");
    if (!pem.isEmpty())
        *out = QSslCertificate::fromData(pem, QSsl::Pem);
    if (out->isEmpty())
        return QStringLiteral("is not a PEM or CER certificate chain "
                              "(ApplicationGatewayTrustedClientCertificateInvalidData)");
    // Keep the CA certificates (a leaf in the file is ignored, as Azure does); the issuer DN is
    // the subject of the deepest CA below the root (scenarios 1-5 of the overview).
    QList<QSslCertificate> cas;
    std::vector<Ssl::Cert> xs;
    for (const QSslCertificate &c : std::as_const(*out)) {
        Ssl::Cert x = toX509(c);
        if (x && isCa(x.get())) {
            cas << c;
            xs.push_back(std::move(x));
        }
    }
    *out = cas;
    if (cas.isEmpty())
        return QStringLiteral(
            "holds no CA certificate (basic constraints CA:TRUE) "
            "(ApplicationGatewayTrustedClientCertificateDoesNotContainAnyCACertificate)");
    int deepest = -1, bestDepth = -1;
    for (size_t i = 0; i < xs.size(); ++i) {
        int depth = 0;
        X509 *at = xs[i].get();
        for (int guard = 0; guard < int(xs.size()); ++guard) {
            if (X509_check_issued(at, at) == X509_V_OK)
                break; // self-signed: the root
            X509 *parent = nullptr;
            for (const Ssl::Cert &candidate : xs)
                if (candidate.get() != at && X509_check_issued(candidate.get(), at) == X509_V_OK)
                    parent = candidate.get();
            if (!parent)
                break;
            ++depth;
            at = parent;
        }
        if (depth > bestDepth) {
            bestDepth = depth;
            deepest = int(i);
        }
    }
    if (issuerDn)
        *issuerDn = nameOf(X509_get_subject_name(xs[size_t(deepest)].get()));
    return {};
}

} // namespace Gateway::Tls
