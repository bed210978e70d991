// Health probes and routing end to end (issue 4): the real Gateway with its health monitor on a
// ManualClock, two or three loopback members that each answer the custom probe on /health (200 or
// 500, switchable, or refuse by closing their listener), plain HTTP on /app and WebSocket upgrades
// on /chat. Checks that requests and upgrades go to healthy members only, 502 with Azure's page
// when none is left, minServers, recovery after one successful probe, and that an open session to
// a member that turns unhealthy stays open and is marked. No sleeps: the clock is advanced and the
// tests wait on signals and counters.

#include "config/configdocument.h"
#include "events/gatewayevent.h"
#include "health/healthmonitor.h"
#include "health/healthtypes.h"
#include "http/errorpage.h"
#include "net/clock.h"
#include "proxy/gateway.h"
#include "session/sessionregistry.h"
#include "session/sessiontypes.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

#include <memory>
#include <vector>

using namespace Gateway;
using Health::HealthState;
using Health::ServerHealth;
namespace Messages = Gateway::Health::Messages;

namespace {

constexpr int IntervalSeconds = 10;
constexpr int WaitMs = 10'000;

// ---------------------------------------------------------------------------------------------
// One pool member: a QTcpServer on 127.0.0.1 that answers GET /health with probeStatus (the
// custom probe), any other GET with 200 and its name (keep-alive), and hands WebSocket upgrades
// to a QWebSocketServer that echoes. Runs on the test thread; the tests wait by spinning the loop.

class MemberBackend : public QObject
{
public:
    explicit MemberBackend(const QString &name)
        : m_name(name), m_ws(name, QWebSocketServer::NonSecureMode)
    {
        m_ws.setProxy(QNetworkProxy::NoProxy);
        QObject::connect(&m_tcp, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_tcp.nextPendingConnection())
                accept(socket);
        });
        QObject::connect(&m_ws, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_ws.nextPendingConnection()) {
                socket->setParent(this);
                ++wsAccepted;
                m_sessions.append(socket);
                QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                                 [socket](const QString &m) { socket->sendTextMessage(m); });
                QObject::connect(socket, &QWebSocket::disconnected, this, [this, socket] {
                    ++wsClosed;
                    m_sessions.removeAll(socket);
                    socket->deleteLater();
                });
            }
        });
    }
    ~MemberBackend() override
    {
        for (QWebSocket *socket : findChildren<QWebSocket *>())
            QObject::disconnect(socket, nullptr, this, nullptr);
        QObject::disconnect(&m_ws, nullptr, this, nullptr);
        qDeleteAll(findChildren<QWebSocket *>(Qt::FindDirectChildrenOnly));
        for (QTcpSocket *socket : findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly))
            QObject::disconnect(socket, nullptr, this, nullptr);
        m_tcp.close();
    }

    bool listen(quint16 port = 0)
    {
        if (!m_tcp.listen(QHostAddress::LocalHost, port))
            return false;
        m_port = m_tcp.serverPort();
        return true;
    }
    // Refuse new connections (the probe then gets "could not connect").
    void closeListener() { m_tcp.close(); }
    quint16 port() const { return m_port; }
    const QString &name() const { return m_name; }
    int openSessions() const { return int(m_sessions.size()); }

    int probeStatus = 200;
    int probes = 0;     // GET /health requests
    int httpHits = 0;   // other plain HTTP requests
    int wsAccepted = 0; // WebSocket upgrades
    int wsClosed = 0;

