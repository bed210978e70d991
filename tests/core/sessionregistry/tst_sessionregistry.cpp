// The session registry: batched merge, bounded frames, bounded closed retention, signals.

#include "session/sessionregistry.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>

using namespace Gateway::Session;

namespace {

SessionSnapshot snap(SessionId id, SessionState state = SessionState::Upgraded, qint64 bytesIn = 0)
{
    SessionSnapshot s;
    s.id = id;
    s.state = state;
    s.bytesIn = bytesIn;
    s.listener = QStringLiteral("listener1");
    s.webSocket = true;
    return s;
}

SessionClosed closed(SessionId id, int code = 1006, QList<FrameRecord> last = {})
{
    SessionClosed c;
    c.snapshot = snap(id, SessionState::Closing);
    c.snapshot.closeCode = code;
    c.snapshot.closedBy = QStringLiteral("gateway");
    c.snapshot.closeReason = QStringLiteral("requestTimeout");
    c.lastFrames = std::move(last);
    return c;
}

FrameRecord fr(qint64 t, quint8 opcode = 0x1)
{
    FrameRecord f;
    f.timeMs = t;
    f.opcode = opcode;
    f.payloadLength = quint64(t);
    f.preview = QByteArray::number(t);
    return f;
}

QList<FrameRecord> frs(qint64 from, qint64 to)
{
    QList<FrameRecord> out;
    for (qint64 t = from; t <= to; ++t)
        out.append(fr(t));
    return out;
}

QList<qint64> times(const QList<FrameRecord> &frames)
{
    QList<qint64> out;
    for (const FrameRecord &f : frames)
        out.append(f.timeMs);
    return out;
}

QList<SessionId> ids(const QList<SessionSnapshot> &list)
{
    QList<SessionId> out;
    for (const SessionSnapshot &s : list)
        out.append(s.id);
    return out;
}

// Lives on a worker thread and publishes batches the way a proxy worker does.
class Publisher : public QObject
{
    Q_OBJECT
public:
    void publish(const SessionBatch &batch) { emit batchReady(batch); }
signals:
    void batchReady(const Gateway::Session::SessionBatch &batch);
};

} // namespace

class tst_SessionRegistry : public QObject
{
    Q_OBJECT

private slots:
    void openedAreAddedInOneSignal();
    void updatesAreBatched();
    void closedAreUpdatedAndCounted();
    void openedAndClosedInOneBatch();
    void updateAfterCloseIgnored();
    void unknownUpdateIsAdded();
    void framesAreBounded();
    void framesForUnknownSessionIgnored();
    void lastFramesOverlapNotDuplicated();
    void closedRetention();
    void closedRetentionZero();
    void churnBatchAnnouncesOnlyWhatIsKept();
    void clearClosed();
    void emptyBatchEmitsNothing();
    void queuedFromWorkerThread();
};

void tst_SessionRegistry::openedAreAddedInOneSignal()
{
    SessionRegistry r;
    QSignalSpy added(&r, &SessionRegistry::sessionsAdded);
    QSignalSpy updated(&r, &SessionRegistry::sessionsUpdated);
    SessionBatch b;
    b.opened = {snap(1), snap(2), snap(3, SessionState::ReadingRequest)};
    r.applyBatch(b);
    QCOMPARE(added.count(), 1);
    QCOMPARE(ids(added.first().first().value<QList<SessionSnapshot>>()),
             (QList<SessionId>{1, 2, 3}));
    QCOMPARE(updated.count(), 0);
    QCOMPARE(r.openCount(), 3);
    QVERIFY(r.contains(2));
    QCOMPARE(toString(r.session(3).state), toString(SessionState::ReadingRequest));
    QCOMPARE(ids(r.sessions()), (QList<SessionId>{1, 2, 3}));
}

void tst_SessionRegistry::updatesAreBatched()
{
    SessionRegistry r;
    SessionBatch b;
    b.opened = {snap(1), snap(2), snap(3)};
    r.applyBatch(b);
    QSignalSpy added(&r, &SessionRegistry::sessionsAdded);
    QSignalSpy updated(&r, &SessionRegistry::sessionsUpdated);
    SessionBatch u;
    u.updated = {snap(1, SessionState::Upgraded, 10), snap(3, SessionState::Upgraded, 30),
                 snap(1, SessionState::Upgraded, 11)};
    r.applyBatch(u);
    QCOMPARE(added.count(), 0);
    QCOMPARE(updated.count(), 1);
    const auto list = updated.first().first().value<QList<SessionSnapshot>>();
    QCOMPARE(ids(list), (QList<SessionId>{1, 3})); // one entry per session, latest wins
    QCOMPARE(list.first().bytesIn, 11);
    QCOMPARE(r.session(1).bytesIn, 11);
    QCOMPARE(r.session(3).bytesIn, 30);
    QCOMPARE(r.openCount(), 3);
}

