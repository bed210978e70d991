#pragma once

// Evaluation of ARM template expressions ("[concat(parameters('a'), '/b')]") against a template's
// parameters and variables, as Azure evaluates them: every template function that needs no Azure
// (arrays, comparison, dates, deployment, logical, numeric, objects, strings, lambdas, CIDR),
// `if` evaluating only the branch it takes, copy loops (copyIndex() with loop name and offset,
// variable and property `copy`), and utcNow()/newGuid() in parameter defaults only. Values only
// Azure knows (reference(), list*(), Key Vault parameter references) become placeholders named
// after the expression, recorded as stand-ins with their JSON path.
// Internal to core/config: the reader uses it, nothing else should.

#include "config/gatewayconfig.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QSet>
#include <QString>

#include <memory>

namespace Gateway::Config::Internal {

inline constexpr char LocalSubscriptionId[] = "00000000-0000-0000-0000-000000000000";
inline constexpr char LocalResourceGroup[] = "local-rg";
inline constexpr char LocalLocation[] = "local";

// A value the local run made up because only Azure knows it.
struct StandIn
{
    QString path; // JSON path where it was used
    QString text; // the placeholder, e.g. "reference(sites/web1).defaultHostName"
};

class ArmEvaluator
{
public:
    ArmEvaluator() = default;
    // templateRoot: the whole template ({} for a bare resource); parameterValues: name -> value
    // from a parameters file or a parent deployment (they override defaultValue; "value" entries
    // are taken as they are, not evaluated again).
    ArmEvaluator(const QJsonObject &templateRoot, const QJsonObject &parameterValues);

    // Evaluates every expression inside value, recursively, and expands property copy loops
    // ("copy": [{ name, count, input }]). A string that fails becomes null and an error with its
    // path is appended to diagnostics.
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

    // Copy loops: copyIndex() inside reads the innermost loop (or the one named).
    void pushLoop(const QString &name, int index);
    void popLoop();

    // The deployment() name; nested deployments use their resource name.
    void setDeploymentName(const QString &name) { m_deploymentName = name; }
    // utcNow(): the time the deployment started (tests fix it).
    void setNow(const QDateTime &utc) { m_now = utc; }
    QDateTime now() const { return m_now; }

    // Placeholders used so far, shared with nested deployments' evaluators.
    const QList<StandIn> &standIns() const { return *m_standIns; }
    void shareStandIns(const ArmEvaluator &other) { m_standIns = other.m_standIns; }

    // A placeholder value as the expression returns it (an object that member access extends).
    static QJsonValue placeholder(const QString &text);
    // The placeholder text, or empty when value is not one.
    static QString placeholderText(const QJsonValue &value);

private:
    QJsonValue parameterValue(const QString &name, QString *error);
    QJsonValue variableValue(const QString &name, QString *error);
    QJsonValue expandCopy(const QJsonArray &copy, const QString &path, Diagnostics *diagnostics,
                          bool canonicalKeys, QJsonObject *into);
    void noteStandIn(const QString &text);

    struct Loop
    {
        QString name;
        int index = 0;
    };

    QJsonObject m_parameterDeclarations;
    QJsonObject m_parameterValues;
    QJsonObject m_variables;
    QHash<QString, QJsonValue> m_parameterCache; // lower-case name -> value
    QHash<QString, QJsonValue> m_variableCache;
    QSet<QString> m_evaluating; // "p:name" / "v:name" being evaluated (cycle detection)
    QList<Loop> m_loops;
    int m_inParameterDefault = 0;
    int m_keepPlaceholders = 0; // inside variables and parameters: placeholders stay objects
    QString m_deploymentName = QStringLiteral("local-deployment");
    QDateTime m_now = QDateTime::currentDateTimeUtc();
    QString m_currentPath; // path of the string being evaluated (stand-ins record it)
    std::shared_ptr<QList<StandIn>> m_standIns = std::make_shared<QList<StandIn>>();

    friend class ExpressionEvaluator;
};

// Case-insensitive object look-up; *actualKey (if given) receives the key as written.
QJsonValue valueCi(const QJsonObject &object, const QString &key, QString *actualKey = nullptr);

// "string", "number", "array", ...: a value's JSON type as messages name it.
QString jsonTypeName(const QJsonValue &value);

// A deterministic stand-in for ARM's uniqueString(): 13 lower-case characters.
QString uniqueString(const QStringList &parts);

} // namespace Gateway::Config::Internal
