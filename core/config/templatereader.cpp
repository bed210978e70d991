#include "config/templatereader.h"

#include "config/armexpression.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace Gateway::Config {

using namespace Internal;

namespace Internal {

const QStringList &knownCollections()
{
    static const QStringList list = {QStringLiteral("frontendIPConfigurations"),
                                     QStringLiteral("frontendPorts"),
                                     QStringLiteral("sslCertificates"),
                                     QStringLiteral("trustedRootCertificates"),
                                     QStringLiteral("authenticationCertificates"),
                                     QStringLiteral("httpListeners"),
                                     QStringLiteral("backendAddressPools"),
                                     QStringLiteral("backendHttpSettingsCollection"),
                                     QStringLiteral("probes"),
                                     QStringLiteral("requestRoutingRules"),
                                     QStringLiteral("urlPathMaps"),
                                     QStringLiteral("redirectConfigurations"),
                                     QStringLiteral("rewriteRuleSets"),
                                     QStringLiteral("sslProfiles"),
                                     QStringLiteral("trustedClientCertificates"),
                                     QStringLiteral("gatewayIPConfigurations")};
    return list;
}

QString canonicalCollection(const QString &segment)
{
    if (segment.compare(QLatin1String("backendHttpSettingsList"), Qt::CaseInsensitive) == 0)
        return QStringLiteral("backendHttpSettingsCollection");
    for (const QString &c : knownCollections())
        if (c.compare(segment, Qt::CaseInsensitive) == 0)
            return c;
    return segment;
}

static bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('.')
           || c == QLatin1Char('-');
}

QString cleanId(const QString &id, QString *garbage)
{
    QString clean = id.trimmed();
    int end = clean.size();
    while (end > 0 && !isNameChar(clean.at(end - 1)))
        --end;
    if (garbage)
        *garbage = clean.mid(end);
    return clean.left(end);
}

Ref refFromId(const QString &id)
{
    Ref ref;
    ref.rawId = id;
    const QStringList segments = cleanId(id).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    int gw = -1;
    for (int i = segments.size() - 1; i >= 0; --i) {
        if (segments.at(i).compare(QLatin1String("applicationGateways"), Qt::CaseInsensitive) == 0) {
            gw = i;
            break;
        }
    }
    const QStringList rest = gw >= 0 ? segments.mid(gw + 2)
                                     : segments.mid(qMax(0, int(segments.size()) - 2));
    if (rest.size() >= 4
        && rest.at(0).compare(QLatin1String("urlPathMaps"), Qt::CaseInsensitive) == 0
        && rest.at(2).compare(QLatin1String("pathRules"), Qt::CaseInsensitive) == 0) {
        ref.collection = QStringLiteral("urlPathMaps/") + rest.at(1) + QStringLiteral("/pathRules");
        ref.name = rest.at(3);
    } else if (rest.size() >= 2) {
        ref.collection = canonicalCollection(rest.at(rest.size() - 2));
        ref.name = rest.last();
    }
    return ref;
}

} // namespace Internal

namespace {

QString join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString index(const QString &path, int i)
{
    return path + QLatin1Char('[') + QString::number(i) + QLatin1Char(']');
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return QStringLiteral("a bool");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    default: return QStringLiteral("null");
    }
}

// Reads evaluated JSON into the model, reporting type errors with their paths.
class ModelReader
{
public:
    explicit ModelReader(Diagnostics *d) : m_diags(d) {}

    void error(const QString &path, const QString &message)
    {
        m_diags->append({Diagnostic::Severity::Error, path, message});
    }

    static bool present(const QJsonValue &v) { return !v.isUndefined() && !v.isNull(); }

