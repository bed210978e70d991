// Connection draining (azure-reference.md §3 connectionDraining, issue 16 item 3): a member an
// applied edit removes from its pool gets no new requests or upgrades; the requests and WebSocket
// sessions open on it continue until drainTimeoutInSec (Azure's 30 s when draining is not
// enabled) and then end with reason "draining" (1006 for sessions). Loopback, port 0, ManualClock.

#include "config/configdocument.h"
#include "events/gatewayevent.h"
#include "net/clock.h"
#include "proxy/gateway.h"
#include "session/sessionregistry.h"
#include "session/sessiontypes.h"
#include "testsupport.h"

#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

#include <memory>

using namespace Gateway;

namespace {

// An HTTP backend on the test thread: "/hold" gets its head and half of the body at once and the
// rest only on finish(); any other path a whole response. Every response names the backend.
class HoldBackend : public QObject
{
public:
    explicit HoldBackend(QByteArray name) : m_name(std::move(name))
    {
        m_server.setProxy(QNetworkProxy::NoProxy);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    void finish()
    {
        for (QTcpSocket *socket : std::as_const(m_held))
            socket->write("world");
        m_held.clear();
    }
    int requests = 0;

private:
    void serve(QTcpSocket *socket)
    {
        QByteArray &buf = m_in[socket];
        buf += socket->readAll();
        qsizetype end;
        while ((end = buf.indexOf("\r\n\r\n")) >= 0) {
            const QByteArray head = buf.left(end);
            buf.remove(0, end + 4);
            ++requests;
            if (head.startsWith("GET /hold ")) {
                socket->write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-Backend: " + m_name
                              + "\r\n\r\nhello");
                m_held.append(socket);
            } else {
                socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Backend: " + m_name
                              + "\r\n\r\nok");
            }
        }
    }
    QByteArray m_name;
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_in;
    QList<QTcpSocket *> m_held;
};

