// The demo backends, clients and configuration, on loopback without the gateway.

#include "demo/demo.h"
#include "demo/demobackends.h"
#include "demo/democlients.h"
#include "demo/democonfig.h"
#include "requirement.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

using namespace Gateway::Demo;

namespace {

struct RawResponse
{
    int status = 0;
    QByteArray head;
    QByteArray body;
};

// Sends raw request bytes and reads `count` Content-Length-framed responses. The servers run
// on this thread, so it waits by running the event loop (QSignalSpy::wait), never by blocking.
QList<RawResponse> exchange(quint16 port, const QByteArray &request, int count = 1)
{
    QList<RawResponse> out;
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    QSignalSpy connected(&socket, &QTcpSocket::connected);
    QSignalSpy readyRead(&socket, &QTcpSocket::readyRead);
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!connected.wait(5000))
        return out;
    socket.write(request);
    QByteArray buffer;
    QDeadlineTimer deadline(10000);
    while (out.size() < count && !deadline.hasExpired()) {
        buffer += socket.readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
            RawResponse r;
            r.head = buffer.left(end);
            r.status = r.head.mid(9, 3).toInt();
            qsizetype length = 0;
            for (const QByteArray &line : r.head.split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (buffer.size() >= end + 4 + length) {
                r.body = buffer.mid(end + 4, length);
                buffer.remove(0, end + 4 + length);
                out.append(r);
                continue;
            }
        }
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
            break;
        readyRead.clear();
        if (socket.bytesAvailable() == 0
            && !readyRead.wait(int(std::max<qint64>(1, deadline.remainingTime()))))
            break;
    }
    return out;
}

RawResponse get(quint16 port, const QByteArray &path)
{
    const QList<RawResponse> r = exchange(
        port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    return r.isEmpty() ? RawResponse{} : r.first();
}

} // namespace

class tst_Demo : public QObject
{
    Q_OBJECT

private slots:
    void httpRoutes_data();
    void httpRoutes();
    void keepAlivePipelining();
    void badRequest();
    void webSocketEcho_data();
    void webSocketEcho();
    void chatBroadcast();
    void configTemplate();
    void configWithoutWebSocketOnly();
    void pickGatewayPort();
    void clientsKeepTrafficFlowing();
    void clientsSeeAbnormalClose();
    void clientsSeeServerClose();
    void httpClient();
    void demoFacade();
    void pythonEchoServer();
    void pythonClientAgainstDemoBackend();
};

void tst_Demo::httpRoutes_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("bodyContains");

    QTest::newRow("chat /health") << "chat" << QByteArray("/health") << 200
                                  << QByteArray("Healthy");
    QTest::newRow("chat /health?x=1")
        << "chat" << QByteArray("/health?x=1") << 200 << QByteArray("Healthy");
    QTest::newRow("chat /") << "chat" << QByteArray("/") << 200 << QByteArray("chat backend");
    QTest::newRow("chat /nope") << "chat" << QByteArray("/nope") << 404 << QByteArray();
    QTest::newRow("http /health") << "http" << QByteArray("/health") << 200
                                  << QByteArray("Healthy");
    QTest::newRow("http /") << "http" << QByteArray("/") << 200 << QByteArray("<html>");
    QTest::newRow("http /api/time")
        << "http" << QByteArray("/api/time") << 200 << QByteArray("\"epochMs\"");
    QTest::newRow("ws-only /") << "wsonly" << QByteArray("/") << 404 << QByteArray();
    QTest::newRow("ws-only /health") << "wsonly" << QByteArray("/health") << 404 << QByteArray();
}

void tst_Demo::httpRoutes()
{
    QFETCH(QString, server);
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(QByteArray, bodyContains);
    DemoBackends backends;
    QString error;
    QVERIFY2(backends.start(&error), qPrintable(error));
    const quint16 port = server == QLatin1String("chat")   ? backends.chatPort()
                         : server == QLatin1String("http") ? backends.httpPort()
                                                           : backends.webSocketOnlyPort();
    QVERIFY(port != 0);
    const RawResponse r = get(port, path);
    QCOMPARE(r.status, status);
    QVERIFY2(r.body.contains(bodyContains), r.body.constData());
    if (path == "/api/time") {
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        QVERIFY(o.value(QStringLiteral("epochMs")).toDouble() > 0);
        QVERIFY(r.head.contains("application/json"));
    }
}

