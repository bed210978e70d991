#include "health/http/httpprobe.h"

#include "net/clock.h"
#include "net/hostaddresses.h"

#include <QHostInfo>
#include <QMetaObject>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>

namespace Gateway::Health {

namespace {

// RFC 6761 §6.4: names under .invalid never resolve; answer at once instead of asking DNS.
bool isReservedInvalidName(const QString &name)
{
    return name.endsWith(QLatin1String(".invalid"), Qt::CaseInsensitive)
           || name.compare(QLatin1String("invalid"), Qt::CaseInsensitive) == 0;
}

QByteArray hostForHeader(const QString &host)
{
    // An IPv6 literal goes in brackets.
    if (host.contains(QLatin1Char(':')) && !host.startsWith(QLatin1Char('[')))
        return '[' + host.toUtf8() + ']';
    return host.toUtf8();
}

} // namespace

HttpProbe::HttpProbe(const ProbeSpec &spec, Net::Clock *clock, QObject *parent)
    : HealthProbe(parent), m_spec(spec), m_clock(clock ? clock : Net::SystemClock::instance())
{
    if (m_spec.path.isEmpty() || !m_spec.path.startsWith(QLatin1Char('/')))
        m_spec.path.prepend(QLatin1Char('/'));
}

HttpProbe::~HttpProbe()
{
    teardown();
}

QByteArray HttpProbe::requestBytes() const
{
    QByteArray request;
    request += "GET " + m_spec.path.toUtf8() + " HTTP/1.1\r\n";
    request += "Host: " + hostForHeader(m_spec.hostHeader) + "\r\n";
    request += "User-Agent: " + userAgent() + "\r\n";
    request += "Accept: */*\r\n";
    request += "Connection: close\r\n\r\n";
    return request;
}

void HttpProbe::start()
{
    if (m_phase != Phase::Idle)
        return;
    m_startMs = m_clock->nowMs();
    m_timeoutId = m_clock->schedule(m_startMs + std::max(1, m_spec.timeoutMs), this, [this] {
        m_timeoutId = 0;
        fail(Messages::timeout(), m_status);
    });

    QHostAddress address;
    const QString host = m_spec.connectHost;
    if (address.setAddress(host)) {
        // Connect from the event loop, so the completion never runs inside start().
        m_phase = Phase::Connecting;
        QMetaObject::invokeMethod(
            this,
            [this, address] {
                if (m_phase == Phase::Connecting)
                    connectTo(address);
            },
            Qt::QueuedConnection);
        return;
    }
    m_phase = Phase::Resolving;
    if (m_resolver || host.isEmpty() || isReservedInvalidName(host)) {
        // From the event loop, so the completion never runs inside start().
        QMetaObject::invokeMethod(
            this,
            [this, host] {
                if (m_phase != Phase::Resolving)
                    return;
                onResolved(m_resolver && !host.isEmpty() ? m_resolver(host) : QList<QHostAddress>());
            },
            Qt::QueuedConnection);
        return;
    }
    m_lookupId = QHostInfo::lookupHost(host, this,
                                       [this](const QHostInfo &info) { onLookup(info); });
}

void HttpProbe::cancel()
{
    markCancelled();
    m_phase = Phase::Done;
    teardown();
}

void HttpProbe::onLookup(const QHostInfo &info)
{
    m_lookupId = -1;
    if (m_phase != Phase::Resolving)
        return;
    onResolved(info.error() == QHostInfo::NoError ? info.addresses() : QList<QHostAddress>());
}

QHostAddress HttpProbe::preferred(const QList<QHostAddress> &addresses)
{
    return Net::preferredAddress(addresses);
}

void HttpProbe::onResolved(const QList<QHostAddress> &addresses)
{
    if (m_phase != Phase::Resolving)
        return;
    QHostAddress chosen = preferred(addresses);
    if (chosen.isNull()) {
        // Azure keeps the last-known-good address when DNS fails; without one: the DNS detail.
        chosen = preferred(m_lastKnown);
        if (chosen.isNull()) {
            fail(Messages::dns(), 0, true);
            return;
        }
        m_usedLastKnown = true;
    }
    m_phase = Phase::Connecting;
    connectTo(chosen);
}

void HttpProbe::connectTo(const QHostAddress &address)
{
    m_address = address;
    const bool tls = m_spec.scheme.compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
    if (tls) {
        if (!QSslSocket::supportsSsl()) {
            fail(Messages::connect());
            return;
        }
        auto *ssl = new QSslSocket(this);
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        if (!m_spec.trustedRoots.isEmpty())
            config.setCaCertificates(m_spec.trustedRoots);
        config.setPeerVerifyMode(m_spec.authenticationCertificates.isEmpty()
                                     ? QSslSocket::VerifyPeer
                                     : QSslSocket::VerifyNone);
        ssl->setSslConfiguration(config);
        ssl->setPeerVerifyName(m_spec.hostHeader);
        QObject::connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            // v1 authenticationCertificates: the listed leaf decides (onConnected), not the chain
            // or the name, as for requests. Qt reports the errors under VerifyNone too.
            if (!m_spec.authenticationCertificates.isEmpty())
                return;
            QString message = messageForSslErrors(errors);
            fail(message.isEmpty() ? Messages::untrustedRoot() : message);
        });
        QObject::connect(ssl, &QSslSocket::encrypted, this, &HttpProbe::onConnected);
        m_socket = ssl;
    } else {
        m_socket = new QTcpSocket(this);
        QObject::connect(m_socket, &QTcpSocket::connected, this, &HttpProbe::onConnected);
    }
    QObject::connect(m_socket, &QTcpSocket::readyRead, this, &HttpProbe::onReadyRead);
    QObject::connect(m_socket, &QTcpSocket::disconnected, this, &HttpProbe::onEof);
    QObject::connect(m_socket, &QTcpSocket::errorOccurred, this,
                     [this](QAbstractSocket::SocketError error) {
                         if (m_phase == Phase::Done)
                             return;
                         if (error == QAbstractSocket::RemoteHostClosedError
                             && (m_phase == Phase::Headers || m_phase == Phase::Body)) {
                             onReadyRead();
                             onEof();
                             return;
                         }
                         // Refused, unreachable, reset, TLS handshake failure without a certificate verdict.
                         fail(Messages::connect(), m_status);
                     });

    if (tls) {
        // SNI and verification use the probe host; the TCP connection goes to the mapped address.
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(address.toString(),
                                                                    m_spec.connectPort,
                                                                    m_spec.hostHeader);
    } else {
        m_socket->connectToHost(address, m_spec.connectPort);
    }
}

