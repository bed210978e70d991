// The headless CLI as a user runs it: the built `appgw` binary under QProcess, its exit codes
// (0 ok, 1 invalid configuration / unhealthy, 2 bad usage, 3 runtime failure), its output, and
// `appgw run --events` end to end with a fake backend and (if installed) python3-websockets.

#include "fakebackend.h"
#include "requirement.h"
#include "tls/clientauth.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

namespace {

// respondWith() returns a QStringBuilder of temporaries from its lambda
// (QT_USE_QSTRINGBUILDER): it dangles and crashes the backend thread. Build the QByteArray here.
TestSupport::FakeBackend::Handler respondWith(int status, const QByteArray &body,
                                              const QByteArray &extraHeaders = {})
{
    return [status, body, extraHeaders](const TestSupport::ReceivedRequest &) -> QByteArray {
        QByteArray r = "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Length: ";
        r += QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
        return r;
    };
}

QString appgw()
{
    return QStringLiteral(APPGW_BINARY_DIR "/app/appgw");
}

struct Result
{
    int exitCode = -1;
    bool crashed = false;
    QByteArray out;
    QByteArray err;
};

Result runAppgw(const QStringList &args, int timeoutMs = 60000)
{
    QProcess p;
    p.start(appgw(), args);
    Result r;
    if (!p.waitForStarted(10000))
        return r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        r.exitCode = -2;
        return r;
    }
    r.crashed = p.exitStatus() != QProcess::NormalExit;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString describe(const Result &r)
{
    return QStringLiteral("exit %1%2\n--- stdout\n%3--- stderr\n%4")
        .arg(r.exitCode)
        .arg(r.crashed ? QStringLiteral(" (crashed)") : QString())
        .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
}

// An ARM template: one HTTP listener on frontend port 80 (mapped to localPort), one rule, one
// pool of backends (10.0.1.4, .5, ... mapped to 127.0.0.1:port), one setting.
QByteArray armConfig(const QList<quint16> &backendPorts, int localPort, int requestTimeout = 20)
{
    QJsonObject addressMap;
    QJsonArray addresses;
    for (int i = 0; i < backendPorts.size(); ++i) {
        const QString ip = QStringLiteral("10.0.1.%1").arg(4 + i);
        addressMap.insert(ip, QStringLiteral("127.0.0.1:%1").arg(backendPorts.at(i)));
        addresses.append(QJsonObject{{QStringLiteral("ipAddress"), ip}});
    }
    QString text = QStringLiteral(R"({
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": { "localGateway": { "bindAddress": "127.0.0.1", "frontendPortMap": { "80": @LOCALPORT@ },
                                  "backendAddressMap": @ADDRESSMAP@ } },
  "variables": { "gw": "[resourceId('Microsoft.Network/applicationGateways', 'cligw')]" },
  "resources": [ {
    "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "cligw",
    "location": "westeurope",
    "properties": {
      "sku": { "name": "Standard_v2", "tier": "Standard_v2", "capacity": 1 },
      "gatewayIPConfigurations": [ { "name": "ipconfig", "properties": { "subnet": { "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s" } } } ],
      "frontendIPConfigurations": [ { "name": "fip", "properties": { "publicIPAddress": { "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip" } } } ],
      "frontendPorts": [ { "name": "port_80", "properties": { "port": 80 } } ],
      "backendAddressPools": [ { "name": "pool", "properties": { "backendAddresses": @ADDRESSES@ } } ],
      "backendHttpSettingsCollection": [ { "name": "settings", "properties": { "port": 80, "protocol": "Http", "cookieBasedAffinity": "Disabled", "requestTimeout": @TIMEOUT@ } } ],
      "httpListeners": [ { "name": "listener", "properties": {
          "frontendIPConfiguration": { "id": "[concat(variables('gw'), '/frontendIPConfigurations/fip')]" },
          "frontendPort": { "id": "[concat(variables('gw'), '/frontendPorts/port_80')]" },
          "protocol": "Http" } } ],
      "requestRoutingRules": [ { "name": "rule", "properties": { "ruleType": "Basic", "priority": 100,
          "httpListener": { "id": "[concat(variables('gw'), '/httpListeners/listener')]" },
          "backendAddressPool": { "id": "[concat(variables('gw'), '/backendAddressPools/pool')]" },
          "backendHttpSettings": { "id": "[concat(variables('gw'), '/backendHttpSettingsCollection/settings')]" } } } ]
    } } ]
})");
    text.replace(QStringLiteral("@LOCALPORT@"), QString::number(localPort));
    text.replace(QStringLiteral("@ADDRESSMAP@"),
                 QString::fromUtf8(QJsonDocument(addressMap).toJson(QJsonDocument::Compact)));
    text.replace(QStringLiteral("@ADDRESSES@"),
                 QString::fromUtf8(QJsonDocument(addresses).toJson(QJsonDocument::Compact)));
    text.replace(QStringLiteral("@TIMEOUT@"), QString::number(requestTimeout));
    return text.toUtf8();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// A port nothing listens on right now (the validator wants local ports 1-65535, so `appgw run`
