#include "config/configvalidator.h"

#include "config/sslpolicy.h"
#include "filter/rewrite/rewriteengine.h"
#include "filter/rewrite/servervariables.h"
#include "http/customerrorpages.h"

#include <QHash>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSet>

namespace Gateway::Config {

namespace {

QString join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString prop(const Element &e, const QString &key)
{
    return join(join(e.jsonPath, QStringLiteral("properties")), key);
}

bool isV1(const GatewayConfig &c)
{
    const QString tier = c.skuTier.isEmpty() ? c.skuName : c.skuTier;
    return !tier.contains(QLatin1String("_v2"), Qt::CaseInsensitive);
}

class Validator
{
public:
    explicit Validator(const GatewayConfig &c) : c(c) {}

    void error(const QString &path, const QString &message)
    {
        out.append({Diagnostic::Severity::Error, path, message});
    }
    void warning(const QString &path, const QString &message)
    {
        out.append({Diagnostic::Severity::Warning, path, message});
    }

    template<typename T>
    void names(const QList<T> &items, const QString &collection)
    {
        QHash<QString, QString> seen;
        for (const T &e : items) {
            const QString path = join(e.jsonPath, QStringLiteral("name"));
            if (e.name.isEmpty()) {
                error(path, QStringLiteral("every element of %1 needs a name").arg(collection));
                continue;
            }
            const QString key = e.name.toLower();
            if (seen.contains(key))
                error(path,
                      QStringLiteral(
                          "duplicate name '%1' in %2 (names are case-insensitive; also at %3)")
                          .arg(e.name, collection, seen.value(key)));
            else
                seen.insert(key, e.jsonPath);
        }
    }

    bool exists(const Ref &r) const
    {
        const QString &n = r.name;
        const QString &k = r.collection;
        if (k == QLatin1String("frontendIPConfigurations"))
            return c.frontendIPConfiguration(n);
        if (k == QLatin1String("frontendPorts"))
            return c.frontendPort(n);
        if (k == QLatin1String("sslCertificates"))
            return c.sslCertificate(n);
        if (k == QLatin1String("trustedRootCertificates"))
            return c.trustedRootCertificate(n);
        if (k == QLatin1String("authenticationCertificates"))
            return c.authenticationCertificate(n);
        if (k == QLatin1String("httpListeners"))
            return c.httpListener(n);
        if (k == QLatin1String("backendAddressPools"))
            return c.backendAddressPool(n);
        if (k == QLatin1String("backendHttpSettingsCollection"))
            return c.backendHttpSettings(n);
        if (k == QLatin1String("probes"))
            return c.probe(n);
        if (k == QLatin1String("requestRoutingRules"))
            return c.requestRoutingRule(n);
        if (k == QLatin1String("urlPathMaps"))
            return c.urlPathMap(n);
        if (k == QLatin1String("redirectConfigurations"))
            return c.redirectConfiguration(n);
        if (k == QLatin1String("rewriteRuleSets"))
            return c.rewriteRuleSet(n);
        if (k == QLatin1String("sslProfiles"))
            return c.sslProfile(n);
        if (k == QLatin1String("trustedClientCertificates"))
            return c.trustedClientCertificate(n);
        return true; // collections the model does not hold
    }

    // Checks a reference's kind and target; returns true when it points at an existing element.
    bool ref(const Ref &r, const QString &path, const QString &expected, bool required = false)
    {
        const QString idPath = join(path, QStringLiteral("id"));
        if (!r.isSet()) {
            if (!r.rawId.isEmpty())
                return false; // the reader already reported it
            if (required)
                error(path, QStringLiteral("a reference to one of %1 is required").arg(expected));
            return false;
        }
        if (r.collection.compare(expected, Qt::CaseInsensitive) != 0) {
            error(idPath,
                  QStringLiteral("wrong kind of reference: expected an element of %1, found %2/%3")
                      .arg(expected, r.collection, r.name));
            return false;
        }
        if (!exists(r)) {
            error(idPath, QStringLiteral("dangling reference: there is no %1 element named '%2'")
                              .arg(expected, r.name));
            return false;
        }
        return true;
    }

    void range(int value, int min, int max, const QString &path, const QString &what)
    {
        if (value < min || value > max)
            error(path, QStringLiteral("%1 %2 is out of range (%3–%4)")
                            .arg(what)
                            .arg(value)
                            .arg(min)
                            .arg(max));
    }

    void run();
    void sslProfiles();
    bool sslPolicy(const SslPolicy &policy, const QString &path, bool *tls13Generation);

