#include "demo/demobackends.h"

#include "demo/demohttpserver.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QWebSocket>
#include <QWebSocketServer>

namespace Gateway::Demo {

namespace {

DemoResponse healthy()
{
    return {200, "text/plain; charset=utf-8", "Healthy"};
}

DemoResponse notFound()
{
    return {404, "text/plain; charset=utf-8", "Not Found"};
}

const char HomePage[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>appgw demo</title></head>\n"
    "<body><h1>Application Gateway Console demo</h1>\n"
    "<p>This page is served by the demo HTTP backend through the local gateway.</p>\n"
    "<ul><li><a href=\"/api/time\">/api/time</a> (routed by the path map to the API pool)</li>\n"
    "<li>ws://&lt;gateway&gt;/chat (WebSocket chat, routed to the chat pool)</li></ul>\n"
    "</body></html>\n";

} // namespace

DemoBackends::DemoBackends(QObject *parent) : QObject(parent) {}

DemoBackends::~DemoBackends()
{
    stop();
}

bool DemoBackends::start(QString *errorString)
{
    if (m_running)
        return true;

    m_chatSockets = new QWebSocketServer(QStringLiteral("appgw-demo-chat"),
                                         QWebSocketServer::NonSecureMode, this);
    m_webSocketOnlySockets = new QWebSocketServer(QStringLiteral("appgw-demo-ws-only"),
                                                  QWebSocketServer::NonSecureMode, this);
    connect(m_chatSockets, &QWebSocketServer::newConnection, this,
            [this] { onWebSocketConnection(m_chatSockets, true); });
    connect(m_webSocketOnlySockets, &QWebSocketServer::newConnection, this,
            [this] { onWebSocketConnection(m_webSocketOnlySockets, false); });

    m_chat = new DemoHttpServer(
        QStringLiteral("chat"),
        [](const DemoRequest &r) {
            if (r.path == "/health")
                return healthy();
            if (r.path == "/")
                return DemoResponse{200, "text/plain; charset=utf-8",
                                    "appgw demo chat backend: connect a WebSocket to /chat"};
            return notFound();
        },
        this);
    m_chat->setWebSocketServer(m_chatSockets);

    m_http = new DemoHttpServer(
        QStringLiteral("http"),
        [](const DemoRequest &r) {
            if (r.path == "/health")
                return healthy();
            if (r.path == "/" || r.path == "/index.html")
                return DemoResponse{200, "text/html; charset=utf-8", QByteArray(HomePage)};
            if (r.path == "/api/time") {
                const QDateTime now = QDateTime::currentDateTimeUtc();
                const QJsonObject o{{QStringLiteral("time"), now.toString(Qt::ISODateWithMs)},
                                    {QStringLiteral("epochMs"), now.toMSecsSinceEpoch()},
                                    {QStringLiteral("server"), QStringLiteral("appgw-demo-http")}};
                return DemoResponse{200, "application/json",
                                    QJsonDocument(o).toJson(QJsonDocument::Compact)};
            }
            return notFound();
        },
        this);

    // Answers no plain request at all: only WebSocket upgrades.
    m_webSocketOnly = new DemoHttpServer(
        QStringLiteral("ws-only"), [](const DemoRequest &) { return notFound(); }, this);
    m_webSocketOnly->setWebSocketServer(m_webSocketOnlySockets);

    for (DemoHttpServer *server : {m_chat, m_http, m_webSocketOnly}) {
        if (!server->listen(QHostAddress::LocalHost, 0)) {
            const QString message = QStringLiteral("demo %1 backend: cannot listen on "
                                                   "127.0.0.1: %2")
                                        .arg(server->name(), server->errorString());
            if (errorString)
                *errorString = message;
            m_running = true; // so stop() cleans up
            stop();
            return false;
        }
    }
    m_running = true;
    emit log(QStringLiteral("demo backends: chat (HTTP+WebSocket) on 127.0.0.1:%1, HTTP on "
                            "127.0.0.1:%2, WebSocket-only on 127.0.0.1:%3")
                 .arg(chatPort())
                 .arg(httpPort())
                 .arg(webSocketOnlyPort()));
    return true;
}

void DemoBackends::stop()
{
    if (!m_running)
        return;
    m_running = false;
    const QList<QWebSocket *> clients = m_clients;
    m_clients.clear();
    m_chatRoom.clear();
    for (QWebSocket *ws : clients) {
        disconnect(ws, nullptr, this, nullptr);
        ws->abort();
        ws->deleteLater();
    }
    for (DemoHttpServer *server : {m_chat, m_http, m_webSocketOnly}) {
        if (server) {
            server->close();
            server->deleteLater();
        }
    }
    m_chat = m_http = m_webSocketOnly = nullptr;
    for (QWebSocketServer *server : {m_chatSockets, m_webSocketOnlySockets}) {
        if (server)
            server->deleteLater();
    }
    m_chatSockets = m_webSocketOnlySockets = nullptr;
}

quint16 DemoBackends::chatPort() const
{
    return m_chat ? m_chat->port() : 0;
}

quint16 DemoBackends::httpPort() const
{
    return m_http ? m_http->port() : 0;
}

quint16 DemoBackends::webSocketOnlyPort() const
{
    return m_webSocketOnly ? m_webSocketOnly->port() : 0;
}

int DemoBackends::webSocketClients() const
{
    return int(m_clients.size());
}

quint64 DemoBackends::httpRequests() const
{
    quint64 total = 0;
    for (DemoHttpServer *server : {m_chat, m_http, m_webSocketOnly}) {
        if (server)
            total += server->requestsServed();
    }
    return total;
}

void DemoBackends::onWebSocketConnection(QWebSocketServer *server, bool broadcastChat)
{
    while (QWebSocket *ws = server->nextPendingConnection()) {
        ws->setParent(this);
        m_clients.append(ws);
        const bool chat = broadcastChat
                          && ws->requestUrl().path().startsWith(QLatin1String("/chat"));
        if (chat)
            m_chatRoom.append(ws);
        connect(ws, &QWebSocket::textMessageReceived, this, [this, ws, chat](const QString &m) {
            ++m_messages;
            if (!chat) {
                ws->sendTextMessage(m);
                return;
            }
            for (QWebSocket *member : std::as_const(m_chatRoom))
                member->sendTextMessage(m);
        });
        connect(ws, &QWebSocket::binaryMessageReceived, this, [this, ws](const QByteArray &m) {
            ++m_messages;
            ws->sendBinaryMessage(m);
        });
        connect(ws, &QWebSocket::disconnected, this, [this, ws] {
            m_clients.removeAll(ws);
            m_chatRoom.removeAll(ws);
            ws->deleteLater();
        });
    }
}

} // namespace Gateway::Demo
