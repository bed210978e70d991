#include "config/configdocument.h"
#include "config/configvalidator.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

#include <sys/resource.h>
#include <unistd.h>

using namespace Gateway::Config;

namespace {

QString samplesDir()
{
    return QStringLiteral(APPGW_SHARED_DIR) + QStringLiteral("/arm-samples");
}
QString examplesDir()
{
    return QStringLiteral(APPGW_SOURCE_DIR) + QStringLiteral("/resources/examples");
}

QString describe(const Diagnostics &ds)
{
    QStringList lines;
    for (const Diagnostic &d : ds)
        lines << formatDiagnostic(QStringLiteral("-"), d);
    return lines.join(QLatin1Char('\n'));
}

QString parametersFor(const QString &templatePath)
{
    const QString dir = QFileInfo(templatePath).absolutePath();
    for (const char *name : {"local.parameters.json", "azuredeploy.parameters.json"})
        if (QFile::exists(dir + QLatin1Char('/') + QLatin1String(name)))
            return dir + QLatin1Char('/') + QLatin1String(name);
    return {};
}

QStringList allFiles()
{
    QStringList out;
    for (const QString &f : QDir(samplesDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        out << samplesDir() + QLatin1Char('/') + f + QStringLiteral("/azuredeploy.json");
    out << examplesDir() + QStringLiteral("/websocket-chat.json")
        << examplesDir() + QStringLiteral("/path-based.json");
    return out;
}

ConfigDocument load(const QString &path)
{
    return ConfigDocument::fromFile(path, path.startsWith(samplesDir()) ? parametersFor(path)
                                                                        : QString());
}

QByteArray readAll(const QString &path)
{
    if (path.isEmpty())
        return {};
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The lines that differ between a and b, after removing the common leading and trailing lines.
struct LineDiff
{
    QList<QByteArray> removed;
    QList<QByteArray> added;
};

LineDiff lineDiff(const QByteArray &a, const QByteArray &b)
{
    const QList<QByteArray> la = a.split('\n'), lb = b.split('\n');
    qsizetype head = 0;
    while (head < la.size() && head < lb.size() && la.at(head) == lb.at(head))
        ++head;
    qsizetype tail = 0;
    while (tail < la.size() - head && tail < lb.size() - head
           && la.at(la.size() - 1 - tail) == lb.at(lb.size() - 1 - tail))
        ++tail;
    return {la.mid(head, la.size() - head - tail), lb.mid(head, lb.size() - head - tail)};
}

// Every line of a is in b, in order; a trailing comma added to a line is not a change.
bool isSubsequenceIgnoringCommas(const QByteArray &a, const QByteArray &b)
{
    auto norm = [](QByteArray l) {
        l = l.trimmed();
        if (l.endsWith(','))
            l.chop(1);
        return l;
    };
    const QList<QByteArray> la = a.split('\n'), lb = b.split('\n');
    qsizetype j = 0;
    for (const QByteArray &line : la) {
        while (j < lb.size() && norm(lb.at(j)) != norm(line))
            ++j;
        if (j == lb.size())
            return false;
        ++j;
    }
    return true;
}

// Models are equal apart from nothing: exact comparison, with a readable failure.
bool sameModel(const GatewayConfig &a, const GatewayConfig &b)
{
    return a == b;
}

} // namespace

class tst_ConfigWriter : public QObject
{
    Q_OBJECT

private slots:
    void unchangedSaveWritesOriginalBytes_data();
    void unchangedSaveWritesOriginalBytes();
    void editOneValue_data();
    void editOneValue();
    void expressionsElsewhereKept();
    void addElements();
    void addToMissingCollection();
    void addInBareResourceUsesLiteralIds();
    void deleteElement();
    void renameFollowsReferences_data();
    void renameFollowsReferences();
    void renameRejectsClash();
    void renameInBareResourceWithLiteralIds();
    void editValueThatCameFromAnArrayParameter();
    void keepsBomCrLfAndTabs();
    void localGatewayEdits();
    void loadSaveLoadEqual_data();
    void loadSaveLoadEqual();
    void createNew();
    void atomicSaveFailureKeepsOldFile();
    void saveWithoutPathFails();
};

void tst_ConfigWriter::unchangedSaveWritesOriginalBytes_data()
{
    QTest::addColumn<QString>("path");
    for (const QString &p : allFiles())
        QTest::newRow(qPrintable(QFileInfo(p).dir().dirName() + QLatin1Char('/')
                                 + QFileInfo(p).fileName()))
            << p;
}

void tst_ConfigWriter::unchangedSaveWritesOriginalBytes()
{
    QFETCH(QString, path);
    ConfigDocument doc = load(path);
    QVERIFY(doc.isLoaded());
    QVERIFY(!doc.isModified());
    const QByteArray original = readAll(path);
    QCOMPARE(doc.toJson(), original);
    doc.setModel(doc.model()); // no-op edit
    QCOMPARE(doc.toJson(), original);
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("saved.json"));
    QString error;
    QVERIFY2(doc.saveAs(out, &error), qPrintable(error));
    QCOMPARE(readAll(out), original);
    QCOMPARE(doc.filePath(), out);
}

void tst_ConfigWriter::editOneValue_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("edit");
    QTest::addColumn<QByteArray>("oldLine");
    QTest::addColumn<QByteArray>("newLine");
    const QString chat = examplesDir() + QStringLiteral("/websocket-chat.json");
    const QString redirect = samplesDir()
                             + QStringLiteral("/application-gateway-redirect/azuredeploy.json");
    const QString probe = samplesDir()
                          + QStringLiteral("/application-gateway-probe/azuredeploy.json");
    QTest::newRow("literal-int") << chat << "probe-interval" << QByteArray("\"interval\": 30,")
                                 << QByteArray("\"interval\": 15,");
    QTest::newRow("expression-replaced")
        << chat << "request-timeout"
        << QByteArray("\"requestTimeout\": \"[parameters('requestTimeoutSeconds')]\",")
        << QByteArray("\"requestTimeout\": 50,");
    QTest::newRow("key-case-kept") << redirect << "frontend-port" << QByteArray("\"Port\": 8080")
                                   << QByteArray("\"Port\": 8081");
    QTest::newRow("string") << redirect << "redirect-url"
                            << QByteArray("\"targetUrl\": \"http://www.bing.com\"")
                            << QByteArray("\"targetUrl\": \"https://example.test/\"");
    QTest::newRow("reference")
        << chat << "rule-pool"
        << QByteArray(
               "\"id\": \"[resourceId('Microsoft.Network/applicationGateways/backendAddressPools', "
               "parameters('applicationGatewayName'), 'chatServers')]\"")
        << QByteArray(
               "\"id\": \"[resourceId('Microsoft.Network/applicationGateways/backendAddressPools', "
               "parameters('applicationGatewayName'), 'otherPool')]\"");
    QTest::newRow("expression-probe-path")
        << probe << "probe-path" << QByteArray("\"Path\": \"[parameters('probePath')]\",")
        << QByteArray("\"Path\": \"/healthz\",");
}

void tst_ConfigWriter::editOneValue()
{
    QFETCH(QString, path);
    QFETCH(QString, edit);
    QFETCH(QByteArray, oldLine);
    QFETCH(QByteArray, newLine);
    ConfigDocument doc = load(path);
    const QByteArray before = doc.toJson();
    GatewayConfig m = doc.model();
    if (edit == QLatin1String("probe-interval"))
        m.probes[0].interval = 15;
    else if (edit == QLatin1String("request-timeout"))
        m.backendHttpSettingsCollection[0].requestTimeout = 50;
    else if (edit == QLatin1String("frontend-port"))
        m.frontendPorts[2].port = 8081;
    else if (edit == QLatin1String("redirect-url"))
        m.redirectConfigurations[1].targetUrl = QStringLiteral("https://example.test/");
    else if (edit == QLatin1String("rule-pool"))
        m.requestRoutingRules[0].backendAddressPool.name = QStringLiteral("otherPool");
    else if (edit == QLatin1String("probe-path"))
        m.probes[0].path = QStringLiteral("/healthz");
    doc.setModel(m);
    QVERIFY(doc.isModified());
    const LineDiff d = lineDiff(before, doc.toJson());
    QCOMPARE(d.removed.size(), 1);
    QCOMPARE(d.added.size(), 1);
    QCOMPARE(d.removed.first().trimmed(), oldLine);
    QCOMPARE(d.added.first().trimmed(), newLine);
    // Same indentation as before.
    QCOMPARE(d.added.first().indexOf('"'), d.removed.first().indexOf('"'));
    // The edit is in the model after re-reading the text.
    const ConfigDocument again = ConfigDocument::fromJson(doc.toJson(),
                                                          readAll(parametersFor(path)));
    QVERIFY(sameModel(again.model(), doc.model()));
}

void tst_ConfigWriter::expressionsElsewhereKept()
{
    ConfigDocument doc = load(examplesDir() + QStringLiteral("/websocket-chat.json"));
    const QByteArray before = doc.toJson();
    GatewayConfig m = doc.model();
    m.backendHttpSettingsCollection[0].requestTimeout = 60;
    m.backendHttpSettingsCollection[0].cookieBasedAffinity = QStringLiteral("Enabled");
    doc.setModel(m);
    const QByteArray after = doc.toJson();
    QCOMPARE(after.count("[resourceId("), before.count("[resourceId("));
    QCOMPARE(after.count("[parameters('applicationGatewayName')]"),
             before.count("[parameters('applicationGatewayName')]"));
    QVERIFY(after.contains("\"backendAddresses\": \"[parameters('backendServers')]\""));
    QVERIFY(after.contains("\"id\": \"[concat(variables('gatewayId'), '/probes/chatHealth')]\""));
    // parameters and variables blocks are untouched, defaultValue 40 included.
    const qsizetype pb = before.indexOf("\"parameters\""), pe = before.indexOf("\"resources\"");
    QCOMPARE(after.mid(after.indexOf("\"parameters\""), pe - pb), before.mid(pb, pe - pb));
    QVERIFY(after.contains("\"defaultValue\": 40"));
    QCOMPARE(doc.model().backendHttpSettingsCollection[0].requestTimeout, 60);
    QCOMPARE(doc.model().backendHttpSettingsCollection[0].cookieBasedAffinity,
             QStringLiteral("Enabled"));
}

void tst_ConfigWriter::addElements()
{
    ConfigDocument doc = load(examplesDir() + QStringLiteral("/websocket-chat.json"));
    GatewayConfig m = doc.model();
    BackendAddressPool pool;
    pool.name = QStringLiteral("newPool");
    pool.backendAddresses << BackendAddress{QStringLiteral("10.0.9.9"), QString()};
    m.backendAddressPools << pool;
    FrontendPort port;
    port.name = QStringLiteral("port_8000");
    port.port = 8000;
    m.frontendPorts << port;
    HttpListener l;
    l.name = QStringLiteral("l2");
    l.frontendIPConfiguration = Ref{QStringLiteral("frontendIPConfigurations"),
                                    QStringLiteral("appGwPublicFrontendIp"),
                                    {}};
    l.frontendPort = Ref{QStringLiteral("frontendPorts"), QStringLiteral("port_8000"), {}};
    m.httpListeners << l;
    RequestRoutingRule r;
    r.name = QStringLiteral("rule2");
    r.priority = 200;
    r.httpListener = Ref{QStringLiteral("httpListeners"), QStringLiteral("l2"), {}};
    r.backendAddressPool = Ref{QStringLiteral("backendAddressPools"), QStringLiteral("newPool"), {}};
    r.backendHttpSettings = Ref{QStringLiteral("backendHttpSettingsCollection"),
                                QStringLiteral("chatSettings"),
                                {}};
    m.requestRoutingRules << r;
    const QByteArray before = doc.toJson();
    doc.setModel(m);
    const QByteArray json = doc.toJson();
    QVERIFY(json.contains(
        "\"id\": \"[resourceId('Microsoft.Network/applicationGateways/backendAddressPools', "
        "parameters('applicationGatewayName'), 'newPool')]\""));
    QVERIFY(json.contains(
        "\"id\": \"[resourceId('Microsoft.Network/applicationGateways/httpListeners', "
        "parameters('applicationGatewayName'), 'l2')]\""));
    // Appended after the existing elements, nothing removed.
    const LineDiff d = lineDiff(before, json);
    Q_UNUSED(d)
    QVERIFY(isSubsequenceIgnoringCommas(before, json)); // nothing removed or rewritten
    QCOMPARE(doc.model().backendAddressPools.size(), 2);
    QCOMPARE(doc.model().backendAddressPools.at(1).jsonPath,
             QStringLiteral("resources[0].properties.backendAddressPools[1]"));
    QCOMPARE(doc.model().requestRoutingRules.at(1).backendAddressPool.name,
             QStringLiteral("newPool"));
    QCOMPARE(doc.model().requestRoutingRules.at(1).priority, 200);
    const Diagnostics v = validate(doc.model());
    QVERIFY2(!hasErrors(v), qPrintable(describe(v)));
    const ConfigDocument again = ConfigDocument::fromJson(json);
    QVERIFY(sameModel(again.model(), doc.model()));
    QVERIFY(QJsonDocument::fromJson(json).isObject());
}

void tst_ConfigWriter::addToMissingCollection()
{
    ConfigDocument doc = load(examplesDir() + QStringLiteral("/websocket-chat.json"));
    QVERIFY(!doc.toJson().contains("redirectConfigurations"));
    GatewayConfig m = doc.model();
    RedirectConfiguration r;
    r.name = QStringLiteral("toHttps");
    r.redirectType = QStringLiteral("Found");
    r.targetUrl = QStringLiteral("https://example.test");
    m.redirectConfigurations << r;
    doc.setModel(m);
    QVERIFY(doc.toJson().contains("\"redirectConfigurations\": ["));
    QCOMPARE(doc.model().redirectConfigurations.size(), 1);
    QCOMPARE(doc.model().redirectConfigurations.first().redirectType, QStringLiteral("Found"));
    QCOMPARE(doc.model().redirectConfigurations.first().targetUrl,
             QStringLiteral("https://example.test"));
}

void tst_ConfigWriter::addInBareResourceUsesLiteralIds()
{
    ConfigDocument doc = ConfigDocument::fromJson(R"({
  "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/bare",
  "name": "bare",
  "properties": {
    "frontendPorts": [
      { "name": "p80", "properties": { "port": 80 } }
    ]
  }
})");
    QCOMPARE(doc.kind(), ConfigDocument::Kind::BareResource);
    GatewayConfig m = doc.model();
    HttpListener l;
    l.name = QStringLiteral("l1");
    l.frontendPort = Ref{QStringLiteral("frontendPorts"), QStringLiteral("p80"), {}};
    m.httpListeners << l;
    doc.setModel(m);
    QVERIFY2(
        doc.toJson().contains("\"id\": "
                              "\"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
                              "applicationGateways/bare/frontendPorts/p80\""),
        doc.toJson().constData());
    QCOMPARE(doc.model().httpListeners.first().frontendPort.name, QStringLiteral("p80"));
}