    const GatewayConfig &c;
    Diagnostics out;
};

bool isValidStatusCodes(const QString &entry)
{
    static const QRegularExpression re(QStringLiteral("^\\s*(\\d{3})(\\s*-\\s*(\\d{3}))?\\s*$"));
    for (const QString &part : entry.split(QLatin1Char(','))) {
        const QRegularExpressionMatch m = re.match(part);
        if (!m.hasMatch())
            return false;
        const int lo = m.captured(1).toInt();
        const int hi = m.captured(3).isEmpty() ? lo : m.captured(3).toInt();
        if (lo < 100 || hi > 599 || lo > hi)
            return false;
    }
    return true;
}

QStringList hostsOf(const HttpListener &l)
{
    QStringList out;
    if (!l.hostName.isEmpty())
        out << l.hostName.toLower();
    for (const QString &h : l.hostNames)
        out << h.toLower();
    return out;
}

void Validator::run()
{
    const bool v1 = isV1(c);
    names(c.frontendIPConfigurations, QStringLiteral("frontendIPConfigurations"));
    names(c.frontendPorts, QStringLiteral("frontendPorts"));
    names(c.sslCertificates, QStringLiteral("sslCertificates"));
    names(c.trustedRootCertificates, QStringLiteral("trustedRootCertificates"));
    names(c.authenticationCertificates, QStringLiteral("authenticationCertificates"));
    names(c.httpListeners, QStringLiteral("httpListeners"));
    names(c.backendAddressPools, QStringLiteral("backendAddressPools"));
    names(c.backendHttpSettingsCollection, QStringLiteral("backendHttpSettingsCollection"));
    names(c.probes, QStringLiteral("probes"));
    names(c.requestRoutingRules, QStringLiteral("requestRoutingRules"));
    names(c.urlPathMaps, QStringLiteral("urlPathMaps"));
    names(c.redirectConfigurations, QStringLiteral("redirectConfigurations"));
    names(c.rewriteRuleSets, QStringLiteral("rewriteRuleSets"));
    names(c.sslProfiles, QStringLiteral("sslProfiles"));
    names(c.trustedClientCertificates, QStringLiteral("trustedClientCertificates"));
    sslProfiles();
    for (const UrlPathMap &m : c.urlPathMaps)
        names(m.pathRules, QStringLiteral("urlPathMaps/%1/pathRules").arg(m.name));

    // Frontend ports.
    const int maxFrontendPort = v1 ? 65502 : 65199;
    QHash<int, QString> portNumbers;
    for (const FrontendPort &p : c.frontendPorts) {
        range(p.port, 1, maxFrontendPort, prop(p, QStringLiteral("port")),
              QStringLiteral("frontend port"));
        if (portNumbers.contains(p.port))
            error(prop(p, QStringLiteral("port")),
                  QStringLiteral("port %1 is already defined by frontend port '%2'")
                      .arg(p.port)
                      .arg(portNumbers.value(p.port)));
        else
            portNumbers.insert(p.port, p.name);
        if (p.port > 0 && p.port < 1024 && !c.localGateway.frontendPortMap.contains(p.port))
            warning(prop(p, QStringLiteral("port")),
                    QStringLiteral("frontend port %1 is privileged (below 1024) and has no "
                                   "metadata.localGateway.frontendPortMap entry: "
                                   "binding it locally needs root or CAP_NET_BIND_SERVICE; map it, "
                                   "e.g. \"frontendPortMap\": { \"%1\": %2 }")
                        .arg(p.port)
                        .arg(p.port == 443 ? 8443 : (p.port == 80 ? 8080 : 8000 + p.port)));
    }

    // Listeners.
    QHash<QString, QList<const HttpListener *>> byPort; // frontend ip + port number -> listeners
    for (const HttpListener &l : c.httpListeners) {
        ref(l.frontendIPConfiguration, prop(l, QStringLiteral("frontendIPConfiguration")),
            QStringLiteral("frontendIPConfigurations"), true);
        const bool portOk = ref(l.frontendPort, prop(l, QStringLiteral("frontendPort")),
                                QStringLiteral("frontendPorts"), true);
        const bool https = l.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive) == 0;
        if (!https && l.protocol.compare(QLatin1String("Http"), Qt::CaseInsensitive) != 0)
            error(prop(l, QStringLiteral("protocol")),
                  QStringLiteral("protocol must be Http or Https, found '%1'").arg(l.protocol));
        if (https && !l.sslCertificate.isSet() && l.sslCertificate.rawId.isEmpty())
            error(prop(l, QStringLiteral("sslCertificate")),
                  QStringLiteral("an Https listener needs an sslCertificate"));
        ref(l.sslCertificate, prop(l, QStringLiteral("sslCertificate")),
            QStringLiteral("sslCertificates"));
        if (ref(l.sslProfile, prop(l, QStringLiteral("sslProfile")), QStringLiteral("sslProfiles"))
            && !https)
            error(prop(l, QStringLiteral("sslProfile")),
                  QStringLiteral("an SSL profile can only be set on an Https listener"));
        if (!l.hostName.isEmpty() && !l.hostNames.isEmpty())
            error(prop(l, QStringLiteral("hostNames")),
                  QStringLiteral(
                      "hostName and hostNames cannot be used together; use hostNames only"));
        QString why;
        if (!l.hostName.isEmpty() && !isValidHostName(l.hostName, false, &why))
            error(prop(l, QStringLiteral("hostName")), why);
        if (l.hostNames.size() > 5)
            error(prop(l, QStringLiteral("hostNames")),
                  QStringLiteral("a listener has at most 5 host names, found %1")
                      .arg(l.hostNames.size()));
        for (int i = 0; i < l.hostNames.size(); ++i)
            if (!isValidHostName(l.hostNames.at(i), true, &why))
                error(prop(l, QStringLiteral("hostNames[%1]").arg(i)), why);
        if (portOk) {
            const FrontendPort *port = c.frontendPort(l.frontendPort.name);
            byPort[l.frontendIPConfiguration.name.toLower() + QLatin1Char('|')
                   + QString::number(port->port)]
                << &l;
        }
    }
    for (auto it = byPort.begin(); it != byPort.end(); ++it) {
        const QList<const HttpListener *> &ls = it.value();
        for (int i = 1; i < ls.size(); ++i) {
            for (int j = 0; j < i; ++j) {
                const HttpListener &a = *ls.at(j);
                const HttpListener &b = *ls.at(i);
                const QString path = prop(b, QStringLiteral("frontendPort"));
                const QString port = it.key().section(QLatin1Char('|'), 1);
                if (a.protocol.compare(b.protocol, Qt::CaseInsensitive) != 0) {
                    error(path, QStringLiteral("listeners '%1' (%2) and '%3' (%4) cannot share "
                                               "frontend port %5 on the same frontend IP: "
                                               "one port serves one protocol")
                                    .arg(a.name, a.protocol, b.name, b.protocol, port));
                    break;
                }
                const QStringList ha = hostsOf(a), hb = hostsOf(b);
                if (ha.isEmpty() && hb.isEmpty()) {
                    error(path, QStringLiteral("listeners '%1' and '%2' are both basic listeners "
                                               "(no host name) on frontend port %3; "
                                               "only one basic listener can use a port")
                                    .arg(a.name, b.name, port));
                    break;
                }
                for (const QString &h : hb) {
                    if (ha.contains(h)) {
                        error(path, QStringLiteral("listeners '%1' and '%2' both listen for host "
                                                   "'%3' on frontend port %4")
                                        .arg(a.name, b.name, h, port));
                        break;
                    }
                }
            }
        }
    }

