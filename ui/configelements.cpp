#include "configelements.h"

namespace Gateway::Ui {

using namespace Config;

namespace {

template<typename Fn>
auto visitList(GatewayConfig &c, ElementKind kind, const QString &parent, Fn &&fn)
{
    static QList<PathRule> noPathRules;
    switch (kind) {
    case ElementKind::FrontendIPConfiguration: return fn(c.frontendIPConfigurations);
    case ElementKind::FrontendPort: return fn(c.frontendPorts);
    case ElementKind::SslCertificate: return fn(c.sslCertificates);
    case ElementKind::TrustedRootCertificate: return fn(c.trustedRootCertificates);
    case ElementKind::HttpListener: return fn(c.httpListeners);
    case ElementKind::BackendAddressPool: return fn(c.backendAddressPools);
    case ElementKind::BackendHttpSettings: return fn(c.backendHttpSettingsCollection);
    case ElementKind::Probe: return fn(c.probes);
    case ElementKind::RequestRoutingRule: return fn(c.requestRoutingRules);
    case ElementKind::UrlPathMap: return fn(c.urlPathMaps);
    case ElementKind::PathRule:
        if (UrlPathMap *m = findElement(c.urlPathMaps, parent))
            return fn(m->pathRules);
        noPathRules.clear();
        return fn(noPathRules);
    case ElementKind::RedirectConfiguration: return fn(c.redirectConfigurations);
    case ElementKind::RewriteRuleSet: return fn(c.rewriteRuleSets);
    case ElementKind::Gateway:
    case ElementKind::Count: break;
    }
    noPathRules.clear();
    return fn(noPathRules);
}

template<typename Fn>
auto visitList(const GatewayConfig &c, ElementKind kind, const QString &parent, Fn &&fn)
{
    return visitList(const_cast<GatewayConfig &>(c), kind, parent, std::forward<Fn>(fn));
}

QString gatewayBase(const GatewayConfig &c)
{
    return c.gatewayJsonPath.isEmpty() ? QStringLiteral("properties")
                                       : c.gatewayJsonPath + QStringLiteral(".properties");
}

void renameRef(Ref &ref, const QString &collection, const QString &oldName, const QString &newName)
{
    if (ref.collection.compare(collection, Qt::CaseInsensitive) != 0
        || ref.name.compare(oldName, Qt::CaseInsensitive) != 0)
        return;
    if (!ref.rawId.isEmpty() && ref.rawId.endsWith(ref.name))
        ref.rawId = ref.rawId.left(ref.rawId.size() - ref.name.size()) + newName;
    ref.name = newName;
}

template<typename Fn>
void forEachRef(GatewayConfig &c, Fn &&fn)
{
    for (auto &l : c.httpListeners) {
        fn(l.frontendIPConfiguration);
        fn(l.frontendPort);
        fn(l.sslCertificate);
        fn(l.sslProfile);
        fn(l.firewallPolicy);
    }
    for (auto &s : c.backendHttpSettingsCollection) {
        fn(s.probe);
        for (auto &r : s.trustedRootCertificates)
            fn(r);
    }
    for (auto &r : c.requestRoutingRules) {
        fn(r.httpListener);
        fn(r.backendAddressPool);
        fn(r.backendHttpSettings);
        fn(r.redirectConfiguration);
        fn(r.rewriteRuleSet);
        fn(r.urlPathMap);
    }
    for (auto &m : c.urlPathMaps) {
        fn(m.defaultBackendAddressPool);
        fn(m.defaultBackendHttpSettings);
        fn(m.defaultRedirectConfiguration);
        fn(m.defaultRewriteRuleSet);
        for (auto &p : m.pathRules) {
            fn(p.backendAddressPool);
            fn(p.backendHttpSettings);
            fn(p.redirectConfiguration);
            fn(p.rewriteRuleSet);
            fn(p.firewallPolicy);
        }
    }
    for (auto &r : c.redirectConfigurations) {
        fn(r.targetListener);
        for (auto &b : r.requestRoutingRules)
            fn(b);
    }
}

Ref makeRef(const QString &collection, const QString &name)
{
    Ref r;
    r.collection = collection;
    r.name = name;
    return r;
}

Ref firstRef(const GatewayConfig &c, ElementKind kind)
{
    const QStringList names = elementNames(c, kind);
    return names.isEmpty() ? Ref{} : makeRef(collectionName(kind), names.first());
}

} // namespace

QStringList elementNames(const GatewayConfig &config, ElementKind kind, const QString &parent)
{
    if (kind == ElementKind::Gateway)
        return {config.name};
    return visitList(config, kind, parent, [](auto &list) {
        QStringList names;
        names.reserve(list.size());
        for (const auto &e : list)
            names.append(e.name);
        return names;
    });
}

QList<ElementRef> allElements(const GatewayConfig &config)
{
    QList<ElementRef> refs;
    refs.append(ElementRef{ElementKind::Gateway, {}, {}});
    for (int k = int(ElementKind::FrontendIPConfiguration); k < int(ElementKind::Count); ++k) {
        const auto kind = ElementKind(k);
        if (kind == ElementKind::PathRule) {
            for (const auto &m : config.urlPathMaps)
                for (const auto &p : m.pathRules)
                    refs.append(ElementRef{kind, p.name, m.name});
            continue;
        }
        for (const QString &name : elementNames(config, kind))
            refs.append(ElementRef{kind, name, {}});
    }
    return refs;
}

bool elementExists(const GatewayConfig &config, const ElementRef &ref)
{
    if (ref.kind == ElementKind::Gateway)
        return true;
    return elementNames(config, ref.kind, ref.parent).contains(ref.name, Qt::CaseInsensitive);
}

QString elementJsonPath(const GatewayConfig &config, const ElementRef &ref)
{
    if (ref.kind == ElementKind::Gateway)
        return config.gatewayJsonPath;
    if (ref.kind == ElementKind::PathRule) {
        const QString mapPath = elementJsonPath(config,
                                                ElementRef{ElementKind::UrlPathMap, ref.parent, {}});
        const UrlPathMap *map = findElement(config.urlPathMaps, ref.parent);
        if (!map)
            return {};
        for (int i = 0; i < map->pathRules.size(); ++i) {
            const PathRule &p = map->pathRules.at(i);
            if (p.name.compare(ref.name, Qt::CaseInsensitive) == 0)
                return p.jsonPath.isEmpty()
                           ? mapPath + QStringLiteral(".properties.pathRules[%1]").arg(i)
                           : p.jsonPath;
        }
        return {};
    }
    const QString base = gatewayBase(config);
    const QString collection = collectionName(ref.kind);
    return visitList(config, ref.kind, ref.parent, [&](auto &list) -> QString {
        for (int i = 0; i < list.size(); ++i) {
            const auto &e = list.at(i);
            if (e.name.compare(ref.name, Qt::CaseInsensitive) == 0)
                return e.jsonPath.isEmpty()
                           ? base + QStringLiteral(".%1[%2]").arg(collection).arg(i)
                           : e.jsonPath;
        }
        return {};
    });
}

bool pathIsUnder(const QString &path, const QString &elementPath)
{
    if (elementPath.isEmpty())
        return false;
    if (!path.startsWith(elementPath))
        return false;
    if (path.size() == elementPath.size())
        return true;
    const QChar next = path.at(elementPath.size());
    return next == QLatin1Char('.') || next == QLatin1Char('[');
}

ElementRef elementForPath(const GatewayConfig &config, const QString &path)
{
    ElementRef best{ElementKind::Gateway, {}, {}};
    int bestLength = -1;
    const QString base = gatewayBase(config);
    for (const ElementRef &ref : allElements(config)) {
        if (ref.kind == ElementKind::Gateway)
            continue;
        // Match on the stored path and on the positional path (new elements, or a validator
        // that computes positions).
        const QString stored = elementJsonPath(config, ref);
        for (const QString &candidate : {stored}) {
            if (pathIsUnder(path, candidate) && candidate.size() > bestLength) {
                best = ref;
                bestLength = int(candidate.size());
            }
        }
    }
    Q_UNUSED(base);
    return best;
}

QString uniqueName(const GatewayConfig &config, ElementKind kind, const QString &parent,
                   const QString &prefix)
{
    const QStringList names = elementNames(config, kind, parent);
    for (int i = 1;; ++i) {
        const QString candidate = prefix + QString::number(i);
        if (!names.contains(candidate, Qt::CaseInsensitive))
            return candidate;
    }
}

ElementRef addElement(GatewayConfig &c, ElementKind kind, const QString &parent)
{
    if (kind == ElementKind::Gateway || kind == ElementKind::Count)
        return {};
    if (kind == ElementKind::PathRule && !findElement(c.urlPathMaps, parent))
        return {};
    const QString name = uniqueName(c, kind, parent, defaultNamePrefix(kind));
    switch (kind) {
    case ElementKind::FrontendIPConfiguration: {
        FrontendIPConfiguration e;
        e.name = name;
        e.privateIPAllocationMethod = QStringLiteral("Dynamic");
        c.frontendIPConfigurations.append(e);
        break;
    }
    case ElementKind::FrontendPort: {
        FrontendPort e;
        e.name = name;
        int port = 80;
        QList<int> used;
        for (const auto &p : c.frontendPorts)
            used.append(p.port);
        while (used.contains(port))
            port = port == 80 ? 8080 : port + 1;
        e.port = port;
        c.frontendPorts.append(e);
        break;
    }
    case ElementKind::SslCertificate: {
        SslCertificate e;
        e.name = name;
        c.sslCertificates.append(e);
        break;
    }
    case ElementKind::TrustedRootCertificate: {
        TrustedRootCertificate e;
        e.name = name;
        c.trustedRootCertificates.append(e);
        break;
    }
    case ElementKind::HttpListener: {
        HttpListener e;
        e.name = name;
        e.frontendIPConfiguration = firstRef(c, ElementKind::FrontendIPConfiguration);
        e.frontendPort = firstRef(c, ElementKind::FrontendPort);
        c.httpListeners.append(e);
        break;
    }
    case ElementKind::BackendAddressPool: {
        BackendAddressPool e;
        e.name = name;
        c.backendAddressPools.append(e);
        break;
    }
    case ElementKind::BackendHttpSettings: {
        BackendHttpSettings e;
        e.name = name;
        e.requestTimeout = 40; // above the typical 20 s WebSocket ping interval
        c.backendHttpSettingsCollection.append(e);
        break;
    }
    case ElementKind::Probe: {
        Probe e;
        e.name = name;
        e.host = QStringLiteral("127.0.0.1");
        e.match.statusCodes = {QStringLiteral("200-399")};
        c.probes.append(e);
        break;
    }
    case ElementKind::RequestRoutingRule: {
        RequestRoutingRule e;
        e.name = name;
        int priority = 0;
        for (const auto &r : c.requestRoutingRules)
            priority = std::max(priority, r.priority);
        e.priority = std::min(20000, priority + 10);
        e.httpListener = firstRef(c, ElementKind::HttpListener);
        e.backendAddressPool = firstRef(c, ElementKind::BackendAddressPool);
        e.backendHttpSettings = firstRef(c, ElementKind::BackendHttpSettings);
        c.requestRoutingRules.append(e);
        break;
    }
    case ElementKind::UrlPathMap: {
        UrlPathMap e;
        e.name = name;
        e.defaultBackendAddressPool = firstRef(c, ElementKind::BackendAddressPool);
        e.defaultBackendHttpSettings = firstRef(c, ElementKind::BackendHttpSettings);
        c.urlPathMaps.append(e);
        break;
    }
    case ElementKind::PathRule: {
        UrlPathMap *m = findElement(c.urlPathMaps, parent);
        PathRule e;
        e.name = name;
        e.paths = {QStringLiteral("/%1/*").arg(name)};
        e.backendAddressPool = m->defaultBackendAddressPool;
        e.backendHttpSettings = m->defaultBackendHttpSettings;
        m->pathRules.append(e);
        break;
    }
    case ElementKind::RedirectConfiguration: {
        RedirectConfiguration e;
        e.name = name;
        e.targetListener = firstRef(c, ElementKind::HttpListener);
        c.redirectConfigurations.append(e);
        break;
    }
    case ElementKind::RewriteRuleSet: {
        RewriteRuleSet e;
        e.name = name;
        c.rewriteRuleSets.append(e);
        break;
    }
    default: return {};
    }
    return ElementRef{kind, name, kind == ElementKind::PathRule ? parent : QString()};
}

ElementRef duplicateElement(GatewayConfig &c, const ElementRef &ref)
{
    if (ref.kind == ElementKind::Gateway)
        return {};
    const QString base = ref.name + QStringLiteral("-copy");
    QString name = base;
    const QStringList names = elementNames(c, ref.kind, ref.parent);
    for (int i = 2; names.contains(name, Qt::CaseInsensitive); ++i)
        name = base + QString::number(i);
    const bool ok = visitList(c, ref.kind, ref.parent, [&](auto &list) {
        for (int i = 0; i < list.size(); ++i) {
            if (list.at(i).name.compare(ref.name, Qt::CaseInsensitive) == 0) {
                auto copy = list.at(i);
                copy.name = name;
                copy.jsonPath.clear();
                if constexpr (std::is_same_v<std::decay_t<decltype(copy)>, RequestRoutingRule>) {
                    int priority = 0;
                    for (const auto &r : c.requestRoutingRules)
                        priority = std::max(priority, r.priority);
                    if (copy.priority > 0)
                        copy.priority = std::min(20000, priority + 10);
                }
                list.insert(i + 1, copy);
                return true;
            }
        }
        return false;
    });
    return ok ? ElementRef{ref.kind, name, ref.parent} : ElementRef{};
}

bool removeElement(GatewayConfig &c, const ElementRef &ref)
{
    if (ref.kind == ElementKind::Gateway)
        return false;
    return visitList(c, ref.kind, ref.parent, [&](auto &list) {
        for (int i = 0; i < list.size(); ++i) {
            if (list.at(i).name.compare(ref.name, Qt::CaseInsensitive) == 0) {
                list.removeAt(i);
                return true;
            }
        }
        return false;
    });
}

bool renameElementInModel(GatewayConfig &c, const ElementRef &ref, const QString &newName)
{
    if (ref.kind == ElementKind::Gateway || newName.isEmpty())
        return false;
    if (elementNames(c, ref.kind, ref.parent).contains(newName, Qt::CaseInsensitive)
        && newName.compare(ref.name, Qt::CaseInsensitive) != 0)
        return false;
    const bool found = visitList(c, ref.kind, ref.parent, [&](auto &list) {
        for (auto &e : list) {
            if (e.name.compare(ref.name, Qt::CaseInsensitive) == 0) {
                e.name = newName;
                return true;
            }
        }
        return false;
    });
    if (!found)
        return false;
    const QString collection = collectionName(ref.kind, ref.parent);
    forEachRef(c, [&](Ref &r) { renameRef(r, collection, ref.name, newName); });
    if (ref.kind == ElementKind::UrlPathMap) {
        const QString oldPrefix = collectionName(ElementKind::PathRule, ref.name);
        const QString newPrefix = collectionName(ElementKind::PathRule, newName);
        forEachRef(c, [&](Ref &r) {
            if (r.collection.compare(oldPrefix, Qt::CaseInsensitive) == 0)
                r.collection = newPrefix;
        });
    }
    if (ref.kind == ElementKind::SslCertificate
        && c.localGateway.certificateFiles.contains(ref.name)) {
        c.localGateway.certificateFiles.insert(newName,
                                               c.localGateway.certificateFiles.take(ref.name));
    }
    return true;
}

} // namespace Gateway::Ui
