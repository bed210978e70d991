// Backend names through the real Gateway (azure-reference.md §2): a pool member whose
// backendAddressMap target is a host name is resolved without blocking the proxy worker, the
// answer is cached, a name that stops resolving keeps its last-known-good address, and applying a
// configuration (a PUT) clears that cache. The names are answered by an injected resolver
// (GatewayOptions::backendLookup) that the tests can make fail or hold open; one test uses the
// real resolver on `localhost`. Time is a ManualClock: no sleeps.
//
// Two multi-site listeners on one port and one worker: host named.test routes to the pool "named"
// (fqdn app.contoso.com mapped to <name>:<port>), host direct.test to the pool "direct" (10.0.0.1
// mapped to 127.0.0.1:<port>).

#include "config/configdocument.h"
#include "events/gatewayevent.h"
#include "fakebackend.h"
#include "net/clock.h"
#include "proxy/backendresolver.h"
#include "proxy/gateway.h"
#include "requirement.h"
#include "session/sessionregistry.h"
#include "session/sessiontypes.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QNetworkProxy>
#include <QTcpSocket>
#include <QtTest>

#include <functional>
#include <memory>

using namespace Gateway;
using TestSupport::FakeBackend;

namespace {

constexpr int WaitMs = 10'000;
const QString BackendName = QStringLiteral("backend.test");

// The injected resolver. Called on the worker thread; the tests change its answers and release
// held lookups from the test thread.
class FakeDns
{
public:
    using Done = std::function<void(const QList<QHostAddress> &)>;

    Proxy::BackendLookup hook()
    {
        return [this](const QString &name, Done done) {
            QList<QHostAddress> answer;
            {
                QMutexLocker lock(&m_mutex);
                ++m_calls[name];
                if (m_held.contains(name)) {
                    m_waiting.append({name, std::move(done)});
                    return;
                }
                answer = m_answers.value(name);
            }
            done(answer);
        };
    }
    void answer(const QString &name, const QList<QHostAddress> &addresses)
    {
        QMutexLocker lock(&m_mutex);
        m_answers.insert(name, addresses);
    }
    void hold(const QString &name)
    {
        QMutexLocker lock(&m_mutex);
        m_held.insert(name);
    }
    // Stops holding name and answers the held lookups with its current answer.
    int release(const QString &name)
    {
        QList<Done> dones;
        QList<QHostAddress> answer;
        {
            QMutexLocker lock(&m_mutex);
            m_held.remove(name);
            answer = m_answers.value(name);
            for (qsizetype i = 0; i < m_waiting.size();) {
                if (m_waiting.at(i).first == name)
                    dones.append(m_waiting.takeAt(i).second);
                else
                    ++i;
            }
        }
        for (const Done &done : std::as_const(dones))
            done(answer);
        return int(dones.size());
    }
    int calls(const QString &name) const
    {
        QMutexLocker lock(&m_mutex);
        return m_calls.value(name);
    }

private:
    mutable QMutex m_mutex;
    QHash<QString, QList<QHostAddress>> m_answers;
    QSet<QString> m_held;
    QList<QPair<QString, Done>> m_waiting;
    QHash<QString, int> m_calls;
};

QByteArray config(const QString &namedHost, quint16 namedPort, quint16 directPort)
{
    QString text = QStringLiteral(R"({
  "contentVersion": "1.0.0.0",
  "metadata": { "localGateway": { "frontendPortMap": { "80": 0 },
      "backendAddressMap": { "app.contoso.com": "@NAMED@", "10.0.0.1": "127.0.0.1:@DIRECT@" } } },
  "resources": [ {
    "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "gw",
    "properties": {
      "frontendIPConfigurations": [ { "name": "fip", "properties": {} } ],
      "frontendPorts": [ { "name": "p80", "properties": { "port": 80 } } ],
      "backendAddressPools": [
        { "name": "named", "properties": { "backendAddresses": [ { "fqdn": "app.contoso.com" } ] } },
        { "name": "direct", "properties": { "backendAddresses": [ { "ipAddress": "10.0.0.1" } ] } } ],
      "backendHttpSettingsCollection": [ { "name": "setting", "properties": {
          "port": 80, "protocol": "Http", "requestTimeout": 20 } } ],
      "httpListeners": [
        { "name": "namedListener", "properties": {
          "frontendIPConfiguration": { "id": "/x/frontendIPConfigurations/fip" },
          "frontendPort": { "id": "/x/frontendPorts/p80" }, "protocol": "Http", "hostName": "named.test" } },
        { "name": "directListener", "properties": {
          "frontendIPConfiguration": { "id": "/x/frontendIPConfigurations/fip" },
          "frontendPort": { "id": "/x/frontendPorts/p80" }, "protocol": "Http", "hostName": "direct.test" } } ],
      "requestRoutingRules": [
        { "name": "namedRule", "properties": { "ruleType": "Basic", "priority": 10,
          "httpListener": { "id": "/x/httpListeners/namedListener" },
          "backendAddressPool": { "id": "/x/backendAddressPools/named" },
          "backendHttpSettings": { "id": "/x/backendHttpSettingsCollection/setting" } } },
        { "name": "directRule", "properties": { "ruleType": "Basic", "priority": 20,
          "httpListener": { "id": "/x/httpListeners/directListener" },
          "backendAddressPool": { "id": "/x/backendAddressPools/direct" },
          "backendHttpSettings": { "id": "/x/backendHttpSettingsCollection/setting" } } } ]
    } } ] })");
    text.replace(QStringLiteral("@NAMED@"),
                 namedHost + QLatin1Char(':') + QString::number(namedPort));
    text.replace(QStringLiteral("@DIRECT@"), QString::number(directPort));
    return text.toUtf8();
}