    // Pools.
    for (const BackendAddressPool &p : c.backendAddressPools) {
        for (int i = 0; i < p.backendAddresses.size(); ++i) {
            const BackendAddress &a = p.backendAddresses.at(i);
            if (a.ipAddress.isEmpty() && a.fqdn.isEmpty())
                error(prop(p, QStringLiteral("backendAddresses[%1]").arg(i)),
                      QStringLiteral("a backend address needs ipAddress or fqdn"));
            else if (!a.fqdn.isEmpty() && !backendAddressProblem(a.fqdn).isEmpty())
                error(prop(p, QStringLiteral("backendAddresses[%1].fqdn").arg(i)),
                      backendAddressProblem(a.fqdn));
            else if (!a.ipAddress.isEmpty() && QHostAddress(a.ipAddress).isNull())
                warning(prop(p, QStringLiteral("backendAddresses[%1].ipAddress").arg(i)),
                        QStringLiteral("'%1' is not an IP address; it is resolved as a host name "
                                       "(use fqdn for names)")
                            .arg(a.ipAddress));
            if (const QString why = unmappedBackendReason(c.localGateway, a.address());
                !why.isEmpty())
                out.append({Diagnostic::Severity::Warning,
                            prop(p, QStringLiteral("backendAddresses[%1]").arg(i)), why,
                            QStringLiteral("unmapped address"), a.address().trimmed()});
        }
    }

    // Probes.
    for (const Probe &p : c.probes) {
        range(p.interval, 1, 86400, prop(p, QStringLiteral("interval")),
              QStringLiteral("probe interval"));
        range(p.timeout, 1, 86400, prop(p, QStringLiteral("timeout")),
              QStringLiteral("probe timeout"));
        range(p.unhealthyThreshold, 1, 20, prop(p, QStringLiteral("unhealthyThreshold")),
              QStringLiteral("unhealthy threshold"));
        if (p.port != 0)
            range(p.port, 1, 65535, prop(p, QStringLiteral("port")), QStringLiteral("probe port"));
        if (!p.path.startsWith(QLatin1Char('/')))
            error(prop(p, QStringLiteral("path")),
                  QStringLiteral("the probe path must start with '/', found '%1'").arg(p.path));
        if (p.protocol.compare(QLatin1String("Http"), Qt::CaseInsensitive) != 0
            && p.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive) != 0)
            error(prop(p, QStringLiteral("protocol")),
                  QStringLiteral("probe protocol must be Http or Https, found '%1'").arg(p.protocol));
        for (int i = 0; i < p.match.statusCodes.size(); ++i)
            if (!isValidStatusCodes(p.match.statusCodes.at(i)))
                error(prop(p, QStringLiteral("match.statusCodes[%1]").arg(i)),
                      QStringLiteral("'%1' is not a status code, list or range like 200-399")
                          .arg(p.match.statusCodes.at(i)));
        if (p.match.body.size() > 4090)
            error(prop(p, QStringLiteral("match.body")),
                  QStringLiteral("match.body is longer than 4090 characters"));
    }

    // Which settings rules route to (directly or through a path map).
    QSet<QString> usedSettings;
    for (const RequestRoutingRule &r : c.requestRoutingRules) {
        if (r.backendHttpSettings.isSet())
            usedSettings << r.backendHttpSettings.name.toLower();
        if (r.urlPathMap.isSet()) {
            if (const UrlPathMap *m = c.urlPathMap(r.urlPathMap.name)) {
                if (m->defaultBackendHttpSettings.isSet())
                    usedSettings << m->defaultBackendHttpSettings.name.toLower();
                for (const PathRule &pr : m->pathRules)
                    if (pr.backendHttpSettings.isSet())
                        usedSettings << pr.backendHttpSettings.name.toLower();
            }
        }
    }