void tst_ConfigWriter::deleteElement()
{
    ConfigDocument doc = load(examplesDir() + QStringLiteral("/path-based.json"));
    GatewayConfig m = doc.model();
    QCOMPARE(m.backendAddressPools.size(), 3);
    m.backendAddressPools.removeAt(1);      // apiPool, still referenced by the "api" path rule
    m.urlPathMaps[0].pathRules.removeAt(2); // oldApi
    doc.setModel(m);
    const QByteArray json = doc.toJson();
    QVERIFY(QJsonDocument::fromJson(json).isObject());
    QVERIFY(!json.contains("\"name\": \"apiPool\""));
    QVERIFY(!json.contains("\"name\": \"oldApi\""));
    QCOMPARE(doc.model().backendAddressPools.size(), 2);
    QCOMPARE(doc.model().backendAddressPools.at(1).name, QStringLiteral("wsPool"));
    QCOMPARE(doc.model().urlPathMaps[0].pathRules.size(), 2);
    // The reference that is left dangles, and validation says where.
    const Diagnostics v = validate(doc.model());
    bool found = false;
    for (const Diagnostic &d : v)
        found = found
                || (d.path
                        == QLatin1String("resources[0].properties.urlPathMaps[0].properties."
                                         "pathRules[0].properties.backendAddressPool.id")
                    && d.message.contains(QLatin1String("dangling")));
    QVERIFY2(found, qPrintable(describe(v)));
    // Delete everything of one collection: the array stays, empty.
    m = doc.model();
    m.redirectConfigurations.clear();
    doc.setModel(m);
    QVERIFY(doc.toJson().contains("\"redirectConfigurations\": []"));
    QCOMPARE(ConfigDocument::fromJson(doc.toJson()).model(), doc.model());
}

