#include "sessiondelegate.h"
#include "sessionsortmodel.h"
#include "sessiontablemodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace Gateway::Ui;
using Gateway::Session::SessionSnapshot;
using Gateway::Session::SessionState;

namespace {
constexpr qint64 Now = 1'700'000'000'000;

SessionSnapshot session(quint64 id, const QString &listener = QStringLiteral("listener1"))
{
    SessionSnapshot s;
    s.id = id;
    s.listener = listener;
    s.rule = QStringLiteral("rule1");
    s.pool = QStringLiteral("pool1");
    s.setting = QStringLiteral("setting1");
    s.server = QStringLiteral("10.0.1.4");
    s.serverEndpoint = QStringLiteral("127.0.0.1:9001");
    s.clientAddress = QStringLiteral("127.0.0.1:%1").arg(40000 + id);
    s.state = SessionState::Upgraded;
    s.webSocket = true;
    s.startMs = Now - 5000;
    s.lastActivityMs = Now - 1000;
    s.timeoutMs = 20000;
    s.timeoutDeadlineMs = Now + 10000;
    return s;
}
QList<SessionSnapshot> sessions(quint64 first, int n)
{
    QList<SessionSnapshot> list;
    for (int i = 0; i < n; ++i)
        list.append(session(first + quint64(i)));
    return list;
}
} // namespace

class tst_SessionTableModel : public QObject
{
    Q_OBJECT
private slots:
    void batchedInsertIsOneInsertPerTurn();
    void updatesAndRemovals();
    void updateOfPendingRowIsKept();
    void formatting_data();
    void formatting();
    void countdownColours();
    void drainCountdown_data();
    void drainCountdown();
    void pauseHoldsChanges();
    void sortAndFilter();
    void tenThousandRows();
};

void tst_SessionTableModel::batchedInsertIsOneInsertPerTurn()
{
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addSessions(sessions(1, 3));
    model.addSessions(sessions(4, 2));
    QCOMPARE(model.rowCount(), 0); // queued until the event loop turns
    QCOMPARE(model.pendingCount(), 5);
    QTRY_COMPARE(model.rowCount(), 5);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 4);
    QCOMPARE(model.rowOf(4), 3);
    QCOMPARE(model.openCount(), 5);
}

void tst_SessionTableModel::updatesAndRemovals()
{
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addSessions(sessions(1, 10));
    model.flushPending();
    QCOMPARE(model.rowCount(), 10);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    SessionSnapshot s = session(3);
    s.bytesIn = 1234;
    s.state = SessionState::Closed;
    s.closeReason = QStringLiteral("requestTimeout");
    s.closeCode = 1006;
    s.closedBy = QStringLiteral("gateway");
    model.updateSessions({s, session(999)}); // unknown id is ignored
    QCOMPARE(changed.count(), 1);            // one row, per-row signal
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 2);
    QCOMPARE(model.session(2).bytesIn, 1234);
    QCOMPARE(model.openCount(), 9);

    // more than half the rows: one whole-range signal
    changed.clear();
    QList<SessionSnapshot> eight = sessions(1, 8);
    for (SessionSnapshot &x : eight)
        x.bytesOut = 5;
    model.updateSessions(eight);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 0);
    // Only the columns that changed: a proxy sorted by id does not re-sort.
    QCOMPARE(changed.at(0).at(0).toModelIndex().column(), int(SessionTableModel::StateColumn));
    QCOMPARE(changed.at(0).at(1).toModelIndex().column(), int(SessionTableModel::TimeoutLeftColumn));

    // Adjacent rows merge into one signal; an unchanged snapshot emits nothing.
    changed.clear();
    QList<SessionSnapshot> two = {eight.at(4), eight.at(5)};
    two[0].framesIn = 9;
    two[1].framesIn = 9;
    model.updateSessions(two);
    model.updateSessions({eight.at(0)});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 4);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 5);
    QCOMPARE(changed.at(0).at(0).toModelIndex().column(), int(SessionTableModel::FramesInColumn));
    QCOMPARE(model.openCount(), 10);

    // scattered removals in ranges, index stays consistent
    model.removeSessions({2, 3, 7, 10, 12345});
    QCOMPARE(model.rowCount(), 6);
    for (int r = 0; r < model.rowCount(); ++r)
        QCOMPARE(model.rowOf(model.session(r).id), r);
    QCOMPARE(model.rowOf(3), -1);
    QCOMPARE(model.openCount(), 6);
}

void tst_SessionTableModel::updateOfPendingRowIsKept()
{
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addSessions({session(1), session(2)});
    SessionSnapshot s = session(1);
    s.framesIn = 42;
    model.updateSessions({s});
    model.removeSessions({2});
    QTRY_COMPARE(model.rowCount(), 1);
    QCOMPARE(model.session(0).framesIn, 42);
}

