#include "tls/certificatestore.h"

#include "config/sslpolicy.h"
#include "routing/hostmatch.h"
#include "tls/certificatefactory.h"
#include "tls/opensslutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSslCipher>
#include <QSslSocket>

#include <algorithm>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

namespace Gateway::Tls {

namespace {

// The system CA store, read once per process (later applies reuse it, as Qt's own on-demand root
// loading does).
QList<QSslCertificate> systemCaCertificates()
{
    static const QList<QSslCertificate> system = QSslConfiguration::systemCaCertificates();
    return system;
}

QString join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

// Mozilla Intermediate (reliability-cases.md T02).
const char *const IntermediateCiphers[] = {
    "TLS_AES_128_GCM_SHA256",       "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",  "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",  "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",  "DHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES256-GCM-SHA384",    "DHE-RSA-CHACHA20-POLY1305"};

QSsl::KeyAlgorithm algorithmOf(EVP_PKEY *key)
{
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return QSsl::Rsa;
    case EVP_PKEY_EC: return QSsl::Ec;
    case EVP_PKEY_DSA: return QSsl::Dsa;
    case EVP_PKEY_DH: return QSsl::Dh;
    default: return QSsl::Opaque;
    }
}

QString toQt(X509 *leaf, EVP_PKEY *key, STACK_OF(X509) * chain, ServerCertificate *out)
{
    const QSsl::KeyAlgorithm algorithm = algorithmOf(key);
    if (algorithm == QSsl::Opaque || algorithm == QSsl::Dh)
        return QStringLiteral("the private key type is not supported (use RSA or ECDSA)");
    out->certificate = QSslCertificate(Ssl::certToPem(leaf), QSsl::Pem);
    out->key = QSslKey(Ssl::keyToPem(key), algorithm, QSsl::Pem, QSsl::PrivateKey);
    out->chain.clear();
    for (int i = 0; chain && i < sk_X509_num(chain); ++i)
        out->chain.append(QSslCertificate(Ssl::certToPem(sk_X509_value(chain, i)), QSsl::Pem));
    if (out->certificate.isNull() || out->key.isNull())
        return QStringLiteral("the certificate or key could not be converted");
    return {};
}

QByteArray decodeRootData(const QString &data)
{
    return data.trimmed().toLatin1();
}

QList<QSslCertificate> parseRoot(const QString &data)
{
    const QByteArray raw = decodeRootData(data);
    if (raw.isEmpty())
        return {};
    if (raw.contains("-----BEGIN"))
        return QSslCertificate::fromData(raw, QSsl::Pem);
    const QByteArray decoded = QByteArray::fromBase64(raw);
    if (decoded.contains("-----BEGIN"))
        return QSslCertificate::fromData(decoded, QSsl::Pem);
    return QSslCertificate::fromData(decoded, QSsl::Der);
}

} // namespace

QString readPkcs12(const QByteArray &der, const QString &password, ServerCertificate *out)
{
    Ssl::ensureProviders();
    ERR_clear_error();
    const unsigned char *p = reinterpret_cast<const unsigned char *>(der.constData());
    PKCS12 *p12 = d2i_PKCS12(nullptr, &p, long(der.size()));
    if (!p12) {
        ERR_clear_error();
        return QStringLiteral("is not a PKCS#12 (PFX) file");
    }
    const QByteArray pass = password.toUtf8();
    const char *passPtr = pass.constData();
    if (PKCS12_mac_present(p12)) {
        bool ok = PKCS12_verify_mac(p12, passPtr, int(pass.size())) == 1;
        if (!ok && pass.isEmpty()) {
            ok = PKCS12_verify_mac(p12, nullptr, 0) == 1;
            if (ok)
                passPtr = nullptr;
        }
        if (!ok) {
            PKCS12_free(p12);
            ERR_clear_error();
            return QStringLiteral("the PFX password is wrong");
        }
    }
    EVP_PKEY *key = nullptr;
    X509 *leaf = nullptr;
    STACK_OF(X509) *chain = nullptr;
    const int parsed = PKCS12_parse(p12, passPtr, &key, &leaf, &chain);
    PKCS12_free(p12);
    QString error;
    if (parsed != 1)
        error = QStringLiteral("the PFX cannot be read (%1)").arg(Ssl::lastError());
    else if (!leaf)
        error = QStringLiteral("the PFX holds no certificate");
    else if (!key)
        error = QStringLiteral(
            "the PFX holds no private key (Azure needs the private and public key)");
    else if (X509_check_private_key(leaf, key) != 1)
        error = QStringLiteral("the private key in the PFX does not match its certificate");
    else
        error = toQt(leaf, key, chain, out);
    EVP_PKEY_free(key);
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    ERR_clear_error();
    return error;
}