struct Rig
{
    Net::ManualClock clock; // outlives the gateway
    FakeDns dns;
    FakeBackend named;
    FakeBackend direct;
    Config::GatewayConfig model;
    std::unique_ptr<Proxy::Gateway> gateway;
    QList<Events::GatewayEvent> events;
    quint16 port = 0; // the gateway's port (both listeners, told apart by host name)
    int connectTimeoutMs = 0;

    ~Rig() { gateway.reset(); }

    // namedHost: where app.contoso.com is mapped; withHook: answer names with `dns`.
    bool start(const QString &namedHost, bool withHook, QString *error)
    {
        // Connection: close, so no idle backend connection is reused: every request needs the
        // name's address.
        named.setHandler(FakeBackend::respondWith(200, "named", "Connection: close\r\n"));
        direct.setHandler(FakeBackend::respondWith(200, "direct"));
        const auto document = Config::ConfigDocument::fromJson(config(namedHost, named.port(),
                                                                      direct.port()));
        if (!document.isLoaded()) {
            *error = QStringLiteral("config did not load");
            return false;
        }
        model = document.model();
        Proxy::GatewayOptions options;
        options.clock = &clock;
        options.healthProbes = false;
        options.sessionTickMs = 20;
        if (withHook)
            options.backendLookup = dns.hook();
        connectTimeoutMs = options.backendConnectTimeoutMs;
        gateway = std::make_unique<Proxy::Gateway>(options);
        QObject::connect(gateway->events(), &Events::EventBus::eventsPublished, gateway.get(),
                         [this](const QList<Events::GatewayEvent> &batch) { events += batch; });
        if (!gateway->start(model, error))
            return false;
        return readPorts(error);
    }

    // The local port (port 0 in frontendPortMap: a new one after every apply).
    bool readPorts(QString *error)
    {
        if (gateway->listeners().size() != 1) {
            *error = QStringLiteral("expected one listening socket, got %1")
                         .arg(gateway->listeners().size());
            return false;
        }
        port = quint16(gateway->listeners().constFirst().port);
        return true;
    }

    quint64 waitingSessionId() const
    {
        for (const Session::SessionSnapshot &s : gateway->sessions()->sessions())
            if (s.state == Session::SessionState::WaitingForBackend)
                return s.id;
        return 0;
    }

