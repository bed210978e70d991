#include "config/configdocument.h"
#include "config/configvalidator.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QtTest>

using namespace Gateway::Config;

namespace {

QString samplesDir()
{
    return QStringLiteral(APPGW_SHARED_DIR) + QStringLiteral("/arm-samples");
}

QString describe(const Diagnostics &ds)
{
    QStringList lines;
    for (const Diagnostic &d : ds)
        lines << formatDiagnostic(QStringLiteral("-"), d);
    return lines.join(QLatin1Char('\n'));
}

QString parametersFor(const QString &folder)
{
    const QString local = samplesDir() + QLatin1Char('/') + folder
                          + QStringLiteral("/local.parameters.json");
    if (QFile::exists(local))
        return local;
    const QString az = samplesDir() + QLatin1Char('/') + folder
                       + QStringLiteral("/azuredeploy.parameters.json");
    return QFile::exists(az) ? az : QString();
}

ConfigDocument loadSample(const QString &folder)
{
    return ConfigDocument::fromFile(samplesDir() + QLatin1Char('/') + folder
                                        + QStringLiteral("/azuredeploy.json"),
                                    parametersFor(folder));
}

const Diagnostic *findDiagnostic(const Diagnostics &ds, const QString &path, const QString &fragment)
{
    for (const Diagnostic &d : ds)
        if (d.path == path && d.message.contains(fragment, Qt::CaseInsensitive))
            return &d;
    return nullptr;
}

// A minimal template around one gateway "properties" object (JSON text).
QByteArray templateWith(const QByteArray &properties, const QByteArray &parameters = "{}",
                        const QByteArray &variables = "{}")
{
    return "{ \"parameters\": " + parameters + ", \"variables\": " + variables
           + ", \"resources\": [ { \"type\": \"Microsoft.Network/publicIPAddresses\", \"name\": "
             "\"[reference('x').y]\" },"
             " { \"type\": \"Microsoft.Network/applicationGateways\", \"name\": \"gw\", "
             "\"properties\": "
           + properties + " } ] }";
}

} // namespace

class tst_ConfigReader : public QObject
{
    Q_OBJECT

private slots:
    void everySampleLoads_data();
    void everySampleLoads();
    void sampleValues();
    void idStyles_data();
    void idStyles();
    void caseInsensitiveKeys();
    void bareResource();
    void parametersOverrideDefaults();
    void expressions_data();
    void expressions();
    void brokenFiles_data();
    void brokenFiles();
    void unknownPropertiesKept();
    void localGateway();
    void lookupsAreCaseInsensitive();
    void examplesLoad_data();
    void examplesLoad();
    void hostileInputDoesNotCrash();
};

