#include "startablesubset.h"

#include <QSet>

namespace Gateway::Config {

namespace {

bool within(const QString &path, const QString &elementPath)
{
    return !elementPath.isEmpty()
           && (path == elementPath || path.startsWith(elementPath + QLatin1Char('.')));
}

class Pruner
{
public:
    explicit Pruner(const Diagnostics &diagnostics)
    {
        for (const Diagnostic &d : diagnostics)
            if (d.isError())
                m_errors.append(d);
    }

    // The first error on the element (its own path or below), or an empty string.
    QString errorOn(const Element &e)
    {
        for (const Diagnostic &d : std::as_const(m_errors)) {
            if (within(d.path, e.jsonPath)) {
                m_attributed.insert(&d - m_errors.constData());
                return d.message;
            }
        }
        return {};
    }

    // Why a reference cannot be followed: the target is missing or left out; empty when fine.
    template<class T>
    QString broken(const Ref &ref, const QList<T> &kept, const QString &collection) const
    {
        if (!ref.isSet())
            return {};
        for (const T &e : kept)
            if (e.name == ref.name)
                return {};
        const QString key = collection + QLatin1Char('/') + ref.name;
        return m_out.contains(key)
                   ? QStringLiteral("it uses %1, which is left out").arg(key)
                   : QStringLiteral("it refers to %1, which does not exist").arg(key);
    }

    // Keeps the elements without an error and whose references resolve.
    template<class T, class Check>
    QList<T> keep(const QList<T> &all, const QString &collection, Check check)
    {
        QList<T> kept;
        for (const T &e : all) {
            QString reason = errorOn(e);
            if (reason.isEmpty())
                reason = check(e);
            if (reason.isEmpty()) {
                kept.append(e);
                continue;
            }
            const QString key = collection + QLatin1Char('/') + e.name;
            m_out.insert(key);
            result.leftOut.append({key, reason});
        }
        return kept;
    }

    void finish()
    {
        for (qsizetype i = 0; i < m_errors.size(); ++i)
            if (!m_attributed.contains(i))
                result.otherErrors.append(m_errors.at(i).path + QStringLiteral(": ")
                                          + m_errors.at(i).message);
    }

    StartableSubset result;

private:
    QList<Diagnostic> m_errors;
    QSet<qsizetype> m_attributed;
    QSet<QString> m_out;
};

} // namespace

StartableSubset startableSubset(const GatewayConfig &config, const Diagnostics &diagnostics)
{
    Pruner p(diagnostics);
    GatewayConfig &c = p.result.config;
    c = config;
    const auto none = [](const auto &) { return QString(); };
    // Leaves first, then what refers to them.
    c.frontendIPConfigurations = p.keep(config.frontendIPConfigurations,
                                        QStringLiteral("frontendIPConfigurations"), none);
    c.frontendPorts = p.keep(config.frontendPorts, QStringLiteral("frontendPorts"), none);
    c.sslCertificates = p.keep(config.sslCertificates, QStringLiteral("sslCertificates"), none);
    c.trustedRootCertificates = p.keep(config.trustedRootCertificates,
                                       QStringLiteral("trustedRootCertificates"), none);
    c.probes = p.keep(config.probes, QStringLiteral("probes"), none);
    c.rewriteRuleSets = p.keep(config.rewriteRuleSets, QStringLiteral("rewriteRuleSets"), none);
    c.backendAddressPools = p.keep(config.backendAddressPools,
                                   QStringLiteral("backendAddressPools"), none);
    c.backendHttpSettingsCollection = p.keep(config.backendHttpSettingsCollection,
                                             QStringLiteral("backendHttpSettingsCollection"),
                                             [&](const BackendHttpSettings &s) {
                                                 return p.broken(s.probe, c.probes,
                                                                 QStringLiteral("probes"));
                                             });
    c.httpListeners = p.keep(config.httpListeners, QStringLiteral("httpListeners"),
                             [&](const HttpListener &l) {
                                 if (!l.frontendPort.isSet())
                                     return QStringLiteral("it has no frontend port");
                                 QString why = p.broken(l.frontendPort, c.frontendPorts,
                                                        QStringLiteral("frontendPorts"));
                                 if (why.isEmpty())
                                     why = p.broken(l.frontendIPConfiguration,
                                                    c.frontendIPConfigurations,
                                                    QStringLiteral("frontendIPConfigurations"));
                                 if (why.isEmpty())
                                     why = p.broken(l.sslCertificate, c.sslCertificates,
                                                    QStringLiteral("sslCertificates"));
                                 return why;
                             });
    c.redirectConfigurations = p.keep(config.redirectConfigurations,
                                      QStringLiteral("redirectConfigurations"),
                                      [&](const RedirectConfiguration &r) {
                                          return p.broken(r.targetListener, c.httpListeners,
                                                          QStringLiteral("httpListeners"));
                                      });
    const auto target = [&](const Ref &pool, const Ref &settings, const Ref &redirect,
                            const Ref &rewrite) {
        QString why = p.broken(pool, c.backendAddressPools, QStringLiteral("backendAddressPools"));
        if (why.isEmpty())
            why = p.broken(settings, c.backendHttpSettingsCollection,
                           QStringLiteral("backendHttpSettingsCollection"));
        if (why.isEmpty())
            why = p.broken(redirect, c.redirectConfigurations,
                           QStringLiteral("redirectConfigurations"));
        if (why.isEmpty())
            why = p.broken(rewrite, c.rewriteRuleSets, QStringLiteral("rewriteRuleSets"));
        return why;
    };
    c.urlPathMaps = p.keep(config.urlPathMaps, QStringLiteral("urlPathMaps"),
                           [&](const UrlPathMap &m) {
                               QString why = target(m.defaultBackendAddressPool,
                                                    m.defaultBackendHttpSettings,
                                                    m.defaultRedirectConfiguration,
                                                    m.defaultRewriteRuleSet);
                               for (const PathRule &r : m.pathRules) {
                                   if (!why.isEmpty())
                                       break;
                                   why = target(r.backendAddressPool, r.backendHttpSettings,
                                                r.redirectConfiguration, r.rewriteRuleSet);
                                   if (!why.isEmpty())
                                       why = QStringLiteral("path rule '%1': %2").arg(r.name, why);
                               }
                               return why;
                           });
    c.requestRoutingRules = p.keep(config.requestRoutingRules,
                                   QStringLiteral("requestRoutingRules"),
                                   [&](const RequestRoutingRule &r) {
                                       if (!r.httpListener.isSet())
                                           return QStringLiteral("it has no listener");
                                       QString why = p.broken(r.httpListener, c.httpListeners,
                                                              QStringLiteral("httpListeners"));
                                       if (why.isEmpty())
                                           why = p.broken(r.urlPathMap, c.urlPathMaps,
                                                          QStringLiteral("urlPathMaps"));
                                       if (why.isEmpty())
                                           why = target(r.backendAddressPool, r.backendHttpSettings,
                                                        r.redirectConfiguration, r.rewriteRuleSet);
                                       return why;
                                   });
    p.finish();
    return p.result;
}

} // namespace Gateway::Config