    int sessionsIn(Session::SessionState state) const
    {
        int n = 0;
        for (const Session::SessionSnapshot &s : gateway->sessions()->sessions())
            n += s.state == state;
        return n;
    }

    QList<int> accessStatuses() const
    {
        QList<int> out;
        for (const Events::GatewayEvent &e : events)
            if (e.type == QLatin1String("access"))
                out.append(e.fields.value(QStringLiteral("httpStatus")).toInt());
        return out;
    }
};

const QByteArray Request = "GET /app HTTP/1.1\r\nHost: named.test\r\nConnection: close\r\n\r\n";
const QByteArray DirectRequest =
    "GET /app HTTP/1.1\r\nHost: direct.test\r\nConnection: close\r\n\r\n";

int statusOf(const QByteArray &response)
{
    if (!response.startsWith("HTTP/1.1 "))
        return 0;
    return response.mid(9, 3).toInt();
}

QByteArray bodyOf(const QByteArray &response)
{
    const qsizetype end = response.indexOf("\r\n\r\n");
    return end < 0 ? QByteArray() : response.mid(end + 4);
}

// A client whose request waits (the test thread keeps spinning the event loop meanwhile).
struct PendingClient
{
    QTcpSocket socket;
    QByteArray received;
    bool closed = false;

    explicit PendingClient(quint16 port)
    {
        socket.setProxy(QNetworkProxy::NoProxy);
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                         [this] { received += socket.readAll(); });
        QObject::connect(&socket, &QTcpSocket::disconnected, &socket, [this] { closed = true; });
        socket.connectToHost(QHostAddress::LocalHost, port);
        socket.write(Request);
    }
};

const QList<QHostAddress> Loopback{QHostAddress(QStringLiteral("127.0.0.1"))};

} // namespace

class tst_BackendDns : public QObject
{
    Q_OBJECT
private slots:
    void realResolverLocalhost();
    void reservedInvalidNameIs502();
    void neverResolvedIs502();
    void cachedThenLastKnownGood();
    void applyClearsLastKnownGood();
    void heldLookupDoesNotBlockWorker();
    void lookupOutlastsConnectTimeout_data();
    void lookupOutlastsConnectTimeout();
    void connectionClosedWhileResolving();
};

void tst_BackendDns::realResolverLocalhost()
{
    APPGW_REQUIRE_LOCALHOST();
    // No hook: QHostInfo::lookupHost with a context object on the worker thread (epoll
    // dispatcher), twice (the second from the cache), and the worker keeps serving.
    Rig rig;
    QString error;
    QVERIFY2(rig.start(QStringLiteral("localhost"), false, &error), qPrintable(error));
    for (int i = 0; i < 2; ++i) {
        const QByteArray response = TestSupport::exchange(rig.port, Request, WaitMs);
        QCOMPARE(statusOf(response), 200);
        QCOMPARE(bodyOf(response), QByteArray("named"));
    }
    QCOMPARE(rig.named.requests().size(), 2);
    QCOMPARE(statusOf(TestSupport::exchange(rig.port, DirectRequest, WaitMs)), 200);
}

void tst_BackendDns::reservedInvalidNameIs502()
{
    // RFC 6761: *.invalid never resolves; the real resolver answers at once, Azure's 502 page.
    Rig rig;
    QString error;
    QVERIFY2(rig.start(QStringLiteral("backend.contoso.invalid"), false, &error), qPrintable(error));
    const QByteArray response = TestSupport::exchange(rig.port, Request, WaitMs);
    QCOMPARE(statusOf(response), 502);
    QVERIFY(response.contains("Microsoft-Azure-Application-Gateway/v2"));
    QCOMPARE(rig.named.requests().size(), 0);
}