// tests pick one instead of mapping to 0).
quint16 closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort(); // closed when s goes
}

// `appgw run` in the background: waits for "listening on http://127.0.0.1:PORT" on stderr.
class RunningGateway
{
public:
    ~RunningGateway()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    quint16 start(const QStringList &args)
    {
        m_process.start(appgw(), QStringList{QStringLiteral("run")} + args);
        if (!m_process.waitForStarted(10000))
            return 0;
        static const QRegularExpression listening(
            QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        QDeadlineTimer deadline(20000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            m_err += m_process.readAllStandardError();
            const auto match = listening.match(QString::fromUtf8(m_err));
            if (match.hasMatch())
                return quint16(match.captured(1).toUInt());
            m_process.waitForReadyRead(200);
        }
        m_err += m_process.readAllStandardError();
        return 0;
    }
    // SIGTERM, then wait for the graceful exit.
    int terminate(int timeoutMs = 30000)
    {
        m_process.terminate();
        if (!m_process.waitForFinished(timeoutMs))
            return -2;
        m_err += m_process.readAllStandardError();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    QByteArray stderrText() const { return m_err; }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_err;
};

QList<QJsonObject> readJsonLines(const QString &path, QString *problem)
{
    QList<QJsonObject> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *problem = QStringLiteral("cannot open %1").arg(path);
        return out;
    }
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError e;
        const QJsonDocument d = QJsonDocument::fromJson(line, &e);
        if (e.error != QJsonParseError::NoError || !d.isObject()) {
            *problem = QStringLiteral("not a JSON object line: %1").arg(QString::fromUtf8(line));
            return out;
        }
        out.append(d.object());
    }
    return out;
}

QStringList typesOf(const QList<QJsonObject> &events)
{
    QStringList t;
    for (const auto &e : events)
        t.append(e.value(QStringLiteral("type")).toString());
    return t;
}

} // namespace

class tst_CliAppgw : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void versionAndHelp_data();
    void versionAndHelp();
    void badUsage_data();
    void badUsage();
    void validateAzureSamples_data();
    void validateAzureSamples();
    void validateBrokenFile_data();
    void validateBrokenFile();
    void runPortTaken();
    void runWithEventsAndSigterm();
    void runWebSocketSessionEndToEnd();
    void healthThreeBackends();
    void healthAllHealthyExitsZero();
    void healthUnresolvableFqdn();
    void certCreateClient();
};

void tst_CliAppgw::initTestCase()
{
    QVERIFY2(QFile::exists(appgw()), qPrintable(appgw() + QStringLiteral(" is not built")));
}

