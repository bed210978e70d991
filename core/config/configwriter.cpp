#include "config/configwriter.h"

#include "config/armexpression.h"
#include "config/templatereader.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Gateway::Config {

using namespace Internal;

namespace {

QString quoteArm(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('\''), QLatin1String("''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

void putString(QJsonObject &o, const char *key, const QString &value)
{
    if (!value.isEmpty())
        o.insert(QLatin1String(key), value);
}

QJsonObject element(const Element &e, QJsonObject properties)
{
    for (auto it = e.unknownProperties.begin(); it != e.unknownProperties.end(); ++it)
        properties.insert(it.key(), it.value());
    QJsonObject o;
    o.insert(QStringLiteral("name"), e.name);
    o.insert(QStringLiteral("properties"), properties);
    return o;
}

template<typename T, typename F>
QJsonArray list(const QList<T> &items, F one)
{
    QJsonArray out;
    for (const T &t : items)
        out.append(one(t));
    return out;
}

bool isNamedArray(const QJsonArray &a)
{
    for (const QJsonValue &v : a)
        if (!v.isObject() || !v.toObject().value(QStringLiteral("name")).isString())
            return false;
    return true;
}

TextPath plus(TextPath p, const PathSegment &s)
{
    p << s;
    return p;
}

} // namespace

ConfigWriter::ConfigWriter(const ConfigDocument &doc) : m_doc(doc)
{
    const QJsonObject root = doc.m_document.object();
    if (doc.m_kind == ConfigDocument::Kind::Template) {
        const TextPath gw = parseTextPath(doc.m_loadedModel.gatewayJsonPath);
        QJsonValue v = root;
        for (const PathSegment &s : gw)
            v = s.index >= 0 ? v.toArray().at(s.index) : valueCi(v.toObject(), s.key);
        const QString rawName = valueCi(v.toObject(), QStringLiteral("name")).toString();
        if (ArmEvaluator::isExpression(rawName))
            m_gatewayNameExpression = rawName.mid(1, rawName.size() - 2).trimmed();
        else
            m_gatewayNameExpression = quoteArm(rawName.isEmpty() ? doc.m_model.name : rawName);
    } else {
        const QJsonValue id = valueCi(root, QStringLiteral("id"));
        if (id.isString()
            && id.toString().contains(QLatin1String("applicationGateways"), Qt::CaseInsensitive))
            m_idBase = cleanId(id.toString());
        else
            m_idBase = QStringLiteral("/subscriptions/%1/resourceGroups/%2/providers/"
                                      "Microsoft.Network/applicationGateways/%3")
                           .arg(QLatin1String(LocalSubscriptionId),
                                QLatin1String(LocalResourceGroup), doc.m_model.name);
    }
}

QString ConfigWriter::idFor(const QString &collection, const QString &name) const
{
    const QStringList parts = collection.split(QLatin1Char('/'));
    if (m_doc.m_kind == ConfigDocument::Kind::BareResource)
        return m_idBase + QLatin1Char('/') + collection + QLatin1Char('/') + name;
    if (parts.size() == 3) // urlPathMaps/{map}/pathRules
        return QStringLiteral(
                   "[resourceId('Microsoft.Network/applicationGateways/%1/%2', %3, %4, %5)]")
            .arg(parts.at(0), parts.at(2), m_gatewayNameExpression, quoteArm(parts.at(1)),
                 quoteArm(name));
    return QStringLiteral("[resourceId('Microsoft.Network/applicationGateways/%1', %2, %3)]")
        .arg(collection, m_gatewayNameExpression, quoteArm(name));
}

QJsonValue ConfigWriter::refJson(const Ref &ref) const
{
    if (ref.isSet())
        return QJsonObject{{QStringLiteral("id"), idFor(ref.collection, ref.name)}};
    if (!ref.rawId.isEmpty())
        return QJsonObject{{QStringLiteral("id"), ref.rawId}};
    return QJsonValue(QJsonValue::Undefined);
}

QJsonObject ConfigWriter::gatewayJson(const GatewayConfig &c) const
{
    auto putRef = [this](QJsonObject &o, const char *key, const Ref &r) {
        const QJsonValue v = refJson(r);
        if (!v.isUndefined())
            o.insert(QLatin1String(key), v);
    };
    auto putRefs = [this](QJsonObject &o, const char *key, const QList<Ref> &refs) {
        if (refs.isEmpty())
            return;
        QJsonArray a;
        for (const Ref &r : refs)
            a.append(refJson(r));
        o.insert(QLatin1String(key), a);
    };

    QJsonObject p;
    QJsonObject sku{{QStringLiteral("name"), c.skuName}, {QStringLiteral("tier"), c.skuTier}};
    if (c.skuCapacity > 0)
        sku.insert(QStringLiteral("capacity"), c.skuCapacity);
    p.insert(QStringLiteral("sku"), sku);
    p.insert(QStringLiteral("enableHttp2"), c.enableHttp2);
    if (!c.customErrorConfigurations.isEmpty()) {
        QJsonArray a;
        for (const CustomErrorConfiguration &ce : c.customErrorConfigurations)
            a.append(QJsonObject{{QStringLiteral("statusCode"), ce.statusCode},
                                 {QStringLiteral("customErrorPageUrl"), ce.customErrorPageUrl}});
        p.insert(QStringLiteral("customErrorConfigurations"), a);
    }
    QJsonObject ssl;
    putString(ssl, "policyName", c.sslPolicyName);
    putString(ssl, "policyType", c.sslPolicyType);
    putString(ssl, "minProtocolVersion", c.minProtocolVersion);
    if (!ssl.isEmpty())
        p.insert(QStringLiteral("sslPolicy"), ssl);

    p.insert(
        QStringLiteral("frontendIPConfigurations"),
        list(c.frontendIPConfigurations, [](const FrontendIPConfiguration &e) {
            QJsonObject o;
            putString(o, "privateIPAddress", e.privateIPAddress);
            putString(o, "privateIPAllocationMethod", e.privateIPAllocationMethod);
            if (!e.publicIPAddressId.isEmpty())
                o.insert(QStringLiteral("publicIPAddress"),
                         QJsonObject{{QStringLiteral("id"), e.publicIPAddressId}});
            if (!e.subnetId.isEmpty())
                o.insert(QStringLiteral("subnet"), QJsonObject{{QStringLiteral("id"), e.subnetId}});
            return element(e, o);
        }));
    p.insert(QStringLiteral("frontendPorts"), list(c.frontendPorts, [](const FrontendPort &e) {
                 return element(e, QJsonObject{{QStringLiteral("port"), e.port}});
             }));
    p.insert(QStringLiteral("sslCertificates"), list(c.sslCertificates, [](const SslCertificate &e) {
                 QJsonObject o;
                 putString(o, "data", e.data);
                 putString(o, "password", e.password);
                 putString(o, "keyVaultSecretId", e.keyVaultSecretId);
                 putString(o, "publicCertData", e.publicCertData);
                 return element(e, o);
             }));
    p.insert(QStringLiteral("trustedRootCertificates"),
             list(c.trustedRootCertificates, [](const TrustedRootCertificate &e) {
                 QJsonObject o;
                 putString(o, "data", e.data);
                 putString(o, "keyVaultSecretId", e.keyVaultSecretId);
                 return element(e, o);
             }));
    p.insert(QStringLiteral("authenticationCertificates"),
             list(c.authenticationCertificates, [](const AuthenticationCertificate &e) {
                 QJsonObject o;
                 putString(o, "data", e.data);
                 return element(e, o);
             }));
    p.insert(QStringLiteral("httpListeners"), list(c.httpListeners, [&](const HttpListener &e) {
                 QJsonObject o;
                 putRef(o, "frontendIPConfiguration", e.frontendIPConfiguration);
                 putRef(o, "frontendPort", e.frontendPort);
                 o.insert(QStringLiteral("protocol"), e.protocol);
                 putString(o, "hostName", e.hostName);
                 if (!e.hostNames.isEmpty())
                     o.insert(QStringLiteral("hostNames"), QJsonArray::fromStringList(e.hostNames));
                 putRef(o, "sslCertificate", e.sslCertificate);
                 putRef(o, "sslProfile", e.sslProfile);
                 putRef(o, "firewallPolicy", e.firewallPolicy);
                 o.insert(QStringLiteral("requireServerNameIndication"),
                          e.requireServerNameIndication);
                 if (!e.customErrorConfigurations.isEmpty()) {
                     QJsonArray a;
                     for (const CustomErrorConfiguration &ce : e.customErrorConfigurations)
                         a.append(QJsonObject{{QStringLiteral("statusCode"), ce.statusCode},
                                              {QStringLiteral("customErrorPageUrl"),
                                               ce.customErrorPageUrl}});
                     o.insert(QStringLiteral("customErrorConfigurations"), a);
                 }
                 return element(e, o);
             }));
    p.insert(QStringLiteral("backendAddressPools"),
             list(c.backendAddressPools, [](const BackendAddressPool &e) {
                 QJsonArray a;
                 for (const BackendAddress &b : e.backendAddresses) {
                     QJsonObject ao;
                     putString(ao, "ipAddress", b.ipAddress);
                     putString(ao, "fqdn", b.fqdn);
                     a.append(ao);
                 }
                 return element(e, QJsonObject{{QStringLiteral("backendAddresses"), a}});
             }));
    p.insert(QStringLiteral("backendHttpSettingsCollection"),
             list(c.backendHttpSettingsCollection, [&](const BackendHttpSettings &e) {
                 QJsonObject o;
                 o.insert(QStringLiteral("port"), e.port);
                 o.insert(QStringLiteral("protocol"), e.protocol);
                 o.insert(QStringLiteral("cookieBasedAffinity"), e.cookieBasedAffinity);
                 putString(o, "affinityCookieName", e.affinityCookieName);
                 o.insert(QStringLiteral("requestTimeout"), e.requestTimeout);
                 if (e.connectionDraining != ConnectionDraining())
                     o.insert(QStringLiteral("connectionDraining"),
                              QJsonObject{{QStringLiteral("enabled"), e.connectionDraining.enabled},
                                          {QStringLiteral("drainTimeoutInSec"),
                                           e.connectionDraining.drainTimeoutInSec}});
                 o.insert(QStringLiteral("pickHostNameFromBackendAddress"),
                          e.pickHostNameFromBackendAddress);
                 putString(o, "hostName", e.hostName);
                 putString(o, "path", e.path);
                 putRef(o, "probe", e.probe);
                 if (!e.probeEnabled)
                     o.insert(QStringLiteral("probeEnabled"), false);
                 putRefs(o, "trustedRootCertificates", e.trustedRootCertificates);
                 putRefs(o, "authenticationCertificates", e.authenticationCertificates);
                 return element(e, o);
             }));
    p.insert(QStringLiteral("probes"), list(c.probes, [](const Probe &e) {
                 QJsonObject o;
                 o.insert(QStringLiteral("protocol"), e.protocol);
                 putString(o, "host", e.host);
                 o.insert(QStringLiteral("path"), e.path);
                 o.insert(QStringLiteral("interval"), e.interval);
                 o.insert(QStringLiteral("timeout"), e.timeout);
                 o.insert(QStringLiteral("unhealthyThreshold"), e.unhealthyThreshold);
                 o.insert(QStringLiteral("pickHostNameFromBackendHttpSettings"),
                          e.pickHostNameFromBackendHttpSettings);
                 o.insert(QStringLiteral("minServers"), e.minServers);
                 if (e.port > 0)
                     o.insert(QStringLiteral("port"), e.port);
                 QJsonObject match;
                 if (!e.match.statusCodes.isEmpty())
                     match.insert(QStringLiteral("statusCodes"),
                                  QJsonArray::fromStringList(e.match.statusCodes));
                 putString(match, "body", e.match.body);
                 if (!match.isEmpty())
                     o.insert(QStringLiteral("match"), match);
                 return element(e, o);
             }));
    p.insert(QStringLiteral("requestRoutingRules"),
             list(c.requestRoutingRules, [&](const RequestRoutingRule &e) {
                 QJsonObject o;
                 o.insert(QStringLiteral("ruleType"), e.ruleType);
                 if (e.priority != 0)
                     o.insert(QStringLiteral("priority"), e.priority);
                 putRef(o, "httpListener", e.httpListener);
                 putRef(o, "backendAddressPool", e.backendAddressPool);
                 putRef(o, "backendHttpSettings", e.backendHttpSettings);
                 putRef(o, "redirectConfiguration", e.redirectConfiguration);
                 putRef(o, "rewriteRuleSet", e.rewriteRuleSet);
                 putRef(o, "urlPathMap", e.urlPathMap);
                 return element(e, o);
             }));
    p.insert(QStringLiteral("urlPathMaps"), list(c.urlPathMaps, [&](const UrlPathMap &e) {
                 QJsonObject o;
                 putRef(o, "defaultBackendAddressPool", e.defaultBackendAddressPool);
                 putRef(o, "defaultBackendHttpSettings", e.defaultBackendHttpSettings);
                 putRef(o, "defaultRedirectConfiguration", e.defaultRedirectConfiguration);
                 putRef(o, "defaultRewriteRuleSet", e.defaultRewriteRuleSet);
                 o.insert(QStringLiteral("pathRules"), list(e.pathRules, [&](const PathRule &r) {
                              QJsonObject ro;
                              ro.insert(QStringLiteral("paths"),
                                        QJsonArray::fromStringList(r.paths));
                              putRef(ro, "backendAddressPool", r.backendAddressPool);
                              putRef(ro, "backendHttpSettings", r.backendHttpSettings);
                              putRef(ro, "redirectConfiguration", r.redirectConfiguration);
                              putRef(ro, "rewriteRuleSet", r.rewriteRuleSet);
                              putRef(ro, "firewallPolicy", r.firewallPolicy);
                              return element(r, ro);
                          }));
                 return element(e, o);
             }));
    p.insert(QStringLiteral("redirectConfigurations"),
             list(c.redirectConfigurations, [&](const RedirectConfiguration &e) {
                 QJsonObject o;
                 o.insert(QStringLiteral("redirectType"), e.redirectType);
                 putRef(o, "targetListener", e.targetListener);
                 putString(o, "targetUrl", e.targetUrl);
                 o.insert(QStringLiteral("includePath"), e.includePath);
                 o.insert(QStringLiteral("includeQueryString"), e.includeQueryString);
                 putRefs(o, "requestRoutingRules", e.requestRoutingRules);
                 return element(e, o);
             }));
    p.insert(QStringLiteral("rewriteRuleSets"), list(c.rewriteRuleSets, [](const RewriteRuleSet &e) {
                 QJsonArray rules;
                 for (const RewriteRule &r : e.rewriteRules) {
                     QJsonObject ro{{QStringLiteral("name"), r.name},
                                    {QStringLiteral("ruleSequence"), r.ruleSequence}};
                     if (!r.conditions.isEmpty()) {
                         QJsonArray conds;
                         for (const RewriteCondition &cd : r.conditions)
                             conds.append(QJsonObject{{QStringLiteral("variable"), cd.variable},
                                                      {QStringLiteral("pattern"), cd.pattern},
                                                      {QStringLiteral("ignoreCase"), cd.ignoreCase},
                                                      {QStringLiteral("negate"), cd.negate}});
                         ro.insert(QStringLiteral("conditions"), conds);
                     }
                     QJsonObject as;
                     auto headers = [](const QList<HeaderConfiguration> &hs) {
                         QJsonArray a;
                         for (const HeaderConfiguration &h : hs)
                             a.append(QJsonObject{{QStringLiteral("headerName"), h.headerName},
                                                  {QStringLiteral("headerValue"), h.headerValue}});
                         return a;
                     };
                     if (!r.requestHeaderConfigurations.isEmpty())
                         as.insert(QStringLiteral("requestHeaderConfigurations"),
                                   headers(r.requestHeaderConfigurations));
                     if (!r.responseHeaderConfigurations.isEmpty())
                         as.insert(QStringLiteral("responseHeaderConfigurations"),
                                   headers(r.responseHeaderConfigurations));
                     if (r.urlConfiguration.present) {
                         QJsonObject u;
                         putString(u, "modifiedPath", r.urlConfiguration.modifiedPath);
                         putString(u, "modifiedQueryString", r.urlConfiguration.modifiedQueryString);
                         u.insert(QStringLiteral("reroute"), r.urlConfiguration.reroute);
                         as.insert(QStringLiteral("urlConfiguration"), u);
                     }
                     ro.insert(QStringLiteral("actionSet"), as);
                     rules.append(ro);
                 }
                 return element(e, QJsonObject{{QStringLiteral("rewriteRules"), rules}});
             }));

    QJsonObject gw;
    gw.insert(QStringLiteral("name"), c.name);
    putString(gw, "location", c.location);
    gw.insert(QStringLiteral("properties"), p);
    return gw;
}

QJsonObject ConfigWriter::localGatewayJson(const LocalGateway &l) const
{
    QJsonObject o;
    o.insert(QStringLiteral("bindAddress"), l.bindAddress);
    if (!l.frontendPortMap.isEmpty()) {
        QJsonObject m;
        for (auto it = l.frontendPortMap.begin(); it != l.frontendPortMap.end(); ++it)
            m.insert(QString::number(it.key()), it.value());
        o.insert(QStringLiteral("frontendPortMap"), m);
    }
    if (!l.backendAddressMap.isEmpty()) {
        QJsonObject m;
        for (auto it = l.backendAddressMap.begin(); it != l.backendAddressMap.end(); ++it)
            m.insert(it.key(), it.value());
        o.insert(QStringLiteral("backendAddressMap"), m);
    }
    if (!l.customErrorPageFiles.isEmpty()) {
        QJsonObject m;
        for (auto it = l.customErrorPageFiles.begin(); it != l.customErrorPageFiles.end(); ++it)
            m.insert(it.key(), it.value());
        o.insert(QStringLiteral("customErrorPageFiles"), m);
    }
    if (!l.certificateFiles.isEmpty()) {
        QJsonObject m;
        for (auto it = l.certificateFiles.begin(); it != l.certificateFiles.end(); ++it) {
            QJsonObject f;
            putString(f, "pfx", it.value().pfx);
            putString(f, "pem", it.value().pem);
            putString(f, "key", it.value().key);
            putString(f, "passwordEnv", it.value().passwordEnv);
            m.insert(it.key(), f);
        }
        o.insert(QStringLiteral("certificateFiles"), m);
    }
    if (l.allowUnmappedBackends)
        o.insert(QStringLiteral("allowUnmappedBackends"), true);
    return o;
}

bool ConfigWriter::diff(JsonText &text, const TextPath &path, const QJsonValue &from,
                        const QJsonValue &to) const
{
    if (from == to)
        return true;
    const TextNode *node = text.find(path);
    if (!node) {
        if (path.isEmpty() || path.last().index >= 0)
            return false;
        if (to.isUndefined())
            return true;
        const TextPath parent = path.mid(0, path.size() - 1);
        return text.ensureObject(parent) && text.setMember(parent, path.last().key, to);
    }
    if (to.isUndefined()) {
        if (path.isEmpty() || path.last().index >= 0)
            return false;
        return text.removeMember(path.mid(0, path.size() - 1), path.last().key);
    }
    if (from.isObject() && to.isObject() && node->type == TextNode::Type::Object) {
        const QJsonObject a = from.toObject(), b = to.toObject();
        QStringList keys = b.keys();
        for (const QString &k : a.keys())
            if (valueCi(b, k).isUndefined())
                keys << k;
        for (const QString &k : std::as_const(keys)) {
            const QJsonValue av = valueCi(a, k), bv = valueCi(b, k);
            if (av == bv)
                continue;
            if (!diff(text, plus(path, PathSegment::of(k)), av, bv))
                return false;
        }
        return true;
    }
    if (from.isArray() && to.isArray() && node->type == TextNode::Type::Array) {
        const QJsonArray a = from.toArray(), b = to.toArray();
        if (int(node->items.size()) == a.size() && isNamedArray(a) && isNamedArray(b)) {
            QList<int> matchOf(b.size(), -1); // new index -> old index
            QList<bool> used(a.size(), false);
            auto nameOf = [](const QJsonValue &v) {
                return v.toObject().value(QStringLiteral("name")).toString();
            };
            for (int j = 0; j < b.size(); ++j) {
                for (int i = 0; i < a.size(); ++i) {
                    if (!used[i]
                        && nameOf(a.at(i)).compare(nameOf(b.at(j)), Qt::CaseInsensitive) == 0) {
                        matchOf[j] = i;
                        used[i] = true;
                        break;
                    }
                }
            }
            for (int j = 0; j < b.size(); ++j) { // same position, new name: an in-place rename
                if (matchOf[j] < 0 && j < a.size() && !used[j]) {
                    matchOf[j] = j;
                    used[j] = true;
                }
            }
            for (int j = 0; j < b.size(); ++j)
                if (matchOf[j] >= 0
                    && !diff(text, plus(path, PathSegment::at(matchOf[j])), a.at(matchOf[j]),
                             b.at(j)))
                    return false;
            for (int i = a.size() - 1; i >= 0; --i)
                if (!used[i] && !text.removeItem(path, i))
                    return false;
            for (int j = 0; j < b.size(); ++j)
                if (matchOf[j] < 0 && !text.appendItem(path, b.at(j)))
                    return false;
            return true;
        }
    }
    return text.replaceValue(path, to);
}

bool ConfigWriter::write(JsonText &text, const GatewayConfig &from, const GatewayConfig &to,
                         QString *error) const
{
    if (!text.isValid()) {
        if (error)
            *error = QStringLiteral("the document's JSON is not valid; it cannot be edited");
        return false;
    }
    const TextPath gwPath = parseTextPath(m_doc.m_loadedModel.gatewayJsonPath);
    if (!diff(text, gwPath, gatewayJson(from), gatewayJson(to))) {
        if (error)
            *error = QStringLiteral("cannot write the gateway's changes into the JSON");
        return false;
    }
    const TextPath localPath{PathSegment::of(QStringLiteral("metadata")),
                             PathSegment::of(QStringLiteral("localGateway"))};
    if (from.localGateway != to.localGateway
        && !diff(text, localPath, localGatewayJson(from.localGateway),
                 localGatewayJson(to.localGateway))) {
        if (error)
            *error = QStringLiteral("cannot write metadata.localGateway");
        return false;
    }
    return true;
}

namespace {

// Every `"id": "..."` string under value, with its path.
void collectIds(const QJsonValue &value, const TextPath &path, QList<QPair<TextPath, QString>> *out)
{
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key().compare(QLatin1String("id"), Qt::CaseInsensitive) == 0
                && it.value().isString())
                out->append({plus(path, PathSegment::of(it.key())), it.value().toString()});
            else
                collectIds(it.value(), plus(path, PathSegment::of(it.key())), out);
        }
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        for (int i = 0; i < a.size(); ++i)
            collectIds(a.at(i), plus(path, PathSegment::at(i)), out);
    }
}

