#pragma once

// A scripted HTTP backend for proxy tests, on its own thread (so a test may block on its client
// socket while the backend keeps serving). It records every byte it receives and answers each
// complete request with what the handler returns (modelled on vtest's `server s1 { rxreq; txresp }`).

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QSemaphore>
#include <QThread>

#include <functional>
#include <memory>

class QTcpServer;
class QTcpSocket;

namespace TestSupport {

struct ReceivedRequest
{
    QByteArray head;                                 // request line + fields + CRLFCRLF, raw
    QByteArray body;                                 // decoded body
    QByteArray raw;                                  // head + body exactly as received
    QByteArray header(const QByteArray &name) const; // first value, case-insensitive
    QByteArray requestLine() const { return head.left(head.indexOf("\r\n")); }
};

class FakeBackend final : public QObject
{
    Q_OBJECT
public:
    enum class Behaviour {
        Respond,        // answer each request with handler()
        Hang,           // read requests, never answer
        CloseOnRequest, // close as soon as a complete request head arrived
        Refuse          // not listening (port is closed)
    };
    using Handler = std::function<QByteArray(const ReceivedRequest &request)>;
    // A response written in parts: the first at once, each further one only after the test
    // called releasePart() (waits at most 5 s), so each part reaches the peer in a read of its
    // own (a body after its head, the rest of a split body, a last chunk). With closeAfter the
    // backend closes the connection after the last part (a close-delimited body); requests
    // pipelined behind it are dropped unanswered, as a real server would.
    struct Reply
    {
        QList<QByteArray> parts;
        bool closeAfter = false;
    };
    using ReplyHandler = std::function<Reply(const ReceivedRequest &request)>;

    FakeBackend();
    ~FakeBackend() override;

    quint16 port() const { return m_port; }
    void setBehaviour(Behaviour behaviour);
    void setHandler(Handler handler);
    void setReplyHandler(ReplyHandler handler); // replaces the Handler
    void releasePart();
    // Simple handler: fixed status and body, with Content-Length; echoes nothing.
    static Handler respondWith(int status, const QByteArray &body,
                               const QByteArray &extraHeaders = {});

    QByteArray allBytes() const;
    QList<ReceivedRequest> requests() const;
    int connectionCount() const;
    void clear();

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);

    QThread m_thread;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    Behaviour m_behaviour = Behaviour::Respond;
    Handler m_handler;
    ReplyHandler m_replyHandler;
    QSemaphore m_partGate;
    QByteArray m_all;
    QList<ReceivedRequest> m_requests;
    int m_connections = 0;
};

// Splits one message (head, then a Content-Length or chunked body; none without either) from the
// front of buf into *out; false while it is incomplete. Requests, and responses whose framing
// the caller has checked (not HEAD, 1xx, 204, 304 or close-delimited).
bool takeMessage(QByteArray &buf, ReceivedRequest *out);

// Sends bytes to 127.0.0.1:port and reads until the peer closes the connection; timeoutMs only
// guards against a hang (then *closed is false). Blocking: for tests.
QByteArray exchange(quint16 port, const QByteArray &bytes, int timeoutMs = 10000,
                    bool *closed = nullptr);
// Reads one complete HTTP response (head + body by Content-Length/chunked) from a blocking socket.
QByteArray readResponse(QTcpSocket &socket, int timeoutMs = 5000);

} // namespace TestSupport
