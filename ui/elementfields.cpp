#include "elementfields.h"

#include "config/configvalidator.h"
#include "configelements.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace Gateway::Ui {

using namespace Config;
using Type = FieldSpec::Type;

QStringList splitList(const QString &text)
{
    QStringList out;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,\\n]")));
    for (const QString &p : parts) {
        const QString t = p.trimmed();
        if (!t.isEmpty())
            out << t;
    }
    return out;
}

QString joinList(const QStringList &list)
{
    return list.join(QStringLiteral(", "));
}

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ElementFields", text);
}

// Value conversions for the generic accessors.
QVariant toVariant(const QString &v)
{
    return v;
}
QVariant toVariant(int v)
{
    return v;
}
QVariant toVariant(bool v)
{
    return v;
}
QVariant toVariant(const QStringList &v)
{
    return v;
}
QVariant toVariant(const Ref &v)
{
    return v.name;
}

void assign(QString &m, const QVariant &v)
{
    m = v.toString();
}
void assign(int &m, const QVariant &v)
{
    m = v.toInt();
}
void assign(bool &m, const QVariant &v)
{
    m = v.toBool();
}
void assign(QStringList &m, const QVariant &v)
{
    m = v.toStringList();
}

void assignRef(Ref &ref, const QVariant &v, ElementKind kind, const QString &parent = {})
{
    const QString name = v.toString();
    if (name.isEmpty()) {
        ref = Ref{};
        return;
    }
    if (!ref.rawId.isEmpty() && !ref.name.isEmpty() && ref.rawId.endsWith(ref.name))
        ref.rawId = ref.rawId.left(ref.rawId.size() - ref.name.size()) + name;
    else
        ref.rawId.clear();
    ref.collection = collectionName(kind, parent);
    ref.name = name;
}

template<typename T, typename M>
FieldSpec field(QList<T> GatewayConfig::*list, M T::*member, const QString &key,
                const QString &label, Type type, const QString &tip)
{
    FieldSpec f;
    f.key = key;
    f.label = label;
    f.type = type;
    f.tip = tip;
    f.get = [list, member](const GatewayConfig &c, const ElementRef &r) -> QVariant {
        const T *e = findElement(c.*list, r.name);
        return e ? toVariant(e->*member) : QVariant();
    };
    f.set = [list, member](GatewayConfig &c, const ElementRef &r, const QVariant &v) -> QString {
        if (T *e = findElement(c.*list, r.name))
            assign(e->*member, v);
        return {};
    };
    return f;
}

template<typename T>
FieldSpec refField(QList<T> GatewayConfig::*list, Ref T::*member, const QString &key,
                   const QString &label, ElementKind target, const QString &tip)
{
    FieldSpec f;
    f.key = key;
    f.label = label;
    f.type = Type::Reference;
    f.refKind = target;
    f.tip = tip;
    f.get = [list, member](const GatewayConfig &c, const ElementRef &r) -> QVariant {
        const T *e = findElement(c.*list, r.name);
        return e ? QVariant((e->*member).name) : QVariant();
    };
    f.set = [list, member, target](GatewayConfig &c, const ElementRef &r,
                                   const QVariant &v) -> QString {
        if (T *e = findElement(c.*list, r.name))
            assignRef(e->*member, v, target);
        return {};
    };
    return f;
}

// Path rules live inside their URL path map (ElementRef::parent).
PathRule *pathRule(GatewayConfig &c, const ElementRef &r)
{
    UrlPathMap *m = findElement(c.urlPathMaps, r.parent);
    return m ? findElement(m->pathRules, r.name) : nullptr;
}
const PathRule *pathRule(const GatewayConfig &c, const ElementRef &r)
{
    const UrlPathMap *m = findElement(c.urlPathMaps, r.parent);
    return m ? findElement(m->pathRules, r.name) : nullptr;
}

FieldSpec pathRuleRef(Ref PathRule::*member, const QString &key, const QString &label,
                      ElementKind target, const QString &tip)
{
    FieldSpec f;
    f.key = key;
    f.label = label;
    f.type = Type::Reference;
    f.refKind = target;
    f.tip = tip;
    f.get = [member](const GatewayConfig &c, const ElementRef &r) -> QVariant {
        const PathRule *p = pathRule(c, r);
        return p ? QVariant((p->*member).name) : QVariant();
    };
    f.set = [member, target](GatewayConfig &c, const ElementRef &r, const QVariant &v) -> QString {
        if (PathRule *p = pathRule(c, r))
            assignRef(p->*member, v, target);
        return {};
    };
    return f;
}

FieldSpec integer(FieldSpec f, int min, int max, const QString &special = {})
{
    f.minimum = min;
    f.maximum = max;
    f.specialValueText = special;
    return f;
}

FieldSpec choice(FieldSpec f, const QStringList &choices)
{
    f.type = Type::Choice;
    f.choices = choices;
    return f;
}

template<typename T>
FieldSpec enabledWhen(FieldSpec f, std::function<bool(const T &)> pred,
                      QList<T> GatewayConfig::*list)
{
    f.enabled = [pred, list](const GatewayConfig &c, const ElementRef &r) {
        const T *e = findElement(c.*list, r.name);
        return e ? pred(*e) : true;
    };
    return f;
}

bool isEnabledText(const QString &s)
{
    return s.compare(QLatin1String("Enabled"), Qt::CaseInsensitive) == 0;
}

// "key = value" lines
QString mapToLines(const QStringList &keys, const QStringList &values)
{
    QStringList lines;
    for (int i = 0; i < keys.size(); ++i)
        lines << keys.at(i) + QStringLiteral(" = ") + values.at(i);
    return lines.join(QLatin1Char('\n'));
}

bool parseLines(const QString &text, QList<QPair<QString, QString>> *out, QString *error)
{
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const int eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0 || eq == line.size() - 1) {
            *error = tr("Line %1: expected “key = value”.").arg(i + 1);
            return false;
        }
        out->append({line.left(eq).trimmed(), line.mid(eq + 1).trimmed()});
    }
    return true;
}

