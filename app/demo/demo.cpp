#include "demo/demo.h"

#include "demo/demobackends.h"
#include "demo/democlients.h"

namespace Gateway::Demo {

Demo::Demo(QObject *parent)
    : QObject(parent), m_backends(new DemoBackends(this)), m_clients(new DemoClients(this))
{
    connect(m_backends, &DemoBackends::log, this, &Demo::log);
    connect(m_clients, &DemoClients::log, this, &Demo::log);
}

Demo::~Demo()
{
    stop();
}

bool Demo::start(QString *errorString, quint16 preferredGatewayPort)
{
    if (!m_backends->start(errorString))
        return false;
    m_ports.chat = m_backends->chatPort();
    m_ports.http = m_backends->httpPort();
    m_ports.webSocketOnly = m_backends->webSocketOnlyPort();
    m_ports.gateway = DemoConfig::pickGatewayPort(preferredGatewayPort);
    if (m_ports.gateway == 0) {
        if (errorString)
            *errorString = QStringLiteral("demo: no free port on 127.0.0.1 for the gateway");
        m_backends->stop();
        return false;
    }
    m_configJson = DemoConfig::templateJson(m_ports);
    return true;
}

void Demo::startClients(quint16 gatewayPort)
{
    m_clients->start(gatewayPort != 0 ? gatewayPort : m_ports.gateway);
}

void Demo::stop()
{
    m_clients->stop();
    m_backends->stop();
}

} // namespace Gateway::Demo