private:
    void accept(QTcpSocket *socket)
    {
        socket->setParent(this);
        QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

    void serve(QTcpSocket *socket)
    {
        for (;;) {
            // Peek first: an upgrade goes to the QWebSocketServer with its bytes still unread.
            const QByteArray pending = socket->peek(socket->bytesAvailable());
            const qsizetype end = pending.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray head = pending.left(end + 4);
            if (head.toLower().contains("\r\nupgrade: websocket")) {
                QObject::disconnect(socket, nullptr, this, nullptr);
                socket->setParent(nullptr);
                m_ws.handleConnection(socket);
                return;
            }
            socket->read(head.size());
            const QByteArray requestLine = head.left(head.indexOf("\r\n"));
            const QByteArray path = requestLine.split(' ').value(1);
            const bool close = head.toLower().contains("\r\nconnection: close");
            QByteArray body;
            int status = 200;
            if (path == "/health") {
                ++probes;
                status = probeStatus;
                body = status < 400 ? QByteArray("healthy") : QByteArray("sick");
            } else {
                ++httpHits;
                body = m_name.toUtf8();
            }
            QByteArray response = "HTTP/1.1 " + QByteArray::number(status)
                                  + " X\r\nContent-Length: " + QByteArray::number(body.size())
                                  + "\r\n";
            if (close)
                response += "Connection: close\r\n";
            response += "\r\n" + body;
            socket->write(response);
            if (close) {
                socket->disconnectFromHost();
                return;
            }
        }
    }

    QString m_name;
    QTcpServer m_tcp;
    QWebSocketServer m_ws;
    quint16 m_port = 0;
    QList<QWebSocket *> m_sessions;
};

// ---------------------------------------------------------------------------------------------
// Configuration: one listener, one Basic rule, one pool 10.0.1.4, .5, ... mapped to the members,
// one setting (request timeout one hour, so advancing the clock never closes a session by
// timeout) with the custom probe "healthProbe" on /health.

QByteArray armConfig(const QList<quint16> &ports, int unhealthyThreshold, int minServers)
{
    QJsonObject addressMap;
    QJsonArray addresses;
    for (int i = 0; i < ports.size(); ++i) {
        const QString ip = QStringLiteral("10.0.1.%1").arg(4 + i);
        addressMap.insert(ip, QStringLiteral("127.0.0.1:%1").arg(ports.at(i)));
        addresses.append(QJsonObject{{QStringLiteral("ipAddress"), ip}});
    }
    QString text = QStringLiteral(R"({
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": { "localGateway": { "bindAddress": "127.0.0.1", "frontendPortMap": { "80": 0 },
                                  "backendAddressMap": @MAP@ } },
  "resources": [ {
    "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "hgw",
    "location": "westeurope",
    "properties": {
      "sku": { "name": "Standard_v2", "tier": "Standard_v2", "capacity": 1 },
      "frontendIPConfigurations": [ { "name": "fip", "properties": {} } ],
      "frontendPorts": [ { "name": "port_80", "properties": { "port": 80 } } ],
      "probes": [ { "name": "healthProbe", "properties": {
          "protocol": "Http", "host": "127.0.0.1", "path": "/health",
          "interval": @INTERVAL@, "timeout": 5, "unhealthyThreshold": @THRESHOLD@,
          "pickHostNameFromBackendHttpSettings": false, "minServers": @MINSERVERS@,
          "match": { "statusCodes": [ "200-399" ] } } } ],
      "backendAddressPools": [ { "name": "pool", "properties": { "backendAddresses": @ADDRESSES@ } } ],
      "backendHttpSettingsCollection": [ { "name": "settings", "properties": {
          "port": 80, "protocol": "Http", "cookieBasedAffinity": "Disabled", "requestTimeout": 3600,
          "probe": { "id": "/x/probes/healthProbe" } } } ],
      "httpListeners": [ { "name": "listener", "properties": {
          "frontendIPConfiguration": { "id": "/x/frontendIPConfigurations/fip" },
          "frontendPort": { "id": "/x/frontendPorts/port_80" }, "protocol": "Http" } } ],
      "requestRoutingRules": [ { "name": "rule", "properties": { "ruleType": "Basic", "priority": 100,
          "httpListener": { "id": "/x/httpListeners/listener" },
          "backendAddressPool": { "id": "/x/backendAddressPools/pool" },
          "backendHttpSettings": { "id": "/x/backendHttpSettingsCollection/settings" } } } ]
    } } ]
})");
    text.replace(QStringLiteral("@MAP@"),
                 QString::fromUtf8(QJsonDocument(addressMap).toJson(QJsonDocument::Compact)));
    text.replace(QStringLiteral("@ADDRESSES@"),
                 QString::fromUtf8(QJsonDocument(addresses).toJson(QJsonDocument::Compact)));
    text.replace(QStringLiteral("@INTERVAL@"), QString::number(IntervalSeconds));
    text.replace(QStringLiteral("@THRESHOLD@"), QString::number(unhealthyThreshold));
    text.replace(QStringLiteral("@MINSERVERS@"), QString::number(minServers));
    return text.toUtf8();
}