QJsonArray headersToJson(const QList<HeaderConfiguration> &headers)
{
    QJsonArray a;
    for (const auto &h : headers)
        a.append(QJsonObject{{QStringLiteral("headerName"), h.headerName},
                             {QStringLiteral("headerValue"), h.headerValue}});
    return a;
}

QList<HeaderConfiguration> headersFromJson(const QJsonArray &a)
{
    QList<HeaderConfiguration> out;
    for (const auto &v : a) {
        const QJsonObject o = v.toObject();
        out.append({o.value(QStringLiteral("headerName")).toString(),
                    o.value(QStringLiteral("headerValue")).toString()});
    }
    return out;
}

QString rewriteRulesToJson(const QList<RewriteRule> &rules)
{
    QJsonArray array;
    for (const RewriteRule &r : rules) {
        QJsonArray conditions;
        for (const auto &c : r.conditions)
            conditions.append(QJsonObject{{QStringLiteral("variable"), c.variable},
                                          {QStringLiteral("pattern"), c.pattern},
                                          {QStringLiteral("ignoreCase"), c.ignoreCase},
                                          {QStringLiteral("negate"), c.negate}});
        QJsonObject actionSet{{QStringLiteral("requestHeaderConfigurations"),
                               headersToJson(r.requestHeaderConfigurations)},
                              {QStringLiteral("responseHeaderConfigurations"),
                               headersToJson(r.responseHeaderConfigurations)}};
        if (r.urlConfiguration.present)
            actionSet.insert(QStringLiteral("urlConfiguration"),
                             QJsonObject{{QStringLiteral("modifiedPath"),
                                          r.urlConfiguration.modifiedPath},
                                         {QStringLiteral("modifiedQueryString"),
                                          r.urlConfiguration.modifiedQueryString},
                                         {QStringLiteral("reroute"), r.urlConfiguration.reroute}});
        array.append(QJsonObject{{QStringLiteral("name"), r.name},
                                 {QStringLiteral("ruleSequence"), r.ruleSequence},
                                 {QStringLiteral("conditions"), conditions},
                                 {QStringLiteral("actionSet"), actionSet}});
    }
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
}

QString rewriteRulesFromJson(const QString &text, QList<RewriteRule> *rules)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return tr("Not valid JSON at offset %1: %2").arg(error.offset).arg(error.errorString());
    if (!doc.isArray())
        return tr("Expected a JSON array of rewrite rules.");
    QList<RewriteRule> out;
    for (const auto &v : doc.array()) {
        const QJsonObject o = v.toObject();
        RewriteRule r;
        r.name = o.value(QStringLiteral("name")).toString();
        r.ruleSequence = o.value(QStringLiteral("ruleSequence")).toInt(100);
        for (const auto &cv : o.value(QStringLiteral("conditions")).toArray()) {
            const QJsonObject c = cv.toObject();
            r.conditions.append({c.value(QStringLiteral("variable")).toString(),
                                 c.value(QStringLiteral("pattern")).toString(),
                                 c.value(QStringLiteral("ignoreCase")).toBool(true),
                                 c.value(QStringLiteral("negate")).toBool(false)});
        }
        const QJsonObject a = o.value(QStringLiteral("actionSet")).toObject();
        r.requestHeaderConfigurations = headersFromJson(
            a.value(QStringLiteral("requestHeaderConfigurations")).toArray());
        r.responseHeaderConfigurations = headersFromJson(
            a.value(QStringLiteral("responseHeaderConfigurations")).toArray());
        if (a.contains(QStringLiteral("urlConfiguration"))) {
            const QJsonObject u = a.value(QStringLiteral("urlConfiguration")).toObject();
            r.urlConfiguration.present = true;
            r.urlConfiguration.modifiedPath = u.value(QStringLiteral("modifiedPath")).toString();
            r.urlConfiguration.modifiedQueryString = u.value(QStringLiteral("modifiedQueryString"))
                                                         .toString();
            r.urlConfiguration.reroute = u.value(QStringLiteral("reroute")).toBool();
        }
        out.append(r);
    }
    *rules = out;
    return {};
}

