#pragma once

// The first moments of a connection on an HTTPS listener, before the proxy sees it:
//  1. peek (MSG_PEEK, edge-triggered on the worker's EpollEventDispatcher) at the first bytes;
//     not a TLS handshake record -> the "400 The plain HTTP request was sent to HTTPS port"
//     page and close (reliability-cases.md T04);
//  2. read the ClientHello's SNI and pick the listener certificate (CertificateStore::select;
//     requireServerNameIndication honoured);
//  3. run the TLS handshake on an SslStream, bounded by the handshake timeout (5 s, T05).
// On success the encrypted stream goes to ready(); a failure is published as a
// `tls.handshakeFailed` event and touches nothing else.

#include "events/gatewayevent.h"
#include "net/epolleventdispatcher.h"
#include "net/stream.h"

#include <QByteArray>
#include <QObject>

#include <functional>
#include <memory>

namespace Gateway::Net {
class SslStream;
}

namespace Gateway::Tls {

class CertificateStore;
struct ClientAuthority;

class TlsAcceptor final : public QObject, public Net::IoHandler, public Net::StreamOwner
{
    Q_OBJECT
public:
    struct Hooks
    {
        std::function<void(Net::Stream *)> ready;        // takes ownership
        std::function<void(Events::GatewayEvent)> event; // published events
        std::function<qint64()> now;                     // event timestamps
    };

    static constexpr int HandshakeTimeoutMs = 5'000;

    // Takes ownership of descriptor. parent: the worker (pending handshakes die with it). The
    // handshake deadline is on hooks.now's clock; the owner calls checkTimeout() periodically
    // (the worker's tick), so an injected clock decides, as for every other timeout.
    static TlsAcceptor *accept(int descriptor, int frontendPort,
                               std::shared_ptr<const CertificateStore> store, Hooks hooks,
                               QObject *parent, int handshakeTimeoutMs = HandshakeTimeoutMs);
    void checkTimeout(qint64 nowMs);
    bool isDone() const { return m_state == State::Done; }
    ~TlsAcceptor() override;

    void ioEvent(quint32 events) override;
    void streamEvent(Net::Stream *stream, Event event) override;

private:
    TlsAcceptor(int descriptor, int frontendPort, std::shared_ptr<const CertificateStore> store,
                Hooks hooks, QObject *parent);
    qint64 nowMs() const;
    void peek();
    void startTls(const QString &serverName);
    void rejectPlainHttp();
    void lingerRead();
    void fail(const QString &reason, const QString &detail = {});
    void finish();

    enum class State { Peeking, Lingering, Handshaking, Done };
    int m_fd = -1;
    int m_frontendPort = 0;
    std::shared_ptr<const CertificateStore> m_store;
    Hooks m_hooks;
    State m_state = State::Peeking;
    Net::EpollEventDispatcher *m_dispatcher = nullptr;
    Net::SslStream *m_stream = nullptr;
    qint64 m_deadlineMs = 0;
    int m_handshakeTimeoutMs = HandshakeTimeoutMs;
    QString m_serverName;
    QString m_listener;
    QString m_peer;
    std::shared_ptr<const ClientAuthority> m_clientAuth; // the listener's SSL profile, if any
};

} // namespace Gateway::Tls
