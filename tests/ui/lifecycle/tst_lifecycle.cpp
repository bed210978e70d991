// The open document and the running gateway never disagree silently: New, Open and Quit ask what
// to do with a running gateway (stop it or keep it detached), Apply answers with what it changed,
// Undo after Apply shows the "differs from running" marker, Stop shows Stopping with the drain
// countdown, F5 on a running gateway says so. Questions are answered through the window's
// question handler, so nothing blocks.

#include "configcontroller.h"
#include "eventlogmodel.h"
#include "events/gatewayevent.h"
#include "mainwindow.h"
#include "problemsmodel.h"
#include "proxy/gateway.h"
#include "sessiontablemodel.h"

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

using namespace Gateway::Ui;
using State = MainWindow::GatewayState;

namespace {

QByteArray configFor(quint16 backendPort)
{
    QFile f(QStringLiteral(APPGW_SOURCE_DIR "/tests/ui/lifecycle/gateway.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().replace("BACKEND_PORT", QByteArray::number(backendPort));
}

QAction *action(MainWindow &w, const QString &text)
{
    for (QAction *a : w.findChildren<QAction *>())
        if (a->text() == text)
            return a;
    return nullptr;
}

QString statusText(MainWindow &w)
{
    return w.findChild<QLabel *>(QStringLiteral("listenersStatus"))->text();
}

} // namespace

class tst_Lifecycle : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void newWithRunningGatewayStopsIt();
    void newKeepsGatewayDetached();
    void cancelKeepsEverything();
    void openWithRunningGateway();
    void quitWithRunningGateway();
    void startWhileRunningAnswers();
    void applyAnswersAndUndoShowsMarker();
    void stopShowsStoppingWithCountdown();
    void brokenTemplateProblemsGroupedByCause();

private:
    void startWindow();
    QTemporaryDir m_dir;
    QString m_path;
    QString m_otherPath;
    QTcpServer m_backend; // accepts and never answers: requests stay in flight
    MainWindow *m_window = nullptr;
    QStringList m_asked;
    int m_answer = 0;
};

void tst_Lifecycle::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().remove(QStringLiteral("templateParameters"));
    QVERIFY(m_backend.listen(QHostAddress::LocalHost, 0));
    m_path = m_dir.filePath(QStringLiteral("gw.json"));
    m_otherPath = m_dir.filePath(QStringLiteral("other.json"));
    for (const QString &p : {m_path, m_otherPath}) {
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(configFor(m_backend.serverPort()));
    }
}

void tst_Lifecycle::init()
{
    m_asked.clear();
    m_answer = 0;
    m_window = new MainWindow;
    m_window->setNonInteractive(true);
    m_window->setQuestionHandler([this](const QString &, const QString &text,
                                        const QStringList &buttons) {
        m_asked << text + QStringLiteral(" [") + buttons.join(QLatin1Char('|')) + QLatin1Char(']');
        return m_answer;
    });
    m_window->show();
}

void tst_Lifecycle::cleanup()
{
    delete m_window;
    m_window = nullptr;
}

void tst_Lifecycle::startWindow()
{
    QVERIFY(m_window->openFile(m_path));
    QString error;
    QVERIFY2(m_window->startGateway(&error), qPrintable(error));
    QCOMPARE(m_window->gatewayState(), State::Running);
    QVERIFY(statusText(*m_window).contains(QStringLiteral("Running")));
    QVERIFY(m_window->windowTitle().contains(QStringLiteral("Running")));
}

void tst_Lifecycle::newWithRunningGatewayStopsIt()
{
    startWindow();
    m_answer = 0; // "Stop the gateway"
    QVERIFY(m_window->newDocument());
    QCOMPARE(m_asked.size(), 1);
    QVERIFY2(m_asked.first().contains(QStringLiteral("detached")), qPrintable(m_asked.first()));
    QVERIFY(!m_window->isGatewayRunning());
    QCOMPARE(m_window->gatewayState(), State::Stopped);
    QVERIFY(statusText(*m_window).contains(QStringLiteral("Stopped")));
    QVERIFY(!statusText(*m_window).contains(QStringLiteral("listener1")));
    QVERIFY(m_window->controller()->filePath().isEmpty());
}