void tst_ConfigReader::everySampleLoads_data()
{
    QTest::addColumn<QString>("folder");
    const QStringList folders = QDir(samplesDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QVERIFY(folders.size() >= 6);
    for (const QString &f : folders)
        QTest::newRow(qPrintable(f)) << f;
}

void tst_ConfigReader::everySampleLoads()
{
    QFETCH(QString, folder);
    const ConfigDocument doc = loadSample(folder);
    QVERIFY2(doc.isLoaded(), qPrintable(describe(doc.loadDiagnostics())));
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    const Diagnostics v = validate(doc.model());
    QVERIFY2(!hasErrors(v), qPrintable(describe(v)));
    QVERIFY(!doc.model().httpListeners.isEmpty());
    QVERIFY(!doc.model().requestRoutingRules.isEmpty());
    QCOMPARE(doc.kind(), ConfigDocument::Kind::Template);
    // Every reference resolves to a collection the gateway has.
    for (const RequestRoutingRule &r : doc.model().requestRoutingRules) {
        QVERIFY(doc.model().httpListener(r.httpListener.name));
        QCOMPARE(r.httpListener.collection, QStringLiteral("httpListeners"));
    }
}

void tst_ConfigReader::sampleValues()
{
    {
        const ConfigDocument doc = loadSample(QStringLiteral("application-gateway-create"));
        const GatewayConfig &c = doc.model();
        QCOMPARE(c.name, QStringLiteral("GEN-UNIQUE"));
        QCOMPARE(c.location, QStringLiteral("local"));
        QCOMPARE(c.gatewayJsonPath, QStringLiteral("resources[2]"));
        QCOMPARE(c.frontendPorts.size(), 1);
        QCOMPARE(c.frontendPorts.first().name, QStringLiteral("appGatewayFrontendPort"));
        QCOMPARE(c.frontendPorts.first().port, 80);
        QCOMPARE(c.frontendPorts.first().jsonPath,
                 QStringLiteral("resources[2].properties.frontendPorts[0]"));
        const BackendAddressPool *pool = c.backendAddressPool(
            QStringLiteral("appGatewayBackendPool"));
        QVERIFY(pool);
        QVERIFY(pool->backendAddresses.size() >= 2); // an array parameter
        QCOMPARE(pool->backendAddresses.first().ipAddress, QStringLiteral("10.0.0.7"));
        QCOMPARE(c.requestRoutingRules.first().priority, 1);
        QCOMPARE(c.requestRoutingRules.first().backendHttpSettings.name,
                 QStringLiteral("appGatewayBackendHttpSettings"));
        QCOMPARE(c.backendHttpSettingsCollection.first().cookieBasedAffinity,
                 QStringLiteral("Disabled"));
    }
    {
        const ConfigDocument doc = loadSample(QStringLiteral("application-gateway-multihosting"));
        const GatewayConfig &c = doc.model();
        QCOMPARE(c.name, QStringLiteral("applicationGateway1"));
        QCOMPARE(c.httpListeners.size(), 2);
        const HttpListener *l2 = c.httpListener(QStringLiteral("appGatewayHttpListener2"));
        QVERIFY(l2);
        QCOMPARE(l2->protocol, QStringLiteral("Https"));
        QCOMPARE(l2->frontendPort.name, QStringLiteral("appGatewayFrontendPort2"));
        QCOMPARE(l2->frontendPort.collection, QStringLiteral("frontendPorts"));
        QCOMPARE(l2->sslCertificate.collection, QStringLiteral("sslCertificates"));
        QCOMPARE(c.frontendPort(l2->frontendPort.name)->port, 444);
        QCOMPARE(c.httpListeners.first().hostName, QStringLiteral("site1.example.test"));
        QCOMPARE(c.sslCertificates.first().password, QStringLiteral("appgwsample1"));
        QVERIFY(c.sslCertificates.first().data.startsWith(QStringLiteral("MIIK")));
    }
    {
        const ConfigDocument doc = loadSample(QStringLiteral("application-gateway-probe"));
        const GatewayConfig &c = doc.model();
        QCOMPARE(c.probes.size(), 1);
        const Probe &p = c.probes.first();
        QCOMPARE(p.name, QStringLiteral("Probe1"));
        QCOMPARE(p.host, QStringLiteral("probehost.contoso.com"));
        QCOMPARE(p.path, QStringLiteral("/"));
        QCOMPARE(p.interval, 30);
        QCOMPARE(p.timeout, 20);
        QCOMPARE(p.unhealthyThreshold, 3);
        QCOMPARE(p.match.statusCodes, QStringList{QStringLiteral("200-399")});
        QCOMPARE(c.backendHttpSettingsCollection.first().probe.name, QStringLiteral("Probe1"));
        QVERIFY(c.backendHttpSettingsCollection.first().probeEnabled);
    }
    {
        const ConfigDocument doc = loadSample(QStringLiteral("application-gateway-redirect"));
        const GatewayConfig &c = doc.model();
        QCOMPARE(c.name, QStringLiteral("basicRedirectGw"));
        QCOMPARE(c.redirectConfigurations.size(), 2);
        QCOMPARE(c.redirectConfigurations.at(0).name,
                 QStringLiteral("redirectConfig1")); // "Name" key
        QCOMPARE(c.redirectConfigurations.at(0).redirectType, QStringLiteral("Temporary"));
        QCOMPARE(c.redirectConfigurations.at(0).targetListener.name,
                 QStringLiteral("appGatewayHttpsListener1"));
        QCOMPARE(c.redirectConfigurations.at(1).targetUrl, QStringLiteral("http://www.bing.com"));
        QCOMPARE(c.urlPathMaps.first().pathRules.first().paths, QStringList{QStringLiteral("/*")});
        QCOMPARE(c.requestRoutingRules.at(2).ruleType, QStringLiteral("PathBasedRouting"));
        QCOMPARE(c.skuCapacity, 1);
        QCOMPARE(c.skuName, QStringLiteral("Standard_Medium"));
    }
    {
        const ConfigDocument doc = loadSample(QStringLiteral("application-gateway-rewrite"));
        const GatewayConfig &c = doc.model();
        QCOMPARE(c.name, QStringLiteral("local-rg-appgw"));
        QCOMPARE(c.rewriteRuleSets.size(), 1);
        const RewriteRule &r = c.rewriteRuleSets.first().rewriteRules.first();
        QCOMPARE(r.name, QStringLiteral("RWRule1"));
        QCOMPARE(r.requestHeaderConfigurations.first().headerName,
                 QStringLiteral("Accept-Charset"));
        QCOMPARE(r.responseHeaderConfigurations.first().headerValue,
                 QStringLiteral("text/html; charset=utf-8"));
        // The rule refers to 'rewriteRuleSet1', the set is named 'RewriteRuleSet1'.
        QVERIFY(c.rewriteRuleSet(c.requestRoutingRules.first().rewriteRuleSet.name));
        QCOMPARE(c.backendAddressPools.first().backendAddresses.first().ipAddress,
                 QStringLiteral("10.0.1.13"));
        QVERIFY(c.backendHttpSettingsCollection.first().pickHostNameFromBackendAddress);
    }
    {
        const ConfigDocument doc = loadSample(
            QStringLiteral("application-gateway-url-path-based-routing"));
        const GatewayConfig &c = doc.model();
        QCOMPARE(c.urlPathMaps.size(), 1);
        const UrlPathMap &m = c.urlPathMaps.first();
        QCOMPARE(m.defaultBackendAddressPool.name, QStringLiteral("appGatewayBackendPoolDefault"));
        QCOMPARE(m.pathRules.size(), 2);
        QCOMPARE(m.pathRules.at(0).paths, QStringList{QStringLiteral("/images*")});
        QCOMPARE(m.pathRules.at(1).paths, QStringList{QStringLiteral("/videos*")});
        QCOMPARE(m.pathRules.at(1).backendAddressPool.name,
                 QStringLiteral("appGatewayBackendPool2"));
        QCOMPARE(c.backendAddressPool(QStringLiteral("appGatewayBackendPool1"))
                     ->backendAddresses.first()
                     .ipAddress,
                 QStringLiteral("10.0.1.11"));
        QCOMPARE(m.pathRules.at(0).jsonPath,
                 QStringLiteral("resources[2].properties.urlPathMaps[0].properties.pathRules[0]"));
    }
}

void tst_ConfigReader::idStyles_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("collection");
    QTest::addColumn<QString>("name");
    QTest::newRow("resourceId") << "[resourceId('Microsoft.Network/applicationGateways/"
                                   "frontendPorts', parameters('gw'), 'port_80')]"
                                << "frontendPorts"
                                << "port_80";
    QTest::newRow("concat") << "[concat(variables('gwId'), '/frontendPorts/port_80')]"
                            << "frontendPorts"
                            << "port_80";
    QTest::newRow("literal") << "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/"
                                "applicationGateways/gw/frontendPorts/port_80"
                             << "frontendPorts"
                             << "port_80";
    QTest::newRow("literal-with-garbage")
        << "/subscriptions/{s}/resourceGroups/{r}/providers/Microsoft.Network/applicationGateways/"
           "{g}/frontendPorts/port_80')]"
        << "frontendPorts"
        << "port_80";
    QTest::newRow("format") << "[format('{0}/frontendPorts/{1}', variables('gwId'), 'port_80')]"
                            << "frontendPorts"
                            << "port_80";
    QTest::newRow("settings-list-alias")
        << "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw/"
           "backendHttpSettingsList/s1"
        << "backendHttpSettingsCollection"
        << "s1";
    QTest::newRow("path-rule") << "[resourceId('Microsoft.Network/applicationGateways/urlPathMaps/"
                                  "pathRules', parameters('gw'), 'map1', 'rule1')]"
                               << "urlPathMaps/map1/pathRules"
                               << "rule1";
    QTest::newRow("mixed-case-collection")
        << "[concat(variables('gwId'), '/FrontendPorts/port_80')]"
        << "frontendPorts"
        << "port_80";
}

