// The ARM template language as Azure evaluates it (issue 15): every template function that needs
// no Azure, checked against the results Microsoft's function reference documents; copy loops
// (resource, property, variable; count 0; copyIndex with loop name and offset), `condition`,
// nested deployments with inner and outer scope at depth 2, utcNow()/newGuid() only in parameter
// defaults, and the placeholders that stand in for values only Azure knows (reference(), list*(),
// Key Vault parameter references), each reported with its JSON path.

#include "config/armexpression.h"
#include "config/configdocument.h"
#include "config/configvalidator.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Gateway::Config;
using Internal::ArmEvaluator;

namespace {

QJsonValue parse(const QByteArray &json)
{
    return QJsonDocument::fromJson("[" + json + "]").array().at(0);
}

QString describe(const Diagnostics &ds)
{
    QStringList lines;
    for (const Diagnostic &d : ds)
        lines << formatDiagnostic(QStringLiteral("-"), d);
    return lines.join(QLatin1Char('\n'));
}

// A gateway resource (JSON text) with one listener, rule and setting around the given pools.
QByteArray gatewayResource(const QByteArray &name, const QByteArray &pools)
{
    return R"({ "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01",
      "name": )"
           + name + R"(, "properties": {
        "frontendIPConfigurations": [ { "name": "fip", "properties": {} } ],
        "frontendPorts": [ { "name": "p80", "properties": { "port": 80 } } ],
        "backendAddressPools": )"
           + pools + R"(,
        "backendHttpSettingsCollection": [ { "name": "s", "properties": { "port": 80, "protocol": "Http" } } ],
        "httpListeners": [ { "name": "l", "properties": {
          "frontendIPConfiguration": { "id": "/x/frontendIPConfigurations/fip" },
          "frontendPort": { "id": "/x/frontendPorts/p80" }, "protocol": "Http" } } ],
        "requestRoutingRules": [ { "name": "r", "properties": { "ruleType": "Basic", "priority": 10,
          "httpListener": { "id": "/x/httpListeners/l" },
          "backendAddressPool": { "id": "/x/backendAddressPools/pool0" },
          "backendHttpSettings": { "id": "/x/backendHttpSettingsCollection/s" } } } ] } })";
}

QStringList addressesOf(const GatewayConfig &c)
{
    QStringList out;
    for (const BackendAddressPool &p : c.backendAddressPools) {
        QStringList a;
        for (const BackendAddress &b : p.backendAddresses)
            a << b.address();
        out << p.name + QLatin1Char('=') + a.join(QLatin1Char(','));
    }
    return out;
}

} // namespace

class tst_ArmTemplate : public QObject
{
    Q_OBJECT

private slots:
    void functions_data();
    void functions();
    void errors_data();
    void errors();
    void ifEvaluatesOnlyItsBranch();
    void utcNowAndNewGuidInParameterDefaults();
    void copyLoops();
    void copyCountZero();
    void conditionSkipsResources();
    void nestedDeploymentsAtDepthTwo();
    void placeholdersAreWarningsWithPaths();
    void keyVaultParameterReference();
    void quickstartsLoad_data();
    void quickstartsLoad();
};

