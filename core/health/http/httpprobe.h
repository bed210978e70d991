#pragma once

// The HTTP(S) health probe: GET <path> HTTP/1.1 with the Host header Azure would send and
// `Connection: close`, over QTcpSocket or QSslSocket (SNI = the probe host, verified against the
// setting's trusted roots). Reads the status line, the headers and the body (Content-Length,
// chunked, or until close) up to MaxBodyBytes; match.body is a substring of what was read.
// The timeout runs on the injected clock and covers name resolution, connect and response.

#include "health/healthprobe.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QSslError>

class QTcpSocket;
class QHostInfo;

namespace Gateway::Net { class Clock; }

namespace Gateway::Health {

class HttpProbe final : public HealthProbe
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpProbe)
public:
    static constexpr qsizetype MaxBodyBytes = 64 * 1024;
    static constexpr qsizetype MaxHeaderBytes = 32 * 1024;
    static QByteArray userAgent() { return QByteArrayLiteral("Microsoft-Azure-Application-Gateway/v2 (local)"); }

    // clock: nullptr for the system clock.
    HttpProbe(const ProbeSpec &spec, Net::Clock *clock, QObject *parent = nullptr);
    ~HttpProbe() override;

    void start() override;
    void cancel() override;

    const ProbeSpec &spec() const { return m_spec; }
    // The request bytes this probe sends (for tests and the GUI's probe view).
    QByteArray requestBytes() const;

    // Maps TLS verification errors to Azure's backend-health messages (CN, expired, untrusted
    // root); empty when none of them applies.
    static QString messageForSslErrors(const QList<QSslError> &errors);

private:
    enum class Phase { Idle, Resolving, Connecting, Headers, Body, Done };

    void onLookup(const QHostInfo &info);
    void connectTo(const QHostAddress &address);
    void onConnected();
    void onReadyRead();
    void onEof();
    bool parseHeaders();      // false: need more data (or failed and finished)
    void consumeBody();       // moves bytes from m_buffer into m_body per framing
    void evaluate();
    void fail(const QString &detail, int httpStatus = 0, bool unresolved = false);
    void finish(ProbeResult result);
    void teardown();

    ProbeSpec m_spec;
    Net::Clock *m_clock = nullptr;
    QTcpSocket *m_socket = nullptr;
    Phase m_phase = Phase::Idle;
    qint64 m_startMs = 0;
    quint64 m_timeoutId = 0;
    int m_lookupId = -1;

    QByteArray m_buffer;
    QByteArray m_body;
    int m_status = 0;
    enum class Framing { Length, Chunked, UntilClose, None } m_framing = Framing::UntilClose;
    qint64 m_remaining = 0;   // Length: body bytes still expected; Chunked: bytes left in the chunk
    bool m_chunkTrailer = false; // Chunked: the CRLF after a chunk's data is pending
};

} // namespace Gateway::Health