    // Backend settings.
    for (const BackendHttpSettings &s : c.backendHttpSettingsCollection) {
        range(s.port, 1, 65535, prop(s, QStringLiteral("port")), QStringLiteral("backend port"));
        range(s.requestTimeout, 1, 86400, prop(s, QStringLiteral("requestTimeout")),
              QStringLiteral("request timeout"));
        if (s.protocol.compare(QLatin1String("Http"), Qt::CaseInsensitive) != 0
            && s.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive) != 0)
            error(prop(s, QStringLiteral("protocol")),
                  QStringLiteral("protocol must be Http or Https, found '%1'").arg(s.protocol));
        if (s.cookieBasedAffinity.compare(QLatin1String("Enabled"), Qt::CaseInsensitive) != 0
            && s.cookieBasedAffinity.compare(QLatin1String("Disabled"), Qt::CaseInsensitive) != 0)
            error(prop(s, QStringLiteral("cookieBasedAffinity")),
                  QStringLiteral("cookieBasedAffinity must be Enabled or Disabled, found '%1'")
                      .arg(s.cookieBasedAffinity));
        if (s.connectionDraining.enabled)
            range(s.connectionDraining.drainTimeoutInSec, 1, 3600,
                  prop(s, QStringLiteral("connectionDraining.drainTimeoutInSec")),
                  QStringLiteral("drain timeout"));
        if (s.requestTimeout >= 1 && s.requestTimeout <= TypicalPingIntervalSeconds)
            warning(prop(s, QStringLiteral("requestTimeout")),
                    QStringLiteral("Request timeout %1 s is not above the typical %2 s WebSocket "
                                   "ping interval: idle WebSocket sessions "
                                   "will be closed by the gateway and clients will see close code "
                                   "1006. Use a value above the "
                                   "client's ping interval (e.g. 40).")
                        .arg(s.requestTimeout)
                        .arg(TypicalPingIntervalSeconds));
        if (ref(s.probe, prop(s, QStringLiteral("probe")), QStringLiteral("probes"))) {
            const Probe *p = c.probe(s.probe.name);
            if (p->protocol.compare(s.protocol, Qt::CaseInsensitive) != 0)
                error(join(prop(s, QStringLiteral("probe")), QStringLiteral("id")),
                      QStringLiteral("probe '%1' uses %2 but the backend setting uses %3; the "
                                     "protocols must match")
                          .arg(p->name, p->protocol, s.protocol));
        }
        for (int i = 0; i < s.trustedRootCertificates.size(); ++i)
            ref(s.trustedRootCertificates.at(i),
                prop(s, QStringLiteral("trustedRootCertificates[%1]").arg(i)),
                QStringLiteral("trustedRootCertificates"));
        for (int i = 0; i < s.authenticationCertificates.size(); ++i)
            ref(s.authenticationCertificates.at(i),
                prop(s, QStringLiteral("authenticationCertificates[%1]").arg(i)),
                QStringLiteral("authenticationCertificates"));
        if (!s.probe.isSet() && s.probe.rawId.isEmpty() && usedSettings.contains(s.name.toLower()))
            warning(prop(s, QStringLiteral("probe")),
                    QStringLiteral("backend setting '%1' has no custom probe, so it uses the "
                                   "default probe GET /; a WebSocket-only "
                                   "backend that answers 404 on / is marked Unhealthy and then "
                                   "gets no traffic (502)")
                        .arg(s.name));
    }

    // Rules.
    QHash<QString, QString> listenerRule; // listener -> rule
    QHash<int, QString> priorities;
    bool anyPriority = false;
    for (const RequestRoutingRule &r : c.requestRoutingRules)
        anyPriority = anyPriority || r.priority != 0;
    for (const RequestRoutingRule &r : c.requestRoutingRules) {
        if (ref(r.httpListener, prop(r, QStringLiteral("httpListener")),
                QStringLiteral("httpListeners"), true)) {
            const QString key = r.httpListener.name.toLower();
            if (listenerRule.contains(key))
                error(join(prop(r, QStringLiteral("httpListener")), QStringLiteral("id")),
                      QStringLiteral("listener '%1' is already used by rule '%2'; a listener "
                                     "belongs to one rule")
                          .arg(r.httpListener.name, listenerRule.value(key)));
            else
                listenerRule.insert(key, r.name);
        }
        const bool hasPool = ref(r.backendAddressPool,
                                 prop(r, QStringLiteral("backendAddressPool")),
                                 QStringLiteral("backendAddressPools"))
                             || r.backendAddressPool.isSet();
        const bool hasSetting = ref(r.backendHttpSettings,
                                    prop(r, QStringLiteral("backendHttpSettings")),
                                    QStringLiteral("backendHttpSettingsCollection"))
                                || r.backendHttpSettings.isSet();
        const bool hasRedirect = r.redirectConfiguration.isSet();
        ref(r.redirectConfiguration, prop(r, QStringLiteral("redirectConfiguration")),
            QStringLiteral("redirectConfigurations"));
        ref(r.rewriteRuleSet, prop(r, QStringLiteral("rewriteRuleSet")),
            QStringLiteral("rewriteRuleSets"));
        ref(r.urlPathMap, prop(r, QStringLiteral("urlPathMap")), QStringLiteral("urlPathMaps"));
        const QString typePath = prop(r, QStringLiteral("ruleType"));
        if (r.ruleType.compare(QLatin1String("Basic"), Qt::CaseInsensitive) == 0) {
            if (r.urlPathMap.isSet())
                error(prop(r, QStringLiteral("urlPathMap")),
                      QStringLiteral(
                          "a Basic rule cannot have a urlPathMap; use ruleType PathBasedRouting"));
            if (hasRedirect && (hasPool || hasSetting))
                error(prop(r, QStringLiteral("redirectConfiguration")),
                      QStringLiteral(
                          "a rule either redirects or routes to a backend pool, not both"));
            else if (!hasRedirect && !(hasPool && hasSetting))
                error(typePath, QStringLiteral("rule '%1' has neither a backendAddressPool and "
                                               "backendHttpSettings, nor a redirectConfiguration")
                                    .arg(r.name));
        } else if (r.ruleType.compare(QLatin1String("PathBasedRouting"), Qt::CaseInsensitive) == 0) {
            if (!r.urlPathMap.isSet())
                error(prop(r, QStringLiteral("urlPathMap")),
                      QStringLiteral("a PathBasedRouting rule needs a urlPathMap"));
        } else {
            error(typePath, QStringLiteral("ruleType must be Basic or PathBasedRouting, found '%1'")
                                .arg(r.ruleType));
        }
        const QString priorityPath = prop(r, QStringLiteral("priority"));
        if (r.priority != 0) {
            range(r.priority, 1, 20000, priorityPath, QStringLiteral("rule priority"));
            if (priorities.contains(r.priority))
                error(priorityPath,
                      QStringLiteral(
                          "priority %1 is already used by rule '%2'; priorities must be unique")
                          .arg(r.priority)
                          .arg(priorities.value(r.priority)));
            else
                priorities.insert(r.priority, r.name);
        } else if (anyPriority) {
            error(priorityPath, QStringLiteral("rule '%1' has no priority; when one rule has a "
                                               "priority, every rule needs one (1–20000)")
                                    .arg(r.name));
        }
    }
    for (const HttpListener &l : c.httpListeners)
        if (!l.name.isEmpty() && !listenerRule.contains(l.name.toLower()))
            warning(l.jsonPath,
                    QStringLiteral(
                        "listener '%1' is not used by any routing rule; it will not serve requests")
                        .arg(l.name));

    // URL path maps.
    for (const UrlPathMap &m : c.urlPathMaps) {
        const bool pool = ref(m.defaultBackendAddressPool,
                              prop(m, QStringLiteral("defaultBackendAddressPool")),
                              QStringLiteral("backendAddressPools"))
                          || m.defaultBackendAddressPool.isSet();
        const bool setting = ref(m.defaultBackendHttpSettings,
                                 prop(m, QStringLiteral("defaultBackendHttpSettings")),
                                 QStringLiteral("backendHttpSettingsCollection"))
                             || m.defaultBackendHttpSettings.isSet();
        ref(m.defaultRedirectConfiguration, prop(m, QStringLiteral("defaultRedirectConfiguration")),
            QStringLiteral("redirectConfigurations"));
        ref(m.defaultRewriteRuleSet, prop(m, QStringLiteral("defaultRewriteRuleSet")),
            QStringLiteral("rewriteRuleSets"));
        if (m.defaultRedirectConfiguration.isSet() && (pool || setting))
            error(
                prop(m, QStringLiteral("defaultRedirectConfiguration")),
                QStringLiteral("the default path either redirects or routes to a pool, not both"));
        else if (!m.defaultRedirectConfiguration.isSet() && !(pool && setting))
            error(m.jsonPath, QStringLiteral("url path map '%1' needs a default backend pool and "
                                             "setting, or a default redirect")
                                  .arg(m.name));
        for (const PathRule &r : m.pathRules) {
            const bool rp = ref(r.backendAddressPool, prop(r, QStringLiteral("backendAddressPool")),
                                QStringLiteral("backendAddressPools"))
                            || r.backendAddressPool.isSet();
            const bool rs = ref(r.backendHttpSettings,
                                prop(r, QStringLiteral("backendHttpSettings")),
                                QStringLiteral("backendHttpSettingsCollection"))
                            || r.backendHttpSettings.isSet();
            ref(r.redirectConfiguration, prop(r, QStringLiteral("redirectConfiguration")),
                QStringLiteral("redirectConfigurations"));
            ref(r.rewriteRuleSet, prop(r, QStringLiteral("rewriteRuleSet")),
                QStringLiteral("rewriteRuleSets"));
            if (r.redirectConfiguration.isSet() && (rp || rs))
                error(prop(r, QStringLiteral("redirectConfiguration")),
                      QStringLiteral("a path rule either redirects or routes to a pool, not both"));
            else if (!r.redirectConfiguration.isSet() && !(rp && rs))
                error(r.jsonPath, QStringLiteral("path rule '%1' needs a backendAddressPool and "
                                                 "backendHttpSettings, or a redirectConfiguration")
                                      .arg(r.name));
            if (r.paths.isEmpty())
                error(prop(r, QStringLiteral("paths")),
                      QStringLiteral("a path rule needs at least one path"));
            for (int i = 0; i < r.paths.size(); ++i) {
                QString why;
                const QString &p = r.paths.at(i);
                if (!isValidPathPattern(p, &why))
                    error(prop(r, QStringLiteral("paths[%1]").arg(i)), why);
                else if (v1 && p.endsWith(QLatin1Char('*')) && !p.endsWith(QLatin1String("/*")))
                    error(prop(r, QStringLiteral("paths[%1]").arg(i)),
                          QStringLiteral("'%1': on v1 gateways '*' must follow a '/' (use '%2/*')")
                              .arg(p, p.chopped(1)));
            }
        }
    }

    // Redirects.
    for (const RedirectConfiguration &r : c.redirectConfigurations) {
        static const QStringList types = {QStringLiteral("Permanent"), QStringLiteral("Found"),
                                          QStringLiteral("SeeOther"), QStringLiteral("Temporary")};
        if (!types.contains(r.redirectType, Qt::CaseInsensitive))
            error(prop(r, QStringLiteral("redirectType")),
                  QStringLiteral(
                      "redirectType must be Permanent, Found, SeeOther or Temporary, found '%1'")
                      .arg(r.redirectType));
        if (r.targetListener.isSet() && !r.targetUrl.isEmpty())
            error(prop(r, QStringLiteral("targetUrl")),
                  QStringLiteral("a redirect has either targetListener or targetUrl, not both"));
        else if (!r.targetListener.isSet() && r.targetUrl.isEmpty()
                 && r.targetListener.rawId.isEmpty())
            error(r.jsonPath,
                  QStringLiteral("redirect '%1' needs a targetListener or a targetUrl").arg(r.name));
        if (ref(r.targetListener, prop(r, QStringLiteral("targetListener")),
                QStringLiteral("httpListeners"))) {
            const HttpListener *l = c.httpListener(r.targetListener.name);
            if (l->hostNames.size() > 1 || l->hostName.contains(QLatin1Char('*'))
                || (l->hostNames.size() == 1 && l->hostNames.first().contains(QLatin1Char('*'))))
                error(join(prop(r, QStringLiteral("targetListener")), QStringLiteral("id")),
                      QStringLiteral("a redirect cannot target listener '%1', which has wildcard "
                                     "or multiple host names")
                          .arg(l->name));
        }
    }

    // Certificates the local gateway cannot load (Key Vault, no data, a wrong password...) get a
    // development certificate when they are loaded (Tls::loadCertificates reports it as a
    // stand-in); nothing to say here.

    // Rewrite rule sets (reliability-cases C03: framing and routing headers are not rewritable,
    // values must not smuggle line breaks).
    QSet<QString> basicRewriteSets;
    for (const RequestRoutingRule &r : c.requestRoutingRules)
        if (r.rewriteRuleSet.isSet()
            && r.ruleType.compare(QLatin1String("Basic"), Qt::CaseInsensitive) == 0)
            basicRewriteSets << r.rewriteRuleSet.name.toLower();
    static const QRegularExpression headerName(QStringLiteral("^[A-Za-z0-9-]+$"));
    static const QStringList notRewritable = {QStringLiteral("Connection"),
                                              QStringLiteral("Upgrade"),
                                              QStringLiteral("Content-Length"),
                                              QStringLiteral("Transfer-Encoding")};
    for (const RewriteRuleSet &set : c.rewriteRuleSets) {
        for (int i = 0; i < set.rewriteRules.size(); ++i) {
            const RewriteRule &rule = set.rewriteRules.at(i);
            const QString rulePath = prop(set, QStringLiteral("rewriteRules[%1]").arg(i));
            auto headers = [&](const QList<HeaderConfiguration> &list, const QString &key,
                               bool request) {
                for (int j = 0; j < list.size(); ++j) {
                    const HeaderConfiguration &h = list.at(j);
                    const QString path = join(rulePath,
                                              QStringLiteral("actionSet.%1[%2]").arg(key).arg(j));
                    if (!headerName.match(h.headerName).hasMatch())
                        error(join(path, QStringLiteral("headerName")),
                              QStringLiteral(
                                  "header name '%1' may contain only letters, digits and '-'")
                                  .arg(h.headerName));
                    else if (notRewritable.contains(h.headerName, Qt::CaseInsensitive))
                        error(join(path, QStringLiteral("headerName")),
                              QStringLiteral("the %1 header cannot be rewritten").arg(h.headerName));
                    else if (request
                             && h.headerName.compare(QLatin1String("Host"), Qt::CaseInsensitive) == 0
                             && h.headerValue.isEmpty())
                        error(join(path, QStringLiteral("headerValue")),
                              QStringLiteral("the Host header cannot be deleted"));
                    if (h.headerValue.contains(QLatin1Char('\r'))
                        || h.headerValue.contains(QLatin1Char('\n'))
                        || h.headerValue.contains(QChar(0)))
                        error(join(path, QStringLiteral("headerValue")),
                              QStringLiteral("a header value must not contain CR, LF or NUL"));
                }
            };
            headers(rule.requestHeaderConfigurations, QStringLiteral("requestHeaderConfigurations"),
                    true);
            headers(rule.responseHeaderConfigurations,
                    QStringLiteral("responseHeaderConfigurations"), false);
            for (int j = 0; j < rule.conditions.size(); ++j) {
                const RewriteCondition &cond = rule.conditions.at(j);
                const QString cpath = join(rulePath, QStringLiteral("conditions[%1]").arg(j));
                const QString v = cond.variable.trimmed();
                const bool known = (v.startsWith(QLatin1String("http_req_"), Qt::CaseInsensitive)
                                    && v.size() > 9)
                                   || (v.startsWith(QLatin1String("http_resp_"), Qt::CaseInsensitive)
                                       && v.size() > 10)
                                   || (v.startsWith(QLatin1String("var_"), Qt::CaseInsensitive)
                                       && Filter::Rewrite::isServerVariable(v.mid(4).toLatin1()));
                if (!known)
                    error(join(cpath, QStringLiteral("variable")),
                          QStringLiteral("'%1' is not http_req_<header>, http_resp_<header> or "
                                         "var_<server variable>")
                              .arg(cond.variable));
                const QString reError = Filter::Rewrite::patternError(cond.pattern, cond.ignoreCase);
                if (!reError.isEmpty())
                    error(join(cpath, QStringLiteral("pattern")),
                          QStringLiteral("not a valid RE2 pattern: %1").arg(reError));
            }
            if (rule.urlConfiguration.reroute && basicRewriteSets.contains(set.name.toLower()))
                error(join(rulePath, QStringLiteral("actionSet.urlConfiguration.reroute")),
                      QStringLiteral("reroute (re-evaluate the path map) is not allowed in a rule "
                                     "set used by a Basic rule"));
        }
    }

    // Custom error pages: Azure's status codes; a page the local gateway can have (a mapped file
    // or a loopback URL; nothing else is ever contacted).
    auto errorPages = [&](const QList<CustomErrorConfiguration> &list, const QString &base) {
        for (int i = 0; i < list.size(); ++i) {
            const CustomErrorConfiguration &ce = list.at(i);
            const QString path = join(base, QStringLiteral("customErrorConfigurations[%1]").arg(i));
            if (!Http::CustomErrorPages::statusFromName(ce.statusCode)) {
                warning(join(path, QStringLiteral("statusCode")),
                        QStringLiteral("'%1' has no custom error page on Application Gateway v2 "
                                       "(HttpStatus400, 403, 405, 408, 500, 502, 503, 504); it "
                                       "is not applied")
                            .arg(ce.statusCode));
                continue;
            }
            const auto &files = c.localGateway.customErrorPageFiles;
            if (files.contains(ce.customErrorPageUrl.trimmed())
                || files.contains(ce.statusCode.trimmed())
                || Http::CustomErrorPages::isLoopbackUrl(ce.customErrorPageUrl))
                continue;
            warning(join(path, QStringLiteral("customErrorPageUrl")),
                    QStringLiteral("custom error page %1 is not on this machine and is never "
                                   "fetched; Azure's default page is used locally. Map it to a "
                                   "local file in metadata.localGateway.customErrorPageFiles")
                        .arg(ce.customErrorPageUrl));
        }
    };
    errorPages(c.customErrorConfigurations,
               c.gatewayJsonPath.isEmpty() ? QStringLiteral("properties")
                                           : join(c.gatewayJsonPath, QStringLiteral("properties")));
    for (const HttpListener &l : c.httpListeners)
        errorPages(l.customErrorConfigurations, join(l.jsonPath, QStringLiteral("properties")));

    // Local settings.
    const LocalGateway &lg = c.localGateway;
    const QHostAddress bind(lg.bindAddress);
    if (bind.isNull())
        error(QStringLiteral("metadata.localGateway.bindAddress"),
              QStringLiteral("'%1' is not an IP address").arg(lg.bindAddress));
    else if (!bind.isLoopback())
        warning(QStringLiteral("metadata.localGateway.bindAddress"),
                QStringLiteral("bindAddress %1 is not a loopback address: the gateway's ports will "
                               "be open to the network")
                    .arg(lg.bindAddress));
    for (auto it = lg.frontendPortMap.begin(); it != lg.frontendPortMap.end(); ++it) {
        const QString path = QStringLiteral("metadata.localGateway.frontendPortMap.%1").arg(it.key());
        // 0: any free port (the kernel picks; `appgw run` prints it, listeners() reports it).
        range(it.value(), 0, 65535, path, QStringLiteral("local port"));
        if (!portNumbers.contains(it.key()))
            warning(path,
                    QStringLiteral("no frontend port uses port %1, so this mapping has no effect")
                        .arg(it.key()));
    }
    static const QRegularExpression hostPort(
        QStringLiteral("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9_.-]+)(:(\\d{1,5}))?$"));
    for (auto it = lg.backendAddressMap.begin(); it != lg.backendAddressMap.end(); ++it) {
        const QRegularExpressionMatch m = hostPort.match(it.value());
        const int port = m.captured(3).toInt();
        if (!m.hasMatch() || (m.hasCaptured(3) && (port < 1 || port > 65535)))
            warning(QStringLiteral("metadata.localGateway.backendAddressMap.%1").arg(it.key()),
                    QStringLiteral("'%1' is not host:port (e.g. 127.0.0.1:9001)").arg(it.value()));
    }
    for (auto it = lg.certificateFiles.begin(); it != lg.certificateFiles.end(); ++it) {
        const QString path = QStringLiteral("metadata.localGateway.certificateFiles.%1")
                                 .arg(it.key());
        if (!c.sslCertificate(it.key()))
            warning(path, QStringLiteral("there is no sslCertificate named '%1'").arg(it.key()));
        if (it.value().pfx.isEmpty() && it.value().pem.isEmpty())
            error(path, QStringLiteral("a certificate file entry needs pfx, or pem and key"));
        else if (!it.value().pem.isEmpty() && it.value().key.isEmpty() && it.value().pfx.isEmpty())
            error(join(path, QStringLiteral("key")),
                  QStringLiteral("a pem certificate needs its private key file (key)"));
    }
}