QList<FieldSpec> gatewayFields()
{
    QList<FieldSpec> f;
    auto g = [](const QString &key, const QString &label, Type type, const QString &tip,
                std::function<QVariant(const GatewayConfig &)> get,
                std::function<QString(GatewayConfig &, const QVariant &)> set) {
        FieldSpec s;
        s.key = key;
        s.label = label;
        s.type = type;
        s.tip = tip;
        s.get = [get](const GatewayConfig &c, const ElementRef &) { return get(c); };
        s.set = [set](GatewayConfig &c, const ElementRef &, const QVariant &v) { return set(c, v); };
        return s;
    };
    f << g(
        QStringLiteral("location"), QStringLiteral("location"), Type::Text,
        tr("The Azure region of the resource. Ignored locally."),
        [](const GatewayConfig &c) { return QVariant(c.location); },
        [](GatewayConfig &c, const QVariant &v) {
            c.location = v.toString();
            return QString();
        });
    f << choice(
        g(
            QStringLiteral("properties.sku.name"), QStringLiteral("sku.name"), Type::Choice,
            tr("SKU: Standard_v2 or WAF_v2 (v1 SKUs are retired). WAF runs only with WAF_v2."),
            [](const GatewayConfig &c) { return QVariant(c.skuName); },
            [](GatewayConfig &c, const QVariant &v) {
                c.skuName = v.toString();
                return QString();
            }),
        {QStringLiteral("Standard_v2"), QStringLiteral("WAF_v2")});
    f << choice(g(
                    QStringLiteral("properties.sku.tier"), QStringLiteral("sku.tier"), Type::Choice,
                    tr("SKU tier, matching sku.name."),
                    [](const GatewayConfig &c) { return QVariant(c.skuTier); },
                    [](GatewayConfig &c, const QVariant &v) {
                        c.skuTier = v.toString();
                        return QString();
                    }),
                {QStringLiteral("Standard_v2"), QStringLiteral("WAF_v2")});
    f << integer(g(
                     QStringLiteral("properties.sku.capacity"), QStringLiteral("sku.capacity"),
                     Type::Integer,
                     tr("Instance count (0: autoscale). Locally one instance serves everything."),
                     [](const GatewayConfig &c) { return QVariant(c.skuCapacity); },
                     [](GatewayConfig &c, const QVariant &v) {
                         c.skuCapacity = v.toInt();
                         return QString();
                     }),
                 0, 125, tr("autoscale"));
    f << g(
        QStringLiteral("properties.enableHttp2"), QStringLiteral("enableHttp2"), Type::Boolean,
        tr("HTTP/2 on the frontend; disabled by default. The backend is always HTTP/1.1."),
        [](const GatewayConfig &c) { return QVariant(c.enableHttp2); },
        [](GatewayConfig &c, const QVariant &v) {
            c.enableHttp2 = v.toBool();
            return QString();
        });
    f << choice(
        g(
            QStringLiteral("properties.sslPolicy.policyName"),
            QStringLiteral("sslPolicy.policyName"), Type::Choice,
            tr("Predefined SSL policy. Empty: the default (minimum TLS 1.0 on older API versions). "
               "AppGwSslPolicy20220101 and 20220101S require TLS 1.2 and enable TLS 1.3."),
            [](const GatewayConfig &c) { return QVariant(c.sslPolicyName); },
            [](GatewayConfig &c, const QVariant &v) {
                c.sslPolicyName = v.toString();
                return QString();
            }),
        {QString(), QStringLiteral("AppGwSslPolicy20150501"),
         QStringLiteral("AppGwSslPolicy20170401"), QStringLiteral("AppGwSslPolicy20170401S"),
         QStringLiteral("AppGwSslPolicy20220101"), QStringLiteral("AppGwSslPolicy20220101S")});
    f << choice(
        g(
            QStringLiteral("properties.sslPolicy.policyType"),
            QStringLiteral("sslPolicy.policyType"), Type::Choice,
            tr("Predefined, Custom or CustomV2 (TLS 1.3 only with CustomV2 or the 2022 policies)."),
            [](const GatewayConfig &c) { return QVariant(c.sslPolicyType); },
            [](GatewayConfig &c, const QVariant &v) {
                c.sslPolicyType = v.toString();
                return QString();
            }),
        {QString(), QStringLiteral("Predefined"), QStringLiteral("Custom"),
         QStringLiteral("CustomV2")});
    f << choice(g(
                    QStringLiteral("properties.sslPolicy.minProtocolVersion"),
                    QStringLiteral("sslPolicy.minProtocolVersion"), Type::Choice,
                    tr("Minimum TLS version for Custom policies."),
                    [](const GatewayConfig &c) { return QVariant(c.minProtocolVersion); },
                    [](GatewayConfig &c, const QVariant &v) {
                        c.minProtocolVersion = v.toString();
                        return QString();
                    }),
                {QString(), QStringLiteral("TLSv1_0"), QStringLiteral("TLSv1_1"),
                 QStringLiteral("TLSv1_2"), QStringLiteral("TLSv1_3")});
    FieldSpec bind = g(
        QStringLiteral("metadata.localGateway.bindAddress"),
        QStringLiteral("localGateway.bindAddress"), Type::Text,
        tr("Local only (metadata.localGateway, ignored by Azure): the address listeners bind to. "
           "Default 127.0.0.1, so the tool never opens ports to the network by surprise."),
        [](const GatewayConfig &c) { return QVariant(c.localGateway.bindAddress); },
        [](GatewayConfig &c, const QVariant &v) {
            c.localGateway.bindAddress = v.toString();
            return QString();
        });
    bind.placeholder = QStringLiteral("127.0.0.1");
    f << bind;
    FieldSpec ports = g(
        QStringLiteral("metadata.localGateway.frontendPortMap"),
        QStringLiteral("localGateway.frontendPortMap"), Type::KeyValueLines,
        tr("Local only: Azure frontend port = local port, one per line (e.g. “80 = 8080”). "
           "Privileged ports need an entry to run without root; 0 picks a free port."),
        [](const GatewayConfig &c) {
            QStringList k, v;
            for (auto it = c.localGateway.frontendPortMap.cbegin();
                 it != c.localGateway.frontendPortMap.cend(); ++it) {
                k << QString::number(it.key());
                v << QString::number(it.value());
            }
            return QVariant(mapToLines(k, v));
        },
        [](GatewayConfig &c, const QVariant &v) {
            QList<QPair<QString, QString>> pairs;
            QString error;
            if (!parseLines(v.toString(), &pairs, &error))
                return error;
            QMap<int, int> map;
            for (const auto &p : pairs) {
                bool ok1 = false, ok2 = false;
                const int from = p.first.toInt(&ok1);
                const int to = p.second.toInt(&ok2);
                if (!ok1 || !ok2)
                    return tr("“%1 = %2”: both sides must be port numbers.").arg(p.first, p.second);
                map.insert(from, to);
            }
            c.localGateway.frontendPortMap = map;
            return QString();
        });
    ports.placeholder = QStringLiteral("80 = 8080");
    f << ports;
    FieldSpec backends = g(
        QStringLiteral("metadata.localGateway.backendAddressMap"),
        QStringLiteral("localGateway.backendAddressMap"), Type::KeyValueLines,
        tr("Local only: pool member address = where to connect locally, one per line "
           "(e.g. “10.0.1.4 = 127.0.0.1:9001”)."),
        [](const GatewayConfig &c) {
            return QVariant(mapToLines(c.localGateway.backendAddressMap.keys(),
                                       c.localGateway.backendAddressMap.values()));
        },
        [](GatewayConfig &c, const QVariant &v) {
            QList<QPair<QString, QString>> pairs;
            QString error;
            if (!parseLines(v.toString(), &pairs, &error))
                return error;
            QMap<QString, QString> map;
            for (const auto &p : pairs)
                map.insert(p.first, p.second);
            c.localGateway.backendAddressMap = map;
            return QString();
        });
    backends.placeholder = QStringLiteral("10.0.1.4 = 127.0.0.1:9001");
    f << backends;
    return f;
}

