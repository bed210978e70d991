#include "demo/democlients.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>
#include <QWebSocket>

namespace Gateway::Demo {

struct DemoClients::Client
{
    DemoClientStatus status;
    QUrl url;
    int messageMinMs = 0;
    int messageMaxMs = 0;
    QWebSocket *socket = nullptr;
    QTimer *messageTimer = nullptr;
    QTimer *pingTimer = nullptr;
    QTimer *reconnectTimer = nullptr;
    qint64 connectedAtMs = 0;
    qint64 lastPingMs = 0;
    bool closing = false;        // we closed it ourselves
    bool closeHandshake = false; // a close frame was sent or received
};

DemoClients::DemoClients(QObject *parent) : QObject(parent) {}

DemoClients::~DemoClients()
{
    stop();
}

void DemoClients::start(quint16 gatewayPort, const QString &host)
{
    stop();
    m_running = true;
    m_base.setScheme(QStringLiteral("http"));
    m_base.setHost(host);
    m_base.setPort(gatewayPort);

    addClient(QStringLiteral("chat"), QStringLiteral("/chat"), m_options.chatMinMs,
              m_options.chatMaxMs, 0);
    addClient(QStringLiteral("heartbeat"), QStringLiteral("/echo/heartbeat"), 0, 0,
              m_options.heartbeatPingMs);
    addClient(QStringLiteral("slow-pinger"), QStringLiteral("/echo/slow"), 0, 0,
              m_options.slowPingMs);
    for (Client *c : std::as_const(m_clients))
        connectClient(c);

    m_network = new QNetworkAccessManager(this);
    m_network->setProxy(QNetworkProxy::NoProxy);
    m_httpTimer = new QTimer(this);
    m_httpTimer->setInterval(m_options.httpIntervalMs);
    connect(m_httpTimer, &QTimer::timeout, this, &DemoClients::sendHttp);
    m_httpTimer->start();
    emit log(QStringLiteral("demo clients: %1 WebSocket clients and an HTTP client -> %2")
                 .arg(m_clients.size())
                 .arg(m_base.toString()));
}

void DemoClients::stop()
{
    if (!m_running)
        return;
    m_running = false;
    for (Client *c : std::as_const(m_clients)) {
        c->closing = true;
        if (c->socket) {
            disconnect(c->socket, nullptr, this, nullptr);
            c->socket->abort();
            c->socket->deleteLater();
        }
        delete c->messageTimer;
        delete c->pingTimer;
        delete c->reconnectTimer;
        delete c;
    }
    m_clients.clear();
    delete m_httpTimer;
    m_httpTimer = nullptr;
    if (m_network) {
        m_network->deleteLater();
        m_network = nullptr;
    }
}

QList<DemoClientStatus> DemoClients::status() const
{
    QList<DemoClientStatus> out;
    for (const Client *c : m_clients)
        out.append(c->status);
    return out;
}

DemoClients::Client *DemoClients::addClient(const QString &name, const QString &path,
                                            int messageMinMs, int messageMaxMs, int pingMs)
{
    auto *c = new Client;
    c->url = m_base;
    c->url.setScheme(QStringLiteral("ws"));
    c->url.setPath(path);
    c->status.name = name;
    c->status.url = c->url.toString();
    c->status.messageIntervalMs = messageMinMs;
    c->status.pingIntervalMs = pingMs;
    c->messageMinMs = messageMinMs;
    c->messageMaxMs = std::max(messageMinMs, messageMaxMs);

    c->socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    c->socket->setProxy(QNetworkProxy::NoProxy);
    QWebSocket *ws = c->socket;
    connect(ws, &QWebSocket::connected, this, [this, c] {
        c->status.connected = true;
        ++c->status.connects;
        c->connectedAtMs = QDateTime::currentMSecsSinceEpoch();
        c->lastPingMs = 0;
        c->closeHandshake = false;
        if (c->messageTimer)
            c->messageTimer->start(
                c->messageMinMs
                + int(QRandomGenerator::global()->bounded(c->messageMaxMs - c->messageMinMs + 1)));
        if (c->pingTimer)
            c->pingTimer->start();
        emit log(QStringLiteral("%1: connected to %2").arg(c->status.name, c->status.url));
        emit clientConnected(c->status.name);
    });
    // QWebSocket emits aboutToClose when a closing handshake starts (either side's close
    // frame), not when the TCP connection merely drops.
    connect(ws, &QWebSocket::aboutToClose, this, [c] { c->closeHandshake = true; });
    connect(ws, &QWebSocket::disconnected, this, [this, c] { onClosed(c); });
    connect(ws, &QWebSocket::textMessageReceived, this,
            [c](const QString &) { ++c->status.messagesReceived; });
    connect(ws, &QWebSocket::binaryMessageReceived, this,
            [c](const QByteArray &) { ++c->status.messagesReceived; });
    connect(ws, &QWebSocket::pong, this,
            [c](quint64, const QByteArray &) { ++c->status.pongsReceived; });

    if (messageMinMs > 0) {
        c->messageTimer = new QTimer;
        c->messageTimer->setSingleShot(true);
        connect(c->messageTimer, &QTimer::timeout, this, [c] {
            if (!c->status.connected)
                return;
            ++c->status.messagesSent;
            c->socket->sendTextMessage(
                QStringLiteral("[%1] %2 says hello #%3")
                    .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), c->status.name)
                    .arg(c->status.messagesSent));
            c->messageTimer->start(
                c->messageMinMs
                + int(QRandomGenerator::global()->bounded(c->messageMaxMs - c->messageMinMs + 1)));
        });
    }
    if (pingMs > 0) {
        c->pingTimer = new QTimer;
        c->pingTimer->setInterval(pingMs);
        connect(c->pingTimer, &QTimer::timeout, this, [c] {
            if (!c->status.connected)
                return;
            ++c->status.pingsSent;
            c->lastPingMs = QDateTime::currentMSecsSinceEpoch();
            c->socket->ping(QByteArrayLiteral("appgw-demo"));
        });
    }
    c->reconnectTimer = new QTimer;
    c->reconnectTimer->setSingleShot(true);
    connect(c->reconnectTimer, &QTimer::timeout, this, [this, c] {
        if (m_running)
            connectClient(c);
    });
    m_clients.append(c);
    return c;
}