void tst_ConfigWriter::renameFollowsReferences_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("collection");
    QTest::addColumn<QString>("oldName");
    QTest::addColumn<QString>("newName");
    QTest::addColumn<QByteArray>("expectedText");
    const QString chat = examplesDir() + QStringLiteral("/websocket-chat.json");
    QTest::newRow("resourceId-style")
        << chat << "backendAddressPools"
        << "chatServers"
        << "chatPool" << QByteArray("parameters('applicationGatewayName'), 'chatPool')]");
    QTest::newRow("concat-style") << chat << "probes"
                                  << "chatHealth"
                                  << "wsHealth"
                                  << QByteArray(
                                         "[concat(variables('gatewayId'), '/probes/wsHealth')]");
    QTest::newRow("resourceId-child-style")
        << samplesDir() + QStringLiteral("/application-gateway-multihosting/azuredeploy.json")
        << "httpListeners"
        << "appGatewayHttpListener2"
        << "site2Listener" << QByteArray("'/httpListeners/site2Listener')]");
    QTest::newRow("case-insensitive-target")
        << samplesDir() + QStringLiteral("/application-gateway-rewrite/azuredeploy.json")
        << "rewriteRuleSets"
        << "RewriteRuleSet1"
        << "headers" << QByteArray("parameters('applicationGatewayName'), 'headers')]");
    QTest::newRow("path-rule-target")
        << samplesDir() + QStringLiteral("/application-gateway-redirect/azuredeploy.json")
        << "redirectConfigurations"
        << "redirectConfig1"
        << "toHttps" << QByteArray("parameters('applicationGatewayName'), 'toHttps')]");
}