void tst_SessionRegistry::closedAreUpdatedAndCounted()
{
    SessionRegistry r;
    SessionBatch b;
    b.opened = {snap(1), snap(2)};
    r.applyBatch(b);
    QSignalSpy updated(&r, &SessionRegistry::sessionsUpdated);
    QSignalSpy frames(&r, &SessionRegistry::framesAppended);
    SessionBatch c;
    c.updated = {snap(2, SessionState::Upgraded, 5)};
    c.closed = {closed(1, 1006, frs(1, 2))};
    r.applyBatch(c);
    QCOMPARE(updated.count(), 1);
    const auto list = updated.first().first().value<QList<SessionSnapshot>>();
    QCOMPARE(ids(list), (QList<SessionId>{2, 1}));
    QCOMPARE(toString(list.at(1).state),
             toString(SessionState::Closed)); // forced, whatever the worker sent
    QCOMPARE(r.session(1).closeCode, 1006);
    QCOMPARE(r.session(1).closedBy, QStringLiteral("gateway"));
    QCOMPARE(r.openCount(), 1);
    QCOMPARE(frames.count(), 1);
    QCOMPARE(frames.first().at(0).value<SessionId>(), SessionId(1));
    QCOMPARE(times(frames.first().at(1).value<QList<FrameRecord>>()), (QList<qint64>{1, 2}));
    QCOMPARE(times(r.frames(1)), (QList<qint64>{1, 2}));
    QCOMPARE(r.sessions().size(), 2); // closed ones are kept
}

void tst_SessionRegistry::openedAndClosedInOneBatch()
{
    SessionRegistry r;
    QSignalSpy added(&r, &SessionRegistry::sessionsAdded);
    QSignalSpy updated(&r, &SessionRegistry::sessionsUpdated);
    SessionBatch b;
    b.opened = {snap(7)};
    b.closed = {closed(7, 1000)};
    r.applyBatch(b);
    QCOMPARE(added.count(), 1);
    const auto list = added.first().first().value<QList<SessionSnapshot>>();
    QCOMPARE(list.size(), 1);
    QCOMPARE(toString(list.first().state), toString(SessionState::Closed));
    QCOMPARE(list.first().closeCode, 1000);
    QCOMPARE(updated.count(), 0);
    QCOMPARE(r.openCount(), 0);

    // A close for a session never announced (opened and closed between two ticks).
    SessionBatch late;
    late.closed = {closed(8)};
    r.applyBatch(late);
    QCOMPARE(added.count(), 2);
    QCOMPARE(r.openCount(), 0);
    QVERIFY(r.contains(8));
}

void tst_SessionRegistry::updateAfterCloseIgnored()
{
    SessionRegistry r;
    SessionBatch b;
    b.opened = {snap(1)};
    b.closed = {closed(1)};
    r.applyBatch(b);
    QSignalSpy updated(&r, &SessionRegistry::sessionsUpdated);
    SessionBatch u;
    u.updated = {snap(1, SessionState::Upgraded, 99)};
    u.closed = {closed(1, 1000)};
    r.applyBatch(u);
    QCOMPARE(updated.count(), 0);
    QCOMPARE(toString(r.session(1).state), toString(SessionState::Closed));
    QCOMPARE(r.session(1).closeCode, 1006);
    QCOMPARE(r.openCount(), 0);
}

void tst_SessionRegistry::unknownUpdateIsAdded()
{
    SessionRegistry r;
    QSignalSpy added(&r, &SessionRegistry::sessionsAdded);
    SessionBatch u;
    u.updated = {snap(5)};
    r.applyBatch(u);
    QCOMPARE(added.count(), 1);
    QCOMPARE(r.openCount(), 1);
}

void tst_SessionRegistry::framesAreBounded()
{
    SessionRegistry r;
    r.setFramesPerSession(5);
    SessionBatch b;
    b.opened = {snap(1), snap(2)};
    b.frames.insert(1, frs(1, 3));
    QSignalSpy frames(&r, &SessionRegistry::framesAppended);
    r.applyBatch(b);
    QCOMPARE(frames.count(), 1);
    QCOMPARE(times(r.frames(1)), (QList<qint64>{1, 2, 3}));

    SessionBatch more;
    more.frames.insert(1, frs(4, 7));
    more.frames.insert(2, frs(100, 120));
    r.applyBatch(more);
    QCOMPARE(frames.count(), 3); // one per session with new frames
    QCOMPARE(times(r.frames(1)), (QList<qint64>{3, 4, 5, 6, 7}));
    QCOMPARE(times(r.frames(2)), (QList<qint64>{116, 117, 118, 119, 120}));
    for (int i = 1; i < frames.count(); ++i) {
        const auto id = frames.at(i).at(0).value<SessionId>();
        const auto list = frames.at(i).at(1).value<QList<FrameRecord>>();
        if (id == 1)
            QCOMPARE(times(list), (QList<qint64>{4, 5, 6, 7}));
        else
            QCOMPARE(times(list), (QList<qint64>{116, 117, 118, 119, 120}));
    }
}

