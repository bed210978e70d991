#include "consoledemo.h"

#include "addressmapoffer.h"
#include "config/configdocument.h"
#include "configcontroller.h"
#include "configelements.h"
#include "demo/demo.h"
#include "demo/demobackends.h"
#include "eventlogmodel.h"
#include "events/gatewayevent.h"
#include "mainwindow.h"
#include "sessionswidget.h"
#include "sessiontablemodel.h"

#include <QDateTime>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace Gateway::Ui {

namespace {

// The demo's log lines go to the event log as "demo" events.
void logDemoLine(MainWindow *window, const QString &line)
{
    window->eventModel()->appendEvents({Events::GatewayEvent{
        QDateTime::currentMSecsSinceEpoch(), QStringLiteral("demo"),
        QJsonObject{{QStringLiteral("message"), line}}}});
}

} // namespace

void offerDemoBackendForMapping(MainWindow *window)
{
    // Shared by every copy of the starter (each dialog holds one): one backend per window.
    auto backends = std::make_shared<QPointer<Demo::DemoBackends>>();
    window->addressMapOffer()->setDemoBackendStarter([window, backends](QString *errorString) {
        if (!*backends) {
            auto *started = new Demo::DemoBackends(window);
            QObject::connect(started, &Demo::DemoBackends::log, window,
                             [window](const QString &line) { logDemoLine(window, line); });
            if (!started->start(errorString)) {
                delete started;
                return QString();
            }
            *backends = started;
        }
        return QStringLiteral("127.0.0.1:%1").arg((*backends)->chatPort());
    });
}

bool startConsoleDemo(MainWindow *window, QString *errorString)
{
    auto *demo = new Demo::Demo(window);
    QObject::connect(demo, &Demo::Demo::log, window,
                     [window](const QString &line) { logDemoLine(window, line); });
    if (!demo->start(errorString)) {
        delete demo;
        return false;
    }
    const Config::ConfigDocument document = Config::ConfigDocument::fromJson(
        demo->gatewayConfigJson(), {}, QStringLiteral("demo.json"));
    if (!document.isLoaded()) {
        if (errorString)
            *errorString = QStringLiteral("the demo configuration does not load");
        delete demo;
        return false;
    }
    window->controller()->setDocument(document, QObject::tr("Demo gateway"));
    window->setNonInteractiveStart(true);
    const bool started = window->startGateway(errorString);
    window->setNonInteractiveStart(false);
    if (!started) {
        delete demo;
        return false;
    }
    demo->startClients();

    // Open the backend setting whose request timeout the validator warns about, so the
    // editor's inline timeout warning is in view from the start.
    const Config::GatewayConfig &config = window->controller()->config();
    for (const Config::Diagnostic &d : window->controller()->diagnostics()) {
        if (!d.isError() && d.path.endsWith(QLatin1String(".requestTimeout"))) {
            const ElementRef ref = elementForPath(config, d.path);
            if (ref.kind == ElementKind::BackendHttpSettings) {
                window->openElement(ref);
                break;
            }
        }
    }

    // Show a live WebSocket session's frames as soon as one has traffic, so a new user sees
    // frames without having to know where to click.
    auto *picker = new QTimer(window);
    picker->setInterval(500);
    QObject::connect(picker, &QTimer::timeout, window, [window, picker] {
        if (window->sessionsWidget()->currentSession() != 0) {
            picker->deleteLater();
            return;
        }
        const SessionTableModel *model = window->sessionModel();
        for (int row = model->rowCount() - 1; row >= 0; --row) {
            const auto &s = model->session(row);
            if (s.webSocket && s.framesOut > 0 && s.state != Session::SessionState::Closed
                && s.path.contains(QLatin1String("chat"))) {
                window->showSession(s.id);
                picker->deleteLater();
                return;
            }
        }
    });
    picker->start();
    QObject::connect(window, &MainWindow::gatewayStopped, demo, [demo] { demo->stop(); });
    return true;
}

} // namespace Gateway::Ui