void tst_ConfigReader::idStyles()
{
    QFETCH(QString, id);
    QFETCH(QString, collection);
    QFETCH(QString, name);
    QString escaped = id;
    const QByteArray props =
        "{ \"httpListeners\": [ { \"name\": \"l\", \"properties\": { \"frontendPort\": { \"id\": "
        + QJsonDocument(QJsonArray{escaped}).toJson(QJsonDocument::Compact).mid(1).chopped(1)
        + " } } } ] }";
    const QByteArray json = templateWith(
        props, "{ \"gw\": { \"type\": \"string\", \"defaultValue\": \"gw\" } }",
        "{ \"gwId\": \"[resourceId('Microsoft.Network/applicationGateways', parameters('gw'))]\" "
        "}");
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    const Ref &r = doc.model().httpListeners.first().frontendPort;
    QCOMPARE(r.collection, collection);
    QCOMPARE(r.name, name);
}

void tst_ConfigReader::caseInsensitiveKeys()
{
    const QByteArray json = templateWith(R"({
        "FrontendPorts": [ { "Name": "p", "Properties": { "PORT": 8080 } } ],
        "BackendAddressPools": [ { "name": "pool", "properties": { "BackendAddresses": [ { "IpAddress": "10.0.0.1" }, { "FQDN": "a.example" } ] } } ],
        "backendHttpSettingsCollection": [ { "name": "s", "properties": { "Port": 81, "RequestTimeout": 45, "CookieBasedAffinity": "Enabled" } } ],
        "HttpListeners": [ { "name": "l", "properties": { "FrontendPort": { "Id": "/x/applicationGateways/gw/frontendPorts/P" }, "Protocol": "Http" } } ],
        "RequestRoutingRules": [ { "Name": "r", "properties": { "RuleType": "Basic", "HttpListener": { "ID": "/x/applicationGateways/gw/httpListeners/L" } } } ]
    })");
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    const GatewayConfig &c = doc.model();
    QCOMPARE(c.frontendPorts.first().name, QStringLiteral("p"));
    QCOMPARE(c.frontendPorts.first().port, 8080);
    QCOMPARE(c.backendAddressPools.first().backendAddresses.size(), 2);
    QCOMPARE(c.backendAddressPools.first().backendAddresses.at(1).fqdn,
             QStringLiteral("a.example"));
    QCOMPARE(c.backendHttpSettingsCollection.first().port, 81);
    QCOMPARE(c.backendHttpSettingsCollection.first().requestTimeout, 45);
    QCOMPARE(c.backendHttpSettingsCollection.first().cookieBasedAffinity,
             QStringLiteral("Enabled"));
    QCOMPARE(c.httpListeners.first().frontendPort.name, QStringLiteral("P"));
    QVERIFY(c.frontendPort(c.httpListeners.first().frontendPort.name));
    QCOMPARE(c.requestRoutingRules.first().httpListener.name, QStringLiteral("L"));
    QVERIFY(c.httpListener(QStringLiteral("L")));
}