// One sslPolicy (the gateway's or a profile's); *tls13Generation: a 2022 predefined policy or
// CustomV2, which cannot coexist with the older ones on one gateway.
bool Validator::sslPolicy(const SslPolicy &policy, const QString &path, bool *tls13Generation)
{
    ResolvedSslPolicy resolved;
    QString why;
    QStringList notes;
    if (!resolveSslPolicy(policy, &resolved, &why, &notes)) {
        QString key = QStringLiteral("policyName");
        if (why.contains(QLatin1String("policyType")))
            key = QStringLiteral("policyType");
        else if (why.contains(QLatin1String("minProtocolVersion"))
                 || why.contains(QLatin1String("TLSv1_3")))
            key = QStringLiteral("minProtocolVersion");
        else if (why.contains(QLatin1String("cipher")))
            key = QStringLiteral("cipherSuites");
        else if (why.contains(QLatin1String("disabledSslProtocols")))
            key = QStringLiteral("disabledSslProtocols");
        error(join(path, key), why);
        return false;
    }
    for (const QString &note : std::as_const(notes))
        out.append({Diagnostic::Severity::Warning, path, note, QStringLiteral("TLS policy")});
    *tls13Generation = !resolved.isDefault && resolved.maxVersion == 13;
    return !resolved.isDefault;
}