QString elementPath(const GatewayConfig &c, const QString &collection, const QString &name)
{
    auto find = [&](const auto &items) -> QString {
        for (const auto &e : items)
            if (e.name.compare(name, Qt::CaseInsensitive) == 0)
                return e.jsonPath;
        return QString();
    };
    const QString coll = canonicalCollection(collection);
    if (coll == QLatin1String("frontendIPConfigurations"))
        return find(c.frontendIPConfigurations);
    if (coll == QLatin1String("frontendPorts"))
        return find(c.frontendPorts);
    if (coll == QLatin1String("sslCertificates"))
        return find(c.sslCertificates);
    if (coll == QLatin1String("trustedRootCertificates"))
        return find(c.trustedRootCertificates);
    if (coll == QLatin1String("authenticationCertificates"))
        return find(c.authenticationCertificates);
    if (coll == QLatin1String("httpListeners"))
        return find(c.httpListeners);
    if (coll == QLatin1String("backendAddressPools"))
        return find(c.backendAddressPools);
    if (coll == QLatin1String("backendHttpSettingsCollection"))
        return find(c.backendHttpSettingsCollection);
    if (coll == QLatin1String("probes"))
        return find(c.probes);
    if (coll == QLatin1String("requestRoutingRules"))
        return find(c.requestRoutingRules);
    if (coll == QLatin1String("urlPathMaps"))
        return find(c.urlPathMaps);
    if (coll == QLatin1String("redirectConfigurations"))
        return find(c.redirectConfigurations);
    if (coll == QLatin1String("rewriteRuleSets"))
        return find(c.rewriteRuleSets);
    const QStringList parts = collection.split(QLatin1Char('/'));
    if (parts.size() == 3
        && parts.at(0).compare(QLatin1String("urlPathMaps"), Qt::CaseInsensitive) == 0) {
        if (const UrlPathMap *map = c.urlPathMap(parts.at(1)))
            return find(map->pathRules);
    }
    return QString();
}

} // namespace