void tst_Demo::keepAlivePipelining()
{
    DemoBackends backends;
    QVERIFY(backends.start());
    const QList<RawResponse> r = exchange(
        backends.httpPort(),
        "GET /health HTTP/1.1\r\nHost: a\r\n\r\nGET /api/time HTTP/1.1\r\nHost: a\r\n\r\n"
        "POST /nope HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
        3);
    QCOMPARE(r.size(), 3);
    QCOMPARE(r.at(0).status, 200);
    QCOMPARE(r.at(0).body, QByteArray("Healthy"));
    QCOMPARE(r.at(1).status, 200);
    QCOMPARE(r.at(2).status, 404);
    QVERIFY(backends.httpRequests() >= 3);
}

void tst_Demo::badRequest()
{
    DemoBackends backends;
    QVERIFY(backends.start());
    QList<RawResponse> r = exchange(backends.chatPort(), "NONSENSE\r\n\r\n");
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.first().status, 400);
    r = exchange(backends.chatPort(), "GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n");
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.first().status, 400);
}

void tst_Demo::webSocketEcho_data()
{
    QTest::addColumn<bool>("webSocketOnly");
    QTest::addColumn<QString>("path");
    QTest::newRow("chat server /echo") << false << QStringLiteral("/echo");
    QTest::newRow("chat server /chat") << false << QStringLiteral("/chat");
    QTest::newRow("ws-only server /") << true << QStringLiteral("/");
}

void tst_Demo::webSocketEcho()
{
    QFETCH(bool, webSocketOnly);
    QFETCH(QString, path);
    DemoBackends backends;
    QVERIFY(backends.start());
    const quint16 port = webSocketOnly ? backends.webSocketOnlyPort() : backends.chatPort();

    QWebSocket ws;
    ws.setProxy(QNetworkProxy::NoProxy);
    QSignalSpy connected(&ws, &QWebSocket::connected);
    QSignalSpy text(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy binary(&ws, &QWebSocket::binaryMessageReceived);
    QSignalSpy pong(&ws, &QWebSocket::pong);
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(port).arg(path)));
    QTRY_COMPARE(connected.count(), 1);
    QTRY_COMPARE(backends.webSocketClients(), 1);

    ws.sendTextMessage(QStringLiteral("hello \u00e9"));
    QTRY_COMPARE(text.count(), 1);
    QCOMPARE(text.first().first().toString(), QStringLiteral("hello \u00e9"));

    QByteArray blob(70000, Qt::Uninitialized);
    for (qsizetype i = 0; i < blob.size(); ++i)
        blob[i] = char(i * 7);
    ws.sendBinaryMessage(blob);
    QTRY_COMPARE(binary.count(), 1);
    QCOMPARE(binary.first().first().toByteArray(), blob);

    ws.ping("p");
    QTRY_COMPARE(pong.count(), 1);
    QCOMPARE(backends.messagesReceived(), quint64(2));

    ws.close();
    QTRY_COMPARE(backends.webSocketClients(), 0);
}

void tst_Demo::chatBroadcast()
{
    DemoBackends backends;
    QVERIFY(backends.start());
    const QUrl chat(QStringLiteral("ws://127.0.0.1:%1/chat").arg(backends.chatPort()));
    const QUrl echo(QStringLiteral("ws://127.0.0.1:%1/echo").arg(backends.chatPort()));
    QWebSocket a, b, outsider;
    for (QWebSocket *ws : {&a, &b, &outsider})
        ws->setProxy(QNetworkProxy::NoProxy);
    QSignalSpy aText(&a, &QWebSocket::textMessageReceived);
    QSignalSpy bText(&b, &QWebSocket::textMessageReceived);
    QSignalSpy outsiderText(&outsider, &QWebSocket::textMessageReceived);
    a.open(chat);
    b.open(chat);
    outsider.open(echo);
    QTRY_COMPARE(backends.webSocketClients(), 3);
    QTRY_COMPARE(b.state(), QAbstractSocket::ConnectedState);
    QTRY_COMPARE(a.state(), QAbstractSocket::ConnectedState);
    a.sendTextMessage(QStringLiteral("to everyone"));
    QTRY_COMPARE(aText.count(), 1);
    QTRY_COMPARE(bText.count(), 1);
    QCOMPARE(bText.first().first().toString(), QStringLiteral("to everyone"));
    // The echo client is not in the chat room: nothing reaches it.
    outsider.sendTextMessage(QStringLiteral("mine"));
    QTRY_COMPARE(outsiderText.count(), 1);
    QCOMPARE(outsiderText.first().first().toString(), QStringLiteral("mine"));
    QCOMPARE(bText.count(), 1);
}

