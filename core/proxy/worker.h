#pragma once

// One proxy worker: a QThread running an EpollEventDispatcher, owning the connections accepted on
// its listening sockets (SO_REUSEPORT: the kernel spreads connections over the workers), an idle
// backend connection pool, and the coarse tick that checks timeouts and publishes session batches
// and events. A connection stays on one worker for its whole life. Workers talk to the main thread
// only through queued signals carrying values.

#include "events/gatewayevent.h"
#include "proxy/runtime.h"
#include "session/sessionregistry.h"
#include "tls/tlsacceptor.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTimer>

#include <memory>
#include <vector>

namespace Gateway::Net {
class Stream;
class TcpStream;
} // namespace Gateway::Net
namespace Gateway::Routing {
class BackendSelector;
}

namespace Gateway::Proxy {

class BackendResolver;
class ClientConnection;
class Worker;

// The listening socket of one ListenerSocketRuntime on one worker (house-style: a QTcpServer
// subclass that takes over incomingConnection()).
class ListenerServer final : public QTcpServer
{
    Q_OBJECT
public:
    ListenerServer(Worker *worker, ListenerSocketRuntime socket, QObject *parent = nullptr);
    const ListenerSocketRuntime &socketRuntime() const { return m_socket; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    Worker *m_worker;
    ListenerSocketRuntime m_socket;
};

// Idle keep-alive connections to backends, per endpoint.
class BackendConnectionPool
{
public:
    // Endpoints ("host:port") are interned once to a small id, so take() and put() on the
    // request path are an index, not a string hash and compare.
    int keyFor(const QString &endpoint);
    Net::Stream *take(int endpointKey);
    void put(int endpointKey, Net::Stream *stream, qint64 nowMs);
    void expire(qint64 nowMs, qint64 idleMs);
    void closeAll();
    void forget(Net::Stream *stream); // a pooled stream that closed by itself
    int size() const;

private:
    struct Idle
    {
        Net::Stream *stream;
        qint64 sinceMs;
    };
    QHash<QString, int> m_keys;
    std::vector<std::vector<Idle>> m_idle; // by key
};

class Worker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Worker)
public:
    explicit Worker(int index, QObject *parent = nullptr);
    ~Worker() override;

    int index() const { return m_index; }

    // --- called on the worker thread (queued from the Gateway) ---
    void setRuntime(std::shared_ptr<const Runtime> runtime);
    // Takes listening descriptors (already bound and listening).
    void addListeners(const QList<QPair<ListenerSocketRuntime, qintptr>> &sockets);
    void closeListeners();
    // Graceful stop: stop accepting, finish in-flight requests, close sessions at drainMs.
    void beginStop(int drainMs);
    void stopNow(const QString &reason);
    void closeSession(quint64 id, const QString &reason);
    // Members an apply removed: what is open on them ends at their deadlines (reason draining);
    // until then requests their affinity cookie pins still reach them (previous: the route table
    // before the apply, where they still are).
    void drainServers(const QList<DrainingServer> &servers,
                      const std::shared_ptr<const Routing::RouteTable> &previous);
    void checkTimersNow(); // after a ManualClock advance

    // --- used by connections ---
    const std::shared_ptr<const Runtime> &runtime() const { return m_runtime; }
    qint64 now() const;
    char *scratch() { return m_scratch.data(); }
    qsizetype scratchSize() const { return qsizetype(m_scratch.size()); }
    Routing::BackendSelector &selector();
    BackendConnectionPool &backendPool() { return m_backendPool; }
    BackendResolver &resolver() { return *m_resolver; } // backend names, on this thread
    void accept(int descriptor, const ListenerSocketRuntime &socket);
    void acceptFailed(ListenerServer *server); // out of descriptors (EMFILE) or similar
    void retryAccepting(ListenerServer *server);
    ListenerServer *listenOn(const ListenerSocketRuntime &socket, qintptr descriptor);
    void connectionFinished(ClientConnection *connection); // deferred delete
    void publishEvent(Events::GatewayEvent event);
    bool stopping() const { return m_stopping; }
    void sessionClosed(const Session::SessionClosed &closed);
    void sessionOpened(ClientConnection *connection);

signals:
    void sessionBatch(const ::Gateway::Session::SessionBatch &batch);
    void eventsReady(const QList<::Gateway::Events::GatewayEvent> &events);
    void drained(int workerIndex); // after beginStop, once every connection is gone

private:
    mutable qint64 m_nowMs = 0;
    mutable quint64 m_nowSerial = 0;
    void tick();
    void reap();

    int m_index;
    std::shared_ptr<const Runtime> m_runtime;
    std::unique_ptr<Routing::BackendSelector> m_selector;
    std::vector<char> m_scratch;
    QList<ListenerServer *> m_listeners;
    QHash<ClientConnection *, bool> m_connections;
    std::vector<ClientConnection *> m_graveyard;
    QList<QPointer<Tls::TlsAcceptor>> m_handshakes; // pending TLS handshakes (timeouts)
    BackendConnectionPool m_backendPool;
    BackendResolver *m_resolver = nullptr; // child: moves to the worker thread with it
    QList<Events::GatewayEvent> m_pendingEvents;
    QList<Session::SessionClosed> m_closedSessions;
    bool m_stopping = false;
    qint64 m_acceptPausedSinceMs = -1; // an accept failed; -1 once one succeeds again
    int m_acceptRetries = 0;
    quint64 m_healthGeneration = 0;
    qint64 m_stopDeadline = 0;
    QTimer *m_tickTimer = nullptr;
};

} // namespace Gateway::Proxy