bool ConfigWriter::rename(JsonText &text, const QString &collection, const QString &oldName,
                          const QString &newName, QString *error) const
{
    auto fail = [error](const QString &m) {
        if (error)
            *error = m;
        return false;
    };
    const QString path = elementPath(m_doc.m_model, collection, oldName);
    if (path.isEmpty())
        return fail(QStringLiteral("there is no %1 element named '%2'").arg(collection, oldName));
    if (newName.isEmpty())
        return fail(QStringLiteral("the new name is empty"));
    if (oldName.compare(newName, Qt::CaseInsensitive) != 0
        && !elementPath(m_doc.m_model, collection, newName).isEmpty())
        return fail(QStringLiteral("%1 already has an element named '%2'").arg(collection, newName));
    if (!text.replaceValue(plus(parseTextPath(path), PathSegment::of(QStringLiteral("name"))),
                           newName))
        return fail(QStringLiteral("cannot write the new name"));

    // References follow: every id under the gateway that resolves to the old element.
    const QJsonDocument current = QJsonDocument::fromJson(text.text().startsWith("\xEF\xBB\xBF")
                                                              ? text.text().mid(3)
                                                              : text.text());
    const TextPath gwPath = parseTextPath(m_doc.m_loadedModel.gatewayJsonPath);
    QJsonValue gw = current.object();
    for (const PathSegment &s : gwPath)
        gw = s.index >= 0 ? gw.toArray().at(s.index) : valueCi(gw.toObject(), s.key);
    QList<QPair<TextPath, QString>> ids;
    collectIds(gw, gwPath, &ids);
    QJsonObject parameterValues;
    const QJsonValue pv = valueCi(m_doc.m_parameters.object(), QStringLiteral("parameters"));
    parameterValues = pv.isObject() ? pv.toObject() : m_doc.m_parameters.object();
    ArmEvaluator evaluator(current.object(), parameterValues);
    const QString coll = canonicalCollection(collection);
    for (const auto &[idPath, raw] : std::as_const(ids)) {
        QString evalError;
        const QJsonValue evaluated = evaluator.evaluateString(raw, &evalError);
        if (!evaluated.isString())
            continue;
        const Ref ref = refFromId(evaluated.toString());
        if (ref.collection.compare(coll, Qt::CaseInsensitive) != 0
            || ref.name.compare(oldName, Qt::CaseInsensitive) != 0)
            continue;
        QString replacement;
        if (ArmEvaluator::isExpression(raw)) {
            QString quotedOld = oldName;
            quotedOld.replace(QLatin1Char('\''), QLatin1String("''"));
            QString quotedNew = newName;
            quotedNew.replace(QLatin1Char('\''), QLatin1String("''"));
            const QString q1 = QLatin1Char('\'') + quotedOld + QLatin1Char('\'');
            const QString q2 = QLatin1Char('/') + quotedOld + QLatin1Char('\'');
            int at = raw.lastIndexOf(q1, -1, Qt::CaseInsensitive);
            if (at >= 0) {
                replacement = raw;
                replacement.replace(at, q1.size(),
                                    QLatin1Char('\'') + quotedNew + QLatin1Char('\''));
            } else if ((at = raw.lastIndexOf(q2, -1, Qt::CaseInsensitive)) >= 0) {
                replacement = raw;
                replacement.replace(at, q2.size(), QLatin1Char('/') + quotedNew + QLatin1Char('\''));
            }
        } else {
            QString garbage;
            const QString clean = cleanId(raw, &garbage);
            if (clean.endsWith(QLatin1Char('/') + oldName, Qt::CaseInsensitive))
                replacement = clean.left(clean.size() - oldName.size()) + newName + garbage;
        }
        if (replacement.isEmpty())
            replacement = idFor(ref.collection, newName);
        if (!text.replaceValue(idPath, replacement))
            return fail(QStringLiteral("cannot rewrite a reference to '%1'").arg(oldName));
    }
    if (coll == QLatin1String("sslCertificates")) {
        const TextPath files{PathSegment::of(QStringLiteral("metadata")),
                             PathSegment::of(QStringLiteral("localGateway")),
                             PathSegment::of(QStringLiteral("certificateFiles"))};
        const TextNode *node = text.find(files);
        if (node && node->member(oldName))
            text.renameMember(files, oldName, newName);
    }
    return true;
}