// A WebSocket backend on the test thread: answers a text message with "<name>:<message>".
class WsBackend : public QObject
{
public:
    explicit WsBackend(QString name)
        : m_name(std::move(name)), m_server(QStringLiteral("ws"), QWebSocketServer::NonSecureMode)
    {
        m_server.setProxy(QNetworkProxy::NoProxy);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                ++accepted;
                connect(socket, &QWebSocket::textMessageReceived, socket,
                        [this, socket](const QString &m) {
                            socket->sendTextMessage(m_name + QLatin1Char(':') + m);
                        });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    int accepted = 0;

private:
    QString m_name;
    QWebSocketServer m_server;
};

// One exchange held open through the gateway: a WebSocket session or a GET /hold.
struct Client
{
    std::unique_ptr<QWebSocket> ws;
    std::unique_ptr<QTcpSocket> tcp;
    QByteArray received;  // http
    QStringList messages; // ws
    bool aboutToClose = false;
    bool disconnected = false;
    QString backend; // "A" or "C", from the first answer
};

std::unique_ptr<Client> openClient(bool webSocket, quint16 port, const QByteArray &cookie = {})
{
    auto c = std::make_unique<Client>();
    Client *raw = c.get();
    if (webSocket) {
        c->ws = std::make_unique<QWebSocket>();
        c->ws->setProxy(QNetworkProxy::NoProxy);
        QObject::connect(c->ws.get(), &QWebSocket::textMessageReceived,
                         [raw](const QString &m) { raw->messages.append(m); });
        QObject::connect(c->ws.get(), &QWebSocket::aboutToClose,
                         [raw] { raw->aboutToClose = true; });
        QObject::connect(c->ws.get(), &QWebSocket::disconnected,
                         [raw] { raw->disconnected = true; });
        QObject::connect(c->ws.get(), &QWebSocket::connected,
                         [raw] { raw->ws->sendTextMessage(QStringLiteral("who")); });
        c->ws->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/chat").arg(port)));
    } else {
        c->tcp = std::make_unique<QTcpSocket>();
        c->tcp->setProxy(QNetworkProxy::NoProxy);
        QObject::connect(c->tcp.get(), &QTcpSocket::readyRead,
                         [raw] { raw->received += raw->tcp->readAll(); });
        QObject::connect(c->tcp.get(), &QTcpSocket::disconnected,
                         [raw] { raw->disconnected = true; });
        c->tcp->connectToHost(QHostAddress::LocalHost, port);
        c->tcp->write("GET /hold HTTP/1.1\r\nHost: app\r\n"
                      + (cookie.isEmpty() ? QByteArray() : "Cookie: " + cookie + "\r\n") + "\r\n");
    }
    return c;
}

QString answeredBy(const Client &c)
{
    if (c.ws)
        return c.messages.isEmpty() ? QString() : c.messages.constFirst().section(':', 0, 0);
    const qsizetype at = c.received.indexOf("X-Backend: ");
    return at < 0 ? QString() : QString::fromLatin1(c.received.mid(at + 11, 1));
}

// A whole request on a new connection; the name of the backend that answered ("" if none).
QString newRequest(bool webSocket, quint16 port)
{
    if (webSocket) {
        auto c = openClient(true, port);
        if (!QTest::qWaitFor([&] { return !c->messages.isEmpty() || c->disconnected; }, 5000))
            return {};
        return answeredBy(*c);
    }
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.write("GET /quick HTTP/1.1\r\nHost: app\r\n\r\n");
    QByteArray got;
    const bool answered = QTest::qWaitFor(
        [&] {
            got += socket.readAll();
            return got.endsWith("ok");
        },
        5000);
    const qsizetype at = got.indexOf("X-Backend: ");
    return !answered || at < 0 ? QString() : QString::fromLatin1(got.mid(at + 11, 1));
}

// A whole GET on a new connection with an optional Cookie header; the response as received.
QByteArray getWithCookie(quint16 port, const QByteArray &path, const QByteArray &cookie)
{
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.write("GET " + path + " HTTP/1.1\r\nHost: app\r\n"
                 + (cookie.isEmpty() ? QByteArray() : "Cookie: " + cookie + "\r\n") + "\r\n");
    QByteArray got;
    [[maybe_unused]] const bool answered = QTest::qWaitFor(
        [&] {
            got += socket.readAll();
            return got.endsWith("ok");
        },
        5000);
    return got;
}

// The value of the response's "ApplicationGatewayAffinity=" Set-Cookie ("" when none).
QByteArray affinityCookieOf(const QByteArray &response)
{
    const QByteArray marker = "Set-Cookie: ApplicationGatewayAffinity=";
    const qsizetype at = response.indexOf(marker);
    return at < 0 ? QByteArray() : response.mid(at + marker.size(), 32);
}

Session::SessionSnapshot sessionOn(Proxy::Gateway &gateway, const QString &server)
{
    for (const Session::SessionSnapshot &s : gateway.sessions()->sessions())
        if (s.server == server && s.path == QLatin1String(s.webSocket ? "/chat" : "/hold"))
            return s;
    return {};
}

} // namespace

class tst_Draining : public QObject
{
    Q_OBJECT
private slots:
    void removedServer_data();
    void removedServer();
    void affinityToDrainingServer_data();
    void affinityToDrainingServer();
};

void tst_Draining::removedServer_data()
{
    QTest::addColumn<bool>("webSocket");
    QTest::addColumn<bool>("drainingEnabled");
    QTest::addColumn<int>("drainTimeoutInSec");
    QTest::addColumn<int>("expectedSec");  // when what is open on the removed member ends
    QTest::addColumn<bool>("finishFirst"); // http: the response completes before the deadline

    QTest::newRow("ws, draining 10 s") << true << true << 10 << 10 << false;
    QTest::newRow("ws, draining not enabled: Azure's 30 s") << true << false << 10 << 30 << false;
    QTest::newRow("http, draining 10 s, completes in time") << false << true << 10 << 10 << true;
    QTest::newRow("http, draining 10 s, cut at the deadline") << false << true << 10 << 10 << false;
    QTest::newRow("http, draining not enabled: cut at 30 s") << false << false << 5 << 30 << false;
}