void tst_ArmTemplate::functions_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QByteArray>("expected"); // JSON

    // Results as Microsoft's ARM template function reference documents them.
    // Array functions.
    QTest::newRow("array") << "[array('efgh')]" << QByteArray(R"(["efgh"])");
    QTest::newRow("concat arrays") << "[concat(createArray('1-1','1-2'), createArray('2-1'))]"
                                   << QByteArray(R"(["1-1","1-2","2-1"])");
    QTest::newRow("contains array")
        << "[contains(createArray('one','two'), 'two')]" << QByteArray("true");
    QTest::newRow("contains object ci")
        << "[contains(createObject('one','a'), 'ONE')]" << QByteArray("true");
    QTest::newRow("first") << "[first(createArray('one','two'))]" << QByteArray(R"("one")");
    QTest::newRow("flatten")
        << "[flatten(createArray(createArray('one','two'), createArray('three')))]"
        << QByteArray(R"(["one","two","three"])");
    QTest::newRow("indexOf array") << "[indexOf(createArray('abc',1,'ABC'), 1)]" << QByteArray("1");
    QTest::newRow("lastIndexOf array")
        << "[lastIndexOf(createArray('abc',1,'abc'), 'abc')]" << QByteArray("2");
    QTest::newRow("indexOf missing") << "[indexOf(createArray('abc'), 'x')]" << QByteArray("-1");
    QTest::newRow("intersection arrays")
        << "[intersection(createArray('one','two','three'), createArray('two','three'))]"
        << QByteArray(R"(["two","three"])");
    QTest::newRow("intersection objects")
        << "[intersection(json('{\"one\":\"a\",\"two\":\"b\",\"three\":\"c\"}'), "
           "json('{\"one\":\"a\",\"two\":\"z\",\"three\":\"c\"}'))]"
        << QByteArray(R"({"one":"a","three":"c"})");
    QTest::newRow("last") << "[last('One Two Three')]" << QByteArray(R"("e")");
    QTest::newRow("length") << "[length(createArray('a','b','c'))]" << QByteArray("3");
    QTest::newRow("max") << "[max(createArray(0,3,2,5,4))]" << QByteArray("5");
    QTest::newRow("min") << "[min(0,3,2,5,4)]" << QByteArray("0");
    QTest::newRow("range") << "[range(1,3)]" << QByteArray("[1,2,3]");
    QTest::newRow("skip") << "[skip(createArray('one','two','three'), 2)]"
                          << QByteArray(R"(["three"])");
    QTest::newRow("take") << "[take('one two three', 2)]" << QByteArray(R"("on")");
    QTest::newRow("tryGet present")
        << "[tryGet(json('{\"a\":{\"b\":1}}'), 'a', 'b')]" << QByteArray("1");
    QTest::newRow("tryGet missing") << "[tryGet(json('{\"a\":1}'), 'nope')]" << QByteArray("null");
    QTest::newRow("union arrays") << "[union(createArray('one','two'), createArray('two','four'))]"
                                  << QByteArray(R"(["one","two","four"])");
    QTest::newRow("union objects deep")
        << "[union(json('{\"a\":{\"x\":1,\"y\":2}}'), json('{\"a\":{\"y\":3},\"b\":4}'))]"
        << QByteArray(R"({"a":{"x":1,"y":3},"b":4})");
    // Comparison and logical functions.
    QTest::newRow("coalesce") << "[coalesce(null(), null(), 'default')]"
                              << QByteArray(R"("default")");
    QTest::newRow("equals") << "[equals(createArray('a'), createArray('a'))]" << QByteArray("true");
    QTest::newRow("greaterOrEquals") << "[greaterOrEquals('A', 'a')]" << QByteArray("false");
    QTest::newRow("less") << "[less(10, 11)]" << QByteArray("true");
    QTest::newRow("and") << "[and(true, false)]" << QByteArray("false");
    QTest::newRow("or") << "[or(true, false)]" << QByteArray("true");
    QTest::newRow("not") << "[not(equals(1, 2))]" << QByteArray("true");
    QTest::newRow("bool") << "[bool('true')]" << QByteArray("true");
    // Date functions.
    QTest::newRow("dateTimeAdd P1Y non-leap") << "[dateTimeAdd('2023-01-01 00:00:00Z', 'P1Y')]"
                                              << QByteArray(R"("2024-01-01T00:00:00Z")");
    QTest::newRow("dateTimeAdd P1Y leap") << "[dateTimeAdd('2024-01-01 00:00:00Z', 'P1Y')]"
                                          << QByteArray(R"("2024-12-31T00:00:00Z")");
    QTest::newRow("dateTimeAdd P1M non-leap") << "[dateTimeAdd('2023-02-01 00:00:00Z', 'P1M')]"
                                              << QByteArray(R"("2023-03-03T00:00:00Z")");
    QTest::newRow("dateTimeAdd P1M leap") << "[dateTimeAdd('2024-02-01 00:00:00Z', 'P1M')]"
                                          << QByteArray(R"("2024-03-02T00:00:00Z")");
    QTest::newRow("dateTimeAdd negative") << "[dateTimeAdd('2020-04-07T14:53:14Z', '-PT1H')]"
                                          << QByteArray(R"("2020-04-07T13:53:14Z")");
    QTest::newRow("dateTimeFromEpoch")
        << "[dateTimeFromEpoch(1683040573)]" << QByteArray(R"("2023-05-02T15:16:13Z")");
    QTest::newRow("dateTimeToEpoch")
        << "[dateTimeToEpoch('2023-05-02T15:16:13Z')]" << QByteArray("1683040573");
    // Numeric functions.
    QTest::newRow("add") << "[add(5, 3)]" << QByteArray("8");
    QTest::newRow("div") << "[div(8, 3)]" << QByteArray("2");
    QTest::newRow("mod") << "[mod(7, 3)]" << QByteArray("1");
    QTest::newRow("mul") << "[mul(5, 3)]" << QByteArray("15");
    QTest::newRow("sub") << "[sub(7, 3)]" << QByteArray("4");
    QTest::newRow("int") << "[int('4')]" << QByteArray("4");
    QTest::newRow("float") << "[float('2.5')]" << QByteArray("2.5");
    // Object functions.
    QTest::newRow("createObject") << "[createObject('a', 1, 'b', 'x')]"
                                  << QByteArray(R"({"a":1,"b":"x"})");
    QTest::newRow("empty object") << "[empty(json('{}'))]" << QByteArray("true");
    QTest::newRow("items sorted")
        << "[items(json('{\"item002\":{\"enabled\":false},\"item001\":{\"enabled\":true}}'))]"
        << QByteArray(R"([{"key":"item001","value":{"enabled":true}},)"
                      R"({"key":"item002","value":{"enabled":false}}])");
    QTest::newRow("objectKeys") << "[objectKeys(json('{\"a\":1,\"b\":2}'))]"
                                << QByteArray(R"(["a","b"])");
    QTest::newRow("shallowMerge")
        << "[shallowMerge(createArray(json('{\"one\":\"a\",\"nested\":{\"a\":1}}'), "
           "json('{\"two\":\"b\",\"nested\":{\"b\":2}}')))]"
        << QByteArray(R"({"one":"a","two":"b","nested":{"b":2}})");
    QTest::newRow("json null") << "[json('null')]" << QByteArray("null");
    QTest::newRow("member access ci") << "[json('{\"Name\":\"x\"}').name]" << QByteArray(R"("x")");
    // String functions.
    QTest::newRow("base64") << "[base64('one, two, three')]"
                            << QByteArray(R"("b25lLCB0d28sIHRocmVl")");
    QTest::newRow("base64ToString")
        << "[base64ToString('b25lLCB0d28sIHRocmVl')]" << QByteArray(R"("one, two, three")");
    QTest::newRow("base64ToJson") << "[base64ToJson('eyJvbmUiOiAiYSIsICJ0d28iOiAiYiJ9')]"
                                  << QByteArray(R"({"one":"a","two":"b"})");
    QTest::newRow("dataUri") << "[dataUri('Hello')]"
                             << QByteArray(R"("data:text/plain;charset=utf8;base64,SGVsbG8=")");
    QTest::newRow("dataUriToString") << "[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]"
                                     << QByteArray(R"("Hello, World!")");
    QTest::newRow("endsWith ci") << "[endsWith('abcdef', 'F')]" << QByteArray("true");
    QTest::newRow("format N2") << "[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', "
                                  "'User', 8175133)]"
                               << QByteArray(R"("Hello, User. Formatted number: 8,175,133")");
    QTest::newRow("guid is deterministic")
        << "[equals(guid('a', 'b'), guid('a', 'b'))]" << QByteArray("true");
    QTest::newRow("indexOf string ci") << "[indexOf('test', 'T')]" << QByteArray("0");
    QTest::newRow("lastIndexOf string") << "[lastIndexOf('abcdef', 'AB')]" << QByteArray("0");
    QTest::newRow("join") << "[join(createArray('one','two','three'), ',')]"
                          << QByteArray(R"("one,two,three")");
    QTest::newRow("padLeft") << "[padLeft('123', 10, '0')]" << QByteArray(R"("0000000123")");
    QTest::newRow("replace") << "[replace('123-123-1234', '-', '')]"
                             << QByteArray(R"("1231231234")");
    QTest::newRow("split") << "[split('one,two;three', createArray(',', ';'))]"
                           << QByteArray(R"(["one","two","three"])");
    QTest::newRow("string of object")
        << "[string(json('{\"a\":1}'))]" << QByteArray(R"("{\"a\":1}")");
    QTest::newRow("string of bool") << "[string(true)]" << QByteArray(R"("True")");
    QTest::newRow("substring") << "[substring('one two three', 4, 3)]" << QByteArray(R"("two")");
    QTest::newRow("toLower") << "[toLower('One Two')]" << QByteArray(R"("one two")");
    QTest::newRow("trim") << "[trim('    one two three   ')]" << QByteArray(R"("one two three")");
    QTest::newRow("uniqueString length") << "[length(uniqueString('rg'))]" << QByteArray("13");
    QTest::newRow("uri") << "[uri('http://contoso.org/firstpath', 'myscript.sh')]"
                         << QByteArray(R"("http://contoso.org/myscript.sh")");
    QTest::newRow("uriComponent")
        << "[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]"
        << QByteArray(R"("http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json")");
    QTest::newRow("escaped quote") << "[concat('it''s', ' ok')]" << QByteArray(R"("it's ok")");
    // Lambda functions.
    QTest::newRow("filter")
        << "[filter(createArray(json('{\"name\":\"Evie\",\"age\":5}'), "
           "json('{\"name\":\"Casper\",\"age\":3}'), json('{\"name\":\"Indy\",\"age\":2}')), "
           "lambda('dog', greaterOrEquals(lambdaVariables('dog').age, 3)))]"
        << QByteArray(R"([{"name":"Evie","age":5},{"name":"Casper","age":3}])");
    QTest::newRow("filter with index") << "[filter(createArray('a','b','c'), lambda('x', 'i', "
                                          "not(equals(lambdaVariables('i'), 1))))]"
                                       << QByteArray(R"(["a","c"])");
    QTest::newRow("map")
        << "[map(range(0, 3), lambda('i', format('Hi {0}!', lambdaVariables('i'))))]"
        << QByteArray(R"(["Hi 0!","Hi 1!","Hi 2!"])");
    QTest::newRow("reduce") << "[reduce(createArray(5, 3, 2), 0, lambda('cur', 'next', "
                               "add(lambdaVariables('cur'), lambdaVariables('next'))))]"
                            << QByteArray("10");
    QTest::newRow("sort") << "[sort(createArray(3, 1, 2), lambda('a', 'b', "
                             "less(lambdaVariables('a'), lambdaVariables('b'))))]"
                          << QByteArray("[1,2,3]");
    QTest::newRow("toObject")
        << "[toObject(createArray('a','b'), lambda('x', lambdaVariables('x')), "
           "lambda('x', toUpper(lambdaVariables('x'))))]"
        << QByteArray(R"({"a":"A","b":"B"})");
    QTest::newRow("groupBy") << "[groupBy(createArray('foo', 'bar', 'baz'), lambda('x', "
                                "substring(lambdaVariables('x'), 0, 1)))]"
                             << QByteArray(R"({"f":["foo"],"b":["bar","baz"]})");
    QTest::newRow("mapValues") << "[mapValues(createObject('foo', 'foo'), lambda('val', "
                                  "toUpper(lambdaVariables('val'))))]"
                               << QByteArray(R"({"foo":"FOO"})");
    // CIDR functions.
    QTest::newRow("parseCidr v4") << "[parseCidr('10.144.0.0/20')]"
                                  << QByteArray(
                                         R"({"network":"10.144.0.0","netmask":"255.255.240.0",)"
                                         R"("broadcast":"10.144.15.255","firstUsable":"10.144.0.1",)"
                                         R"("lastUsable":"10.144.15.254","cidr":20})");
    QTest::newRow("parseCidr v6")
        << "[parseCidr('fdad:3236:5555::/48')]"
        << QByteArray(R"({"network":"fdad:3236:5555::","netmask":"ffff:ffff:ffff::",)"
                      R"("firstUsable":"fdad:3236:5555::",)"
                      R"("lastUsable":"fdad:3236:5555:ffff:ffff:ffff:ffff:ffff","cidr":48})");
    QTest::newRow("cidrSubnet") << "[cidrSubnet('10.144.0.0/20', 24, 2)]"
                                << QByteArray(R"("10.144.2.0/24")");
    // Deployment and resource functions.
    QTest::newRow("resourceId")
        << "[resourceId('Microsoft.Network/applicationGateways/httpListeners', 'gw', 'l1')]"
        << QByteArray(
               R"("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/)"
               R"(local-rg/providers/Microsoft.Network/applicationGateways/gw/httpListeners/l1")");
    QTest::newRow("environment") << "[environment().suffixes.storage]"
                                 << QByteArray(R"("core.windows.net")");
    QTest::newRow("deployment name")
        << "[deployment().name]" << QByteArray(R"("local-deployment")");
    QTest::newRow("pickZones") << "[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')]"
                               << QByteArray("[]");
    // Values only Azure knows: placeholders named after the expression.
    QTest::newRow("reference")
        << "[reference(resourceId('Microsoft.Web/sites', 'web1'), '2022-03-01').defaultHostName]"
        << QByteArray(R"("reference(sites/web1).defaultHostName")");
    QTest::newRow("listKeys") << "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), "
                                 "'2019-06-01').keys[0].value]"
                              << QByteArray(R"("listKeys(storageAccounts/sa).keys[0].value")");
    QTest::newRow("reference in concat")
        << "[concat('https://', reference('web1').defaultHostName)]"
        << QByteArray(R"("https://reference(web1).defaultHostName")");
}

void tst_ArmTemplate::functions()
{
    QFETCH(QString, expression);
    QFETCH(QByteArray, expected);
    ArmEvaluator evaluator(QJsonObject{}, QJsonObject{});
    Diagnostics diags;
    const QJsonValue got = evaluator.evaluateTree(expression, QStringLiteral("x"), &diags);
    QVERIFY2(diags.isEmpty(), qPrintable(describe(diags)));
    QCOMPARE(QJsonDocument(QJsonArray{got}).toJson(QJsonDocument::Compact),
             QJsonDocument(QJsonArray{parse(expected)}).toJson(QJsonDocument::Compact));
}

void tst_ArmTemplate::errors_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("unknown function") << "[frobnicate(1)]"
                                      << "The template function 'frobnicate' is not valid";
    QTest::newRow("copyIndex outside a loop") << "[copyIndex()]"
                                              << "'copyIndex' is not expected at this location";
    QTest::newRow("utcNow outside a default") << "[utcNow()]"
                                              << "can only be used with parameter default value";
    QTest::newRow("newGuid outside a default") << "[newGuid()]"
                                               << "can only be used with parameter default value";
    QTest::newRow("lambda alone") << "[lambda('x', 1)]"
                                  << "lambda() can only be an argument";
    QTest::newRow("filter needs bool") << "[filter(createArray(1), lambda('x', 1))]"
                                       << "must return a bool";
    QTest::newRow("providers") << "[providers('Microsoft.Web')]"
                               << "cannot be evaluated locally";
    QTest::newRow("index out of bounds") << "[createArray(1)[2]]"
                                         << "out of bounds";
    QTest::newRow("missing property") << "[json('{\"a\":1}').b]"
                                      << "property 'b' doesn't exist";
}

void tst_ArmTemplate::errors()
{
    QFETCH(QString, expression);
    QFETCH(QString, fragment);
    ArmEvaluator evaluator(QJsonObject{}, QJsonObject{});
    QString error;
    const QJsonValue got = evaluator.evaluateString(expression, &error);
    QVERIFY(got.isUndefined());
    QVERIFY2(error.contains(fragment), qPrintable(error));
}

void tst_ArmTemplate::ifEvaluatesOnlyItsBranch()
{
    ArmEvaluator evaluator(QJsonObject{}, QJsonObject{});
    QString error;
    // The branch not taken would fail (index out of bounds, missing property): Azure skips it.
    QCOMPARE(evaluator.evaluateString(QStringLiteral("[if(true, 'a', createArray('x')[5])]"),
                                      &error),
             QJsonValue(QStringLiteral("a")));
    QCOMPARE(evaluator.evaluateString(QStringLiteral("[if(false, json('{}').nope, 2)]"), &error),
             QJsonValue(2));
    QCOMPARE(evaluator.evaluateString(QStringLiteral("[and(false, json('{}').nope)]"), &error),
             QJsonValue(false));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_ArmTemplate::utcNowAndNewGuidInParameterDefaults()
{
    const QByteArray json =
        R"({
      "parameters": {
        "stamp": { "type": "string", "defaultValue": "[utcNow('u')]" },
        "day": { "type": "string", "defaultValue": "[utcNow('yyyy-MM-dd')]" },
        "id": { "type": "string", "defaultValue": "[newGuid()]" } },
      "resources": [ )"
        + gatewayResource(
            "\"[concat('gw-', parameters('day'))]\"",
            R"([ { "name": "pool0", "properties": { "backendAddresses": [ { "fqdn": "[concat(parameters('id'), '.localhost')]" } ] } } ])")
        + "] }";
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.model().name,
             QStringLiteral("gw-") + QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd"));
    const QString fqdn = doc.model().backendAddressPools.at(0).backendAddresses.at(0).fqdn;
    QVERIFY2(!QUuid::fromString(fqdn.section(QLatin1Char('.'), 0, 0)).isNull(), qPrintable(fqdn));
}

void tst_ArmTemplate::copyLoops()
{
    // A resource copy loop whose gateway uses copyIndex() with loop name and offset; property
    // copy (pools, addresses inside them, with the outer loop by name); a variable copy loop.
    const QByteArray json = R"({
      "parameters": { "hosts": { "type": "array", "defaultValue": [ "a", "b", "c" ] } },
      "variables": {
        "copy": [ { "name": "ports", "count": 2, "input": "[add(9000, copyIndex('ports', 1))]" } ],
        "shared": { "copy": [ { "name": "tags", "count": 2, "input": "[concat('t', copyIndex('tags'))]" } ] }
      },
      "resources": [ {
        "copy": { "name": "gwLoop", "count": 1 },
        "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01",
        "name": "[format('gw{0}-{1}-{2}', copyIndex(), copyIndex(5), copyIndex('gwLoop', 10))]",
        "dependsOn": [ "[reference('never').evaluated]" ],
        "properties": {
          "frontendPorts": [ { "name": "p", "properties": { "port": "[variables('ports')[1]]" } } ],
          "copy": [ { "name": "backendAddressPools", "count": "[length(parameters('hosts'))]",
            "input": { "name": "[concat('pool', copyIndex('backendAddressPools'))]",
              "properties": {
                "copy": [ { "name": "backendAddresses", "count": "[add(copyIndex('backendAddressPools'), 1)]",
                  "input": { "fqdn": "[format('{0}{1}.{2}', parameters('hosts')[copyIndex('backendAddressPools')], copyIndex('backendAddresses'), variables('shared').tags[1])]" } } ] } } } ]
        } } ] })";
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.model().name, QStringLiteral("gw0-5-10"));
    QCOMPARE(doc.model().frontendPorts.at(0).port, 9002);
    QCOMPARE(addressesOf(doc.model()),
             (QStringList{"pool0=a0.t1", "pool1=b0.t1,b1.t1", "pool2=c0.t1,c1.t1,c2.t1"}));
    // dependsOn is not evaluated: its reference() leaves no placeholder behind.
    for (const Diagnostic &d : doc.loadDiagnostics())
        QVERIFY2(!d.message.contains(QStringLiteral("never")), qPrintable(d.message));
}