QString memberAddress(int i)
{
    return QStringLiteral("10.0.1.%1").arg(4 + i);
}

// ---------------------------------------------------------------------------------------------
// The gateway under test with its members.

struct Rig
{
    Net::ManualClock clock; // before the gateway: it outlives it
    std::vector<std::unique_ptr<MemberBackend>> members;
    std::unique_ptr<Proxy::Gateway> gateway;
    std::unique_ptr<QSignalSpy> probes;  // HealthMonitor::probeCompleted
    std::unique_ptr<QSignalSpy> changes; // HealthMonitor::healthChanged
    QList<Events::GatewayEvent> events;
    quint16 port = 0;

    ~Rig()
    {
        gateway.reset();
        members.clear();
    }

    bool start(int memberCount, int unhealthyThreshold, int minServers, QString *error)
    {
        QList<quint16> ports;
        for (int i = 0; i < memberCount; ++i) {
            members.push_back(std::make_unique<MemberBackend>(QStringLiteral("member%1").arg(i)));
            if (!members.back()->listen()) {
                *error = QStringLiteral("member %1 cannot listen").arg(i);
                return false;
            }
            ports.append(members.back()->port());
        }
        const auto document = Config::ConfigDocument::fromJson(armConfig(ports, unhealthyThreshold,
                                                                         minServers));
        if (!document.isLoaded()) {
            *error = QStringLiteral("config did not load");
            return false;
        }
        Proxy::GatewayOptions options;
        options.clock = &clock;
        options.healthProbes = true;
        options.sessionTickMs = 20;
        gateway = std::make_unique<Proxy::Gateway>(options);
        if (!gateway->health()) {
            *error = QStringLiteral("the gateway has no health monitor");
            return false;
        }
        probes = std::make_unique<QSignalSpy>(gateway->health(),
                                              &Health::HealthMonitor::probeCompleted);
        changes = std::make_unique<QSignalSpy>(gateway->health(),
                                               &Health::HealthMonitor::healthChanged);
        QObject::connect(gateway->events(), &Events::EventBus::eventsPublished, gateway.get(),
                         [this](const QList<Events::GatewayEvent> &batch) { events += batch; });
        if (!gateway->start(document.model(), error))
            return false;
        if (gateway->listeners().isEmpty()) {
            *error = QStringLiteral("no listener");
            return false;
        }
        port = quint16(gateway->listeners().constFirst().port);
        // The first probes run at once.
        if (!QTest::qWaitFor([this] { return gateway->health()->hasFirstResults(); }, WaitMs)) {
            *error = QStringLiteral("no first probe results");
            return false;
        }
        return true;
    }

    ServerHealth server(int i) const
    {
        for (const ServerHealth &s : gateway->health()->servers())
            if (s.server == memberAddress(i))
                return s;
        return {};
    }
    HealthState state(int i) const { return server(i).state; }

    // Advances the clock by one probe interval and waits for every member's probe result.
    bool probeRound()
    {
        const qsizetype before = probes->size();
        clock.advance(IntervalSeconds * 1000);
        const qsizetype expected = before + qsizetype(members.size());
        return QTest::qWaitFor([&] { return probes->size() >= expected; }, WaitMs)
               && probes->size() == expected;
    }

    // Rounds until member i is in `to` (at most `rounds`); false when it never gets there.
    bool roundsUntil(int i, HealthState to, int rounds)
    {
        for (int r = 0; r < rounds && state(i) != to; ++r) {
            if (!probeRound())
                return false;
        }
        return state(i) == to;
    }