void DemoClients::connectClient(Client *c)
{
    c->closing = false;
    c->socket->open(c->url);
}

void DemoClients::onClosed(Client *c)
{
    const bool wasConnected = c->status.connected;
    c->status.connected = false;
    if (c->messageTimer)
        c->messageTimer->stop();
    if (c->pingTimer)
        c->pingTimer->stop();
    // QWebSocket keeps reporting 1000 when the TCP connection just drops; what a browser (and
    // the seeds) call 1006 is "closed without a close frame", i.e. no closing handshake.
    if (c->closeHandshake) {
        c->status.lastCloseCode = int(c->socket->closeCode());
        c->status.lastCloseReason = c->socket->closeReason();
    } else {
        c->status.lastCloseCode = int(QWebSocketProtocol::CloseCodeAbnormalDisconnection);
        c->status.lastCloseReason.clear();
    }
    if (!m_running || c->closing)
        return;
    if (wasConnected) {
        const qint64 lived = QDateTime::currentMSecsSinceEpoch() - c->connectedAtMs;
        QString line = QStringLiteral("%1: closed with %2 after %3 s")
                           .arg(c->status.name)
                           .arg(c->status.lastCloseCode)
                           .arg(double(lived) / 1000.0, 0, 'f', 1);
        if (!c->status.lastCloseReason.isEmpty())
            line += QStringLiteral(" (%1)").arg(c->status.lastCloseReason);
        if (c->status.lastCloseCode == 1006 && c->status.pingIntervalMs > 0)
            line += QStringLiteral(": no close frame -- the gateway's request timeout fired "
                                   "before the next ping (every %1 s)")
                        .arg(c->status.pingIntervalMs / 1000);
        emit log(line);
    } else {
        emit log(QStringLiteral("%1: cannot connect to %2: %3")
                     .arg(c->status.name, c->status.url, c->socket->errorString()));
    }
    emit clientClosed(c->status.name, c->status.lastCloseCode, c->status.lastCloseReason);
    c->reconnectTimer->start(m_options.reconnectDelayMs);
}

void DemoClients::sendHttp()
{
    if (!m_network)
        return;
    QUrl url = m_base;
    url.setPath(QStringLiteral("/api/time"));
    QNetworkRequest request(url);
    request.setTransferTimeout(5000);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_lastHttpStatus = status;
        if (status >= 200 && status < 400) {
            ++m_httpOk;
        } else {
            ++m_httpErrors;
            // One line per change of state, not one per second.
            if (m_httpErrors == 1 || m_httpErrors % 30 == 0)
                emit log(QStringLiteral("api: GET /api/time -> %1 %2")
                             .arg(status)
                             .arg(reply->errorString()));
        }
        emit httpResponse(status);
    });
}

} // namespace Gateway::Demo