void tst_ConfigReader::bareResource()
{
    const QByteArray json = R"({
      "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/bare",
      "name": "bare", "location": "westeurope", "type": "Microsoft.Network/applicationGateways",
      "metadata": { "localGateway": { "frontendPortMap": { "80": 8088 } } },
      "properties": {
        "sku": { "name": "Standard_v2", "tier": "Standard_v2" },
        "frontendIPConfigurations": [ { "name": "fip", "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/bare/frontendIPConfigurations/fip", "properties": { "privateIPAllocationMethod": "Dynamic" } } ],
        "frontendPorts": [ { "name": "port_80", "properties": { "port": 80, "provisioningState": "Succeeded" } } ],
        "httpListeners": [ { "name": "l1", "properties": {
            "frontendIPConfiguration": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/bare/frontendIPConfigurations/fip" },
            "frontendPort": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/bare/frontendPorts/port_80" },
            "protocol": "Http" } } ]
      }
    })";
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.kind(), ConfigDocument::Kind::BareResource);
    const GatewayConfig &c = doc.model();
    QCOMPARE(c.name, QStringLiteral("bare"));
    QCOMPARE(c.location, QStringLiteral("westeurope"));
    QCOMPARE(c.gatewayJsonPath, QString());
    QCOMPARE(c.frontendPorts.first().jsonPath, QStringLiteral("properties.frontendPorts[0]"));
    QCOMPARE(c.httpListeners.first().frontendPort.name, QStringLiteral("port_80"));
    QCOMPARE(c.localGateway.frontendPortMap.value(80), 8088);
    QCOMPARE(c.frontendPorts.first()
                 .unknownProperties.value(QStringLiteral("provisioningState"))
                 .toString(),
             QStringLiteral("Succeeded"));
}

void tst_ConfigReader::parametersOverrideDefaults()
{
    const QByteArray json = templateWith(
        R"({ "frontendPorts": [ { "name": "p", "properties": { "port": "[parameters('port')]" } } ],
        "backendAddressPools": [ { "name": "[parameters('poolName')]", "properties": {} } ] })",
        R"({ "port": { "type": "int", "defaultValue": 80 }, "poolName": { "type": "string", "defaultValue": "pool" } })");
    const ConfigDocument defaults = ConfigDocument::fromJson(json);
    QCOMPARE(defaults.model().frontendPorts.first().port, 80);
    QCOMPARE(defaults.model().backendAddressPools.first().name, QStringLiteral("pool"));
    const ConfigDocument overridden = ConfigDocument::fromJson(
        json, R"({ "$schema": "x", "parameters": { "port": { "value": 8081 } } })");
    QVERIFY2(!hasErrors(overridden.loadDiagnostics()),
             qPrintable(describe(overridden.loadDiagnostics())));
    QCOMPARE(overridden.model().frontendPorts.first().port, 8081);
    QCOMPARE(overridden.model().backendAddressPools.first().name, QStringLiteral("pool"));
    // A value for a parameter the template does not declare is a warning, not an error.
    const ConfigDocument extra = ConfigDocument::fromJson(
        json, R"({ "parameters": { "port": { "value": 81 }, "nope": { "value": 1 } } })");
    QVERIFY(!hasErrors(extra.loadDiagnostics()));
    QVERIFY(findDiagnostic(extra.loadDiagnostics(), QStringLiteral("parameters.nope"),
                           QStringLiteral("does not declare")));
}