    int hitsTotal() const
    {
        int n = 0;
        for (const auto &m : members)
            n += m->httpHits;
        return n;
    }

    QList<Events::GatewayEvent> eventsOf(const QString &type) const
    {
        QList<Events::GatewayEvent> out;
        for (const auto &e : events)
            if (e.type == type)
                out.append(e);
        return out;
    }
};

// ---------------------------------------------------------------------------------------------
// Clients (event-driven: the members and the gateway's health monitor share this thread).

struct HttpReply
{
    int status = 0;
    QByteArray head;
    QByteArray body;
    bool complete = false;
};

HttpReply parseReply(const QByteArray &raw)
{
    HttpReply r;
    const qsizetype end = raw.indexOf("\r\n\r\n");
    if (end < 0)
        return r;
    r.head = raw.left(end + 4);
    r.body = raw.mid(end + 4);
    const QList<QByteArray> parts = r.head.left(r.head.indexOf("\r\n")).split(' ');
    r.status = parts.value(1).toInt();
    r.complete = true;
    return r;
}

// Sends `request` and collects everything until the gateway closes the connection.
HttpReply roundTrip(quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    QByteArray raw;
    bool closed = false;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { raw += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &socket, [&] { closed = true; });
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.write(request);
    if (!QTest::qWaitFor([&] { return closed; }, WaitMs))
        return {};
    raw += socket.readAll();
    return parseReply(raw);
}

HttpReply get(quint16 port, const QByteArray &path = "/app")
{
    return roundTrip(port, "GET " + path
                               + " HTTP/1.1\r\nHost: www.contoso.com\r\nConnection: close\r\n\r\n");
}

// A raw upgrade request: the gateway's answer to it when no member can take it.
HttpReply rawUpgrade(quint16 port)
{
    return roundTrip(port, "GET /chat HTTP/1.1\r\nHost: www.contoso.com\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n");
}

std::unique_ptr<QWebSocket> openWebSocket(quint16 port, bool *connected)
{
    auto ws = std::make_unique<QWebSocket>();
    ws->setProxy(QNetworkProxy::NoProxy);
    bool done = false;
    *connected = false;
    QObject::connect(ws.get(), &QWebSocket::connected, ws.get(), [&] {
        *connected = true;
        done = true;
    });
    QObject::connect(ws.get(), &QWebSocket::disconnected, ws.get(), [&] { done = true; });
    QObject::connect(ws.get(), qOverload<QAbstractSocket::SocketError>(&QWebSocket::error),
                     ws.get(), [&] { done = true; });
    ws->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/chat").arg(port)));
    if (!QTest::qWaitFor([&] { return done; }, WaitMs))
        qWarning("the WebSocket handshake neither completed nor failed");
    QObject::disconnect(ws.get(), nullptr, ws.get(), nullptr);
    return ws;
}

// Sends a text message and waits for its echo.
bool echoes(QWebSocket &ws, const QString &message)
{
    QString received;
    const auto c = QObject::connect(&ws, &QWebSocket::textMessageReceived, &ws,
                                    [&](const QString &m) { received = m; });
    ws.sendTextMessage(message);
    const bool ok = QTest::qWaitFor([&] { return received == message; }, WaitMs);
    QObject::disconnect(c);
    return ok;
}

QString hitsText(const Rig &rig)
{
    QStringList parts;
    for (const auto &m : rig.members)
        parts.append(QStringLiteral("%1: http %2, ws %3, probes %4, state %5")
                         .arg(m->name())
                         .arg(m->httpHits)
                         .arg(m->wsAccepted)
                         .arg(m->probes)
                         .arg(Health::toString(rig.state(int(&m - &rig.members.front())))));
    return parts.join(QStringLiteral("; "));
}

