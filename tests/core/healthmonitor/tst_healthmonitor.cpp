// The health monitor end to end against scripted loopback backends: targets from rules and path
// maps, default and custom probes, backendAddressMap, thresholds, recovery, interval and timeout on
// the ManualClock, minServers, Host headers, DNS failure, the table, events and the JSON.

#include "../httpprobe/tlsbackend.h"
#include "config/gatewayconfig.h"
#include "events/gatewayevent.h"
#include "health/healthmonitor.h"
#include "health/healthprobe.h"
#include "health/healthtable.h"
#include "net/clock.h"
#include "requirement.h"
#include "scriptedhttpbackend.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace Gateway;
using Health::HealthMonitor;
using Health::HealthState;
using Health::HealthTable;
using Health::ServerHealth;
namespace Messages = Gateway::Health::Messages;

namespace {

Config::Ref ref(const QString &collection, const QString &name)
{
    Config::Ref r;
    r.collection = collection;
    r.name = name;
    r.rawId = QStringLiteral("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/"
                             "applicationGateways/gw/")
              + collection + QLatin1Char('/') + name;
    return r;
}

// Builds GatewayConfig structs directly (no JSON).
struct ConfigBuilder
{
    Config::GatewayConfig c;

    ConfigBuilder()
    {
        c.name = QStringLiteral("appgw-test");
        Config::HttpListener listener;
        listener.name = QStringLiteral("listener1");
        c.httpListeners.append(listener);
    }
    ConfigBuilder &pool(const QString &name, const QStringList &servers)
    {
        Config::BackendAddressPool p;
        p.name = name;
        for (const QString &s : servers) {
            Config::BackendAddress a;
            if (QHostAddress(s).isNull())
                a.fqdn = s;
            else
                a.ipAddress = s;
            p.backendAddresses.append(a);
        }
        c.backendAddressPools.append(p);
        return *this;
    }
    Config::BackendHttpSettings &setting(const QString &name, int port, const QString &probe = {})
    {
        Config::BackendHttpSettings s;
        s.name = name;
        s.port = port;
        if (!probe.isEmpty())
            s.probe = ref(QStringLiteral("probes"), probe);
        c.backendHttpSettingsCollection.append(s);
        return c.backendHttpSettingsCollection.last();
    }
    Config::Probe &probe(const QString &name)
    {
        Config::Probe p;
        p.name = name;
        p.host = QStringLiteral("127.0.0.1");
        c.probes.append(p);
        return c.probes.last();
    }
    ConfigBuilder &rule(const QString &name, const QString &pool, const QString &setting,
                        const QString &listener = QStringLiteral("listener1"))
    {
        Config::RequestRoutingRule r;
        r.name = name;
        r.httpListener = ref(QStringLiteral("httpListeners"), listener);
        r.backendAddressPool = ref(QStringLiteral("backendAddressPools"), pool);
        r.backendHttpSettings = ref(QStringLiteral("backendHttpSettingsCollection"), setting);
        c.requestRoutingRules.append(r);
        return *this;
    }
    ConfigBuilder &map(const QString &address, const QString &to)
    {
        c.localGateway.backendAddressMap.insert(address, to);
        return *this;
    }
};

// A monitor on a ManualClock with its table and a spy on completed probes.
struct Fixture
{
    Net::ManualClock clock;
    std::shared_ptr<HealthTable> table = std::make_shared<HealthTable>();
    Events::EventBus bus;
    HealthMonitor monitor{&clock, table, &bus};
    QSignalSpy completed{&monitor, &HealthMonitor::probeCompleted};
    QSignalSpy changed{&monitor, &HealthMonitor::healthChanged};

    ServerHealth server(const QString &address, const QString &setting = {}) const
    {
        for (const ServerHealth &s : monitor.servers()) {
            if (s.server == address && (setting.isEmpty() || s.setting == setting))
                return s;
        }
        return {};
    }
    int inFlight() const
    {
        int n = 0;
        for (auto *p : monitor.findChildren<Health::HealthProbe *>()) {
            if (!p->isFinished())
                ++n;
        }
        return n;
    }
};

QString state(HealthState s)
{
    return Health::toString(s);
}

// Routes pool1 (10.0.0.4, mapped to the loopback backend) through bhs1 with rule1, probes it once
// over HTTPS as api.contoso.test, and compares the server's health and detail after that probe.
void probeHttpsOnce(ConfigBuilder &b, quint16 backendPort, const QString &health,
                    const QString &detail)
{
    b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", QStringLiteral("127.0.0.1:%1").arg(backendPort));
    Fixture f;
    f.monitor.setConfig(b.c);
    QCOMPARE(f.server("10.0.0.4").probeUrl, QStringLiteral("https://api.contoso.test:443/"));
    f.monitor.start();
    QTRY_COMPARE_WITH_TIMEOUT(f.completed.size(), 1, 10000);
    QCOMPARE(f.server("10.0.0.4").detail, detail);
    QCOMPARE(state(f.server("10.0.0.4").state), health);
}

} // namespace

