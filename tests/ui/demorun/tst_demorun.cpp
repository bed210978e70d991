// `appgw-console --demo` as a new user sees it: within a minute an upgrade, live frames, probe
// states (healthy and the WebSocket-only backend's unhealthy probe) and a timeout warning.

#include "consoledemo.h"
#include "eventlogmodel.h"
#include "frameswidget.h"
#include "frametablemodel.h"
#include "healthtreemodel.h"
#include "mainwindow.h"
#include "sessionswidget.h"
#include "sessiontablemodel.h"
#include "timeoutwarningsmodel.h"

#include <QStandardPaths>
#include <QTest>

using namespace Gateway::Ui;

class tst_DemoRun : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void demoShowsEverythingWithinAMinute();
};

void tst_DemoRun::demoShowsEverythingWithinAMinute()
{
    MainWindow window;
    window.setNonInteractive(true);
    window.show();
    QString error;
    QVERIFY2(startConsoleDemo(&window, &error), qPrintable(error));
    QVERIFY(window.isGatewayRunning());

    SessionTableModel *sessions = window.sessionModel();
    Gateway::Session::SessionId ws = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int r = 0; r < sessions->rowCount(); ++r)
                if (sessions->session(r).webSocket && sessions->session(r).framesOut > 0) {
                    ws = sessions->session(r).id;
                    return true;
                }
            return false;
        }(),
        20000);
    window.sessionsWidget()->selectSession(ws);
    QTRY_VERIFY_WITH_TIMEOUT(window.framesWidget()->model()->rowCount() > 0, 10000);

    QTRY_VERIFY_WITH_TIMEOUT(window.healthModel()->healthyCount() > 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(window.healthModel()->unhealthyCount() > 0, 60000);

    bool upgraded = false;
    for (int r = 0; r < window.eventModel()->rowCount(); ++r)
        upgraded |= window.eventModel()->event(r).type == QLatin1String("session.upgraded");
    QVERIFY(upgraded);

    QTRY_VERIFY_WITH_TIMEOUT(window.timeoutModel()->rowCount() > 0, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(window.timeoutModel()->closedByTimeoutCount() > 0, 60000);
    window.stopGateway();
    QTRY_VERIFY_WITH_TIMEOUT(!window.isGatewayRunning(), 20000);
}

QTEST_MAIN(tst_DemoRun)
#include "tst_demorun.moc"
