#pragma once

// The demo's in-process backends, all on free loopback ports (port 0):
//  * chat: HTTP + WebSocket. GET /health -> 200 "Healthy", GET / -> a short page; WebSocket
//    upgrades on any path: messages are echoed, and on /chat text messages are broadcast to
//    every /chat client (which includes the sender, so it is also an echo).
//  * http: a plain HTTP server: /health -> 200 "Healthy", / -> a small HTML page,
//    /api/time -> {"time": "...", "epochMs": ...}.
//  * webSocketOnly: a WebSocket echo server that answers every plain GET (/, /health) with
//    404 -- the seeds' probe trap: the gateway's default probe on "/" marks it unhealthy, so
//    requests routed to it get a 502 although the WebSocket server itself works.

#include <QList>
#include <QObject>
#include <QString>

class QWebSocket;
class QWebSocketServer;

namespace Gateway::Demo {

class DemoHttpServer;

class DemoBackends final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoBackends)
public:
    explicit DemoBackends(QObject *parent = nullptr);
    ~DemoBackends() override;

    // Listens on 127.0.0.1, free ports. On failure nothing is left listening.
    bool start(QString *errorString = nullptr);
    void stop();
    bool isRunning() const { return m_running; }

    quint16 chatPort() const;
    quint16 httpPort() const;
    quint16 webSocketOnlyPort() const;

    int webSocketClients() const; // connected WebSocket clients, both WebSocket servers
    quint64 messagesReceived() const { return m_messages; }
    quint64 httpRequests() const;

signals:
    void log(const QString &line);

private:
    void onWebSocketConnection(QWebSocketServer *server, bool broadcastChat);

    DemoHttpServer *m_chat = nullptr;
    DemoHttpServer *m_http = nullptr;
    DemoHttpServer *m_webSocketOnly = nullptr;
    QWebSocketServer *m_chatSockets = nullptr;
    QWebSocketServer *m_webSocketOnlySockets = nullptr;
    QList<QWebSocket *> m_clients;
    QList<QWebSocket *> m_chatRoom;
    quint64 m_messages = 0;
    bool m_running = false;
};

} // namespace Gateway::Demo