void tst_Draining::removedServer()
{
    QFETCH(bool, webSocket);
    QFETCH(bool, drainingEnabled);
    QFETCH(int, drainTimeoutInSec);
    QFETCH(int, expectedSec);
    QFETCH(bool, finishFirst);

    HoldBackend httpA("A"), httpC("C");
    WsBackend wsA(QStringLiteral("A")), wsC(QStringLiteral("C"));
    QVERIFY(webSocket ? wsA.listen() && wsC.listen() : httpA.listen() && httpC.listen());
    const quint16 portA = webSocket ? wsA.port() : httpA.port();
    const quint16 portC = webSocket ? wsC.port() : httpC.port();
    const auto acceptedOnA = [&] { return webSocket ? wsA.accepted : httpA.requests; };

    // 10.0.0.1 -> A, 10.0.0.2 -> C; requestTimeout 120 s stays out of the way.
    const QString draining = QStringLiteral(", \"connectionDraining\": {\"enabled\": %1, "
                                            "\"drainTimeoutInSec\": %2}")
                                 .arg(drainingEnabled ? "true" : "false")
                                 .arg(drainTimeoutInSec);
    const auto document = Config::ConfigDocument::fromJson(
        TestSupport::gatewayTemplate({portA, portC}, 120, draining));
    QVERIFY(document.isLoaded());

    Net::ManualClock clock;
    QList<Events::GatewayEvent> events;
    Proxy::GatewayOptions options;
    options.clock = &clock;
    options.healthProbes = false;
    options.sessionTickMs = 50;
    Proxy::Gateway gateway(options);
    connect(gateway.events(), &Events::EventBus::eventsPublished, &gateway,
            [&events](const QList<Events::GatewayEvent> &batch) { events += batch; });
    QString error;
    QVERIFY2(gateway.start(document.model(), &error), qPrintable(error));
    const quint16 port = quint16(gateway.listeners().constFirst().port);

    // One exchange on each member (round robin), held open.
    auto first = openClient(webSocket, port);
    QTRY_VERIFY(!answeredBy(*first).isEmpty());
    auto second = openClient(webSocket, port);
    QTRY_VERIFY(!answeredBy(*second).isEmpty());
    QVERIFY(answeredBy(*first) != answeredBy(*second));
    Client &onA = answeredBy(*first) == QLatin1String("A") ? *first : *second;
    Client &onC = answeredBy(*first) == QLatin1String("A") ? *second : *first;
    QTRY_VERIFY(sessionOn(gateway, QStringLiteral("10.0.0.1")).id != 0);
    QTRY_VERIFY(sessionOn(gateway, QStringLiteral("10.0.0.2")).id != 0);
    const int beforeOnA = acceptedOnA();

    // The edit removes 10.0.0.1 from the pool and is applied.
    Config::GatewayConfig edited = document.model();
    edited.backendAddressPools[0].backendAddresses.removeFirst();
    QSignalSpy drainingChanged(&gateway, &Proxy::Gateway::drainingChanged);
    QVERIFY2(gateway.apply(edited, &error), qPrintable(error));
    const qint64 deadline = clock.nowMs() + expectedSec * 1000;

    // The view: the member, its setting's draining and the deadline for a countdown.
    QCOMPARE(drainingChanged.size(), 1);
    const QList<Proxy::DrainingServer> drains = gateway.drainingServers();
    QCOMPARE(drains.size(), 1);
    QCOMPARE(drains.constFirst().pool, QStringLiteral("pool"));
    QCOMPARE(drains.constFirst().setting, QStringLiteral("setting"));
    QCOMPARE(drains.constFirst().server, QStringLiteral("10.0.0.1"));
    QCOMPARE(drains.constFirst().drainingEnabled, drainingEnabled);
    QCOMPARE(drains.constFirst().deadlineMs, deadline);
    QTRY_COMPARE(sessionOn(gateway, QStringLiteral("10.0.0.1")).drainDeadlineMs, deadline);
    QCOMPARE(sessionOn(gateway, QStringLiteral("10.0.0.2")).drainDeadlineMs, qint64(0));
    QTRY_VERIFY(std::any_of(events.cbegin(), events.cend(), [&](const Events::GatewayEvent &e) {
        return e.type == QLatin1String("backend.draining")
               && e.fields.value(QStringLiteral("server")).toString() == QLatin1String("10.0.0.1")
               && qint64(e.fields.value(QStringLiteral("deadlineMs")).toDouble()) == deadline;
    }));

    // No new requests or upgrades reach the removed member.
    const quint16 newPort = quint16(gateway.listeners().constFirst().port);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(newRequest(webSocket, newPort), QStringLiteral("C"));
    QCOMPARE(acceptedOnA(), beforeOnA);

    // Just before the deadline everything open on it still works.
    clock.advance(expectedSec * 1000 - 1000);
    if (webSocket) {
        onA.ws->sendTextMessage(QStringLiteral("still"));
        QTRY_COMPARE(onA.messages.constLast(), QStringLiteral("A:still"));
    } else if (finishFirst) {
        httpA.finish();
        QTRY_VERIFY(onA.received.endsWith("helloworld"));
        QTRY_COMPARE(sessionOn(gateway, QStringLiteral("10.0.0.1")).drainDeadlineMs, qint64(0));
    }
    QVERIFY(!onA.disconnected);

    clock.advance(2000);
    if (finishFirst) {
        // The request ended in time: the connection goes on, on the new configuration.
        // The advance reached the worker's timers before this request's bytes do.
        onA.received.clear();
        onA.tcp->write("GET /quick HTTP/1.1\r\nHost: app\r\n\r\n");
        QTRY_VERIFY(onA.received.endsWith("ok"));
        QVERIFY(onA.received.contains("X-Backend: C"));
    } else {
        QTRY_VERIFY(onA.disconnected);
        if (webSocket) {
            QVERIFY(!onA.aboutToClose); // no close frame: the client saw 1006
            QTRY_VERIFY(std::any_of(events.cbegin(), events.cend(), [](const auto &e) {
                return e.type == QLatin1String("session.closed")
                       && e.fields.value(QStringLiteral("reason")).toString()
                              == QLatin1String("draining")
                       && e.fields.value(QStringLiteral("closeCode")).toInt() == 1006
                       && e.fields.value(QStringLiteral("server")).toString()
                              == QLatin1String("10.0.0.1");
            }));
        } else {
            QVERIFY(!onA.received.endsWith("world")); // cut mid-body
        }
        QTRY_COMPARE(sessionOn(gateway, QStringLiteral("10.0.0.1")).closeReason,
                     QStringLiteral("draining"));
        QCOMPARE(sessionOn(gateway, QStringLiteral("10.0.0.1")).closeCode, webSocket ? 1006 : 0);
    }
    // The kept member's exchange is untouched; the view forgot the drained member.
    QVERIFY(!onC.disconnected);
    if (webSocket) {
        onC.ws->sendTextMessage(QStringLiteral("kept"));
        QTRY_COMPARE(onC.messages.constLast(), QStringLiteral("C:kept"));
    }
    QVERIFY(gateway.drainingServers().isEmpty());
    QCOMPARE(drainingChanged.size(), 2);
}