QString readPem(const QByteArray &certificatePem, const QByteArray &keyPem, const QString &password,
                ServerCertificate *out)
{
    Ssl::ensureProviders();
    ERR_clear_error();
    const QList<QSslCertificate> all = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    if (all.isEmpty())
        return QStringLiteral("holds no PEM certificate");
    Ssl::Cert leaf = Ssl::certFromPem(certificatePem);
    Ssl::PKey key = Ssl::keyFromPem(keyPem, password.toUtf8());
    ERR_clear_error();
    if (!leaf)
        return QStringLiteral("holds no PEM certificate");
    if (!key)
        return keyPem.contains("ENCRYPTED")
                   ? QStringLiteral("the private key password is wrong")
                   : QStringLiteral("the key file holds no PEM private key");
    if (X509_check_private_key(leaf.get(), key.get()) != 1) {
        ERR_clear_error();
        return QStringLiteral("the private key does not match the certificate");
    }
    const QString error = toQt(leaf.get(), key.get(), nullptr, out);
    if (error.isEmpty())
        out->chain = all.mid(1);
    return error;
}

const ServerCertificate *CertificateStore::certificate(const QString &name) const
{
    auto it = m_certificates.constFind(name.toLower());
    return it == m_certificates.cend() ? nullptr : &it.value();
}

QString CertificateStore::certificateNameOf(const QString &listener) const
{
    for (const ListenerTls &l : m_listeners) {
        if (l.listener == listener)
            return l.certificateName;
    }
    return {};
}

const ListenerTls *CertificateStore::select(int frontendPort, const QString &sni) const
{
    const QByteArray host = sni.toLower().toLatin1();
    const ListenerTls *exact = nullptr;
    const ListenerTls *wildcard = nullptr;
    const ListenerTls *basic = nullptr;
    const ListenerTls *first = nullptr;
    for (const ListenerTls &l : m_listeners) {
        if (l.frontendPort != frontendPort)
            continue;
        if (!first && !l.requireServerNameIndication)
            first = &l;
        if (l.hostNames.isEmpty()) {
            if (!basic)
                basic = &l;
            continue;
        }
        if (host.isEmpty())
            continue;
        for (const QString &name : l.hostNames) {
            const QByteArray pattern = name.toLatin1();
            if (!Routing::hostMatches(pattern, host))
                continue;
            if (Routing::hasWildcard(pattern)) {
                if (!wildcard)
                    wildcard = &l;
            } else if (!exact) {
                exact = &l;
            }
        }
    }
    if (exact)
        return exact;
    if (wildcard)
        return wildcard;
    // No SNI, or a name no listener serves: the Basic listener, else the first listener that does
    // not insist on SNI (nginx's default server); a port where all require SNI refuses.
    if (basic && !(host.isEmpty() && basic->requireServerNameIndication))
        return basic;
    return first;
}

QSslConfiguration CertificateStore::backendConfiguration(const QString &settingName) const
{
    return m_backend.value(settingName.toLower(), m_defaultBackend);
}