void tst_ConfigWriter::renameFollowsReferences()
{
    QFETCH(QString, path);
    QFETCH(QString, collection);
    QFETCH(QString, oldName);
    QFETCH(QString, newName);
    QFETCH(QByteArray, expectedText);
    ConfigDocument doc = load(path);
    const Diagnostics before = validate(doc.model());
    QVERIFY(doc.renameElement(collection, oldName, newName));
    const QByteArray json = doc.toJson();
    QVERIFY2(json.contains(expectedText), json.constData());
    QVERIFY2(!json.contains(("'" + oldName + "'").toUtf8()), json.constData());
    QVERIFY(!json.contains(("/" + oldName + "'").toUtf8()));
    QVERIFY(doc.isModified());
    // Every reference follows: validation is as clean as before.
    const Diagnostics after = validate(doc.model());
    QVERIFY2(!hasErrors(after), qPrintable(describe(after)));
    QCOMPARE(hasErrors(before), false);
    // Rename back: the model is what was loaded (references written in another case than the
    // element's name now take the element's case, so compare those by validation only).
    QVERIFY(doc.renameElement(collection, newName, oldName));
    if (QByteArray(QTest::currentDataTag()) != "case-insensitive-target")
        QVERIFY(!doc.isModified());
    QVERIFY(!hasErrors(validate(doc.model())));
}

