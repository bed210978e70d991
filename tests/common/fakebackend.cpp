#include "fakebackend.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QTcpServer>
#include <QTcpSocket>

namespace TestSupport {

bool takeMessage(QByteArray &buf, ReceivedRequest *out)
{
    const qsizetype end = buf.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    ReceivedRequest r;
    r.head = buf.left(end + 4);
    qsizetype pos = end + 4;
    const QByteArray te = r.header("Transfer-Encoding").toLower();
    if (te.contains("chunked")) {
        QByteArray body;
        for (;;) {
            const qsizetype lineEnd = buf.indexOf("\r\n", pos);
            if (lineEnd < 0)
                return false;
            bool ok = false;
            const qint64 size = buf.mid(pos, lineEnd - pos).split(';').first().toLongLong(&ok, 16);
            if (!ok)
                return false;
            pos = lineEnd + 2;
            if (size == 0) {
                const qsizetype trailerEnd = buf.indexOf("\r\n", pos);
                if (trailerEnd < 0)
                    return false;
                pos = trailerEnd + 2;
                break;
            }
            if (buf.size() < pos + size + 2)
                return false;
            body += buf.mid(pos, size);
            pos += size + 2;
        }
        r.body = body;
    } else {
        const qint64 cl = r.header("Content-Length").toLongLong();
        if (buf.size() < pos + cl)
            return false;
        r.body = buf.mid(pos, cl);
        pos += cl;
    }
    r.raw = buf.left(pos);
    buf.remove(0, pos);
    *out = r;
    return true;
}

QByteArray ReceivedRequest::header(const QByteArray &name) const
{
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

FakeBackend::FakeBackend()
{
    m_handler = respondWith(200, "ok");
    m_thread.setObjectName(QStringLiteral("fake-backend"));
    m_thread.start();
    moveToThread(&m_thread);
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_server = new QTcpServer(this);
            m_server->listen(QHostAddress::LocalHost, 0);
            m_port = m_server->serverPort();
            connect(m_server, &QTcpServer::newConnection, this, &FakeBackend::onNewConnection);
        },
        Qt::BlockingQueuedConnection);
}

