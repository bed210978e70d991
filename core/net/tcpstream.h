#pragma once

// Plain TCP on a raw non-blocking descriptor, registered edge-triggered with the thread's
// EpollEventDispatcher (no QSocketNotifier, no QTcpSocket buffers: the proxy's hot path).
//
// Receiving: where the thread has an io_uring (UringLoop), a multishot receive fills buffers of
// the ring's pool and read() hands out what they hold; epoll then only reports write readiness
// and the end of a connect. Otherwise read() calls recv() after an epoll edge.

#include "net/epolleventdispatcher.h"
#include "net/stream.h"
#include "net/uringloop.h"

#include <QByteArray>
#include <QVarLengthArray>

namespace Gateway::Net {

// TCP_INFO round-trip time of socket fd in microseconds, -1 when unknown.
qint64 tcpRttOf(int fd);

class TcpStream final : public Stream, public IoHandler, public UringHandler
{
public:
    // Takes ownership of an accepted, connected descriptor.
    static TcpStream *adopt(int fd);
    // Starts a non-blocking connect; Connected or Closed follows.
    static TcpStream *connectTo(const QHostAddress &address, quint16 port, QString *error);
    ~TcpStream() override;

    qsizetype read(char *buffer, qsizetype max) override;
    QByteArrayView peekReceived() const override;
    void consumeReceived(qsizetype n) override;
    bool write(QByteArrayView bytes) override;
    qsizetype bytesToWrite() const override
    {
        if (m_corked && pending() > 0)
            m_drainOwed = true; // the caller may now wait for Drained: uncork() must send one
        return pending();
    }
    void shutdownWrite() override;
    void close() override;
    void dispose() override; // deleted after the current epoll batch
    void setReadEnabled(bool enabled) override;
    bool isConnected() const override { return m_connected; }
    qint64 tcpRttUs() const override;
    void cork() override { m_corked = true; }
    void uncork() override;
    QString errorString() const override { return m_error; }
    int descriptor() const { return m_fd; }

    void ioEvent(quint32 events) override;
    void uringCompletion(Op op, int result, quint32 flags) override;
    void uringBufferFree() override;

private:
    explicit TcpStream(int fd, bool connected);
    // io_uring receiving
    enum class Receive : quint8 { Off, Armed, Cancelling, Starved };
    struct Chunk
    {
        unsigned buffer;
        qsizetype size;
        qsizetype offset;
    };
    qsizetype readChunks(char *buffer, qsizetype max);
    void updateReceive();
    void releaseChunks();
    bool flush();
    void fail(int err);
    qsizetype pending() const { return m_out.size() - m_outPos; }

    int m_fd = -1;
    bool m_connected = false;
    bool m_readEnabled = true;
    bool m_readPending = false; // edge seen while reads were disabled
    bool m_shutdownPending = false;
    bool m_writeShut = false;
    bool m_closed = false;
    bool m_drained = false;    // the last read was short: the socket is empty until next event
    bool m_hangupSeen = false; // FIN/HUP/error reported: never skip a read after that
    bool m_corked = false;     // gather writes in m_out until uncork()
    mutable bool m_drainOwed = false; // output was seen pending while corked
    bool m_drainPosted = false;       // a Drained is due from the posted event
    QByteArray m_out;                 // unsent output; empty (no allocation) most of the time
    qsizetype m_outPos = 0;
    QString m_error;
    EpollEventDispatcher *m_dispatcher = nullptr;
    UringLoop *m_uring = nullptr; // receiving through the ring (else recv() on epoll edges)
    Receive m_receive = Receive::Off;
    quint64 m_armedAt = 0;       // the ring's submission serial when the receive was queued
    bool m_receiveEnded = false; // EOF (0) or an error completed the receive: not armed again
    int m_receiveError = 0;      // errno of a failed receive, reported after the data
    bool m_disposed = false;     // waiting for the last completion to be deleted
    QVarLengthArray<Chunk, 1> m_chunks; // received, not yet read (from m_chunkHead); usually one
    qsizetype m_chunkHead = 0;
};

} // namespace Gateway::Net
