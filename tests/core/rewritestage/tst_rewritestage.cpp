// Rewrites through a running gateway on loopback: the rewrite stage on requests, responses,
// reroutes, WebSocket handshakes, the access event, and Azure's rewrite sample end to end.

#include "config/configdocument.h"
#include "events/gatewayevent.h"
#include "fakebackend.h"
#include "proxy/gateway.h"
#include "session/sessionregistry.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Gateway;
using TestSupport::FakeBackend;

namespace {

Config::GatewayConfig loadConfig(const QByteArray &json, const QByteArray &parameters = {})
{
    const auto document = Config::ConfigDocument::fromJson(json, parameters);
    for (const auto &d : document.loadDiagnostics())
        qWarning() << d.path << d.message;
    return document.model();
}

struct Running
{
    std::unique_ptr<Proxy::Gateway> gateway;
    quint16 port = 0;
};

Running startGateway(const Config::GatewayConfig &config)
{
    Proxy::GatewayOptions options;
    options.healthProbes = false;
    Running running;
    running.gateway = std::make_unique<Proxy::Gateway>(options);
    QString error;
    if (!running.gateway->start(config, &error)) {
        qWarning() << "start failed:" << error;
        return running;
    }
    running.port = quint16(running.gateway->listeners().constFirst().port);
    return running;
}

QByteArray headerOf(const QByteArray &response, const QByteArray &name)
{
    const QByteArray head = response.left(response.indexOf("\r\n\r\n"));
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return "<absent>";
}

// A path-based gateway: backends A and B (and a pool whose only member refuses connections),
// rule sets on the map default, on path rules and a rerouting loop.
QByteArray pathTemplate(quint16 a, quint16 b, quint16 down)
{
    return TestSupport::readFile(QStringLiteral(APPGW_SOURCE_DIR
                                                "/tests/core/rewritestage/pathbased.json"))
        .arg(a)
        .arg(b)
        .arg(down)
        .toUtf8();
}

QList<Events::GatewayEvent> accessEvents(const QSignalSpy &spy)
{
    QList<Events::GatewayEvent> out;
    for (const auto &args : spy)
        for (const auto &e : args.at(0).value<QList<Events::GatewayEvent>>())
            if (e.type == QLatin1String("access"))
                out.append(e);
    return out;
}

quint16 closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort(); // closed when s goes out of scope
}

} // namespace

class tst_RewriteStage final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void proxyCases_data();
    void proxyCases();
    void accessEventListsRewrites();
    void webSocketHandshakeRewrittenFramesUntouched();
    void armRewriteSampleEndToEnd();

private:
    std::unique_ptr<FakeBackend> m_a, m_b;
    Running m_run;
};

void tst_RewriteStage::initTestCase()
{
    m_a = std::make_unique<FakeBackend>();
    m_b = std::make_unique<FakeBackend>();
    m_a->setHandler(FakeBackend::respondWith(200, "A", "Server: backend-a\r\n"));
    m_b->setHandler(FakeBackend::respondWith(200, "B", "Server: backend-b\r\n"));
    m_run = startGateway(loadConfig(pathTemplate(m_a->port(), m_b->port(), closedPort())));
    QVERIFY(m_run.port);
}

void tst_RewriteStage::cleanupTestCase()
{
    m_run.gateway.reset();
    m_a.reset();
    m_b.reset();
}

void tst_RewriteStage::proxyCases_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("backend");        // A | B | - (none reached)
    QTest::addColumn<int>("status");             // the client's
    QTest::addColumn<QByteArray>("requestLine"); // as the backend received it
    QTest::addColumn<QStringList>("atBackend");  // "Name=value" the backend received
    QTest::addColumn<QStringList>("atClient");   // "Name=value" in the client's response

    QTest::newRow("default set: headers, XFF without ports, response headers")
        << QByteArray("GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: t/1\r\n"
                      "X-Forwarded-For: 10.9.9.9\r\nConnection: close\r\n\r\n")
        << "A" << 200 << QByteArray("GET /x HTTP/1.1")
        << QStringList{"X-Forwarded-For=10.9.9.9, 127.0.0.1", "X-Agent=ua=t/1", "X-Rtt=~digits",
                       "X-Original-URL=/x"}
        << QStringList{"X-Rewritten=default", "Server=<absent>"};
    QTest::newRow("URL rewrite without reroute stays on the default pool")
        << QByteArray("GET /plain/page?q=2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") << "A"
        << 200 << QByteArray("GET /p/page?v=1 HTTP/1.1")
        << QStringList{"X-Original-URL=/plain/page?q=2"} << QStringList{"X-Rewritten=default"};
    QTest::newRow("reroute re-evaluates the path map and runs the new rule's set")
        << QByteArray("GET /old/thing HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") << "B"
        << 200 << QByteArray("GET /b/thing HTTP/1.1")
        << QStringList{"X-Set=B", "X-Original-URL=/old/thing"}
        << QStringList{"X-Rewritten=B", "Server=backend-b"};
    QTest::newRow("path rule set applies directly")
        << QByteArray("GET /b/direct HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") << "B"
        << 200 << QByteArray("GET /b/direct HTTP/1.1") << QStringList{"X-Set=B"}
        << QStringList{"X-Rewritten=B"};
    QTest::newRow("reroute loop answers 500 and reaches no backend")
        << QByteArray("GET /loop HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") << "-" << 500
        << QByteArray() << QStringList{}
        << QStringList{"X-Rewritten=<absent>", "Server=Microsoft-Azure-Application-Gateway/v2"};
    QTest::newRow("gateway's own 502 is not rewritten")
        << QByteArray("GET /down HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") << "-" << 502
        << QByteArray() << QStringList{}
        << QStringList{"X-Rewritten=<absent>", "Server=Microsoft-Azure-Application-Gateway/v2"};
}

