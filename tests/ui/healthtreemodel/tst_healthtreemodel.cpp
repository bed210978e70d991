#include "config/configdocument.h"
#include "healthtreemodel.h"
#include "net/clock.h"
#include "proxy/gateway.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Gateway::Ui;
using Gateway::Health::HealthState;
using Gateway::Health::ProbeResult;
using Gateway::Health::ServerHealth;

namespace {
ServerHealth server(const QString &pool, const QString &setting, const QString &address,
                    HealthState state)
{
    ServerHealth h;
    h.pool = pool;
    h.setting = setting;
    h.server = address;
    h.endpoint = QStringLiteral("127.0.0.1:9001");
    h.probeUrl = QStringLiteral("http://127.0.0.1:9001/");
    h.state = state;
    h.last.timeMs = 1'700'000'000'000;
    h.last.latencyMs = 3;
    h.last.httpStatus = state == HealthState::Healthy ? 200 : 404;
    h.last.success = state == HealthState::Healthy;
    h.detail = state == HealthState::Healthy
                   ? QStringLiteral("Success. Received 200 status code")
                   : QStringLiteral("Status code of the backend's HTTP response did not match the "
                                    "probe setting. Expected:200-399 Received:404.");
    for (int i = 0; i < 5; ++i)
        h.history.append(ProbeResult{h.last.timeMs + i, 3, h.last.httpStatus, h.last.success,
                                     h.detail});
    return h;
}
} // namespace

class tst_HealthTreeModel : public QObject
{
    Q_OBJECT
private slots:
    void treeShapeAndAggregates();
    void updatesInPlace();
    void columns();
    void drainingCountdown_data();
    void drainingCountdown();
    void followsGatewayDraining();
};

void tst_HealthTreeModel::treeShapeAndAggregates()
{
    HealthTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setServers({server(QStringLiteral("pool1"), QStringLiteral("s1"),
                             QStringLiteral("10.0.1.4"), HealthState::Healthy),
                      server(QStringLiteral("pool1"), QStringLiteral("s1"),
                             QStringLiteral("10.0.1.5"), HealthState::Unhealthy),
                      server(QStringLiteral("pool1"), QStringLiteral("s2"),
                             QStringLiteral("10.0.1.4"), HealthState::Healthy),
                      server(QStringLiteral("pool2"), QStringLiteral("s3"), QStringLiteral("app"),
                             HealthState::Unknown)});
    QCOMPARE(model.rowCount(), 2);
    const QModelIndex pool1 = model.index(0, 0);
    QCOMPARE(model.rowCount(pool1), 2);
    QCOMPARE(model.rowCount(model.index(0, 0, pool1)), 2);
    QCOMPARE(model.serverCount(), 4);
    QCOMPARE(model.healthyCount(), 2);
    QCOMPARE(model.unhealthyCount(), 1);
    QCOMPARE(model.index(0, HealthTreeModel::StateColumn).data().toString(),
             QStringLiteral("Unhealthy"));
    QVERIFY(model.serverState(QStringLiteral("pool1"), QStringLiteral("10.0.1.4"))
            == HealthState::Healthy);
    QVERIFY(model.serverState(QStringLiteral("pool1"), QStringLiteral("10.0.1.5"))
            == HealthState::Unhealthy);
    QVERIFY(model.serverState(QStringLiteral("pool2"), QStringLiteral("app"))
            == HealthState::Unknown);
}