void tst_Lifecycle::newKeepsGatewayDetached()
{
    startWindow();
    m_answer = 1; // "Keep it running detached"
    QVERIFY(m_window->newDocument());
    QVERIFY(m_window->isGatewayRunning());
    QVERIFY(m_window->isGatewayDetached());
    QVERIFY2(statusText(*m_window).contains(QStringLiteral("detached (gw.json)")),
             qPrintable(statusText(*m_window)));
    // The empty document is not what runs, and the window says so instead of a diff marker.
    QVERIFY(!m_window->differsFromRunning());
    // F5 says a detached gateway runs and offers Apply; Apply attaches it to this document.
    m_answer = 0; // "Not now"
    action(*m_window, QStringLiteral("&Start"))->trigger();
    QCOMPARE(m_asked.size(), 2);
    QVERIFY2(m_asked.last().contains(QStringLiteral("detached")), qPrintable(m_asked.last()));
    QVERIFY(m_asked.last().contains(QStringLiteral("Apply")));
    m_window->applyToGateway();
    QVERIFY(!m_window->isGatewayDetached());
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("now serves")),
             qPrintable(m_window->statusBar()->currentMessage()));
}

void tst_Lifecycle::cancelKeepsEverything()
{
    startWindow();
    m_answer = -1;
    QVERIFY(!m_window->newDocument());
    QVERIFY(m_window->isGatewayRunning());
    QCOMPARE(m_window->controller()->filePath(), m_path);
}

void tst_Lifecycle::openWithRunningGateway()
{
    startWindow();
    m_answer = 0;
    QVERIFY(m_window->openFile(m_otherPath));
    QCOMPARE(m_asked.size(), 1);
    QVERIFY(!m_window->isGatewayRunning());
    QCOMPARE(m_window->controller()->filePath(), m_otherPath);
    QVERIFY(statusText(*m_window).contains(QStringLiteral("Stopped")));
}

void tst_Lifecycle::quitWithRunningGateway()
{
    startWindow();
    m_answer = -1; // Cancel
    QVERIFY(!m_window->close());
    QVERIFY(m_window->isVisible());
    QVERIFY(m_window->isGatewayRunning());
    QCOMPARE(m_asked.size(), 1);
    QVERIFY(m_asked.first().contains(QStringLiteral("Stop and quit")));
    m_answer = 0; // Stop and quit
    QVERIFY(m_window->close());
    QVERIFY(!m_window->isGatewayRunning());
}

void tst_Lifecycle::startWhileRunningAnswers()
{
    startWindow();
    QAction *start = action(*m_window, QStringLiteral("&Start"));
    QVERIFY(start && start->isEnabled());
    start->trigger();
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("already running")),
             qPrintable(m_window->statusBar()->currentMessage()));
    QVERIFY(m_asked.isEmpty()); // nothing differs: nothing to offer

    // The Add button opens its menu from anywhere on the button.
    auto *add = m_window->findChild<QToolButton *>(QStringLiteral("addButton"));
    QVERIFY(add);
    QCOMPARE(add->popupMode(), QToolButton::InstantPopup);
}

void tst_Lifecycle::applyAnswersAndUndoShowsMarker()
{
    startWindow();
    auto *marker = m_window->findChild<QLabel *>(QStringLiteral("differsStatus"));
    QVERIFY(marker);
    QVERIFY(marker->isHidden());
    ConfigController *c = m_window->controller();
    Gateway::Config::GatewayConfig edited = c->config();
    edited.backendHttpSettingsCollection[0].requestTimeout = 45;
    c->edit(edited, QStringLiteral("Edit requestTimeout"));
    QVERIFY(m_window->differsFromRunning());
    QVERIFY(!marker->isHidden());
    QVERIFY2(marker->toolTip().contains(QStringLiteral("setting1 · requestTimeout: 30 → 45")),
             qPrintable(marker->toolTip()));

    // F5 offers Apply when the editor differs; answering Apply applies.
    m_answer = 1;
    action(*m_window, QStringLiteral("&Start"))->trigger();
    QCOMPARE(m_asked.size(), 1);
    QVERIFY(m_asked.first().contains(QStringLiteral("requestTimeout")));
    QVERIFY(!m_window->differsFromRunning());
    QVERIFY(marker->isHidden());
    QCOMPARE(m_window->gateway()->config().backendHttpSettingsCollection.at(0).requestTimeout, 45);
    const QString message = m_window->statusBar()->currentMessage();
    QVERIFY2(message.contains(QStringLiteral("Applied 1 change")), qPrintable(message));
    EventLogModel *log = m_window->eventModel();
    QVERIFY(log->rowCount() > 0);
    const auto last = log->event(log->rowCount() - 1);
    QCOMPARE(last.type, QStringLiteral("gateway.applied"));

    // Apply again: nothing to apply, and it says so.
    m_window->applyToGateway();
    QVERIFY(m_window->statusBar()->currentMessage().contains(QStringLiteral("Nothing to apply")));

    // Undo: the editor is back at the saved file, the gateway still runs 45: the marker says so.
    c->undoStack()->undo();
    QVERIFY(!c->isModified());
    QVERIFY(m_window->differsFromRunning());
    QVERIFY(!marker->isHidden());
    QVERIFY(marker->toolTip().contains(QStringLiteral("45 → 30")));
    QVERIFY(m_window->windowTitle().contains(QStringLiteral("differs from running")));
}