class tst_HealthMonitor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        qRegisterMetaType<ServerHealth>();
        qRegisterMetaType<HealthState>();
        qRegisterMetaType<QList<Events::GatewayEvent>>();
    }

    void targetsFromRulesAndPathMaps()
    {
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4", "10.0.0.5", "10.0.0.4"})
            .pool("pool2", {"app.contoso.com"})
            .pool("unused", {"10.0.0.9"});
        b.setting("bhs1", 80);
        b.setting("bhs2", 8443).protocol = QStringLiteral("Https");
        b.setting("bhs3", 81);
        b.rule("basic", "pool1", "bhs1");
        b.rule("duplicate", "POOL1", "BHS1");
        b.rule("noListener", "unused", "bhs3", QStringLiteral("missing-listener"));
        Config::RequestRoutingRule pathRule;
        pathRule.name = QStringLiteral("paths");
        pathRule.ruleType = QStringLiteral("PathBasedRouting");
        pathRule.httpListener = ref(QStringLiteral("httpListeners"), QStringLiteral("listener1"));
        pathRule.urlPathMap = ref(QStringLiteral("urlPathMaps"), QStringLiteral("map1"));
        b.c.requestRoutingRules.append(pathRule);
        Config::UrlPathMap map;
        map.name = QStringLiteral("map1");
        map.defaultBackendAddressPool = ref(QStringLiteral("backendAddressPools"),
                                            QStringLiteral("pool1"));
        map.defaultBackendHttpSettings = ref(QStringLiteral("backendHttpSettingsCollection"),
                                             QStringLiteral("bhs2"));
        Config::PathRule pr;
        pr.name = QStringLiteral("api");
        pr.paths = QStringList{QStringLiteral("/api/*")};
        pr.backendAddressPool = ref(QStringLiteral("backendAddressPools"), QStringLiteral("pool2"));
        pr.backendHttpSettings = ref(QStringLiteral("backendHttpSettingsCollection"),
                                     QStringLiteral("bhs1"));
        map.pathRules.append(pr);
        b.c.urlPathMaps.append(map);
        b.map(QStringLiteral("10.0.0.4"), QStringLiteral("127.0.0.1:9001"));
        b.map(QStringLiteral("APP.contoso.com"), QStringLiteral("localhost"));

        Fixture f;
        f.monitor.setConfig(b.c);
        QStringList got;
        for (const ServerHealth &s : f.monitor.servers())
            got << s.pool + QLatin1Char('/') + s.setting + QLatin1Char('/') + s.server
                       + QLatin1Char('@') + s.endpoint + QLatin1Char(' ') + s.probeUrl
                       + QLatin1Char(' ') + state(s.state);
        const QStringList expected{
            "pool1/bhs1/10.0.0.4@127.0.0.1:9001 http://127.0.0.1:80/ Unknown",
            "pool1/bhs1/10.0.0.5@10.0.0.5:80 http://127.0.0.1:80/ Unknown",
            "pool1/bhs2/10.0.0.4@127.0.0.1:9001 https://127.0.0.1:8443/ Unknown",
            "pool1/bhs2/10.0.0.5@10.0.0.5:8443 https://127.0.0.1:8443/ Unknown",
            "pool2/bhs1/app.contoso.com@localhost:80 http://127.0.0.1:80/ Unknown",
        };
        QCOMPARE(got, expected);
        QVERIFY(!f.monitor.hasFirstResults());
        QVERIFY(!f.monitor.isRunning());
        // Published as Unknown and routable before any probe ran.
        const auto entry = f.table->get("pool1", "bhs1", "10.0.0.5");
        QCOMPARE(state(entry.state), QStringLiteral("Unknown"));
        QVERIFY(entry.routable);
        // 10.0.0.5 is mapped nowhere: never probed, and the detail names the key to add.
        QCOMPARE(f.server("10.0.0.5").detail,
                 Config::unmappedBackendReason(b.c.localGateway, QStringLiteral("10.0.0.5")));
        QVERIFY(f.server("10.0.0.5")
                    .detail.startsWith(QStringLiteral(
                        "10.0.0.5 exists in Azure's virtual network; map it with "
                        "metadata.localGateway.backendAddressMap (add the key \"10.0.0.5\")")));
        QCOMPARE(f.server("10.0.0.4").detail, Messages::unknown());
    }

    // product.md §3: a backend address outside loopback that nothing maps is not contacted.
    // Its health is Unknown for good with the refusal as the detail, it never holds back the
    // first results, and no probe ever starts for it (the test asserts the refusal rather than
    // watching 10.0.0.7; ctest runs this unit in a network namespace of its own with only
    // loopback, ISOLATED_NETWORK, so a broken refusal still reaches nothing outside it).
    void unmappedAddressIsNeverProbed_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("vnet address") << "10.0.0.7"
                                      << "10.0.0.7 exists in Azure's virtual network";
        QTest::newRow("public address") << "20.1.2.3"
                                        << "20.1.2.3 is an address outside this machine";
        QTest::newRow("azure name") << "app.azurewebsites.net"
                                    << "app.azurewebsites.net is a name";
        QTest::newRow("placeholder") << "reference(sites/web1).defaultHostName"
                                     << "is only known in Azure";
    }
    void unmappedAddressIsNeverProbed()
    {
        QFETCH(QString, server);
        QFETCH(QString, fragment);
        ScriptedHttpBackend local;
        ConfigBuilder b;
        b.pool("pool1", {server, "127.0.0.1"});
        b.setting("bhs1", local.port());
        b.rule("rule1", "pool1", "bhs1");
        Fixture f;
        QStringList lookups;
        f.monitor.setNameResolver([&](const QString &name) {
            lookups.append(name);
            return QList<QHostAddress>{QHostAddress(QHostAddress::LocalHost)};
        });
        QSignalSpy events(&f.bus, &Events::EventBus::eventsPublished);
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1); // only the loopback member is probed
        for (int i = 0; i < 3; ++i)
            f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 4);
        QVERIFY(lookups.isEmpty()); // not even its name is looked up
        for (const QList<QVariant> &done : std::as_const(f.completed))
            QCOMPARE(done.at(0).value<ServerHealth>().server, QStringLiteral("127.0.0.1"));
        const ServerHealth s = f.server(server);
        QCOMPARE(state(s.state), QStringLiteral("Unknown"));
        QVERIFY2(s.detail.contains(fragment), qPrintable(s.detail));
        QVERIFY(s.detail.contains(
            QStringLiteral("backendAddressMap (add the key \"%1\")").arg(server)));
        QVERIFY(s.history.isEmpty());
        QVERIFY(f.monitor.hasFirstResults());

        // Mapped now: probed at the mapped address.
        b.map(server, QStringLiteral("127.0.0.1:%1").arg(local.port()));
        f.monitor.setConfig(b.c);
        QTRY_VERIFY(!f.server(server).history.isEmpty());
        QCOMPARE(state(f.server(server).state), QStringLiteral("Healthy"));
    }

    void thresholdsAndRecovery()
    {
        ScriptedHttpBackend backend;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80);
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", backend.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Healthy"));
        QCOMPARE(f.server("10.0.0.4").detail, QStringLiteral("Success. Received 200 status code"));
        QCOMPARE(f.changed.size(), 1);

        backend.status = 500;
        for (int failure = 1; failure <= 2; ++failure) {
            f.clock.advance(30'000);
            QTRY_COMPARE(f.completed.size(), 1 + failure);
            const ServerHealth s = f.server("10.0.0.4");
            QCOMPARE(state(s.state), QStringLiteral("Healthy")); // pending: below the threshold
            QCOMPARE(s.consecutiveFailures, failure);
            QCOMPARE(s.detail, Messages::statusMismatch(QStringLiteral("200-399"), 500));
            QVERIFY(f.table->get("pool1", "bhs1", "10.0.0.4").routable);
        }
        f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 4);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Unhealthy"));
        QCOMPARE(state(f.table->get("pool1", "bhs1", "10.0.0.4").state),
                 QStringLiteral("Unhealthy"));
        QVERIFY(!f.table->get("pool1", "bhs1", "10.0.0.4").routable);
        QCOMPARE(f.changed.size(), 2);
        QCOMPARE(state(f.changed.last().at(1).value<HealthState>()), QStringLiteral("Healthy"));
        QCOMPARE(state(f.changed.last().at(2).value<HealthState>()), QStringLiteral("Unhealthy"));

        backend.status = 204;
        f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 5);
        const ServerHealth s = f.server("10.0.0.4");
        QCOMPARE(state(s.state), QStringLiteral("Healthy")); // one success recovers
        QCOMPARE(s.detail, Messages::success(204));
        QCOMPARE(s.consecutiveFailures, 0);
        QCOMPARE(s.history.size(), 5);
        QCOMPARE(s.history.at(1).httpStatus, 500);
        QCOMPARE(s.history.last().httpStatus, 204);
        QVERIFY(f.table->get("pool1", "bhs1", "10.0.0.4").routable);
    }

    void unknownUntilThreshold()
    {
        ScriptedHttpBackend backend;
        backend.status = 503;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80);
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", backend.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Unknown"));
        QCOMPARE(f.server("10.0.0.4").detail,
                 Messages::statusMismatch(QStringLiteral("200-399"), 503));
        f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 2);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Unknown"));
        f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 3);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Unhealthy"));
    }

    void intervalRunsOnTheClock_data()
    {
        QTest::addColumn<int>("customInterval"); // 0: default probe (30 s)
        QTest::newRow("default probe: 30 s") << 0;
        QTest::newRow("custom probe: 7 s") << 7;
    }

    void intervalRunsOnTheClock()
    {
        QFETCH(int, customInterval);
        ScriptedHttpBackend backend;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80, customInterval ? QStringLiteral("probe1") : QString());
        if (customInterval)
            b.probe("probe1").interval = customInterval;
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", backend.address());
        const int intervalMs = (customInterval ? customInterval : 30) * 1000;
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QCOMPARE(f.inFlight(), 1); // the first probe at once
        QTRY_COMPARE(f.completed.size(), 1);
        QCOMPARE(f.inFlight(), 0);
        f.clock.advance(intervalMs - 1);
        QCOMPARE(f.inFlight(), 0);
        f.clock.advance(1);
        QCOMPARE(f.inFlight(), 1);
        QTRY_COMPARE(f.completed.size(), 2);
        QCOMPARE(backend.requests.size(), 2);
        f.monitor.stop();
        f.clock.advance(intervalMs * 3);
        QCOMPARE(f.inFlight(), 0);
        QCOMPARE(f.completed.size(), 2);
    }

    void hangingBackendTimesOut()
    {
        ScriptedHttpBackend backend;
        backend.mode = ScriptedHttpBackend::Mode::Hang;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80, QStringLiteral("probe1"));
        Config::Probe &p = b.probe("probe1");
        p.timeout = 5;
        p.interval = 30;
        p.unhealthyThreshold = 1;
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", backend.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(backend.requests.size(), 1);
        f.clock.advance(4'999);
        QCoreApplication::processEvents();
        QCOMPARE(f.completed.size(), 0);
        f.clock.advance(1);
        QCOMPARE(f.completed.size(), 1);
        const ServerHealth s = f.server("10.0.0.4");
        QCOMPARE(s.detail, Messages::timeout());
        QCOMPARE(s.last.latencyMs, 5'000);
        QCOMPARE(state(s.state), QStringLiteral("Unhealthy"));
        // The next probe starts a full interval after the previous one started.
        f.clock.advance(24'999);
        QCOMPARE(f.inFlight(), 0);
        f.clock.advance(1);
        QCOMPARE(f.inFlight(), 1);
        QTRY_COMPARE(backend.requests.size(), 2);
    }

    void slowProbesDoNotOverlap()
    {
        // timeout > interval: the probe due while one is running starts when that one ends.
        ScriptedHttpBackend backend;
        backend.mode = ScriptedHttpBackend::Mode::Hang;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80, QStringLiteral("probe1"));
        Config::Probe &p = b.probe("probe1");
        p.timeout = 50;
        p.interval = 30;
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", backend.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(backend.requests.size(), 1);
        f.clock.advance(30'000);
        QCOMPARE(f.inFlight(), 1);
        f.clock.advance(20'000);
        QCOMPARE(f.completed.size(), 1);
        QCOMPARE(f.inFlight(), 1); // the pending probe started right away
        QTRY_COMPARE(backend.requests.size(), 2);
    }

    void minServers_data()
    {
        QTest::addColumn<int>("minServers");
        QTest::addColumn<QList<bool>>("routableAllDown");
        QTest::addColumn<QList<bool>>("routableThirdUp");
        QTest::newRow("0") << 0 << QList<bool>{false, false, false}
                           << QList<bool>{false, false, true};
        QTest::newRow("1") << 1 << QList<bool>{true, false, false}
                           << QList<bool>{false, false, true};
        QTest::newRow("2") << 2 << QList<bool>{true, true, false} << QList<bool>{true, false, true};
        QTest::newRow("3") << 3 << QList<bool>{true, true, true} << QList<bool>{true, true, true};
        QTest::newRow("5 (more than the pool)")
            << 5 << QList<bool>{true, true, true} << QList<bool>{true, true, true};
    }

    void minServers()
    {
        QFETCH(int, minServers);
        QFETCH(QList<bool>, routableAllDown);
        QFETCH(QList<bool>, routableThirdUp);
        ScriptedHttpBackend b1, b2, b3;
        for (auto *backend : {&b1, &b2, &b3})
            backend->status = 500;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.1", "10.0.0.2", "10.0.0.3"});
        b.setting("bhs1", 80, QStringLiteral("probe1"));
        Config::Probe &p = b.probe("probe1");
        p.unhealthyThreshold = 1;
        p.minServers = minServers;
        b.rule("rule1", "pool1", "bhs1")
            .map("10.0.0.1", b1.address())
            .map("10.0.0.2", b2.address())
            .map("10.0.0.3", b3.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 3);
        const QStringList servers{"10.0.0.1", "10.0.0.2", "10.0.0.3"};
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(state(f.server(servers[i]).state), QStringLiteral("Unhealthy"));
            QCOMPARE(f.table->get("pool1", "bhs1", servers[i]).routable, routableAllDown[i]);
        }
        b3.status = 200;
        f.monitor.probeNow();
        QTRY_COMPARE(f.completed.size(), 6);
        QCOMPARE(state(f.server("10.0.0.3").state), QStringLiteral("Healthy"));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(f.table->get("pool1", "bhs1", servers[i]).routable, routableThirdUp[i]);
    }

    void hostHeader_data()
    {
        QTest::addColumn<bool>("custom");
        QTest::addColumn<QString>("probeHost");
        QTest::addColumn<bool>("pickFromSettings");
        QTest::addColumn<QString>("settingHostName");
        QTest::addColumn<bool>("pickFromBackendAddress");
        QTest::addColumn<QByteArray>("expectedHost");
        QTest::addColumn<QByteArray>("expectedRequestLine");
        QTest::newRow("default probe") << false << "" << false << "" << false
                                       << QByteArray("127.0.0.1") << QByteArray("GET / HTTP/1.1");
        QTest::newRow("default probe ignores the setting's hostName")
            << false << "" << false << "api.contoso.com" << false << QByteArray("127.0.0.1")
            << QByteArray("GET / HTTP/1.1");
        QTest::newRow("custom host")
            << true << "probe.contoso.com" << false << "" << false
            << QByteArray("probe.contoso.com") << QByteArray("GET /healthz HTTP/1.1");
        QTest::newRow("pick from setting hostName")
            << true << "" << true << "api.contoso.com" << false << QByteArray("api.contoso.com")
            << QByteArray("GET /healthz HTTP/1.1");
        QTest::newRow("pick from backend address")
            << true << "" << true << "" << true << QByteArray("app1.contoso.com")
            << QByteArray("GET /healthz HTTP/1.1");
    }

    void hostHeader()
    {
        QFETCH(bool, custom);
        QFETCH(QString, probeHost);
        QFETCH(bool, pickFromSettings);
        QFETCH(QString, settingHostName);
        QFETCH(bool, pickFromBackendAddress);
        QFETCH(QByteArray, expectedHost);
        QFETCH(QByteArray, expectedRequestLine);
        ScriptedHttpBackend backend;
        ConfigBuilder b;
        b.pool("pool1", {"app1.contoso.com"});
        Config::BackendHttpSettings &s = b.setting("bhs1", 80,
                                                   custom ? QStringLiteral("probe1") : QString());
        s.hostName = settingHostName;
        s.pickHostNameFromBackendAddress = pickFromBackendAddress;
        if (custom) {
            Config::Probe &p = b.probe("probe1");
            p.host = probeHost;
            p.path = QStringLiteral("/healthz");
            p.pickHostNameFromBackendHttpSettings = pickFromSettings;
        }
        // The probe connects where the map says; the Host header stays what Azure would send.
        b.rule("rule1", "pool1", "bhs1").map("app1.contoso.com", backend.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        QCOMPARE(backend.requests.size(), 1);
        QCOMPARE(backend.lastHost(), expectedHost);
        QCOMPARE(backend.requestLine(0), expectedRequestLine);
        const ServerHealth h = f.server("app1.contoso.com");
        QCOMPARE(state(h.state), QStringLiteral("Healthy"));
        QCOMPARE(h.endpoint, backend.address());
        QVERIFY2(h.probeUrl.startsWith(QStringLiteral("http://") + QString::fromLatin1(expectedHost)
                                       + QStringLiteral(":80/")),
                 qPrintable(h.probeUrl));
    }

    void probePortAndMapWithoutPort()
    {
        // Map value without a port: connect to the mapped host at the probe's port (probe.port
        // overrides the setting's 80).
        ScriptedHttpBackend backend;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80, QStringLiteral("probe1"));
        b.probe("probe1").port = backend.port();
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", "127.0.0.1");
        Fixture f;
        f.monitor.setConfig(b.c);
        QCOMPARE(f.server("10.0.0.4").endpoint, backend.address());
        QCOMPARE(f.server("10.0.0.4").probeUrl,
                 QStringLiteral("http://127.0.0.1:%1/").arg(backend.port()));
        QCOMPARE(f.server("10.0.0.4").probe, QStringLiteral("probe1"));
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Healthy"));
    }

    void settingPortWhenMapHasNoPort()
    {
        ScriptedHttpBackend backend;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", backend.port());
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", "127.0.0.1");
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        QCOMPARE(backend.requests.size(), 1);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Healthy"));
    }

    void matchRules_data()
    {
        QTest::addColumn<QStringList>("statusCodes");
        QTest::addColumn<QString>("bodyMatch");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("detail");
        QTest::newRow("range hit") << QStringList{"200-399"} << "" << 301 << QByteArray()
                                   << "Healthy" << Messages::success(301);
        QTest::newRow("single code miss") << QStringList{"200"} << "" << 301 << QByteArray()
                                          << "Unhealthy" << Messages::statusMismatch("200", 301);
        QTest::newRow("list with 404") << QStringList{"200-399", "404"} << "" << 404 << QByteArray()
                                       << "Healthy" << Messages::success(404);
        QTest::newRow("comma list miss") << QStringList{"200,204"} << "" << 404 << QByteArray()
                                         << "Unhealthy" << Messages::statusMismatch("200,204", 404);
        QTest::newRow("body hit") << QStringList{} << "Healthy" << 200
                                  << QByteArray("status: Healthy") << "Healthy"
                                  << Messages::success(200);
        QTest::newRow("body miss")
            << QStringList{} << "Healthy" << 200 << QByteArray("status: Degraded") << "Unhealthy"
            << Messages::bodyMismatch("Healthy");
        QTest::newRow("status checked before body")
            << QStringList{} << "Healthy" << 500 << QByteArray("Healthy") << "Unhealthy"
            << Messages::statusMismatch("200-399", 500);
    }

    void matchRules()
    {
        QFETCH(QStringList, statusCodes);
        QFETCH(QString, bodyMatch);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, state);
        QFETCH(QString, detail);
        ScriptedHttpBackend backend;
        backend.status = status;
        backend.body = body;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80, QStringLiteral("probe1"));
        Config::Probe &p = b.probe("probe1");
        p.unhealthyThreshold = 1;
        p.match.statusCodes = statusCodes;
        p.match.body = bodyMatch;
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", backend.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        QCOMPARE(::state(f.server("10.0.0.4").state), state);
        QCOMPARE(f.server("10.0.0.4").detail, detail);
        QCOMPARE(f.server("10.0.0.4").last.httpStatus, status);
    }

    void webSocketOnlyBackendFailsTheDefaultProbe()
    {
        // The seeds' trap: a backend that only serves the upgrade answers 404 on /.
        ScriptedHttpBackend backend;
        backend.status = 404;
        backend.body = "Not Found";
        ConfigBuilder b;
        b.pool("wsPool", {"10.0.1.4"});
        b.setting("wsSettings", 8080);
        b.rule("wsRule", "wsPool", "wsSettings").map("10.0.1.4", backend.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        for (int i = 1; i <= 3; ++i) {
            QTRY_COMPARE(f.completed.size(), i);
            if (i < 3)
                f.clock.advance(30'000);
        }
        const ServerHealth s = f.server("10.0.1.4");
        QCOMPARE(state(s.state), QStringLiteral("Unhealthy"));
        QCOMPARE(s.detail, QStringLiteral(
                               "Status code of the backend's HTTP response did not match the probe "
                               "setting. Expected:200-399 Received:404."));
        QCOMPARE(backend.lastHost(), QByteArray("127.0.0.1"));
        QVERIFY(!f.table->get("wsPool", "wsSettings", "10.0.1.4").routable);
    }

    void connectionFailures_data()
    {
        QTest::addColumn<int>("kind"); // 0 refused, 1 close mid-response, 2 close without answer
        QTest::addColumn<int>("httpStatus");
        QTest::newRow("refused port") << 0 << 0;
        QTest::newRow("closes mid-response") << 1 << 200;
        QTest::newRow("closes without answering") << 2 << 0;
    }

    void connectionFailures()
    {
        QFETCH(int, kind);
        QFETCH(int, httpStatus);
        ScriptedHttpBackend backend;
        backend.mode = kind == 1 ? ScriptedHttpBackend::Mode::CloseMidResponse
                                 : ScriptedHttpBackend::Mode::CloseWithoutAnswer;
        const QString target = kind == 0 ? QStringLiteral("127.0.0.1:%1").arg(refusedPort())
                                         : backend.address();
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80, QStringLiteral("probe1"));
        b.probe("probe1").unhealthyThreshold = 1;
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", target);
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        const ServerHealth s = f.server("10.0.0.4");
        QCOMPARE(state(s.state), QStringLiteral("Unhealthy"));
        QCOMPARE(s.detail, Messages::connect());
        QCOMPARE(s.last.httpStatus, httpStatus);
        QVERIFY(!s.last.success);
    }

    void unresolvableFqdnIsUnknown_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("mapTo");
        QTest::newRow("unmapped .invalid fqdn") << "backend.contoso.invalid"
                                                << "";
        QTest::newRow("mapped to a name that does not resolve") << "10.0.0.4"
                                                                << "db.invalid:8080";
    }

    void unresolvableFqdnIsUnknown()
    {
        QFETCH(QString, server);
        QFETCH(QString, mapTo);
        ConfigBuilder b;
        b.pool("pool1", {server});
        b.setting("bhs1", 80);
        b.rule("rule1", "pool1", "bhs1");
        if (!mapTo.isEmpty())
            b.map(server, mapTo);
        else
            b.c.localGateway.allowUnmappedBackends = true; // the user reaches names on purpose
        Fixture f;
        QSignalSpy events(&f.bus, &Events::EventBus::eventsPublished);
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        for (int i = 0; i < 3; ++i) { // it never becomes Unhealthy: the address is the problem
            const ServerHealth s = f.server(server);
            QCOMPARE(state(s.state), QStringLiteral("Unknown"));
            QCOMPARE(s.detail, Messages::dns());
            QVERIFY(s.last.unresolved);
            QCOMPARE(s.consecutiveFailures, 0);
            f.clock.advance(30'000);
            QTRY_COMPARE(f.completed.size(), i + 2);
        }
        QVERIFY(f.monitor.hasFirstResults());
        const auto entry = f.table->get("pool1", "bhs1", server);
        QCOMPARE(state(entry.state), QStringLiteral("Unknown"));
        QVERIFY(entry.routable);
        QCOMPARE(f.changed.size(), 0); // Unknown from the start
        const QJsonObject json = QJsonDocument::fromJson(f.monitor.backendHealthJson()).object();
        const QJsonObject srv = json["backendAddressPools"][0]["backendHttpSettingsCollection"][0]
                                    ["servers"][0]
                                        .toObject();
        QCOMPARE(srv["health"].toString(), QStringLiteral("Unknown"));
        QCOMPARE(srv["healthProbeLog"].toString(), Messages::dns());
    }

    void eventsArePublished()
    {
        ScriptedHttpBackend backend;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80);
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", backend.address());
        Fixture f;
        QSignalSpy spy(&f.bus, &Events::EventBus::eventsPublished);
        f.monitor.setConfig(b.c);
        f.clock.advance(1234);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        QList<Events::GatewayEvent> events;
        for (const auto &args : spy)
            events += args.at(0).value<QList<Events::GatewayEvent>>();
        QCOMPARE(events.size(), 2);
        const Events::GatewayEvent probe = events.at(0);
        QCOMPARE(probe.type, QStringLiteral("probe"));
        QCOMPARE(probe.tsMs, f.clock.nowMs());
        QCOMPARE(probe.fields["pool"].toString(), QStringLiteral("pool1"));
        QCOMPARE(probe.fields["setting"].toString(), QStringLiteral("bhs1"));
        QCOMPARE(probe.fields["server"].toString(), QStringLiteral("10.0.0.4"));
        QCOMPARE(probe.fields["result"].toString(), QStringLiteral("success"));
        QCOMPARE(probe.fields["httpStatus"].toInt(), 200);
        QVERIFY(probe.fields.contains("latencyMs"));
        QCOMPARE(probe.fields["detail"].toString(), Messages::success(200));
        const Events::GatewayEvent health = events.at(1);
        QCOMPARE(health.type, QStringLiteral("backend.health"));
        QCOMPARE(health.fields["from"].toString(), QStringLiteral("Unknown"));
        QCOMPARE(health.fields["to"].toString(), QStringLiteral("Healthy"));
        QCOMPARE(health.fields["server"].toString(), QStringLiteral("10.0.0.4"));
        QCOMPARE(health.fields["detail"].toString(), Messages::success(200));

        // A failure below the threshold: a probe event, no backend.health event.
        backend.status = 500;
        spy.clear();
        f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 2);
        QTRY_COMPARE(spy.size(), 1);
        const auto failed = spy.at(0).at(0).value<QList<Events::GatewayEvent>>();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).fields["result"].toString(), QStringLiteral("failure"));
        QCOMPARE(failed.at(0).fields["httpStatus"].toInt(), 500);
    }

    void backendHealthJsonShape()
    {
        ScriptedHttpBackend up, down;
        down.status = 404;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.1.4", "10.0.1.5"}).pool("pool2", {"10.0.2.4"});
        b.setting("bhs1", 80, QStringLiteral("probe1"));
        b.probe("probe1").unhealthyThreshold = 1;
        b.setting("bhs2", 81);
        b.rule("rule1", "pool1", "bhs1")
            .rule("rule2", "pool2", "bhs2")
            .rule("rule3", "pool1", "bhs2");
        b.map("10.0.1.4", up.address()).map("10.0.1.5", down.address()).map("10.0.2.4", up.address());
        Fixture f;
        QSignalSpy first(&f.monitor, &HealthMonitor::firstResultsReady);
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(first.size(), 1);
        QCOMPARE(f.completed.size(), 5);
        QVERIFY(f.monitor.hasFirstResults());

        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(f.monitor.backendHealthJson(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonArray pools = doc.object()["backendAddressPools"].toArray();
        QCOMPARE(pools.size(), 2);
        const QJsonObject pool1 = pools[0].toObject();
        QVERIFY(pool1["backendAddressPool"]["id"].toString().endsWith(
            "/applicationGateways/appgw-test/backendAddressPools/pool1"));
        QVERIFY(pool1["backendAddressPool"]["id"].toString().startsWith("/subscriptions/"));
        const QJsonArray settings = pool1["backendHttpSettingsCollection"].toArray();
        QCOMPARE(settings.size(), 2);
        QVERIFY(settings[0]["backendHttpSettings"]["id"].toString().endsWith(
            "/backendHttpSettingsCollection/bhs1"));
        QVERIFY(settings[1]["backendHttpSettings"]["id"].toString().endsWith(
            "/backendHttpSettingsCollection/bhs2"));
        const QJsonArray servers = settings[0]["servers"].toArray();
        QCOMPARE(servers.size(), 2);
        QCOMPARE(servers[0].toObject(),
                 (QJsonObject{{"address", "10.0.1.4"},
                              {"health", "Healthy"},
                              {"healthProbeLog", "Success. Received 200 status code"}}));
        QCOMPARE(servers[1].toObject(),
                 (QJsonObject{{"address", "10.0.1.5"},
                              {"health", "Unhealthy"},
                              {"healthProbeLog", Messages::statusMismatch("200-399", 404)}}));
        // bhs2 uses the default probe: one 404 is below its threshold of 3.
        QCOMPARE(settings[1]["servers"][1]["health"].toString(), QStringLiteral("Unknown"));
        const QJsonObject pool2 = pools[1].toObject();
        QVERIFY(
            pool2["backendAddressPool"]["id"].toString().endsWith("/backendAddressPools/pool2"));
        QCOMPARE(pool2["backendHttpSettingsCollection"][0]["servers"][0]["health"].toString(),
                 QStringLiteral("Healthy"));
    }

    void httpsWithTrustedRoots_data()
    {
        QTest::addColumn<int>("encoding"); // 0 base64 DER (.cer), 1 PEM text, 2 base64 of PEM, 3 none
        QTest::addColumn<QString>("health");
        QTest::addColumn<QString>("detail");
        QTest::newRow("base64 DER") << 0 << "Healthy" << Messages::success(200);
        QTest::newRow("PEM text") << 1 << "Healthy" << Messages::success(200);
        QTest::newRow("base64 of a PEM file") << 2 << "Healthy" << Messages::success(200);
        QTest::newRow("no trusted root") << 3 << "Unhealthy" << Messages::untrustedRoot();
    }

    void httpsWithTrustedRoots()
    {
        QFETCH(int, encoding);
        QFETCH(QString, health);
        QFETCH(QString, detail);
        APPGW_REQUIRE(QSslSocket::supportsSsl(), APPGW_TLS_REASON);
        const TestCerts::KeyPair ca = TestCerts::make(QStringLiteral("Monitor Test Root"), nullptr,
                                                      true);
        const TestCerts::KeyPair leaf = TestCerts::make(QStringLiteral("api.contoso.test"), &ca,
                                                        false);
        TlsBackend backend(leaf);
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        Config::BackendHttpSettings &s = b.setting("bhs1", 443, QStringLiteral("probe1"));
        s.protocol = QStringLiteral("Https");
        s.hostName = QStringLiteral("api.contoso.test");
        Config::Probe &p = b.probe("probe1");
        p.protocol = QStringLiteral("Https");
        p.host.clear();
        p.pickHostNameFromBackendHttpSettings = true;
        p.unhealthyThreshold = 1;
        if (encoding != 3) {
            Config::TrustedRootCertificate root;
            root.name = QStringLiteral("root1");
            const QByteArray pem = ca.certPem;
            root.data = encoding == 0   ? QString::fromLatin1(ca.certificate().toDer().toBase64())
                        : encoding == 1 ? QString::fromLatin1(pem)
                                        : QString::fromLatin1(pem.toBase64());
            b.c.trustedRootCertificates.append(root);
            s.trustedRootCertificates.append(ref(QStringLiteral("trustedRootCertificates"),
                                                 QStringLiteral("root1")));
        }
        probeHttpsOnce(b, backend.port(), health, detail);
    }

    // Issue 15: v1 authenticationCertificates on the probe path, as the proxy uses them: a
    // backend whose own (leaf) certificate is listed is healthy although no CA the gateway knows
    // signed it and its name is not the probe's host (v1 checks neither); any other certificate,
    // even one from the same CA, is Unhealthy with Azure v1's "not whitelisted" detail.
    void v1AuthenticationCertificates_data()
    {
        QTest::addColumn<int>("listed"); // 0 the backend's leaf, 1 another leaf of its CA, 2 both
        QTest::addColumn<bool>("pem");   // the .cer as PEM text instead of base64 DER
        QTest::addColumn<QString>("health");
        QTest::addColumn<QString>("detail");
        QTest::newRow("leaf listed (base64 DER)")
            << 0 << false << "Healthy" << Messages::success(200);
        QTest::newRow("leaf listed (PEM)") << 0 << true << "Healthy" << Messages::success(200);
        QTest::newRow("leaf among two listed") << 2 << false << "Healthy" << Messages::success(200);
        QTest::newRow("another leaf of the same CA")
            << 1 << false << "Unhealthy" << Messages::notAllowlisted();
    }

    void v1AuthenticationCertificates()
    {
        QFETCH(int, listed);
        QFETCH(bool, pem);
        QFETCH(QString, health);
        QFETCH(QString, detail);
        APPGW_REQUIRE(QSslSocket::supportsSsl(), APPGW_TLS_REASON);
        const TestCerts::KeyPair ca = TestCerts::make(QStringLiteral("Private Backend CA"), nullptr,
                                                      true);
        // [0] the backend's own leaf, [1] another leaf of the same CA and name.
        const TestCerts::KeyPair leaves[] = {
            TestCerts::make(QStringLiteral("backend.internal"), &ca, false),
            TestCerts::make(QStringLiteral("backend.internal"), &ca, false)};
        const TestCerts::KeyPair &leaf = leaves[0];
        const TestCerts::KeyPair &other = leaves[1];
        TlsBackend backend(leaf);
        ConfigBuilder b;
        b.c.skuName = b.c.skuTier = QStringLiteral("Standard");
        b.pool("pool1", {"10.0.0.4"});
        Config::BackendHttpSettings &s = b.setting("bhs1", 443, QStringLiteral("probe1"));
        s.protocol = QStringLiteral("Https");
        Config::Probe &p = b.probe("probe1");
        p.protocol = QStringLiteral("Https");
        p.host = QStringLiteral("api.contoso.test"); // not the leaf's name: v1 does not check it
        p.unhealthyThreshold = 1;
        const auto addCer = [&](const QString &name, const TestCerts::KeyPair &cert) {
            Config::AuthenticationCertificate a;
            a.name = name;
            a.data = pem ? QString::fromLatin1(cert.certPem)
                         : QString::fromLatin1(cert.certificate().toDer().toBase64());
            b.c.authenticationCertificates.append(a);
            s.authenticationCertificates.append(ref(QStringLiteral("authenticationCertificates"),
                                                    name));
        };
        if (listed == 0 || listed == 2)
            addCer(QStringLiteral("backendCer"), leaf);
        if (listed == 1 || listed == 2)
            addCer(QStringLiteral("otherCer"), other);
        probeHttpsOnce(b, backend.port(), health, detail);
        if (QTest::currentTestFailed())
            return;
        // The request reached the backend only when its certificate was accepted.
        QCOMPARE(backend.requests.isEmpty(), health != QLatin1String("Healthy"));
    }

    void noTargets()
    {
        // Rules that only redirect, an empty pool, a rule whose listener is missing: nothing to probe.
        ConfigBuilder b;
        b.pool("empty", {});
        b.setting("bhs1", 80);
        b.rule("rule1", "empty", "bhs1");
        b.pool("pool2", {"10.0.0.4"});
        b.rule("rule2", "pool2", "missing-setting");
        Fixture f;
        QSignalSpy first(&f.monitor, &HealthMonitor::firstResultsReady);
        f.monitor.setConfig(b.c);
        QVERIFY(f.monitor.servers().isEmpty());
        QVERIFY(f.monitor.hasFirstResults());
        f.monitor.start();
        QCOMPARE(first.size(), 0); // never from inside start()
        QTRY_COMPARE(first.size(), 1);
        const QJsonObject json = QJsonDocument::fromJson(f.monitor.backendHealthJson()).object();
        QVERIFY(json.contains("backendAddressPools"));
        QCOMPARE(json["backendAddressPools"].toArray().size(), 0);
    }

    void probeNowWithoutStart()
    {
        ScriptedHttpBackend b1, b2;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4", "10.0.0.5"});
        b.setting("bhs1", 80);
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", b1.address()).map("10.0.0.5", b2.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.probeNow();
        QTRY_COMPARE(f.completed.size(), 2);
        QVERIFY(!f.monitor.isRunning());
        f.clock.advance(120'000); // not running: nothing scheduled
        QCOMPARE(f.inFlight(), 0);
        QCOMPARE(b1.requests.size(), 1);
        QCOMPARE(b2.requests.size(), 1);

        f.monitor.probeNow(QStringLiteral("POOL1"), QString(), QStringLiteral("10.0.0.5"));
        QTRY_COMPARE(f.completed.size(), 3);
        QCOMPARE(b1.requests.size(), 1);
        QCOMPARE(b2.requests.size(), 2);
        QCOMPARE(f.completed.last().at(0).value<ServerHealth>().server, QStringLiteral("10.0.0.5"));
        f.monitor.probeNow(QStringLiteral("no-such-pool"));
        f.clock.advance(1);
        QCOMPARE(f.inFlight(), 0);
    }

    void setConfigKeepsExistingState()
    {
        ScriptedHttpBackend backend;
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4"});
        b.setting("bhs1", 80);
        b.rule("rule1", "pool1", "bhs1").map("10.0.0.4", backend.address());
        Fixture f;
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Healthy"));

        ConfigBuilder b2 = b;
        b2.pool("pool2", {"10.0.0.8"});
        b2.setting("bhs2", 80);
        b2.rule("rule2", "pool2", "bhs2").map("10.0.0.8", backend.address());
        f.monitor.setConfig(b2.c);
        QCOMPARE(f.monitor.servers().size(), 2);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Healthy"));
        QCOMPARE(f.server("10.0.0.4").history.size(), 1);
        QCOMPARE(state(f.table->get("pool1", "bhs1", "10.0.0.4").state), QStringLiteral("Healthy"));
        QCOMPARE(state(f.server("10.0.0.8").state), QStringLiteral("Unknown"));
        QTRY_COMPARE(f.completed.size(), 2); // the new target is probed at once
        QCOMPARE(f.completed.last().at(0).value<ServerHealth>().server, QStringLiteral("10.0.0.8"));
        // The unchanged target keeps its schedule: next probe 30 s after the first one.
        f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 4);

        // Removing the rule removes the target (and its entry).
        f.monitor.setConfig(b.c);
        QCOMPARE(f.monitor.servers().size(), 1);
        QCOMPARE(state(f.table->get("pool2", "bhs2", "10.0.0.8").state), QStringLiteral("Unknown"));
        QCOMPARE(f.server("10.0.0.4").history.size(), 2);
    }

    // azure-reference.md §2: "On a DNS failure AGW keeps the last-known-good IP. A PUT on a
    // gateway in that state clears the cache, and the backend health becomes Unknown."
    void fqdnKeepsLastKnownGoodAddress_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<bool>("mapped"); // backendAddressMap sends the probe to another name
        QTest::addColumn<QString>("lookedUp");
        QTest::newRow("fqdn backend") << "app.contoso.internal" << false << "app.contoso.internal";
        QTest::newRow("ip mapped to a name") << "10.0.0.4" << true << "db.internal";
    }
    void fqdnKeepsLastKnownGoodAddress()
    {
        QFETCH(QString, server);
        QFETCH(bool, mapped);
        QFETCH(QString, lookedUp);
        ScriptedHttpBackend backend;
        ConfigBuilder b;
        b.pool("pool1", {server});
        b.setting("bhs1", mapped ? 80 : backend.port());
        b.rule("rule1", "pool1", "bhs1");
        if (mapped)
            b.map(server, QStringLiteral("db.internal:%1").arg(backend.port()));
        else
            b.c.localGateway.allowUnmappedBackends = true; // the test's resolver answers loopback
        Fixture f;
        bool resolves = true;
        QStringList lookups;
        f.monitor.setNameResolver([&](const QString &name) {
            lookups.append(name);
            return resolves ? QList<QHostAddress>{QHostAddress(QHostAddress::LocalHost)}
                            : QList<QHostAddress>{};
        });
        QSignalSpy events(&f.bus, &Events::EventBus::eventsPublished);
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        QCOMPARE(lookups, QStringList{lookedUp});
        ServerHealth s = f.server(server);
        QCOMPARE(state(s.state), QStringLiteral("Healthy"));
        QCOMPARE(s.last.address, QStringLiteral("127.0.0.1"));
        QVERIFY(!s.last.lastKnownAddress);

        // The name stops resolving: the probe goes to the last-known-good address and the
        // server's health is what that address answers.
        resolves = false;
        f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 2);
        QCOMPARE(lookups.size(), 2);
        QCOMPARE(backend.requests.size(), 2); // the probe did reach the old address
        s = f.server(server);
        QCOMPARE(state(s.state), QStringLiteral("Healthy"));
        QCOMPARE(s.detail, Messages::success(200));
        QVERIFY(s.last.lastKnownAddress);
        QVERIFY(!s.last.unresolved);
        QCOMPARE(s.last.address, QStringLiteral("127.0.0.1"));
        QVERIFY(f.table->get("pool1", "bhs1", server).routable);
        // The probe event says the address is the last known one.
        QTRY_VERIFY(!events.isEmpty());
        bool flagged = false;
        for (const auto &args : std::as_const(events)) {
            for (const auto &e : args.at(0).value<QList<Events::GatewayEvent>>()) {
                if (e.type == QLatin1String("probe")
                    && e.fields.value(QStringLiteral("lastKnownAddress")).toBool()) {
                    flagged = true;
                    QCOMPARE(e.fields.value(QStringLiteral("address")).toString(),
                             QStringLiteral("127.0.0.1"));
                }
            }
        }
        QVERIFY(flagged);

        // Still without DNS, the backend at that address fails: the usual threshold applies.
        backend.status = 500;
        for (int i = 0; i < 3; ++i) {
            f.clock.advance(30'000);
            QTRY_COMPARE(f.completed.size(), 3 + i);
        }
        s = f.server(server);
        QCOMPARE(state(s.state), QStringLiteral("Unhealthy"));
        QCOMPARE(s.detail, Messages::statusMismatch(QStringLiteral("200-399"), 500));
        QVERIFY(s.last.lastKnownAddress);
        QCOMPARE(backend.requests.size(), 5);

        // A PUT (a new configuration, even the same one) clears the cache: Unknown, DNS detail.
        f.monitor.setConfig(b.c);
        f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 6);
        s = f.server(server);
        QCOMPARE(state(s.state), QStringLiteral("Unknown"));
        QCOMPARE(s.detail, Messages::dns());
        QVERIFY(s.last.unresolved);
        QVERIFY(s.last.address.isEmpty());
        QCOMPARE(backend.requests.size(), 5);                    // nowhere to connect
        QVERIFY(f.table->get("pool1", "bhs1", server).routable); // Unknown: traffic may still flow

        // Resolving again: probed at the (new) resolved address.
        resolves = true;
        backend.status = 200;
        f.clock.advance(30'000);
        QTRY_COMPARE(f.completed.size(), 7);
        s = f.server(server);
        QCOMPARE(state(s.state), QStringLiteral("Healthy"));
        QVERIFY(!s.last.lastKnownAddress);
        QCOMPARE(backend.requests.size(), 6);
    }

    void nameNeverResolvedIsUnknownWithResolver()
    {
        ConfigBuilder b;
        b.pool("pool1", {"app.contoso.internal"});
        b.setting("bhs1", 80);
        b.rule("rule1", "pool1", "bhs1");
        b.c.localGateway.allowUnmappedBackends = true; // the user reaches names on purpose
        Fixture f;
        f.monitor.setNameResolver([](const QString &) { return QList<QHostAddress>{}; });
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 1);
        const ServerHealth s = f.server("app.contoso.internal");
        QCOMPARE(state(s.state), QStringLiteral("Unknown"));
        QCOMPARE(s.detail, Messages::dns());
        QVERIFY(s.last.unresolved);
        QVERIFY(!s.last.lastKnownAddress);
    }

    // `appgw health` (one-shot): a failed first probe is Unhealthy at once; the running gateway
    // keeps the threshold (unknownUntilThreshold).
    void unhealthyOnFirstFailure_data()
    {
        QTest::addColumn<bool>("oneShot");
        QTest::addColumn<QString>("expected");
        QTest::newRow("one-shot report") << true << "Unhealthy";
        QTest::newRow("running gateway") << false << "Unknown";
    }
    void unhealthyOnFirstFailure()
    {
        QFETCH(bool, oneShot);
        QFETCH(QString, expected);
        ScriptedHttpBackend ok;
        ScriptedHttpBackend missing;
        missing.status = 404;
        quint16 refused = 0;
        {
            QTcpServer s;
            s.listen(QHostAddress::LocalHost, 0);
            refused = s.serverPort();
        }
        ConfigBuilder b;
        b.pool("pool1", {"10.0.0.4", "10.0.0.5", "10.0.0.6"});
        b.setting("bhs1", 80);
        b.rule("rule1", "pool1", "bhs1");
        b.map("10.0.0.4", ok.address());
        b.map("10.0.0.5", QStringLiteral("127.0.0.1:%1").arg(refused));
        b.map("10.0.0.6", missing.address());
        Fixture f;
        f.monitor.setUnhealthyOnFirstFailure(oneShot);
        f.monitor.setConfig(b.c);
        f.monitor.start();
        QTRY_COMPARE(f.completed.size(), 3);
        QCOMPARE(state(f.server("10.0.0.4").state), QStringLiteral("Healthy"));
        QCOMPARE(state(f.server("10.0.0.5").state), expected);
        QCOMPARE(f.server("10.0.0.5").detail, Messages::connect());
        QCOMPARE(state(f.server("10.0.0.6").state), expected);
        QCOMPARE(f.server("10.0.0.6").detail,
                 Messages::statusMismatch(QStringLiteral("200-399"), 404));
        const QJsonObject json = QJsonDocument::fromJson(f.monitor.backendHealthJson()).object();
        const QJsonArray servers =
            json["backendAddressPools"][0]["backendHttpSettingsCollection"][0]["servers"].toArray();
        QCOMPARE(servers.size(), 3);
        QCOMPARE(servers.at(1)["health"].toString(), expected);
        QCOMPARE(servers.at(1)["healthProbeLog"].toString(), Messages::connect());
        QCOMPARE(servers.at(2)["health"].toString(), expected);
        // The table follows: a one-shot Unhealthy server is out of rotation.
        QCOMPARE(f.table->get("pool1", "bhs1", "10.0.0.6").routable, !oneShot);
    }
};

QTEST_GUILESS_MAIN(tst_HealthMonitor)
#include "tst_healthmonitor.moc"