void tst_CliAppgw::versionAndHelp_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("--version") << QStringList{QStringLiteral("--version")}
                               << QStringLiteral("appgw ");
    QTest::newRow("--help") << QStringList{QStringLiteral("--help")}
                            << QStringLiteral("Usage: appgw");
    QTest::newRow("-h") << QStringList{QStringLiteral("-h")} << QStringLiteral("Usage: appgw");
}

void tst_CliAppgw::versionAndHelp()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Result r = runAppgw(args);
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(describe(r)));
    QVERIFY2(QString::fromUtf8(r.out).startsWith(expected), qPrintable(describe(r)));
    if (args.first() == QLatin1String("--version")) {
        static const QRegularExpression version(QStringLiteral("^appgw \\d+\\.\\d+"));
        QVERIFY2(version.match(QString::fromUtf8(r.out)).hasMatch(), qPrintable(describe(r)));
    } else {
        for (const char *command : {"run", "validate", "health", "--events"})
            QVERIFY2(r.out.contains(command), command);
    }
}

void tst_CliAppgw::badUsage_data()
{
    const QString sample = QStringLiteral(
        APPGW_SHARED_DIR "/arm-samples/application-gateway-create/azuredeploy.json");
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no arguments") << QStringList{};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate"), sample};
    QTest::newRow("unknown command alone") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("bad option") << QStringList{QStringLiteral("validate"), sample,
                                               QStringLiteral("--bogus")};
    QTest::newRow("validate without file") << QStringList{QStringLiteral("validate")};
    QTest::newRow("--parameters without value")
        << QStringList{QStringLiteral("validate"), sample, QStringLiteral("--parameters")};
    QTest::newRow("--workers 0") << QStringList{QStringLiteral("run"), sample,
                                                QStringLiteral("--workers"), QStringLiteral("0")};
    QTest::newRow("two files") << QStringList{QStringLiteral("validate"), sample, sample};
    QTest::newRow("cert --client with --host")
        << QStringList{QStringLiteral("cert"),     QStringLiteral("create"),
                       QStringLiteral("--client"), QStringLiteral("alice"),
                       QStringLiteral("--host"),   QStringLiteral("a.test"),
                       QStringLiteral("--out"),    QStringLiteral("x.pfx")};
}

void tst_CliAppgw::badUsage()
{
    QFETCH(QStringList, args);
    const Result r = runAppgw(args);
    QVERIFY2(r.exitCode == 2 && !r.crashed, qPrintable(describe(r)));
    QVERIFY2(r.err.startsWith("appgw: "), qPrintable(describe(r)));
    QVERIFY2(r.out.isEmpty(), qPrintable(describe(r)));
}

void tst_CliAppgw::validateAzureSamples_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("parameters");
    const QDir samples(QStringLiteral(APPGW_SHARED_DIR "/arm-samples"));
    const QStringList dirs = samples.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    QVERIFY(!dirs.isEmpty());
    for (const QString &name : dirs) {
        const QDir dir(samples.filePath(name));
        const QString file = dir.filePath(QStringLiteral("azuredeploy.json"));
        if (!QFile::exists(file))
            continue;
        QString parameters = dir.filePath(QStringLiteral("local.parameters.json"));
        if (!QFile::exists(parameters))
            parameters = dir.filePath(QStringLiteral("azuredeploy.parameters.json"));
        if (!QFile::exists(parameters))
            parameters.clear();
        QTest::newRow(qPrintable(name)) << file << parameters;
    }
}