void tst_Demo::configTemplate()
{
    DemoPorts ports;
    ports.gateway = 18080;
    ports.chat = 20001;
    ports.http = 20002;
    ports.webSocketOnly = 20003;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(DemoConfig::templateJson(ports), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    const QJsonObject root = doc.object();
    QVERIFY(root.value(QStringLiteral("$schema"))
                .toString()
                .contains(QStringLiteral("deploymentTemplate.json")));
    const QJsonObject local = root[QStringLiteral("metadata")][QStringLiteral("localGateway")]
                                  .toObject();
    QCOMPARE(local[QStringLiteral("frontendPortMap")][QStringLiteral("80")].toInt(), 18080);
    const QJsonObject map = local[QStringLiteral("backendAddressMap")].toObject();
    QCOMPARE(map.size(), 3);
    QCOMPARE(map[QStringLiteral("10.0.1.4")].toString(), QStringLiteral("127.0.0.1:20001"));
    QCOMPARE(map[QStringLiteral("10.0.2.4")].toString(), QStringLiteral("127.0.0.1:20002"));
    QCOMPARE(map[QStringLiteral("10.0.3.4")].toString(), QStringLiteral("127.0.0.1:20003"));

    const QJsonArray resources = root[QStringLiteral("resources")].toArray();
    QCOMPARE(resources.size(), 1);
    const QJsonObject gw = resources.first().toObject();
    QCOMPARE(gw[QStringLiteral("type")].toString(),
             QStringLiteral("Microsoft.Network/applicationGateways"));
    const QJsonObject p = gw[QStringLiteral("properties")].toObject();

    QHash<QString, QJsonObject> settings;
    for (const QJsonValue &v : p[QStringLiteral("backendHttpSettingsCollection")].toArray())
        settings.insert(v[QStringLiteral("name")].toString(),
                        v[QStringLiteral("properties")].toObject());
    QCOMPARE(settings.size(), 3);
    QCOMPARE(settings[QStringLiteral("chatSetting")][QStringLiteral("requestTimeout")].toInt(), 20);
    QVERIFY(settings[QStringLiteral("chatSetting")][QStringLiteral("probe")][QStringLiteral("id")]
                .toString()
                .contains(QStringLiteral("'chatProbe'")));
    QVERIFY(!settings[QStringLiteral("wsOnlySetting")].contains(QStringLiteral("probe")));

    for (const QJsonValue &v : p[QStringLiteral("probes")].toArray())
        QCOMPARE(v[QStringLiteral("properties")][QStringLiteral("path")].toString(),
                 QStringLiteral("/health"));

    const QJsonObject rule = p[QStringLiteral("requestRoutingRules")].toArray().first().toObject();
    QCOMPARE(rule[QStringLiteral("properties")][QStringLiteral("ruleType")].toString(),
             QStringLiteral("PathBasedRouting"));
    const QJsonObject pathMap =
        p[QStringLiteral("urlPathMaps")].toArray().first()[QStringLiteral("properties")].toObject();
    const QJsonArray pathRules = pathMap[QStringLiteral("pathRules")].toArray();
    QCOMPARE(pathRules.size(), 2);
    QCOMPARE(pathRules.at(0)[QStringLiteral("properties")][QStringLiteral("paths")][0].toString(),
             QStringLiteral("/api/*"));
    QVERIFY(pathRules
                .at(0)[QStringLiteral("properties")][QStringLiteral("backendAddressPool")]
                      [QStringLiteral("id")]
                .toString()
                .contains(QStringLiteral("'apiPool'")));
    QVERIFY(pathMap[QStringLiteral("defaultBackendAddressPool")][QStringLiteral("id")]
                .toString()
                .contains(QStringLiteral("'chatPool'")));

    const QJsonObject listener = p[QStringLiteral("httpListeners")]
                                     .toArray()
                                     .first()[QStringLiteral("properties")]
                                     .toObject();
    QCOMPARE(listener[QStringLiteral("protocol")].toString(), QStringLiteral("Http"));
    QCOMPARE(
        p[QStringLiteral("frontendPorts")][0][QStringLiteral("properties")][QStringLiteral("port")]
            .toInt(),
        80);
}

void tst_Demo::configWithoutWebSocketOnly()
{
    DemoPorts ports;
    ports.gateway = 1;
    ports.chat = 2;
    ports.http = 3;
    const QJsonObject root = QJsonDocument::fromJson(DemoConfig::templateJson(ports)).object();
    const QJsonObject p = root[QStringLiteral("resources")][0][QStringLiteral("properties")]
                              .toObject();
    QCOMPARE(p[QStringLiteral("backendAddressPools")].toArray().size(), 2);
    QCOMPARE(p[QStringLiteral("urlPathMaps")][0][QStringLiteral("properties")]
              [QStringLiteral("pathRules")]
                  .toArray()
                  .size(),
             1);
}

void tst_Demo::pickGatewayPort()
{
    QTcpServer busy;
    QVERIFY(busy.listen(QHostAddress::LocalHost, 0));
    const quint16 taken = busy.serverPort();
    const quint16 picked = DemoConfig::pickGatewayPort(taken);
    QVERIFY(picked != 0);
    QVERIFY(picked != taken);
    busy.close();
    QCOMPARE(DemoConfig::pickGatewayPort(taken), taken); // free again: preferred wins
}

void tst_Demo::clientsKeepTrafficFlowing()
{
    // Straight at the chat backend (it serves /chat and /echo/*), with short intervals.
    DemoBackends backends;
    QVERIFY(backends.start());
    DemoClients clients;
    DemoClients::Options o;
    o.chatMinMs = 20;
    o.chatMaxMs = 40;
    o.heartbeatPingMs = 20;
    o.slowPingMs = 60;
    o.httpIntervalMs = 50;
    o.reconnectDelayMs = 50;
    clients.setOptions(o);
    QSignalSpy connected(&clients, &DemoClients::clientConnected);
    clients.start(backends.chatPort());
    QTRY_COMPARE(connected.count(), 3);
    QTRY_COMPARE(backends.webSocketClients(), 3);

    auto find = [&clients](const QString &name) {
        for (const DemoClientStatus &s : clients.status()) {
            if (s.name == name)
                return s;
        }
        return DemoClientStatus();
    };
    QTRY_VERIFY(find(QStringLiteral("chat")).messagesReceived >= 3);
    QTRY_VERIFY(find(QStringLiteral("heartbeat")).pongsReceived >= 3);
    QTRY_VERIFY(find(QStringLiteral("slow-pinger")).pongsReceived >= 1);
    QCOMPARE(find(QStringLiteral("slow-pinger")).pingIntervalMs, 60);
    QCOMPARE(find(QStringLiteral("heartbeat")).messagesReceived, quint64(0)); // not in the room
    QVERIFY(find(QStringLiteral("chat")).url.endsWith(QStringLiteral("/chat")));
    // The chat backend has no /api/time: the HTTP client counts the 404s.
    QTRY_VERIFY(clients.httpErrors() >= 2);
    QCOMPARE(clients.lastHttpStatus(), 404);

    clients.stop();
    QTRY_COMPARE(backends.webSocketClients(), 0);
    QVERIFY(clients.status().isEmpty());
}

void tst_Demo::clientsSeeAbnormalClose()
{
    // A connection dropped without a close frame (what the gateway does on a request timeout)
    // is seen as 1006, logged with the explanation, and the client tries again.
    DemoBackends backends;
    QVERIFY(backends.start());
    DemoClients clients;
    DemoClients::Options o;
    o.slowPingMs = 10'000;
    o.heartbeatPingMs = 10'000;
    o.chatMinMs = 10'000;
    o.chatMaxMs = 10'000;
    o.httpIntervalMs = 10'000;
    o.reconnectDelayMs = 50;
    clients.setOptions(o);
    QSignalSpy connected(&clients, &DemoClients::clientConnected);
    QSignalSpy closed(&clients, &DemoClients::clientClosed);
    QSignalSpy log(&clients, &DemoClients::log);
    clients.start(backends.chatPort());
    QTRY_COMPARE(connected.count(), 3);
    QTRY_COMPARE(backends.webSocketClients(), 3);

    backends.stop(); // aborts every server-side socket: no close frame
    QTRY_VERIFY(closed.count() >= 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(closed.at(i).at(1).toInt(), 1006);
    bool explained = false;
    for (const QList<QVariant> &line : std::as_const(log)) {
        const QString text = line.first().toString();
        if (text.startsWith(QStringLiteral("slow-pinger: closed with 1006"))
            && text.contains(QStringLiteral("request timeout")))
            explained = true;
    }
    QVERIFY2(explained, "no 1006 explanation logged for the slow pinger");
    // Reconnection attempts fail (nothing listens) and are reported, never crash.
    QTRY_VERIFY(closed.count() >= 6);
    clients.stop();
}

void tst_Demo::clientsSeeServerClose()
{
    // A server that closes properly (close frame 4001): the client reports that code.
    QWebSocketServer server(QStringLiteral("closer"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    connect(&server, &QWebSocketServer::newConnection, &server, [&server] {
        while (QWebSocket *ws = server.nextPendingConnection()) {
            connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
            ws->close(QWebSocketProtocol::CloseCode(4001), QStringLiteral("go away"));
        }
    });
    DemoClients clients;
    DemoClients::Options o;
    o.reconnectDelayMs = 10'000;
    o.httpIntervalMs = 10'000;
    clients.setOptions(o);
    QSignalSpy closed(&clients, &DemoClients::clientClosed);
    clients.start(server.serverPort());
    QTRY_COMPARE(closed.count(), 3);
    for (const QList<QVariant> &args : std::as_const(closed)) {
        QCOMPARE(args.at(1).toInt(), 4001);
        QCOMPARE(args.at(2).toString(), QStringLiteral("go away"));
    }
    clients.stop();
}

void tst_Demo::httpClient()
{
    DemoBackends backends;
    QVERIFY(backends.start());
    DemoClients clients;
    DemoClients::Options o;
    o.httpIntervalMs = 20;
    o.reconnectDelayMs = 10'000;
    clients.setOptions(o);
    QSignalSpy responses(&clients, &DemoClients::httpResponse);
    clients.start(backends.httpPort()); // WebSocket clients get 404 here; HTTP works
    QTRY_VERIFY(responses.count() >= 3);
    QVERIFY(clients.httpResponses() >= 3);
    QCOMPARE(clients.lastHttpStatus(), 200);
    QCOMPARE(responses.first().first().toInt(), 200);
    clients.stop();
}

void tst_Demo::demoFacade()
{
    Demo demo;
    QSignalSpy log(&demo, &Demo::log);
    QString error;
    QVERIFY2(demo.start(&error), qPrintable(error));
    QVERIFY(demo.ports().chat != 0);
    QVERIFY(demo.ports().http != 0);
    QVERIFY(demo.ports().webSocketOnly != 0);
    QVERIFY(demo.gatewayPort() != 0);
    QVERIFY(demo.backends()->isRunning());
    QVERIFY(log.count() >= 1);
    const QJsonObject root = QJsonDocument::fromJson(demo.gatewayConfigJson()).object();
    QCOMPARE(root[QStringLiteral("metadata")][QStringLiteral("localGateway")]
                 [QStringLiteral("frontendPortMap")][QStringLiteral("80")]
                     .toInt(),
             int(demo.gatewayPort()));
    QCOMPARE(get(demo.ports().chat, "/health").status, 200);
    demo.stop();
    QVERIFY(!demo.backends()->isRunning());
}

namespace {

// tests/common's Python helpers need Debian's python3-websockets, installed for /usr/bin/python3.
bool havePythonWebsockets()
{
    QProcess p;
    p.start(QStringLiteral("/usr/bin/python3"),
            {QStringLiteral("-c"), QStringLiteral("import websockets")});
    return p.waitForFinished(20000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QString commonScript(const QString &name)
{
    return QStringLiteral(APPGW_SOURCE_DIR "/tests/common/") + name;
}

} // namespace

void tst_Demo::pythonEchoServer()
{
    APPGW_REQUIRE(havePythonWebsockets(), APPGW_PYTHON_WEBSOCKETS_REASON);
    QProcess server;
    server.setProcessChannelMode(QProcess::SeparateChannels);
    server.start(QStringLiteral("/usr/bin/python3"),
                 {commonScript(QStringLiteral("ws_echo_server.py"))});
    QVERIFY(server.waitForStarted());
    QSignalSpy out(&server, &QProcess::readyReadStandardOutput);
    QTRY_VERIFY_WITH_TIMEOUT(server.canReadLine(), 20000);
    const quint16 port = quint16(server.readLine().trimmed().toUInt());
    QVERIFY(port != 0);

    QCOMPARE(get(port, "/health").status, 200);
    QCOMPARE(get(port, "/health").body, QByteArray("Healthy"));
    QCOMPARE(get(port, "/").status, 404); // WebSocket-only unless --http-root

    QWebSocket ws;
    ws.setProxy(QNetworkProxy::NoProxy);
    QSignalSpy text(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy binary(&ws, &QWebSocket::binaryMessageReceived);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/x").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(ws.state(), QAbstractSocket::ConnectedState, 10000);
    ws.sendTextMessage(QStringLiteral("echo me"));
    QTRY_COMPARE(text.count(), 1);
    QCOMPARE(text.first().first().toString(), QStringLiteral("echo me"));
    const QByteArray blob(65536, 'b');
    ws.sendBinaryMessage(blob);
    QTRY_COMPARE(binary.count(), 1);
    QCOMPARE(binary.first().first().toByteArray(), blob);
    ws.sendTextMessage(QStringLiteral("close:4002:asked"));
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 10000);
    QCOMPARE(int(ws.closeCode()), 4002);
    QCOMPARE(ws.closeReason(), QStringLiteral("asked"));

    server.closeWriteChannel(); // EOF on stdin stops it
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), QProcess::NotRunning, 20000);
    QCOMPARE(server.exitCode(), 0);
}

void tst_Demo::pythonClientAgainstDemoBackend()
{
    APPGW_REQUIRE(havePythonWebsockets(), APPGW_PYTHON_WEBSOCKETS_REASON);
    DemoBackends backends;
    QVERIFY(backends.start());
    QProcess client;
    client.start(QStringLiteral("/usr/bin/python3"),
                 {commonScript(QStringLiteral("ws_client.py")),
                  QStringLiteral("ws://127.0.0.1:%1/echo").arg(backends.chatPort()),
                  QStringLiteral("--sizes"), QStringLiteral("0,125,126,65535,65536,16777216"),
                  QStringLiteral("--ping"), QStringLiteral("--close-code"), QStringLiteral("4000"),
                  QStringLiteral("--close-reason"), QStringLiteral("done")});
    QVERIFY(client.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QProcess::NotRunning, 120000);
    const QByteArray output = client.readAllStandardOutput();
    QVERIFY2(client.exitCode() == 0, QByteArray(output + client.readAllStandardError()).constData());
    const QJsonObject summary = QJsonDocument::fromJson(output).object();
    QCOMPARE(summary[QStringLiteral("ok")].toBool(), true);
    QCOMPARE(summary[QStringLiteral("messages")].toArray().size(), 12);
    QCOMPARE(summary[QStringLiteral("ping")][QStringLiteral("ok")].toBool(), true);
    QCOMPARE(summary[QStringLiteral("closeCode")].toInt(), 4000); // the server echoes our close

    // Refused handshake: the HTTP backend has no WebSocket server -> 404, exit 1.
    QProcess refused;
    refused.start(QStringLiteral("/usr/bin/python3"),
                  {commonScript(QStringLiteral("ws_client.py")),
                   QStringLiteral("ws://127.0.0.1:%1/chat").arg(backends.httpPort())});
    QTRY_COMPARE_WITH_TIMEOUT(refused.state(), QProcess::NotRunning, 60000);
    QCOMPARE(refused.exitCode(), 1);
    const QJsonObject r = QJsonDocument::fromJson(refused.readAllStandardOutput()).object();
    QCOMPARE(r[QStringLiteral("ok")].toBool(), false);
    QCOMPARE(r[QStringLiteral("httpStatus")].toInt(), 404);
}

QTEST_GUILESS_MAIN(tst_Demo)
#include "tst_demo.moc"