void tst_RewriteStage::proxyCases()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, backend);
    QFETCH(int, status);
    QFETCH(QByteArray, requestLine);
    QFETCH(QStringList, atBackend);
    QFETCH(QStringList, atClient);
    m_a->clear();
    m_b->clear();
    const QByteArray response = TestSupport::exchange(m_run.port, request);
    QCOMPARE(response.mid(9, 3).toInt(), status);
    for (const QString &e : atClient) {
        const qsizetype eq = e.indexOf(QLatin1Char('='));
        QCOMPARE(headerOf(response, e.left(eq).toUtf8()), e.mid(eq + 1).toUtf8());
    }
    QCOMPARE(m_a->requests().size(), backend == QLatin1String("A") ? 1 : 0);
    QCOMPARE(m_b->requests().size(), backend == QLatin1String("B") ? 1 : 0);
    if (backend == QLatin1String("-"))
        return;
    const TestSupport::ReceivedRequest got =
        (backend == QLatin1String("A") ? m_a : m_b)->requests().constFirst();
    QCOMPARE(got.requestLine(), requestLine);
    for (const QString &e : atBackend) {
        const qsizetype eq = e.indexOf(QLatin1Char('='));
        const QByteArray name = e.left(eq).toUtf8();
        QCOMPARE(got.head.count(QByteArray("\n" + name + ":")), 1); // set once, not appended
        if (e.mid(eq + 1) == QLatin1String("~digits")) {            // e.g. var_client_tcp_rtt
            bool number = false;
            QVERIFY2(got.header(name).toLongLong(&number) >= 0 && number, got.header(name));
            continue;
        }
        QCOMPARE(got.header(name), e.mid(eq + 1).toUtf8());
    }
}

void tst_RewriteStage::accessEventListsRewrites()
{
    QSignalSpy spy(m_run.gateway->events(), &Events::EventBus::eventsPublished);
    TestSupport::exchange(m_run.port,
                          "GET /old/e?k=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    QJsonObject fields;
    const auto found = [&] {
        for (const auto &e : accessEvents(spy))
            if (e.fields.value(QStringLiteral("originalRequestUriWithArgs")).toString()
                == QLatin1String("/old/e?k=1"))
                fields = e.fields;
        return !fields.isEmpty();
    };
    QTRY_VERIFY(found());
    QCOMPARE(fields.value(QStringLiteral("requestUri")).toString(), QStringLiteral("/b/e?k=1"));
    QCOMPARE(fields.value(QStringLiteral("originalRequestUriWithArgs")).toString(),
             QStringLiteral("/old/e?k=1"));
    const QJsonArray rewrites = fields.value(QStringLiteral("rewritesApplied")).toArray();
    QStringList described;
    for (const QJsonValue &v : rewrites)
        described << QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    const QString all = described.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QLatin1String(
                 "\"after\":\"/b/e\",\"before\":\"/old/"
                 "e\",\"rule\":\"old-to-b\",\"ruleSet\":\"setDefault\",\"target\":\"urlPath\"")),
             qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("\"after\":\"rule/toB\",\"before\":\"rule (default)\"")),
             qPrintable(all));
    QVERIFY2(all.contains(
                 QLatin1String("\"after\":\"B\",\"before\":null,\"headerName\":\"X-Set\",\"rule\":"
                               "\"b\",\"ruleSet\":\"setB\",\"target\":\"requestHeader\"")),
             qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("\"headerName\":\"X-Rewritten\",\"rule\":\"b\",\"ruleSet\":"
                                        "\"setB\",\"target\":\"responseHeader\"")),
             qPrintable(all));
    // The session view shows the same list.
    const auto shown = [this] {
        for (const auto &session : m_run.gateway->sessions()->sessions())
            if (session.rewrites.join(QLatin1Char('\n'))
                    .contains(QLatin1String("setDefault/old-to-b urlPath: /old/e -> /b/e")))
                return true;
        return false;
    };
    QTRY_VERIFY(shown());
}