void tst_CliAppgw::validateAzureSamples()
{
    QFETCH(QString, file);
    QFETCH(QString, parameters);
    QStringList args{QStringLiteral("validate"), file};
    if (!parameters.isEmpty())
        args << QStringLiteral("--parameters") << parameters;
    const Result r = runAppgw(args);
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(describe(r)));
    // Whatever it prints (warnings) is in the FILE: path: message form.
    for (const QByteArray &line : r.out.split('\n')) {
        if (line.isEmpty())
            continue;
        QVERIFY2(line.startsWith(QByteArray(file.toUtf8() + ": ")), line.constData());
        QVERIFY2(!line.mid(file.size() + 2).startsWith("error"), line.constData());
    }
    // What is stood in (here: the samples' VNet addresses no local.parameters.json maps) is
    // listed in one section, each entry naming its path and what to do.
    const int items = int(r.out.count(": stood in ("));
    if (items > 0)
        QVERIFY2(r.out.contains(QByteArray(file.toUtf8() + ": stood in locally, "
                                           + QByteArray::number(items)
                                           + " difference(s) from Azure:\n")),
                 r.out.constData());
}

void tst_CliAppgw::validateBrokenFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("pathFragment");
    QByteArray missingPool = armConfig({9001}, 8080);
    missingPool.replace("/backendAddressPools/pool')]", "/backendAddressPools/nosuchpool')]");
    QTest::newRow("rule names a missing pool")
        << missingPool << QStringLiteral("requestRoutingRules");
    QByteArray badTimeout = armConfig({9001}, 8080, 0);
    QTest::newRow("requestTimeout 0") << badTimeout << QStringLiteral("requestTimeout");
    QByteArray badPort = armConfig({9001}, 8080);
    badPort.replace("\"port\": 80 }", "\"port\": 70000 }");
    QTest::newRow("frontend port 70000") << badPort << QStringLiteral("frontendPorts");
    QTest::newRow("invalid JSON") << QByteArray("{ \"resources\": [ { \"type\": ") << QString();
}

void tst_CliAppgw::validateBrokenFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, pathFragment);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("broken.json"));
    QVERIFY(writeFile(file, content));
    const Result r = runAppgw({QStringLiteral("validate"), file});
    QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(describe(r)));
    // FILE: json.path: message (the file is known, so match what follows it)
    static const QRegularExpression form(QStringLiteral("^(\\S+): (.+)$"));
    bool sawFragment = pathFragment.isEmpty();
    int lines = 0;
    for (const QByteArray &line : r.out.split('\n')) {
        if (line.isEmpty())
            continue;
        ++lines;
        QVERIFY2(line.startsWith(QByteArray(file.toUtf8() + ": ")), line.constData());
        if (pathFragment.isEmpty())
            continue;
        const auto match = form.match(QString::fromUtf8(line.mid(file.toUtf8().size() + 2)));
        QVERIFY2(match.hasMatch(), line.constData());
        if (match.captured(1).contains(pathFragment)
            && !match.captured(2).startsWith(QLatin1String("warning")))
            sawFragment = true;
    }
    QVERIFY2(lines >= 1, qPrintable(describe(r)));
    QVERIFY2(sawFragment, qPrintable(describe(r)));
}

void tst_CliAppgw::runPortTaken()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    const quint16 port = squatter.serverPort();
    TestSupport::FakeBackend backend;
    backend.setHandler(respondWith(200, "ok"));
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("taken.json"));
    QVERIFY(writeFile(file, armConfig({backend.port()}, port)));
    const Result r = runAppgw({QStringLiteral("run"), file}, 20000);
    QVERIFY2(r.exitCode == 3 && !r.crashed, qPrintable(describe(r)));
    const QList<QByteArray> lines = r.err.trimmed().split('\n');
    QVERIFY2(lines.size() == 1, qPrintable(describe(r)));
    QVERIFY2(lines.first().contains(QByteArray::number(port)), qPrintable(describe(r)));
    QVERIFY2(lines.first().toLower().contains("in use"), qPrintable(describe(r)));
}

