#pragma once

// The parameters an ARM template declares ("parameters": { name: { type, defaultValue,
// allowedValues, minValue, maxValue, minLength, maxLength, metadata.description } }) and ARM
// parameters files ({ "$schema": ".../deploymentParameters.json#", "contentVersion",
// "parameters": { name: { "value": ... } or { "reference": { "keyVault": ... } } } }).
// The one place that reads a declaration: the expression evaluator checks values with it, the
// console's parameters editor builds its fields from it.

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace Gateway::Config {

struct TemplateParameter
{
    enum class Type { String, SecureString, Int, Bool, Array, Object, SecureObject, Other };

    QString name;
    QString typeName; // as declared ("secureString")
    Type type = Type::Other;
    QJsonValue defaultValue; // Undefined when there is none; may be an expression
    QJsonArray allowedValues;
    std::optional<double> minValue;
    std::optional<double> maxValue;
    std::optional<int> minLength;
    std::optional<int> maxLength;
    QString description; // metadata.description

    bool isSecure() const { return type == Type::SecureString || type == Type::SecureObject; }
    bool hasDefault() const { return !defaultValue.isUndefined(); }
    // A default that is an ARM expression ("[resourceGroup().location]"): evaluated at load.
    bool defaultIsExpression() const;

    // Reads one declaration (keys case-insensitive, as ARM reads them).
    static TemplateParameter fromDeclaration(const QString &name, const QJsonObject &declaration);

    // Why value cannot be this parameter's value (wrong type, not in allowedValues, outside
    // minValue/maxValue, length outside minLength/maxLength), one sentence naming the limit;
    // empty when it fits.
    QString problemWith(const QJsonValue &value) const;
};

// The top-level parameters of a template, in file order; empty for a bare resource or for
// JSON that is not an object.
QList<TemplateParameter> templateParameters(const QByteArray &templateJson);

// The entries of an ARM parameters file: name -> { "value": ... } or { "reference": ... }. A file
// without the "parameters" wrapper is taken as the entries themselves. Bad JSON: {} and *error.
QJsonObject parametersFileEntries(const QByteArray &parametersJson, QString *error = nullptr);

// A parameters entry that refers to a Key Vault secret ({ "reference": { "keyVault": ... } }).
bool isKeyVaultReference(const QJsonValue &entry);
// "vault/secret" of a Key Vault reference entry.
QString keyVaultReferenceText(const QJsonValue &entry);

// A parameter value as messages and fields write it: a string as is, anything else as compact JSON.
QString parameterValueText(const QJsonValue &value);

// A standard ARM parameters file with the entries in the given order (each entry as it goes
// under the parameter's name: { "value": ... } or a Key Vault reference).
QByteArray parametersFileJson(const QList<QPair<QString, QJsonObject>> &entries);

} // namespace Gateway::Config