void tst_SessionRegistry::framesForUnknownSessionIgnored()
{
    SessionRegistry r;
    QSignalSpy frames(&r, &SessionRegistry::framesAppended);
    SessionBatch b;
    b.frames.insert(42, frs(1, 3));
    r.applyBatch(b);
    QCOMPARE(frames.count(), 0);
    QVERIFY(r.frames(42).isEmpty());
    QVERIFY(!r.contains(42));
}

void tst_SessionRegistry::lastFramesOverlapNotDuplicated()
{
    SessionRegistry r;
    SessionBatch b;
    b.opened = {snap(1)};
    b.frames.insert(1, frs(1, 4));
    r.applyBatch(b);
    QSignalSpy frames(&r, &SessionRegistry::framesAppended);
    SessionBatch c;
    c.closed = {closed(1, 1000, frs(3, 6))}; // 3 and 4 were already published
    r.applyBatch(c);
    QCOMPARE(times(r.frames(1)), (QList<qint64>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(frames.count(), 1);
    QCOMPARE(times(frames.first().at(1).value<QList<FrameRecord>>()), (QList<qint64>{5, 6}));
}

void tst_SessionRegistry::churnBatchAnnouncesOnlyWhatIsKept()
{
    // A worker under connection churn (short HTTP connections) sends thousands of sessions that
    // opened and closed since its last tick. Only the newest `retention` closed ones are kept and
    // announced, in order, with their frames; the rest are never announced.
    SessionRegistry r; // default retention: 1,000 closed sessions
    SessionBatch first;
    first.opened = {snap(1)}; // announced earlier: its removal must be announced
    r.applyBatch(first);
    QSignalSpy added(&r, &SessionRegistry::sessionsAdded);
    QSignalSpy changed(&r, &SessionRegistry::sessionsUpdated);
    QSignalSpy removed(&r, &SessionRegistry::sessionsRemoved);
    QSignalSpy frames(&r, &SessionRegistry::framesAppended);

    SessionBatch churn;
    churn.closed.append(closed(1));
    for (SessionId id = 2; id <= 5001; ++id) {
        churn.opened.append(snap(id, SessionState::ReadingRequest));
        churn.closed.append(closed(id, 1006, id % 1000 == 0 ? frs(id, id) : QList<FrameRecord>{}));
    }
    r.applyBatch(churn);

    QCOMPARE(added.count(), 1);
    const auto addedIds = ids(added.first().first().value<QList<SessionSnapshot>>());
    QCOMPARE(addedIds.size(), 1000);
    QCOMPARE(addedIds.first(), SessionId(4002));
    QCOMPARE(addedIds.last(), SessionId(5001));
    QVERIFY(std::is_sorted(addedIds.cbegin(), addedIds.cend()));
    QCOMPARE(changed.count(), 0); // session 1 closed and fell out in the same batch
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.first().first().value<QList<SessionId>>(), (QList<SessionId>{1}));
    QCOMPARE(frames.count(), 1); // only the kept session 5000 had frames
    QCOMPARE(frames.first().first().value<SessionId>(), SessionId(5000));
    QCOMPARE(r.sessions().size(), 1000);
    QCOMPARE(r.openCount(), 0);
}

void tst_SessionRegistry::closedRetention()
{
    SessionRegistry r;
    r.setClosedRetention(2);
    SessionBatch b;
    b.opened = {snap(1), snap(2), snap(3), snap(4)};
    b.frames.insert(1, frs(1, 2));
    r.applyBatch(b);
    QSignalSpy removed(&r, &SessionRegistry::sessionsRemoved);

    SessionBatch c1;
    c1.closed = {closed(1), closed(2)};
    r.applyBatch(c1);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(r.sessions().size(), 4);

    SessionBatch c2;
    c2.closed = {closed(3)};
    r.applyBatch(c2);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.first().first().value<QList<SessionId>>(), (QList<SessionId>{1}));
    QVERIFY(!r.contains(1));
    QVERIFY(r.frames(1).isEmpty());
    QCOMPARE(ids(r.sessions()), (QList<SessionId>{2, 3, 4}));
    QCOMPARE(r.openCount(), 1);

    SessionBatch c3;
    c3.opened = {snap(5)};
    c3.closed = {closed(4), closed(5)};
    r.applyBatch(c3);
    QCOMPARE(removed.count(), 2);
    // The two oldest closed (2, 3) go; 4 and 5, closed last, stay.
    QCOMPARE(removed.at(1).first().value<QList<SessionId>>(), (QList<SessionId>{2, 3}));
    QCOMPARE(ids(r.sessions()), (QList<SessionId>{4, 5}));
    QCOMPARE(r.openCount(), 0);
}

