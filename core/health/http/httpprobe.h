#pragma once

// The HTTP(S) health probe: GET <path> HTTP/1.1 with the Host header Azure would send and
// `Connection: close`, over QTcpSocket or QSslSocket (SNI = the probe host, verified against the
// setting's trusted roots). Reads the status line, the headers and the body (Content-Length,
// chunked, or until close) up to MaxBodyBytes; match.body is a substring of what was read.
// The timeout runs on the injected clock and covers name resolution, connect and response.
// A name that stops resolving (azure-reference.md §2: "on a DNS failure AGW keeps the last-known-
// good IP"): with setLastKnownAddresses() the probe connects to those instead and says so in the
// result (lastKnownAddress); without them it reports Azure's DNS detail (unresolved).

#include "health/healthprobe.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QSslError>

#include <functional>

class QTcpSocket;
class QHostInfo;

namespace Gateway::Net {
class Clock;
}

namespace Gateway::Health {

class HttpProbe final : public HealthProbe
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpProbe)
public:
    static constexpr qsizetype MaxBodyBytes = 64 * 1024;
    static constexpr qsizetype MaxHeaderBytes = 32 * 1024;
    static QByteArray userAgent()
    {
        return QByteArrayLiteral("Microsoft-Azure-Application-Gateway/v2 (local)");
    }
    // Resolves a name synchronously (an empty list: it does not resolve). Tests substitute one;
    // by default the probe asks QHostInfo asynchronously.
    using NameResolver = std::function<QList<QHostAddress>(const QString &name)>;

    // clock: nullptr for the system clock.
    HttpProbe(const ProbeSpec &spec, Net::Clock *clock, QObject *parent = nullptr);
    ~HttpProbe() override;

    void start() override;
    void cancel() override;

    // Call before start().
    void setNameResolver(NameResolver resolver) { m_resolver = std::move(resolver); }
    void setLastKnownAddresses(const QList<QHostAddress> &addresses) { m_lastKnown = addresses; }

    const ProbeSpec &spec() const { return m_spec; }
    // The request bytes this probe sends (for tests and the GUI's probe view).
    QByteArray requestBytes() const;

    // Maps TLS verification errors to Azure's backend-health messages (CN, expired, untrusted
    // root); empty when none of them applies.
    static QString messageForSslErrors(const QList<QSslError> &errors);

private:
    enum class Phase { Idle, Resolving, Connecting, Headers, Body, Done };

    void onLookup(const QHostInfo &info);
    void onResolved(const QList<QHostAddress> &addresses);
    static QHostAddress preferred(const QList<QHostAddress> &addresses);
    void connectTo(const QHostAddress &address);
    void onConnected();
    void onReadyRead();
    void onEof();
    bool parseHeaders(); // false: need more data (or failed and finished)
    void consumeBody();  // moves bytes from m_buffer into m_body per framing
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
    NameResolver m_resolver;
    QList<QHostAddress> m_lastKnown;
    QHostAddress m_address; // where the probe connects
    bool m_usedLastKnown = false;

    QByteArray m_buffer;
    QByteArray m_body;
    int m_status = 0;
    enum class Framing { Length, Chunked, UntilClose, None } m_framing = Framing::UntilClose;
    qint64 m_remaining = 0; // Length: body bytes still expected; Chunked: bytes left in the chunk
    bool m_chunkTrailer = false; // Chunked: the CRLF after a chunk's data is pending
};

} // namespace Gateway::Health
