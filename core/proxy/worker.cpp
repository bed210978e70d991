#include "proxy/worker.h"

#include "health/healthtable.h"
#include "net/clock.h"
#include "net/epolleventdispatcher.h"
#include "net/filelimit.h"
#include "net/tcpstream.h"
#include "proxy/backendresolver.h"
#include "proxy/clientconnection.h"
#include "routing/backendselector.h"
#include "routing/routetable.h"
#include "tls/tlsacceptor.h"

#include <QJsonObject>
#include <QPointer>
#include <QTimer>

#include <fcntl.h>
#include <unistd.h>

namespace Gateway::Proxy {

namespace {

constexpr qsizetype ScratchSize = 64 * 1024;
// Events leave for the main thread at every tick or once this many are pending: a burst of new
// sessions (4,000 upgrades within one tick) would otherwise hold ~0.5 KB of JSON per session until
// the tick, and the worker's heap keeps that high-water mark.
constexpr qsizetype MaxPendingEvents = 128;
constexpr qint64 BackendIdleMs = 60'000;
constexpr int AcceptRetryMs = 100; // after an accept failed for want of descriptors
constexpr int MaxIdlePerEndpoint = 64;

// Owns idle pooled backend streams: any event while idle (EOF, reset, unexpected bytes) means
// the connection can't be reused.
class IdleOwner final : public Net::StreamOwner
{
public:
    BackendConnectionPool *pool = nullptr;
    void streamEvent(Net::Stream *stream, Event event) override
    {
        if (event == Event::Readable || event == Event::Closed)
            pool->forget(stream);
    }
};
thread_local IdleOwner t_idleOwner;

} // namespace

// --- ListenerServer ------------------------------------------------------------------------------

ListenerServer::ListenerServer(Worker *worker, ListenerSocketRuntime socket, QObject *parent)
    : QTcpServer(parent), m_worker(worker), m_socket(std::move(socket))
{
    setMaxPendingConnections(1 << 20);
}

void ListenerServer::incomingConnection(qintptr descriptor)
{
    m_worker->accept(int(descriptor), m_socket);
}

// --- BackendConnectionPool -----------------------------------------------------------------------

int BackendConnectionPool::keyFor(const QString &endpoint)
{
    const auto it = m_keys.constFind(endpoint);
    if (it != m_keys.constEnd())
        return it.value();
    const int key = int(m_idle.size());
    m_keys.insert(endpoint, key);
    m_idle.emplace_back();
    return key;
}

Net::Stream *BackendConnectionPool::take(int endpointKey)
{
    if (endpointKey < 0 || endpointKey >= int(m_idle.size()) || m_idle[endpointKey].empty())
        return nullptr;
    auto &list = m_idle[endpointKey];
    Net::Stream *stream = list.back().stream;
    list.pop_back();
    return stream;
}

void BackendConnectionPool::put(int endpointKey, Net::Stream *stream, qint64 nowMs)
{
    if (endpointKey < 0 || endpointKey >= int(m_idle.size())
        || int(m_idle[endpointKey].size()) >= MaxIdlePerEndpoint) {
        stream->dispose();
        return;
    }
    t_idleOwner.pool = this;
    stream->setOwner(&t_idleOwner);
    m_idle[endpointKey].push_back({stream, nowMs});
}

void BackendConnectionPool::forget(Net::Stream *stream)
{
    for (auto &list : m_idle) {
        for (auto i = list.begin(); i != list.end(); ++i) {
            if (i->stream == stream) {
                list.erase(i);
                stream->dispose(); // called from the stream's own event: deferred
                return;
            }
        }
    }
}

void BackendConnectionPool::expire(qint64 nowMs, qint64 idleMs)
{
    for (auto &list : m_idle) {
        for (auto i = list.begin(); i != list.end();) {
            if (nowMs - i->sinceMs >= idleMs) {
                i->stream->dispose();
                i = list.erase(i);
            } else {
                ++i;
            }
        }
    }
}

void BackendConnectionPool::closeAll()
{
    for (auto &list : m_idle) {
        for (const Idle &idle : list)
            idle.stream->dispose();
        list.clear(); // the keys stay valid: connections hold them
    }
}

int BackendConnectionPool::size() const
{
    int n = 0;
    for (const auto &list : m_idle)
        n += int(list.size());
    return n;
}

// --- Worker --------------------------------------------------------------------------------------

Worker::Worker(int index, QObject *parent)
    : QObject(parent), m_index(index), m_scratch(ScratchSize), m_resolver(new BackendResolver(this))
{
}

Worker::~Worker()
{
    stopNow(QStringLiteral("shutdown"));
    reap();
    m_backendPool.closeAll();
}

void Worker::setRuntime(std::shared_ptr<const Runtime> runtime)
{
    m_runtime = std::move(runtime);
    m_resolver->setClock(m_runtime->clock);
    auto older = std::move(m_selector);
    m_selector = std::make_unique<Routing::BackendSelector>(m_runtime->routes,
                                                            m_runtime->health.get());
    if (older) // members still draining keep their affinity-pinned requests
        m_selector->adoptDraining(*older);
    if (!m_tickTimer) {
        m_tickTimer = new QTimer(this);
        m_tickTimer->setTimerType(Qt::CoarseTimer);
        connect(m_tickTimer, &QTimer::timeout, this, &Worker::tick);
    }
    m_tickTimer->start(m_runtime->options.sessionTickMs);
    if (m_runtime->clock)
        connect(m_runtime->clock, &Net::Clock::advanced, this, &Worker::checkTimersNow,
                Qt::UniqueConnection);
}

qint64 Worker::now() const
{
    // One clock read per stage of a loop iteration (all events of one epoll batch see one time).
    const quint64 serial = Net::EpollEventDispatcher::loopSerial();
    if (serial == 0 || serial != m_nowSerial) {
        m_nowMs = m_runtime->clock->nowMs();
        m_nowSerial = serial;
    }
    return m_nowMs;
}

Routing::BackendSelector &Worker::selector()
{
    return *m_selector;
}

void Worker::addListeners(const QList<QPair<ListenerSocketRuntime, qintptr>> &sockets)
{
    for (const auto &[socket, descriptor] : sockets) {
        if (ListenerServer *server = listenOn(socket, descriptor))
            m_listeners.append(server);
    }
}

ListenerServer *Worker::listenOn(const ListenerSocketRuntime &socket, qintptr descriptor)
{
    auto *server = new ListenerServer(this, socket, this);
    if (!server->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        delete server;
        return nullptr;
    }
    connect(server, &QTcpServer::acceptError, this,
            [this, server](QAbstractSocket::SocketError) { acceptFailed(server); });
    return server;
}

void Worker::closeListeners()
{
    for (ListenerServer *server : std::as_const(m_listeners)) {
        server->close();
        server->deleteLater();
    }
    m_listeners.clear();
}

// Out of descriptors (EMFILE, ENFILE): the connection stays in the kernel's listen backlog. Never
// spin on it (reliability-cases R09): pause accepting, say so once, and try again a little later;
// once an accept succeeds again, say that too.
void Worker::acceptFailed(ListenerServer *server)
{
    server->pauseAccepting();
    if (m_acceptPausedSinceMs < 0) {
        m_acceptPausedSinceMs = now();
        m_acceptRetries = 0;
        const Net::OpenFileLimit limit = Net::openFileLimit();
        Events::GatewayEvent event;
        event.tsMs = m_acceptPausedSinceMs;
        event.type = QStringLiteral("listener.acceptPaused");
        event.fields = QJsonObject{
            {QStringLiteral("listener"), server->socketRuntime().listenerNames},
            {QStringLiteral("frontendPort"), server->socketRuntime().frontendPort},
            {QStringLiteral("port"), server->socketRuntime().localPort},
            {QStringLiteral("error"), server->errorString()},
            {QStringLiteral("openFileLimit"), limit.soft},
            {QStringLiteral("openConnections"), int(m_connections.size())},
            {QStringLiteral("retryMs"), AcceptRetryMs},
            {QStringLiteral("message"),
             QStringLiteral("Cannot accept new connections (%1): they wait in the listen backlog; "
                            "accepting again every %2 ms")
                 .arg(server->errorString())
                 .arg(AcceptRetryMs)},
        };
        publishEvent(std::move(event));
    } else {
        ++m_acceptRetries;
    }
    QPointer<ListenerServer> guard(server);
    QTimer::singleShot(AcceptRetryMs, this, [this, guard] {
        if (guard && m_listeners.contains(guard.data()))
            retryAccepting(guard.data());
    });
}

// A QTcpServer keeps the first error of its socket engine for good (Qt 6.4: the engine sets an
// error only once), so after an EMFILE every later "would block" at the end of an accept burst
// would look like a new failure and pause the listener again. Listen on a fresh QTcpServer over a
// duplicate of the same listening socket instead of resuming the old one.
void Worker::retryAccepting(ListenerServer *server)
{
    const int duplicate = ::fcntl(int(server->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (duplicate < 0) { // still no descriptor to spare
        acceptFailed(server);
        return;
    }
    ListenerServer *fresh = listenOn(server->socketRuntime(), duplicate);
    if (!fresh) {
        server->resumeAccepting();
        return;
    }
    m_listeners.replace(m_listeners.indexOf(server), fresh);
    server->close(); // the listening socket stays open through the duplicate
    server->deleteLater();
}

void Worker::accept(int descriptor, const ListenerSocketRuntime &socket)
{
    if (m_acceptPausedSinceMs >= 0) {
        Events::GatewayEvent event;
        event.tsMs = now();
        event.type = QStringLiteral("listener.acceptResumed");
        event.fields = QJsonObject{
            {QStringLiteral("frontendPort"), socket.frontendPort},
            {QStringLiteral("port"), socket.localPort},
            {QStringLiteral("pausedMs"), event.tsMs - m_acceptPausedSinceMs},
            {QStringLiteral("retries"), m_acceptRetries},
        };
        publishEvent(std::move(event));
        m_acceptPausedSinceMs = -1;
    }
    if (m_stopping) {
        ::close(descriptor);
        return;
    }
    if (socket.https) {
        // tls: plain-HTTP check, SNI certificate choice and handshake first (core/tls).
        Tls::TlsAcceptor *handshake = Tls::TlsAcceptor::accept(
            descriptor, socket.frontendPort, m_runtime->certificates,
            {[this, socket](Net::Stream *stream) {
                 auto *connection = new ClientConnection(this, stream, socket);
                 m_connections.insert(connection, true);
                 connection->start();
             },
             [this](Events::GatewayEvent event) { publishEvent(std::move(event)); },
             [this] { return now(); }},
            this);
        if (handshake && !handshake->isDone())
            m_handshakes.append(handshake); // its timeout is checked by tick()
        return;
    }
    Net::TcpStream *stream = Net::TcpStream::adopt(descriptor);
    auto *connection = new ClientConnection(this, stream, socket);
    m_connections.insert(connection, true);
    connection->start();
}

void Worker::sessionOpened(ClientConnection *connection)
{
    Q_UNUSED(connection);
}

void Worker::connectionFinished(ClientConnection *connection)
{
    if (!m_connections.remove(connection))
        return;
    // Freed from the next loop iteration, once the callbacks that finished it have returned; not
    // left for the tick, which under connection churn (7,000 closes per 250 ms tick) stalled the
    // worker for ~15 ms at every tick (the gateway's p99 with a new connection per request).
    if (m_graveyard.empty())
        QMetaObject::invokeMethod(this, &Worker::reap, Qt::QueuedConnection);
    m_graveyard.push_back(connection);
}

void Worker::sessionClosed(const Session::SessionClosed &closed)
{
    m_closedSessions.append(closed);
}

void Worker::publishEvent(Events::GatewayEvent event)
{
    m_pendingEvents.append(std::move(event));
    if (m_pendingEvents.size() >= MaxPendingEvents)
        emit eventsReady(std::exchange(m_pendingEvents, {}));
}

void Worker::reap()
{
    for (ClientConnection *connection : m_graveyard)
        delete connection;
    m_graveyard.clear();
}

void Worker::checkTimersNow()
{
    tick();
}

void Worker::tick()
{
    reap();
    if (!m_runtime)
        return;
    const qint64 nowMs = now();
    Session::SessionBatch batch;
    // Timeouts: one pass over the connections per tick, no timer per connection.
    const QList<ClientConnection *> connections = m_connections.keys();
    const quint64 healthGeneration = m_runtime->health ? m_runtime->health->generation() : 0;
    const bool healthChanged = healthGeneration != m_healthGeneration;
    m_healthGeneration = healthGeneration;
    for (ClientConnection *connection : connections) {
        if (!m_connections.contains(connection))
            continue;
        connection->checkTimeout(nowMs);
        if (healthChanged && m_connections.contains(connection))
            connection->refreshHealth(*m_runtime->health);
    }
    // TLS handshakes in progress (and plain-HTTP-on-TLS answers lingering): same clock.
    for (qsizetype i = 0; i < m_handshakes.size();) {
        Tls::TlsAcceptor *handshake = m_handshakes.at(i);
        if (handshake && !handshake->isDone())
            handshake->checkTimeout(nowMs);
        if (!handshake || handshake->isDone())
            m_handshakes.removeAt(i);
        else
            ++i;
    }
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        ClientConnection *connection = it.key();
        if (connection->takeDirty()) {
            const Session::SessionSnapshot snapshot = connection->snapshot();
            if (connection->takeFirstReport())
                batch.opened.append(snapshot);
            else
                batch.updated.append(snapshot);
            QList<Session::FrameRecord> frames = connection->takeNewFrames();
            if (!frames.isEmpty())
                batch.frames.insert(snapshot.id, std::move(frames));
        }
    }
    // Closed sessions (their final snapshot and last frames) go as they were gathered.
    batch.closed = std::exchange(m_closedSessions, {});
    m_backendPool.expire(nowMs, BackendIdleMs);
    if (!batch.opened.isEmpty() || !batch.updated.isEmpty() || !batch.closed.isEmpty())
        emit sessionBatch(batch);
    if (!m_pendingEvents.isEmpty())
        emit eventsReady(std::exchange(m_pendingEvents, {}));
    reap();
    if (m_stopping && m_connections.isEmpty()) {
        m_tickTimer->stop();
        emit drained(m_index);
    }
}

void Worker::beginStop(int drainMs)
{
    closeListeners();
    m_stopping = true;
    m_backendPool.closeAll();
    const qint64 deadline = now() + drainMs;
    const QList<ClientConnection *> connections = m_connections.keys();
    for (ClientConnection *connection : connections)
        connection->beginDrain(deadline, QStringLiteral("shutdown"));
    tick();
}

void Worker::stopNow(const QString &reason)
{
    closeListeners();
    m_stopping = true;
    const QList<ClientConnection *> connections = m_connections.keys();
    for (ClientConnection *connection : connections)
        connection->abort(QStringLiteral("gateway"), reason);
    m_backendPool.closeAll();
    if (m_runtime && m_tickTimer) {
        tick();
    }
}

void Worker::closeSession(quint64 id, const QString &reason)
{
    const QList<ClientConnection *> connections = m_connections.keys();
    for (ClientConnection *connection : connections) {
        if (connection->id() == id)
            connection->abort(QStringLiteral("gateway"), reason);
    }
}

void Worker::drainServers(const QList<DrainingServer> &servers,
                          const std::shared_ptr<const Routing::RouteTable> &previous)
{
    for (const DrainingServer &entry : servers)
        m_selector->addDraining(previous, entry.pool, entry.setting, entry.server, entry.deadlineMs);
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it)
        it.key()->drainServer(servers);
}

} // namespace Gateway::Proxy
