#pragma once

// A byte stream the proxy reads and writes without blocking: plain TCP (TcpStream) or TLS
// (SslStream). Reading is pull-based: on a Readable event the owner calls read() until it
// returns ReadResult::WouldBlock. Writing never blocks: what the kernel does not take at once is
// kept in the stream's output buffer and bytesToWrite() grows; the owner pauses its other side
// above a high-water mark and resumes on the Drained event (backpressure).

#include <QByteArrayView>
#include <QHostAddress>
#include <QString>

#include <memory>

namespace Gateway::Tls {
struct ClientCertificate;
}

namespace Gateway::Net {

class Stream;

class StreamOwner
{
public:
    enum class Event { Connected, Readable, Drained, Closed };
    virtual ~StreamOwner() = default;
    virtual void streamEvent(Stream *stream, Event event) = 0;
};

class Stream
{
public:
    // read() results below zero
    static constexpr qsizetype WouldBlock = 0;
    static constexpr qsizetype EndOfStream = -1;
    static constexpr qsizetype Failed = -2;

    virtual ~Stream() = default;

    void setOwner(StreamOwner *owner) { m_owner = owner; }
    StreamOwner *owner() const { return m_owner; }

    virtual qsizetype read(char *buffer, qsizetype max) = 0;
    // Zero-copy reading, for streams that receive into buffers of their own (TcpStream on
    // io_uring): the next received bytes in place, valid until consumeReceived() or any other
    // call on the stream; empty when there are none (read() then says WouldBlock, EndOfStream or
    // Failed). consumeReceived(n) marks n of them (at most the view's size) as read.
    virtual QByteArrayView peekReceived() const { return {}; }
    virtual void consumeReceived(qsizetype) {}
    virtual bool write(QByteArrayView bytes) = 0; // false: the stream is broken
    virtual qsizetype bytesToWrite() const = 0;
    virtual void shutdownWrite() = 0; // half-close after pending output is flushed
    virtual void close() = 0;         // at once; no further events
    // Closes and frees the stream. A stream may still be named by events of the loop iteration
    // that is being dispatched, so implementations defer the delete past it.
    virtual void dispose()
    {
        close();
        delete this;
    }
    virtual bool isEncrypted() const { return false; }
    // TLS: the protocol ("TLSv1.3") and cipher the handshake agreed; empty on plain TCP.
    virtual QByteArray tlsProtocol() const { return {}; }
    virtual QByteArray tlsCipher() const { return {}; }
    // The kernel's smoothed round-trip time of the connection in microseconds (TCP_INFO); -1
    // when unknown.
    virtual qint64 tcpRttUs() const { return -1; }
    // Coalescing: between cork() and uncork() small writes are gathered and sent with one
    // send() (a response head and the start of its body, a chunk header, its data and CRLF),
    // so one HTTP exchange costs one segment each way. Gathering stops at a few KiB; a stream
    // without it (TLS: QSslSocket already buffers until the event loop) ignores both calls.
    virtual void cork() {}
    virtual void uncork() {}
    // Backpressure: while disabled, Readable is not delivered (it is remembered).
    virtual void setReadEnabled(bool enabled) = 0;
    virtual bool isConnected() const = 0;
    virtual QString errorString() const = 0;

    QHostAddress peerAddress;
    quint16 peerPort = 0;
    quint16 localPort = 0;
    // TLS server side: the sslCertificates name served in the handshake (chosen by SNI), so
    // requests for a host that certificate does not serve can be refused with 421.
    QString servedCertificate;
    // TLS server side, on a listener whose SSL profile authenticates clients: the client
    // certificate as verified after the handshake, and the mTLS server variables
    // (Tls::ClientCertificate::variable). Null when the listener asks for none.
    std::shared_ptr<const Tls::ClientCertificate> clientCertificate;

protected:
    void notify(StreamOwner::Event event)
    {
        if (m_owner)
            m_owner->streamEvent(this, event);
    }

private:
    StreamOwner *m_owner = nullptr;
};

} // namespace Gateway::Net