FakeBackend::~FakeBackend()
{
    QMetaObject::invokeMethod(
        this,
        [this] {
            delete m_server;
            m_server = nullptr;
            moveToThread(nullptr);
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void FakeBackend::setBehaviour(Behaviour behaviour)
{
    QMetaObject::invokeMethod(
        this,
        [this, behaviour] {
            m_behaviour = behaviour;
            if (behaviour == Behaviour::Refuse)
                m_server->close();
        },
        Qt::BlockingQueuedConnection);
}

void FakeBackend::setHandler(Handler handler)
{
    QMutexLocker lock(&m_mutex);
    m_handler = std::move(handler);
}

void FakeBackend::setReplyHandler(ReplyHandler handler)
{
    QMutexLocker lock(&m_mutex);
    m_replyHandler = std::move(handler);
}

void FakeBackend::releasePart()
{
    m_partGate.release();
}

FakeBackend::Handler FakeBackend::respondWith(int status, const QByteArray &body,
                                              const QByteArray &extraHeaders)
{
    return [status, body, extraHeaders](const ReceivedRequest &) -> QByteArray {
        return "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Length: "
               + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
    };
}

QByteArray FakeBackend::allBytes() const
{
    QMutexLocker lock(&m_mutex);
    return m_all;
}

QList<ReceivedRequest> FakeBackend::requests() const
{
    QMutexLocker lock(&m_mutex);
    return m_requests;
}

int FakeBackend::connectionCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_connections;
}

void FakeBackend::clear()
{
    QMutexLocker lock(&m_mutex);
    m_all.clear();
    m_requests.clear();
    m_connections = 0;
}

void FakeBackend::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        {
            QMutexLocker lock(&m_mutex);
            ++m_connections;
        }
        socket->setProperty("buffer", QByteArray());
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void FakeBackend::onReadyRead(QTcpSocket *socket)
{
    const QByteArray data = socket->readAll();
    QByteArray buffer = socket->property("buffer").toByteArray() + data;
    Handler handler;
    ReplyHandler replyHandler;
    {
        QMutexLocker lock(&m_mutex);
        m_all += data;
        handler = m_handler;
        replyHandler = m_replyHandler;
    }
    ReceivedRequest request;
    while (takeMessage(buffer, &request)) {
        {
            QMutexLocker lock(&m_mutex);
            m_requests.append(request);
        }
        if (m_behaviour == Behaviour::Hang)
            continue;
        if (m_behaviour == Behaviour::CloseOnRequest) {
            socket->abort();
            return;
        }
        if (replyHandler) {
            const Reply reply = replyHandler(request);
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // no Nagle between parts
            for (qsizetype i = 0; i < reply.parts.size(); ++i) {
                if (i > 0 && !m_partGate.tryAcquire(1, 5000))
                    qWarning("FakeBackend: part %lld was never released", qlonglong(i));
                socket->write(reply.parts.at(i));
                socket->flush();
            }
            if (reply.closeAfter) {
                socket->disconnectFromHost();
                return;
            }
            continue;
        }
        const QByteArray response = handler(request);
        if (response.isNull()) {
            socket->disconnectFromHost();
            return;
        }
        socket->write(response);
    }
    socket->setProperty("buffer", buffer);
}

QByteArray exchange(quint16 port, const QByteArray &bytes, int timeoutMs, bool *closed)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(bytes);
    socket.waitForBytesWritten(timeoutMs);
    QByteArray response;
    QElapsedTimer timer;
    timer.start();
    bool peerClosed = false;
    while (timer.elapsed() < timeoutMs) {
        if (socket.waitForReadyRead(int(timeoutMs - timer.elapsed())))
            response += socket.readAll();
        if (socket.state() != QAbstractSocket::ConnectedState) {
            response += socket.readAll();
            peerClosed = true;
            break;
        }
    }
    if (closed)
        *closed = peerClosed;
    return response;
}

QByteArray readResponse(QTcpSocket &socket, int timeoutMs)
{
    // Bytes past one response (pipelined answers) are kept on the socket for the next call.
    QByteArray buf = socket.property("appgw_pending").toByteArray();
    socket.setProperty("appgw_pending", QByteArray());
    const auto keepRest = [&socket](const QByteArray &all, qsizetype used) {
        socket.setProperty("appgw_pending", all.mid(used));
        return all.left(used);
    };
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        const qsizetype end = buf.indexOf("\r\n\r\n");
        if (end >= 0) {
            const QByteArray head = buf.left(end + 4);
            ReceivedRequest parsed;
            parsed.head = head;
            const int status = head.mid(9, 3).toInt();
            qint64 need = -1;
            if (status < 200 && status != 101) {
                buf.remove(0, end + 4); // interim response: skip it
                continue;
            }
            if (status == 101 || status == 204 || status == 304)
                return keepRest(buf, end + 4);
            if (parsed.header("Transfer-Encoding").toLower().contains("chunked")) {
                if (buf.mid(end + 4).startsWith("0\r\n\r\n"))
                    return keepRest(buf, end + 4 + 5);
                const qsizetype last = buf.indexOf("\r\n0\r\n\r\n", end);
                if (last >= 0)
                    return keepRest(buf, last + 7);
            } else {
                need = parsed.header("Content-Length").toLongLong();
                if (buf.size() >= end + 4 + need)
                    return keepRest(buf, end + 4 + need);
            }
        }
        if (timer.elapsed() > timeoutMs)
            return buf;
        if (socket.bytesAvailable() == 0
            && !socket.waitForReadyRead(int(timeoutMs - timer.elapsed()))) {
            buf += socket.readAll();
            if (socket.state() != QAbstractSocket::ConnectedState)
                return buf;
            continue;
        }
        buf += socket.readAll();
    }
}

} // namespace TestSupport