void tst_BackendDns::neverResolvedIs502()
{
    Rig rig;
    QString error;
    QVERIFY2(rig.start(BackendName, true, &error), qPrintable(error));
    const QByteArray response = TestSupport::exchange(rig.port, Request, WaitMs);
    QCOMPARE(statusOf(response), 502);
    QVERIFY(bodyOf(response).contains("502 Bad Gateway"));
    QCOMPARE(rig.dns.calls(BackendName), 1);
    QCOMPARE(rig.named.requests().size(), 0);
}

void tst_BackendDns::cachedThenLastKnownGood()
{
    Rig rig;
    QString error;
    QVERIFY2(rig.start(BackendName, true, &error), qPrintable(error));
    rig.dns.answer(BackendName, Loopback);

    QCOMPARE(statusOf(TestSupport::exchange(rig.port, Request, WaitMs)), 200);
    QCOMPARE(rig.dns.calls(BackendName), 1);
    // Fresh: no second lookup.
    rig.clock.advance(Proxy::BackendNameCache::FreshMs - 1);
    QCOMPARE(statusOf(TestSupport::exchange(rig.port, Request, WaitMs)), 200);
    QCOMPARE(rig.dns.calls(BackendName), 1);

    // The name stops resolving; once the answer is stale the next request asks again, the lookup
    // fails, and the last-known-good address still carries the traffic.
    rig.dns.answer(BackendName, {});
    rig.clock.advance(1);
    QCOMPARE(statusOf(TestSupport::exchange(rig.port, Request, WaitMs)), 200);
    QCOMPARE(rig.dns.calls(BackendName), 2);
    rig.clock.advance(Proxy::BackendNameCache::FreshMs);
    QCOMPARE(statusOf(TestSupport::exchange(rig.port, Request, WaitMs)), 200);
    QCOMPARE(rig.dns.calls(BackendName), 3);
    QCOMPARE(rig.named.requests().size(), 4);
}

void tst_BackendDns::applyClearsLastKnownGood()
{
    Rig rig;
    QString error;
    QVERIFY2(rig.start(BackendName, true, &error), qPrintable(error));
    rig.dns.answer(BackendName, Loopback);
    QCOMPARE(statusOf(TestSupport::exchange(rig.port, Request, WaitMs)), 200);
    rig.dns.answer(BackendName, {});

    // A PUT clears the DNS cache: with the name no longer resolving, 502 at once (no wait for the
    // answer to go stale).
    QVERIFY2(rig.gateway->apply(rig.model, &error), qPrintable(error));
    QVERIFY2(rig.readPorts(&error), qPrintable(error));
    const quint16 port = rig.port;
    QCOMPARE(statusOf(TestSupport::exchange(port, Request, WaitMs)), 502);
    QCOMPARE(rig.dns.calls(BackendName), 2);
    QCOMPARE(rig.named.requests().size(), 1);

    // It resolves again: traffic flows again.
    rig.dns.answer(BackendName, Loopback);
    QCOMPARE(statusOf(TestSupport::exchange(port, Request, WaitMs)), 200);
    QCOMPARE(rig.dns.calls(BackendName), 3);
}

void tst_BackendDns::heldLookupDoesNotBlockWorker()
{
    Rig rig;
    QString error;
    QVERIFY2(rig.start(BackendName, true, &error), qPrintable(error));
    rig.dns.answer(BackendName, Loopback);
    rig.dns.hold(BackendName);

    PendingClient a(rig.port);
    PendingClient b(rig.port);
    // Both requests wait for the same lookup (one call to the resolver).
    QTRY_COMPARE_WITH_TIMEOUT(rig.sessionsIn(Session::SessionState::WaitingForBackend), 2, WaitMs);
    QCOMPARE(rig.dns.calls(BackendName), 1);

    // Meanwhile the same worker serves an IP-literal backend.
    for (int i = 0; i < 3; ++i) {
        const QByteArray response = TestSupport::exchange(rig.port, DirectRequest, WaitMs);
        QCOMPARE(statusOf(response), 200);
        QCOMPARE(bodyOf(response), QByteArray("direct"));
    }
    QCOMPARE(rig.named.requests().size(), 0);
    QCOMPARE(rig.sessionsIn(Session::SessionState::WaitingForBackend), 2);

    QCOMPARE(rig.dns.release(BackendName), 1);
    QTRY_VERIFY_WITH_TIMEOUT(a.closed && b.closed, WaitMs);
    QCOMPARE(statusOf(a.received), 200);
    QCOMPARE(statusOf(b.received), 200);
    QCOMPARE(rig.named.requests().size(), 2);
    QCOMPARE(rig.dns.calls(BackendName), 1);
}