void tst_CliAppgw::runWithEventsAndSigterm()
{
    TestSupport::FakeBackend backend;
    backend.setHandler(respondWith(200, "hello from backend"));
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("gw.json"));
    const QString events = dir.filePath(QStringLiteral("events.jsonl"));
    QVERIFY(writeFile(file, armConfig({backend.port()}, closedPort())));
    RunningGateway gw;
    const quint16 port = gw.start({file, QStringLiteral("--events"), events});
    QVERIFY2(port != 0, gw.stderrText().constData());

    bool closed = false;
    const QByteArray response = TestSupport::exchange(
        port, "GET /hello?x=1 HTTP/1.1\r\nHost: cli.example.com\r\nConnection: close\r\n\r\n",
        10000, &closed);
    QVERIFY2(response.startsWith("HTTP/1.1 200"), response.constData());
    QVERIFY(response.endsWith("hello from backend"));

    QCOMPARE(gw.terminate(), 0);
    QString problem;
    const QList<QJsonObject> lines = readJsonLines(events, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QStringList types = typesOf(lines);
    QVERIFY2(types.contains(QStringLiteral("gateway.started")), qPrintable(types.join(u',')));
    QVERIFY2(types.contains(QStringLiteral("access")), qPrintable(types.join(u',')));
    QVERIFY2(types.contains(QStringLiteral("gateway.stopped")), qPrintable(types.join(u',')));
    // config.warning lines may come first; then started, the request, stopped last.
    QVERIFY2(types.indexOf(QStringLiteral("gateway.started"))
                 < types.indexOf(QStringLiteral("access")),
             qPrintable(types.join(u',')));
    QCOMPARE(types.last(), QStringLiteral("gateway.stopped"));
    for (const auto &e : lines) {
        QVERIFY(!e.value(QStringLiteral("ts")).toString().isEmpty());
        if (e.value(QStringLiteral("type")).toString() == QLatin1String("access")) {
            QCOMPARE(e.value(QStringLiteral("httpStatus")).toInt(), 200);
            QCOMPARE(e.value(QStringLiteral("requestUri")).toString(),
                     QStringLiteral("/hello?x=1"));
            QCOMPARE(e.value(QStringLiteral("ruleName")).toString(), QStringLiteral("rule"));
        }
    }
}

