#include "healthtreemodel.h"

#include <QAbstractItemModelTester>
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

QTEST_MAIN(tst_HealthTreeModel)
#include "tst_healthtreemodel.moc"