QList<FieldSpec> build(ElementKind kind)
{
    QList<FieldSpec> f;
    switch (kind) {
    case ElementKind::Gateway: return gatewayFields();
    case ElementKind::FrontendIPConfiguration: {
        using T = FrontendIPConfiguration;
        auto list = &GatewayConfig::frontendIPConfigurations;
        f << field(
            list, &T::privateIPAddress, QStringLiteral("properties.privateIPAddress"),
            QStringLiteral("privateIPAddress"), Type::Text,
            tr("Static private frontend address (with privateIPAllocationMethod Static). Locally "
               "listeners bind to localGateway.bindAddress."));
        f << choice(field(list, &T::privateIPAllocationMethod,
                          QStringLiteral("properties.privateIPAllocationMethod"),
                          QStringLiteral("privateIPAllocationMethod"), Type::Choice,
                          tr("Static or Dynamic.")),
                    {QString(), QStringLiteral("Static"), QStringLiteral("Dynamic")});
        f << field(list, &T::publicIPAddressId, QStringLiteral("properties.publicIPAddress.id"),
                   QStringLiteral("publicIPAddress.id"), Type::Text,
                   tr("Resource id of the public IP address (public frontend)."));
        f << field(list, &T::subnetId, QStringLiteral("properties.subnet.id"),
                   QStringLiteral("subnet.id"), Type::Text,
                   tr("Resource id of the subnet (private frontend)."));
        break;
    }
    case ElementKind::FrontendPort: {
        f << integer(
            field(&GatewayConfig::frontendPorts, &FrontendPort::port,
                  QStringLiteral("properties.port"), QStringLiteral("port"), Type::Integer,
                  tr("Frontend port, 1–65199 on v2 (65200–65535 are reserved). Locally it is "
                     "mapped through localGateway.frontendPortMap.")),
            0, 99999);
        break;
    }
    case ElementKind::SslCertificate: {
        using T = SslCertificate;
        auto list = &GatewayConfig::sslCertificates;
        f << field(list, &T::data, QStringLiteral("properties.data"), QStringLiteral("data"),
                   Type::Lines,
                   tr("Base64 PFX (private and public key), max 16 KB. May stay empty when "
                      "localGateway.certificateFiles names a file."));
        f << field(
            list, &T::password, QStringLiteral("properties.password"), QStringLiteral("password"),
            Type::Text,
            tr("PFX password (alphanumeric only). Prefer passwordEnv in certificate files."));
        f << field(list, &T::keyVaultSecretId, QStringLiteral("properties.keyVaultSecretId"),
                   QStringLiteral("keyVaultSecretId"), Type::Text,
                   tr("Key Vault secret id instead of data; not reachable locally, use certificate "
                      "files."));
        auto certFile = [](const QString &label, QString CertificateFile::*member,
                           const QString &tip) {
            FieldSpec s;
            s.key = QStringLiteral("metadata.localGateway.certificateFiles.") + label;
            s.label = QStringLiteral("localGateway.") + label;
            s.type = Type::Text;
            s.tip = tip;
            s.get = [member](const GatewayConfig &c, const ElementRef &r) {
                return QVariant(c.localGateway.certificateFiles.value(r.name).*member);
            };
            s.set = [member](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
                CertificateFile file = c.localGateway.certificateFiles.value(r.name);
                file.*member = v.toString();
                if (file == CertificateFile{})
                    c.localGateway.certificateFiles.remove(r.name);
                else
                    c.localGateway.certificateFiles.insert(r.name, file);
                return QString();
            };
            return s;
        };
        f << certFile(
            QStringLiteral("pfx"), &CertificateFile::pfx,
            tr("Local only: PFX file for this certificate, relative to the configuration file."));
        f << certFile(QStringLiteral("passwordEnv"), &CertificateFile::passwordEnv,
                      tr("Local only: environment variable that holds the PFX password."));
        f << certFile(QStringLiteral("pem"), &CertificateFile::pem,
                      tr("Local only: PEM certificate chain (instead of pfx)."));
        f << certFile(QStringLiteral("key"), &CertificateFile::key,
                      tr("Local only: PEM private key, with pem."));
        break;
    }
    case ElementKind::TrustedRootCertificate: {
        f << field(
            &GatewayConfig::trustedRootCertificates, &TrustedRootCertificate::data,
            QStringLiteral("properties.data"), QStringLiteral("data"), Type::Lines,
            tr("Root certificate (.cer, base64 DER or PEM) for backends with a private CA or "
               "self-signed certificate."));
        f << field(&GatewayConfig::trustedRootCertificates,
                   &TrustedRootCertificate::keyVaultSecretId,
                   QStringLiteral("properties.keyVaultSecretId"),
                   QStringLiteral("keyVaultSecretId"), Type::Text,
                   tr("Key Vault secret id instead of data."));
        break;
    }
    case ElementKind::HttpListener: {
        using T = HttpListener;
        auto list = &GatewayConfig::httpListeners;
        f << refField(list, &T::frontendIPConfiguration,
                      QStringLiteral("properties.frontendIPConfiguration"),
                      QStringLiteral("frontendIPConfiguration"),
                      ElementKind::FrontendIPConfiguration,
                      tr("The frontend IP the listener accepts on."));
        f << refField(
            list, &T::frontendPort, QStringLiteral("properties.frontendPort"),
            QStringLiteral("frontendPort"), ElementKind::FrontendPort,
            tr("The frontend port (mapped locally through localGateway.frontendPortMap)."));
        f << choice(field(list, &T::protocol, QStringLiteral("properties.protocol"),
                          QStringLiteral("protocol"), Type::Choice,
                          tr("Http or Https. WebSocket works on both, with no switch.")),
                    {QStringLiteral("Http"), QStringLiteral("Https")});
        FieldSpec host = field(
            list, &T::hostName, QStringLiteral("properties.hostName"), QStringLiteral("hostName"),
            Type::Text,
            tr("Multi-site: exactly one host name without wildcards. Empty with empty "
               "hostNames: a basic listener that accepts any host. Cannot be used with "
               "hostNames."));
        host.placeholder = tr("any host (basic listener)");
        f << host;
        FieldSpec hosts = field(
            list, &T::hostNames, QStringLiteral("properties.hostNames"),
            QStringLiteral("hostNames"), Type::List,
            tr("Up to 5 host names, comma separated; wildcards * and ? allowed "
               "(at most 2 * and 4 wildcard characters). Cannot be used with hostName."));
        hosts.placeholder = QStringLiteral("*.contoso.com, contoso.com");
        f << hosts;
        f << enabledWhen<T>(
            refField(list, &T::sslCertificate, QStringLiteral("properties.sslCertificate"),
                     QStringLiteral("sslCertificate"), ElementKind::SslCertificate,
                     tr("The certificate an Https listener presents.")),
            [](const T &l) {
                return l.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive) == 0;
            },
            list);
        f << enabledWhen<T>(
            field(list, &T::requireServerNameIndication,
                  QStringLiteral("properties.requireServerNameIndication"),
                  QStringLiteral("requireServerNameIndication"), Type::Boolean,
                  tr("Https: require SNI from clients (multi-site listeners pick their certificate "
                     "by SNI).")),
            [](const T &l) {
                return l.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive) == 0;
            },
            list);
        FieldSpec errors;
        errors.key = QStringLiteral("properties.customErrorConfigurations");
        errors.label = QStringLiteral("customErrorConfigurations");
        errors.type = Type::KeyValueLines;
        errors.tip = tr(
            "Custom error pages for errors the gateway itself generates, one per line: "
            "“HttpStatus502 = https://…/502.html” (400, 403, 405, 408, 500, 502, 503, 504).");
        errors.placeholder = QStringLiteral("HttpStatus502 = https://example.com/502.html");
        errors.get = [](const GatewayConfig &c, const ElementRef &r) {
            const T *l = findElement(c.httpListeners, r.name);
            QStringList k, v;
            if (l)
                for (const auto &e : l->customErrorConfigurations) {
                    k << e.statusCode;
                    v << e.customErrorPageUrl;
                }
            return QVariant(mapToLines(k, v));
        };
        errors.set = [](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
            QList<QPair<QString, QString>> pairs;
            QString error;
            if (!parseLines(v.toString(), &pairs, &error))
                return error;
            if (T *l = findElement(c.httpListeners, r.name)) {
                l->customErrorConfigurations.clear();
                for (const auto &p : pairs)
                    l->customErrorConfigurations.append({p.first, p.second});
            }
            return QString();
        };
        f << errors;
        f << refField(list, &T::sslProfile, QStringLiteral("properties.sslProfile"),
                      QStringLiteral("sslProfile"), ElementKind::Count,
                      tr("Listener-specific SSL policy (sslProfiles). Shown for reference."));
        f.last().readOnly = true;
        f << refField(list, &T::firewallPolicy, QStringLiteral("properties.firewallPolicy"),
                      QStringLiteral("firewallPolicy"), ElementKind::Count,
                      tr("Per-listener WAF policy. Shown for reference."));
        f.last().readOnly = true;
        break;
    }
    case ElementKind::BackendAddressPool: {
        FieldSpec addresses;
        addresses.key = QStringLiteral("properties.backendAddresses");
        addresses.label = QStringLiteral("backendAddresses");
        addresses.type = Type::Lines;
        addresses.tip = tr(
            "One member per line: an IP address (ipAddress) or a host name (fqdn). "
            "Round robin over healthy members; an empty pool answers 502. Map them to "
            "local servers with localGateway.backendAddressMap.");
        addresses.placeholder = QStringLiteral("10.0.1.4\napp.contoso.internal");
        addresses.get = [](const GatewayConfig &c, const ElementRef &r) {
            const BackendAddressPool *p = findElement(c.backendAddressPools, r.name);
            QStringList lines;
            if (p)
                for (const auto &a : p->backendAddresses)
                    lines << a.address();
            return QVariant(lines.join(QLatin1Char('\n')));
        };
        addresses.set = [](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
            BackendAddressPool *p = findElement(c.backendAddressPools, r.name);
            if (!p)
                return QString();
            // Refused at the field, with the fix: what cannot work never reaches the document.
            for (const QString &line : splitList(v.toString())) {
                const QString problem = Config::backendAddressProblem(line);
                if (!problem.isEmpty())
                    return problem;
            }
            p->backendAddresses.clear();
            for (const QString &line : splitList(v.toString())) {
                BackendAddress a;
                if (QHostAddress(line).isNull())
                    a.fqdn = line;
                else
                    a.ipAddress = line;
                p->backendAddresses.append(a);
            }
            return QString();
        };
        f << addresses;
        break;
    }
    case ElementKind::BackendHttpSettings: {
        using T = BackendHttpSettings;
        auto list = &GatewayConfig::backendHttpSettingsCollection;
        f << integer(field(list, &T::port, QStringLiteral("properties.port"),
                           QStringLiteral("port"), Type::Integer, tr("Backend port, 1–65535.")),
                     0, 99999);
        f << choice(
            field(list, &T::protocol, QStringLiteral("properties.protocol"),
                  QStringLiteral("protocol"), Type::Choice,
                  tr("Http or Https (end-to-end TLS). Backend traffic is always HTTP/1.1.")),
            {QStringLiteral("Http"), QStringLiteral("Https")});
        f << integer(
            field(list, &T::requestTimeout, QStringLiteral("properties.requestTimeout"),
                  QStringLiteral("requestTimeout"), Type::Integer,
                  tr("Seconds the gateway waits for the backend response, 1–86400 (default 20; "
                     "CLI and AGIC use 30). The same timeout applies to WebSocket sessions as an "
                     "idle timeout: set it above the client's ping interval (a typical value is "
                     "20 s, so 40 s is safe), or clients see 1006 closes.")),
            0, 999999);
        f << choice(
            field(list, &T::cookieBasedAffinity, QStringLiteral("properties.cookieBasedAffinity"),
                  QStringLiteral("cookieBasedAffinity"), Type::Choice,
                  tr("Enabled pins a client to one pool member with a gateway-managed cookie.")),
            {QStringLiteral("Disabled"), QStringLiteral("Enabled")});
        FieldSpec cookie = enabledWhen<T>(
            field(list, &T::affinityCookieName, QStringLiteral("properties.affinityCookieName"),
                  QStringLiteral("affinityCookieName"), Type::Text,
                  tr("Cookie name; default ApplicationGatewayAffinity. The gateway also "
                     "sets <name>CORS with SameSite=None; Secure.")),
            [](const T &s) { return isEnabledText(s.cookieBasedAffinity); }, list);
        cookie.placeholder = QStringLiteral("ApplicationGatewayAffinity");
        f << cookie;
        FieldSpec draining;
        draining.key = QStringLiteral("properties.connectionDraining.enabled");
        draining.label = QStringLiteral("connectionDraining.enabled");
        draining.type = Type::Boolean;
        draining.tip = tr(
            "Let deregistered members finish existing connections (WebSockets included) "
            "until the drain timeout.");
        draining.get = [](const GatewayConfig &c, const ElementRef &r) {
            const T *s = findElement(c.backendHttpSettingsCollection, r.name);
            return QVariant(s && s->connectionDraining.enabled);
        };
        draining.set = [](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
            if (T *s = findElement(c.backendHttpSettingsCollection, r.name))
                s->connectionDraining.enabled = v.toBool();
            return QString();
        };
        f << draining;
        FieldSpec drainTimeout;
        drainTimeout.key = QStringLiteral("properties.connectionDraining.drainTimeoutInSec");
        drainTimeout.label = QStringLiteral("connectionDraining.drainTimeoutInSec");
        drainTimeout.type = Type::Integer;
        drainTimeout.minimum = 0;
        drainTimeout.maximum = 99999;
        drainTimeout.tip = tr("Drain timeout, 1–3600 s (30 s when draining is not enabled).");
        drainTimeout.get = [](const GatewayConfig &c, const ElementRef &r) {
            const T *s = findElement(c.backendHttpSettingsCollection, r.name);
            return QVariant(s ? s->connectionDraining.drainTimeoutInSec : 30);
        };
        drainTimeout.set = [](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
            if (T *s = findElement(c.backendHttpSettingsCollection, r.name))
                s->connectionDraining.drainTimeoutInSec = v.toInt();
            return QString();
        };
        drainTimeout.enabled = [](const GatewayConfig &c, const ElementRef &r) {
            const T *s = findElement(c.backendHttpSettingsCollection, r.name);
            return s && s->connectionDraining.enabled;
        };
        f << drainTimeout;
        f << field(list, &T::pickHostNameFromBackendAddress,
                   QStringLiteral("properties.pickHostNameFromBackendAddress"),
                   QStringLiteral("pickHostNameFromBackendAddress"), Type::Boolean,
                   tr("Send the pool member's FQDN or IP as the Host header (the App Service "
                      "pattern). Default off."));
        FieldSpec hostName = enabledWhen<T>(
            field(list, &T::hostName, QStringLiteral("properties.hostName"),
                  QStringLiteral("hostName"), Type::Text,
                  tr("Overrides the Host header with a fixed value. The docs advise "
                     "keeping the client's host end to end.")),
            [](const T &s) { return !s.pickHostNameFromBackendAddress; }, list);
        hostName.placeholder = tr("client's Host header");
        f << hostName;
        FieldSpec path = field(
            list, &T::path, QStringLiteral("properties.path"), QStringLiteral("path"), Type::Text,
            tr("Path override prefix: replaces the matched path-rule prefix (default none)."));
        path.placeholder = tr("no override");
        f << path;
        f << field(list, &T::probeEnabled, QStringLiteral("properties.probeEnabled"),
                   QStringLiteral("probeEnabled"), Type::Boolean,
                   tr("Use the custom probe below. Without one the default probe is used: "
                      "GET <protocol>://127.0.0.1:<port>/ every 30 s, healthy on 200–399."));
        f << enabledWhen<T>(
            refField(list, &T::probe, QStringLiteral("properties.probe"), QStringLiteral("probe"),
                     ElementKind::Probe,
                     tr("The custom health probe (one per setting). A WebSocket-only backend "
                        "that answers 404 on / needs one, or the default probe marks it unhealthy "
                        "(502).")),
            [](const T &s) { return s.probeEnabled; }, list);
        FieldSpec roots;
        roots.key = QStringLiteral("properties.trustedRootCertificates");
        roots.label = QStringLiteral("trustedRootCertificates");
        roots.type = Type::List;
        roots.tip = tr("Names of trusted root certificates for Https backends with a private CA, "
                       "comma separated.");
        roots.get = [](const GatewayConfig &c, const ElementRef &r) {
            const T *s = findElement(c.backendHttpSettingsCollection, r.name);
            QStringList names;
            if (s)
                for (const auto &ref : s->trustedRootCertificates)
                    names << ref.name;
            return QVariant(names);
        };
        roots.set = [](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
            if (T *s = findElement(c.backendHttpSettingsCollection, r.name)) {
                s->trustedRootCertificates.clear();
                for (const QString &n : v.toStringList()) {
                    Ref ref;
                    assignRef(ref, n, ElementKind::TrustedRootCertificate);
                    s->trustedRootCertificates.append(ref);
                }
            }
            return QString();
        };
        f << roots;
        break;
    }
    case ElementKind::Probe: {
        using T = Probe;
        auto list = &GatewayConfig::probes;
        f << choice(field(list, &T::protocol, QStringLiteral("properties.protocol"),
                          QStringLiteral("protocol"), Type::Choice,
                          tr("Http or Https; must match the backend setting.")),
                    {QStringLiteral("Http"), QStringLiteral("Https")});
        f << enabledWhen<T>(
            field(list, &T::host, QStringLiteral("properties.host"), QStringLiteral("host"),
                  Type::Text,
                  tr("Host header (and SNI) of the probe. Use 127.0.0.1 unless multi-site.")),
            [](const T &p) { return !p.pickHostNameFromBackendHttpSettings; }, list);
        f << field(list, &T::pickHostNameFromBackendHttpSettings,
                   QStringLiteral("properties.pickHostNameFromBackendHttpSettings"),
                   QStringLiteral("pickHostNameFromBackendHttpSettings"), Type::Boolean,
                   tr("Take the host from the backend setting instead. Default off."));
        f << field(list, &T::path, QStringLiteral("properties.path"), QStringLiteral("path"),
                   Type::Text, tr("Probe path; must start with /."));
        f << integer(field(list, &T::interval, QStringLiteral("properties.interval"),
                           QStringLiteral("interval"), Type::Integer,
                           tr("Seconds between probes, 1–86400 (default probe: 30).")),
                     0, 999999);
        f << integer(
            field(list, &T::timeout, QStringLiteral("properties.timeout"),
                  QStringLiteral("timeout"), Type::Integer,
                  tr("Seconds to wait for the probe response, 1–86400 (default probe: 30).")),
            0, 999999);
        f << integer(field(list, &T::unhealthyThreshold,
                           QStringLiteral("properties.unhealthyThreshold"),
                           QStringLiteral("unhealthyThreshold"), Type::Integer,
                           tr("Consecutive failures before a server is marked unhealthy (default "
                              "3). One success "
                              "marks it healthy again.")),
                     0, 20);
        f << integer(
            field(list, &T::port, QStringLiteral("properties.port"), QStringLiteral("port"),
                  Type::Integer,
                  tr("Probe port 1–65535 (v2 only); not set: the backend setting's port.")),
            0, 99999, tr("setting's port"));
        f << integer(field(list, &T::minServers, QStringLiteral("properties.minServers"),
                           QStringLiteral("minServers"), Type::Integer,
                           tr("Minimum number of servers always marked healthy (default 0).")),
                     0, 1200);
        FieldSpec codes;
        codes.key = QStringLiteral("properties.match.statusCodes");
        codes.label = QStringLiteral("match.statusCodes");
        codes.type = Type::List;
        codes.tip = tr(
            "Healthy status codes: single codes or ranges, comma separated (default 200-399).");
        codes.placeholder = QStringLiteral("200-399");
        codes.get = [](const GatewayConfig &c, const ElementRef &r) {
            const T *p = findElement(c.probes, r.name);
            return QVariant(p ? p->match.statusCodes : QStringList());
        };
        codes.set = [](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
            if (T *p = findElement(c.probes, r.name))
                p->match.statusCodes = v.toStringList();
            return QString();
        };
        f << codes;
        FieldSpec body;
        body.key = QStringLiteral("properties.match.body");
        body.label = QStringLiteral("match.body");
        body.type = Type::Text;
        body.tip = tr(
            "Plain substring the response body must contain (no regex), up to 4090 characters.");
        body.get = [](const GatewayConfig &c, const ElementRef &r) {
            const T *p = findElement(c.probes, r.name);
            return QVariant(p ? p->match.body : QString());
        };
        body.set = [](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
            if (T *p = findElement(c.probes, r.name))
                p->match.body = v.toString();
            return QString();
        };
        f << body;
        break;
    }
    case ElementKind::RequestRoutingRule: {
        using T = RequestRoutingRule;
        auto list = &GatewayConfig::requestRoutingRules;
        f << choice(field(list, &T::ruleType, QStringLiteral("properties.ruleType"),
                          QStringLiteral("ruleType"), Type::Choice,
                          tr("Basic: one pool and setting. PathBasedRouting: a URL path map.")),
                    {QStringLiteral("Basic"), QStringLiteral("PathBasedRouting")});
        f << integer(field(list, &T::priority, QStringLiteral("properties.priority"),
                           QStringLiteral("priority"), Type::Integer,
                           tr("Evaluation order on v2, 1 (first) – 20000, unique. If one rule has "
                              "a priority, all must.")),
                     0, 99999, tr("not set"));
        f << refField(list, &T::httpListener, QStringLiteral("properties.httpListener"),
                      QStringLiteral("httpListener"), ElementKind::HttpListener,
                      tr("The listener whose requests this rule routes."));
        const auto basic = [](const T &r) {
            return r.ruleType.compare(QLatin1String("PathBasedRouting"), Qt::CaseInsensitive) != 0;
        };
        f << enabledWhen<T>(refField(list, &T::backendAddressPool,
                                     QStringLiteral("properties.backendAddressPool"),
                                     QStringLiteral("backendAddressPool"),
                                     ElementKind::BackendAddressPool,
                                     tr("Basic rules: the pool requests go to.")),
                            basic, list);
        f << enabledWhen<T>(refField(list, &T::backendHttpSettings,
                                     QStringLiteral("properties.backendHttpSettings"),
                                     QStringLiteral("backendHttpSettings"),
                                     ElementKind::BackendHttpSettings,
                                     tr("Basic rules: the backend setting (port, protocol, request "
                                        "timeout, affinity).")),
                            basic, list);
        f << enabledWhen<T>(
            refField(list, &T::urlPathMap, QStringLiteral("properties.urlPathMap"),
                     QStringLiteral("urlPathMap"), ElementKind::UrlPathMap,
                     tr("PathBasedRouting rules: the URL path map.")),
            [](const T &r) {
                return r.ruleType.compare(QLatin1String("PathBasedRouting"), Qt::CaseInsensitive)
                       == 0;
            },
            list);
        f << refField(list, &T::redirectConfiguration,
                      QStringLiteral("properties.redirectConfiguration"),
                      QStringLiteral("redirectConfiguration"), ElementKind::RedirectConfiguration,
                      tr("Redirect instead of a backend (Basic rules)."));
        f << refField(list, &T::rewriteRuleSet, QStringLiteral("properties.rewriteRuleSet"),
                      QStringLiteral("rewriteRuleSet"), ElementKind::RewriteRuleSet,
                      tr("Header and URL rewrites applied by this rule (v2)."));
        break;
    }
    case ElementKind::UrlPathMap: {
        using T = UrlPathMap;
        auto list = &GatewayConfig::urlPathMaps;
        f << refField(list, &T::defaultBackendAddressPool,
                      QStringLiteral("properties.defaultBackendAddressPool"),
                      QStringLiteral("defaultBackendAddressPool"), ElementKind::BackendAddressPool,
                      tr("Pool for requests no path rule matches."));
        f << refField(list, &T::defaultBackendHttpSettings,
                      QStringLiteral("properties.defaultBackendHttpSettings"),
                      QStringLiteral("defaultBackendHttpSettings"),
                      ElementKind::BackendHttpSettings,
                      tr("Backend setting for requests no path rule matches."));
        f << refField(list, &T::defaultRedirectConfiguration,
                      QStringLiteral("properties.defaultRedirectConfiguration"),
                      QStringLiteral("defaultRedirectConfiguration"),
                      ElementKind::RedirectConfiguration,
                      tr("Redirect for requests no path rule matches (instead of a pool)."));
        f << refField(list, &T::defaultRewriteRuleSet,
                      QStringLiteral("properties.defaultRewriteRuleSet"),
                      QStringLiteral("defaultRewriteRuleSet"), ElementKind::RewriteRuleSet,
                      tr("Rewrite set for requests no path rule matches."));
        break;
    }
    case ElementKind::PathRule: {
        FieldSpec paths;
        paths.key = QStringLiteral("properties.paths");
        paths.label = QStringLiteral("paths");
        paths.type = Type::List;
        paths.tip = tr(
            "Path patterns, comma separated. Each starts with /; a * is allowed only at the end "
            "(/images/*). The first matching rule wins; the query string is not matched.");
        paths.placeholder = QStringLiteral("/api/*, /ws");
        paths.get = [](const GatewayConfig &c, const ElementRef &r) {
            const PathRule *p = pathRule(c, r);
            return QVariant(p ? p->paths : QStringList());
        };
        paths.set = [](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
            if (PathRule *p = pathRule(c, r))
                p->paths = v.toStringList();
            return QString();
        };
        f << paths;
        f << pathRuleRef(&PathRule::backendAddressPool,
                         QStringLiteral("properties.backendAddressPool"),
                         QStringLiteral("backendAddressPool"), ElementKind::BackendAddressPool,
                         tr("Pool for requests matching these paths."));
        f << pathRuleRef(&PathRule::backendHttpSettings,
                         QStringLiteral("properties.backendHttpSettings"),
                         QStringLiteral("backendHttpSettings"), ElementKind::BackendHttpSettings,
                         tr("Backend setting for requests matching these paths."));
        f << pathRuleRef(&PathRule::redirectConfiguration,
                         QStringLiteral("properties.redirectConfiguration"),
                         QStringLiteral("redirectConfiguration"),
                         ElementKind::RedirectConfiguration, tr("Redirect instead of a pool."));
        f << pathRuleRef(&PathRule::rewriteRuleSet, QStringLiteral("properties.rewriteRuleSet"),
                         QStringLiteral("rewriteRuleSet"), ElementKind::RewriteRuleSet,
                         tr("Rewrite set for these paths."));
        break;
    }
    case ElementKind::RedirectConfiguration: {
        using T = RedirectConfiguration;
        auto list = &GatewayConfig::redirectConfigurations;
        f << choice(field(list, &T::redirectType, QStringLiteral("properties.redirectType"),
                          QStringLiteral("redirectType"), Type::Choice,
                          tr("Permanent (301), Found (302), SeeOther (303) or Temporary (307).")),
                    {QStringLiteral("Permanent"), QStringLiteral("Found"),
                     QStringLiteral("SeeOther"), QStringLiteral("Temporary")});
        f << refField(list, &T::targetListener, QStringLiteral("properties.targetListener"),
                      QStringLiteral("targetListener"), ElementKind::HttpListener,
                      tr("Redirect to another listener (e.g. HTTP to HTTPS)."));
        f << field(list, &T::targetUrl, QStringLiteral("properties.targetUrl"),
                   QStringLiteral("targetUrl"), Type::Text,
                   tr("Redirect to an external URL (instead of a listener)."));
        f << field(list, &T::includePath, QStringLiteral("properties.includePath"),
                   QStringLiteral("includePath"), Type::Boolean,
                   tr("Append the request path to the target."));
        f << field(list, &T::includeQueryString, QStringLiteral("properties.includeQueryString"),
                   QStringLiteral("includeQueryString"), Type::Boolean,
                   tr("Append the query string to the target."));
        break;
    }
    case ElementKind::RewriteRuleSet: {
        FieldSpec rules;
        rules.key = QStringLiteral("properties.rewriteRules");
        rules.label = QStringLiteral("rewriteRules");
        rules.type = Type::Json;
        rules.tip = tr(
            "The rewrite rules in Azure's JSON shape: name, ruleSequence, conditions "
            "(variable, pattern, ignoreCase, negate) and actionSet (requestHeaderConfigurations, "
            "responseHeaderConfigurations, urlConfiguration). WebSocket frames are never "
            "rewritten.");
        rules.get = [](const GatewayConfig &c, const ElementRef &r) {
            const RewriteRuleSet *s = findElement(c.rewriteRuleSets, r.name);
            return QVariant(s ? rewriteRulesToJson(s->rewriteRules) : QString());
        };
        rules.set = [](GatewayConfig &c, const ElementRef &r, const QVariant &v) {
            RewriteRuleSet *s = findElement(c.rewriteRuleSets, r.name);
            if (!s)
                return QString();
            QList<RewriteRule> parsed;
            const QString error = rewriteRulesFromJson(v.toString(), &parsed);
            if (error.isEmpty())
                s->rewriteRules = parsed;
            return error;
        };
        f << rules;
        break;
    }
    case ElementKind::Count: break;
    }
    return f;
}

} // namespace

const QList<FieldSpec> &fieldsFor(ElementKind kind)
{
    static QList<QList<FieldSpec>> all = [] {
        QList<QList<FieldSpec>> v;
        for (int k = 0; k < int(ElementKind::Count); ++k)
            v.append(build(ElementKind(k)));
        return v;
    }();
    static const QList<FieldSpec> none;
    const int k = int(kind);
    return k >= 0 && k < all.size() ? all.at(k) : none;
}

} // namespace Gateway::Ui