QByteArray ConfigWriter::newTemplate(const QString &gatewayName)
{
    QByteArray quoted = QJsonDocument(QJsonArray{gatewayName}).toJson(QJsonDocument::Compact);
    quoted = quoted.mid(1, quoted.size() - 2);
    return QByteArray(R"({
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": {
    "localGateway": {
      "bindAddress": "127.0.0.1"
    }
  },
  "parameters": {
    "applicationGatewayName": {
      "type": "string",
      "defaultValue": )")
           + quoted + R"(
    }
  },
  "variables": {},
  "resources": [
    {
      "type": "Microsoft.Network/applicationGateways",
      "apiVersion": "2023-09-01",
      "name": "[parameters('applicationGatewayName')]",
      "location": "[resourceGroup().location]",
      "properties": {
        "sku": {
          "name": "Standard_v2",
          "tier": "Standard_v2",
          "capacity": 1
        },
        "frontendIPConfigurations": [
          {
            "name": "appGwPublicFrontendIp",
            "properties": {}
          }
        ],
        "frontendPorts": [],
        "sslCertificates": [],
        "httpListeners": [],
        "backendAddressPools": [],
        "backendHttpSettingsCollection": [],
        "probes": [],
        "requestRoutingRules": [],
        "urlPathMaps": [],
        "redirectConfigurations": [],
        "rewriteRuleSets": []
      }
    }
  ]
}
)";
}

} // namespace Gateway::Config