void tst_SessionTableModel::formatting_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("expected");
    QTest::newRow("id") << int(SessionTableModel::IdColumn) << QStringLiteral("7");
    QTest::newRow("server with map")
        << int(SessionTableModel::ServerColumn) << QStringLiteral("10.0.1.4 → 127.0.0.1:9001");
    QTest::newRow("state") << int(SessionTableModel::StateColumn) << QStringLiteral("WebSocket");
    QTest::newRow("age") << int(SessionTableModel::AgeColumn) << QStringLiteral("5 s");
    QTest::newRow("bytes") << int(SessionTableModel::BytesInColumn) << QStringLiteral("2.0 KiB");
    QTest::newRow("timeout left") << int(SessionTableModel::TimeoutLeftColumn)
                                  << QStringLiteral("10 s");
}

void tst_SessionTableModel::formatting()
{
    QFETCH(int, column);
    QFETCH(QString, expected);
    SessionTableModel model;
    model.setNow([] { return Now; });
    SessionSnapshot s = session(7);
    s.bytesIn = 2048;
    model.addSessions({s});
    model.flushPending();
    QCOMPARE(model.index(0, column).data().toString(), expected);
}

void tst_SessionTableModel::countdownColours()
{
    SessionTableModel model;
    qint64 now = Now;
    model.setNow([&now] { return now; });
    SessionSnapshot s = session(1); // 10 s of 20 s left
    s.heartbeatWarning = true;
    s.heartbeatIntervalMs = 18000;
    model.addSessions({s});
    model.flushPending();
    const QModelIndex idx = model.index(0, SessionTableModel::TimeoutLeftColumn);
    QCOMPARE(idx.data(SessionTableModel::TimeoutFractionRole).toDouble(), 0.5);
    QCOMPARE(SessionDelegate::barColor(0.5), QColor(0x2e, 0x9e, 0x4f));
    now += 2000; // 8 s of 20: amber
    QCOMPARE(SessionDelegate::barColor(idx.data(SessionTableModel::TimeoutFractionRole).toDouble()),
             QColor(0xe0, 0x8e, 0x0b));
    now += 5000; // 3 s of 20: red
    QCOMPARE(SessionDelegate::barColor(idx.data(SessionTableModel::TimeoutFractionRole).toDouble()),
             QColor(0xd0, 0x3b, 0x2f));
    // heartbeat warning: icon + tooltip
    const QModelIndex id = model.index(0, SessionTableModel::IdColumn);
    QVERIFY(id.data(SessionTableModel::HeartbeatWarningRole).toBool());
    QCOMPARE(
        id.data(Qt::ToolTipRole).toString(),
        QStringLiteral("observed ping interval 18s is within 80 % of the 20 s request timeout"));
    // closed by timeout
    s.state = SessionState::Closed;
    s.closeReason = QStringLiteral("requestTimeout");
    s.endMs = Now + 10000;
    s.lastActivityMs = Now - 10000;
    model.updateSessions({s});
    QVERIFY(idx.data(SessionTableModel::ClosedByTimeoutRole).toBool());
    QCOMPARE(idx.data().toString(), QStringLiteral("timed out"));
    QVERIFY(id.data(Qt::ToolTipRole).toString().contains(QStringLiteral("idle for 20 s")));
    QVERIFY(id.data(Qt::ToolTipRole).toString().contains(QStringLiteral("1006")));
}