void checkAzure502(const HttpReply &reply)
{
    QVERIFY2(reply.complete, "no complete response");
    QCOMPARE(reply.status, 502);
    QVERIFY2(reply.head.contains("\r\nServer: Microsoft-Azure-Application-Gateway/v2\r\n"),
             reply.head.constData());
    // azure-reference.md §8, the nginx-style page.
    QVERIFY2(reply.body.contains("<head><title>502 Bad Gateway</title></head>"),
             reply.body.constData());
    QVERIFY2(reply.body.contains("<center><h1>502 Bad Gateway</h1></center>"),
             reply.body.constData());
    QVERIFY2(reply.body.contains("<hr><center>Microsoft-Azure-Application-Gateway/v2</center>"),
             reply.body.constData());
    QCOMPARE(reply.body, Http::errorPageBody(502));
}

} // namespace

class tst_HealthRouting : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        qRegisterMetaType<ServerHealth>();
        qRegisterMetaType<HealthState>();
        qRegisterMetaType<QList<Events::GatewayEvent>>();
    }

    // (a) Plain HTTP goes to healthy members only; a member stays in rotation until the probe's
    // unhealthyThreshold is reached.
    void httpGoesToHealthyMembersOnly_data()
    {
        QTest::addColumn<int>("threshold");
        QTest::addColumn<bool>("refuse"); // close the listener instead of answering 500
        QTest::newRow("threshold 1, 500") << 1 << false;
        QTest::newRow("threshold 3, 500") << 3 << false;
        QTest::newRow("threshold 2, refused") << 2 << true;
    }
    void httpGoesToHealthyMembersOnly()
    {
        QFETCH(int, threshold);
        QFETCH(bool, refuse);
        Rig rig;
        QString error;
        QVERIFY2(rig.start(3, threshold, 0, &error), qPrintable(error));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(Health::toString(rig.state(i)), Health::toString(HealthState::Healthy));

        // All healthy: round robin reaches every member.
        for (int i = 0; i < 6; ++i)
            QCOMPARE(get(rig.port).status, 200);
        for (const auto &m : rig.members)
            QVERIFY2(m->httpHits == 2, qPrintable(hitsText(rig)));

        MemberBackend &sick = *rig.members[1];
        if (refuse)
            sick.closeListener();
        else
            sick.probeStatus = 500;
        // Below the threshold the member is still Healthy and still gets its share.
        for (int failures = 1; failures < threshold; ++failures) {
            QVERIFY(rig.probeRound());
            QCOMPARE(Health::toString(rig.state(1)), Health::toString(HealthState::Healthy));
            QCOMPARE(rig.server(1).consecutiveFailures, failures);
        }
        if (!refuse) {
            const int before = sick.httpHits;
            for (int i = 0; i < 3; ++i)
                QCOMPARE(get(rig.port).status, 200);
            QVERIFY2(sick.httpHits == before + 1, qPrintable(hitsText(rig)));
        }
        const qsizetype changesBefore = rig.changes->size();
        QVERIFY(rig.probeRound());
        QCOMPARE(Health::toString(rig.state(1)), Health::toString(HealthState::Unhealthy));
        QCOMPARE(rig.server(1).detail,
                 refuse ? Messages::connect()
                        : Messages::statusMismatch(QStringLiteral("200-399"), 500));
        QCOMPARE(rig.changes->size(), changesBefore + 1);
        const ServerHealth changed = rig.changes->last().at(0).value<ServerHealth>();
        QCOMPARE(changed.server, memberAddress(1));
        QCOMPARE(Health::toString(rig.changes->last().at(2).value<HealthState>()),
                 Health::toString(HealthState::Unhealthy));

        // Now only members 0 and 2 get requests, alternately.
        const int hits0 = rig.members[0]->httpHits, hits1 = sick.httpHits,
                  hits2 = rig.members[2]->httpHits;
        QStringList served;
        for (int i = 0; i < 10; ++i) {
            const HttpReply reply = get(rig.port);
            QCOMPARE(reply.status, 200);
            served.append(QString::fromUtf8(reply.body));
        }
        QVERIFY2(sick.httpHits == hits1, qPrintable(hitsText(rig)));
        QVERIFY2(rig.members[0]->httpHits - hits0 == 5, qPrintable(hitsText(rig)));
        QVERIFY2(rig.members[2]->httpHits - hits2 == 5, qPrintable(hitsText(rig)));
        QVERIFY(!served.contains(QStringLiteral("member1")));
        QCOMPARE(served.count(QStringLiteral("member0")), 5);
        QCOMPARE(served.count(QStringLiteral("member2")), 5);

        // The event stream says why.
        QTRY_VERIFY(!rig.eventsOf(QStringLiteral("backend.health")).isEmpty());
        const auto health = rig.eventsOf(QStringLiteral("backend.health"));
        bool found = false;
        for (const auto &e : health) {
            if (e.fields.value(QStringLiteral("server")).toString() == memberAddress(1)
                && e.fields.value(QStringLiteral("to")).toString() == QLatin1String("Unhealthy")) {
                found = true;
                QCOMPARE(e.fields.value(QStringLiteral("from")).toString(),
                         QStringLiteral("Healthy"));
                QCOMPARE(e.fields.value(QStringLiteral("detail")).toString(), rig.server(1).detail);
            }
        }
        QVERIFY(found);
    }

    // (b) WebSocket upgrades go to healthy members only.
    void upgradesGoToHealthyMembersOnly()
    {
        Rig rig;
        QString error;
        QVERIFY2(rig.start(3, 1, 0, &error), qPrintable(error));
        rig.members[0]->probeStatus = 500;
        QVERIFY(rig.probeRound());
        QCOMPARE(Health::toString(rig.state(0)), Health::toString(HealthState::Unhealthy));
        QCOMPARE(Health::toString(rig.state(1)), Health::toString(HealthState::Healthy));
        QCOMPARE(Health::toString(rig.state(2)), Health::toString(HealthState::Healthy));

        std::vector<std::unique_ptr<QWebSocket>> clients;
        for (int i = 0; i < 6; ++i) {
            bool connected = false;
            clients.push_back(openWebSocket(rig.port, &connected));
            QVERIFY2(connected, qPrintable(clients.back()->errorString()));
            QVERIFY(echoes(*clients.back(), QStringLiteral("hello %1").arg(i)));
        }
        QVERIFY2(rig.members[0]->wsAccepted == 0, qPrintable(hitsText(rig)));
        QVERIFY2(rig.members[1]->wsAccepted == 3, qPrintable(hitsText(rig)));
        QVERIFY2(rig.members[2]->wsAccepted == 3, qPrintable(hitsText(rig)));
        // The sessions name the member they went to.
        QTRY_COMPARE(rig.gateway->sessions()->sessions().size(), qsizetype(6));
        for (const auto &s : rig.gateway->sessions()->sessions()) {
            QVERIFY(s.webSocket);
            QVERIFY2(s.server != memberAddress(0), qPrintable(s.server));
        }
    }

    // (c) No healthy member: 502 with Azure's page for requests and upgrades; no member is asked.
    void allUnhealthyGives502_data()
    {
        QTest::addColumn<bool>("refuse");
        QTest::newRow("probe answers 500") << false;
        QTest::newRow("connection refused") << true;
    }
    void allUnhealthyGives502()
    {
        QFETCH(bool, refuse);
        Rig rig;
        QString error;
        QVERIFY2(rig.start(2, 1, 0, &error), qPrintable(error));
        QCOMPARE(get(rig.port).status, 200); // control: the pool serves while healthy
        const int hitsBefore = rig.hitsTotal();
        for (const auto &m : rig.members) {
            if (refuse)
                m->closeListener();
            else
                m->probeStatus = 500;
        }
        QVERIFY(rig.probeRound());
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(Health::toString(rig.state(i)), Health::toString(HealthState::Unhealthy));
            QCOMPARE(rig.server(i).detail,
                     refuse ? Messages::connect()
                            : Messages::statusMismatch(QStringLiteral("200-399"), 500));
        }

        checkAzure502(get(rig.port));
        checkAzure502(get(rig.port, "/other"));
        const HttpReply upgrade = rawUpgrade(rig.port);
        checkAzure502(upgrade);
        QVERIFY(!upgrade.head.contains("101"));
        bool connected = true;
        auto ws = openWebSocket(rig.port, &connected);
        QVERIFY(!connected);
        QCOMPARE(rig.hitsTotal(), hitsBefore);
        for (const auto &m : rig.members)
            QCOMPARE(m->wsAccepted, 0);
        // The access log records the 502s with no server routed.
        QTRY_VERIFY(rig.eventsOf(QStringLiteral("access")).size() >= 4);
        int logged502 = 0;
        for (const auto &e : rig.eventsOf(QStringLiteral("access")))
            logged502 += e.fields.value(QStringLiteral("httpStatus")).toInt() == 502 ? 1 : 0;
        QVERIFY(logged502 >= 3);
    }

    // (d) minServers keeps that many members in rotation (the first ones in pool order when all
    // are unhealthy); healthy members count towards it.
    void minServersKeepsMembersInRotation_data()
    {
        QTest::addColumn<int>("minServers");
        QTest::addColumn<QList<bool>>("unhealthy");
        QTest::addColumn<QList<bool>>("routed");
        QTest::newRow("minServers 1, all down")
            << 1 << QList<bool>{true, true, true} << QList<bool>{true, false, false};
        QTest::newRow("minServers 2, all down")
            << 2 << QList<bool>{true, true, true} << QList<bool>{true, true, false};
        QTest::newRow("minServers 3, all down")
            << 3 << QList<bool>{true, true, true} << QList<bool>{true, true, true};
        QTest::newRow("minServers 2, one down")
            << 2 << QList<bool>{false, true, false} << QList<bool>{true, false, true};
        QTest::newRow("minServers 2, two down")
            << 2 << QList<bool>{true, false, true} << QList<bool>{true, true, false};
    }
    void minServersKeepsMembersInRotation()
    {
        QFETCH(int, minServers);
        QFETCH(QList<bool>, unhealthy);
        QFETCH(QList<bool>, routed);
        Rig rig;
        QString error;
        QVERIFY2(rig.start(3, 1, minServers, &error), qPrintable(error));
        for (int i = 0; i < 3; ++i)
            rig.members[i]->probeStatus = unhealthy.at(i) ? 500 : 200;
        QVERIFY(rig.probeRound());
        for (int i = 0; i < 3; ++i) // minServers changes routing, not the reported state
            QCOMPARE(Health::toString(rig.state(i)),
                     Health::toString(unhealthy.at(i) ? HealthState::Unhealthy
                                                      : HealthState::Healthy));

        const int routedCount = int(routed.count(true));
        for (int i = 0; i < 3 * routedCount; ++i)
            QCOMPARE(get(rig.port).status, 200);
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(rig.members[i]->httpHits == (routed.at(i) ? 3 : 0), qPrintable(hitsText(rig)));
        }
        // Upgrades follow the same rotation.
        for (int i = 0; i < routedCount; ++i) {
            bool connected = false;
            auto ws = openWebSocket(rig.port, &connected);
            QVERIFY(connected);
        }
        for (int i = 0; i < 3; ++i)
            QVERIFY2(rig.members[i]->wsAccepted == (routed.at(i) ? 1 : 0),
                     qPrintable(hitsText(rig)));
    }

    // (e) A member that was unhealthy is back in rotation after ONE successful probe.
    void recoveryAfterOneSuccessfulProbe()
    {
        Rig rig;
        QString error;
        QVERIFY2(rig.start(2, 3, 0, &error), qPrintable(error));
        MemberBackend &member = *rig.members[1];
        member.probeStatus = 500;
        QVERIFY(rig.roundsUntil(1, HealthState::Unhealthy, 3));
        for (int i = 0; i < 4; ++i)
            QCOMPARE(get(rig.port).status, 200);
        QVERIFY2(member.httpHits == 0, qPrintable(hitsText(rig)));

        member.probeStatus = 200;
        const int probesBefore = member.probes;
        const qsizetype changesBefore = rig.changes->size();
        QVERIFY(rig.probeRound());
        QCOMPARE(member.probes, probesBefore + 1); // one probe, not a threshold's worth
        QCOMPARE(Health::toString(rig.state(1)), Health::toString(HealthState::Healthy));
        QCOMPARE(rig.server(1).detail, Messages::success(200));
        QCOMPARE(rig.changes->size(), changesBefore + 1);
        QCOMPARE(Health::toString(rig.changes->last().at(1).value<HealthState>()),
                 Health::toString(HealthState::Unhealthy));
        QCOMPARE(Health::toString(rig.changes->last().at(2).value<HealthState>()),
                 Health::toString(HealthState::Healthy));

        for (int i = 0; i < 4; ++i)
            QCOMPARE(get(rig.port).status, 200);
        QVERIFY2(member.httpHits == 2 && rig.members[0]->httpHits == 6, qPrintable(hitsText(rig)));
        bool connected = false;
        auto first = openWebSocket(rig.port, &connected);
        QVERIFY(connected);
        auto second = openWebSocket(rig.port, &connected);
        QVERIFY(connected);
        QVERIFY2(member.wsAccepted == 1 && rig.members[0]->wsAccepted == 1,
                 qPrintable(hitsText(rig)));
    }

    // (f) An open WebSocket session to a member that turns unhealthy stays open, still relays,
    // and is marked; new upgrades go elsewhere; the mark clears when the member recovers.
    void openSessionSurvivesUnhealthyMember()
    {
        Rig rig;
        QString error;
        QVERIFY2(rig.start(2, 1, 0, &error), qPrintable(error));
        bool connected = false;
        auto ws = openWebSocket(rig.port, &connected);
        QVERIFY(connected);
        QVERIFY(echoes(*ws, QStringLiteral("before")));
        const int target = rig.members[0]->wsAccepted == 1 ? 0 : 1;
        const int other = 1 - target;
        QVERIFY2(rig.members[target]->wsAccepted == 1 && rig.members[other]->wsAccepted == 0,
                 qPrintable(hitsText(rig)));
        QTRY_COMPARE(rig.gateway->sessions()->sessions().size(), qsizetype(1));
        QVERIFY(!rig.gateway->sessions()->sessions().constFirst().backendUnhealthy);

        QSignalSpy disconnected(ws.get(), &QWebSocket::disconnected);
        rig.members[target]->probeStatus = 500;
        QVERIFY(rig.probeRound());
        QCOMPARE(Health::toString(rig.state(target)), Health::toString(HealthState::Unhealthy));

        // Marked...
        QTRY_VERIFY(rig.gateway->sessions()->sessions().constFirst().backendUnhealthy);
        const Session::SessionSnapshot session = rig.gateway->sessions()->sessions().constFirst();
        QCOMPARE(session.server, memberAddress(target));
        QVERIFY(session.state == Session::SessionState::Upgraded);
        // ... and still open: messages still echo through the same member.
        QVERIFY(echoes(*ws, QStringLiteral("after")));
        QVERIFY(echoes(*ws, QStringLiteral("still")));
        QCOMPARE(ws->state(), QAbstractSocket::ConnectedState);
        QCOMPARE(disconnected.size(), 0);
        QCOMPARE(rig.members[target]->openSessions(), 1);
        QVERIFY(rig.eventsOf(QStringLiteral("session.closed")).isEmpty());

        // A new upgrade goes to the healthy member.
        auto second = openWebSocket(rig.port, &connected);
        QVERIFY(connected);
        QVERIFY2(rig.members[other]->wsAccepted == 1 && rig.members[target]->wsAccepted == 1,
                 qPrintable(hitsText(rig)));

        // Recovery clears the mark on the open session.
        rig.members[target]->probeStatus = 200;
        QVERIFY(rig.probeRound());
        QCOMPARE(Health::toString(rig.state(target)), Health::toString(HealthState::Healthy));
        QTRY_VERIFY([&] {
            for (const auto &s : rig.gateway->sessions()->sessions())
                if (s.server == memberAddress(target))
                    return !s.backendUnhealthy;
            return false;
        }());
        QVERIFY(echoes(*ws, QStringLiteral("recovered")));
    }
};

QTEST_GUILESS_MAIN(tst_HealthRouting)
#include "tst_healthrouting.moc"