QList<QSslCertificate> CertificateStore::backendAuthenticationCertificates(
    const QString &settingName) const
{
    return m_backendAllowed.value(settingName.toLower());
}

void CertificateStore::applyPolicy(QSslConfiguration *configuration, const QString &policyName,
                                   const QString &policyType, const QString &minProtocolVersion)
{
    Config::SslPolicy policy;
    policy.policyName = policyName;
    policy.policyType = policyType;
    policy.minProtocolVersion = minProtocolVersion;
    Config::ResolvedSslPolicy resolved;
    if (!Config::resolveSslPolicy(policy, &resolved, nullptr))
        resolved = Config::ResolvedSslPolicy(); // the validator reports it; the default meanwhile
    applyPolicy(configuration, resolved);
}

QStringList CertificateStore::applyPolicy(QSslConfiguration *configuration,
                                          const Config::ResolvedSslPolicy &policy, bool v2)
{
    configuration->setBackendConfiguration({});
    const QList<QSslCipher> supported = QSslConfiguration::supportedCiphers();
    const auto find = [&supported](const QString &name, QList<QSslCipher> *into) {
        for (const QSslCipher &s : supported) {
            if (s.name() == name) {
                into->append(s);
                return true;
            }
        }
        return false;
    };
    if (policy.isDefault) {
        // No policy: TLS 1.2+ with the Mozilla Intermediate ciphers (reliability-cases.md T02).
        configuration->setProtocol(QSsl::TlsV1_2OrLater);
        QList<QSslCipher> ciphers;
        for (const char *cipher : IntermediateCiphers)
            find(QLatin1String(cipher), &ciphers);
        if (!ciphers.isEmpty())
            configuration->setCiphers(ciphers);
        return {};
    }
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    switch (policy.minVersion) {
    case 10: configuration->setProtocol(QSsl::TlsV1_0OrLater); break;
    case 11: configuration->setProtocol(QSsl::TlsV1_1OrLater); break;
    case 13: configuration->setProtocol(QSsl::TlsV1_3OrLater); break;
    default: configuration->setProtocol(QSsl::TlsV1_2OrLater); break;
    }
    QT_WARNING_POP
    QStringList missing;
    QList<QSslCipher> ciphers;
    QStringList names;
    for (const QString &iana : policy.cipherSuites) {
        if (v2 && iana.startsWith(QLatin1String("TLS_DHE_")))
            continue; // "Application Gateway v2 doesn't support the following DHE ciphers"
        const QString name = Config::openSslCipherName(iana);
        if (find(name, &ciphers))
            names << name;
        else
            missing << iana;
    }
    QStringList tls13;
    for (const QString &iana : policy.tls13CipherSuites) {
        if (find(iana, &ciphers))
            tls13 << iana;
        else
            missing << iana;
    }
    if (!ciphers.isEmpty())
        configuration->setCiphers(ciphers);
    // Qt hands its cipher list to SSL_CTX_set_cipher_list; OpenSSL 3 needs security level 0 for
    // TLS 1.0/1.1 (SHA-1 handshakes), so the list goes through SSL_CONF with @SECLEVEL=0 then.
    if (!names.isEmpty()) {
        QByteArray cipherString = names.join(QLatin1Char(':')).toLatin1();
        if (policy.minVersion < 12)
            cipherString += ":@SECLEVEL=0";
        configuration->setBackendConfigurationOption("CipherString", cipherString);
    }
    if (policy.maxVersion < 13)
        configuration->setBackendConfigurationOption("MaxProtocol", QByteArray("TLSv1.2"));
    else if (!tls13.isEmpty())
        configuration->setBackendConfigurationOption("Ciphersuites",
                                                     tls13.join(QLatin1Char(':')).toLatin1());
    return missing;
}