void tst_ArmTemplate::copyCountZero()
{
    const QByteArray json = R"({ "resources": [ )"
                            + gatewayResource("\"gw\"", R"([ { "name": "pool0", "properties": {
        "copy": [ { "name": "backendAddresses", "count": 0, "input": { "ipAddress": "[concat('10.0.0.', copyIndex())]" } } ] } } ])")
                            + R"(, { "copy": { "name": "none", "count": 0 },
        "type": "Microsoft.Network/applicationGateways", "name": "never", "properties": {} } ] })";
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.model().name, QStringLiteral("gw"));
    QCOMPARE(addressesOf(doc.model()), QStringList{"pool0="});
    QVERIFY(doc.loadDiagnostics().isEmpty()); // no "second gateway" from the empty loop
}

void tst_ArmTemplate::conditionSkipsResources()
{
    const QByteArray skipped = R"({ "condition": "[equals(parameters('mode'), 'other')]", )"
                               + gatewayResource("\"skipped\"", "[]").mid(1);
    const QByteArray json =
        R"({ "parameters": { "mode": { "type": "string", "defaultValue": "local" } },
      "resources": [ )"
        + skipped + ", " + gatewayResource("\"taken\"", "[]") + "] }";
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.model().name, QStringLiteral("taken"));
    QCOMPARE(doc.model().gatewayJsonPath, QStringLiteral("resources[1]"));
}

