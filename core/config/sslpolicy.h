#pragma once

// Azure's TLS policies as data (azure-reference.md §1, application-gateway-ssl-policy-overview.md):
// the predefined AppGwSslPolicy<date> policies, Custom and CustomV2 with their cipher suites and
// minimum protocol version, resolved into the protocol range and cipher list one listener
// offers. OpenSSL-free: core/tls applies the result to its QSslConfiguration.

#include "config/gatewayconfig.h"

#include <QString>
#include <QStringList>

namespace Gateway::Config {

struct ResolvedSslPolicy
{
    bool isDefault = true; // no policy at all: the emulator's default (TLS 1.2+, Mozilla Intermediate)
    QString name;          // "AppGwSslPolicy20170401S", "Custom", "CustomV2"
    int minVersion = 12; // 10, 11, 12, 13 (TLS 1.0 ... 1.3)
    int maxVersion = 13;
    QStringList cipherSuites;      // IANA names for TLS 1.0-1.2, in Azure's order
    QStringList tls13CipherSuites; // IANA names (TLS_AES_...) when TLS 1.3 is on
};

// Resolves a policy. false with *error (one sentence, the wrong property's value) when Azure
// would refuse it: an unknown policyType/policyName/minProtocolVersion, an unknown cipher suite
// name, TLS 1.3 or its suites without CustomV2, Custom without cipherSuites. *notes receives
// what is accepted but cannot be honoured exactly (a disabled version between enabled ones).
bool resolveSslPolicy(const SslPolicy &policy, ResolvedSslPolicy *out, QString *error,
                      QStringList *notes = nullptr);

// The cipher suite names Azure accepts in cipherSuites (IANA), and their OpenSSL names.
const QStringList &azureCipherSuites();
QString openSslCipherName(const QString &ianaName); // empty for an unknown name

// "TLSv1_2" for 12 ...
QString protocolVersionName(int version);

} // namespace Gateway::Config
