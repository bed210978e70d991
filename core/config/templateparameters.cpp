#include "config/templateparameters.h"

#include "config/armexpression.h"
#include "config/jsontext.h"

#include <QJsonDocument>

#include <cmath>

namespace Gateway::Config {

using Internal::valueCi;

namespace {

bool matchesType(TemplateParameter::Type type, const QJsonValue &v)
{
    using Type = TemplateParameter::Type;
    switch (type) {
    case Type::String:
    case Type::SecureString: return v.isString();
    case Type::Int: return v.isDouble() && std::floor(v.toDouble()) == v.toDouble();
    case Type::Bool: return v.isBool();
    case Type::Array: return v.isArray();
    case Type::Object:
    case Type::SecureObject: return v.isObject();
    case Type::Other: break;
    }
    return true;
}

std::optional<double> number(const QJsonObject &o, const char *key)
{
    const QJsonValue v = valueCi(o, QString::fromLatin1(key));
    if (!v.isDouble())
        return std::nullopt;
    return v.toDouble();
}

std::optional<int> length(const QJsonObject &o, const char *key)
{
    const std::optional<double> n = number(o, key);
    if (!n)
        return std::nullopt;
    return int(*n);
}

QByteArray indented(const QJsonValue &value, const QByteArray &indent)
{
    if (!value.isArray() && !value.isObject())
        return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    const QByteArray json = value.isArray()
                                ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented)
                                : QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented);
    QList<QByteArray> lines = json.trimmed().split('\n');
    for (int i = 1; i < lines.size(); ++i)
        lines[i].prepend(indent);
    return lines.join('\n');
}

} // namespace

bool TemplateParameter::defaultIsExpression() const
{
    return defaultValue.isString() && Internal::ArmEvaluator::isExpression(defaultValue.toString());
}

TemplateParameter TemplateParameter::fromDeclaration(const QString &name,
                                                     const QJsonObject &declaration)
{
    TemplateParameter p;
    p.name = name;
    p.typeName = valueCi(declaration, QStringLiteral("type")).toString();
    const QString t = p.typeName.toLower();
    if (t == QLatin1String("string"))
        p.type = Type::String;
    else if (t == QLatin1String("securestring"))
        p.type = Type::SecureString;
    else if (t == QLatin1String("int"))
        p.type = Type::Int;
    else if (t == QLatin1String("bool"))
        p.type = Type::Bool;
    else if (t == QLatin1String("array"))
        p.type = Type::Array;
    else if (t == QLatin1String("object"))
        p.type = Type::Object;
    else if (t == QLatin1String("secureobject"))
        p.type = Type::SecureObject;
    p.defaultValue = valueCi(declaration, QStringLiteral("defaultValue"));
    p.allowedValues = valueCi(declaration, QStringLiteral("allowedValues")).toArray();
    p.minValue = number(declaration, "minValue");
    p.maxValue = number(declaration, "maxValue");
    p.minLength = length(declaration, "minLength");
    p.maxLength = length(declaration, "maxLength");
    p.description = valueCi(valueCi(declaration, QStringLiteral("metadata")).toObject(),
                            QStringLiteral("description"))
                        .toString();
    return p;
}

