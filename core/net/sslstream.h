#pragma once

// TLS over a QSslSocket, behind the proxy's Stream interface (the tunnel and HTTP code stay
// stream-agnostic). QSslSocket runs on the worker thread's EpollEventDispatcher through
// QSocketNotifier. Events: encrypted -> Connected; readyRead -> Readable (while reads are
// enabled); all output written -> Drained; a handshake that fails (or a connect that fails)
// -> Closed. After the handshake, the peer's close and errors surface like on TcpStream: a
// Readable event after which read() returns EndOfStream or Failed.

#include "net/stream.h"

#include <QSslConfiguration>
#include <QSslError>

class QSslSocket;

namespace Gateway::Net {

class SslStream final : public Stream
{
public:
    // Server side on an accepted, connected descriptor (taken over): starts the handshake.
    static SslStream *serverFromDescriptor(int fd, const QSslConfiguration &configuration,
                                           StreamOwner *owner, QString *error);
    // Client side: connects to host:port (an address, or a name) and starts the handshake with
    // peerName as SNI and verification name (an IP address: no SNI, verified as an IP SAN).
    // allowedPeers not empty: the handshake fails unless the peer's leaf certificate is one of
    // them (the configuration should then not verify the peer itself).
    static SslStream *connectTo(const QString &host, quint16 port, const QString &peerName,
                                const QSslConfiguration &configuration, StreamOwner *owner,
                                const QList<QSslCertificate> &allowedPeers = {});
    ~SslStream() override;

    qsizetype read(char *buffer, qsizetype max) override;
    bool write(QByteArrayView bytes) override;
    qsizetype bytesToWrite() const override;
    void shutdownWrite() override;
    void close() override;
    bool isEncrypted() const override { return m_connected; }
    QByteArray tlsProtocol() const override;
    QByteArray tlsCipher() const override;
    qint64 tcpRttUs() const override;
    void setReadEnabled(bool enabled) override;
    bool isConnected() const override { return m_connected; }
    QString errorString() const override { return m_error; }

    QSslSocket *socket() const { return m_socket; }
    QList<QSslError> sslErrors() const { return m_sslErrors; }

private:
    SslStream();
    void wire();
    void onEncrypted();
    void onReadyRead();
    void onBytesWritten();
    void onDisconnected();
    void onError();

    QSslSocket *m_socket = nullptr;
    bool m_connected = false;
    bool m_readEnabled = true;
    bool m_readPending = false;
    bool m_hadOutput = false;
    bool m_shutdownPending = false;
    bool m_peerClosed = false;
    bool m_failed = false;
    bool m_closed = false;
    bool m_closeNotified = false;
    QString m_error;
    QList<QSslError> m_sslErrors;
    QList<QSslCertificate> m_allowedPeers;
};

} // namespace Gateway::Net