void tst_CliAppgw::runWebSocketSessionEndToEnd()
{
    // The acceptance run: a non-Qt WebSocket server and client through `appgw run`, every size
    // echoed byte-exact, then a session left idle past a 1 s request timeout (client sees 1006).
    QProcess probe;
    probe.start(QStringLiteral("/usr/bin/python3"),
                {QStringLiteral("-c"), QStringLiteral("import websockets")});
    APPGW_REQUIRE(probe.waitForFinished(10000) && probe.exitCode() == 0,
                  APPGW_PYTHON_WEBSOCKETS_REASON);
    const QString common = QStringLiteral(APPGW_SOURCE_DIR "/tests/common");
    QProcess server;
    server.start(QStringLiteral("/usr/bin/python3"),
                 {common + QStringLiteral("/ws_echo_server.py")});
    QVERIFY(server.waitForStarted(5000));
    QDeadlineTimer deadline(10000);
    while (!server.canReadLine() && !deadline.hasExpired() && server.state() == QProcess::Running)
        server.waitForReadyRead(200);
    const quint16 backendPort = quint16(server.readLine().trimmed().toUInt());
    QVERIFY(backendPort != 0);
    auto stopServer = qScopeGuard([&server] {
        server.closeWriteChannel();
        server.terminate();
        if (!server.waitForFinished(5000))
            server.kill();
    });

    QTemporaryDir dir;
    const QString echoFile = dir.filePath(QStringLiteral("ws-echo.json"));
    QVERIFY(writeFile(echoFile, armConfig({backendPort}, closedPort(), 20)));
    RunningGateway echoGw;
    const quint16 echoPort = echoGw.start({echoFile});
    QVERIFY2(echoPort != 0, echoGw.stderrText().constData());
    const QString url = QStringLiteral("ws://127.0.0.1:%1/chat").arg(echoPort);

    QProcess client;
    client.start(QStringLiteral("/usr/bin/python3"),
                 {common + QStringLiteral("/ws_client.py"), url, QStringLiteral("--sizes"),
                  QStringLiteral("0,125,126,65535,65536,16777216"), QStringLiteral("--ping")});
    QVERIFY(client.waitForFinished(120000));
    const QByteArray summary = client.readAllStandardOutput();
    QVERIFY2(client.exitCode() == 0,
             QByteArray(summary + client.readAllStandardError()).constData());
    QCOMPARE(
        QJsonDocument::fromJson(summary).object().value(QStringLiteral("messages")).toArray().size(),
        12);
    QCOMPARE(echoGw.terminate(), 0);

    // A 1 s request timeout: the idle session is dropped, the client sees 1006.
    const QString file = dir.filePath(QStringLiteral("ws-idle.json"));
    const QString events = dir.filePath(QStringLiteral("events.jsonl"));
    QVERIFY(writeFile(file, armConfig({backendPort}, closedPort(), 1)));
    RunningGateway gw;
    const quint16 port = gw.start({file, QStringLiteral("--events"), events});
    QVERIFY2(port != 0, gw.stderrText().constData());
    QProcess idle;
    idle.start(QStringLiteral("/usr/bin/python3"),
               {common + QStringLiteral("/ws_client.py"),
                QStringLiteral("ws://127.0.0.1:%1/chat").arg(port), QStringLiteral("--sizes"),
                QStringLiteral("10"), QStringLiteral("--wait-close"), QStringLiteral("20"),
                QStringLiteral("--expect-close-code"), QStringLiteral("1006")});
    QVERIFY(idle.waitForFinished(30000));
    const QByteArray idleSummary = idle.readAllStandardOutput();
    QVERIFY2(idle.exitCode() == 0, idleSummary.constData());

    QCOMPARE(gw.terminate(), 0);
    QString problem;
    const QList<QJsonObject> lines = readJsonLines(events, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    int upgraded = 0, timeouts = 0, access101 = 0;
    for (const auto &e : lines) {
        const QString type = e.value(QStringLiteral("type")).toString();
        upgraded += type == QLatin1String("session.upgraded");
        if (type == QLatin1String("session.closed")
            && e.value(QStringLiteral("reason")).toString() == QLatin1String("requestTimeout")) {
            ++timeouts;
            QCOMPARE(e.value(QStringLiteral("closeCode")).toInt(), 1006);
            QCOMPARE(e.value(QStringLiteral("closedBy")).toString(), QStringLiteral("gateway"));
            QCOMPARE(e.value(QStringLiteral("setting")).toString(), QStringLiteral("settings"));
        }
        access101 += type == QLatin1String("access")
                     && e.value(QStringLiteral("httpStatus")).toInt() == 101;
    }
    QCOMPARE(upgraded, 1);
    QCOMPARE(timeouts, 1);
    QCOMPARE(access101, 1);
}

// The servers of `appgw health` output by address, in the shape az network application-gateway
// show-backend-health prints: backendAddressPools[].backendHttpSettingsCollection[].servers[] =
// {address, health, healthProbeLog}.
QHash<QString, QJsonObject> healthServers(const QByteArray &json, QString *problem)
{
    QHash<QString, QJsonObject> servers;
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &e);
    if (e.error != QJsonParseError::NoError || !doc.isObject()) {
        *problem = QStringLiteral("not JSON: ") + e.errorString();
        return servers;
    }
    for (const auto &pool : doc.object().value(QStringLiteral("backendAddressPools")).toArray())
        for (const auto &settings :
             pool.toObject().value(QStringLiteral("backendHttpSettingsCollection")).toArray())
            for (const auto &server : settings.toObject().value(QStringLiteral("servers")).toArray())
                servers.insert(server.toObject().value(QStringLiteral("address")).toString(),
                               server.toObject());
    return servers;
}

