// The heartbeat tracker: observed ping interval and the 80 % timeout warning.

#include "session/heartbeattracker.h"

#include <QtTest>

using namespace Gateway::Session;

namespace {

FrameRecord frameAt(qint64 timeMs, Opcode opcode, Direction dir = Direction::ClientToBackend)
{
    FrameRecord f;
    f.timeMs = timeMs;
    f.opcode = quint8(opcode);
    f.direction = dir;
    return f;
}

} // namespace

class tst_Heartbeat : public QObject
{
    Q_OBJECT

private slots:
    void interval_data();
    void interval();
    void warningThreshold_data();
    void warningThreshold();
    void pongsAnsweringPingsDoNotCount();
    void unsolicitedPongs();
    void dataFramesAreActivityOnly();
    void invalidFramesIgnored();
    void windowFollowsChange();
    void reset();
};

void tst_Heartbeat::interval_data()
{
    QTest::addColumn<QList<qint64>>("pings");
    QTest::addColumn<qint64>("expected");

    QTest::newRow("none") << QList<qint64>{} << qint64(0);
    QTest::newRow("one ping") << QList<qint64>{1000} << qint64(0);
    QTest::newRow("two pings") << QList<qint64>{1000, 6000} << qint64(5000);
    QTest::newRow("steady 25 s") << QList<qint64>{0, 25000, 50000, 75000} << qint64(25000);
    QTest::newRow("median ignores one outlier")
        << QList<qint64>{0, 5000, 10000, 60000, 65000, 70000} << qint64(5000);
    QTest::newRow("even count averages the middle two")
        << QList<qint64>{0, 4000, 10000} << qint64(5000);
    QTest::newRow("out of order time ignored")
        << QList<qint64>{10000, 5000, 15000} << qint64(10000);
}

void tst_Heartbeat::interval()
{
    QFETCH(QList<qint64>, pings);
    QFETCH(qint64, expected);
    HeartbeatTracker t;
    for (qint64 ms : pings)
        t.addPing(ms);
    QCOMPARE(t.intervalMs(), expected);
    QCOMPARE(t.pingCount(), pings.size());
}

void tst_Heartbeat::warningThreshold_data()
{
    QTest::addColumn<qint64>("interval");
    QTest::addColumn<qint64>("timeout");
    QTest::addColumn<bool>("warning");

    QTest::newRow("unknown interval") << qint64(0) << qint64(20000) << false;
    QTest::newRow("no timeout") << qint64(25000) << qint64(0) << false;
    QTest::newRow("5 s vs 20 s") << qint64(5000) << qint64(20000) << false;
    QTest::newRow("15.999 s vs 20 s") << qint64(15999) << qint64(20000) << false;
    QTest::newRow("exactly 80 %") << qint64(16000) << qint64(20000) << true;
    QTest::newRow("20 s vs 20 s") << qint64(20000) << qint64(20000) << true;
    QTest::newRow("25 s vs 20 s (the demo's 1006)") << qint64(25000) << qint64(20000) << true;
    QTest::newRow("20 s vs 40 s (Azure's advice)") << qint64(20000) << qint64(40000) << false;
}

void tst_Heartbeat::warningThreshold()
{
    QFETCH(qint64, interval);
    QFETCH(qint64, timeout);
    QFETCH(bool, warning);
    QCOMPARE(HeartbeatTracker::isWarning(interval, timeout), warning);

    // The same through fed frames.
    HeartbeatTracker t;
    if (interval > 0) {
        t.addFrame(frameAt(1000, Opcode::Ping));
        t.addFrame(frameAt(1000 + interval, Opcode::Ping, Direction::BackendToClient));
    }
    QCOMPARE(t.intervalMs(), interval);
    QCOMPARE(t.isWarning(timeout), warning);
}

void tst_Heartbeat::pongsAnsweringPingsDoNotCount()
{
    HeartbeatTracker t;
    for (qint64 ms = 0; ms <= 50000; ms += 25000) {
        t.addFrame(frameAt(ms, Opcode::Ping, Direction::ClientToBackend));
        t.addFrame(frameAt(ms + 3, Opcode::Pong, Direction::BackendToClient));
    }
    QCOMPARE(t.intervalMs(), 25000);
    QCOMPARE(t.lastPingMs(), 50000);
    QCOMPARE(t.lastPongMs(), 50003);
    QVERIFY(t.isWarning(20000));
}

void tst_Heartbeat::unsolicitedPongs()
{
    HeartbeatTracker t;
    t.addFrame(frameAt(0, Opcode::Pong));
    t.addFrame(frameAt(30000, Opcode::Pong));
    QCOMPARE(t.intervalMs(), 30000);
    QVERIFY(t.isWarning(30000));
    QVERIFY(!t.isWarning(60000));
}

void tst_Heartbeat::dataFramesAreActivityOnly()
{
    HeartbeatTracker t;
    t.addFrame(frameAt(100, Opcode::Text));
    t.addFrame(frameAt(200, Opcode::Binary));
    t.addFrame(frameAt(300, Opcode::Continuation));
    t.addFrame(frameAt(400, Opcode::Close));
    QCOMPARE(t.intervalMs(), 0);
    QCOMPARE(t.pingCount(), 0);
    QCOMPARE(t.lastActivityMs(), 400);
    QVERIFY(!t.isWarning(1));
}

void tst_Heartbeat::invalidFramesIgnored()
{
    HeartbeatTracker t;
    t.addFrame(frameAt(0, Opcode::Ping));
    FrameRecord bad = frameAt(10, Opcode::Ping);
    bad.invalidReason = QStringLiteral("fragmented control frame");
    t.addFrame(bad);
    t.addFrame(frameAt(5000, Opcode::Ping));
    QCOMPARE(t.intervalMs(), 5000);
}

void tst_Heartbeat::windowFollowsChange()
{
    HeartbeatTracker t(3);
    qint64 now = 0;
    for (int i = 0; i < 5; ++i)
        t.addPing(now += 5000);
    QCOMPARE(t.intervalMs(), 5000);
    for (int i = 0; i < 3; ++i)
        t.addPing(now += 25000);
    QCOMPARE(t.intervalMs(), 25000); // the small window forgets the old rhythm
}

void tst_Heartbeat::reset()
{
    HeartbeatTracker t;
    t.addPing(0);
    t.addPing(1000);
    QVERIFY(t.intervalMs() > 0);
    t.reset();
    QCOMPARE(t.intervalMs(), 0);
    QCOMPARE(t.pingCount(), 0);
    QCOMPARE(t.lastPingMs(), 0);
}

QTEST_GUILESS_MAIN(tst_Heartbeat)
#include "tst_heartbeat.moc"
