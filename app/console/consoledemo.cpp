#include "consoledemo.h"

#include "config/configdocument.h"
#include "configcontroller.h"
#include "demo/demo.h"
#include "eventlogmodel.h"
#include "events/gatewayevent.h"
#include "mainwindow.h"

#include <QDateTime>
#include <QJsonObject>

namespace Gateway::Ui {

bool startConsoleDemo(MainWindow *window, QString *errorString)
{
    auto *demo = new Demo::Demo(window);
    QObject::connect(demo, &Demo::Demo::log, window, [window](const QString &line) {
        window->eventModel()->appendEvents({Events::GatewayEvent{
            QDateTime::currentMSecsSinceEpoch(), QStringLiteral("demo"),
            QJsonObject{{QStringLiteral("message"), line}}}});
    });
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
    window->controller()->setDocument(document);
    window->setNonInteractiveStart(true);
    const bool started = window->startGateway(errorString);
    window->setNonInteractiveStart(false);
    if (!started) {
        delete demo;
        return false;
    }
    demo->startClients();
    QObject::connect(window, &MainWindow::gatewayStopped, demo, [demo] { demo->stop(); });
    return true;
}

} // namespace Gateway::Ui