const QString ConnectDetail = QStringLiteral(
    "Application Gateway could not connect to the backend. Check that the backend responds on the "
    "port used "
    "for the probe. Also check whether any NSG/UDR/Firewall is blocking access to the Ip and port "
    "of this backend.");
const QString StatusDetail = QStringLiteral(
    "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 "
    "Received:404.");
const QString DnsDetail = QStringLiteral("Application Gateway could not create a probe for this "
                                         "backend. This usually happens when the FQDN of the "
                                         "backend has not been entered correctly.");

void tst_CliAppgw::healthThreeBackends()
{
    // The acceptance of issue 4, as a new user tries it: one healthy, one refused, one 404 backend.
    TestSupport::FakeBackend healthy;
    healthy.setHandler(respondWith(200, "ok"));
    TestSupport::FakeBackend notFound;
    notFound.setHandler(respondWith(404, "nope"));
    const quint16 refused = closedPort();
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("health.json"));
    QVERIFY(writeFile(file, armConfig({healthy.port(), refused, notFound.port()}, closedPort())));
    const Result r = runAppgw({QStringLiteral("health"), file}, 60000);
    QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(describe(r)));

    QString problem;
    const QHash<QString, QJsonObject> servers = healthServers(r.out, &problem);
    QVERIFY2(problem.isEmpty() && servers.size() == 3, qPrintable(problem + describe(r)));
    const QJsonObject ok = servers.value(QStringLiteral("10.0.1.4"));
    const QJsonObject down = servers.value(QStringLiteral("10.0.1.5"));
    const QJsonObject missing = servers.value(QStringLiteral("10.0.1.6"));
    QCOMPARE(ok.value(QStringLiteral("health")).toString(), QStringLiteral("Healthy"));
    QCOMPARE(ok.value(QStringLiteral("healthProbeLog")).toString(),
             QStringLiteral("Success. Received 200 status code"));
    // Like show-backend-health: a server whose probe failed is Unhealthy, with Azure's detail,
    // word for word (azure-reference.md §4), even though only one probe ran.
    QCOMPARE(down.value(QStringLiteral("health")).toString(), QStringLiteral("Unhealthy"));
    QCOMPARE(down.value(QStringLiteral("healthProbeLog")).toString(), ConnectDetail);
    QCOMPARE(missing.value(QStringLiteral("health")).toString(), QStringLiteral("Unhealthy"));
    QCOMPARE(missing.value(QStringLiteral("healthProbeLog")).toString(), StatusDetail);
    // One probe each: the one-shot command does not wait for the unhealthy threshold.
    QCOMPARE(healthy.requests().size(), 1);
    QCOMPARE(notFound.requests().size(), 1);
}

void tst_CliAppgw::healthAllHealthyExitsZero()
{
    TestSupport::FakeBackend a;
    a.setHandler(respondWith(200, "ok"));
    TestSupport::FakeBackend b;
    b.setHandler(respondWith(302, "", "Location: /login\r\n")); // 200-399 is healthy
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("health.json"));
    QVERIFY(writeFile(file, armConfig({a.port(), b.port()}, closedPort())));
    const Result r = runAppgw({QStringLiteral("health"), file}, 60000);
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(describe(r)));
    QString problem;
    const QHash<QString, QJsonObject> servers = healthServers(r.out, &problem);
    QVERIFY2(problem.isEmpty() && servers.size() == 2, qPrintable(problem + describe(r)));
    QCOMPARE(servers.value(QStringLiteral("10.0.1.4")).value(QStringLiteral("health")).toString(),
             QStringLiteral("Healthy"));
    QCOMPARE(servers.value(QStringLiteral("10.0.1.5")).value(QStringLiteral("health")).toString(),
             QStringLiteral("Healthy"));
    QCOMPARE(
        servers.value(QStringLiteral("10.0.1.5")).value(QStringLiteral("healthProbeLog")).toString(),
        QStringLiteral("Success. Received 302 status code"));
}