// A development certificate for every host name of the HTTPS listeners that use the
// certificate `name` (plus localhost and 127.0.0.1), signed by the local development CA.
// *message says what was made and how to trust the CA, or why nothing could be made.
static bool developmentCertificate(const Config::GatewayConfig &config, const QString &name,
                                   ServerCertificate *out, QString *message)
{
    QStringList hosts;
    for (const Config::HttpListener &l : config.httpListeners) {
        if (l.sslCertificate.name.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        if (!l.hostName.isEmpty() && !hosts.contains(l.hostName, Qt::CaseInsensitive))
            hosts << l.hostName;
        for (const QString &h : l.hostNames)
            if (!hosts.contains(h, Qt::CaseInsensitive))
                hosts << h;
    }
    hosts << QStringLiteral("localhost") << QStringLiteral("127.0.0.1");
    QString caPath, error;
    const KeyPair ca = developmentCa(&caPath, &error);
    if (ca.isNull()) {
        *message = error;
        return false;
    }
    CertificateRequest request;
    request.commonName = hosts.first();
    request.hosts = hosts;
    request.validDays = 90;
    const KeyPair leaf = CertificateFactory::create(request, ca, &error);
    if (leaf.isNull()) {
        *message = error;
        return false;
    }
    const QString reason = readPem(leaf.certificatePem + ca.certificatePem, leaf.keyPem, QString(),
                                   out);
    if (!reason.isEmpty()) {
        *message = reason;
        return false;
    }
    out->name = name;
    *message = QStringLiteral("a development certificate for %1, signed by the local development "
                              "CA %2 (trust it once: sudo cp %2 "
                              "/usr/local/share/ca-certificates/appgw-development-ca.crt && sudo "
                              "update-ca-certificates; or curl --cacert %2)")
                   .arg(hosts.join(QStringLiteral(", ")), caPath);
    return true;
}

// The trusted client CA chains of an SSL profile; a chain Azure would refuse is an error at
// its data.
static std::shared_ptr<const ClientAuthority> clientAuthority(const Config::GatewayConfig &config,
                                                              const Config::SslProfile &profile,
                                                              Config::Diagnostics *diagnostics)
{
    auto authority = std::make_shared<ClientAuthority>();
    authority->profile = profile.name;
    authority->verifyIssuerDn = profile.verifyClientCertIssuerDN;
    for (const Config::Ref &ref : profile.trustedClientCertificates) {
        const Config::TrustedClientCertificate *trusted = config.trustedClientCertificate(ref.name);
        if (!trusted)
            continue; // the validator reports dangling references
        QList<QSslCertificate> cas;
        QString issuerDn;
        const QString problem = readTrustedClientCertificate(trusted->data, &cas, &issuerDn);
        if (!problem.isEmpty()) {
            diagnostics->append(
                {Config::Diagnostic::Severity::Error,
                 join(join(trusted->jsonPath, QStringLiteral("properties")),
                      QStringLiteral("data")),
                 QStringLiteral("trusted client certificate '%1' %2").arg(trusted->name, problem)});
            continue;
        }
        authority->caCertificates += cas;
        authority->issuerDns << issuerDn;
    }
    return authority;
}

Config::Diagnostics loadCertificates(const Config::GatewayConfig &config, const QString &configDir,
                                     CertificateStore *out)
{
    Config::Diagnostics diagnostics;
    *out = CertificateStore();
    const auto error = [&diagnostics](const QString &path, const QString &message) {
        diagnostics.append({Config::Diagnostic::Severity::Error, path, message});
    };
    const auto resolve = [&configDir](const QString &file) {
        if (QFileInfo(file).isAbsolute() || configDir.isEmpty())
            return QDir::cleanPath(file);
        return QDir::cleanPath(QDir(configDir).absoluteFilePath(file));
    };
    const auto readFile = [&](const QString &path, const QString &file, const QString &certName,
                              QByteArray *bytes) {
        const QString abs = resolve(file);
        QFile f(abs);
        if (!QFileInfo(abs).isFile()) {
            error(path,
                  QStringLiteral("certificate '%1': file '%2' does not exist").arg(certName, abs));
            return false;
        }
        if (!f.open(QIODevice::ReadOnly)) {
            error(path, QStringLiteral("certificate '%1': cannot read '%2': %3")
                            .arg(certName, abs, f.errorString()));
            return false;
        }
        *bytes = f.readAll();
        return true;
    };

    // 1. Server certificates, for Https listeners only.
    for (const Config::HttpListener &listener : config.httpListeners) {
        if (listener.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive) != 0)
            continue;
        const QString name = listener.sslCertificate.name;
        if (name.isEmpty())
            continue; // the validator reports the missing reference
        if (out->m_certificates.contains(name.toLower())) {
            continue;
        }
        const Config::SslCertificate *cert = config.sslCertificate(name);
        const QString certPath = cert ? join(cert->jsonPath, QStringLiteral("properties"))
                                      : join(join(listener.jsonPath, QStringLiteral("properties")),
                                             QStringLiteral("sslCertificate"));
        ServerCertificate loaded;
        loaded.name = cert ? cert->name : name;
        QString problem;
        QString problemPath;
        bool found = false;
        for (auto it = config.localGateway.certificateFiles.cbegin();
             it != config.localGateway.certificateFiles.cend(); ++it) {
            if (it.key().compare(name, Qt::CaseInsensitive) != 0)
                continue;
            found = true;
            const Config::CertificateFile &files = it.value();
            const QString entry = QStringLiteral("metadata.localGateway.certificateFiles.%1")
                                      .arg(it.key());
            QString password;
            if (!files.passwordEnv.isEmpty()) {
                if (!qEnvironmentVariableIsSet(files.passwordEnv.toLocal8Bit().constData())) {
                    error(join(entry, QStringLiteral("passwordEnv")),
                          QStringLiteral(
                              "certificate '%1': environment variable %2 (the password) is not set")
                              .arg(name, files.passwordEnv));
                    problem = QStringLiteral("-");
                    break;
                }
                password = qEnvironmentVariable(files.passwordEnv.toLocal8Bit().constData());
            }
            const QString from = files.passwordEnv.isEmpty()
                                     ? QString()
                                     : QStringLiteral(" (password from environment variable %1)")
                                           .arg(files.passwordEnv);
            if (!files.pfx.isEmpty()) {
                QByteArray der;
                problemPath = join(entry, QStringLiteral("pfx"));
                if (!readFile(problemPath, files.pfx, name, &der)) {
                    problem = QStringLiteral("-");
                    break;
                }
                const QString reason = readPkcs12(der, password, &loaded);
                if (!reason.isEmpty())
                    problem = QStringLiteral("certificate '%1': '%2' %3%4")
                                  .arg(name, resolve(files.pfx),
                                       reason.startsWith(QLatin1String("is "))
                                           ? reason
                                           : QStringLiteral("- ") + reason,
                                       reason.contains(QLatin1String("password")) ? from
                                                                                  : QString());
            } else if (!files.pem.isEmpty()) {
                QByteArray pem, key;
                problemPath = join(entry, QStringLiteral("pem"));
                if (!readFile(problemPath, files.pem, name, &pem)) {
                    problem = QStringLiteral("-");
                    break;
                }
                problemPath = join(entry, QStringLiteral("key"));
                if (files.key.isEmpty()) {
                    problem =
                        QStringLiteral(
                            "certificate '%1': a pem certificate needs its private key file (key)")
                            .arg(name);
                    break;
                }
                if (!readFile(problemPath, files.key, name, &key)) {
                    problem = QStringLiteral("-");
                    break;
                }
                const QString reason = readPem(pem, key, password, &loaded);
                if (!reason.isEmpty()) {
                    problemPath = reason.startsWith(QLatin1String("holds"))
                                      ? join(entry, QStringLiteral("pem"))
                                      : problemPath;
                    problem = QStringLiteral("certificate '%1': %2%3")
                                  .arg(name,
                                       reason.startsWith(QLatin1String("holds"))
                                           ? QStringLiteral("'%1' %2").arg(resolve(files.pem),
                                                                           reason)
                                           : reason,
                                       reason.contains(QLatin1String("password")) ? from
                                                                                  : QString());
                }
            } else {
                problemPath = entry;
                problem =
                    QStringLiteral(
                        "certificate '%1': a certificate file entry needs pfx, or pem and key")
                        .arg(name);
            }
            break;
        }
        if (!found) {
            if (!cert) {
                continue; // dangling reference: the validator's error
            } else if (cert->data.trimmed().isEmpty()) {
                problemPath = join(certPath, cert->keyVaultSecretId.isEmpty()
                                                 ? QStringLiteral("data")
                                                 : QStringLiteral("keyVaultSecretId"));
                problem =
                    cert->keyVaultSecretId.isEmpty()
                        ? QStringLiteral("certificate '%1' has no data; add it, or a "
                                         "metadata.localGateway.certificateFiles entry")
                              .arg(name)
                        : QStringLiteral(
                              "certificate '%1' is in Key Vault, which cannot be read locally; add "
                              "a metadata.localGateway.certificateFiles entry for it")
                              .arg(name);
            } else {
                const QByteArray der = QByteArray::fromBase64(cert->data.trimmed().toLatin1());
                const QString reason = readPkcs12(der, cert->password, &loaded);
                if (!reason.isEmpty()) {
                    problemPath = join(certPath, reason.contains(QLatin1String("password"))
                                                     ? QStringLiteral("password")
                                                     : QStringLiteral("data"));
                    problem = QStringLiteral("certificate '%1': %2")
                                  .arg(name, reason.startsWith(QLatin1String("is "))
                                                 ? QStringLiteral("data ") + reason
                                                 : reason);
                }
                if (problemPath.isEmpty())
                    problemPath = join(certPath, QStringLiteral("data"));
            }
        }
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const QString where = problemPath.isEmpty() ? join(certPath, QStringLiteral("data"))
                                                    : problemPath;
        if (!found && cert) {
            // The template's own certificate cannot be had locally (Key Vault, a placeholder,
            // expired data, a missing password): a development certificate for the listeners'
            // host names stands in (issue 15). certificateFiles entries are the user's real
            // choice: their problems stay errors.
            QString why = problem;
            if (why.isEmpty() && loaded.certificate.expiryDate() < now)
                why = QStringLiteral("certificate '%1' expired on %2")
                          .arg(name, loaded.certificate.expiryDate().toString(Qt::ISODate));
            else if (why.isEmpty() && loaded.certificate.effectiveDate() > now)
                why = QStringLiteral("certificate '%1' is not valid before %2")
                          .arg(name, loaded.certificate.effectiveDate().toString(Qt::ISODate));
            if (!why.isEmpty()) {
                QString message;
                if (developmentCertificate(config, name, &loaded, &message)) {
                    diagnostics.append({Config::Diagnostic::Severity::Warning, where,
                                        QStringLiteral("%1; the local run uses %2").arg(why, message),
                                        QStringLiteral("development certificate")});
                    out->m_certificates.insert(name.toLower(), loaded);
                } else {
                    error(where, QStringLiteral("%1; no development certificate either: %2")
                                     .arg(why, message));
                }
                continue;
            }
        }
        if (!problem.isEmpty()) {
            if (problem != QLatin1String("-"))
                error(problemPath, problem);
            continue;
        }
        if (loaded.certificate.expiryDate() < now) {
            error(where, QStringLiteral("certificate '%1' expired on %2 (valid %3 to %4)")
                             .arg(name, loaded.certificate.expiryDate().toString(Qt::ISODate),
                                  loaded.certificate.effectiveDate().toString(Qt::ISODate),
                                  loaded.certificate.expiryDate().toString(Qt::ISODate)));
            continue;
        }
        if (loaded.certificate.effectiveDate() > now) {
            error(where, QStringLiteral("certificate '%1' is not valid before %2")
                             .arg(name, loaded.certificate.effectiveDate().toString(Qt::ISODate)));
            continue;
        }
        out->m_certificates.insert(name.toLower(), loaded);
    }

    // 2. Listener entries with their server configuration.
    const bool v2 = config.skuTier.contains(QLatin1String("_v2"), Qt::CaseInsensitive)
                    || config.skuName.contains(QLatin1String("_v2"), Qt::CaseInsensitive);
    const QString gatewayPolicyPath = join(join(config.gatewayJsonPath,
                                                QStringLiteral("properties")),
                                           QStringLiteral("sslPolicy"));
    QStringList warnedPolicies;
    QHash<QString, std::shared_ptr<const ClientAuthority>> authorities;
    for (const Config::HttpListener &listener : config.httpListeners) {
        if (listener.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive) != 0)
            continue;
        const ServerCertificate *cert = out->certificate(listener.sslCertificate.name);
        const Config::FrontendPort *port = config.frontendPort(listener.frontendPort.name);
        if (!cert || !port)
            continue;
        ListenerTls l;
        l.listener = listener.name;
        l.frontendPort = port->port;
        l.hostNames = listener.hostNames;
        if (!listener.hostName.isEmpty())
            l.hostNames.prepend(listener.hostName);
        l.requireServerNameIndication = listener.requireServerNameIndication;
        l.certificateName = cert->name;
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setLocalCertificate(cert->certificate);
        c.setLocalCertificateChain(QList<QSslCertificate>{cert->certificate} + cert->chain);
        c.setPrivateKey(cert->key);
        c.setPeerVerifyMode(QSslSocket::VerifyNone);
        // The SSL profile's own policy, else the gateway-wide sslPolicy (azure-reference.md §1).
        const Config::SslProfile *profile = listener.sslProfile.isSet()
                                                ? config.sslProfile(listener.sslProfile.name)
                                                : nullptr;
        const bool own = profile && !profile->sslPolicy.isEmpty();
        const Config::SslPolicy policy = own ? profile->sslPolicy : config.gatewaySslPolicy();
        const QString policyPath = own ? join(join(profile->jsonPath, QStringLiteral("properties")),
                                              QStringLiteral("sslPolicy"))
                                       : gatewayPolicyPath;
        Config::ResolvedSslPolicy resolved;
        if (!Config::resolveSslPolicy(policy, &resolved, nullptr))
            resolved = Config::ResolvedSslPolicy(); // the validator's error
        const QStringList missing = CertificateStore::applyPolicy(&c, resolved, v2);
        if (!missing.isEmpty() && !warnedPolicies.contains(policyPath)) {
            warnedPolicies << policyPath;
            diagnostics.append(
                {Config::Diagnostic::Severity::Warning, policyPath,
                 QStringLiteral("TLS policy %1: the local OpenSSL (%2) does not have %3; "
                                "listener '%4' offers the other suites of the policy")
                     .arg(resolved.name, QSslSocket::sslLibraryVersionString(),
                          missing.join(QStringLiteral(", ")), listener.name),
                 QStringLiteral("TLS policy")});
        }
        if (profile) {
            l.sslProfile = profile->name;
            if (!profile->trustedClientCertificates.isEmpty()) {
                auto &authority = authorities[profile->name.toLower()];
                if (!authority)
                    authority = clientAuthority(config, *profile, &diagnostics);
                l.clientAuth = authority;
                // Ask for a certificate, never fail the handshake over it: like nginx's
                // ssl_verify_client, the answer is a 400 page (ClientConnection).
                c.setPeerVerifyMode(QSslSocket::QueryPeer);
                c.setCaCertificates(authority->caCertificates);
            }
        }
        l.configuration = c;
        out->m_listeners.append(l);
    }

    // 3. Backend settings with protocol Https: system CAs + the setting's trusted roots.
    out->m_defaultBackend = QSslConfiguration::defaultConfiguration();
    out->m_defaultBackend.setPeerVerifyMode(QSslSocket::VerifyPeer);
    const auto isHttps = [](const Config::BackendHttpSettings &setting) {
        return setting.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive) == 0;
    };
    // Reading the system CA store is about a million allocations and a quarter of a second, on
    // the thread that applies the configuration (the console's GUI thread): only when a backend
    // speaks TLS.
    if (std::none_of(config.backendHttpSettingsCollection.cbegin(),
                     config.backendHttpSettingsCollection.cend(), isHttps))
        return diagnostics;
    const QList<QSslCertificate> system = systemCaCertificates();
    out->m_defaultBackend.setCaCertificates(system);
    for (const Config::BackendHttpSettings &setting : config.backendHttpSettingsCollection) {
        if (!isHttps(setting))
            continue;
        QList<QSslCertificate> cas = system;
        for (int i = 0; i < setting.trustedRootCertificates.size(); ++i) {
            const Config::Ref &ref = setting.trustedRootCertificates.at(i);
            const Config::TrustedRootCertificate *root = config.trustedRootCertificate(ref.name);
            if (!root)
                continue; // the validator reports dangling references
            if (root->data.trimmed().isEmpty() && !root->keyVaultSecretId.isEmpty()) {
                // Issue 15: only Azure can read Key Vault; the system store stands in.
                diagnostics.append(
                    {Config::Diagnostic::Severity::Warning,
                     join(join(root->jsonPath, QStringLiteral("properties")),
                          QStringLiteral("keyVaultSecretId")),
                     QStringLiteral(
                         "trusted root certificate '%1' is in Key Vault, which cannot be "
                         "read locally; backend setting '%2' verifies its backend "
                         "against the system CA store only")
                         .arg(root->name, setting.name),
                     QStringLiteral("system CA store")});
                continue;
            }
            const QList<QSslCertificate> parsed = parseRoot(root->data);
            if (parsed.isEmpty()) {
                error(join(join(root->jsonPath, QStringLiteral("properties")),
                           QStringLiteral("data")),
                      QStringLiteral("trusted root certificate '%1' holds no certificate (expected "
                                     "base64 DER or PEM)")
                          .arg(root->name));
                continue;
            }
            cas += parsed;
        }
        QSslConfiguration c = out->m_defaultBackend;
        c.setCaCertificates(cas);
        // v1 authenticationCertificates: the backend's leaf must be one of them; Azure v1 checks
        // neither its chain nor its name, so neither does the local run.
        QList<QSslCertificate> allowed;
        for (int i = 0; i < setting.authenticationCertificates.size(); ++i) {
            const Config::AuthenticationCertificate *auth = config.authenticationCertificate(
                setting.authenticationCertificates.at(i).name);
            if (!auth)
                continue; // the validator reports dangling references
            const QList<QSslCertificate> parsed = parseRoot(auth->data);
            if (parsed.isEmpty())
                error(join(join(auth->jsonPath, QStringLiteral("properties")),
                           QStringLiteral("data")),
                      QStringLiteral("authentication certificate '%1' holds no certificate "
                                     "(expected the backend's public certificate, base64 DER or "
                                     "PEM)")
                          .arg(auth->name));
            allowed += parsed;
        }
        if (!allowed.isEmpty()) {
            c.setPeerVerifyMode(QSslSocket::VerifyNone);
            out->m_backendAllowed.insert(setting.name.toLower(), allowed);
        }
        out->m_backend.insert(setting.name.toLower(), c);
    }
    return diagnostics;
}

} // namespace Gateway::Tls
