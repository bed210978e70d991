#include "timeoutwarningsmodel.h"
#include "timeoutwarningswidget.h"
#include "uiformat.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <QTreeView>

using namespace Gateway::Ui;
using Gateway::Session::SessionSnapshot;
using Gateway::Session::SessionState;

namespace {
SessionSnapshot session(quint64 id)
{
    SessionSnapshot s;
    s.id = id;
    s.listener = QStringLiteral("listener1");
    s.rule = QStringLiteral("chat-rule");
    s.setting = QStringLiteral("chat-setting");
    s.clientAddress = QStringLiteral("127.0.0.1:5000");
    s.webSocket = true;
    s.state = SessionState::Upgraded;
    s.timeoutMs = 20000;
    s.lastActivityMs = 1'700'000'000'000;
    return s;
}
SessionSnapshot timedOut(quint64 id)
{
    SessionSnapshot s = session(id);
    s.state = SessionState::Closed;
    s.closeReason = QStringLiteral("requestTimeout");
    s.closedBy = QStringLiteral("gateway");
    s.closeCode = 1006;
    s.endMs = s.lastActivityMs + 20000;
    return s;
}
} // namespace

class tst_TimeoutWarnings : public QObject
{
    Q_OBJECT
private slots:
    void listsTimeoutsAndWarnings();
    void explanationAndLink();
};

void tst_TimeoutWarnings::listsTimeoutsAndWarnings()
{
    TimeoutWarningsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SessionSnapshot warn = session(2);
    warn.heartbeatWarning = true;
    warn.heartbeatIntervalMs = 25000;
    SessionSnapshot normal = session(3);
    normal.state = SessionState::Closed;
    normal.closeReason = QStringLiteral("client");
    model.considerSessions({session(1), warn, normal, timedOut(4)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.closedByTimeoutCount(), 1);
    // the warned session then times out: same row, now closed
    model.considerSessions({timedOut(2)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.closedByTimeoutCount(), 2);
    QVERIFY(model.index(0, 0).data(TimeoutWarningsModel::ClosedRole).toBool());
    // repeated snapshots do not duplicate or recount
    model.considerSessions({timedOut(4), timedOut(2)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.closedByTimeoutCount(), 2);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void tst_TimeoutWarnings::explanationAndLink()
{
    TimeoutWarningsModel model;
    TimeoutWarningsWidget widget(&model);
    QSignalSpy open(&widget, &TimeoutWarningsWidget::openSettingRequested);
    model.considerSessions({timedOut(9)});
    QTRY_VERIFY(widget.view()->currentIndex().isValid());
    const QString expected = QStringLiteral(
        "The backend setting's request timeout also applies to WebSocket sessions. The session was "
        "idle for 20 s, so Application Gateway closed both connections without a close frame; the "
        "client saw close code 1006. Raise the request timeout above the client's ping interval.");
    QCOMPARE(timeoutExplanation(timedOut(9)), expected);
    QVERIFY(widget.explanationText().contains(expected));
    QVERIFY(widget.explanationText().contains(
        QStringLiteral("Open backend setting “chat-setting” in the editor")));
    auto *browser = widget.findChild<QTextBrowser *>(QStringLiteral("timeoutExplanation"));
    QVERIFY(browser);
    emit browser->anchorClicked(QUrl(QStringLiteral("setting:chat-setting")));
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.at(0).at(0).toString(), QStringLiteral("chat-setting"));
}

QTEST_MAIN(tst_TimeoutWarnings)
#include "tst_timeoutwarnings.moc"
