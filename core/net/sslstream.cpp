#include "net/sslstream.h"

#include "net/tcpstream.h"

#include <QSslCipher>
#include <QSslSocket>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Gateway::Net {

namespace {

constexpr qint64 ReadBufferSize = 256 * 1024; // QSslSocket stops reading the kernel above this

} // namespace

SslStream::SslStream() = default;

SslStream::~SslStream()
{
    close();
}

SslStream *SslStream::serverFromDescriptor(int fd, const QSslConfiguration &configuration,
                                           StreamOwner *owner, QString *error)
{
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto *stream = new SslStream;
    stream->setOwner(owner);
    stream->m_socket = new QSslSocket;
    if (!stream->m_socket->setSocketDescriptor(fd)) {
        if (error)
            *error = stream->m_socket->errorString();
        ::close(fd);
        delete stream;
        return nullptr;
    }
    stream->m_socket->setReadBufferSize(ReadBufferSize);
    stream->m_socket->setSslConfiguration(configuration);
    stream->peerAddress = stream->m_socket->peerAddress();
    stream->peerPort = stream->m_socket->peerPort();
    stream->localPort = stream->m_socket->localPort();
    stream->wire();
    stream->m_socket->startServerEncryption();
    return stream;
}

SslStream *SslStream::connectTo(const QString &host, quint16 port, const QString &peerName,
                                const QSslConfiguration &configuration, StreamOwner *owner,
                                const QList<QSslCertificate> &allowedPeers)
{
    auto *stream = new SslStream;
    stream->setOwner(owner);
    stream->m_allowedPeers = allowedPeers;
    stream->m_socket = new QSslSocket;
    stream->m_socket->setReadBufferSize(ReadBufferSize);
    stream->m_socket->setSslConfiguration(configuration);
    stream->peerAddress = QHostAddress(host);
    stream->peerPort = port;
    stream->wire();
    stream->m_socket->connectToHostEncrypted(host, port, peerName.isEmpty() ? host : peerName);
    return stream;
}

void SslStream::wire()
{
    QSslSocket *s = m_socket;
    QObject::connect(s, &QSslSocket::encrypted, s, [this] { onEncrypted(); });
    QObject::connect(s, &QSslSocket::readyRead, s, [this] { onReadyRead(); });
    QObject::connect(s, &QSslSocket::bytesWritten, s, [this] { onBytesWritten(); });
    QObject::connect(s, &QSslSocket::encryptedBytesWritten, s, [this] { onBytesWritten(); });
    QObject::connect(s, &QSslSocket::disconnected, s, [this] { onDisconnected(); });
    QObject::connect(s, &QSslSocket::errorOccurred, s, [this] { onError(); });
    QObject::connect(s, &QSslSocket::sslErrors, s, [this](const QList<QSslError> &errors) {
        m_sslErrors = errors;
        QStringList texts;
        for (const QSslError &e : errors)
            texts.append(e.errorString());
        m_error = texts.join(QStringLiteral("; "));
    });
}

void SslStream::onEncrypted()
{
    if (!m_allowedPeers.isEmpty() && !m_allowedPeers.contains(m_socket->peerCertificate())) {
        // A failed handshake, as far as the owner can tell: Closed before Connected.
        m_failed = true;
        m_closeNotified = true;
        m_error = QStringLiteral("the backend's certificate (%1) is not one of the backend "
                                 "setting's authentication certificates")
                      .arg(m_socket->peerCertificate().subjectDisplayName());
        m_socket->disconnect();
        m_socket->abort();
        notify(StreamOwner::Event::Closed);
        return;
    }
    m_connected = true;
    if (!m_socket->peerAddress().isNull()) {
        peerAddress = m_socket->peerAddress();
        peerPort = m_socket->peerPort();
    }
    localPort = m_socket->localPort();
    notify(StreamOwner::Event::Connected);
}

void SslStream::onReadyRead()
{
    if (!m_connected)
        return;
    if (!m_readEnabled) {
        m_readPending = true;
        return;
    }
    notify(StreamOwner::Event::Readable);
}

void SslStream::onBytesWritten()
{
    if (!m_hadOutput || bytesToWrite() > 0)
        return;
    m_hadOutput = false;
    notify(StreamOwner::Event::Drained);
}

