#include "routing/routetable.h"

#include "config/gatewayconfig.h"
#include "routing/affinity.h"
#include "routing/hostmatch.h"

#include <QHash>

#include <algorithm>

namespace Gateway::Routing {

namespace {

// What a rule, path rule or map default leads to, resolved at build time.
struct Action
{
    RouteResult::Kind kind = RouteResult::Misconfigured;
    QString pathRule;
    QString rewriteRuleSet;
    QString detail;    // Misconfigured
    int target = -1;   // Backend: index into Data::targets
    int redirect = -1; // Redirect: index into Data::redirects
};

struct RedirectRuntime
{
    QString name;
    int status = 302;
    bool toListener = false;
    QByteArray scheme;    // toListener: "http" | "https"
    QByteArray host;      // toListener: fixed host; empty = the request's host
    int port = 0;         // toListener: port to show; 0 = the scheme's default
    QByteArray targetUrl; // !toListener
    bool includePath = false;
    bool includeQueryString = false;
};

struct PathPattern
{
    QByteArray pattern; // without the trailing '*' when prefix
    bool prefix = false;
};

struct CompiledPathRule
{
    QList<PathPattern> patterns;
    Action action;
};

struct CompiledRule
{
    QString name;
    QString listener;
    QList<QByteArray> hosts; // empty: basic listener, matches any host
    bool pathBased = false;
    Action action; // Basic, or a path-based rule's map default
    QList<CompiledPathRule> pathRules;
};

struct Socket
{
    ListenerSocket info;
    QList<CompiledRule> rules; // in evaluation (priority) order
};

template<typename T>
int indexByName(const QList<T> &list, const QString &name)
{
    if (name.isEmpty())
        return -1;
    for (int i = 0; i < list.size(); ++i) {
        if (list.at(i).name.compare(name, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

inline char lowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
}

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (lowerAscii(a[i]) != lowerAscii(b[i]))
            return false;
    }
    return true;
}

bool startsWithIgnoreCase(QByteArrayView s, QByteArrayView prefix)
{
    return s.size() >= prefix.size() && equalsIgnoreCase(s.first(prefix.size()), prefix);
}

// Joins the override and the rest of the path: the override replaces the matched prefix, and
// when both sides bring a '/' only one is kept ("/override/" + "/home/" -> "/override/home/").
QByteArray joinOverride(const QByteArray &override, QByteArrayView rest)
{
    QByteArray out;
    out.reserve(override.size() + rest.size());
    out.append(override);
    if (override.endsWith('/') && rest.startsWith('/'))
        rest = rest.sliced(1);
    out.append(rest);
    return out;
}

int redirectStatus(const QString &type)
{
    if (type.compare(u"Permanent", Qt::CaseInsensitive) == 0)
        return 301;
    if (type.compare(u"Found", Qt::CaseInsensitive) == 0)
        return 302;
    if (type.compare(u"SeeOther", Qt::CaseInsensitive) == 0)
        return 303;
    if (type.compare(u"Temporary", Qt::CaseInsensitive) == 0)
        return 307;
    return 0;
}

bool isHttps(const QString &protocol)
{
    return protocol.compare(u"Https", Qt::CaseInsensitive) == 0;
}

} // namespace

struct RouteTable::Data
{
    QList<BackendPoolRuntime> pools;
    QList<BackendSettingRuntime> settings;
    QList<BackendTargetRuntime> targets;
    QHash<qint64, int> targetByPair; // (pool << 32 | setting) -> target
    QList<RedirectRuntime> redirects;
    QList<Socket> sockets;
    QHash<int, int> socketByFrontendPort;
    QHash<int, int> localPortByFrontendPort;
    QStringList warnings;

    const Config::GatewayConfig *config = nullptr; // only during build()
    QHash<QString, int> redirectIndex;             // only during build()