void tst_CliAppgw::healthUnresolvableFqdn()
{
    // An FQDN that never resolved: Unknown with the DNS detail (Azure's state for a name it
    // cannot resolve), and the exit code says "not every server is healthy".
    TestSupport::FakeBackend a;
    a.setHandler(respondWith(200, "ok"));
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("health.json"));
    QByteArray config = armConfig({a.port(), closedPort()}, closedPort());
    config.replace(R"({"ipAddress":"10.0.1.5"})", R"({"fqdn":"backend.contoso.invalid"})");
    QVERIFY(config.contains("backend.contoso.invalid"));
    // The user reaches unmapped names on purpose (else it is not contacted, not even looked up).
    QVERIFY(config.contains(R"("localGateway": {)"));
    config.replace(R"("localGateway": {)", R"("localGateway": { "allowUnmappedBackends": true,)");
    QVERIFY(writeFile(file, config));
    const Result r = runAppgw({QStringLiteral("health"), file}, 60000);
    QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(describe(r)));
    QString problem;
    const QHash<QString, QJsonObject> servers = healthServers(r.out, &problem);
    QVERIFY2(problem.isEmpty() && servers.size() == 2, qPrintable(problem + describe(r)));
    QCOMPARE(servers.value(QStringLiteral("10.0.1.4")).value(QStringLiteral("health")).toString(),
             QStringLiteral("Healthy"));
    const QJsonObject dns = servers.value(QStringLiteral("backend.contoso.invalid"));
    QCOMPARE(dns.value(QStringLiteral("health")).toString(), QStringLiteral("Unknown"));
    QCOMPARE(dns.value(QStringLiteral("healthProbeLog")).toString(), DnsDetail);
}

// `appgw cert create --client`: a client certificate (PFX, PEM + key) signed by the development
// CA, which an SSL profile that trusts that CA accepts.
void tst_CliAppgw::certCreateClient()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    qputenv("APPGW_DATA_DIR", dir.filePath(QStringLiteral("data")).toLocal8Bit());
    const Result r = runAppgw({QStringLiteral("cert"), QStringLiteral("create"),
                               QStringLiteral("--client"), QStringLiteral("alice"),
                               QStringLiteral("--out"), dir.filePath(QStringLiteral("alice.pfx"))});
    qunsetenv("APPGW_DATA_DIR");
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(describe(r)));
    QVERIFY2(r.out.contains("curl --cert"), qPrintable(describe(r)));
    for (const char *name : {"alice.pfx", "alice.crt", "alice.key", "alice-ca.crt"})
        QVERIFY2(QFile::exists(dir.filePath(QLatin1String(name))), name);
    QCOMPARE(QFile(dir.filePath(QStringLiteral("alice.key"))).permissions()
                 & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    QFile crt(dir.filePath(QStringLiteral("alice.crt")));
    QFile ca(dir.filePath(QStringLiteral("alice-ca.crt")));
    QVERIFY(crt.open(QIODevice::ReadOnly) && ca.open(QIODevice::ReadOnly));
    const QSslCertificate leaf(crt.readAll(), QSsl::Pem);
    QCOMPARE(leaf.subjectInfo(QSslCertificate::CommonName), QStringList{QStringLiteral("alice")});
    Gateway::Tls::ClientAuthority authority;
    QString dn;
    QCOMPARE(Gateway::Tls::readTrustedClientCertificate(QString::fromLatin1(ca.readAll()),
                                                        &authority.caCertificates, &dn),
             QString());
    QCOMPARE(Gateway::Tls::verifyClientCertificate(authority, leaf, {leaf},
                                                   QDateTime::currentDateTimeUtc())
                 .verification,
             QStringLiteral("SUCCESS"));
}

QTEST_GUILESS_MAIN(tst_CliAppgw)
#include "tst_appgw.moc"
