#pragma once

// A small HTTP/1.1 server for the demo backends: answers plain requests through a handler and,
// when given a QWebSocketServer, hands WebSocket upgrade requests to it untouched (the request
// head is only peeked, so QWebSocketServer::handleConnection() reads the handshake itself).
// A QWebSocketServer alone cannot answer a plain GET /health, which a gateway probe needs.

#include <QByteArray>
#include <QHostAddress>
#include <QMap>
#include <QObject>

#include <functional>

class QTcpServer;
class QTcpSocket;
class QWebSocketServer;

namespace Gateway::Demo {

struct DemoRequest
{
    QByteArray method;
    QByteArray target;                    // as sent: path and query
    QByteArray path;                      // without the query
    QByteArray version;                   // HTTP/1.1
    QMap<QByteArray, QByteArray> headers; // names lower-cased
    QHostAddress peer;
};

struct DemoResponse
{
    int status = 200;
    QByteArray contentType = "text/plain; charset=utf-8";
    QByteArray body;
};

class DemoHttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoHttpServer)
public:
    using Handler = std::function<DemoResponse(const DemoRequest &)>;

    explicit DemoHttpServer(QString name, Handler handler, QObject *parent = nullptr);
    ~DemoHttpServer() override;

    // Upgrade requests go here; without one they are answered by the handler like any GET.
    void setWebSocketServer(QWebSocketServer *server) { m_webSocketServer = server; }

    bool listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    void close();
    quint16 port() const;
    QString name() const { return m_name; }
    QString errorString() const;
    quint64 requestsServed() const { return m_requests; }

signals:
    void requestServed(const QByteArray &method, const QByteArray &path, int status);

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);

    QString m_name;
    Handler m_handler;
    QTcpServer *m_server;
    QWebSocketServer *m_webSocketServer = nullptr; // not owned
    quint64 m_requests = 0;
};

QByteArray reasonPhrase(int status);

} // namespace Gateway::Demo
