#pragma once

// One client connection, from accept to close: HTTP/1.1 requests (keep-alive, pipelining in
// order, bodies streamed both ways with backpressure), the routing decision, the backend
// exchange with Azure's retry/timeout rules, and — after a 101 — the WebSocket tunnel that relays
// bytes untouched while a passive decoder watches a copy for the session view.
//
// Lives on one Worker thread. Not a QObject: the epoll dispatcher calls it directly through its
// streams (StreamOwner), and the worker's tick calls checkTimeout().

#include "http/httpmessage.h"
#include "net/stream.h"
#include "proxy/requeststage.h"
#include "proxy/runtime.h"
#include "routing/routeresult.h"
#include "session/sessiontypes.h"

#include <QByteArray>
#include <QList>

class QHostAddress;

#include <memory>

namespace Gateway::Session {
class FrameDecoder;
class HeartbeatTracker;
} // namespace Gateway::Session
namespace Gateway::Health {
class HealthTable;
}

namespace Gateway::Proxy {

class Worker;

class ClientConnection final : public Net::StreamOwner
{
public:
    ClientConnection(Worker *worker, Net::Stream *client, const ListenerSocketRuntime &socket);
    ~ClientConnection() override;
    ClientConnection(const ClientConnection &) = delete;
    ClientConnection &operator=(const ClientConnection &) = delete;

    void start();
    void streamEvent(Net::Stream *stream, Event event) override;

    // Called by the worker's tick.
    void checkTimeout(qint64 now);
    // A session whose server turned unhealthy stays open (Azure) and is marked.
    void refreshHealth(const Health::HealthTable &table);
    // Ends the connection at once: both sockets closed, no close frame (the client sees 1006 on
    // a WebSocket). reason goes to session.closed.
    void abort(const QString &closedBy, const QString &reason);
    // Graceful stop: idle keep-alive connections close now, in-flight requests finish, tunnels
    // are closed at deadline with reason.
    void beginDrain(qint64 deadlineMs, const QString &reason);
    // An apply removed these members: an exchange or session open on one of them (same pool,
    // setting and address) ends at its deadline with reason "draining"; a request that finishes
    // earlier lets the connection go on with the new configuration.
    void drainServer(const QList<DrainingServer> &servers);

    quint64 id() const { return m_snapshot.id; }
    bool isClosed() const { return m_phase == Phase::Closed; }
    bool takeDirty()
    {
        const bool d = m_dirty;
        m_dirty = false;
        return d;
    }
    // true the first time: the session goes into a batch's `opened` list
    bool takeFirstReport() { return !std::exchange(m_reported, true); }
    Session::SessionSnapshot snapshot() const;
    QList<Session::FrameRecord> takeNewFrames();

private:
    enum class Phase {
        ReadingHead, // waiting for (the rest of) a request head; also keep-alive idle
        Connecting,  // connecting to the chosen server
        Forwarding,  // request sent (body may still stream); waiting for the response head
        Responding,  // streaming the response body to the client
        Tunnel,      // after 101: bytes relayed both ways
        Closing,     // response sent, FIN sent, draining the client until it closes
        Closed
    };

    // client side
    void onClientReadable();
    void onClientDrained();
    void parseRequests(QByteArrayView fresh = {});
    void handleRequest();
    bool consumeRequestBody(QByteArrayView bytes, qsizetype *used);
    bool misdirected() const; // TLS: the Host's listener uses another certificate
    void respondLocal(int status, const QByteArray &extraHeaders = {}, bool forceClose = false);
    bool refuseClientCertificate(); // mTLS: no valid client certificate -> 400, close
    void respondRedirect();
    void finishExchange();
    void closeGracefully();

    // backend side
    void chooseServerAndConnect();
    void connectToServer(int serverIndex);
    void connectToAddress(const QHostAddress &address, int port);
    void onBackendResolved(quint64 ticket, const QHostAddress &address);
    void stopResolving();
    void onBackendConnected();
    void onBackendReadable();
    void onBackendDrained();
    void onBackendClosed();
    bool handleResponseHead();
    bool feedResponseBody(QByteArrayView data); // false: the exchange ended (or failed)
    void responseBodyDone(bool bytesPastBody);  // framed body complete (or none): next request
    void completeResponse(bool framed);
    void sendRequestHead();
    void backendFailed(bool timedOut, bool connectFailure);
    bool canRetry() const;
    void releaseBackend(bool reusable);