void tst_SessionRegistry::closedRetentionZero()
{
    SessionRegistry r;
    r.setClosedRetention(0);
    QSignalSpy added(&r, &SessionRegistry::sessionsAdded);
    QSignalSpy updated(&r, &SessionRegistry::sessionsUpdated);
    QSignalSpy removed(&r, &SessionRegistry::sessionsRemoved);
    SessionBatch b;
    b.opened = {snap(1), snap(2)};
    r.applyBatch(b);
    SessionBatch c;
    c.closed = {closed(1)};
    r.applyBatch(c);
    QCOMPARE(added.count(), 1);
    QCOMPARE(updated.count(), 0); // dropped at once: only the removal is announced
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.first().first().value<QList<SessionId>>(), (QList<SessionId>{1}));
    QCOMPARE(ids(r.sessions()), (QList<SessionId>{2}));
}

void tst_SessionRegistry::clearClosed()
{
    SessionRegistry r;
    SessionBatch b;
    b.opened = {snap(1), snap(2), snap(3)};
    b.closed = {closed(1), closed(3)};
    r.applyBatch(b);
    QSignalSpy removed(&r, &SessionRegistry::sessionsRemoved);
    r.clearClosed();
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.first().first().value<QList<SessionId>>(), (QList<SessionId>{1, 3}));
    QCOMPARE(ids(r.sessions()), (QList<SessionId>{2}));
    r.clearClosed();
    QCOMPARE(removed.count(), 1); // nothing left to remove: no signal
}

void tst_SessionRegistry::emptyBatchEmitsNothing()
{
    SessionRegistry r;
    QSignalSpy added(&r, &SessionRegistry::sessionsAdded);
    QSignalSpy updated(&r, &SessionRegistry::sessionsUpdated);
    QSignalSpy removed(&r, &SessionRegistry::sessionsRemoved);
    QSignalSpy frames(&r, &SessionRegistry::framesAppended);
    r.applyBatch(SessionBatch());
    QCOMPARE(added.count() + updated.count() + removed.count() + frames.count(), 0);
}

void tst_SessionRegistry::queuedFromWorkerThread()
{
    SessionRegistry r;
    QSignalSpy added(&r, &SessionRegistry::sessionsAdded);
    QSignalSpy frames(&r, &SessionRegistry::framesAppended);
    QThread worker;
    Publisher publisher;
    publisher.moveToThread(&worker);
    connect(&publisher, &Publisher::batchReady, &r, &SessionRegistry::applyBatch,
            Qt::QueuedConnection);
    worker.start();

    SessionBatch b;
    b.opened = {snap(11), snap(12)};
    b.frames.insert(11, frs(1, 3));
    QMetaObject::invokeMethod(
        &publisher, [&publisher, b] { publisher.publish(b); }, Qt::QueuedConnection);
    QTRY_COMPARE(added.count(), 1);
    QCOMPARE(frames.count(), 1);
    QCOMPARE(r.openCount(), 2);
    QCOMPARE(times(r.frames(11)), (QList<qint64>{1, 2, 3}));

    // The registry's own signals also cross threads (a view on another thread, or a queued
    // receiver): they need the registered list types.
    QObject receiver;
    QList<SessionId> got;
    QThread other;
    receiver.moveToThread(&other);
    other.start();
    connect(
        &r, &SessionRegistry::sessionsRemoved, &receiver,
        [&got](const QList<SessionId> &list) { got = list; }, Qt::QueuedConnection);
    r.clearClosed(); // nothing closed yet: no signal
    SessionBatch c;
    c.closed = {closed(11)};
    r.applyBatch(c);
    r.clearClosed();
    QTRY_COMPARE(got, (QList<SessionId>{11}));

    worker.quit();
    worker.wait();
    other.quit();
    other.wait();
}

QTEST_GUILESS_MAIN(tst_SessionRegistry)
#include "tst_sessionregistry.moc"