    int targetFor(int pool, int setting);
    Action backendAction(const Config::Ref &pool, const Config::Ref &setting,
                         const Config::Ref &redirect, const QString &what);
    int redirectFor(const QString &name, QString *problem);
};

int RouteTable::Data::targetFor(int pool, int setting)
{
    const qint64 key = (qint64(pool) << 32) | qint64(setting);
    const auto it = targetByPair.constFind(key);
    if (it != targetByPair.constEnd())
        return *it;
    BackendTargetRuntime t;
    t.index = int(targets.size());
    // Pointers are filled in once every list is complete (build()).
    const BackendPoolRuntime &p = pools.at(pool);
    const BackendSettingRuntime &s = settings.at(setting);
    t.affinityValues.reserve(p.servers.size());
    for (const BackendServer &server : p.servers)
        t.affinityValues.append(affinityCookieValue(p.name, s.name, server.address));
    targets.append(t);
    targetByPair.insert(key, t.index);
    return t.index;
}

int RouteTable::Data::redirectFor(const QString &name, QString *problem)
{
    const QString key = name.toLower();
    const auto it = redirectIndex.constFind(key);
    if (it != redirectIndex.constEnd())
        return *it;

    const int ci = indexByName(config->redirectConfigurations, name);
    if (ci < 0) {
        *problem = QStringLiteral("redirect configuration '%1' does not exist").arg(name);
        return -1;
    }
    const Config::RedirectConfiguration &rc = config->redirectConfigurations.at(ci);
    RedirectRuntime r;
    r.name = rc.name;
    r.status = redirectStatus(rc.redirectType);
    if (r.status == 0) {
        *problem = QStringLiteral("redirect configuration '%1' has an unknown redirectType '%2'")
                       .arg(rc.name, rc.redirectType);
        return -1;
    }
    r.includePath = rc.includePath;
    r.includeQueryString = rc.includeQueryString;
    if (rc.targetListener.isSet()) {
        const int li = indexByName(config->httpListeners, rc.targetListener.name);
        if (li < 0) {
            *problem = QStringLiteral("redirect configuration '%1' targets listener '%2', which "
                                      "does not exist")
                           .arg(rc.name, rc.targetListener.name);
            return -1;
        }
        const Config::HttpListener &l = config->httpListeners.at(li);
        const bool https = isHttps(l.protocol);
        r.toListener = true;
        r.scheme = https ? QByteArrayLiteral("https") : QByteArrayLiteral("http");
        if (!l.hostName.isEmpty() && !hasWildcard(l.hostName.toUtf8()))
            r.host = l.hostName.toLower().toUtf8();
        else if (l.hostName.isEmpty() && l.hostNames.size() == 1
                 && !hasWildcard(l.hostNames.first().toUtf8()))
            r.host = l.hostNames.first().toLower().toUtf8();
        const int fi = indexByName(config->frontendPorts, l.frontendPort.name);
        if (fi < 0) {
            *problem = QStringLiteral("redirect configuration '%1' targets listener '%2', whose "
                                      "frontend port '%3' does not exist")
                           .arg(rc.name, l.name, l.frontendPort.name);
            return -1;
        }
        // The port the target listener is reachable on here: its local port after
        // frontendPortMap, so the redirect works against the local gateway.
        const int frontend = config->frontendPorts.at(fi).port;
        const int local = config->localGateway.frontendPortMap.value(frontend, frontend);
        r.port = (https && local == 443) || (!https && local == 80) ? 0 : local;
    } else if (!rc.targetUrl.isEmpty()) {
        r.targetUrl = rc.targetUrl.toUtf8();
    } else {
        *problem = QStringLiteral("redirect configuration '%1' has neither targetListener nor "
                                  "targetUrl")
                       .arg(rc.name);
        return -1;
    }
    const int index = int(redirects.size());
    redirects.append(r);
    redirectIndex.insert(key, index);
    return index;
}

Action RouteTable::Data::backendAction(const Config::Ref &pool, const Config::Ref &setting,
                                       const Config::Ref &redirect, const QString &what)
{
    Action a;
    if (redirect.isSet()) {
        QString problem;
        a.redirect = redirectFor(redirect.name, &problem);
        if (a.redirect < 0) {
            a.detail = what + QStringLiteral(": ") + problem;
            return a;
        }
        a.kind = RouteResult::Redirect;
        return a;
    }
    if (!pool.isSet() || !setting.isSet()) {
        a.detail = what
                   + QStringLiteral(" has no backend pool and backend setting, and no redirect");
        return a;
    }
    const int pi = indexByName(pools, pool.name);
    if (pi < 0) {
        a.detail = what + QStringLiteral(": backend pool '%1' does not exist").arg(pool.name);
        return a;
    }
    const int si = indexByName(settings, setting.name);
    if (si < 0) {
        a.detail = what + QStringLiteral(": backend setting '%1' does not exist").arg(setting.name);
        return a;
    }
    a.kind = RouteResult::Backend;
    a.target = targetFor(pi, si);
    return a;
}

RouteTable::RouteTable(std::unique_ptr<Data> data) : m_d(std::move(data)) {}

RouteTable::~RouteTable() = default;

std::shared_ptr<const RouteTable> RouteTable::build(const Config::GatewayConfig &config)
{
    auto d = std::make_unique<Data>();
    d->config = &config;

    // Backend settings.
    for (const Config::BackendHttpSettings &bs : config.backendHttpSettingsCollection) {
        BackendSettingRuntime s;
        s.name = bs.name;
        s.index = int(d->settings.size());
        s.port = bs.port;
        s.protocol = bs.protocol;
        s.https = isHttps(bs.protocol);
        s.requestTimeoutMs = bs.requestTimeout > 0 ? bs.requestTimeout * 1000 : 20'000;
        s.hostName = bs.hostName;
        s.hostNameBytes = bs.hostName.toUtf8();
        s.pickHostNameFromBackendAddress = bs.pickHostNameFromBackendAddress;
        s.path = bs.path;
        s.pathBytes = bs.path.toUtf8();
        s.cookieAffinity = bs.cookieBasedAffinity.compare(u"Enabled", Qt::CaseInsensitive) == 0;
        s.affinityCookieName = bs.affinityCookieName.isEmpty()
                                   ? QString::fromLatin1(DefaultAffinityCookieName)
                                   : bs.affinityCookieName;
        s.affinityCookieNameBytes = s.affinityCookieName.toUtf8();
        s.affinityCorsCookieNameBytes = s.affinityCookieNameBytes + QByteArrayLiteral("CORS");
        s.connectionDrainingEnabled = bs.connectionDraining.enabled;
        s.drainTimeoutMs = (bs.connectionDraining.enabled
                                    && bs.connectionDraining.drainTimeoutInSec > 0
                                ? bs.connectionDraining.drainTimeoutInSec
                                : 30)
                           * 1000;
        s.probe = bs.probe.name;
        s.probeEnabled = bs.probeEnabled;
        d->settings.append(s);
    }

    // Backend pools, with localGateway.backendAddressMap applied (keys case-insensitive).
    QHash<QString, QString> addressMap;
    for (auto it = config.localGateway.backendAddressMap.cbegin();
         it != config.localGateway.backendAddressMap.cend(); ++it)
        addressMap.insert(it.key().trimmed().toLower(), it.value().trimmed());
    for (const Config::BackendAddressPool &bp : config.backendAddressPools) {
        BackendPoolRuntime p;
        p.name = bp.name;
        p.index = int(d->pools.size());
        for (const Config::BackendAddress &ba : bp.backendAddresses) {
            BackendServer server;
            server.address = ba.address().trimmed();
            if (server.address.isEmpty()) {
                d->warnings.append(QStringLiteral("backend pool '%1' has an address with neither "
                                                  "ipAddress nor fqdn; it is ignored")
                                       .arg(bp.name));
                continue;
            }
            server.addressBytes = server.address.toUtf8();
            server.connectHost = server.address;
            server.refusal = Config::unmappedBackendReason(config.localGateway, server.address);
            const auto mapped = addressMap.constFind(server.address.toLower());
            if (mapped != addressMap.constEnd() && !mapped->isEmpty()) {
                QString host = *mapped;
                int port = 0;
                // "host:port", "[v6]:port", "host" or "[v6]".
                const qsizetype colon = host.lastIndexOf(u':');
                const bool bracketed = host.startsWith(u'[');
                const qsizetype close = host.indexOf(u']');
                if (colon > 0 && (!bracketed || colon > close)
                    && (bracketed || host.indexOf(u':') == colon)) {
                    bool ok = false;
                    port = host.mid(colon + 1).toInt(&ok);
                    if (!ok || port < 1 || port > 65535) {
                        d->warnings.append(QStringLiteral("backendAddressMap entry '%1' -> '%2' "
                                                          "has an invalid port; the backend "
                                                          "setting's port is used")
                                               .arg(server.address, *mapped));
                        port = 0;
                    }
                    host.truncate(colon);
                }
                if (bracketed && host.endsWith(u']'))
                    host = host.mid(1, host.size() - 2);
                server.connectHost = host;
                server.connectPort = port;
            }
            p.servers.append(server);
        }
        d->pools.append(p);
    }

    // Listener -> socket. Group by local port after frontendPortMap.
    struct ListenerInfo
    {
        int frontendPort = 0;
        int socket = -1;
        QList<QByteArray> hosts;
    };
    QList<ListenerInfo> listeners(config.httpListeners.size());
    QHash<int, int> socketByLocalPort;
    for (int i = 0; i < config.httpListeners.size(); ++i) {
        const Config::HttpListener &l = config.httpListeners.at(i);
        const int fi = indexByName(config.frontendPorts, l.frontendPort.name);
        if (fi < 0) {
            d->warnings.append(QStringLiteral("listener '%1' refers to frontend port '%2', which "
                                              "does not exist; the listener is not served")
                                   .arg(l.name, l.frontendPort.name));
            continue;
        }
        const int frontend = config.frontendPorts.at(fi).port;
        const int local = config.localGateway.frontendPortMap.value(frontend, frontend);
        d->localPortByFrontendPort.insert(frontend, local);
        int socket = socketByLocalPort.value(local, -1);
        if (socket < 0) {
            socket = int(d->sockets.size());
            Socket s;
            s.info.frontendPort = frontend;
            s.info.localPort = local;
            s.info.protocol = l.protocol;
            d->sockets.append(s);
            socketByLocalPort.insert(local, socket);
        }
        Socket &s = d->sockets[socket];
        if (frontend < s.info.frontendPort)
            s.info.frontendPort = frontend;
        if (s.info.protocol.compare(l.protocol, Qt::CaseInsensitive) != 0) {
            d->warnings.append(QStringLiteral("listeners %1 and '%2' share local port %3 with "
                                              "different protocols; the port serves %4")
                                   .arg(s.info.listenerNames.join(u", "), l.name)
                                   .arg(local)
                                   .arg(s.info.protocol));
        }
        s.info.listenerNames.append(l.name);
        d->socketByFrontendPort.insert(frontend, socket);
        ListenerInfo &info = listeners[i];
        info.frontendPort = frontend;
        info.socket = socket;
        if (!l.hostName.trimmed().isEmpty())
            info.hosts.append(l.hostName.trimmed().toLower().toUtf8());
        for (const QString &h : l.hostNames) {
            if (!h.trimmed().isEmpty())
                info.hosts.append(h.trimmed().toLower().toUtf8());
        }
    }

    // Rules, in evaluation order: priority 1..20000 first (ties keep list order), then rules
    // without a priority in list order.
    QList<int> order(config.requestRoutingRules.size());
    for (int i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&config](int a, int b) {
        const int pa = config.requestRoutingRules.at(a).priority;
        const int pb = config.requestRoutingRules.at(b).priority;
        if ((pa > 0) != (pb > 0))
            return pa > 0;
        return pa > 0 && pa < pb;
    });

