#pragma once

// Development certificates made with OpenSSL's API (no shelling out): a local CA and a leaf for
// a set of host names (SAN DNS / IP), written as PKCS#12 (PFX) and PEM. Used by
// `appgw cert create` and by the tests, which generate every certificate they need.

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <memory>

namespace Gateway::Tls {

// A certificate with its private key, kept as PEM (unencrypted key: in memory only).
struct KeyPair
{
    QByteArray certificatePem;
    QByteArray keyPem;
    bool isNull() const { return certificatePem.isEmpty(); }
};

struct CertificateRequest
{
    QString commonName;
    QStringList hosts; // SAN entries: IP addresses become IP SANs, the rest DNS
    int validDays = 825;
    int notBeforeOffsetDays = 0; // negative: valid since the past (expired certificates in tests)
    bool isCa = false;
};

class CertificateFactory
{
public:
    // A self-signed CA ("appgw development CA ..."), or a leaf signed by issuer (null: self-signed).
    static KeyPair create(const CertificateRequest &request, const KeyPair &issuer = {},
                          QString *error = nullptr);
    // PKCS#12 with the leaf, its key and the chain; empty password allowed.
    static QByteArray toPkcs12(const KeyPair &leaf, const QList<QByteArray> &chainPem,
                               const QString &password, QString *error = nullptr);
};

// The local development CA: made once, kept in the user's data folder
// ($APPGW_DATA_DIR, else QStandardPaths' GenericDataLocation/appgw) as development-ca.crt and
// development-ca.key (owner-only). `appgw cert create` and the development certificates of
// listeners whose certificate cannot be had locally are signed by it. *certificatePath receives
// the CA certificate's file (what the user trusts).
KeyPair developmentCa(QString *certificatePath, QString *error = nullptr);

} // namespace Gateway::Tls