void tst_HealthTreeModel::updatesInPlace()
{
    HealthTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.updateServer(server(QStringLiteral("p"), QStringLiteral("s"), QStringLiteral("a"),
                              HealthState::Unknown));
    model.updateServer(server(QStringLiteral("p"), QStringLiteral("s"), QStringLiteral("b"),
                              HealthState::Healthy));
    QCOMPARE(model.serverCount(), 2);
    model.updateServer(server(QStringLiteral("p"), QStringLiteral("s"), QStringLiteral("a"),
                              HealthState::Unhealthy));
    QCOMPARE(model.serverCount(), 2);
    QCOMPARE(model.unhealthyCount(), 1);
    const ServerHealth *h = model.find(QStringLiteral("p"), QStringLiteral("s"),
                                       QStringLiteral("a"));
    QVERIFY(h);
    QVERIFY(h->state == HealthState::Unhealthy);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void tst_HealthTreeModel::columns()
{
    HealthTreeModel model;
    model.updateServer(server(QStringLiteral("p"), QStringLiteral("s"), QStringLiteral("10.0.1.5"),
                              HealthState::Unhealthy));
    const QModelIndex srv = model.index(0, 0, model.index(0, 0, model.index(0, 0)));
    QCOMPARE(srv.data().toString(), QStringLiteral("10.0.1.5 → 127.0.0.1:9001"));
    QCOMPARE(srv.siblingAtColumn(HealthTreeModel::StatusColumn).data().toString(),
             QStringLiteral("404"));
    QCOMPARE(srv.siblingAtColumn(HealthTreeModel::LatencyColumn).data().toString(),
             QStringLiteral("3 ms"));
    QVERIFY(srv.siblingAtColumn(HealthTreeModel::DetailColumn)
                .data()
                .toString()
                .startsWith(QStringLiteral("Status code of the backend")));
    QCOMPARE(srv.siblingAtColumn(HealthTreeModel::HistoryColumn)
                 .data(HealthTreeModel::HistoryRole)
                 .toList()
                 .size(),
             5);
    QCOMPARE(srv.data(HealthTreeModel::PoolRole).toString(), QStringLiteral("p"));
    QCOMPARE(srv.data(HealthTreeModel::SettingRole).toString(), QStringLiteral("s"));
    QCOMPARE(srv.data(HealthTreeModel::ServerRole).toString(), QStringLiteral("10.0.1.5"));
}

namespace {
// The server row of (pool, setting, server), invalid when there is none.
QModelIndex serverRow(const HealthTreeModel &model, const QString &pool, const QString &setting,
                      const QString &address)
{
    for (int p = 0; p < model.rowCount(); ++p) {
        const QModelIndex pi = model.index(p, 0);
        if (pi.data().toString() != pool)
            continue;
        for (int s = 0; s < model.rowCount(pi); ++s) {
            const QModelIndex si = model.index(s, 0, pi);
            if (si.data().toString() != setting)
                continue;
            for (int v = 0; v < model.rowCount(si); ++v) {
                const QModelIndex vi = model.index(v, 0, si);
                if (vi.data(HealthTreeModel::ServerRole).toString() == address)
                    return vi;
            }
        }
    }
    return {};
}
} // namespace

void tst_HealthTreeModel::drainingCountdown_data()
{
    QTest::addColumn<QString>("server"); // the draining server
    QTest::addColumn<bool>("member");    // still in the tree from health (else a removed one)
    QTest::addColumn<int>("timeoutSec"); // drain timeout
    QTest::addColumn<QString>("normal"); // its state text once the drain is over ("" = no row)

    QTest::newRow("removed server, 10 s") << "10.0.1.6" << false << 10 << "";
    QTest::newRow("removed server, Azure's 30 s") << "10.0.1.6" << false << 30 << "";
    QTest::newRow("server still listed by health") << "10.0.1.5" << true << 10 << "Healthy";
}

void tst_HealthTreeModel::drainingCountdown()
{
    QFETCH(QString, server);
    QFETCH(bool, member);
    QFETCH(int, timeoutSec);
    QFETCH(QString, normal);

    HealthTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Gateway::Net::ManualClock clock;
    model.setClock(&clock);
    const QString pool = QStringLiteral("pool1"), setting = QStringLiteral("s1");
    const QList<ServerHealth> health = {
        ::server(pool, setting, QStringLiteral("10.0.1.4"), HealthState::Healthy),
        ::server(pool, setting, QStringLiteral("10.0.1.5"), HealthState::Healthy)};
    model.setServers(health);
    QVERIFY(!model.isCountingDown()); // nothing drains: no timer runs
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.setDraining({{pool, setting, server, true, timeoutSec,
                        clock.nowMs() + timeoutSec * 1000}});
    QVERIFY(model.isCountingDown());
    QModelIndex row = serverRow(model, pool, setting, server);
    QVERIFY(row.isValid());
    const auto stateText = [&] {
        return serverRow(model, pool, setting, server)
            .siblingAtColumn(HealthTreeModel::StateColumn)
            .data()
            .toString();
    };
    QCOMPARE(stateText(), QStringLiteral("Draining (%1s)").arg(timeoutSec));
    // A removed server is no member: counts and the pool's aggregate state stay as they were.
    QCOMPARE(model.serverCount(), 2);
    QCOMPARE(model.healthyCount(), 2);
    QCOMPARE(model.index(0, HealthTreeModel::StateColumn).data().toString(),
             QStringLiteral("Healthy"));

    // The countdown: each tick (the 1 s timer, or the clock's advance) shows the seconds left.
    changed.clear();
    clock.advance(3'000);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(stateText(), QStringLiteral("Draining (%1s)").arg(timeoutSec - 3));
    QCOMPARE(serverRow(model, pool, setting, server).data(HealthTreeModel::DrainLeftSecRole).toInt(),
             timeoutSec - 3);
    // A full replace from health (what Apply does) keeps the draining row.
    model.setServers(health);
    QCOMPARE(stateText(), QStringLiteral("Draining (%1s)").arg(timeoutSec - 3));

    // At the deadline the row goes back to normal, or goes away, and the timer stops.
    clock.advance((timeoutSec - 3) * 1'000);
    QVERIFY(!model.isCountingDown());
    row = serverRow(model, pool, setting, server);
    QCOMPARE(row.isValid(), member);
    if (member)
        QCOMPARE(stateText(), normal);
    QCOMPARE(model.serverCount(), 2);
}

void tst_HealthTreeModel::followsGatewayDraining()
{
    // A running gateway on loopback (no traffic): the edit removes 10.0.0.1; the model follows
    // Gateway::drainingChanged and the gateway's clock.
    const auto document = Gateway::Config::ConfigDocument::fromJson(
        TestSupport::gatewayTemplate({9, 9}, 20,
                                     QStringLiteral(", \"connectionDraining\": {\"enabled\": true, "
                                                    "\"drainTimeoutInSec\": 15}")));
    QVERIFY(document.isLoaded());
    Gateway::Net::ManualClock clock;
    Gateway::Proxy::GatewayOptions options;
    options.clock = &clock;
    options.healthProbes = false;
    Gateway::Proxy::Gateway gateway(options);
    QString error;
    QVERIFY2(gateway.start(document.model(), &error), qPrintable(error));
    HealthTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.followDraining(&gateway);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.isCountingDown());

    Gateway::Config::GatewayConfig edited = document.model();
    edited.backendAddressPools[0].backendAddresses.removeFirst();
    QVERIFY2(gateway.apply(edited, &error), qPrintable(error));
    const QModelIndex row = serverRow(model, QStringLiteral("pool"), QStringLiteral("setting"),
                                      QStringLiteral("10.0.0.1"));
    QVERIFY(row.isValid());
    QCOMPARE(row.siblingAtColumn(HealthTreeModel::StateColumn).data().toString(),
             QStringLiteral("Draining (15s)"));
    QVERIFY(model.isCountingDown());
    clock.advance(5'000);
    QCOMPARE(row.siblingAtColumn(HealthTreeModel::StateColumn).data().toString(),
             QStringLiteral("Draining (10s)"));
    clock.advance(10'000);
    QTRY_COMPARE(model.rowCount(), 0);
    QVERIFY(!model.isCountingDown());
    gateway.stopNow();
}

QTEST_MAIN(tst_HealthTreeModel)
#include "tst_healthtreemodel.moc"