    for (int ri : std::as_const(order)) {
        const Config::RequestRoutingRule &rule = config.requestRoutingRules.at(ri);
        const int li = indexByName(config.httpListeners, rule.httpListener.name);
        if (li < 0) {
            d->warnings.append(QStringLiteral("rule '%1' refers to listener '%2', which does not "
                                              "exist; the rule is never used")
                                   .arg(rule.name, rule.httpListener.name));
            continue;
        }
        const ListenerInfo &info = listeners.at(li);
        if (info.socket < 0)
            continue;
        CompiledRule cr;
        cr.name = rule.name;
        cr.listener = config.httpListeners.at(li).name;
        cr.hosts = info.hosts;
        const QString what = QStringLiteral("rule '%1'").arg(rule.name);
        if (rule.ruleType.compare(u"PathBasedRouting", Qt::CaseInsensitive) == 0) {
            cr.pathBased = true;
            const int mi = indexByName(config.urlPathMaps, rule.urlPathMap.name);
            if (mi < 0) {
                if (rule.urlPathMap.isSet())
                    cr.action.detail = what
                                       + QStringLiteral(": URL path map '%1' does not exist")
                                             .arg(rule.urlPathMap.name);
                else
                    cr.action.detail = what
                                       + QStringLiteral(
                                           " is PathBasedRouting but has no urlPathMap");
            } else {
                const Config::UrlPathMap &map = config.urlPathMaps.at(mi);
                const QString mapWhat = QStringLiteral("URL path map '%1'").arg(map.name);
                cr.action = d->backendAction(map.defaultBackendAddressPool,
                                             map.defaultBackendHttpSettings,
                                             map.defaultRedirectConfiguration,
                                             mapWhat + QStringLiteral(" default"));
                cr.action.rewriteRuleSet = map.defaultRewriteRuleSet.name;
                for (const Config::PathRule &pr : map.pathRules) {
                    CompiledPathRule cpr;
                    cpr.action = d->backendAction(
                        pr.backendAddressPool, pr.backendHttpSettings, pr.redirectConfiguration,
                        mapWhat + QStringLiteral(" path rule '%1'").arg(pr.name));
                    cpr.action.pathRule = pr.name;
                    cpr.action.rewriteRuleSet = pr.rewriteRuleSet.name;
                    for (const QString &path : pr.paths) {
                        PathPattern pp;
                        QByteArray bytes = path.trimmed().toUtf8();
                        if (bytes.isEmpty())
                            continue;
                        if (bytes.endsWith('*')) {
                            pp.prefix = true;
                            bytes.chop(1);
                        }
                        if (bytes.contains('*')) {
                            d->warnings.append(QStringLiteral("path '%1' of path rule '%2' has "
                                                              "'*' before the end; it is matched "
                                                              "literally")
                                                   .arg(path, pr.name));
                        }
                        pp.pattern = bytes;
                        cpr.patterns.append(pp);
                    }
                    cr.pathRules.append(cpr);
                }
            }
        } else {
            cr.action = d->backendAction(rule.backendAddressPool, rule.backendHttpSettings,
                                         rule.redirectConfiguration, what);
            cr.action.rewriteRuleSet = rule.rewriteRuleSet.name;
        }
        d->sockets[info.socket].rules.append(cr);
    }

