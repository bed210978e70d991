#include "tls/tlsacceptor.h"

#include "http/errorpage.h"
#include "net/sslstream.h"
#include "tls/certificatestore.h"
#include "tls/clientauth.h"
#include "tls/clienthello.h"

#include <QDateTime>
#include <QJsonObject>
#include <QPointer>
#include <QSslSocket>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Gateway::Tls {

namespace {

std::atomic<quint64> g_failedHandshakes{0};

QString peerOf(int fd)
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0)
        return {};
    QHostAddress address(reinterpret_cast<sockaddr *>(&ss));
    const quint16 port = ss.ss_family == AF_INET6
                             ? ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port)
                             : ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
    return address.toString() + QLatin1Char(':') + QString::number(port);
}

} // namespace

TlsAcceptor *TlsAcceptor::accept(int descriptor, int frontendPort,
                                 std::shared_ptr<const CertificateStore> store, Hooks hooks,
                                 QObject *parent, int handshakeTimeoutMs)
{
    auto *acceptor = new TlsAcceptor(descriptor, frontendPort, std::move(store), std::move(hooks),
                                     parent);
    QPointer<TlsAcceptor> guard(acceptor); // peek() may finish it at once
    acceptor->m_handshakeTimeoutMs = handshakeTimeoutMs;
    acceptor->m_deadlineMs = acceptor->nowMs() + handshakeTimeoutMs;
    if (acceptor->m_dispatcher) {
        acceptor->m_dispatcher->addFd(descriptor, acceptor, EPOLLIN | EPOLLRDHUP | EPOLLET);
        acceptor->peek();
    } else {
        // Not on an epoll worker (cannot wait for more bytes edge-triggered): no SNI peek.
        acceptor->startTls(QString());
    }
    return guard.data();
}

TlsAcceptor::TlsAcceptor(int descriptor, int frontendPort,
                         std::shared_ptr<const CertificateStore> store, Hooks hooks,
                         QObject *parent)
    : QObject(parent)
    , m_fd(descriptor)
    , m_frontendPort(frontendPort)
    , m_store(std::move(store))
    , m_hooks(std::move(hooks))
    , m_dispatcher(Net::EpollEventDispatcher::current())
{
    const int flags = ::fcntl(descriptor, F_GETFL);
    ::fcntl(descriptor, F_SETFL, flags | O_NONBLOCK);
    m_peer = peerOf(descriptor);
}

qint64 TlsAcceptor::nowMs() const
{
    return m_hooks.now ? m_hooks.now() : QDateTime::currentMSecsSinceEpoch();
}

void TlsAcceptor::checkTimeout(qint64 now)
{
    if (m_state == State::Done || now < m_deadlineMs)
        return;
    if (m_state == State::Lingering)
        finish();
    else
        fail(QStringLiteral("timeout"),
             QStringLiteral("no TLS handshake within %1 ms").arg(m_handshakeTimeoutMs));
}

TlsAcceptor::~TlsAcceptor()
{
    if (m_fd >= 0) {
        if (m_dispatcher)
            m_dispatcher->removeFd(m_fd);
        ::close(m_fd);
    }
    delete m_stream;
}

void TlsAcceptor::ioEvent(quint32 events)
{
    Q_UNUSED(events);
    if (m_state == State::Peeking)
        peek();
    else if (m_state == State::Lingering)
        lingerRead();
}