void tst_Draining::affinityToDrainingServer_data()
{
    QTest::addColumn<QByteArray>("cookieName"); // the affinity cookie the client sends back
    QTest::addColumn<bool>("drainingEnabled");
    QTest::addColumn<int>("advanceSec");   // time after the apply when the request comes
    QTest::addColumn<QString>("expected"); // backend that answers
    QTest::addColumn<bool>("newCookie");   // the response pins a server anew (Set-Cookie)

    const QByteArray plain = "ApplicationGatewayAffinity";
    const QByteArray cors = "ApplicationGatewayAffinityCORS";
    // drainTimeoutInSec 10 (enabled) or Azure's 30 s (not enabled).
    QTest::newRow("pinned, before the deadline") << plain << true << 9 << "A" << false;
    QTest::newRow("pinned by the CORS twin, before the deadline")
        << cors << true << 1 << "A" << false;
    QTest::newRow("pinned, draining not enabled, within Azure's 30 s")
        << plain << false << 29 << "A" << false;
    QTest::newRow("pinned, after the deadline") << plain << true << 11 << "C" << true;
    QTest::newRow("pinned, draining not enabled, after 30 s")
        << plain << false << 31 << "C" << true;
}

void tst_Draining::affinityToDrainingServer()
{
    QFETCH(QByteArray, cookieName);
    QFETCH(bool, drainingEnabled);
    QFETCH(int, advanceSec);
    QFETCH(QString, expected);
    QFETCH(bool, newCookie);

    HoldBackend a("A"), c("C");
    QVERIFY(a.listen() && c.listen());
    const QString setting = QStringLiteral(", \"cookieBasedAffinity\": \"Enabled\", "
                                           "\"connectionDraining\": {\"enabled\": %1, "
                                           "\"drainTimeoutInSec\": 10}")
                                .arg(drainingEnabled ? "true" : "false");
    const auto document = Config::ConfigDocument::fromJson(
        TestSupport::gatewayTemplate({a.port(), c.port()}, 120, setting));
    QVERIFY(document.isLoaded());
    Net::ManualClock clock;
    Proxy::GatewayOptions options;
    options.clock = &clock;
    options.healthProbes = false;
    options.sessionTickMs = 50;
    Proxy::Gateway gateway(options);
    QString error;
    QVERIFY2(gateway.start(document.model(), &error), qPrintable(error));
    quint16 port = quint16(gateway.listeners().constFirst().port);

    // A first request pinned to A gives the client A's affinity cookie.
    QByteArray pinnedToA;
    for (int i = 0; i < 4 && pinnedToA.isEmpty(); ++i) {
        const QByteArray response = getWithCookie(port, "/quick", {});
        if (response.contains("X-Backend: A"))
            pinnedToA = affinityCookieOf(response);
    }
    QCOMPARE(pinnedToA.size(), 32);
    const QByteArray cookie = cookieName + '=' + pinnedToA;
    QVERIFY(getWithCookie(port, "/quick", cookie).contains("X-Backend: A"));

    // The edit removes A (10.0.0.1); A drains.
    Config::GatewayConfig edited = document.model();
    edited.backendAddressPools[0].backendAddresses.removeFirst();
    QVERIFY2(gateway.apply(edited, &error), qPrintable(error));
    const qint64 deadline = clock.nowMs() + (drainingEnabled ? 10 : 30) * 1000;
    port = quint16(gateway.listeners().constFirst().port);
    QCOMPARE(getWithCookie(port, "/quick", {}).contains("X-Backend: C"), true); // no cookie: C

    clock.advance(advanceSec * 1000);
    const int beforeOnA = a.requests;
    const QByteArray response = getWithCookie(port, "/quick", cookie);
    QVERIFY2(response.contains(("X-Backend: " + expected).toLatin1()), response.constData());
    QCOMPARE(a.requests > beforeOnA, expected == QLatin1String("A"));
    const QByteArray set = affinityCookieOf(response);
    QCOMPARE(!set.isEmpty(), newCookie);
    if (newCookie)
        QVERIFY(set != pinnedToA);

    if (expected == QLatin1String("A")) {
        // A pinned exchange still open at the deadline ends there, as everything on A does.
        auto held = openClient(false, port, cookie);
        QTRY_COMPARE(answeredBy(*held), QStringLiteral("A"));
        QTRY_COMPARE(sessionOn(gateway, QStringLiteral("10.0.0.1")).drainDeadlineMs, deadline);
        clock.advance(deadline - clock.nowMs() + 1000);
        QTRY_VERIFY(held->disconnected);
        QTRY_COMPARE(sessionOn(gateway, QStringLiteral("10.0.0.1")).closeReason,
                     QStringLiteral("draining"));
        // And afterwards the cookie no longer reaches A: C answers and pins anew.
        const QByteArray after = getWithCookie(port, "/quick", cookie);
        QVERIFY2(after.contains("X-Backend: C"), after.constData());
        QVERIFY(!affinityCookieOf(after).isEmpty());
    }
}

QTEST_MAIN(tst_Draining)
#include "tst_draining.moc"