void Validator::sslProfiles()
{
    // "Both old and new policies cannot co-exist on a gateway" (TLS policy overview).
    QStringList newer, older;
    bool tls13 = false;
    const QString gatewayPath = join(join(c.gatewayJsonPath, QStringLiteral("properties")),
                                     QStringLiteral("sslPolicy"));
    if (sslPolicy(c.gatewaySslPolicy(), gatewayPath, &tls13))
        (tls13 ? newer : older) << gatewayPath;
    for (const SslProfile &profile : c.sslProfiles) {
        const QString policyPath = prop(profile, QStringLiteral("sslPolicy"));
        if (sslPolicy(profile.sslPolicy, policyPath, &tls13))
            (tls13 ? newer : older) << policyPath;
        for (int i = 0; i < profile.trustedClientCertificates.size(); ++i)
            ref(profile.trustedClientCertificates.at(i),
                prop(profile, QStringLiteral("trustedClientCertificates[%1]").arg(i)),
                QStringLiteral("trustedClientCertificates"));
        if (profile.trustedClientCertificates.size() > 5)
            error(prop(profile, QStringLiteral("trustedClientCertificates")),
                  QStringLiteral("an SSL profile has at most 5 trusted client CA certificate "
                                 "chains, found %1")
                      .arg(profile.trustedClientCertificates.size()));
        const QString authPath = prop(profile, QStringLiteral("clientAuthConfiguration"));
        if (profile.verifyClientCertIssuerDN && profile.trustedClientCertificates.isEmpty())
            error(join(authPath, QStringLiteral("verifyClientCertIssuerDN")),
                  QStringLiteral("verifyClientCertIssuerDN needs trustedClientCertificates"));
        const QString revocation = profile.verifyClientRevocation;
        if (revocation.compare(QLatin1String("OCSP"), Qt::CaseInsensitive) == 0) {
            if (profile.trustedClientCertificates.isEmpty())
                error(
                    join(authPath, QStringLiteral("verifyClientRevocation")),
                    QStringLiteral("verifyClientRevocation OCSP needs trustedClientCertificates"));
            else
                out.append({Diagnostic::Severity::Warning,
                            join(authPath, QStringLiteral("verifyClientRevocation")),
                            QStringLiteral("SSL profile '%1' asks for an OCSP revocation check of "
                                           "client certificates; OCSP responders cannot be "
                                           "reached locally, so revoked client certificates are "
                                           "accepted here (Azure answers them with 400)")
                                .arg(profile.name),
                            QStringLiteral("no OCSP check")});
        } else if (!revocation.isEmpty()
                   && revocation.compare(QLatin1String("None"), Qt::CaseInsensitive) != 0) {
            error(join(authPath, QStringLiteral("verifyClientRevocation")),
                  QStringLiteral("verifyClientRevocation must be None or OCSP, found '%1'")
                      .arg(revocation));
        }
    }
    if (!newer.isEmpty() && !older.isEmpty())
        error(newer.first(),
              QStringLiteral("a 2022 predefined or CustomV2 policy cannot coexist with an older "
                             "policy on one gateway (also at %1)")
                  .arg(older.first()));
    if (!c.sslProfiles.isEmpty() && isV1(c))
        error(join(join(c.gatewayJsonPath, QStringLiteral("properties")),
                   QStringLiteral("sslProfiles")),
              QStringLiteral("SSL profiles (and mutual authentication) need the Standard_v2 or "
                             "WAF_v2 SKU"));
}

} // namespace