void tst_ArmTemplate::nestedDeploymentsAtDepthTwo()
{
    // Outer template -> deployment (outer scope: sees the root's parameters) -> deployment
    // (inner scope, as Bicep modules compile: its own parameters, given by its parent) -> gateway.
    const QByteArray gateway = gatewayResource(
        "\"[concat(parameters('prefix'), '-', variables('suffix'))]\"",
        R"([ { "name": "pool0", "properties": { "backendAddresses": [ { "ipAddress": "[parameters('backendIp')]" } ] } } ])");
    const QByteArray json = R"({
      "parameters": { "rootIp": { "type": "string", "defaultValue": "10.1.2.3" } },
      "variables": { "rootPrefix": "app" },
      "metadata": { "localGateway": { "backendAddressMap": { "10.1.2.3": "127.0.0.1:9001" } } },
      "resources": [ {
        "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "outerScope",
        "properties": { "mode": "Incremental", "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "resources": [ {
            "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "gatewayModule",
            "properties": {
              "expressionEvaluationOptions": { "scope": "inner" }, "mode": "Incremental",
              "parameters": {
                "prefix": { "value": "[variables('rootPrefix')]" },
                "backendIp": { "value": "[parameters('rootIp')]" } },
              "template": {
                "parameters": { "prefix": { "type": "string" }, "backendIp": { "type": "string" } },
                "variables": { "suffix": "[deployment().name]" },
                "resources": [ )"
                            + gateway + R"( ] } } } ] } } } ] })";
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.model().name, QStringLiteral("app-gatewayModule"));
    QCOMPARE(doc.model().gatewayJsonPath,
             QStringLiteral("resources[0].properties.template.resources[0].properties.template."
                            "resources[0]"));
    QCOMPARE(addressesOf(doc.model()), QStringList{"pool0=10.1.2.3"});
    QCOMPARE(doc.model().localGateway.backendAddressMap.value(QStringLiteral("10.1.2.3")),
             QStringLiteral("127.0.0.1:9001"));
    // The validator is satisfied: 10.1.2.3 is mapped.
    for (const Diagnostic &d : validate(doc.model()))
        QVERIFY2(d.standIn.isEmpty(), qPrintable(d.message));
}

void tst_ArmTemplate::placeholdersAreWarningsWithPaths()
{
    // Bicep output for a web app backend: reference() to the site; the load does not stop, the
    // placeholder is a warning with its JSON path, and the validator names the map key to add.
    const QByteArray json =
        R"({ "parameters": { "webAppName": { "type": "string", "defaultValue": "web1" } },
      "resources": [ )"
        + gatewayResource("\"gw\"", R"([ { "name": "pool0", "properties": { "backendAddresses": [
        { "fqdn": "[reference(resourceId('Microsoft.Web/sites', parameters('webAppName')), '2022-03-01').defaultHostName]" } ] } } ])")
        + "] }";
    const ConfigDocument doc = ConfigDocument::fromJson(json);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    const QString key = QStringLiteral("reference(sites/web1).defaultHostName");
    QCOMPARE(addressesOf(doc.model()), QStringList{QStringLiteral("pool0=") + key});
    const QString path = QStringLiteral(
        "resources[0].properties.backendAddressPools[0].properties.backendAddresses[0].fqdn");
    bool placeholder = false;
    for (const Diagnostic &d : doc.loadDiagnostics())
        placeholder |= d.path == path && d.standIn == QLatin1String("placeholder")
                       && d.severity == Diagnostic::Severity::Warning && d.message.contains(key);
    QVERIFY2(placeholder, qPrintable(describe(doc.loadDiagnostics())));
    bool unmapped = false;
    for (const Diagnostic &d : validate(doc.model()))
        unmapped |= d.standIn == QLatin1String("unmapped address")
                    && d.message.contains(QStringLiteral("(add the key \"%1\")").arg(key));
    QVERIFY(unmapped);
}