void tst_RewriteStage::webSocketHandshakeRewrittenFramesUntouched()
{
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    FakeBackend unused;
    auto run = startGateway(loadConfig(pathTemplate(raw.serverPort(), unused.port(), closedPort())));
    QVERIFY(run.port);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected(5000));
    client.write("GET /chat HTTP/1.1\r\nHost: h\r\nUser-Agent: ws/1\r\nConnection: Upgrade\r\n"
                 "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n");
    QVERIFY(client.waitForBytesWritten(5000));
    if (!raw.waitForNewConnection(5000)) {
        client.waitForReadyRead(2000);
        QFAIL(client.readAll().constData());
    }
    QTcpSocket *backend = raw.nextPendingConnection();
    QByteArray handshake;
    QVERIFY(QTest::qWaitFor(
        [&] {
            backend->waitForReadyRead(50);
            handshake += backend->readAll();
            return handshake.contains("\r\n\r\n");
        },
        5000));
    // The handshake is a request: rewritten, with Connection and Upgrade intact.
    QVERIFY2(handshake.contains("\r\nX-Agent: ua=ws/1\r\n"), handshake.constData());
    QVERIFY(handshake.contains("\r\nConnection: Upgrade\r\n"));
    QVERIFY(handshake.contains("\r\nUpgrade: websocket\r\n"));
    backend->write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    QVERIFY(backend->waitForBytesWritten(5000));
    QByteArray head;
    QVERIFY(QTest::qWaitFor(
        [&] {
            client.waitForReadyRead(50);
            head += client.readAll();
            return head.contains("\r\n\r\n");
        },
        5000));
    QCOMPARE(head.left(12), QByteArray("HTTP/1.1 101"));
    QCOMPARE(headerOf(head, "X-Rewritten"), QByteArray("default"));
    // Frames: bytes that would match every rule (header-like text included) pass unchanged.
    QByteArray upstream;
    const QByteArray text = "Server: x\r\nX-Rewritten: no\r\n/old/path";
    upstream.append(char(0x81)).append(char(0x80 | text.size())).append("\x01\x02\x03\x04", 4);
    for (int i = 0; i < text.size(); ++i)
        upstream.append(char(text.at(i) ^ "\x01\x02\x03\x04"[i % 4]));
    client.write(upstream);
    QVERIFY(client.waitForBytesWritten(5000));
    QByteArray atBackend;
    QVERIFY(QTest::qWaitFor(
        [&] {
            backend->waitForReadyRead(50);
            atBackend += backend->readAll();
            return atBackend.size() >= upstream.size();
        },
        5000));
    QCOMPARE(atBackend, upstream);
    QByteArray downstream;
    downstream.append(char(0x82)).append(char(text.size())).append(text);
    backend->write(downstream);
    QVERIFY(backend->waitForBytesWritten(5000));
    QByteArray atClient;
    QVERIFY(QTest::qWaitFor(
        [&] {
            client.waitForReadyRead(50);
            atClient += client.readAll();
            return atClient.size() >= downstream.size();
        },
        5000));
    QCOMPARE(atClient, downstream);
}

void tst_RewriteStage::armRewriteSampleEndToEnd()
{
    // ../shared/arm-samples/application-gateway-rewrite as published, with its backend address
    // mapped to a local backend and port 80 to a free local port.
    const QString dir = QStringLiteral(APPGW_SHARED_DIR "/arm-samples/application-gateway-rewrite");
    QJsonObject tpl = QJsonDocument::fromJson(
                          TestSupport::readFile(dir + QStringLiteral("/azuredeploy.json")).toUtf8())
                          .object();
    QVERIFY(!tpl.isEmpty());
    FakeBackend backend;
    backend.setHandler(FakeBackend::respondWith(200, "<p>hi</p>", "Content-Type: text/plain\r\n"));
    QJsonObject metadata = tpl.value(QStringLiteral("metadata")).toObject();
    metadata.insert(QStringLiteral("localGateway"),
                    QJsonObject{
                        {QStringLiteral("frontendPortMap"), QJsonObject{{"80", 0}}},
                        {QStringLiteral("backendAddressMap"),
                         QJsonObject{
                             {"10.0.1.13", QStringLiteral("127.0.0.1:%1").arg(backend.port())}}}});
    tpl.insert(QStringLiteral("metadata"), metadata);
    const QByteArray parameters =
        TestSupport::readFile(dir + QStringLiteral("/azuredeploy.parameters.json")).toUtf8();
    auto run = startGateway(loadConfig(QJsonDocument(tpl).toJson(), parameters));
    QVERIFY(run.port);
    const QByteArray response = TestSupport::exchange(
        run.port, "GET / HTTP/1.1\r\nHost: www.contoso.com\r\nConnection: close\r\n\r\n");
    QCOMPARE(response.mid(9, 3), QByteArray("200"));
    QCOMPARE(headerOf(response, "Content-Type"), QByteArray("text/html; charset=utf-8"));
    QVERIFY(response.endsWith("<p>hi</p>"));
    QCOMPARE(backend.requests().size(), 1);
    QCOMPARE(backend.requests().constFirst().header("Accept-Charset"), QByteArray("utf-8"));
}

QTEST_MAIN(tst_RewriteStage)
#include "tst_rewritestage.moc"
