#pragma once

// A loopback HTTP backend whose reply each test scripts: status and body, chunked or until-close
// framing, hang (never answer), close mid-response, close without answering. Records every
// request head it receives. Listens on 127.0.0.1 port 0.
// (Header-only and Q_OBJECT-free so both health test units can include it.)

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

class ScriptedHttpBackend final : public QTcpServer
{
public:
    enum class Mode { Respond, Chunked, UntilClose, Hang, CloseMidResponse, CloseWithoutAnswer };

    int status = 200;
    QByteArray body = "OK";
    Mode mode = Mode::Respond;
    QList<QByteArray> requests; // request heads, in arrival order

    explicit ScriptedHttpBackend(QObject *parent = nullptr) : QTcpServer(parent)
    {
        listen(QHostAddress::LocalHost, 0);
    }

    quint16 port() const { return serverPort(); }
    QString address() const { return QStringLiteral("127.0.0.1:") + QString::number(serverPort()); }

    QByteArray header(int request, const QByteArray &name) const
    {
        const QList<QByteArray> lines = requests.value(request).split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
    QByteArray lastHost() const { return header(int(requests.size()) - 1, "Host"); }
    QByteArray requestLine(int request) const
    {
        return requests.value(request).split('\r').value(0);
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        socket->setSocketDescriptor(descriptor);
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            *buffer += socket->readAll();
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            requests.append(buffer->left(end + 4));
            buffer->clear();
            reply(socket);
        });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

private:
    QByteArray statusLine() const
    {
        return "HTTP/1.1 " + QByteArray::number(status) + " Scripted\r\n";
    }

    void reply(QTcpSocket *socket)
    {
        switch (mode) {
        case Mode::Hang: return;
        case Mode::CloseWithoutAnswer: socket->disconnectFromHost(); return;
        case Mode::Respond:
            socket->write(statusLine() + "Content-Length: " + QByteArray::number(body.size())
                          + "\r\nConnection: close\r\n\r\n" + body);
            break;
        case Mode::UntilClose:
            socket->write(statusLine() + "Connection: close\r\n\r\n" + body);
            break;
        case Mode::Chunked: {
            QByteArray out = statusLine()
                             + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            // Split into chunks of 7 bytes to exercise the decoder.
            for (qsizetype i = 0; i < body.size(); i += 7) {
                const QByteArray part = body.mid(i, 7);
                out += QByteArray::number(part.size(), 16) + "\r\n" + part + "\r\n";
            }
            out += "0\r\n\r\n";
            socket->write(out);
            break;
        }
        case Mode::CloseMidResponse:
            socket->write(statusLine() + "Content-Length: " + QByteArray::number(body.size() + 100)
                          + "\r\nConnection: close\r\n\r\n" + body);
            break;
        }
        socket->disconnectFromHost();
    }
};

// A loopback port nobody listens on: bound, then closed.
inline quint16 refusedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}