void tst_ConfigReader::expressions_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("expected");
    QTest::newRow("literal") << "plain"
                             << "plain";
    QTest::newRow("escaped-bracket") << "[[not an expression]"
                                     << "[not an expression]";
    QTest::newRow("quote-escape") << "[concat('it''s', ' ok')]"
                                  << "it's ok";
    QTest::newRow("nested") << "[toUpper(concat(parameters('a'), '-', variables('v')))]"
                            << "A-VAR-A";
    QTest::newRow("property") << "[resourceGroup().location]"
                              << "local";
    QTest::newRow("rg-name") << "[resourceGroup().name]"
                             << "local-rg";
    QTest::newRow("index") << "[parameters('list')[1]]"
                           << "two";
    QTest::newRow("index-property") << "[parameters('objs')[0].name]"
                                    << "first";
    QTest::newRow("format") << "[format('{0}:{1}', 'h', 8080)]"
                            << "h:8080";
    QTest::newRow("if") << "[if(equals(parameters('a'), 'a'), 'yes', 'no')]"
                        << "yes";
    QTest::newRow("empty-length") << "[string(length(parameters('list')))]"
                                  << "3";
    QTest::newRow("empty") << "[string(empty(''))]"
                           << "True";
    QTest::newRow("replace") << "[replace('a-b-c', '-', '.')]"
                             << "a.b.c";
    QTest::newRow("base64") << "[base64('hello')]"
                            << "aGVsbG8=";
    QTest::newRow("int-bool") << "[string(add(int('40'), 2))]"
                              << "42";
    QTest::newRow("bool") << "[string(bool('true'))]"
                          << "True";
    QTest::newRow("toLower") << "[toLower('ABC')]"
                             << "abc";
    QTest::newRow("subscription") << "[subscription().subscriptionId]"
                                  << "00000000-0000-0000-0000-000000000000";
    QTest::newRow("resourceId")
        << "[resourceId('Microsoft.Network/applicationGateways/frontendPorts', 'gw', 'p')]"
        << "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local-rg/providers/"
           "Microsoft.Network/applicationGateways/gw/frontendPorts/p";
    QTest::newRow("resourceId-rg")
        << "[resourceId('other-rg', 'Microsoft.Network/publicIPAddresses', 'ip')]"
        << "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other-rg/providers/"
           "Microsoft.Network/publicIPAddresses/ip";
    QTest::newRow("resourceId-sub-rg")
        << "[resourceId('sub1', 'rg1', 'Microsoft.Network/publicIPAddresses', 'ip')]"
        << "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/publicIPAddresses/"
           "ip";
    QTest::newRow("concat-arrays")
        << "[string(length(concat(parameters('list'), createArray('x'))))]"
        << "4";
    QTest::newRow("spaces") << "[ concat( 'a' , 'b' ) ]"
                            << "ab";
}

void tst_ConfigReader::expressions()
{
    QFETCH(QString, expression);
    QFETCH(QString, expected);
    const QByteArray props =
        "{ \"backendAddressPools\": [ { \"name\": "
        + QJsonDocument(QJsonArray{expression}).toJson(QJsonDocument::Compact).mid(1).chopped(1)
        + " } ] }";
    const ConfigDocument doc = ConfigDocument::fromJson(templateWith(
        props,
        R"({ "a": { "type": "string", "defaultValue": "a" }, "list": { "type": "array", "defaultValue": ["one", "two", "three"] },
             "objs": { "type": "array", "defaultValue": [ { "name": "first" } ] } })",
        R"({ "v": "[concat('var-', parameters('a'))]" })"));
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.model().backendAddressPools.first().name, expected);
}