QString TemplateParameter::problemWith(const QJsonValue &value) const
{
    if (!typeName.isEmpty() && !matchesType(type, value))
        return QStringLiteral("parameter '%1' is declared as %2 but its value is a %3")
            .arg(name, typeName, Internal::jsonTypeName(value));
    if (!allowedValues.isEmpty() && !allowedValues.contains(value))
        return QStringLiteral(
                   "parameter '%1' has the value %2, which is not one of its allowedValues %3")
            .arg(name, parameterValueText(value),
                 QString::fromUtf8(QJsonDocument(allowedValues).toJson(QJsonDocument::Compact)));
    if (value.isDouble()) {
        if (minValue && value.toDouble() < *minValue)
            return QStringLiteral("parameter '%1' has the value %2, below its minValue %3")
                .arg(name, parameterValueText(value), parameterValueText(*minValue));
        if (maxValue && value.toDouble() > *maxValue)
            return QStringLiteral("parameter '%1' has the value %2, above its maxValue %3")
                .arg(name, parameterValueText(value), parameterValueText(*maxValue));
    }
    if (value.isString() || value.isArray()) {
        const qsizetype n = value.isString() ? value.toString().size() : value.toArray().size();
        const QString unit = value.isString() ? QStringLiteral("characters")
                                              : QStringLiteral("items");
        if (minLength && n < *minLength)
            return QStringLiteral("parameter '%1' has %2 %3, fewer than its minLength %4")
                .arg(name)
                .arg(n)
                .arg(unit)
                .arg(*minLength);
        if (maxLength && n > *maxLength)
            return QStringLiteral("parameter '%1' has %2 %3, more than its maxLength %4")
                .arg(name)
                .arg(n)
                .arg(unit)
                .arg(*maxLength);
    }
    return {};
}

QList<TemplateParameter> templateParameters(const QByteArray &templateJson)
{
    const QJsonDocument doc = QJsonDocument::fromJson(templateJson.startsWith("\xEF\xBB\xBF")
                                                          ? templateJson.mid(3)
                                                          : templateJson);
    if (!doc.isObject())
        return {};
    const QJsonObject declarations = valueCi(doc.object(), QStringLiteral("parameters")).toObject();
    // QJsonObject sorts its keys; the text gives the order the author wrote them in.
    QStringList order;
    const Internal::JsonText text(templateJson);
    if (const Internal::TextNode *node = text.find(
            {Internal::PathSegment::of(QStringLiteral("parameters"))})) {
        for (const Internal::TextMember &m : node->members)
            order << m.key;
    }
    for (auto it = declarations.begin(); it != declarations.end(); ++it)
        if (!order.contains(it.key()))
            order << it.key();
    QList<TemplateParameter> out;
    for (const QString &name : std::as_const(order))
        if (declarations.value(name).isObject())
            out << TemplateParameter::fromDeclaration(name, declarations.value(name).toObject());
    return out;
}

QJsonObject parametersFileEntries(const QByteArray &parametersJson, QString *error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(
        parametersJson.startsWith("\xEF\xBB\xBF") ? parametersJson.mid(3) : parametersJson, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error)
            *error = pe.error != QJsonParseError::NoError
                         ? pe.errorString()
                         : QStringLiteral("expected a JSON object");
        return {};
    }
    const QJsonValue p = valueCi(doc.object(), QStringLiteral("parameters"));
    return p.isObject() ? p.toObject() : doc.object();
}

bool isKeyVaultReference(const QJsonValue &entry)
{
    return entry.isObject() && valueCi(entry.toObject(), QStringLiteral("value")).isUndefined()
           && valueCi(entry.toObject(), QStringLiteral("reference")).isObject();
}

QString keyVaultReferenceText(const QJsonValue &entry)
{
    const QJsonObject ref = valueCi(entry.toObject(), QStringLiteral("reference")).toObject();
    const QString vault = valueCi(valueCi(ref, QStringLiteral("keyVault")).toObject(),
                                  QStringLiteral("id"))
                              .toString()
                              .section(QLatin1Char('/'), -1);
    return QStringLiteral("%1/%2").arg(vault, valueCi(ref, QStringLiteral("secretName")).toString());
}

QString parameterValueText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

QByteArray parametersFileJson(const QList<QPair<QString, QJsonObject>> &entries)
{
    QByteArray out = "{\n"
                     "    \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/"
                     "deploymentParameters.json#\",\n"
                     "    \"contentVersion\": \"1.0.0.0\",\n"
                     "    \"parameters\": {";
    for (int i = 0; i < entries.size(); ++i) {
        out += i == 0 ? "\n" : ",\n";
        out += "        " + indented(entries.at(i).first, {}) + ": "
               + indented(entries.at(i).second, "        ");
    }
    out += entries.isEmpty() ? "}\n}\n" : "\n    }\n}\n";
    return out;
}

} // namespace Gateway::Config