void SslStream::onDisconnected()
{
    if (!m_connected) {
        if (m_closeNotified)
            return;
        m_closeNotified = true;
        if (m_error.isEmpty())
            m_error = m_socket->errorString();
        notify(StreamOwner::Event::Closed);
        return;
    }
    m_peerClosed = true;
    if (!m_readEnabled) {
        m_readPending = true;
        return;
    }
    notify(StreamOwner::Event::Readable);
}

void SslStream::onError()
{
    const QAbstractSocket::SocketError error = m_socket->error();
    if (!m_connected) {
        if (m_closeNotified)
            return;
        m_closeNotified = true;
        m_failed = true;
        if (m_error.isEmpty())
            m_error = m_socket->errorString();
        notify(StreamOwner::Event::Closed);
        return;
    }
    if (error == QAbstractSocket::RemoteHostClosedError)
        return; // disconnected() follows
    m_failed = true;
    if (m_error.isEmpty())
        m_error = m_socket->errorString();
    if (!m_readEnabled) {
        m_readPending = true;
        return;
    }
    notify(StreamOwner::Event::Readable);
}

qsizetype SslStream::read(char *buffer, qsizetype max)
{
    if (m_closed || !m_socket)
        return Failed;
    if (m_socket->bytesAvailable() > 0) {
        const qint64 n = m_socket->read(buffer, max);
        if (n > 0)
            return qsizetype(n);
    }
    if (m_failed)
        return Failed;
    if (m_peerClosed || m_socket->state() == QAbstractSocket::UnconnectedState)
        return m_connected ? EndOfStream : WouldBlock;
    return WouldBlock;
}

bool SslStream::write(QByteArrayView bytes)
{
    if (m_closed || !m_socket || m_failed || m_shutdownPending)
        return false;
    if (bytes.isEmpty())
        return true;
    if (m_socket->write(bytes.data(), bytes.size()) != bytes.size()) {
        m_error = m_socket->errorString();
        return false;
    }
    m_hadOutput = true;
    return true;
}

qsizetype SslStream::bytesToWrite() const
{
    if (!m_socket)
        return 0;
    return qsizetype(m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite());
}

void SslStream::shutdownWrite()
{
    if (m_closed || !m_socket || m_shutdownPending)
        return;
    m_shutdownPending = true;
    // TLS has no half-close in QSslSocket: close_notify after the pending output, then the
    // connection closes (disconnected -> Readable -> read() gives EndOfStream).
    m_socket->disconnectFromHost();
}

void SslStream::close()
{
    if (m_closed)
        return;
    m_closed = true;
    if (!m_socket)
        return;
    QSslSocket *socket = std::exchange(m_socket, nullptr);
    socket->disconnect();
    socket->abort();
    // We may be inside one of its signals: delete it once control is back in the event loop.
    socket->deleteLater();
}

void SslStream::setReadEnabled(bool enabled)
{
    if (m_readEnabled == enabled)
        return;
    m_readEnabled = enabled;
    if (enabled && (m_readPending || (m_socket && m_socket->bytesAvailable() > 0))) {
        m_readPending = false;
        notify(StreamOwner::Event::Readable);
    }
}

QByteArray SslStream::tlsProtocol() const
{
    if (!m_socket || !m_connected)
        return {};
    switch (m_socket->sessionProtocol()) {
    case QSsl::TlsV1_3: return QByteArrayLiteral("TLSv1.3");
    case QSsl::TlsV1_2:
        return QByteArrayLiteral("TLSv1.2");
        QT_WARNING_PUSH
        QT_WARNING_DISABLE_DEPRECATED
    case QSsl::TlsV1_1: return QByteArrayLiteral("TLSv1.1");
    case QSsl::TlsV1_0: return QByteArrayLiteral("TLSv1"); QT_WARNING_POP
    default: return {};
    }
}

QByteArray SslStream::tlsCipher() const
{
    if (!m_socket || !m_connected)
        return {};
    return m_socket->sessionCipher().name().toLatin1();
}

qint64 SslStream::tcpRttUs() const
{
    return m_socket ? tcpRttOf(int(m_socket->socketDescriptor())) : -1;
}

} // namespace Gateway::Net
