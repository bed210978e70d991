#pragma once

// Evaluation of ARM template expressions ("[concat(parameters('a'), '/b')]") against a template's
// parameters and variables. Internal to core/config: the reader uses it, nothing else should.

#include "config/gatewayconfig.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QSet>
#include <QString>

namespace Gateway::Config::Internal {

inline constexpr char LocalSubscriptionId[] = "00000000-0000-0000-0000-000000000000";
inline constexpr char LocalResourceGroup[] = "local-rg";
inline constexpr char LocalLocation[] = "local";

class ArmEvaluator
{
public:
    ArmEvaluator() = default;
    // templateRoot: the whole template ({} for a bare resource); parameterValues: name -> value
    // from a parameters file (they override defaultValue).
    ArmEvaluator(const QJsonObject &templateRoot, const QJsonObject &parameterValues);

    // Evaluates every expression inside value, recursively. A string that fails becomes null and
    // an error with its path is appended to diagnostics.
    // With canonicalKeys, keys in the reported paths are written in ARM's camelCase ("Port" ->
    // "port"), as the reader and validator write them.
    QJsonValue evaluateTree(const QJsonValue &value, const QString &path, Diagnostics *diagnostics,
                            bool canonicalKeys = false);

    // Parameters the parameters file gives but the template does not declare.
    QStringList undeclaredParameters() const;

    // One string. Not an expression: returned as is ("[[" escapes a literal "[").
    // On failure returns Undefined and sets *error.
    QJsonValue evaluateString(const QString &text, QString *error);

    static bool isExpression(const QString &text);

private:
    QJsonValue parameterValue(const QString &name, QString *error);
    QJsonValue variableValue(const QString &name, QString *error);

    QJsonObject m_parameterDeclarations;
    QJsonObject m_parameterValues;
    QJsonObject m_variables;
    QHash<QString, QJsonValue> m_parameterCache; // lower-case name -> value
    QHash<QString, QJsonValue> m_variableCache;
    QSet<QString> m_evaluating; // "p:name" / "v:name" being evaluated (cycle detection)

    friend class ExpressionParser;
};

// Case-insensitive object look-up; *actualKey (if given) receives the key as written.
QJsonValue valueCi(const QJsonObject &object, const QString &key, QString *actualKey = nullptr);

// A deterministic stand-in for ARM's uniqueString(): 13 lower-case characters.
QString uniqueString(const QStringList &parts);

} // namespace Gateway::Config::Internal