void HttpProbe::onConnected()
{
    if (m_phase != Phase::Connecting)
        return;
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket);
        ssl && !m_spec.authenticationCertificates.isEmpty()
        && !m_spec.authenticationCertificates.contains(ssl->peerCertificate())) {
        fail(Messages::notAllowlisted());
        return;
    }
    m_phase = Phase::Headers;
    m_socket->write(requestBytes());
}

void HttpProbe::onReadyRead()
{
    if (m_phase != Phase::Headers && m_phase != Phase::Body)
        return;
    m_buffer += m_socket->readAll();
    if (m_phase == Phase::Headers && !parseHeaders())
        return;
    if (m_phase == Phase::Body)
        consumeBody();
}

bool HttpProbe::parseHeaders()
{
    for (;;) {
        qsizetype end = m_buffer.indexOf("\r\n\r\n");
        qsizetype sepLen = 4;
        const qsizetype lfEnd = m_buffer.indexOf("\n\n");
        if (lfEnd >= 0 && (end < 0 || lfEnd < end)) {
            end = lfEnd;
            sepLen = 2;
        }
        if (end < 0 ? m_buffer.size() > MaxHeaderBytes : end > MaxHeaderBytes) {
            fail(Messages::connect()); // header section over the bound: not a response we accept
            return false;
        }
        if (end < 0)
            return false;
        const QByteArray head = m_buffer.left(end);
        m_buffer.remove(0, end + sepLen);
        const QList<QByteArray> lines = head.split('\n');
        const QByteArray statusLine = lines.value(0).trimmed();
        // HTTP/1.x SP 3DIGIT [SP reason]
        const QList<QByteArray> parts = statusLine.split(' ');
        bool ok = false;
        const int status = parts.size() >= 2 ? parts.at(1).toInt(&ok) : 0;
        if (!statusLine.startsWith("HTTP/1.") || !ok || status < 100 || status > 999) {
            fail(Messages::connect());
            return false;
        }
        if (status >= 100 && status < 200 && status != 101)
            continue; // interim response (100 Continue, 103 Early Hints): the final one follows
        m_status = status;
        m_framing = Framing::UntilClose;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "transfer-encoding" && value.toLower().contains("chunked")) {
                m_framing = Framing::Chunked;
                m_remaining = 0;
            } else if (name == "content-length" && m_framing != Framing::Chunked) {
                bool lengthOk = false;
                const qint64 length = value.toLongLong(&lengthOk);
                if (!lengthOk || length < 0) {
                    fail(Messages::connect(), m_status);
                    return false;
                }
                m_framing = Framing::Length;
                m_remaining = length;
            }
        }
        if (status == 204 || status == 304 || status == 101)
            m_framing = Framing::None;
        m_phase = Phase::Body;
        return true;
    }
}