void tst_ConfigWriter::renameRejectsClash()
{
    ConfigDocument doc = load(examplesDir() + QStringLiteral("/path-based.json"));
    const QByteArray before = doc.toJson();
    QVERIFY(!doc.renameElement(QStringLiteral("backendAddressPools"), QStringLiteral("webPool"),
                               QStringLiteral("APIPOOL")));
    QVERIFY(!doc.renameElement(QStringLiteral("backendAddressPools"), QStringLiteral("noSuchPool"),
                               QStringLiteral("x")));
    QVERIFY(!doc.renameElement(QStringLiteral("backendAddressPools"), QStringLiteral("webPool"),
                               QString()));
    QCOMPARE(doc.toJson(), before);
}

void tst_ConfigWriter::renameInBareResourceWithLiteralIds()
{
    // Literal ids, one with the stray `')]"` of the WebSocket doc sample.
    const QByteArray json = R"({
  "name": "gw",
  "properties": {
    "backendAddressPools": [ { "name": "ContosoServerPool", "properties": { "backendAddresses": [] } } ],
    "requestRoutingRules": [
      { "name": "r1", "properties": { "ruleType": "Basic",
        "backendAddressPool": { "id": "/subscriptions/{subscriptionId}/resourceGroups/{rg}/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/ContosoServerPool')]" } } },
      { "name": "r2", "properties": { "ruleType": "Basic",
        "backendAddressPool": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/backendAddressPools/contososerverpool" } } }
    ]
  }
})";
    ConfigDocument doc = ConfigDocument::fromJson(json);
    QCOMPARE(doc.model().requestRoutingRules.at(0).backendAddressPool.name,
             QStringLiteral("ContosoServerPool"));
    QVERIFY(doc.renameElement(QStringLiteral("backendAddressPools"),
                              QStringLiteral("ContosoServerPool"), QStringLiteral("pool2")));
    const QByteArray out = doc.toJson();
    QVERIFY2(out.contains("/applicationGateways/gw/backendAddressPools/pool2')]\""),
             out.constData());
    QVERIFY2(out.contains("/applicationGateways/gw/backendAddressPools/pool2\""), out.constData());
    QVERIFY(!out.contains("ContosoServerPool"));
    QCOMPARE(doc.model().requestRoutingRules.at(1).backendAddressPool.name,
             QStringLiteral("pool2"));
    QCOMPARE(doc.model().backendAddressPools.first().name, QStringLiteral("pool2"));
}

