#include "demo/demohttpserver.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocketServer>

namespace Gateway::Demo {

namespace {

constexpr qsizetype MaxHead = 16 * 1024;
constexpr qint64 MaxBody = 1024 * 1024;

bool parseHead(const QByteArray &head, DemoRequest &request)
{
    const QList<QByteArray> lines = head.split('\n');
    if (lines.isEmpty())
        return false;
    const QList<QByteArray> parts = lines.first().trimmed().split(' ');
    if (parts.size() != 3 || !parts.at(2).startsWith("HTTP/1."))
        return false;
    request.method = parts.at(0);
    request.target = parts.at(1);
    request.version = parts.at(2);
    const qsizetype q = request.target.indexOf('?');
    request.path = q < 0 ? request.target : request.target.left(q);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return false;
        request.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    return true;
}

bool isUpgrade(const DemoRequest &r)
{
    return r.method == "GET" && r.headers.value("upgrade").toLower() == "websocket"
           && r.headers.value("connection").toLower().contains("upgrade");
}

} // namespace

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 426: return "Upgrade Required";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

DemoHttpServer::DemoHttpServer(QString name, Handler handler, QObject *parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_handler(std::move(handler))
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &DemoHttpServer::onNewConnection);
}

DemoHttpServer::~DemoHttpServer() = default;

bool DemoHttpServer::listen(const QHostAddress &address, quint16 port)
{
    return m_server->listen(address, port);
}

void DemoHttpServer::close()
{
    m_server->close();
}

quint16 DemoHttpServer::port() const
{
    return m_server->serverPort();
}

QString DemoHttpServer::errorString() const
{
    return m_server->errorString();
}

void DemoHttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        if (socket->bytesAvailable() > 0)
            onReadyRead(socket);
    }
}

void DemoHttpServer::onReadyRead(QTcpSocket *socket)
{
    // Several requests may be pipelined on a keep-alive connection.
    while (socket->state() == QAbstractSocket::ConnectedState && socket->bytesAvailable() > 0) {
        const QByteArray peeked = socket->peek(std::min<qint64>(socket->bytesAvailable(),
                                                                MaxHead + 4));
        const qsizetype end = peeked.indexOf("\r\n\r\n");
        if (end < 0) {
            if (peeked.size() > MaxHead) {
                socket->write("HTTP/1.1 431 Request Header Fields Too Large\r\n"
                              "Content-Length: 0\r\nConnection: close\r\n\r\n");
                socket->disconnectFromHost();
            }
            return; // wait for the rest of the head
        }
        DemoRequest request;
        request.peer = socket->peerAddress();
        if (!parseHead(peeked.left(end), request)) {
            socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n");
            socket->disconnectFromHost();
            return;
        }
        if (isUpgrade(request) && m_webSocketServer) {
            // Hand over the untouched socket: QWebSocketServer reads the handshake itself.
            disconnect(socket, nullptr, this, nullptr);
            disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            socket->setParent(nullptr);
            ++m_requests;
            emit requestServed(request.method, request.path, 101);
            m_webSocketServer->handleConnection(socket);
            return;
        }
        const qint64 bodyLength = request.headers.value("content-length", "0").toLongLong();
        if (bodyLength < 0 || bodyLength > MaxBody
            || request.headers.contains("transfer-encoding")) {
            socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n");
            socket->disconnectFromHost();
            return;
        }
        if (socket->bytesAvailable() < end + 4 + bodyLength)
            return; // wait for the body
        socket->read(end + 4 + bodyLength);

        const DemoResponse response = m_handler ? m_handler(request) : DemoResponse{404, {}, {}};
        const QByteArray connection = request.headers.value("connection").toLower();
        const bool close = connection.contains("close")
                           || (request.version == "HTTP/1.0" && !connection.contains("keep-alive"));
        QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' '
                         + reasonPhrase(response.status) + "\r\n";
        out += "Server: appgw-demo-" + m_name.toLatin1() + "\r\n";
        if (!response.body.isEmpty() || response.status != 204)
            out += "Content-Type: " + response.contentType + "\r\n";
        out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
        out += close ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
        out += "\r\n";
        if (request.method != "HEAD")
            out += response.body;
        socket->write(out);
        ++m_requests;
        emit requestServed(request.method, request.path, response.status);
        if (close) {
            socket->disconnectFromHost();
            return;
        }
    }
}

} // namespace Gateway::Demo
