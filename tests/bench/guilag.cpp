// benchguilag: how long the main (GUI) thread's event loop stalls while the gateway carries
// thousands of sessions. The gateway runs in-process exactly as in appgw-console (worker threads,
// the SessionRegistry and the event bus fed on the main thread), benchload drives it from a child
// process (--idle sessions held open + --active sessions ping-ponging), and a 10 ms precise timer
// on the main thread measures how late each tick fires. Prints one JSON object:
//   {"maxLagMs":..,"p99LagMs":..,"ticks":..,"openSessionsSeen":..,"idle":..,"active":..,"load":{..}}
//
//   benchguilag --backend-port N --load PATH/benchload [--idle 4000] [--active 50] [--seconds 3]
//               [--workers 1]

#include "config/configdocument.h"
#include "events/gatewayevent.h"
#include "proxy/gateway.h"
#include "session/sessionregistry.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

QByteArray templateFor(int backendPort)
{
    // One HTTP listener on an ephemeral port, one pool with the bench backend, requestTimeout
    // 3600 s so idle sessions stay open.
    return QStringLiteral(R"({
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": { "localGateway": { "bindAddress": "127.0.0.1", "frontendPortMap": { "80": 0 },
                                  "backendAddressMap": { "10.0.1.4": "127.0.0.1:%1" } } },
  "resources": [ { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01",
    "name": "lag", "location": "westeurope",
    "properties": {
      "sku": { "name": "Standard_v2", "tier": "Standard_v2", "capacity": 2 },
      "gatewayIPConfigurations": [ { "name": "ip", "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]" } } } ],
      "frontendIPConfigurations": [ { "name": "fe", "properties": { "publicIPAddress": { "id": "[resourceId('Microsoft.Network/publicIPAddresses', 'pip')]" } } } ],
      "frontendPorts": [ { "name": "p80", "properties": { "port": 80 } } ],
      "backendAddressPools": [ { "name": "pool", "properties": { "backendAddresses": [ { "ipAddress": "10.0.1.4" } ] } } ],
      "backendHttpSettingsCollection": [ { "name": "set", "properties": { "port": 80, "protocol": "Http", "cookieBasedAffinity": "Disabled", "requestTimeout": 3600 } } ],
      "httpListeners": [ { "name": "lis", "properties": {
        "frontendIPConfiguration": { "id": "[resourceId('Microsoft.Network/applicationGateways/frontendIPConfigurations', 'lag', 'fe')]" },
        "frontendPort": { "id": "[resourceId('Microsoft.Network/applicationGateways/frontendPorts', 'lag', 'p80')]" },
        "protocol": "Http" } } ],
      "requestRoutingRules": [ { "name": "rule", "properties": { "ruleType": "Basic", "priority": 100,
        "httpListener": { "id": "[resourceId('Microsoft.Network/applicationGateways/httpListeners', 'lag', 'lis')]" },
        "backendAddressPool": { "id": "[resourceId('Microsoft.Network/applicationGateways/backendAddressPools', 'lag', 'pool')]" },
        "backendHttpSettings": { "id": "[resourceId('Microsoft.Network/applicationGateways/backendHttpSettingsCollection', 'lag', 'set')]" } } } ]
    } } ]
})")
        .arg(backendPort)
        .toUtf8();
}