    // tunnel
    void enterTunnel(QByteArrayView backendLeftover);
    void relay(Net::Stream *from, Net::Stream *to, bool clientToBackend);
    void maybeFinishTunnel();

    void setPhase(Phase phase);
    void touch();
    void accessLog(int status, int serverStatus);
    void finishSession(const QString &closedBy, const QString &reason);
    void recordFrame(const Session::FrameRecord &frame);
    int requestTimeoutMs() const;

    Worker *m_worker;
    std::shared_ptr<const Runtime> m_runtime;
    ListenerSocketRuntime m_socket;
    Net::Stream *m_client = nullptr;
    Net::Stream *m_backend = nullptr;
    bool m_backendReused = false;
    int m_backendKey = -1; // the worker's pool key for m_serverEndpoint
    Phase m_phase = Phase::ReadingHead;

    QByteArray m_in;     // client bytes not yet consumed (request heads, pipelined requests)
    QByteArray m_backIn; // backend bytes of a response head not yet complete
    bool m_clientEof = false;
    bool m_backendEof = false;
    bool m_readPaused = false;

    // current exchange
    // The parts of an HTTP exchange a tunnel no longer needs live on the heap: created with the
    // first request, freed on the upgrade, so an idle WebSocket session does not carry them.
    struct ExchangeState
    {
        Http::BodyDecoder reqBody;
        QByteArray reqHeadBytes; // the serialized upstream head
        Http::ResponseHead resp;
        Http::BodyDecoder respBody;
    };
    ExchangeState &ex()
    {
        if (!m_exchange)
            m_exchange = std::make_unique<ExchangeState>();
        return *m_exchange;
    }
    std::unique_ptr<ExchangeState> m_exchange;
    Http::RequestHead m_req;
    bool m_reqBodyDone = true;
    bool m_reqChunkedOut = false;
    bool m_respChunkedOut = false;
    bool m_respCloseDelimited = false;
    bool m_respHeadSent = false;
    bool m_sent100 = false;
    bool m_keepAlive = true;
    Routing::RouteResult m_route;
    ExchangeContext m_stage; // the request pipeline's stages (requeststage.h)
    int m_serverIndex = -1;
    int m_attempts = 0;
    bool m_retriedTimeout = false;
    QList<int> m_triedServers;
    QString m_refusal; // why a member was not contacted (unmapped address); in the access event
    QByteArray m_traceId;
    qint64 m_requestStartMs = 0;
    qint64 m_firstByteMs = 0;
    qint64 m_deadlineMs = 0;
    qint64 m_responseBytes = 0;
    qint64 m_requestBytes = 0;
    int m_pinnedByCookie = -1;
    // Affinity to a draining member (BackendSelector::DrainingPin): m_route points into the route
    // table before the apply, kept alive here; m_unpinnedRoute is the request's own route, for a
    // retry on another member.
    std::shared_ptr<const Routing::RouteTable> m_pinTable;
    Routing::RouteResult m_unpinnedRoute;
    qint64 m_pinDeadlineMs = 0;
    QString m_serverEndpoint;
    QString m_serverEndpointHost; // what m_serverEndpoint was built from
    int m_serverEndpointPort = -1;
    quint64 m_resolveTicket = 0; // waiting for the worker's BackendResolver (a backend name)

    // session view
    Session::SessionSnapshot m_snapshot;
    bool m_dirty = true;
    bool m_reported = false;
    std::unique_ptr<Session::FrameDecoder> m_decodeIn;
    std::unique_ptr<Session::FrameDecoder> m_decodeOut;
    std::unique_ptr<Session::HeartbeatTracker> m_heartbeat;
    QList<Session::FrameRecord> m_newFrames;
    QList<Session::FrameRecord> m_lastFrames; // ring of the last frames
    qsizetype m_lastFramesHead = 0;
    QByteArray m_clientFor;
    int m_clientCloseCode = -1;  // close frame the client received (from the backend)
    int m_backendCloseCode = -1; // close frame the backend received (from the client)
    QString m_firstCloser;
    qint64 m_drainDeadlineMs = 0;
    QString m_drainReason;
    qint64 m_serverDrainDeadlineMs = 0; // drainServer(): the current exchange's member drains
    QString m_warnedFor;
};

} // namespace Gateway::Proxy