void tst_ArmTemplate::keyVaultParameterReference()
{
    const QByteArray json =
        R"({ "parameters": { "certPassword": { "type": "securestring" } },
      "resources": [ )"
        + gatewayResource("\"gw\"", "[]")
              .replace(
                  R"("frontendPorts")",
                  R"("sslCertificates": [ { "name": "c", "properties": { "data": "x", "password": "[parameters('certPassword')]" } } ], "frontendPorts")")
        + "] }";
    const QByteArray parameters = R"({ "parameters": { "certPassword": { "reference": {
        "keyVault": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1" },
        "secretName": "appgw-pfx-password" } } } })";
    const ConfigDocument doc = ConfigDocument::fromJson(json, parameters);
    QVERIFY2(!hasErrors(doc.loadDiagnostics()), qPrintable(describe(doc.loadDiagnostics())));
    QCOMPARE(doc.model().sslCertificates.at(0).password,
             QStringLiteral("keyVault(kv1/appgw-pfx-password)"));
    bool listed = false;
    for (const Diagnostic &d : doc.loadDiagnostics())
        listed |= d.standIn == QLatin1String("placeholder")
                  && d.path == QLatin1String("parameters.certPassword");
    QVERIFY2(listed, qPrintable(describe(doc.loadDiagnostics())));
}