void TlsAcceptor::peek()
{
    char buffer[MaxClientHelloBytes];
    ssize_t n;
    do {
        n = ::recv(m_fd, buffer, sizeof buffer, MSG_PEEK);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        fail(QStringLiteral("reset"), QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
    if (n == 0) {
        fail(QStringLiteral("closedBeforeHandshake"));
        return;
    }
    const ClientHelloInfo info = parseClientHello(QByteArrayView(buffer, n));
    switch (info.status) {
    case ClientHelloInfo::Status::NotTls:
        if (static_cast<unsigned char>(buffer[0]) == 0x80)
            fail(QStringLiteral("unsupportedProtocol"), QStringLiteral("an SSLv2 ClientHello"));
        else
            rejectPlainHttp();
        return;
    case ClientHelloInfo::Status::NeedMore:
        if (n >= MaxClientHelloBytes)
            startTls(QString());
        return; // the next edge brings more
    case ClientHelloInfo::Status::Invalid:
        startTls(QString()); // OpenSSL answers with the right alert
        return;
    case ClientHelloInfo::Status::Complete: startTls(info.serverName); return;
    }
}

void TlsAcceptor::startTls(const QString &serverName)
{
    m_serverName = serverName;
    const ListenerTls *listener = m_store ? m_store->select(m_frontendPort, serverName) : nullptr;
    if (!listener) {
        fail(serverName.isEmpty() ? QStringLiteral("serverNameRequired")
                                  : QStringLiteral("unknownServerName"),
             QStringLiteral("no listener on frontend port %1 serves %2")
                 .arg(m_frontendPort)
                 .arg(serverName.isEmpty() ? QStringLiteral("a client without SNI") : serverName));
        return;
    }
    m_listener = listener->listener;
    m_clientAuth = listener->clientAuth;
    if (m_dispatcher)
        m_dispatcher->removeFd(m_fd);
    m_state = State::Handshaking;
    QString error;
    const int fd = std::exchange(m_fd, -1);
    m_stream = Net::SslStream::serverFromDescriptor(fd, listener->configuration, this, &error);
    if (!m_stream) {
        fail(QStringLiteral("socket"), error);
        return;
    }
    m_stream->servedCertificate = listener->certificateName;
}

void TlsAcceptor::rejectPlainHttp()
{
    m_state = State::Lingering;
    // Consume what the client sent (closing with unread input would reset the connection and
    // could destroy the answer), answer, half-close, then read until the client closes.
    char sink[4096];
    while (::recv(m_fd, sink, sizeof sink, 0) > 0) {
    }
    const QByteArray page = Http::plainHttpToHttpsPortResponse();
    [[maybe_unused]] const ssize_t sent = ::send(m_fd, page.constData(), size_t(page.size()),
                                                 MSG_NOSIGNAL);
    ::shutdown(m_fd, SHUT_WR);
    ++g_failedHandshakes;
    if (m_hooks.event) {
        m_hooks.event(
            {m_hooks.now ? m_hooks.now() : 0, QStringLiteral("tls.handshakeFailed"),
             QJsonObject{{QStringLiteral("frontendPort"), m_frontendPort},
                         {QStringLiteral("client"), m_peer},
                         {QStringLiteral("reason"), QStringLiteral("plainHttp")},
                         {QStringLiteral("detail"),
                          QStringLiteral("400 The plain HTTP request was sent to HTTPS port")},
                         {QStringLiteral("failedHandshakes"), qint64(g_failedHandshakes.load())}}});
    }
    m_deadlineMs = nowMs() + 1'000; // linger at most this long
}

void TlsAcceptor::lingerRead()
{
    char sink[4096];
    for (;;) {
        const ssize_t n = ::recv(m_fd, sink, sizeof sink, 0);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        finish(); // EOF or error
        return;
    }
}

void TlsAcceptor::streamEvent(Net::Stream *stream, Event event)
{
    if (stream != m_stream || m_state != State::Handshaking)
        return;
    if (event == Event::Connected) {
        m_state = State::Done;
        if (m_clientAuth) {
            // Verified once per connection; every request on it is answered accordingly.
            const QSslSocket *socket = m_stream->socket();
            m_stream->clientCertificate = std::make_shared<const ClientCertificate>(
                verifyClientCertificate(*m_clientAuth, socket->peerCertificate(),
                                        socket->peerCertificateChain(),
                                        QDateTime::fromMSecsSinceEpoch(nowMs(), Qt::UTC)));
        }
        Net::Stream *ready = std::exchange(m_stream, nullptr);
        ready->setOwner(nullptr);
        if (m_hooks.ready)
            m_hooks.ready(ready);
        else
            delete ready;
        finish();
    } else if (event == Event::Closed) {
        fail(QStringLiteral("handshake"), stream->errorString());
    }
}

void TlsAcceptor::fail(const QString &reason, const QString &detail)
{
    if (m_state == State::Done)
        return;
    ++g_failedHandshakes;
    if (m_hooks.event) {
        QJsonObject fields{{QStringLiteral("frontendPort"), m_frontendPort},
                           {QStringLiteral("client"), m_peer},
                           {QStringLiteral("reason"), reason}};
        if (!m_serverName.isEmpty())
            fields.insert(QStringLiteral("serverName"), m_serverName);
        if (!m_listener.isEmpty())
            fields.insert(QStringLiteral("listener"), m_listener);
        if (!detail.isEmpty())
            fields.insert(QStringLiteral("detail"), detail);
        fields.insert(QStringLiteral("failedHandshakes"), qint64(g_failedHandshakes.load()));
        m_hooks.event({m_hooks.now ? m_hooks.now() : 0, QStringLiteral("tls.handshakeFailed"),
                       fields});
    }
    finish();
}

void TlsAcceptor::finish()
{
    m_state = State::Done;
    if (m_fd >= 0) {
        if (m_dispatcher)
            m_dispatcher->removeFd(m_fd);
        ::close(std::exchange(m_fd, -1));
    }
    if (m_stream) {
        m_stream->close(); // its QSslSocket goes with deleteLater; safe inside its signals
        delete std::exchange(m_stream, nullptr);
    }
    deleteLater();
}

} // namespace Gateway::Tls
