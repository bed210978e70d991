#pragma once

// The bundled demo, for `appgw-console --demo` and `appgw demo`:
//
//     Gateway::Demo::Demo demo;
//     if (!demo.start(&error)) ...                       // backends on free loopback ports
//     auto doc = Config::ConfigDocument::fromJson(demo.gatewayConfigJson());
//     gateway.start(doc.model(), &error);                 // the caller owns the Gateway
//     demo.startClients(gateway.listeners().first().port); // traffic through the gateway
//     ...
//     demo.stop();
//
// The demo never creates the gateway itself, so the GUI and the CLI keep one way of running it.

#include "demo/democonfig.h"

#include <QObject>
#include <QString>

namespace Gateway::Demo {

class DemoBackends;
class DemoClients;

class Demo final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Demo)
public:
    explicit Demo(QObject *parent = nullptr);
    ~Demo() override;

    // Starts the backends and builds the configuration (the gateway port is preferredPort when
    // free, else a free one). Returns false with a one-line reason when a backend cannot listen.
    bool start(QString *errorString = nullptr, quint16 preferredGatewayPort = 8080);
    // Starts the clients against the gateway (0: the port written into the configuration).
    void startClients(quint16 gatewayPort = 0);
    void stop();

    QByteArray gatewayConfigJson() const { return m_configJson; }
    DemoPorts ports() const { return m_ports; }
    quint16 gatewayPort() const { return m_ports.gateway; }

    DemoBackends *backends() const { return m_backends; }
    DemoClients *clients() const { return m_clients; }

signals:
    void log(const QString &line);

private:
    DemoBackends *m_backends;
    DemoClients *m_clients;
    DemoPorts m_ports;
    QByteArray m_configJson;
};

} // namespace Gateway::Demo