int fail(const QString &message)
{
    std::printf("{\"error\":\"%s\"}\n",
                qPrintable(QString(message).replace(QLatin1Char('"'), QLatin1Char('\''))));
    std::fprintf(stderr, "benchguilag: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int backendPort = 0;
    QString load;
    int idle = 4000;
    int active = 50;
    double seconds = 3;
    int workers = 1;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const QString &name = args.at(i);
        const QString &value = args.at(i + 1);
        if (name == QLatin1String("--backend-port"))
            backendPort = value.toInt();
        else if (name == QLatin1String("--load"))
            load = value;
        else if (name == QLatin1String("--idle"))
            idle = value.toInt();
        else if (name == QLatin1String("--active"))
            active = value.toInt();
        else if (name == QLatin1String("--seconds"))
            seconds = value.toDouble();
        else if (name == QLatin1String("--workers"))
            workers = value.toInt();
        else
            return fail(QStringLiteral("unknown option ") + name);
    }
    if (backendPort <= 0 || load.isEmpty())
        return fail(QStringLiteral("usage: benchguilag --backend-port N --load PATH [--idle N] "
                                   "[--active N] [--seconds S] [--workers N]"));

    const auto document = Gateway::Config::ConfigDocument::fromJson(templateFor(backendPort));
    if (!document.isLoaded())
        return fail(QStringLiteral("the lag template did not load"));
    Gateway::Proxy::GatewayOptions options;
    options.workers = workers;
    options.accessEvents = true; // as in the GUI, which shows the event stream
    Gateway::Proxy::Gateway gateway(options);
    QString error;
    if (!gateway.start(document.model(), &error))
        return fail(QStringLiteral("gateway did not start: ") + error);
    const int port = gateway.listeners().value(0).port;

    // What the GUI's models do on the main thread: take every batch and every event.
    qint64 eventsSeen = 0;
    QObject::connect(gateway.events(), &Gateway::Events::EventBus::eventsPublished, &app,
                     [&eventsSeen](const QList<Gateway::Events::GatewayEvent> &events) {
                         eventsSeen += events.size();
                     });
    int maxOpen = 0;

    std::vector<double> lags;
    lags.reserve(size_t(seconds * 200 + 6000));
    QElapsedTimer clock;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    qint64 last = -1;
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (last >= 0)
            lags.push_back(std::max(0.0, double(now - last) / 1e6 - 10.0));
        last = now;
        maxOpen = std::max(maxOpen, gateway.sessions()->openCount());
    });

    QProcess loader;
    loader.setProcessChannelMode(QProcess::SeparateChannels);
    loader.setReadChannel(QProcess::StandardOutput);
    int exitCode = 0;
    QObject::connect(&loader, &QProcess::finished, &app, [&](int code) {
        exitCode = code;
        app.quit();
    });
    QObject::connect(&loader, &QProcess::errorOccurred, &app, [&](QProcess::ProcessError) {
        exitCode = -1;
        app.quit();
    });
    QTimer::singleShot(0, &app, [&] {
        clock.start();
        probe.start();
        loader.start(load, {QStringLiteral("ws"), QStringLiteral("--port"), QString::number(port),
                            QStringLiteral("--idle"), QString::number(idle),
                            QStringLiteral("--active"), QString::number(active),
                            QStringLiteral("--seconds"), QString::number(seconds),
                            QStringLiteral("--label"), QStringLiteral("guilag")});
    });
    // A bound on the whole run, whatever happens.
    QTimer::singleShot(int(seconds * 1000) + 120'000, &app, [&] {
        exitCode = -2;
        loader.kill();
        app.quit();
    });
    app.exec();
    probe.stop();
    const QByteArray loadOutput = loader.readAllStandardOutput().trimmed();
    gateway.stopNow();
    if (exitCode != 0)
        return fail(QStringLiteral("benchload failed (%1): %2")
                        .arg(exitCode)
                        .arg(QString::fromUtf8(loader.readAllStandardError().trimmed())));

    std::vector<double> sorted = lags;
    std::sort(sorted.begin(), sorted.end());
    const double maxLag = sorted.empty() ? 0 : sorted.back();
    const double p99 =
        sorted.empty() ? 0
                       : sorted[std::min(sorted.size() - 1, size_t(0.99 * double(sorted.size())))];
    QJsonObject result{
        {QStringLiteral("maxLagMs"), maxLag},
        {QStringLiteral("p99LagMs"), p99},
        {QStringLiteral("ticks"), qint64(lags.size())},
        {QStringLiteral("openSessionsSeen"), maxOpen},
        {QStringLiteral("eventsSeen"), eventsSeen},
        {QStringLiteral("idle"), idle},
        {QStringLiteral("active"), active},
        {QStringLiteral("workers"), workers},
        {QStringLiteral("load"), QJsonDocument::fromJson(loadOutput).object()},
    };
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}