void tst_ArmTemplate::quickstartsLoad_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QStringList>("standIns"); // kinds the load and validator report
    QTest::newRow("key-vault-create")
        << "application-gateway-key-vault-create"
        << QStringList{"placeholder", "unmapped address", "unmapped address"};
    QTest::newRow("v2-autoscale-create") << "application-gateway-v2-autoscale-create"
                                         << QStringList{"unmapped address", "unmapped address"};
    QTest::newRow("webapps") << "application-gateway-webapps"
                             << QStringList{"unmapped address", "unmapped address"};
}

// Azure's public quickstart templates (tests/core/armtemplate/templates, MIT) load unchanged;
// what stands in for Azure is listed.
void tst_ArmTemplate::quickstartsLoad()
{
    QFETCH(QString, folder);
    QFETCH(QStringList, standIns);
    const QString dir = QStringLiteral(APPGW_SOURCE_DIR "/tests/core/armtemplate/templates/")
                        + folder;
    const QString parameters = dir + QStringLiteral("/azuredeploy.parameters.json");
    const ConfigDocument doc = ConfigDocument::fromFile(dir + QStringLiteral("/azuredeploy.json"),
                                                        QFile::exists(parameters) ? parameters
                                                                                  : QString());
    Diagnostics all = doc.loadDiagnostics();
    all += validate(doc.model());
    QVERIFY2(doc.isLoaded() && !hasErrors(all), qPrintable(describe(all)));
    QVERIFY(!doc.model().httpListeners.isEmpty());
    QStringList got;
    for (const Diagnostic &d : std::as_const(all))
        if (!d.standIn.isEmpty())
            got << d.standIn;
    QCOMPARE(got, standIns);
}

QTEST_GUILESS_MAIN(tst_ArmTemplate)
#include "tst_armtemplate.moc"