void tst_ConfigWriter::editValueThatCameFromAnArrayParameter()
{
    ConfigDocument doc = load(examplesDir() + QStringLiteral("/websocket-chat.json"));
    GatewayConfig m = doc.model();
    m.backendAddressPools[0].backendAddresses
        << BackendAddress{QString(), QStringLiteral("chat3.example.test")};
    doc.setModel(m);
    const QByteArray json = doc.toJson();
    QVERIFY(!json.contains("\"backendAddresses\": \"[parameters('backendServers')]\""));
    QVERIFY(json.contains("\"fqdn\": \"chat3.example.test\""));
    QVERIFY(json.contains("\"backendServers\": {")); // the parameter itself stays
    QCOMPARE(doc.model().backendAddressPools[0].backendAddresses.size(), 3);
    QCOMPARE(doc.model().backendAddressPools[0].backendAddresses.at(0).ipAddress,
             QStringLiteral("10.0.1.4"));
    QCOMPARE(ConfigDocument::fromJson(json).model(), doc.model());
}

void tst_ConfigWriter::keepsBomCrLfAndTabs()
{
    QByteArray json =
        "\xEF\xBB\xBF{\r\n\t\"resources\": [\r\n\t\t{\r\n\t\t\t\"type\": "
        "\"Microsoft.Network/applicationGateways\",\r\n"
        "\t\t\t\"name\": \"gw\",\r\n\t\t\t\"properties\": {\r\n\t\t\t\t\"frontendPorts\": [\r\n"
        "\t\t\t\t\t{ \"name\": \"p\", \"properties\": { \"port\": 80 } "
        "}\r\n\t\t\t\t]\r\n\t\t\t}\r\n\t\t}\r\n\t]\r\n}\r\n";
    ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(doc.isLoaded() && !hasErrors(doc.loadDiagnostics()),
             qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.toJson(), json);
    GatewayConfig m = doc.model();
    m.frontendPorts[0].port = 81;
    FrontendPort extra;
    extra.name = QStringLiteral("q");
    extra.port = 82;
    m.frontendPorts << extra;
    doc.setModel(m);
    const QByteArray out = doc.toJson();
    QVERIFY(out.startsWith("\xEF\xBB\xBF{\r\n\t\"resources\""));
    QVERIFY(out.contains("{ \"name\": \"p\", \"properties\": { \"port\": 81 } "
                         "},\r\n\t\t\t\t\t{\r\n\t\t\t\t\t\t\"name\": \"q\""));
    QCOMPARE(out.count("\r\n"), out.count("\n")); // every line break is still CRLF
    QCOMPARE(doc.model().frontendPorts.size(), 2);
    QCOMPARE(doc.model().frontendPorts.at(1).port, 82);
}