    QString str(const QJsonObject &o, const QString &key, const QString &path,
                const QString &def = {})
    {
        const QJsonValue v = valueCi(o, key);
        if (!present(v))
            return def;
        if (v.isString())
            return v.toString();
        if (v.isDouble() || v.isBool()) // ARM coerces scalars to strings
            return v.isBool() ? (v.toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                              : QString::number(v.toDouble());
        error(join(path, key), QStringLiteral("expected a string, found %1").arg(typeName(v)));
        return def;
    }

    int integer(const QJsonObject &o, const QString &key, const QString &path, int def)
    {
        const QJsonValue v = valueCi(o, key);
        if (!present(v))
            return def;
        if (v.isDouble()) {
            const double d = v.toDouble();
            if (std::floor(d) == d && std::abs(d) < 2147483647.0)
                return int(d);
        } else if (v.isString()) {
            bool ok = false;
            const int i = v.toString().trimmed().toInt(&ok);
            if (ok)
                return i;
        }
        error(join(path, key),
              QStringLiteral("expected an integer, found %1")
                  .arg(v.isString() ? QStringLiteral("'%1'").arg(v.toString()) : typeName(v)));
        return def;
    }

    bool boolean(const QJsonObject &o, const QString &key, const QString &path, bool def)
    {
        const QJsonValue v = valueCi(o, key);
        if (!present(v))
            return def;
        if (v.isBool())
            return v.toBool();
        if (v.isString()) {
            const QString s = v.toString().trimmed().toLower();
            if (s == QLatin1String("true"))
                return true;
            if (s == QLatin1String("false"))
                return false;
        }
        error(join(path, key), QStringLiteral("expected true or false, found %1").arg(typeName(v)));
        return def;
    }

    QStringList strings(const QJsonObject &o, const QString &key, const QString &path)
    {
        const QJsonValue v = valueCi(o, key);
        QStringList out;
        if (!present(v))
            return out;
        if (v.isString()) { // tolerated: a single value where a list is expected
            out << v.toString();
            return out;
        }
        if (!v.isArray()) {
            error(join(path, key),
                  QStringLiteral("expected an array of strings, found %1").arg(typeName(v)));
            return out;
        }
        const QJsonArray a = v.toArray();
        for (int i = 0; i < a.size(); ++i) {
            if (a.at(i).isString())
                out << a.at(i).toString();
            else if (present(a.at(i)))
                error(index(join(path, key), i),
                      QStringLiteral("expected a string, found %1").arg(typeName(a.at(i))));
        }
        return out;
    }

    QJsonObject object(const QJsonObject &o, const QString &key, const QString &path)
    {
        const QJsonValue v = valueCi(o, key);
        if (!present(v))
            return {};
        if (!v.isObject()) {
            error(join(path, key), QStringLiteral("expected an object, found %1").arg(typeName(v)));
            return {};
        }
        return v.toObject();
    }

    QJsonArray array(const QJsonObject &o, const QString &key, const QString &path)
    {
        const QJsonValue v = valueCi(o, key);
        if (!present(v))
            return {};
        if (!v.isArray()) {
            error(join(path, key), QStringLiteral("expected an array, found %1").arg(typeName(v)));
            return {};
        }
        return v.toArray();
    }

    Ref refValue(const QJsonValue &v, const QString &path)
    {
        if (!present(v))
            return {};
        if (!v.isObject()) {
            error(path,
                  QStringLiteral("expected a reference { \"id\": ... }, found %1").arg(typeName(v)));
            return {};
        }
        const QJsonValue id = valueCi(v.toObject(), QStringLiteral("id"));
        if (!present(id))
            return {};
        if (!id.isString()) {
            error(join(path, QStringLiteral("id")),
                  QStringLiteral("expected a resource id string, found %1").arg(typeName(id)));
            return {};
        }
        Ref r = refFromId(id.toString());
        if (!r.isSet())
            error(join(path, QStringLiteral("id")),
                  QStringLiteral(
                      "cannot resolve the reference '%1': it does not end in <collection>/<name>")
                      .arg(id.toString()));
        return r;
    }

    Ref ref(const QJsonObject &o, const QString &key, const QString &path)
    {
        return refValue(valueCi(o, key), join(path, key));
    }

    QList<Ref> refs(const QJsonObject &o, const QString &key, const QString &path)
    {
        QList<Ref> out;
        const QJsonArray a = array(o, key, path);
        for (int i = 0; i < a.size(); ++i)
            out << refValue(a.at(i), index(join(path, key), i));
        return out;
    }

    // name, properties and unknown properties of one collection item; returns the properties.
    QJsonObject element(const QJsonValue &item, const QString &path, Element *e,
                        const QStringList &known)
    {
        e->jsonPath = path;
        if (!item.isObject()) {
            if (present(item))
                error(path, QStringLiteral("expected an object with name and properties, found %1")
                                .arg(typeName(item)));
            return {};
        }
        const QJsonObject o = item.toObject();
        e->name = str(o, QStringLiteral("name"), path);
        const QJsonObject props = object(o, QStringLiteral("properties"), path);
        for (auto it = props.begin(); it != props.end(); ++it) {
            bool isKnown = false;
            for (const QString &k : known)
                if (k.compare(it.key(), Qt::CaseInsensitive) == 0)
                    isKnown = true;
            if (!isKnown)
                e->unknownProperties.insert(it.key(), it.value());
        }
        return props;
    }

    template<typename T, typename F>
    QList<T> collection(const QJsonObject &props, const QString &key, const QString &path, F readOne)
    {
        QList<T> out;
        const QJsonArray a = array(props, key, path);
        for (int i = 0; i < a.size(); ++i) {
            T t;
            readOne(a.at(i), index(join(path, key), i), &t);
            out << t;
        }
        return out;
    }

    // The sslPolicy object of `parent` (the gateway's properties or an SSL profile's).
    SslPolicy sslPolicy(const QJsonObject &parent, const QString &parentPath)
    {
        const QJsonObject ssl = object(parent, QStringLiteral("sslPolicy"), parentPath);
        const QString path = join(parentPath, QStringLiteral("sslPolicy"));
        SslPolicy policy;
        policy.policyName = str(ssl, QStringLiteral("policyName"), path);
        policy.policyType = str(ssl, QStringLiteral("policyType"), path);
        policy.minProtocolVersion = str(ssl, QStringLiteral("minProtocolVersion"), path);
        policy.cipherSuites = strings(ssl, QStringLiteral("cipherSuites"), path);
        policy.disabledSslProtocols = strings(ssl, QStringLiteral("disabledSslProtocols"), path);
        return policy;
    }

    void readGateway(const QJsonObject &gw, const QString &gwPath, GatewayConfig *c);
    void readLocalGateway(const QJsonObject &lg, const QString &path, LocalGateway *l);

private:
    Diagnostics *m_diags;
};

QStringList keys(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *k : list)
        out << QString::fromLatin1(k);
    return out;
}