void tst_ConfigReader::brokenFiles_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("parameters");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("fragment");
    QTest::addColumn<bool>("loaded");
    QTest::newRow("invalid-json") << QByteArray("{ \"resources\": [ }") << QByteArray() << QString()
                                  << "invalid JSON at line 1" << false;
    QTest::newRow("not-an-object")
        << QByteArray("[1, 2]") << QByteArray() << QString() << "expected a JSON object" << false;
    QTest::newRow("no-gateway") << QByteArray(
        "{ \"resources\": [ { \"type\": \"Microsoft.Network/publicIPAddresses\" } ] }")
                                << QByteArray() << "resources"
                                << "no Microsoft.Network/applicationGateways" << false;
    QTest::newRow("neither") << QByteArray("{ \"hello\": 1 }") << QByteArray() << QString()
                             << "neither an ARM template" << false;
    QTest::newRow("unknown-function") << templateWith(
        R"({ "frontendPorts": [ { "name": "p", "properties": { "port": "[frobnicate(1)]" } } ] })")
                                      << QByteArray()
                                      << "resources[1].properties.frontendPorts[0].properties.port"
                                      << "template function 'frobnicate' is not valid" << true;
    QTest::newRow("missing-parameter") << templateWith(
        R"({ "frontendPorts": [ { "name": "p", "properties": { "port": "[parameters('port')]" } } ] })",
        R"({ "port": { "type": "int" } })")
                                       << QByteArray()
                                       << "resources[1].properties.frontendPorts[0].properties.port"
                                       << "parameter 'port' has no value" << true;
    QTest::newRow("undeclared-parameter") << templateWith(
        R"({ "frontendPorts": [ { "name": "p", "properties": { "port": "[parameters('nope')]" } } ] })")
                                          << QByteArray()
                                          << "resources[1].properties.frontendPorts[0].properties."
                                             "port"
                                          << "declares no parameter 'nope'" << true;
    QTest::newRow("undeclared-variable")
        << templateWith(R"({ "frontendPorts": [ { "name": "[variables('nope')]" } ] })")
        << QByteArray() << "resources[1].properties.frontendPorts[0].name"
        << "declares no variable 'nope'" << true;
    QTest::newRow("wrong-type") << templateWith(
        R"({ "frontendPorts": [ { "name": "p", "properties": { "port": "eighty" } } ] })")
                                << QByteArray()
                                << "resources[1].properties.frontendPorts[0].properties.port"
                                << "expected an integer" << true;
    QTest::newRow("wrong-type-object") << templateWith(
        R"({ "backendHttpSettingsCollection": [ { "name": "s", "properties": { "requestTimeout": { "a": 1 } } } ] })")
                                       << QByteArray()
                                       << "resources[1].properties.backendHttpSettingsCollection[0]"
                                          ".properties.requestTimeout"
                                       << "expected an integer" << true;
    QTest::newRow("wrong-type-collection")
        << templateWith(R"({ "httpListeners": 5 })") << QByteArray()
        << "resources[1].properties.httpListeners"
        << "expected an array" << true;
    QTest::newRow("parameter-type-mismatch")
        << templateWith(
               R"({ "frontendPorts": [ { "name": "p", "properties": { "port": "[parameters('port')]" } } ] })",
               R"({ "port": { "type": "int" } })")
        << QByteArray(R"({ "parameters": { "port": { "value": "eighty" } } })")
        << "resources[1].properties.frontendPorts[0].properties.port"
        << "declared as int but its value is a string" << true;
    QTest::newRow("unterminated-string")
        << templateWith(R"({ "frontendPorts": [ { "name": "[concat('a)]" } ] })") << QByteArray()
        << "resources[1].properties.frontendPorts[0].name"
        << "unterminated string" << true;
    QTest::newRow("wrong-arg-count")
        << templateWith(R"({ "frontendPorts": [ { "name": "[toLower('a', 'b')]" } ] })")
        << QByteArray() << "resources[1].properties.frontendPorts[0].name"
        << "toLower() takes 1 argument" << true;
    QTest::newRow("self-reference")
        << templateWith(R"({ "frontendPorts": [ { "name": "[variables('a')]" } ] })", "{}",
                        R"({ "a": "[variables('a')]" })")
        << QByteArray() << "resources[1].properties.frontendPorts[0].name"
        << "refers to itself" << true;
    QTest::newRow("utcNow-outside-parameter-default")
        << templateWith(R"({ "frontendPorts": [ { "name": "[utcNow()]" } ] })") << QByteArray()
        << "resources[1].properties.frontendPorts[0].name"
        << "can only be used with parameter default value" << true;
    QTest::newRow("mixed-case-key-path") << templateWith(
        R"({ "FrontendPorts": [ { "Name": "p", "Properties": { "Port": "[parameters('port')]" } } ] })",
        R"({ "port": { "type": "int" } })")
                                         << QByteArray()
                                         << "resources[1].properties.frontendPorts[0].properties."
                                            "port"
                                         << "has no value" << true;
    QTest::newRow("not-allowed-value")
        << templateWith(
               R"({ "sku": { "name": "[parameters('sku')]" } })",
               R"({ "sku": { "type": "string", "allowedValues": [ "Standard_v2", "WAF_v2" ] } })")
        << QByteArray(R"({ "parameters": { "sku": { "value": "Basic" } } })")
        << "resources[1].properties.sku.name"
        << "not one of its allowedValues" << true;
    QTest::newRow("bad-index") << templateWith(
        R"({ "frontendPorts": [ { "name": "[createArray('a')[3]]" } ] })")
                               << QByteArray() << "resources[1].properties.frontendPorts[0].name"
                               << "out of bounds" << true;
    QTest::newRow("bad-parameters-file")
        << templateWith(R"({ "frontendPorts": [] })") << QByteArray("{ nope") << "parameters"
        << "parameters file is not usable" << true;
    QTest::newRow("bad-ref") << templateWith(
        R"({ "httpListeners": [ { "name": "l", "properties": { "frontendPort": "port_80" } } ] })")
                             << QByteArray()
                             << "resources[1].properties.httpListeners[0].properties.frontendPort"
                             << "expected a reference" << true;
    QTest::newRow("bad-local-map") << QByteArray(
        R"({ "metadata": { "localGateway": { "frontendPortMap": { "eighty": 8080 } } }, "resources": [ { "type": "Microsoft.Network/applicationGateways", "name": "g", "properties": {} } ] })")
                                   << QByteArray() << "metadata.localGateway.frontendPortMap.eighty"
                                   << "frontend port numbers" << true;
}

void tst_ConfigReader::brokenFiles()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, parameters);
    QFETCH(QString, path);
    QFETCH(QString, fragment);
    QFETCH(bool, loaded);
    const ConfigDocument doc = ConfigDocument::fromJson(json, parameters);
    QCOMPARE(doc.isLoaded(), loaded);
    QVERIFY(hasErrors(doc.loadDiagnostics()));
    QVERIFY2(findDiagnostic(doc.loadDiagnostics(), path, fragment),
             qPrintable(describe(doc.loadDiagnostics())));
}