Diagnostics validate(const GatewayConfig &config)
{
    Validator v(config);
    v.run();
    return v.out;
}

QString backendAddressProblem(const QString &address)
{
    const QString a = address.trimmed();
    if (a.isEmpty() || !QHostAddress(a).isNull())
        return QString();
    const qsizetype scheme = a.indexOf(QLatin1String("://"));
    if (scheme > 0) {
        const QString host = a.mid(scheme + 3).section(QLatin1Char('/'), 0, 0);
        return QStringLiteral("'%1' has a scheme: write only the address (%2); the protocol and "
                              "the port belong in the backend setting")
            .arg(a, host.section(QLatin1Char(':'), 0, 0));
    }
    if (a.contains(QLatin1Char('/')))
        return QStringLiteral("'%1' has a path: write only the address (%2); paths belong in the "
                              "backend setting's path override")
            .arg(a, a.section(QLatin1Char('/'), 0, 0));
    const qsizetype colon = a.lastIndexOf(QLatin1Char(':'));
    if (colon > 0) {
        QString host = a.left(colon);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        return QStringLiteral("'%1' has a port: the port belongs in the backend setting "
                              "(backendHttpSettingsCollection port = %2); write %3 here")
            .arg(a, a.mid(colon + 1), host);
    }
    QString why;
    if (!isValidHostName(a, false, &why))
        return why;
    return QString();
}