void ModelReader::readGateway(const QJsonObject &gw, const QString &gwPath, GatewayConfig *c)
{
    c->gatewayJsonPath = gwPath;
    c->name = str(gw, QStringLiteral("name"), gwPath);
    c->location = str(gw, QStringLiteral("location"), gwPath);
    const QString pp = join(gwPath, QStringLiteral("properties"));
    const QJsonObject p = object(gw, QStringLiteral("properties"), gwPath);
    const QJsonObject sku = object(p, QStringLiteral("sku"), pp);
    const QString skuPath = join(pp, QStringLiteral("sku"));
    c->skuName = str(sku, QStringLiteral("name"), skuPath, c->skuName);
    c->skuTier = str(sku, QStringLiteral("tier"), skuPath, c->skuTier);
    c->skuCapacity = integer(sku, QStringLiteral("capacity"), skuPath, 0);
    c->enableHttp2 = boolean(p, QStringLiteral("enableHttp2"), pp, false);
    const QJsonArray gatewayErrors = array(p, QStringLiteral("customErrorConfigurations"), pp);
    for (int i = 0; i < gatewayErrors.size(); ++i) {
        const QString epath = index(join(pp, QStringLiteral("customErrorConfigurations")), i);
        const QJsonObject eo = gatewayErrors.at(i).toObject();
        c->customErrorConfigurations
            << CustomErrorConfiguration{str(eo, QStringLiteral("statusCode"), epath),
                                        str(eo, QStringLiteral("customErrorPageUrl"), epath)};
    }
    const SslPolicy policy = sslPolicy(p, pp);
    c->sslPolicyName = policy.policyName;
    c->sslPolicyType = policy.policyType;
    c->minProtocolVersion = policy.minProtocolVersion;
    c->sslPolicyCipherSuites = policy.cipherSuites;
    c->sslPolicyDisabledProtocols = policy.disabledSslProtocols;

    c->frontendIPConfigurations = collection<FrontendIPConfiguration>(
        p, QStringLiteral("frontendIPConfigurations"), pp,
        [this](const QJsonValue &v, const QString &path, FrontendIPConfiguration *e) {
            const QJsonObject pr = element(v, path, e,
                                           keys({"privateIPAddress", "privateIPAllocationMethod",
                                                 "publicIPAddress", "subnet"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->privateIPAddress = str(pr, QStringLiteral("privateIPAddress"), ppath);
            e->privateIPAllocationMethod = str(pr, QStringLiteral("privateIPAllocationMethod"),
                                               ppath);
            e->publicIPAddressId = str(object(pr, QStringLiteral("publicIPAddress"), ppath),
                                       QStringLiteral("id"),
                                       join(ppath, QStringLiteral("publicIPAddress")));
            e->subnetId = str(object(pr, QStringLiteral("subnet"), ppath), QStringLiteral("id"),
                              join(ppath, QStringLiteral("subnet")));
        });
    c->frontendPorts = collection<FrontendPort>(
        p, QStringLiteral("frontendPorts"), pp,
        [this](const QJsonValue &v, const QString &path, FrontendPort *e) {
            const QJsonObject pr = element(v, path, e, keys({"port"}));
            e->port = integer(pr, QStringLiteral("port"), join(path, QStringLiteral("properties")),
                              0);
        });
    c->sslCertificates = collection<SslCertificate>(
        p, QStringLiteral("sslCertificates"), pp,
        [this](const QJsonValue &v, const QString &path, SslCertificate *e) {
            const QJsonObject pr = element(v, path, e,
                                           keys({"data", "password", "keyVaultSecretId",
                                                 "publicCertData"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->data = str(pr, QStringLiteral("data"), ppath);
            e->password = str(pr, QStringLiteral("password"), ppath);
            e->keyVaultSecretId = str(pr, QStringLiteral("keyVaultSecretId"), ppath);
            e->publicCertData = str(pr, QStringLiteral("publicCertData"), ppath);
        });
    c->trustedRootCertificates = collection<TrustedRootCertificate>(
        p, QStringLiteral("trustedRootCertificates"), pp,
        [this](const QJsonValue &v, const QString &path, TrustedRootCertificate *e) {
            const QJsonObject pr = element(v, path, e, keys({"data", "keyVaultSecretId"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->data = str(pr, QStringLiteral("data"), ppath);
            e->keyVaultSecretId = str(pr, QStringLiteral("keyVaultSecretId"), ppath);
        });
    c->authenticationCertificates = collection<AuthenticationCertificate>(
        p, QStringLiteral("authenticationCertificates"), pp,
        [this](const QJsonValue &v, const QString &path, AuthenticationCertificate *e) {
            const QJsonObject pr = element(v, path, e, keys({"data"}));
            e->data = str(pr, QStringLiteral("data"), join(path, QStringLiteral("properties")));
        });
    c->trustedClientCertificates = collection<TrustedClientCertificate>(
        p, QStringLiteral("trustedClientCertificates"), pp,
        [this](const QJsonValue &v, const QString &path, TrustedClientCertificate *e) {
            const QJsonObject pr = element(v, path, e, keys({"data"}));
            e->data = str(pr, QStringLiteral("data"), join(path, QStringLiteral("properties")));
        });
    c->sslProfiles = collection<SslProfile>(
        p, QStringLiteral("sslProfiles"), pp,
        [this](const QJsonValue &v, const QString &path, SslProfile *e) {
            const QJsonObject pr = element(v, path, e,
                                           keys({"sslPolicy", "trustedClientCertificates",
                                                 "clientAuthConfiguration"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->sslPolicy = sslPolicy(pr, ppath);
            e->trustedClientCertificates = refs(pr, QStringLiteral("trustedClientCertificates"),
                                                ppath);
            const QJsonObject auth = object(pr, QStringLiteral("clientAuthConfiguration"), ppath);
            const QString authPath = join(ppath, QStringLiteral("clientAuthConfiguration"));
            e->verifyClientCertIssuerDN = boolean(auth, QStringLiteral("verifyClientCertIssuerDN"),
                                                  authPath, false);
            e->verifyClientRevocation = str(auth, QStringLiteral("verifyClientRevocation"),
                                            authPath);
        });
    c->httpListeners = collection<HttpListener>(
        p, QStringLiteral("httpListeners"), pp,
        [this](const QJsonValue &v, const QString &path, HttpListener *e) {
            const QJsonObject pr = element(
                v, path, e,
                keys({"frontendIPConfiguration", "frontendPort", "protocol", "hostName",
                      "hostNames", "sslCertificate", "sslProfile", "firewallPolicy",
                      "requireServerNameIndication", "customErrorConfigurations"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->frontendIPConfiguration = ref(pr, QStringLiteral("frontendIPConfiguration"), ppath);
            e->frontendPort = ref(pr, QStringLiteral("frontendPort"), ppath);
            e->protocol = str(pr, QStringLiteral("protocol"), ppath, e->protocol);
            e->hostName = str(pr, QStringLiteral("hostName"), ppath);
            e->hostNames = strings(pr, QStringLiteral("hostNames"), ppath);
            e->sslCertificate = ref(pr, QStringLiteral("sslCertificate"), ppath);
            e->sslProfile = ref(pr, QStringLiteral("sslProfile"), ppath);
            e->firewallPolicy = ref(pr, QStringLiteral("firewallPolicy"), ppath);
            e->requireServerNameIndication = boolean(pr,
                                                     QStringLiteral("requireServerNameIndication"),
                                                     ppath, false);
            const QJsonArray errs = array(pr, QStringLiteral("customErrorConfigurations"), ppath);
            for (int i = 0; i < errs.size(); ++i) {
                const QString epath = index(join(ppath,
                                                 QStringLiteral("customErrorConfigurations")),
                                            i);
                const QJsonObject eo = errs.at(i).toObject();
                e->customErrorConfigurations << CustomErrorConfiguration{
                    str(eo, QStringLiteral("statusCode"), epath),
                    str(eo, QStringLiteral("customErrorPageUrl"), epath)};
            }
        });
    c->backendAddressPools = collection<BackendAddressPool>(
        p, QStringLiteral("backendAddressPools"), pp,
        [this](const QJsonValue &v, const QString &path, BackendAddressPool *e) {
            const QJsonObject pr = element(v, path, e, keys({"backendAddresses"}));
            const QString apath = join(join(path, QStringLiteral("properties")),
                                       QStringLiteral("backendAddresses"));
            const QJsonArray a = array(pr, QStringLiteral("backendAddresses"),
                                       join(path, QStringLiteral("properties")));
            for (int i = 0; i < a.size(); ++i) {
                if (!a.at(i).isObject()) {
                    error(index(apath, i),
                          QStringLiteral("expected an object with ipAddress or fqdn, found %1")
                              .arg(typeName(a.at(i))));
                    continue;
                }
                const QJsonObject ao = a.at(i).toObject();
                e->backendAddresses
                    << BackendAddress{str(ao, QStringLiteral("ipAddress"), index(apath, i)),
                                      str(ao, QStringLiteral("fqdn"), index(apath, i))};
            }
        });
    c->backendHttpSettingsCollection = collection<BackendHttpSettings>(
        p, QStringLiteral("backendHttpSettingsCollection"), pp,
        [this](const QJsonValue &v, const QString &path, BackendHttpSettings *e) {
            const QJsonObject pr = element(
                v, path, e,
                keys({"port", "protocol", "cookieBasedAffinity", "affinityCookieName",
                      "requestTimeout", "connectionDraining", "pickHostNameFromBackendAddress",
                      "hostName", "path", "probe", "probeEnabled", "trustedRootCertificates",
                      "authenticationCertificates"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->port = integer(pr, QStringLiteral("port"), ppath, e->port);
            e->protocol = str(pr, QStringLiteral("protocol"), ppath, e->protocol);
            e->cookieBasedAffinity = str(pr, QStringLiteral("cookieBasedAffinity"), ppath,
                                         e->cookieBasedAffinity);
            e->affinityCookieName = str(pr, QStringLiteral("affinityCookieName"), ppath);
            e->requestTimeout = integer(pr, QStringLiteral("requestTimeout"), ppath,
                                        e->requestTimeout);
            const QJsonObject cd = object(pr, QStringLiteral("connectionDraining"), ppath);
            const QString cdpath = join(ppath, QStringLiteral("connectionDraining"));
            e->connectionDraining.enabled = boolean(cd, QStringLiteral("enabled"), cdpath, false);
            e->connectionDraining.drainTimeoutInSec = integer(cd,
                                                              QStringLiteral("drainTimeoutInSec"),
                                                              cdpath, 30);
            e->pickHostNameFromBackendAddress = boolean(
                pr, QStringLiteral("pickHostNameFromBackendAddress"), ppath, false);
            e->hostName = str(pr, QStringLiteral("hostName"), ppath);
            e->path = str(pr, QStringLiteral("path"), ppath);
            e->probe = ref(pr, QStringLiteral("probe"), ppath);
            e->probeEnabled = boolean(pr, QStringLiteral("probeEnabled"), ppath, true);
            e->trustedRootCertificates = refs(pr, QStringLiteral("trustedRootCertificates"), ppath);
            e->authenticationCertificates = refs(pr, QStringLiteral("authenticationCertificates"),
                                                 ppath);
        });
    c->probes = collection<Probe>(
        p, QStringLiteral("probes"), pp, [this](const QJsonValue &v, const QString &path, Probe *e) {
            const QJsonObject pr = element(
                v, path, e,
                keys({"protocol", "host", "path", "interval", "timeout", "unhealthyThreshold",
                      "pickHostNameFromBackendHttpSettings", "minServers", "port", "match"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->protocol = str(pr, QStringLiteral("protocol"), ppath, e->protocol);
            e->host = str(pr, QStringLiteral("host"), ppath);
            e->path = str(pr, QStringLiteral("path"), ppath, e->path);
            e->interval = integer(pr, QStringLiteral("interval"), ppath, e->interval);
            e->timeout = integer(pr, QStringLiteral("timeout"), ppath, e->timeout);
            e->unhealthyThreshold = integer(pr, QStringLiteral("unhealthyThreshold"), ppath,
                                            e->unhealthyThreshold);
            e->pickHostNameFromBackendHttpSettings = boolean(
                pr, QStringLiteral("pickHostNameFromBackendHttpSettings"), ppath, false);
            e->minServers = integer(pr, QStringLiteral("minServers"), ppath, 0);
            e->port = integer(pr, QStringLiteral("port"), ppath, 0);
            const QJsonObject match = object(pr, QStringLiteral("match"), ppath);
            const QString mpath = join(ppath, QStringLiteral("match"));
            e->match.statusCodes = strings(match, QStringLiteral("statusCodes"), mpath);
            e->match.body = str(match, QStringLiteral("body"), mpath);
        });
    c->requestRoutingRules = collection<RequestRoutingRule>(
        p, QStringLiteral("requestRoutingRules"), pp,
        [this](const QJsonValue &v, const QString &path, RequestRoutingRule *e) {
            const QJsonObject pr = element(v, path, e,
                                           keys({"ruleType", "priority", "httpListener",
                                                 "backendAddressPool", "backendHttpSettings",
                                                 "redirectConfiguration", "rewriteRuleSet",
                                                 "urlPathMap"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->ruleType = str(pr, QStringLiteral("ruleType"), ppath, e->ruleType);
            e->priority = integer(pr, QStringLiteral("priority"), ppath, 0);
            e->httpListener = ref(pr, QStringLiteral("httpListener"), ppath);
            e->backendAddressPool = ref(pr, QStringLiteral("backendAddressPool"), ppath);
            e->backendHttpSettings = ref(pr, QStringLiteral("backendHttpSettings"), ppath);
            e->redirectConfiguration = ref(pr, QStringLiteral("redirectConfiguration"), ppath);
            e->rewriteRuleSet = ref(pr, QStringLiteral("rewriteRuleSet"), ppath);
            e->urlPathMap = ref(pr, QStringLiteral("urlPathMap"), ppath);
        });
    c->urlPathMaps = collection<UrlPathMap>(
        p, QStringLiteral("urlPathMaps"), pp,
        [this](const QJsonValue &v, const QString &path, UrlPathMap *e) {
            const QJsonObject pr = element(
                v, path, e,
                keys({"defaultBackendAddressPool", "defaultBackendHttpSettings",
                      "defaultRedirectConfiguration", "defaultRewriteRuleSet", "pathRules"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->defaultBackendAddressPool = ref(pr, QStringLiteral("defaultBackendAddressPool"),
                                               ppath);
            e->defaultBackendHttpSettings = ref(pr, QStringLiteral("defaultBackendHttpSettings"),
                                                ppath);
            e->defaultRedirectConfiguration = ref(pr,
                                                  QStringLiteral("defaultRedirectConfiguration"),
                                                  ppath);
            e->defaultRewriteRuleSet = ref(pr, QStringLiteral("defaultRewriteRuleSet"), ppath);
            e->pathRules = collection<PathRule>(
                pr, QStringLiteral("pathRules"), ppath,
                [this](const QJsonValue &v2, const QString &path2, PathRule *r) {
                    const QJsonObject rp = element(
                        v2, path2, r,
                        keys({"paths", "backendAddressPool", "backendHttpSettings",
                              "redirectConfiguration", "rewriteRuleSet", "firewallPolicy"}));
                    const QString rpath = join(path2, QStringLiteral("properties"));
                    r->paths = strings(rp, QStringLiteral("paths"), rpath);
                    r->backendAddressPool = ref(rp, QStringLiteral("backendAddressPool"), rpath);
                    r->backendHttpSettings = ref(rp, QStringLiteral("backendHttpSettings"), rpath);
                    r->redirectConfiguration = ref(rp, QStringLiteral("redirectConfiguration"),
                                                   rpath);
                    r->rewriteRuleSet = ref(rp, QStringLiteral("rewriteRuleSet"), rpath);
                    r->firewallPolicy = ref(rp, QStringLiteral("firewallPolicy"), rpath);
                });
        });
    c->redirectConfigurations = collection<RedirectConfiguration>(
        p, QStringLiteral("redirectConfigurations"), pp,
        [this](const QJsonValue &v, const QString &path, RedirectConfiguration *e) {
            const QJsonObject pr = element(v, path, e,
                                           keys({"redirectType", "targetListener", "targetUrl",
                                                 "includePath", "includeQueryString",
                                                 "requestRoutingRules"}));
            const QString ppath = join(path, QStringLiteral("properties"));
            e->redirectType = str(pr, QStringLiteral("redirectType"), ppath, e->redirectType);
            e->targetListener = ref(pr, QStringLiteral("targetListener"), ppath);
            e->targetUrl = str(pr, QStringLiteral("targetUrl"), ppath);
            e->includePath = boolean(pr, QStringLiteral("includePath"), ppath, false);
            e->includeQueryString = boolean(pr, QStringLiteral("includeQueryString"), ppath, false);
            e->requestRoutingRules = refs(pr, QStringLiteral("requestRoutingRules"), ppath);
        });
    c->rewriteRuleSets = collection<RewriteRuleSet>(
        p, QStringLiteral("rewriteRuleSets"), pp,
        [this](const QJsonValue &v, const QString &path, RewriteRuleSet *e) {
            const QJsonObject pr = element(v, path, e, keys({"rewriteRules"}));
            const QString rpath = join(join(path, QStringLiteral("properties")),
                                       QStringLiteral("rewriteRules"));
            const QJsonArray rules = array(pr, QStringLiteral("rewriteRules"),
                                           join(path, QStringLiteral("properties")));
            for (int i = 0; i < rules.size(); ++i) {
                const QString path2 = index(rpath, i);
                const QJsonObject ro = rules.at(i).toObject();
                RewriteRule r;
                r.name = str(ro, QStringLiteral("name"), path2);
                r.ruleSequence = integer(ro, QStringLiteral("ruleSequence"), path2, r.ruleSequence);
                const QJsonArray conds = array(ro, QStringLiteral("conditions"), path2);
                for (int j = 0; j < conds.size(); ++j) {
                    const QString cpath = index(join(path2, QStringLiteral("conditions")), j);
                    const QJsonObject co = conds.at(j).toObject();
                    RewriteCondition cond;
                    cond.variable = str(co, QStringLiteral("variable"), cpath);
                    cond.pattern = str(co, QStringLiteral("pattern"), cpath);
                    cond.ignoreCase = boolean(co, QStringLiteral("ignoreCase"), cpath, true);
                    cond.negate = boolean(co, QStringLiteral("negate"), cpath, false);
                    r.conditions << cond;
                }
                const QJsonObject as = object(ro, QStringLiteral("actionSet"), path2);
                const QString aspath = join(path2, QStringLiteral("actionSet"));
                auto headers = [&](const QString &key) {
                    QList<HeaderConfiguration> out;
                    const QJsonArray hs = array(as, key, aspath);
                    for (int j = 0; j < hs.size(); ++j) {
                        const QString hpath = index(join(aspath, key), j);
                        const QJsonObject ho = hs.at(j).toObject();
                        out << HeaderConfiguration{str(ho, QStringLiteral("headerName"), hpath),
                                                   str(ho, QStringLiteral("headerValue"), hpath)};
                    }
                    return out;
                };
                r.requestHeaderConfigurations = headers(
                    QStringLiteral("requestHeaderConfigurations"));
                r.responseHeaderConfigurations = headers(
                    QStringLiteral("responseHeaderConfigurations"));
                const QJsonValue url = valueCi(as, QStringLiteral("urlConfiguration"));
                if (url.isObject()) {
                    const QJsonObject uo = url.toObject();
                    const QString upath = join(aspath, QStringLiteral("urlConfiguration"));
                    r.urlConfiguration.present = true;
                    r.urlConfiguration.modifiedPath = str(uo, QStringLiteral("modifiedPath"), upath);
                    r.urlConfiguration.modifiedQueryString = str(
                        uo, QStringLiteral("modifiedQueryString"), upath);
                    r.urlConfiguration.reroute = boolean(uo, QStringLiteral("reroute"), upath,
                                                         false);
                }
                e->rewriteRules << r;
            }
        });
}

void ModelReader::readLocalGateway(const QJsonObject &lg, const QString &path, LocalGateway *l)
{
    l->bindAddress = str(lg, QStringLiteral("bindAddress"), path, l->bindAddress);
    l->allowUnmappedBackends = boolean(lg, QStringLiteral("allowUnmappedBackends"), path, false);
    const QString fpath = join(path, QStringLiteral("frontendPortMap"));
    const QJsonObject fpm = object(lg, QStringLiteral("frontendPortMap"), path);
    for (auto it = fpm.begin(); it != fpm.end(); ++it) {
        bool ok = false;
        const int from = it.key().trimmed().toInt(&ok);
        if (!ok) {
            error(join(fpath, it.key()),
                  QStringLiteral("frontendPortMap keys are frontend port numbers, found '%1'")
                      .arg(it.key()));
            continue;
        }
        QJsonObject one{{it.key(), it.value()}};
        const int to = integer(one, it.key(), fpath, -1);
        if (to >= 0)
            l->frontendPortMap.insert(from, to);
    }
    const QString bpath = join(path, QStringLiteral("backendAddressMap"));
    const QJsonObject bam = object(lg, QStringLiteral("backendAddressMap"), path);
    for (auto it = bam.begin(); it != bam.end(); ++it) {
        if (!it.value().isString()) {
            error(join(bpath, it.key()),
                  QStringLiteral("expected \"host:port\", found %1").arg(typeName(it.value())));
            continue;
        }
        l->backendAddressMap.insert(it.key(), it.value().toString());
    }
    const QString epath = join(path, QStringLiteral("customErrorPageFiles"));
    const QJsonObject cep = object(lg, QStringLiteral("customErrorPageFiles"), path);
    for (auto it = cep.begin(); it != cep.end(); ++it) {
        if (!it.value().isString()) {
            error(join(epath, it.key()),
                  QStringLiteral("expected a file path, found %1").arg(typeName(it.value())));
            continue;
        }
        l->customErrorPageFiles.insert(it.key(), it.value().toString());
    }
    const QString cpath = join(path, QStringLiteral("certificateFiles"));
    const QJsonObject cf = object(lg, QStringLiteral("certificateFiles"), path);
    for (auto it = cf.begin(); it != cf.end(); ++it) {
        const QString one = join(cpath, it.key());
        if (!it.value().isObject()) {
            error(one, QStringLiteral("expected an object with pfx or pem/key, found %1")
                           .arg(typeName(it.value())));
            continue;
        }
        const QJsonObject o = it.value().toObject();
        CertificateFile f;
        f.pfx = str(o, QStringLiteral("pfx"), one);
        f.pem = str(o, QStringLiteral("pem"), one);
        f.key = str(o, QStringLiteral("key"), one);
        f.passwordEnv = str(o, QStringLiteral("passwordEnv"), one);
        l->certificateFiles.insert(it.key(), f);
    }
}

// Finds the application gateways of a template as Azure would deploy them: resource copy loops,
// `condition`, and nested deployments (Microsoft.Resources/deployments with an inline template,
// as Bicep modules compile to) with inner or outer expression scope, at any depth.
class ResourceWalker
{
public:
    struct Hit
    {
        QJsonObject evaluated;
        QString path;
        QList<StandIn> standIns;
    };

    explicit ResourceWalker(Diagnostics *d) : m_diags(d) {}

    QList<Hit> hits;

    void walk(ArmEvaluator &ev, const QJsonValue &resources, const QString &path, int depth)
    {
        QList<QPair<QString, QJsonObject>> items;
        if (resources.isArray()) {
            const QJsonArray a = resources.toArray();
            for (int i = 0; i < a.size(); ++i)
                items.append({index(path, i), a.at(i).toObject()});
        } else if (resources.isObject()) { // languageVersion 2.0: symbolic names
            const QJsonObject o = resources.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                items.append({join(path, it.key()), it.value().toObject()});
        }
        for (const auto &[rpath, r] : std::as_const(items)) {
            if (valueCi(r, QStringLiteral("existing")).toBool())
                continue; // a reference to a resource deployed elsewhere
            const QJsonValue copy = valueCi(r, QStringLiteral("copy"));
            if (!copy.isObject()) {
                visit(ev, r, rpath, depth);
                continue;
            }
            const QJsonObject c = copy.toObject();
            const QString loop = ev.evaluateTree(valueCi(c, QStringLiteral("name")),
                                                 join(rpath, QStringLiteral("copy.name")), m_diags)
                                     .toString();
            const QJsonValue count = ev.evaluateTree(valueCi(c, QStringLiteral("count")),
                                                     join(rpath, QStringLiteral("copy.count")),
                                                     m_diags);
            if (!count.isDouble() || count.toDouble() < 0 || count.toDouble() > 800) {
                m_diags->append(
                    {Diagnostic::Severity::Error, join(rpath, QStringLiteral("copy.count")),
                     QStringLiteral("the copy count must be an integer from 0 to 800")});
                continue;
            }
            for (int i = 0; i < int(count.toDouble()); ++i) {
                ev.pushLoop(loop, i);
                visit(ev, r, rpath, depth);
                ev.popLoop();
            }
        }
    }

private:
    static QJsonObject without(QJsonObject o, std::initializer_list<const char *> keys)
    {
        for (const char *k : keys) {
            QString actual;
            valueCi(o, QString::fromLatin1(k), &actual);
            if (!actual.isEmpty())
                o.remove(actual);
        }
        return o;
    }

    void visit(ArmEvaluator &ev, const QJsonObject &r, const QString &path, int depth)
    {
        const QJsonValue condition = valueCi(r, QStringLiteral("condition"));
        if (!condition.isUndefined()) {
            const QJsonValue c = ev.evaluateTree(condition, join(path, QStringLiteral("condition")),
                                                 m_diags);
            if (c.isBool() && !c.toBool())
                return; // Azure skips the resource
            if (!c.isBool()) {
                if (!c.isNull())
                    m_diags->append({Diagnostic::Severity::Error,
                                     join(path, QStringLiteral("condition")),
                                     QStringLiteral("the condition must be true or false")});
                return;
            }
        }
        QString error;
        const QString type = ev.evaluateString(valueCi(r, QStringLiteral("type")).toString(), &error)
                                 .toString();
        if (type.compare(QLatin1String("Microsoft.Network/applicationGateways"), Qt::CaseInsensitive)
            == 0) {
            const qsizetype before = ev.standIns().size();
            // dependsOn orders the deployment in Azure; it does not change what is evaluated here.
            const QJsonObject resource = without(r, {"dependsOn", "copy", "condition"});
            Hit hit;
            hit.path = path;
            hit.evaluated = ev.evaluateTree(resource, path, m_diags, true).toObject();
            hit.standIns = ev.standIns().mid(before);
            hits.append(hit);
            return;
        }
        if (type.compare(QLatin1String("Microsoft.Resources/deployments"), Qt::CaseInsensitive) != 0)
            return;
        if (depth >= 16) {
            m_diags->append({Diagnostic::Severity::Error, path,
                             QStringLiteral("nested deployments are nested too deeply")});
            return;
        }
        const QJsonObject props = valueCi(r, QStringLiteral("properties")).toObject();
        const QString ppath = join(path, QStringLiteral("properties"));
        const QJsonValue tmpl = valueCi(props, QStringLiteral("template"));
        if (!tmpl.isObject()) {
            if (valueCi(props, QStringLiteral("templateLink")).isObject())
                m_diags->append({Diagnostic::Severity::Warning,
                                 join(ppath, QStringLiteral("templateLink")),
                                 QStringLiteral("a linked template (templateLink) is not fetched "
                                                "locally; an application gateway inside it is not "
                                                "run (inline the template, or open it directly)")});
            return;
        }
        const QString tpath = join(ppath, QStringLiteral("template"));
        const QString name = ev.evaluateString(valueCi(r, QStringLiteral("name")).toString(), &error)
                                 .toString();
        const QString scope = valueCi(valueCi(props, QStringLiteral("expressionEvaluationOptions"))
                                          .toObject(),
                                      QStringLiteral("scope"))
                                  .toString();
        if (scope.compare(QLatin1String("inner"), Qt::CaseInsensitive) != 0) {
            // Outer scope (the default): the nested template sees the parent's parameters and
            // variables.
            walk(ev, valueCi(tmpl.toObject(), QStringLiteral("resources")),
                 join(tpath, QStringLiteral("resources")), depth + 1);
            return;
        }
        // Inner scope: its own parameters (given by the parent, evaluated in the parent's scope)
        // and variables.
        const QJsonValue given = ev.evaluateTree(valueCi(props, QStringLiteral("parameters")),
                                                 join(ppath, QStringLiteral("parameters")),
                                                 m_diags);
        ArmEvaluator inner(tmpl.toObject(), given.toObject());
        inner.shareStandIns(ev);
        inner.setNow(ev.now());
        inner.setDeploymentName(name);
        for (const QString &undeclared : inner.undeclaredParameters())
            m_diags->append({Diagnostic::Severity::Warning,
                             join(join(ppath, QStringLiteral("parameters")), undeclared),
                             QStringLiteral("the nested template declares no parameter '%1' (Azure "
                                            "rejects the deployment)")
                                 .arg(undeclared)});
        walk(inner, valueCi(tmpl.toObject(), QStringLiteral("resources")),
             join(tpath, QStringLiteral("resources")), depth + 1);
    }

    Diagnostics *m_diags;
};

QString describeParseError(const QByteArray &json, const QJsonParseError &pe)
{
    int line = 1, column = 1;
    for (int i = 0; i < pe.offset && i < json.size(); ++i) {
        if (json.at(i) == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("invalid JSON at line %1, column %2: %3")
        .arg(line)
        .arg(column)
        .arg(pe.errorString());
}

QByteArray withoutBom(const QByteArray &json)
{
    return json.startsWith("\xEF\xBB\xBF") ? json.mid(3) : json;
}

} // namespace

void TemplateReader::read(ConfigDocument &doc, const QByteArray &json,
                          const QByteArray &parametersJson)
{
    doc.m_loadDiagnostics.clear();
    doc.m_model = GatewayConfig();
    doc.m_loaded = false;
    Diagnostics &diags = doc.m_loadDiagnostics;

    QJsonParseError pe;
    doc.m_document = QJsonDocument::fromJson(withoutBom(json), &pe);
    if (pe.error != QJsonParseError::NoError) {
        diags.append({Diagnostic::Severity::Error, QString(),
                      describeParseError(withoutBom(json), pe)});
        doc.m_loadedModel = doc.m_model;
        return;
    }
    if (!doc.m_document.isObject()) {
        diags.append(
            {Diagnostic::Severity::Error, QString(),
             QStringLiteral(
                 "expected a JSON object (an ARM template or an application gateway resource)")});
        doc.m_loadedModel = doc.m_model;
        return;
    }

    QJsonObject parameterValues;
    doc.m_parameters = QJsonDocument();
    if (!parametersJson.isEmpty()) {
        QJsonParseError ppe;
        doc.m_parameters = QJsonDocument::fromJson(withoutBom(parametersJson), &ppe);
        if (ppe.error != QJsonParseError::NoError || !doc.m_parameters.isObject()) {
            diags.append({Diagnostic::Severity::Error, QStringLiteral("parameters"),
                          QStringLiteral("the parameters file is not usable: %1")
                              .arg(ppe.error != QJsonParseError::NoError
                                       ? describeParseError(withoutBom(parametersJson), ppe)
                                       : QStringLiteral("expected a JSON object"))});
        } else {
            const QJsonValue p = valueCi(doc.m_parameters.object(), QStringLiteral("parameters"));
            parameterValues = p.isObject() ? p.toObject() : doc.m_parameters.object();
        }
    }

    const QJsonObject root = doc.m_document.object();
    ModelReader reader(&diags);
    const QJsonValue resources = valueCi(root, QStringLiteral("resources"));
    ArmEvaluator evaluator(root, parameterValues);
    QJsonObject gateway;
    QString gatewayPath;
    QList<StandIn> standIns;
    if (!resources.isUndefined()) {
        doc.m_kind = ConfigDocument::Kind::Template;
        if (!resources.isArray() && !resources.isObject()) {
            diags.append({Diagnostic::Severity::Error, QStringLiteral("resources"),
                          QStringLiteral("expected an array of resources (or, with "
                                         "languageVersion 2.0, an object of them)")});
            doc.m_loadedModel = doc.m_model;
            return;
        }
        ResourceWalker walker(&diags);
        walker.walk(evaluator, resources, QStringLiteral("resources"), 0);
        if (walker.hits.isEmpty()) {
            diags.append({Diagnostic::Severity::Error, QStringLiteral("resources"),
                          QStringLiteral(
                              "the template has no Microsoft.Network/applicationGateways resource "
                              "(searched every resource, copy loop and nested deployment whose "
                              "condition holds)")});
            doc.m_loadedModel = doc.m_model;
            return;
        }
        for (int i = 1; i < walker.hits.size(); ++i)
            diags.append({Diagnostic::Severity::Warning, walker.hits.at(i).path,
                          QStringLiteral("a second application gateway resource is ignored; only "
                                         "the first one (%1) is run")
                              .arg(walker.hits.first().path)});
        gatewayPath = walker.hits.first().path;
        gateway = walker.hits.first().evaluated;
        standIns = walker.hits.first().standIns;
    } else if (!valueCi(root, QStringLiteral("properties")).isUndefined()) {
        doc.m_kind = ConfigDocument::Kind::BareResource;
        QJsonObject resource = root;
        resource.remove(QStringLiteral("metadata"));
        gateway = evaluator.evaluateTree(resource, QString(), &diags, true).toObject();
        standIns = evaluator.standIns();
    } else {
        diags.append({Diagnostic::Severity::Error, QString(),
                      QStringLiteral("neither an ARM template (no \"resources\") nor an "
                                     "application gateway resource (no \"properties\")")});
        doc.m_loadedModel = doc.m_model;
        return;
    }

    for (const QString &name : evaluator.undeclaredParameters())
        diags.append({Diagnostic::Severity::Warning, QStringLiteral("parameters.") + name,
                      QStringLiteral("the parameters file gives '%1', which the template does not "
                                     "declare; it is ignored (Azure rejects it)")
                          .arg(name)});
    for (const StandIn &standIn : std::as_const(standIns))
        diags.append({Diagnostic::Severity::Warning, standIn.path,
                      QStringLiteral("%1 is only known in Azure; the local run uses the "
                                     "placeholder '%1' instead")
                          .arg(standIn.text),
                      QStringLiteral("placeholder")});
    reader.readGateway(gateway, gatewayPath, &doc.m_model);
    const QJsonObject metadata = valueCi(root, QStringLiteral("metadata")).toObject();
    const QJsonValue local = valueCi(metadata, QStringLiteral("localGateway"));
    if (ModelReader::present(local)) {
        const QString lpath = QStringLiteral("metadata.localGateway");
        const QJsonValue evaluated = evaluator.evaluateTree(local, lpath, &diags);
        if (!evaluated.isObject())
            reader.error(lpath, QStringLiteral("expected an object"));
        else
            reader.readLocalGateway(evaluated.toObject(), lpath, &doc.m_model.localGateway);
    }
    doc.m_loaded = true;
    doc.m_loadedModel = doc.m_model;
}

} // namespace Gateway::Config