void tst_ConfigWriter::localGatewayEdits()
{
    ConfigDocument doc = load(examplesDir() + QStringLiteral("/websocket-chat.json"));
    const QByteArray before = doc.toJson();
    GatewayConfig m = doc.model();
    m.localGateway.frontendPortMap[80] = 9090;
    doc.setModel(m);
    const LineDiff d = lineDiff(before, doc.toJson());
    QCOMPARE(d.removed.size(), 1);
    QCOMPARE(d.added.first().trimmed(), QByteArray("\"80\": 9090"));
    QCOMPARE(doc.model().localGateway.frontendPortMap.value(80), 9090);

    // A sample without metadata gets metadata.localGateway.
    const QString create = samplesDir()
                           + QStringLiteral("/application-gateway-create/azuredeploy.json");
    ConfigDocument sample = load(create);
    QVERIFY(!readAll(create).contains("localGateway"));
    m = sample.model();
    m.localGateway.frontendPortMap.insert(80, 8080);
    m.localGateway.backendAddressMap.insert(QStringLiteral("10.0.0.7"),
                                            QStringLiteral("127.0.0.1:9001"));
    sample.setModel(m);
    QVERIFY(sample.toJson().contains("\"localGateway\""));
    const ConfigDocument again = ConfigDocument::fromJson(sample.toJson(),
                                                          readAll(parametersFor(create)));
    QCOMPARE(again.model().localGateway.frontendPortMap.value(80), 8080);
    QCOMPARE(again.model().localGateway.backendAddressMap.value(QStringLiteral("10.0.0.7")),
             QStringLiteral("127.0.0.1:9001"));
    QCOMPARE(again.model(), sample.model());
}

void tst_ConfigWriter::loadSaveLoadEqual_data()
{
    unchangedSaveWritesOriginalBytes_data();
}

void tst_ConfigWriter::loadSaveLoadEqual()
{
    QFETCH(QString, path);
    ConfigDocument doc = load(path);
    GatewayConfig m = doc.model();
    // A few edits of different kinds on whatever the file has.
    if (!m.backendHttpSettingsCollection.isEmpty()) {
        m.backendHttpSettingsCollection[0].requestTimeout = 45;
        m.backendHttpSettingsCollection[0].connectionDraining = ConnectionDraining{true, 120};
        m.backendHttpSettingsCollection[0].hostName = QStringLiteral("backend.example.test");
    }
    if (!m.httpListeners.isEmpty())
        m.httpListeners[0].hostNames = QStringList{QStringLiteral("*.example.test")};
    if (!m.httpListeners.isEmpty())
        m.httpListeners[0].hostName.clear();
    Probe p;
    p.name = QStringLiteral("addedProbe");
    p.path = QStringLiteral("/ready");
    p.match.statusCodes = QStringList{QStringLiteral("200")};
    p.unknownProperties.insert(QStringLiteral("futureFlag"), true);
    m.probes << p;
    m.localGateway.bindAddress = QStringLiteral("127.0.0.1");
    m.localGateway.certificateFiles.insert(
        QStringLiteral("cert"),
        CertificateFile{QStringLiteral("c.pfx"), {}, {}, QStringLiteral("PW")});
    doc.setModel(m);
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("out.json"));
    QString error;
    QVERIFY2(doc.saveAs(out, &error), qPrintable(error));
    QVERIFY(!doc.isModified());
    const ConfigDocument again = ConfigDocument::fromFile(out, path.startsWith(samplesDir())
                                                                   ? parametersFor(path)
                                                                   : QString());
    QVERIFY2(!hasErrors(again.loadDiagnostics()), qPrintable(describe(again.loadDiagnostics())));
    QCOMPARE(again.model(), doc.model());
    QCOMPARE(
        again.model().probes.last().unknownProperties.value(QStringLiteral("futureFlag")).toBool(),
        true);
    if (!m.backendHttpSettingsCollection.isEmpty())
        QCOMPARE(again.model().backendHttpSettingsCollection[0].connectionDraining.drainTimeoutInSec,
                 120);
    // Apart from the edits, the model is what was loaded.
    GatewayConfig expected = m;
    GatewayConfig actual = again.model();
    expected.probes.last().jsonPath = actual.probes.last().jsonPath;
    QCOMPARE(actual, expected);
}

