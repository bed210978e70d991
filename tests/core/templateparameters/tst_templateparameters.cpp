// The parameters a template declares, as the console's parameters editor and the expression
// evaluator read them: file order, every constraint, each refusal naming its limit; ARM
// parameters files read and written; a template evaluated again with other values.

#include "config/configdocument.h"
#include "config/templateparameters.h"

#include <QJsonDocument>
#include <QTest>

using namespace Gateway::Config;

namespace {

const QByteArray Template = R"({
  "parameters": {
    "zeta": { "type": "string", "maxLength": 5, "metadata": { "description": "last letter" } },
    "count": { "type": "int", "minValue": 1, "maxValue": 10, "defaultValue": 2 },
    "sku": { "type": "String", "allowedValues": [ "Standard_v2", "WAF_v2" ] },
    "secret": { "type": "secureString", "minLength": 8 },
    "paths": { "type": "array", "minLength": 1, "defaultValue": [ "/a" ] },
    "flag": { "type": "bool", "defaultValue": "[equals(1, 1)]" }
  },
  "resources": [] })";

TemplateParameter find(const QString &name)
{
    for (const TemplateParameter &p : templateParameters(Template))
        if (p.name == name)
            return p;
    return {};
}

} // namespace

class tst_TemplateParameters : public QObject
{
    Q_OBJECT
private slots:
    void declarationsInFileOrder();
    void problemWith_data();
    void problemWith();
    void parametersFileRoundTrip();
    void keyVaultReference();
    void documentEvaluatedAgainWithOtherValues();
    void evaluatorRefusesOutOfRangeValue();
};

void tst_TemplateParameters::declarationsInFileOrder()
{
    const QList<TemplateParameter> ps = templateParameters(Template);
    QStringList names;
    for (const TemplateParameter &p : ps)
        names << p.name;
    QCOMPARE(names, (QStringList{"zeta", "count", "sku", "secret", "paths", "flag"}));
    const TemplateParameter count = find(QStringLiteral("count"));
    QCOMPARE(count.type, TemplateParameter::Type::Int);
    QCOMPARE(count.minValue.value_or(-1), 1.0);
    QCOMPARE(count.maxValue.value_or(-1), 10.0);
    QCOMPARE(count.defaultValue, QJsonValue(2));
    QCOMPARE(find(QStringLiteral("sku")).type, TemplateParameter::Type::String);
    QCOMPARE(find(QStringLiteral("sku")).allowedValues.size(), 2);
    QVERIFY(find(QStringLiteral("secret")).isSecure());
    QVERIFY(!find(QStringLiteral("secret")).hasDefault());
    QCOMPARE(find(QStringLiteral("zeta")).description, QStringLiteral("last letter"));
    QCOMPARE(find(QStringLiteral("zeta")).maxLength.value_or(-1), 5);
    QVERIFY(find(QStringLiteral("flag")).defaultIsExpression());
    QVERIFY(templateParameters("{ \"properties\": {} }").isEmpty());
    QVERIFY(templateParameters("not json").isEmpty());
}

void tst_TemplateParameters::problemWith_data()
{
    QTest::addColumn<QString>("parameter");
    QTest::addColumn<QByteArray>("value"); // JSON, inside [ ]
    QTest::addColumn<QString>("problem");  // a fragment; empty: accepted

    QTest::newRow("int in range") << "count" << QByteArray("5") << QString();
    QTest::newRow("int at minValue") << "count" << QByteArray("1") << QString();
    QTest::newRow("int below minValue") << "count" << QByteArray("0") << "below its minValue 1";
    QTest::newRow("int above maxValue") << "count" << QByteArray("11") << "above its maxValue 10";
    QTest::newRow("int given a string")
        << "count" << QByteArray("\"5\"") << "declared as int but its value is a string";
    QTest::newRow("int given a fraction") << "count" << QByteArray("2.5") << "declared as int";
    QTest::newRow("allowed value") << "sku" << QByteArray("\"WAF_v2\"") << QString();
    QTest::newRow("not allowed") << "sku" << QByteArray("\"Basic\"")
                                 << "Basic, which is not one of its allowedValues";
    QTest::newRow("allowed values are case-sensitive")
        << "sku" << QByteArray("\"waf_v2\"") << "not one of its allowedValues";
    QTest::newRow("string too long")
        << "zeta" << QByteArray("\"abcdef\"") << "6 characters, more than its maxLength 5";
    QTest::newRow("string at maxLength") << "zeta" << QByteArray("\"abcde\"") << QString();
    QTest::newRow("secure too short")
        << "secret" << QByteArray("\"short\"") << "fewer than its minLength 8";
    QTest::newRow("array too short")
        << "paths" << QByteArray("[]") << "0 items, fewer than its minLength 1";
    QTest::newRow("array given an object")
        << "paths" << QByteArray("{}") << "declared as array but its value is a object";
    QTest::newRow("bool") << "flag" << QByteArray("false") << QString();
    QTest::newRow("bool given a number") << "flag" << QByteArray("1") << "declared as bool";
}

