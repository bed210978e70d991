#include "eventlogmodel.h"
#include "eventsortmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Gateway::Ui;
using Gateway::Events::GatewayEvent;

namespace {
GatewayEvent makeEvent(const QString &type, const QJsonObject &fields = {})
{
    return GatewayEvent{1'700'000'000'000, type, fields};
}
} // namespace

class tst_EventLogModel : public QObject
{
    Q_OBJECT
private slots:
    void ringIsBounded();
    void summaries_data();
    void summaries();
    void filters();
};

void tst_EventLogModel::ringIsBounded()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCapacity(100);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (int b = 0; b < 5; ++b) {
        QList<GatewayEvent> batch;
        for (int i = 0; i < 30; ++i)
            batch.append(makeEvent(QStringLiteral("access"),
                                   {{QStringLiteral("transactionId"), b * 30 + i}}));
        model.appendEvents(batch);
    }
    QCOMPARE(inserted.count(), 5);
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.event(0).fields.value(QStringLiteral("transactionId")).toInt(), 50);
    QCOMPARE(model.event(99).fields.value(QStringLiteral("transactionId")).toInt(), 149);
    QList<GatewayEvent> huge;
    for (int i = 0; i < 250; ++i)
        huge.append(makeEvent(QStringLiteral("probe")));
    model.appendEvents(huge);
    QCOMPARE(model.rowCount(), 100);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void tst_EventLogModel::summaries_data()
{
    QTest::addColumn<GatewayEvent>("e");
    QTest::addColumn<QString>("expected");
    QTest::newRow("access")
        << makeEvent(QStringLiteral("access"),
                     {{QStringLiteral("clientIP"), QStringLiteral("127.0.0.1")},
                      {QStringLiteral("clientPort"), 5555},
                      {QStringLiteral("httpMethod"), QStringLiteral("GET")},
                      {QStringLiteral("requestUri"), QStringLiteral("/chat")},
                      {QStringLiteral("httpStatus"), 101},
                      {QStringLiteral("timeTaken"), 0.002},
                      {QStringLiteral("listenerName"), QStringLiteral("l1")},
                      {QStringLiteral("ruleName"), QStringLiteral("r1")},
                      {QStringLiteral("serverRouted"), QStringLiteral("127.0.0.1:9001")}})
        << QStringLiteral("127.0.0.1:5555 GET /chat → 101 · 0.002 s · l1 / r1 → 127.0.0.1:9001");
    QTest::newRow("closed")
        << makeEvent(QStringLiteral("session.closed"),
                     {{QStringLiteral("sessionId"), 4},
                      {QStringLiteral("closedBy"), QStringLiteral("gateway")},
                      {QStringLiteral("reason"), QStringLiteral("requestTimeout")},
                      {QStringLiteral("closeCode"), 1006},
                      {QStringLiteral("durationMs"), 20000}})
        << QStringLiteral(
               "session 4 closed by gateway (requestTimeout), client saw 1006, after 20000 ms");
    QTest::newRow("config warning") << makeEvent(QStringLiteral("config.warning"),
                                                 {{QStringLiteral("path"), QStringLiteral("a.b")},
                                                  {QStringLiteral("message"), QStringLiteral("m")}})
                                    << QStringLiteral("a.b: m");
}

void tst_EventLogModel::summaries()
{
    QFETCH(GatewayEvent, e);
    QFETCH(QString, expected);
    QCOMPARE(EventLogModel::summary(e), expected);
}

void tst_EventLogModel::filters()
{
    EventLogModel model;
    EventSortModel sort;
    sort.setEventModel(&model);
    QAbstractItemModelTester tester(&sort, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvents({makeEvent(QStringLiteral("access"),
                                  {{QStringLiteral("requestUri"), QStringLiteral("/api")}}),
                        makeEvent(QStringLiteral("session.upgraded")),
                        makeEvent(QStringLiteral("session.closed")),
                        makeEvent(QStringLiteral("probe")),
                        makeEvent(QStringLiteral("backend.health")),
                        makeEvent(QStringLiteral("config.warning"))});
    sort.setTypePrefix(QStringLiteral("session."));
    QCOMPARE(sort.rowCount(), 2);
    sort.setTypePrefix(QStringLiteral("probe|backend.health"));
    QCOMPARE(sort.rowCount(), 2);
    sort.setTypePrefix({});
    sort.setText(QStringLiteral("/api"));
    QCOMPARE(sort.rowCount(), 1);
    model.appendEvents({makeEvent(QStringLiteral("access"),
                                  {{QStringLiteral("requestUri"), QStringLiteral("/api/2")}})});
    QCOMPARE(sort.rowCount(), 2);
}

QTEST_MAIN(tst_EventLogModel)
#include "tst_eventlogmodel.moc"