void tst_ConfigReader::unknownPropertiesKept()
{
    const QByteArray json = templateWith(
        R"({ "probes": [ { "name": "p", "properties": { "path": "/h", "futureSetting": { "x": [1, 2] }, "provisioningState": "Succeeded" } } ] })");
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    const Probe &p = doc.model().probes.first();
    QCOMPARE(p.path, QStringLiteral("/h"));
    QCOMPARE(p.unknownProperties.size(), 2);
    QCOMPARE(p.unknownProperties.value(QStringLiteral("futureSetting"))
                 .toObject()
                 .value(QStringLiteral("x"))
                 .toArray()
                 .size(),
             2);
    QVERIFY(!p.unknownProperties.contains(QStringLiteral("path")));
}

void tst_ConfigReader::localGateway()
{
    const ConfigDocument doc = ConfigDocument::fromJson(R"({
      "metadata": { "localGateway": {
        "bindAddress": "127.0.0.2",
        "frontendPortMap": { "80": 8080, "443": "8443" },
        "backendAddressMap": { "10.0.1.4": "127.0.0.1:9001", "app2.contoso.internal": "127.0.0.1:9002" },
        "certificateFiles": { "cert1": { "pfx": "certs/dev.pfx", "passwordEnv": "APPGW_CERT_PASSWORD" }, "cert2": { "pem": "a.pem", "key": "a.key" } } } },
      "resources": [ { "type": "Microsoft.Network/applicationGateways", "name": "g", "properties": {} } ] })");
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    const LocalGateway &l = doc.model().localGateway;
    QCOMPARE(l.bindAddress, QStringLiteral("127.0.0.2"));
    QCOMPARE(l.frontendPortMap.value(80), 8080);
    QCOMPARE(l.frontendPortMap.value(443), 8443);
    QCOMPARE(l.backendAddressMap.value(QStringLiteral("app2.contoso.internal")),
             QStringLiteral("127.0.0.1:9002"));
    QCOMPARE(l.certificateFiles.value(QStringLiteral("cert1")).pfx,
             QStringLiteral("certs/dev.pfx"));
    QCOMPARE(l.certificateFiles.value(QStringLiteral("cert1")).passwordEnv,
             QStringLiteral("APPGW_CERT_PASSWORD"));
    QCOMPARE(l.certificateFiles.value(QStringLiteral("cert2")).key, QStringLiteral("a.key"));
    const ConfigDocument none = ConfigDocument::fromJson(templateWith("{}"));
    QCOMPARE(none.model().localGateway.bindAddress, QStringLiteral("127.0.0.1"));
}

void tst_ConfigReader::lookupsAreCaseInsensitive()
{
    GatewayConfig c;
    BackendAddressPool pool;
    pool.name = QStringLiteral("WebPool");
    c.backendAddressPools << pool;
    QVERIFY(c.backendAddressPool(QStringLiteral("webpool")));
    QVERIFY(c.backendAddressPool(QStringLiteral("WEBPOOL")));
    QVERIFY(!c.backendAddressPool(QStringLiteral("other")));
    QVERIFY(!c.backendAddressPool(QString()));
    QVERIFY(!hasErrors({{Diagnostic::Severity::Warning, QString(), QStringLiteral("w")}}));
    QVERIFY(hasErrors({{Diagnostic::Severity::Warning, QString(), QStringLiteral("w")},
                       {Diagnostic::Severity::Error, QString(), QStringLiteral("e")}}));
}

void tst_ConfigReader::examplesLoad_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("websocket-chat") << QStringLiteral("websocket-chat.json");
    QTest::newRow("path-based") << QStringLiteral("path-based.json");
}

