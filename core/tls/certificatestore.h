#pragma once

// The TLS material of one configuration (azure-reference.md §1, §3; issue 5): the server
// certificates of the HTTPS listeners, loaded and checked once at start/apply (PFX from the
// template, or metadata.localGateway.certificateFiles: PFX, or PEM + key), the listener choice
// by SNI on shared ports, the SSL policy, and the client configuration for backend settings
// with protocol Https (trusted roots + system CAs). Immutable after loadCertificates(); shared
// by the worker threads through Runtime (read-only, no locks).

#include "config/gatewayconfig.h"
#include "tls/clientauth.h"

#include <QHash>
#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QString>

#include <memory>

namespace Gateway::Config {
struct ResolvedSslPolicy;
}

namespace Gateway::Tls {

struct ServerCertificate
{
    QString name;                 // sslCertificates name
    QSslCertificate certificate;  // the leaf
    QList<QSslCertificate> chain; // intermediates (and roots) that came with it
    QSslKey key;
};

// One HTTPS listener as the TLS layer sees it.
struct ListenerTls
{
    QString listener;
    int frontendPort = 0;
    QStringList hostNames; // empty: a Basic listener
    bool requireServerNameIndication = false;
    QString certificateName;
    QSslConfiguration configuration; // certificate, key, chain, protocol floor, ciphers
    QString sslProfile;              // the listener's sslProfiles name, or empty
    // Set when the SSL profile authenticates clients (trustedClientCertificates): the handshake
    // asks for a client certificate and ClientConnection answers 400 without a valid one.
    std::shared_ptr<const ClientAuthority> clientAuth;
};

class CertificateStore
{
public:
    const ServerCertificate *certificate(const QString &name) const; // case-insensitive
    QList<ListenerTls> listeners() const { return m_listeners; }
    // The certificate name of an HTTPS listener; null for an unknown or plain listener.
    QString certificateNameOf(const QString &listener) const;

    // The listener whose certificate a ClientHello on frontendPort gets. sni is empty when the
    // client sent none. nullptr: refuse the handshake (requireServerNameIndication, or no
    // listener with a certificate on that port).
    const ListenerTls *select(int frontendPort, const QString &sni) const;

    // Client side, for backend settings with protocol Https: peer verification against the
    // setting's trustedRootCertificates plus the system CAs.
    QSslConfiguration backendConfiguration(const QString &settingName) const;
    // v1 authenticationCertificates of a backend setting: when not empty, the backend's leaf
    // certificate must be one of them (an allowlist, as Azure v1 does: no chain or name check;
    // backendConfiguration() then verifies nothing itself).
    QList<QSslCertificate> backendAuthenticationCertificates(const QString &settingName) const;

    // The minimum protocol and cipher list of an SSL policy name (empty: the default,
    // TLS 1.2+ with the Mozilla Intermediate ciphers). minProtocolVersion is used for Custom.
    static void applyPolicy(QSslConfiguration *configuration, const QString &policyName,
                            const QString &policyType = {}, const QString &minProtocolVersion = {});
    // A resolved policy (config/sslpolicy.h): protocol range, TLS 1.0-1.2 cipher list (OpenSSL
    // security level 0 when TLS 1.0/1.1 are on, as OpenSSL 3 refuses them otherwise), TLS 1.3
    // suites. The DHE suites are left out on v2 (Azure v2 never uses them). Returns the suites
    // the local OpenSSL does not have (not offered).
    static QStringList applyPolicy(QSslConfiguration *configuration,
                                   const Config::ResolvedSslPolicy &policy, bool v2 = true);

private:
    friend Config::Diagnostics loadCertificates(const Config::GatewayConfig &, const QString &,
                                                CertificateStore *);
    QHash<QString, ServerCertificate> m_certificates; // key: lower-case name
    QList<ListenerTls> m_listeners;
    QHash<QString, QSslConfiguration> m_backend;             // key: lower-case setting name
    QHash<QString, QList<QSslCertificate>> m_backendAllowed; // key: lower-case setting name
    QSslConfiguration m_defaultBackend;
};

// Loads every certificate the configuration needs (those of Https listeners) and the trusted
// roots of Https backend settings. Errors carry the JSON path of the element that names the
// problem (the certificate's data/password, or the certificateFiles entry). Passwords are never
// part of a message. configDir resolves relative file names.
Config::Diagnostics loadCertificates(const Config::GatewayConfig &config, const QString &configDir,
                                     CertificateStore *out);

// Reads a PFX (DER bytes): the leaf, its key and chain. Returns an empty string on success,
// else the reason (wrong password, not a PFX, no private key...).
QString readPkcs12(const QByteArray &der, const QString &password, ServerCertificate *out);
// Reads a PEM certificate chain and a PEM private key (optionally encrypted) and checks they match.
QString readPem(const QByteArray &certificatePem, const QByteArray &keyPem, const QString &password,
                ServerCertificate *out);

} // namespace Gateway::Tls