void tst_Lifecycle::stopShowsStoppingWithCountdown()
{
    startWindow();
    const int port = m_window->gateway()->listeners().value(0).port;
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, quint16(port));
    QVERIFY(client.waitForConnected(5000));
    client.write("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(m_window->sessionModel()->openCount() > 0, 10000);

    m_window->stopGateway();
    QCOMPARE(m_window->gatewayState(), State::Stopping);
    QVERIFY2(statusText(*m_window).contains(QStringLiteral("Stopping")),
             qPrintable(statusText(*m_window)));
    QVERIFY2(statusText(*m_window).contains(QStringLiteral("s left")),
             qPrintable(statusText(*m_window)));
    QVERIFY(m_window->windowTitle().contains(QStringLiteral("Stopping")));
    QVERIFY(m_window->isGatewayRunning()); // still draining
    QAction *stop = action(*m_window, QStringLiteral("S&top Now"));
    QVERIFY(stop);
    stop->trigger(); // second Stop: at once
    QTRY_COMPARE_WITH_TIMEOUT(m_window->gatewayState(), State::Stopped, 5000);
    QVERIFY(statusText(*m_window).contains(QStringLiteral("Stopped")));
}

void tst_Lifecycle::brokenTemplateProblemsGroupedByCause()
{
    // One parameter without a value, used in many places: one cause, with the next step, on top.
    QByteArray json = configFor(m_backend.serverPort());
    json.replace("\"contentVersion\"",
                 "\"parameters\": { \"zone\": { \"type\": \"string\" } }, \"contentVersion\"");
    int uses = 0;
    for (const QByteArray &value :
         {QByteArrayLiteral("\"westeurope\""), QByteArrayLiteral("\"Static\""),
          QByteArrayLiteral("\"Disabled\""), QByteArrayLiteral("\"Standard_v2\"")}) {
        uses += json.count(value);
        json.replace(value, "\"[parameters('zone')]\"");
    }
    QVERIFY(uses >= 5);
    const QString path = m_dir.filePath(QStringLiteral("broken.json"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(json);
    }
    QVERIFY(m_window->openFile(path));
    ProblemsModel *problems = m_window->problemsModel();
    QVERIFY(problems->rowCount() >= uses);
    const QString summary = problems->summary();
    QVERIFY2(summary.contains(QStringLiteral("parameter 'zone' has no value (%1 places)").arg(uses)),
             qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("parameters file")), qPrintable(summary));
    QCOMPARE(problems->causes().first().count, uses);
    // The rows of that cause come first, together.
    for (int row = 0; row < uses; ++row)
        QVERIFY2(problems->diagnostic(row).message.contains(QStringLiteral("'zone'")),
                 qPrintable(problems->diagnostic(row).message));
    auto *label = m_window->findChild<QLabel *>(QStringLiteral("problemsSummary"));
    QVERIFY(label && !label->isHidden());
    QCOMPARE(label->text(), summary);
    QVERIFY(m_window->statusBar()->currentMessage().contains(summary));

    // The next step works: open it with a parameters file; the file is remembered for the
    // template, so opening the template again uses it.
    const QString parameters = m_dir.filePath(QStringLiteral("broken.parameters.json"));
    {
        QFile f(parameters);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"contentVersion": "1.0.0.0", "parameters": {"zone": {"value": "Disabled"}}})");
    }
    auto unvalued = [this] {
        int n = 0;
        for (const auto &d : m_window->controller()->diagnostics())
            n += d.message.contains(QStringLiteral("has no value"));
        return n;
    };
    QVERIFY(m_window->openFile(path, parameters));
    QCOMPARE(unvalued(), 0);
    QVERIFY(m_window->newDocument());
    QVERIFY(unvalued() == 0);
    QVERIFY(m_window->openFile(path));
    QCOMPARE(unvalued(), 0);
    QCOMPARE(m_window->controller()->document().parametersPath(), parameters);
}

QTEST_MAIN(tst_Lifecycle)
#include "tst_lifecycle.moc"