void tst_TemplateParameters::problemWith()
{
    QFETCH(QString, parameter);
    QFETCH(QByteArray, value);
    QFETCH(QString, problem);
    const QJsonValue v = QJsonDocument::fromJson("[" + value + "]").array().first();
    const QString got = find(parameter).problemWith(v);
    if (problem.isEmpty())
        QVERIFY2(got.isEmpty(), qPrintable(got));
    else
        QVERIFY2(got.contains(problem), qPrintable(got));
}

void tst_TemplateParameters::parametersFileRoundTrip()
{
    const QByteArray json = parametersFileJson(
        {{QStringLiteral("zeta"), QJsonObject{{QStringLiteral("value"), QStringLiteral("z")}}},
         {QStringLiteral("count"), QJsonObject{{QStringLiteral("value"), 3}}},
         {QStringLiteral("paths"),
          QJsonObject{{QStringLiteral("value"), QJsonArray{QStringLiteral("/x"), 2}}}}});
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    QVERIFY2(pe.error == QJsonParseError::NoError, qPrintable(pe.errorString() + json));
    QVERIFY(doc.object()
                .value(QStringLiteral("$schema"))
                .toString()
                .endsWith(QStringLiteral("deploymentParameters.json#")));
    QCOMPARE(doc.object().value(QStringLiteral("contentVersion")).toString(),
             QStringLiteral("1.0.0.0"));
    // Written in the given order (the template's), not sorted.
    QVERIFY(json.indexOf("\"zeta\"") < json.indexOf("\"count\""));
    const QJsonObject entries = parametersFileEntries(json);
    QCOMPARE(entries.size(), 3);
    QCOMPARE(entries.value(QStringLiteral("count")).toObject().value(QStringLiteral("value")),
             QJsonValue(3));
    QCOMPARE(entries.value(QStringLiteral("paths")).toObject().value(QStringLiteral("value")),
             QJsonValue(QJsonArray{QStringLiteral("/x"), 2}));
    // A file without the "parameters" wrapper is taken as the entries; bad JSON says why.
    QCOMPARE(parametersFileEntries(R"({ "a": { "value": 1 } })").size(), 1);
    QString error;
    QVERIFY(parametersFileEntries("{ nope", &error).isEmpty());
    QVERIFY(!error.isEmpty());
    QVERIFY(QJsonDocument::fromJson(parametersFileJson({})).isObject());
}

void tst_TemplateParameters::keyVaultReference()
{
    const QJsonObject entry = QJsonDocument::fromJson(R"({ "reference": { "keyVault": { "id":
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/vault1" },
        "secretName": "certPassword" } })")
                                  .object();
    QVERIFY(isKeyVaultReference(entry));
    QCOMPARE(keyVaultReferenceText(entry), QStringLiteral("vault1/certPassword"));
    QVERIFY(!isKeyVaultReference(QJsonObject{{QStringLiteral("value"), 1}}));
}

void tst_TemplateParameters::documentEvaluatedAgainWithOtherValues()
{
    const QByteArray gateway = R"({ "parameters": { "timeout": { "type": "int" } },
      "resources": [ { "type": "Microsoft.Network/applicationGateways", "name": "gw",
        "properties": { "backendHttpSettingsCollection": [ { "name": "s1", "properties": {
          "port": 80, "protocol": "Http", "requestTimeout": "[parameters('timeout')]" } } ] } } ] })";
    ConfigDocument doc = ConfigDocument::fromJson(gateway);
    const auto noValue = [](const ConfigDocument &d) {
        for (const Diagnostic &diag : d.loadDiagnostics())
            if (diag.message.contains(QStringLiteral("'timeout' has no value")))
                return true;
        return false;
    };
    QVERIFY(noValue(doc));
    QVERIFY(!doc.isModified());
    doc.setParameters(R"({ "parameters": { "timeout": { "value": 45 } } })");
    QVERIFY(!noValue(doc));
    QCOMPARE(doc.model().backendHttpSettingsCollection.value(0).requestTimeout, 45);
    QVERIFY2(!doc.isModified(), "new parameter values do not change the template's text");
    QCOMPARE(doc.toJson(), gateway);
    QVERIFY(doc.parametersJson().contains("45"));
    doc.setParameters({});
    QVERIFY(noValue(doc));
}

void tst_TemplateParameters::evaluatorRefusesOutOfRangeValue()
{
    // Azure refuses a value outside minValue/maxValue before it deploys; so does the reader.
    const QByteArray gateway = R"({ "parameters": { "timeout": { "type": "int", "maxValue": 100 } },
      "resources": [ { "type": "Microsoft.Network/applicationGateways", "name": "gw",
        "properties": { "backendHttpSettingsCollection": [ { "name": "s1", "properties": {
          "port": 80, "protocol": "Http", "requestTimeout": "[parameters('timeout')]" } } ] } } ] })";
    const ConfigDocument doc = ConfigDocument::fromJson(
        gateway, R"({ "parameters": { "timeout": { "value": 500 } } })");
    QStringList messages;
    for (const Diagnostic &d : doc.loadDiagnostics())
        messages << d.message;
    QVERIFY2(messages.join('\n').contains(QStringLiteral("above its maxValue 100")),
             qPrintable(messages.join('\n')));
}

QTEST_GUILESS_MAIN(tst_TemplateParameters)
#include "tst_templateparameters.moc"