bool isValidHostName(const QString &hostName, bool allowWildcards, QString *why)
{
    auto fail = [why](const QString &m) {
        if (why)
            *why = m;
        return false;
    };
    if (hostName.isEmpty())
        return fail(QStringLiteral("the host name is empty"));
    if (hostName.size() > 253)
        return fail(QStringLiteral("host name '%1' is longer than 253 characters").arg(hostName));
    int stars = 0, wildcards = 0;
    for (const QChar ch : hostName) {
        const ushort u = ch.unicode();
        const bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z')
                           || (u >= '0' && u <= '9') || u == '-' || u == '.';
        if (u == '*' || u == '?') {
            if (!allowWildcards)
                return fail(QStringLiteral("host name '%1' has a wildcard; hostName takes exactly "
                                           "one non-wildcard name (use hostNames for wildcards)")
                                .arg(hostName));
            ++wildcards;
            if (u == '*')
                ++stars;
        } else if (!plain) {
            return fail(QStringLiteral("host name '%1' has the character '%2'; allowed are A-Z a-z "
                                       "0-9 - . and the wildcards * ?")
                            .arg(hostName, QString(ch)));
        }
    }
    if (hostName.contains(QLatin1String("**")) || hostName.contains(QLatin1String("*?"))
        || hostName.contains(QLatin1String("?*")))
        return fail(QStringLiteral("host name '%1' is invalid: '**', '*?' and '?*' are not allowed")
                        .arg(hostName));
    if (stars > 2)
        return fail(QStringLiteral("host name '%1' has more than 2 '*'").arg(hostName));
    if (wildcards > 4)
        return fail(
            QStringLiteral("host name '%1' has more than 4 wildcard characters").arg(hostName));
    const QStringList labels = hostName.split(QLatin1Char('.'));
    for (const QString &label : labels) {
        if (label.isEmpty())
            return fail(QStringLiteral("host name '%1' has an empty label").arg(hostName));
        if (label.count(QLatin1Char('*')) > 1)
            return fail(QStringLiteral("host name '%1': '*' may appear at most once per label")
                            .arg(hostName));
        if (label.size() > 63)
            return fail(QStringLiteral("host name '%1' has a label longer than 63 characters")
                            .arg(hostName));
    }
    return true;
}

bool isValidPathPattern(const QString &path, QString *why)
{
    auto fail = [why](const QString &m) {
        if (why)
            *why = m;
        return false;
    };
    if (!path.startsWith(QLatin1Char('/')))
        return fail(QStringLiteral("path '%1' must start with '/'").arg(path));
    const int star = path.indexOf(QLatin1Char('*'));
    if (star >= 0 && star != path.size() - 1)
        return fail(QStringLiteral("path '%1': '*' is allowed only at the end").arg(path));
    if (path.contains(QLatin1Char('?')) || path.contains(QLatin1Char('#')))
        return fail(
            QStringLiteral("path '%1': a path pattern matches the path only, without '?' or '#'")
                .arg(path));
    return true;
}

QString formatDiagnostic(const QString &file, const Diagnostic &d)
{
    const QString message = d.isError() ? d.message : QStringLiteral("warning: ") + d.message;
    if (d.path.isEmpty())
        return file + QStringLiteral(": ") + message;
    return file + QStringLiteral(": ") + d.path + QStringLiteral(": ") + message;
}

} // namespace Gateway::Config
