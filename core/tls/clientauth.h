#pragma once

// Mutual TLS on a listener whose SSL profile has client authentication (azure-reference.md §1,
// §6; mutual-authentication-overview.md): the trusted client CA chains of the profile, the
// verification of the certificate a client presented, and what the connection knows about it
// afterwards — the mTLS server variables (client_certificate, client_certificate_issuer, ...),
// in nginx's formats, which Azure's variables are. Azure forwards none of them by default; a
// rewrite rule set puts them into headers.

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

namespace Gateway::Tls {

// What one SSL profile trusts.
struct ClientAuthority
{
    QString profile;                       // sslProfiles name
    QList<QSslCertificate> caCertificates; // every CA of every trustedClientCertificates chain
    bool verifyIssuerDn = false;           // clientAuthConfiguration.verifyClientCertIssuerDN
    QStringList issuerDns; // the DNs extracted from the chains (RFC 2253), Azure's scenarios 1-5
};

// The client certificate of one connection, as verified after the handshake.
struct ClientCertificate
{
    bool required = false; // the listener's SSL profile authenticates clients
    bool presented = false;
    QString verification = QStringLiteral("NONE"); // SUCCESS | FAILED:<reason> | NONE
    QByteArray pem;                                // client_certificate
    QString subject, issuer;                       // RFC 2253 DNs
    QString serial;                                // upper-case hex
    QString startDate, endDate; // "Dec  5 14:04:31 2026 GMT" (nginx's $ssl_client_v_start)
    QString fingerprint;        // SHA-1, lower-case hex without colons
    bool isVerified() const { return verification == QLatin1String("SUCCESS"); }

    // The mTLS server variables by name ("client_certificate_subject" ...); empty for a name that
    // is not one of them. variableNames() lists them.
    QString variable(const QString &name) const;
    static const QStringList &variableNames();
};

// Verifies leaf (with the intermediates the client sent) against authority at time `now`, with the
// TLS client purpose. A null leaf gives NONE.
ClientCertificate verifyClientCertificate(const ClientAuthority &authority,
                                          const QSslCertificate &leaf,
                                          const QList<QSslCertificate> &sentChain,
                                          const QDateTime &now);

// Reads one trustedClientCertificates `data` (PEM text, or base64 of PEM or DER) into *out and
// the issuer DN Azure extracts from it. Returns the reason it is refused, with Azure's error code
// (ApplicationGatewayTrustedClientCertificateMustSpecifyData, ...InvalidData,
// ...MustNotHavePrivateKey, ...DoesNotContainAnyCACertificate), or an empty string.
QString readTrustedClientCertificate(const QString &data, QList<QSslCertificate> *out,
                                     QString *issuerDn);

} // namespace Gateway::Tls