void tst_SessionTableModel::drainCountdown_data()
{
    QTest::addColumn<bool>("webSocket");
    QTest::addColumn<qint64>("drainInMs"); // deadline - now; 0: the session's server does not drain
    QTest::addColumn<bool>("closed");
    QTest::addColumn<QString>("expected"); // StateColumn text

    QTest::newRow("websocket, 12 s left")
        << true << qint64(12'000) << false << "WebSocket · draining (12s)";
    QTest::newRow("websocket, 0.4 s left rounds up")
        << true << qint64(400) << false << "WebSocket · draining (1s)";
    QTest::newRow("not draining") << true << qint64(0) << false << "WebSocket";
    QTest::newRow("closed: no countdown")
        << true << qint64(5'000) << true << "Closed by gateway (1006)";
}

void tst_SessionTableModel::drainCountdown()
{
    QFETCH(bool, webSocket);
    QFETCH(qint64, drainInMs);
    QFETCH(bool, closed);
    QFETCH(QString, expected);
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    qint64 now = Now;
    model.setNow([&now] { return now; });
    SessionSnapshot s = session(3);
    s.webSocket = webSocket;
    s.drainDeadlineMs = drainInMs > 0 ? Now + drainInMs : 0;
    if (closed) {
        s.state = SessionState::Closed;
        s.closedBy = QStringLiteral("gateway");
        s.closeReason = QStringLiteral("draining");
        s.closeCode = 1006;
        s.endMs = Now;
    }
    model.addSessions({s});
    model.flushPending();
    const QModelIndex state = model.index(0, SessionTableModel::StateColumn);
    QCOMPARE(state.data().toString(), expected);
    QCOMPARE(state.data(Qt::ToolTipRole).toString().contains(QStringLiteral("drain")),
             drainInMs > 0 && !closed);
    if (drainInMs > 2'000 && !closed) { // the text counts down with the clock
        now += 2'000;
        QCOMPARE(state.data().toString(),
                 QStringLiteral("WebSocket · draining (%1s)").arg((drainInMs - 2'000 + 999) / 1000));
    }
}

void tst_SessionTableModel::pauseHoldsChanges()
{
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addSessions(sessions(1, 3));
    model.flushPending();
    model.setPaused(true);
    SessionSnapshot s = session(1);
    s.bytesOut = 77;
    model.updateSessions({s});
    model.addSessions({session(4)});
    model.removeSessions({2});
    QTest::qWait(0);
    QCoreApplication::processEvents();
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.session(0).bytesOut, 0);
    model.setPaused(false);
    QCOMPARE(model.rowCount(), 3); // +4 -2
    QCOMPARE(model.session(0).bytesOut, 77);
    QCOMPARE(model.rowOf(2), -1);
    QVERIFY(model.rowOf(4) >= 0);
}

void tst_SessionTableModel::sortAndFilter()
{
    SessionTableModel model;
    SessionSortModel sort;
    sort.setSessionModel(&model);
    QAbstractItemModelTester tester(&sort, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<SessionSnapshot> list = sessions(1, 6);
    list[0].listener = QStringLiteral("other");
    list[1].webSocket = false;
    list[1].state = SessionState::Streaming;
    list[2].state = SessionState::Closed;
    list[2].closeReason = QStringLiteral("requestTimeout");
    list[3].bytesIn = 500;
    list[4].bytesIn = 100;
    list[5].path = QStringLiteral("/chat/room42");
    model.addSessions(list);
    model.flushPending();
    sort.sort(SessionTableModel::BytesInColumn, Qt::DescendingOrder);
    QCOMPARE(sort.index(0, 0).data().toString(), QStringLiteral("4"));
    sort.setListener(QStringLiteral("other"));
    QCOMPARE(sort.rowCount(), 1);
    sort.setListener({});
    sort.setStateFilter(SessionSortModel::StateFilter::ClosedByTimeout);
    QCOMPARE(sort.rowCount(), 1);
    QCOMPARE(sort.index(0, 0).data().toString(), QStringLiteral("3"));
    sort.setStateFilter(SessionSortModel::StateFilter::Http);
    QCOMPARE(sort.rowCount(), 1);
    sort.setStateFilter(SessionSortModel::StateFilter::Open);
    QCOMPARE(sort.rowCount(), 5);
    sort.setStateFilter(SessionSortModel::StateFilter::All);
    sort.setText(QStringLiteral("room42"));
    QCOMPARE(sort.rowCount(), 1);
    sort.setText({});
    // live insert keeps order and filters
    SessionSnapshot big = session(100);
    big.bytesIn = 10'000;
    model.addSessions({big});
    model.flushPending();
    QCOMPARE(sort.rowCount(), 7);
    QCOMPARE(sort.index(0, 0).data().toString(), QStringLiteral("100"));
}

void tst_SessionTableModel::tenThousandRows()
{
    SessionTableModel model;
    SessionSortModel sort;
    sort.setSessionModel(&model);
    sort.sort(SessionTableModel::IdColumn, Qt::DescendingOrder);
    // No QAbstractItemModelTester here: it costs O(rows) per signal and would measure itself.
    // The contract is checked with the tester in the tests above.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    // 10,000 sessions arriving in 40 registry batches of 250
    QElapsedTimer timer;
    timer.start();
    for (int b = 0; b < 40; ++b)
        model.addSessions(sessions(quint64(b) * 250 + 1, 250));
    QTRY_COMPARE(model.rowCount(), 10000);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(sort.rowCount(), 10000);
    const qint64 insertMs = timer.elapsed();
    // updates for a quarter of the rows, then for all rows
    QList<SessionSnapshot> quarter;
    for (int i = 0; i < 2500; ++i) {
        SessionSnapshot s = session(quint64(i) * 4 + 1);
        s.bytesIn = i;
        quarter.append(s);
    }
    timer.restart();
    model.updateSessions(quarter);
    const qint64 quarterMs = timer.elapsed();
    QList<SessionSnapshot> all = sessions(1, 10000);
    for (auto &s : all)
        s.framesOut = 3;
    timer.restart();
    model.updateSessions(all);
    const qint64 allMs = timer.elapsed();
    QCOMPARE(model.session(9999).framesOut, 3);
    QCOMPARE(sort.index(0, 0).data().toString(), QStringLiteral("10000"));
    qInfo("10,000 rows: insert %lld ms, 2,500 updates %lld ms, 10,000 updates %lld ms", insertMs,
          quarterMs, allMs);
    // Generous bounds for a loaded CI machine; the point is no per-row model churn.
    QVERIFY2(allMs < 1000, qPrintable(QString::number(allMs)));
    QVERIFY2(quarterMs < 1000, qPrintable(QString::number(quarterMs)));
    // remove every other row
    QList<quint64> ids;
    for (quint64 id = 2; id <= 10000; id += 2)
        ids.append(id);
    model.removeSessions(ids);
    QCOMPARE(model.rowCount(), 5000);
    QCOMPARE(model.rowOf(9999), 4999);
}

QTEST_MAIN(tst_SessionTableModel)
#include "tst_sessiontablemodel.moc"