void tst_BackendDns::lookupOutlastsConnectTimeout_data()
{
    QTest::addColumn<bool>("resolvedBefore");
    QTest::addColumn<int>("expected");
    QTest::newRow("never resolved: 502") << false << 502;
    QTest::newRow("last known good") << true << 200;
}

void tst_BackendDns::lookupOutlastsConnectTimeout()
{
    QFETCH(bool, resolvedBefore);
    QFETCH(int, expected);
    Rig rig;
    QString error;
    QVERIFY2(rig.start(BackendName, true, &error), qPrintable(error));
    int calls = 0;
    if (resolvedBefore) {
        rig.dns.answer(BackendName, Loopback);
        QCOMPARE(statusOf(TestSupport::exchange(rig.port, Request, WaitMs)), 200);
        rig.clock.advance(Proxy::BackendNameCache::FreshMs);
        calls = 1;
    }
    rig.dns.hold(BackendName);
    PendingClient a(rig.port);
    QTRY_COMPARE_WITH_TIMEOUT(rig.dns.calls(BackendName), calls + 1, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(rig.sessionsIn(Session::SessionState::WaitingForBackend), 1, WaitMs);
    QVERIFY(!a.closed);

    // A DNS answer that takes longer than the backend connect timeout counts as a DNS failure.
    rig.clock.advance(rig.connectTimeoutMs - 1);
    rig.clock.advance(1);
    QTRY_VERIFY_WITH_TIMEOUT(a.closed, WaitMs);
    QCOMPARE(statusOf(a.received), expected);

    // The late answer goes nowhere (the waiter is gone), and the next request asks again.
    QCOMPARE(rig.dns.release(BackendName), 1);
    rig.dns.answer(BackendName, Loopback);
    QCOMPARE(statusOf(TestSupport::exchange(rig.port, Request, WaitMs)), 200);
    QCOMPARE(rig.dns.calls(BackendName), calls + 2);
}

void tst_BackendDns::connectionClosedWhileResolving()
{
    // The connection is closed and deleted (the worker's graveyard) while its lookup is pending;
    // the late answer must not reach it, and the abandoned lookup is not reused.
    Rig rig;
    QString error;
    QVERIFY2(rig.start(BackendName, true, &error), qPrintable(error));
    rig.dns.answer(BackendName, Loopback);
    rig.dns.hold(BackendName);
    PendingClient a(rig.port);
    QTRY_COMPARE_WITH_TIMEOUT(rig.sessionsIn(Session::SessionState::WaitingForBackend), 1, WaitMs);
    const quint64 id = rig.waitingSessionId();
    QVERIFY(id != 0);
    rig.gateway->closeSession(id);
    QTRY_VERIFY_WITH_TIMEOUT(a.closed, WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(rig.gateway->sessions()->session(id).closeReason,
                              QStringLiteral("closedByUser"), WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(rig.gateway->sessions()->openCount(), 0, WaitMs);
    QCOMPARE(a.received, QByteArray());

    // A tick reaps the closed connection (the tick timer runs every 20 ms; advancing the clock
    // runs one too), then the held lookup answers.
    rig.clock.advance(1);
    QCOMPARE(rig.dns.release(BackendName), 1);
    QCOMPARE(statusOf(TestSupport::exchange(rig.port, Request, WaitMs)), 200);
    QCOMPARE(rig.named.requests().size(), 1);
    QCOMPARE(rig.dns.calls(BackendName), 2);
}

QTEST_GUILESS_MAIN(tst_BackendDns)
#include "tst_backenddns.moc"