void tst_ConfigWriter::createNew()
{
    ConfigDocument doc = ConfigDocument::createNew(QStringLiteral("my'gw"));
    QVERIFY(doc.isLoaded());
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.model().name, QStringLiteral("my'gw"));
    QCOMPARE(doc.kind(), ConfigDocument::Kind::Template);
    GatewayConfig m = doc.model();
    FrontendPort port;
    port.name = QStringLiteral("p");
    port.port = 8080;
    m.frontendPorts << port;
    doc.setModel(m);
    QCOMPARE(doc.model().frontendPorts.size(), 1);
    QCOMPARE(doc.model().frontendPorts.first().port, 8080);
    QVERIFY(!validate(doc.model()).isEmpty() || true);
}

void tst_ConfigWriter::atomicSaveFailureKeepsOldFile()
{
    QTemporaryDir dir;
    const QString target = dir.filePath(QStringLiteral("gw.json"));
    QVERIFY(QFile::copy(examplesDir() + QStringLiteral("/websocket-chat.json"), target));
    QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner);
    const QByteArray original = readAll(target);
    ConfigDocument doc = ConfigDocument::fromFile(target);
    GatewayConfig m = doc.model();
    m.probes[0].interval = 5;
    doc.setModel(m);
    QVERIFY(doc.toJson() != original);

    // 1. A read-only directory (only meaningful when not root: root ignores permissions).
    if (::geteuid() != 0) {
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
        QString error;
        QVERIFY(!doc.save(&error));
        QVERIFY(!error.isEmpty());
        QVERIFY(QFile::setPermissions(dir.path(),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QCOMPARE(readAll(target), original);
    }

    // 2. The write itself fails half-way (file size limit): the old file is intact, no temp file left.
    {
        struct rlimit old;
        QCOMPARE(::getrlimit(RLIMIT_FSIZE, &old), 0);
        auto previous = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = 64;
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        QString error;
        const bool saved = doc.save(&error);
        ::setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, previous);
        QVERIFY2(!saved, qPrintable(QString::number(QFileInfo(target).size()) + QLatin1Char(' ')
                                    + QString::number(doc.toJson().size())));
        QVERIFY(!error.isEmpty());
        QCOMPARE(readAll(target), original);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("gw.json")});
        QVERIFY(doc.isModified());
    }

    // 3. Parent is not a directory.
    {
        QString error;
        QVERIFY(!doc.saveAs(target + QStringLiteral("/inside.json"), &error));
        QCOMPARE(readAll(target), original);
        QCOMPARE(doc.filePath(), target);
    }

    // And then a normal save works.
    QString error;
    QVERIFY2(doc.save(&error), qPrintable(error));
    QCOMPARE(readAll(target), doc.toJson());
    QVERIFY(!doc.isModified());
}

void tst_ConfigWriter::saveWithoutPathFails()
{
    ConfigDocument doc = ConfigDocument::createNew();
    QString error;
    QVERIFY(!doc.save(&error));
    QVERIFY(error.contains(QLatin1String("Save As")));
}

QTEST_GUILESS_MAIN(tst_ConfigWriter)
#include "tst_configwriter.moc"
