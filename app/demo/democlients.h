#pragma once

// The demo's traffic: WebSocket and HTTP clients that connect through the gateway and keep
// traffic flowing, so the console shows live sessions at once.
//  * "chat"        ws://gateway/chat        sends a chat message every 2-3 s (random)
//  * "heartbeat"   ws://gateway/echo/heartbeat  pings every 5 s
//  * "slow-pinger" ws://gateway/echo/slow   pings every 25 s, against the demo's 20 s request
//    timeout: the gateway drops it and it sees 1006 (the seeds' trap); it reconnects after a
//    few seconds and so keeps demonstrating it. It is on an echo path, not /chat, because the
//    chat broadcasts would be traffic that resets the idle timeout.
//  * "api"         GET http://gateway/api/time every second (path map -> the HTTP pool)
// Every WebSocket client reconnects after reconnectDelayMs when it is closed.

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

class QNetworkAccessManager;
class QTimer;
class QWebSocket;

namespace Gateway::Demo {

struct DemoClientStatus
{
    QString name;
    QString url;
    bool connected = false;
    int messageIntervalMs = 0; // 0: sends no messages
    int pingIntervalMs = 0;    // 0: sends no pings
    quint64 messagesSent = 0;
    quint64 messagesReceived = 0;
    quint64 pingsSent = 0;
    quint64 pongsReceived = 0;
    int connects = 0;
    int lastCloseCode = 0; // as this client saw it (1006: no close frame)
    QString lastCloseReason;
};

class DemoClients final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoClients)
public:
    struct Options
    {
        int chatMinMs = 2000;
        int chatMaxMs = 3000;
        int heartbeatPingMs = 5000;
        int slowPingMs = 25000; // longer than the demo's 20 s request timeout on purpose
        int httpIntervalMs = 1000;
        int reconnectDelayMs = 4000;
    };

    explicit DemoClients(QObject *parent = nullptr);
    ~DemoClients() override;

    void setOptions(const Options &options) { m_options = options; }
    Options options() const { return m_options; }

    // Starts every client against the gateway at host:port (plain HTTP/WS).
    void start(quint16 gatewayPort, const QString &host = QStringLiteral("127.0.0.1"));
    void stop();
    bool isRunning() const { return m_running; }

    QList<DemoClientStatus> status() const;
    quint64 httpResponses() const { return m_httpOk; }
    quint64 httpErrors() const { return m_httpErrors; }
    int lastHttpStatus() const { return m_lastHttpStatus; }

signals:
    void log(const QString &line);
    void clientConnected(const QString &name);
    void clientClosed(const QString &name, int closeCode, const QString &reason);
    void httpResponse(int status);

private:
    struct Client;
    Client *addClient(const QString &name, const QString &path, int messageMinMs, int messageMaxMs,
                      int pingMs);
    void connectClient(Client *client);
    void onClosed(Client *client);
    void sendHttp();

    Options m_options;
    QUrl m_base;
    QList<Client *> m_clients;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_httpTimer = nullptr;
    quint64 m_httpOk = 0;
    quint64 m_httpErrors = 0;
    int m_lastHttpStatus = 0;
    bool m_running = false;
};

} // namespace Gateway::Demo