    // Every list is complete: wire the targets' pointers.
    for (BackendTargetRuntime &t : d->targets) {
        const qint64 key = d->targetByPair.key(t.index);
        t.pool = &d->pools.at(int(key >> 32));
        t.setting = &d->settings.at(int(key & 0xffffffff));
    }
    d->config = nullptr;
    d->redirectIndex.clear();
    return std::shared_ptr<const RouteTable>(new RouteTable(std::move(d)));
}

QList<ListenerSocket> RouteTable::sockets() const
{
    QList<ListenerSocket> out;
    out.reserve(m_d->sockets.size());
    for (const Socket &s : m_d->sockets)
        out.append(s.info);
    return out;
}

RouteResult RouteTable::route(int frontendPort, QByteArrayView host, QByteArrayView path,
                              QByteArrayView query) const
{
    RouteResult r;
    const auto sit = m_d->socketByFrontendPort.constFind(frontendPort);
    if (sit == m_d->socketByFrontendPort.constEnd())
        return r;
    const Socket &socket = m_d->sockets.at(*sit);
    for (const CompiledRule &rule : socket.rules) {
        if (!rule.hosts.isEmpty()) {
            bool match = false;
            for (const QByteArray &pattern : rule.hosts) {
                if (hostMatches(pattern, host)) {
                    match = true;
                    break;
                }
            }
            if (!match)
                continue;
        }

        r.listener = rule.listener;
        r.rule = rule.name;
        const Action *action = &rule.action;
        // Basic rules and a map's default replace nothing: the whole path is "the rest".
        qsizetype matchedPrefix = 0;
        if (rule.pathBased) {
            for (const CompiledPathRule &pr : rule.pathRules) {
                for (const PathPattern &pp : pr.patterns) {
                    const bool hit = pp.prefix ? startsWithIgnoreCase(path, pp.pattern)
                                               : equalsIgnoreCase(path, pp.pattern);
                    if (hit) {
                        action = &pr.action;
                        matchedPrefix = pp.pattern.size();
                        break;
                    }
                }
                if (action != &rule.action)
                    break;
            }
        }

        r.kind = action->kind;
        r.pathRule = action->pathRule;
        r.rewriteRuleSet = action->rewriteRuleSet;
        switch (action->kind) {
        case RouteResult::Backend: {
            const BackendTargetRuntime &t = m_d->targets.at(action->target);
            r.target = &t;
            r.pool = t.pool;
            r.setting = t.setting;
            r.poolName = t.pool->name;
            r.settingName = t.setting->name;
            if (!t.setting->pathBytes.isEmpty())
                r.forwardPath = joinOverride(t.setting->pathBytes, path.sliced(matchedPrefix));
            break;
        }
        case RouteResult::Redirect: {
            const RedirectRuntime &rd = m_d->redirects.at(action->redirect);
            r.redirectName = rd.name;
            r.redirectStatus = rd.status;
            QByteArray &loc = r.redirectLocation;
            const bool withQuery = rd.includeQueryString && !query.isEmpty();
            if (rd.toListener) {
                loc.reserve(rd.scheme.size() + 3 + host.size() + 6 + path.size() + query.size() + 2);
                loc.append(rd.scheme).append("://");
                loc.append(rd.host.isEmpty() ? host : QByteArrayView(rd.host));
                if (rd.port > 0)
                    loc.append(':').append(QByteArray::number(rd.port));
                if (rd.includePath && !path.isEmpty())
                    loc.append(path);
                else
                    loc.append('/');
            } else {
                loc.reserve(rd.targetUrl.size() + path.size() + query.size() + 2);
                loc.append(rd.targetUrl);
                if (rd.includePath && !path.isEmpty())
                    loc.append(rd.targetUrl.endsWith('/') && path.startsWith('/') ? path.sliced(1)
                                                                                  : path);
            }
            if (withQuery)
                loc.append(loc.contains('?') ? '&' : '?').append(query);
            break;
        }
        case RouteResult::Misconfigured: r.detail = action->detail; break;
        case RouteResult::NotFound: break;
        }
        return r;
    }
    return r;
}

const QList<BackendPoolRuntime> &RouteTable::pools() const
{
    return m_d->pools;
}

const QList<BackendSettingRuntime> &RouteTable::settings() const
{
    return m_d->settings;
}

const QList<BackendTargetRuntime> &RouteTable::targets() const
{
    return m_d->targets;
}

const BackendPoolRuntime *RouteTable::pool(const QString &name) const
{
    const int i = indexByName(m_d->pools, name);
    return i < 0 ? nullptr : &m_d->pools.at(i);
}

const BackendSettingRuntime *RouteTable::setting(const QString &name) const
{
    const int i = indexByName(m_d->settings, name);
    return i < 0 ? nullptr : &m_d->settings.at(i);
}

const BackendTargetRuntime *RouteTable::target(const QString &pool, const QString &setting) const
{
    const int pi = indexByName(m_d->pools, pool);
    const int si = indexByName(m_d->settings, setting);
    if (pi < 0 || si < 0)
        return nullptr;
    const int t = m_d->targetByPair.value((qint64(pi) << 32) | qint64(si), -1);
    return t < 0 ? nullptr : &m_d->targets.at(t);
}

int RouteTable::localPort(int frontendPort) const
{
    return m_d->localPortByFrontendPort.value(frontendPort, frontendPort);
}

QStringList RouteTable::warnings() const
{
    return m_d->warnings;
}

} // namespace Gateway::Routing
