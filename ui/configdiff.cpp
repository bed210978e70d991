#include "configdiff.h"

#include "config/configdocument.h"
#include "config/configwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace Gateway::Ui {

namespace {

QString compact(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Undefined:
    case QJsonValue::Null: return QString();
    case QJsonValue::String: {
        // A reference reads as the element's name: [resourceId('…', 'gw', 'pool1')] -> pool1.
        const QString text = v.toString();
        static const QRegularExpression ref(QStringLiteral("^\\[resourceId\\(.*'([^']*)'\\)\\]$"));
        const QRegularExpressionMatch m = ref.match(text);
        if (m.hasMatch())
            return m.captured(1);
        const int slash = text.lastIndexOf(QLatin1Char('/'));
        if (text.startsWith(QLatin1String("/subscriptions/")) && slash > 0)
            return text.mid(slash + 1);
        return text;
    }
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: return QString::number(v.toDouble(), 'g', 15);
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    }
    return QString();
}

QString strip(const QString &path)
{
    // "properties.requestTimeout" reads as "requestTimeout" in the editor's labels.
    QString p = path.startsWith(QLatin1String("properties.")) ? path.mid(11) : path;
    if (p.endsWith(QLatin1String(".id")))
        p.chop(3);
    return p;
}

void diffValues(const QString &collection, const QString &element, const QString &path,
                const QJsonValue &from, const QJsonValue &to, QList<ConfigChange> *out)
{
    if (from == to)
        return;
    if (from.isObject() && to.isObject()) {
        const QJsonObject a = from.toObject();
        const QJsonObject b = to.toObject();
        QStringList keys = a.keys();
        for (const QString &k : b.keys())
            if (!keys.contains(k))
                keys << k;
        for (const QString &k : keys)
            diffValues(collection, element, path.isEmpty() ? k : path + QLatin1Char('.') + k,
                       a.value(k), b.value(k), out);
        return;
    }
    out->append(ConfigChange{collection, element, strip(path), compact(from), compact(to)});
}

bool isNamedList(const QJsonArray &a)
{
    for (const QJsonValue &v : a)
        if (!v.isObject() || !v.toObject().contains(QLatin1String("name")))
            return false;
    return true;
}

void diffCollection(const QString &collection, const QJsonArray &from, const QJsonArray &to,
                    QList<ConfigChange> *out)
{
    auto byName = [](const QJsonArray &a) {
        QList<QPair<QString, QJsonObject>> list;
        for (const QJsonValue &v : a)
            list.append({v.toObject().value(QLatin1String("name")).toString(), v.toObject()});
        return list;
    };
    const auto a = byName(from);
    const auto b = byName(to);
    auto find = [](const QList<QPair<QString, QJsonObject>> &list, const QString &name) {
        for (const auto &p : list)
            if (p.first.compare(name, Qt::CaseInsensitive) == 0)
                return QJsonValue(p.second);
        return QJsonValue(QJsonValue::Undefined);
    };
    for (const auto &[name, object] : a) {
        const QJsonValue other = find(b, name);
        if (other.isUndefined())
            out->append(ConfigChange{collection, name, {}, QStringLiteral("present"), {}});
        else
            diffValues(collection, name, {}, object, other, out);
    }
    for (const auto &[name, object] : b)
        if (find(a, name).isUndefined())
            out->append(ConfigChange{collection, name, {}, {}, QStringLiteral("present")});
}

} // namespace

QString ConfigChange::text() const
{
    QString where = element.isEmpty()
                        ? (collection.isEmpty() ? QStringLiteral("gateway") : collection)
                        : element;
    if (property.isEmpty()) {
        if (before.isEmpty())
            return QStringLiteral("%1 %2 added").arg(collection, element);
        if (after.isEmpty())
            return QStringLiteral("%1 %2 removed").arg(collection, element);
    }
    auto shown = [](const QString &v) {
        if (v.isEmpty())
            return QStringLiteral("(not set)");
        return v.size() > 60 ? v.left(57) + QStringLiteral("…") : v;
    };
    return QStringLiteral("%1 · %2: %3 → %4").arg(where, property, shown(before), shown(after));
}

QList<ConfigChange> configChanges(const Config::GatewayConfig &from, const Config::GatewayConfig &to)
{
    QList<ConfigChange> out;
    if (from == to)
        return out;
    const Config::ConfigDocument doc;
    const Config::ConfigWriter writer(doc);
    const QJsonObject a = writer.gatewayJson(from);
    const QJsonObject b = writer.gatewayJson(to);
    const QJsonObject pa = a.value(QLatin1String("properties")).toObject();
    const QJsonObject pb = b.value(QLatin1String("properties")).toObject();
    QStringList keys = pa.keys();
    for (const QString &k : pb.keys())
        if (!keys.contains(k))
            keys << k;
    for (const QString &k : keys) {
        const QJsonValue va = pa.value(k);
        const QJsonValue vb = pb.value(k);
        if (va == vb)
            continue;
        if ((va.isArray() || va.isUndefined()) && (vb.isArray() || vb.isUndefined())
            && isNamedList(va.toArray()) && isNamedList(vb.toArray()))
            diffCollection(k, va.toArray(), vb.toArray(), &out);
        else
            diffValues({}, {}, k, va, vb, &out);
    }
    for (const QString &k : {QStringLiteral("name"), QStringLiteral("location")})
        diffValues({}, {}, k, a.value(k), b.value(k), &out);
    diffValues({}, {}, QStringLiteral("localGateway"), writer.localGatewayJson(from.localGateway),
               writer.localGatewayJson(to.localGateway), &out);
    return out;
}

QStringList configChangeLines(const QList<ConfigChange> &changes, int limit)
{
    QStringList lines;
    for (int i = 0; i < changes.size() && i < limit; ++i)
        lines << changes.at(i).text();
    if (changes.size() > limit)
        lines << QStringLiteral("… and %1 more").arg(changes.size() - limit);
    return lines;
}

} // namespace Gateway::Ui