void tst_ConfigReader::examplesLoad()
{
    QFETCH(QString, file);
    const ConfigDocument doc = ConfigDocument::fromFile(QStringLiteral(APPGW_SOURCE_DIR)
                                                        + QStringLiteral("/resources/examples/")
                                                        + file);
    QVERIFY2(doc.isLoaded() && !hasErrors(doc.loadDiagnostics()),
             qPrintable(describe(doc.loadDiagnostics())));
    const Diagnostics v = validate(doc.model());
    QVERIFY2(!hasErrors(v), qPrintable(describe(v)));
    const GatewayConfig &c = doc.model();
    if (file == QLatin1String("websocket-chat.json")) {
        QCOMPARE(c.name, QStringLiteral("chat-appgw"));
        QCOMPARE(c.localGateway.frontendPortMap.value(80), 8080);
        QCOMPARE(c.backendAddressPools.first().backendAddresses.size(), 2);
        QCOMPARE(c.backendAddressPools.first().backendAddresses.at(1).ipAddress,
                 QStringLiteral("10.0.1.5"));
        QCOMPARE(c.localGateway.backendAddressMap.value(QStringLiteral("10.0.1.5")),
                 QStringLiteral("127.0.0.1:9002"));
        QCOMPARE(c.backendHttpSettingsCollection.first().requestTimeout, 40);
        QCOMPARE(c.backendHttpSettingsCollection.first().probe.name, QStringLiteral("chatHealth"));
        QCOMPARE(c.probes.first().path, QStringLiteral("/health"));
        QCOMPARE(c.requestRoutingRules.first().priority, 100);
    } else {
        QCOMPARE(c.urlPathMaps.first().pathRules.size(), 3);
        QCOMPARE(c.urlPathMaps.first().pathRules.at(1).paths.first(), QStringLiteral("/ws/*"));
        QCOMPARE(c.urlPathMaps.first().pathRules.at(2).redirectConfiguration.name,
                 QStringLiteral("oldApiRedirect"));
    }
}

void tst_ConfigReader::hostileInputDoesNotCrash()
{
    // Deeply nested expressions and JSON, self-referencing variable chains, truncated and
    // corrupted files: errors, never a crash or a hang.
    QString deep = QStringLiteral("[");
    for (int i = 0; i < 5000; ++i)
        deep += QStringLiteral("concat(");
    deep += QStringLiteral("'x'") + QString(5000, QLatin1Char(')')) + QStringLiteral("]");
    const QByteArray props =
        "{ \"frontendPorts\": [ { \"name\": "
        + QJsonDocument(QJsonArray{deep}).toJson(QJsonDocument::Compact).mid(1).chopped(1)
        + " } ] }";
    ConfigDocument doc = ConfigDocument::fromJson(templateWith(props));
    QVERIFY(findDiagnostic(doc.loadDiagnostics(),
                           QStringLiteral("resources[1].properties.frontendPorts[0].name"),
                           QStringLiteral("nested too deeply")));

    QByteArray variables = "{";
    for (int i = 0; i < 200; ++i)
        variables += "\"v" + QByteArray::number(i) + "\": \"[variables('v"
                     + QByteArray::number(i + 1) + "')]\", ";
    variables += "\"v200\": \"end\" }";
    doc = ConfigDocument::fromJson(templateWith(
        R"({ "frontendPorts": [ { "name": "[variables('v0')]" } ] })", "{}", variables));
    QVERIFY(findDiagnostic(doc.loadDiagnostics(),
                           QStringLiteral("resources[1].properties.frontendPorts[0].name"),
                           QStringLiteral("too deeply")));

    QByteArray nested = QByteArray(3000, '[') + QByteArray(3000, ']');
    doc = ConfigDocument::fromJson(nested);
    QVERIFY(!doc.isLoaded());

    const QByteArray chat = TestSupport::readFile(
                                QStringLiteral(APPGW_SOURCE_DIR)
                                + QStringLiteral("/resources/examples/websocket-chat.json"))
                                .toUtf8();
    QVERIFY(!chat.isEmpty());
    for (qsizetype cut = 0; cut < chat.size(); cut += 37) {
        const ConfigDocument d = ConfigDocument::fromJson(chat.left(cut));
        validate(d.model());
        QVERIFY(!d.isLoaded());
    }
    QRandomGenerator rng(42);
    const QByteArray specials = "[]{}(),'\":./\\ 0a";
    for (int round = 0; round < 300; ++round) {
        QByteArray mutated = chat;
        for (int k = 0; k < 3; ++k)
            mutated[rng.bounded(int(mutated.size()))] = specials.at(
                rng.bounded(int(specials.size())));
        ConfigDocument d = ConfigDocument::fromJson(mutated);
        validate(d.model());
        if (d.isLoaded()) {
            GatewayConfig m = d.model();
            m.backendHttpSettingsCollection.append(BackendHttpSettings());
            d.setModel(m);
            d.toJson();
        }
    }
}

QTEST_GUILESS_MAIN(tst_ConfigReader)
#include "tst_configreader.moc"