void HttpProbe::consumeBody()
{
    while (m_phase == Phase::Body) {
        if (m_body.size() >= MaxBodyBytes) {
            m_body.truncate(MaxBodyBytes);
            evaluate(); // the bound: match within what was read
            return;
        }
        switch (m_framing) {
        case Framing::None: evaluate(); return;
        case Framing::UntilClose:
            m_body += m_buffer;
            m_buffer.clear();
            if (m_body.size() >= MaxBodyBytes)
                continue;
            return; // until EOF
        case Framing::Length: {
            const qint64 take = std::min<qint64>(m_remaining, m_buffer.size());
            m_body += m_buffer.left(take);
            m_buffer.remove(0, take);
            m_remaining -= take;
            if (m_remaining == 0) {
                evaluate();
                return;
            }
            if (m_body.size() >= MaxBodyBytes)
                continue;
            return;
        }
        case Framing::Chunked: {
            if (m_chunkTrailer) {
                if (m_buffer.size() < 2)
                    return;
                if (!m_buffer.startsWith("\r\n")) {
                    fail(Messages::connect(), m_status);
                    return;
                }
                m_buffer.remove(0, 2);
                m_chunkTrailer = false;
                continue;
            }
            if (m_remaining == 0) {
                const qsizetype eol = m_buffer.indexOf("\r\n");
                if (eol < 0) {
                    if (m_buffer.size() > 1024)
                        fail(Messages::connect(), m_status);
                    return;
                }
                QByteArray sizeText = m_buffer.left(eol);
                const qsizetype semicolon = sizeText.indexOf(';');
                if (semicolon >= 0)
                    sizeText.truncate(semicolon);
                bool ok = false;
                const qint64 size = sizeText.trimmed().toLongLong(&ok, 16);
                if (!ok || size < 0) {
                    fail(Messages::connect(), m_status);
                    return;
                }
                m_buffer.remove(0, eol + 2);
                if (size == 0) {
                    evaluate(); // trailers are not needed
                    return;
                }
                m_remaining = size;
                continue;
            }
            const qint64 take = std::min<qint64>(m_remaining, m_buffer.size());
            if (take == 0)
                return;
            m_body += m_buffer.left(take);
            m_buffer.remove(0, take);
            m_remaining -= take;
            if (m_remaining == 0)
                m_chunkTrailer = true;
            continue;
        }
        }
    }
}

void HttpProbe::onEof()
{
    if (m_phase == Phase::Done)
        return;
    if (m_socket && m_socket->bytesAvailable() > 0) {
        m_buffer += m_socket->readAll();
        if (m_phase == Phase::Headers)
            parseHeaders();
        if (m_phase == Phase::Body)
            consumeBody();
        if (m_phase == Phase::Done)
            return;
    }
    if (m_phase == Phase::Body && m_framing == Framing::UntilClose) {
        evaluate();
        return;
    }
    // Closed before a complete response (no status line, or a body cut short).
    fail(Messages::connect(), m_status);
}

void HttpProbe::evaluate()
{
    if (m_phase == Phase::Done)
        return;
    if (m_body.size() > MaxBodyBytes)
        m_body.truncate(MaxBodyBytes); // match.body looks at the first MaxBodyBytes only
    if (!m_spec.statusCodes.matches(m_status)) {
        fail(Messages::statusMismatch(m_spec.statusCodes.expectedText(), m_status), m_status);
        return;
    }
    if (!m_spec.body.isEmpty() && !m_body.contains(m_spec.body.toUtf8())) {
        fail(Messages::bodyMismatch(m_spec.body), m_status);
        return;
    }
    ProbeResult result;
    result.success = true;
    result.httpStatus = m_status;
    result.detail = Messages::success(m_status);
    finish(result);
}

void HttpProbe::fail(const QString &detail, int httpStatus, bool unresolved)
{
    if (m_phase == Phase::Done)
        return;
    ProbeResult result;
    result.success = false;
    result.httpStatus = httpStatus;
    result.detail = detail;
    result.unresolved = unresolved;
    finish(result);
}

void HttpProbe::finish(ProbeResult result)
{
    m_phase = Phase::Done;
    const qint64 now = m_clock->nowMs();
    result.timeMs = now;
    if (!m_address.isNull())
        result.address = m_address.toString();
    result.lastKnownAddress = m_usedLastKnown;
    result.latencyMs = int(std::clamp<qint64>(now - m_startMs, 0, INT_MAX));
    teardown();
    complete(result);
}

void HttpProbe::teardown()
{
    if (m_timeoutId) {
        m_clock->cancel(m_timeoutId);
        m_timeoutId = 0;
    }
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    if (m_socket) {
        QTcpSocket *socket = m_socket;
        m_socket = nullptr;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

QString HttpProbe::messageForSslErrors(const QList<QSslError> &errors)
{
    bool untrusted = false;
    bool expired = false;
    bool nameMismatch = false;
    for (const QSslError &e : errors) {
        switch (e.error()) {
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::CertificateUntrusted:
        case QSslError::CertificateRejected:
        case QSslError::CertificateSignatureFailed:
        case QSslError::InvalidCaCertificate: untrusted = true; break;
        case QSslError::CertificateExpired:
        case QSslError::CertificateNotYetValid: expired = true; break;
        case QSslError::HostNameMismatch: nameMismatch = true; break;
        default: break;
        }
    }
    // The most fundamental problem first: a chain we do not trust, then dates, then the name.
    if (untrusted)
        return Messages::untrustedRoot();
    if (expired)
        return Messages::expired();
    if (nameMismatch)
        return Messages::commonNameMismatch();
    return {};
}

} // namespace Gateway::Health
