// Nothing that matters is clipped: with the demo running at 1600x1000, every column of the
// sessions, frames, log and health views is as wide as its widest visible value (time with
// seconds, "Closed by timeout (…)", addresses, frame flags); the stretching last column is exempt
// (its elided cells show their text as a tooltip). The title names the demo.

#include "consoledemo.h"
#include "frameswidget.h"
#include "frametablemodel.h"
#include "healthtreemodel.h"
#include "mainwindow.h"
#include "sessionswidget.h"
#include "sessiontablemodel.h"
#include "timeoutwarningsmodel.h"

#include <QDockWidget>
#include <QHeaderView>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>

using namespace Gateway::Ui;

namespace {

// The columns of view narrower than their content ("view column: needed > shown").
QStringList clipped(QTreeView *view)
{
    QStringList out;
    QHeaderView *header = view->header();
    for (int c = 0; c < header->count(); ++c) {
        if (header->isSectionHidden(c))
            continue;
        if (header->stretchLastSection() && header->visualIndex(c) == header->count() - 1)
            continue;
        const int needed = static_cast<QAbstractItemView *>(view)->sizeHintForColumn(c);
        if (needed > header->sectionSize(c))
            out << QStringLiteral("%1 %2: %3 > %4")
                       .arg(view->objectName(),
                            view->model()->headerData(c, Qt::Horizontal).toString())
                       .arg(needed)
                       .arg(header->sectionSize(c));
    }
    return out;
}

} // namespace

class tst_Layout : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void demoValuesFitTheirColumns();
};

void tst_Layout::demoValuesFitTheirColumns()
{
    MainWindow window;
    window.setNonInteractive(true);
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString error;
    QVERIFY2(startConsoleDemo(&window, &error), qPrintable(error));
    QVERIFY2(window.windowTitle().contains(QStringLiteral("Demo gateway")),
             qPrintable(window.windowTitle()));

    // The longest values of the demo: a session closed by the timeout, frames with flags,
    // probe results (healthy and unhealthy), the log.
    QTRY_VERIFY_WITH_TIMEOUT(window.timeoutModel()->closedByTimeoutCount() > 0, 90000);
    QTRY_VERIFY_WITH_TIMEOUT(window.healthModel()->unhealthyCount() > 0, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(window.framesWidget()->model()->rowCount() > 0, 30000);

    QList<QTreeView *> views;
    for (const char *name : {"sessionsView", "framesView", "healthView", "eventLogView"}) {
        auto *view = window.findChild<QTreeView *>(QLatin1String(name));
        QVERIFY2(view, name);
        views << view;
    }
    for (const char *dock : {"sessionsDock", "framesDock", "healthDock", "eventsDock"}) {
        auto *d = window.findChild<QDockWidget *>(QLatin1String(dock));
        QVERIFY(d);
        d->show();
    }
    // The log shares a tab group with frames: look at each in turn.
    for (QTreeView *view : views) {
        for (QWidget *w = view; w; w = w->parentWidget())
            if (auto *dock = qobject_cast<QDockWidget *>(w))
                dock->raise();
        QStringList problems;
        QTRY_VERIFY2_WITH_TIMEOUT((problems = clipped(view)).isEmpty(),
                                  qPrintable(problems.join(QStringLiteral("; "))), 5000);
    }
    window.stopGateway();
    window.stopGateway(); // at once
    QTRY_VERIFY_WITH_TIMEOUT(!window.isGatewayRunning(), 20000);
}

QTEST_MAIN(tst_Layout)
#include "tst_layout.moc"
