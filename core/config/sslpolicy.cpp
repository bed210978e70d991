#include "config/sslpolicy.h"

#include <utility>
#include <vector>

namespace Gateway::Config {

namespace {

struct CipherName
{
    const char *iana;
    const char *openSsl;
};

// Azure's list (application-gateway-ssl-policy-overview.md, "Cipher suites"), in its order.
const CipherName Ciphers[] = {
    {"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"},
    {"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384"},
    {"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256"},
    {"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA"},
    {"TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS-AES256-SHA256"},
    {"TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS-AES128-SHA256"},
    {"TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA"},
    {"TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA"},
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"},
    {"TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "EDH-DSS-DES-CBC3-SHA"},
};

bool isTls13Suite(const QString &iana)
{
    return iana.startsWith(QLatin1String("TLS_AES_"))
           || iana.startsWith(QLatin1String("TLS_CHACHA20_"));
}

// The predefined policies: the table of the TLS policy overview (which suites each one has; the
// docs give the exact priority order only through PowerShell/CLI, so Azure's list order is used).
// Suites are indexes into Ciphers.
struct Predefined
{
    const char *name;
    int minVersion;
    int maxVersion;
    std::vector<int> suites;
};

const std::vector<Predefined> &policies()
{
    static const std::vector<Predefined> list = {
        // 20150501: every suite except the TLS 1.3 ones.
        {"AppGwSslPolicy20150501", 10, 12, {2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                            12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                            22, 23, 24, 25, 26, 27, 28, 29}},
        {"AppGwSslPolicy20170401",
         11,
         12,
         {2, 3, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}},
        {"AppGwSslPolicy20170401S",
         12,
         12,
         {2, 3, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}},
        {"AppGwSslPolicy20220101", 12, 13, {0, 1, 2, 3, 4, 5, 18, 19, 20, 21}},
        {"AppGwSslPolicy20220101S", 12, 13, {0, 1, 2, 3, 18, 19}},
    };
    return list;
}

// The canonical spelling of a suite name, empty when Azure does not know it.
QString canonicalSuite(const QString &name)
{
    for (const CipherName &c : Ciphers)
        if (name.compare(QLatin1String(c.iana), Qt::CaseInsensitive) == 0)
            return QString::fromLatin1(c.iana);
    return {};
}

int versionOf(const QString &name)
{
    static const std::pair<const char *, int> versions[] = {
        {"TLSv1_0", 10}, {"TLSv1_1", 11}, {"TLSv1_2", 12}, {"TLSv1_3", 13}};
    for (const auto &[text, version] : versions)
        if (name.compare(QLatin1String(text), Qt::CaseInsensitive) == 0)
            return version;
    return 0;
}

} // namespace

const QStringList &azureCipherSuites()
{
    static const QStringList list = [] {
        QStringList out;
        for (const CipherName &c : Ciphers)
            out << QString::fromLatin1(c.iana);
        return out;
    }();
    return list;
}

QString openSslCipherName(const QString &ianaName)
{
    for (const CipherName &c : Ciphers)
        if (ianaName.compare(QLatin1String(c.iana), Qt::CaseInsensitive) == 0)
            return QString::fromLatin1(c.openSsl);
    return {};
}

QString protocolVersionName(int version)
{
    return QStringLiteral("TLSv1_%1").arg(version - 10);
}

bool resolveSslPolicy(const SslPolicy &policy, ResolvedSslPolicy *out, QString *error,
                      QStringList *notes)
{
    *out = ResolvedSslPolicy();
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (policy.isEmpty())
        return true;
    out->isDefault = false;
    QString type = policy.policyType;
    if (type.isEmpty())
        type = policy.policyName.isEmpty() ? QStringLiteral("Custom")
                                           : QStringLiteral("Predefined");
    const bool predefined = type.compare(QLatin1String("Predefined"), Qt::CaseInsensitive) == 0;
    const bool customV2 = type.compare(QLatin1String("CustomV2"), Qt::CaseInsensitive) == 0;
    const bool custom = type.compare(QLatin1String("Custom"), Qt::CaseInsensitive) == 0;
    if (!predefined && !custom && !customV2)
        return fail(QStringLiteral("policyType '%1' is not one of Predefined, Custom, CustomV2")
                        .arg(policy.policyType));
    if (predefined) {
        if (policy.policyName.isEmpty())
            return fail(QStringLiteral("a Predefined policy needs a policyName "
                                       "(AppGwSslPolicy20150501 ... AppGwSslPolicy20220101S)"));
        for (const Predefined &p : policies()) {
            if (policy.policyName.compare(QLatin1String(p.name), Qt::CaseInsensitive) != 0)
                continue;
            out->name = QString::fromLatin1(p.name);
            out->minVersion = p.minVersion;
            out->maxVersion = p.maxVersion;
            for (int i : p.suites) {
                const QString suite = QString::fromLatin1(Ciphers[i].iana);
                (isTls13Suite(suite) ? out->tls13CipherSuites : out->cipherSuites) << suite;
            }
            break;
        }
        if (out->name.isEmpty())
            return fail(QStringLiteral("unknown predefined SSL policy '%1' (known: "
                                       "AppGwSslPolicy20150501, AppGwSslPolicy20170401, "
                                       "AppGwSslPolicy20170401S, AppGwSslPolicy20220101, "
                                       "AppGwSslPolicy20220101S)")
                            .arg(policy.policyName));
        if (!policy.cipherSuites.isEmpty() && notes)
            *notes << QStringLiteral("cipherSuites are ignored by a Predefined policy (%1 has "
                                     "its own list)")
                          .arg(out->name);
    } else {
        out->name = customV2 ? QStringLiteral("CustomV2") : QStringLiteral("Custom");
        if (!policy.policyName.isEmpty() && notes)
            *notes << QStringLiteral("policyName '%1' is ignored by a %2 policy")
                          .arg(policy.policyName, out->name);
        out->maxVersion = customV2 ? 13 : 12;
        out->minVersion = 10; // Azure: TLSv1_0 when no minimum is given
        if (!policy.minProtocolVersion.isEmpty()) {
            out->minVersion = versionOf(policy.minProtocolVersion);
            if (out->minVersion == 0)
                return fail(QStringLiteral("minProtocolVersion '%1' is not one of TLSv1_0, "
                                           "TLSv1_1, TLSv1_2, TLSv1_3")
                                .arg(policy.minProtocolVersion));
            if (out->minVersion == 13 && !customV2)
                return fail(QStringLiteral(
                    "minProtocolVersion TLSv1_3 needs policyType CustomV2 (TLS 1.3 is available "
                    "only with CustomV2 and the 2022 predefined policies)"));
        }
        for (const QString &suite : policy.cipherSuites) {
            const QString iana = canonicalSuite(suite);
            if (iana.isEmpty())
                return fail(QStringLiteral("unknown cipher suite '%1' (Azure accepts the IANA "
                                           "names of the TLS policy overview, e.g. "
                                           "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)")
                                .arg(suite));
            if (isTls13Suite(iana)) {
                if (!customV2)
                    return fail(QStringLiteral("cipher suite %1 is available only with "
                                               "policyType CustomV2")
                                    .arg(iana));
                out->tls13CipherSuites << iana;
            } else {
                out->cipherSuites << iana;
            }
        }
        if (customV2) // mandatory for TLS 1.3; Azure adds them without being told
            for (const char *s : {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"})
                if (!out->tls13CipherSuites.contains(QLatin1String(s)))
                    out->tls13CipherSuites << QString::fromLatin1(s);
        if (out->cipherSuites.isEmpty() && out->minVersion < 13)
            return fail(QStringLiteral("a %1 policy with minProtocolVersion %2 needs cipherSuites")
                            .arg(out->name, protocolVersionName(out->minVersion)));
    }
    // disabledSslProtocols (the older way of raising the floor).
    QList<int> enabled;
    for (int v = out->minVersion; v <= out->maxVersion; ++v)
        enabled << v;
    for (const QString &d : policy.disabledSslProtocols) {
        const int v = versionOf(d);
        if (v == 0)
            return fail(QStringLiteral("disabledSslProtocols: '%1' is not one of TLSv1_0, "
                                       "TLSv1_1, TLSv1_2, TLSv1_3")
                            .arg(d));
        enabled.removeAll(v);
    }
    if (enabled.isEmpty())
        return fail(QStringLiteral("disabledSslProtocols leaves no protocol version enabled"));
    if (enabled.last() - enabled.first() + 1 != enabled.size() && notes)
        *notes << QStringLiteral("disabledSslProtocols disables a version between enabled ones; "
                                 "locally every version from %1 to %2 is offered")
                      .arg(protocolVersionName(enabled.first()),
                           protocolVersionName(enabled.last()));
    out->minVersion = enabled.first();
    out->maxVersion = enabled.last();
    if (out->maxVersion < 13)
        out->tls13CipherSuites.clear();
    return true;
}

} // namespace Gateway::Config
