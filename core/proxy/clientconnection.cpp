#include "proxy/clientconnection.h"

#include "health/healthtable.h"
#include "http/customerrorpages.h"
#include "http/errorpage.h"
#include "net/clock.h"
#include "net/tcpstream.h"
#include "proxy/backendresolver.h"
#include "proxy/worker.h"
#include "routing/backendselector.h"
#include "routing/routetable.h"
#include "session/framedecoder.h"
#include "session/heartbeattracker.h"
#include "tls/backendtls.h"
#include "tls/certificatestore.h"

#include <QJsonObject>
#include <QRandomGenerator>

#include <charconv>
#include <random>

namespace Gateway::Proxy {

using Net::Stream;
using Net::StreamOwner;

namespace {

constexpr qsizetype HighWater = 256 * 1024;        // pause the other side above this
constexpr qsizetype MaxPipelinedBytes = 64 * 1024; // read ahead while a request is in flight
constexpr qint64 LingerMs = 5'000;
constexpr int MaxLastFrames = 200;
constexpr int MaxNewFramesPerTick = 500;

std::atomic<quint64> g_nextSessionId{1};

QByteArray makeTraceId()
{
    thread_local std::mt19937_64 rng(QRandomGenerator::securelySeeded().generate64());
    static const char hex[] = "0123456789abcdef";
    QByteArray id(32, Qt::Uninitialized);
    quint64 a = rng(), b = rng();
    for (int i = 0; i < 16; ++i) {
        id[i] = hex[(a >> (i * 4)) & 0xf];
        id[16 + i] = hex[(b >> (i * 4)) & 0xf];
    }
    return id;
}

bool isAzureHeaderName(QByteArrayView name)
{
    // Azure drops request headers whose names hold characters other than letters, digits and '-'.
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-'))
            return false;
    }
    return !name.isEmpty();
}

bool nameIs(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QString addressText(const QHostAddress &address)
{
    bool ok = false;
    const quint32 v4 = address.toIPv4Address(&ok);
    if (ok)
        return QHostAddress(v4).toString();
    return address.toString();
}

QByteArray forwardedFor(const QHostAddress &address, quint16 port)
{
    bool ok = false;
    const quint32 v4 = address.toIPv4Address(&ok);
    if (ok)
        return QHostAddress(v4).toString().toLatin1() + ':' + QByteArray::number(port);
    return '[' + address.toString().toLatin1() + "]:" + QByteArray::number(port);
}

// Gathers a stream's writes for the scope (Stream::cork): one send() per exchange step. Only for
// streams that outlive the scope (the client stream is freed after the epoll batch; a backend
// stream is uncorked before it is released, see releaseBackend).
class CorkScope
{
public:
    explicit CorkScope(Stream *stream) : m_stream(stream)
    {
        if (m_stream)
            m_stream->cork();
    }
    ~CorkScope()
    {
        if (m_stream)
            m_stream->uncork();
    }
    CorkScope(const CorkScope &) = delete;
    CorkScope &operator=(const CorkScope &) = delete;

private:
    Stream *m_stream;
};

} // namespace

ClientConnection::ClientConnection(Worker *worker, Stream *client,
                                   const ListenerSocketRuntime &socket)
    : m_worker(worker), m_runtime(worker->runtime()), m_socket(socket), m_client(client)
{
    m_client->setOwner(this);
    const qint64 now = m_worker->now();
    m_snapshot.id = g_nextSessionId.fetch_add(1, std::memory_order_relaxed);
    m_snapshot.listener = socket.listenerNames;
    m_snapshot.clientAddress = addressText(client->peerAddress) + QLatin1Char(':')
                               + QString::number(client->peerPort);
    m_snapshot.startMs = now;
    m_snapshot.lastActivityMs = now;
    m_snapshot.state = Session::SessionState::ReadingRequest;
    m_deadlineMs = now + m_runtime->options.keepAliveTimeoutMs;
}

ClientConnection::~ClientConnection()
{
    stopResolving();
    if (m_client)
        m_client->dispose();
    if (m_backend)
        m_backend->dispose();
}

void ClientConnection::start()
{
    m_worker->sessionOpened(this);
    onClientReadable();
}

int ClientConnection::requestTimeoutMs() const
{
    return m_route.setting ? m_route.setting->requestTimeoutMs : 20'000;
}

void ClientConnection::setPhase(Phase phase)
{
    m_phase = phase;
    using S = Session::SessionState;
    switch (phase) {
    case Phase::ReadingHead: m_snapshot.state = S::ReadingRequest; break;
    case Phase::Connecting:
    case Phase::Forwarding: m_snapshot.state = S::WaitingForBackend; break;
    case Phase::Responding: m_snapshot.state = S::Streaming; break;
    case Phase::Tunnel: m_snapshot.state = S::Upgraded; break;
    case Phase::Closing: m_snapshot.state = S::Closing; break;
    case Phase::Closed: m_snapshot.state = S::Closed; break;
    }
    m_dirty = true;
}

void ClientConnection::touch()
{
    m_snapshot.lastActivityMs = m_worker->now();
    m_dirty = true;
}

void ClientConnection::streamEvent(Stream *stream, Event event)
{
    if (m_phase == Phase::Closed)
        return;
    if (stream == m_client) {
        switch (event) {
        case Event::Readable: onClientReadable(); break;
        case Event::Drained: onClientDrained(); break;
        case Event::Closed: abort(QStringLiteral("client"), QStringLiteral("clientReset")); break;
        case Event::Connected: break;
        }
    } else if (stream == m_backend) {
        switch (event) {
        case Event::Connected: onBackendConnected(); break;
        case Event::Readable: onBackendReadable(); break;
        case Event::Drained: onBackendDrained(); break;
        case Event::Closed: onBackendClosed(); break;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Client side

void ClientConnection::onClientReadable()
{
    if (m_phase == Phase::Tunnel) {
        relay(m_client, m_backend, true);
        return;
    }
    char *buf = m_worker->scratch();
    const qsizetype cap = m_worker->scratchSize();
    while (m_phase != Phase::Closed) {
        if (m_readPaused)
            return;
        const qsizetype n = m_client->read(buf, cap);
        if (n == Stream::WouldBlock)
            break;
        if (n < 0) {
            // EOF or error from the client.
            m_clientEof = true;
            if (m_phase == Phase::Closing && m_client->bytesToWrite() > 0) {
                m_client->setReadEnabled(false); // finish on Drained
                return;
            }
            if (m_phase == Phase::Closing || (m_phase == Phase::ReadingHead && m_in.isEmpty())) {
                finishSession(QStringLiteral("client"), QStringLiteral("clientClosed"));
                return;
            }
            if (m_phase == Phase::ReadingHead) {
                // A partial request and then EOF: nothing to answer.
                finishSession(QStringLiteral("client"), QStringLiteral("clientClosed"));
                return;
            }
            if (!m_reqBodyDone) {
                // The client went away mid-body: Azure logs 499.
                accessLog(499, 0);
                finishSession(QStringLiteral("client"), QStringLiteral("clientClosed"));
                return;
            }
            // Request complete; the client half-closed. Deliver the response, then close.
            m_client->setReadEnabled(false);
            return;
        }
        m_snapshot.bytesIn += n;
        touch();
        if (m_firstByteMs == 0)
            m_firstByteMs = m_snapshot.lastActivityMs;
        QByteArrayView data(buf, n);
        switch (m_phase) {
        case Phase::ReadingHead:
            if (m_in.isEmpty()) {
                parseRequests(data);
            } else {
                m_in.append(data.data(), data.size());
                parseRequests();
            }
            break;
        case Phase::Closing: break; // discard while lingering
        case Phase::Connecting:
            // The request head is not sent yet: keep body bytes until it is (bounded).
            m_in.append(data.data(), data.size());
            if (m_in.size() >= MaxPipelinedBytes) {
                m_readPaused = true;
                m_client->setReadEnabled(false);
            }
            break;
        default:
            if (!m_reqBodyDone && m_in.isEmpty()) {
                qsizetype used = 0;
                if (!consumeRequestBody(data, &used))
                    return;
                if (used < data.size())
                    m_in.append(data.data() + used, data.size() - used);
            } else {
                m_in.append(data.data(), data.size());
                if (!m_reqBodyDone) {
                    qsizetype used = 0;
                    const QByteArray pending = std::exchange(m_in, QByteArray());
                    if (!consumeRequestBody(pending, &used))
                        return;
                    m_in = pending.mid(used);
                }
            }
            if (m_reqBodyDone && m_in.size() >= MaxPipelinedBytes) {
                m_readPaused = true;
                m_client->setReadEnabled(false);
            }
            if (m_backend && m_backend->bytesToWrite() > HighWater) {
                m_readPaused = true;
                m_client->setReadEnabled(false);
            }
            break;
        }
    }
}

void ClientConnection::onClientDrained()
{
    if (m_phase == Phase::Tunnel) {
        if (m_backend && !m_backendEof)
            m_backend->setReadEnabled(true);
        maybeFinishTunnel();
        return;
    }
    if (m_phase == Phase::Closing && m_clientEof) {
        finishSession(QStringLiteral("client"), QStringLiteral("clientClosed"));
        return;
    }
    if (m_backend && m_phase == Phase::Responding)
        m_backend->setReadEnabled(true);
}

void ClientConnection::parseRequests(QByteArrayView fresh)
{
    // `fresh`: bytes just read while m_in was empty. They are parsed where they are, and only
    // what follows a complete head (body bytes, pipelined requests) or an incomplete head is
    // copied into m_in.
    Q_ASSERT(fresh.isEmpty() || m_in.isEmpty());
    while (m_phase == Phase::ReadingHead && (!fresh.isEmpty() || !m_in.isEmpty())) {
        const QByteArrayView input = fresh.isEmpty() ? QByteArrayView(m_in) : fresh;
        Http::RequestParser parser;
        m_req = Http::RequestHead();
        const Http::ParseResult result = parser.parse(input, &m_req);
        if (result.status == Http::ParseResult::Status::Incomplete) {
            if (!fresh.isEmpty())
                m_in.append(fresh.data(), fresh.size());
            // Absolute deadline from the first byte of this request (slowloris): Azure's 408.
            m_deadlineMs = m_firstByteMs + m_runtime->options.incompleteRequestTimeoutMs;
            return;
        }
        if (result.status == Http::ParseResult::Status::Error) {
            m_req.method = m_req.method.isEmpty() ? QByteArray("-") : m_req.method;
            respondLocal(result.errorStatus ? result.errorStatus : 400, {}, true);
            return;
        }
        if (!fresh.isEmpty()) {
            if (result.consumed < fresh.size())
                m_in.append(fresh.data() + result.consumed, fresh.size() - result.consumed);
            fresh = {};
        } else {
            m_in.remove(0, result.consumed);
        }
        m_requestBytes = result.consumed;
        handleRequest();
    }
}

void ClientConnection::handleRequest()
{
    m_runtime = m_worker->runtime(); // new requests use the newest configuration
    m_requestStartMs = m_worker->now();
    m_traceId = makeTraceId();
    m_snapshot.requests += 1;
    m_snapshot.path = QString::fromLatin1(m_req.path);
    m_attempts = 0;
    m_retriedTimeout = false;
    m_triedServers.clear();
    m_refusal.clear();
    m_sent100 = false;
    m_respHeadSent = false;
    m_responseBytes = 0;
    m_serverIndex = -1;
    m_pinnedByCookie = -1;
    m_keepAlive = m_req.keepAlive;
    ex().reqBody = Http::BodyDecoder(m_req.bodyKind, m_req.contentLength);
    // Done at once without a body and with Content-Length: 0; no byte will come to finish it.
    m_reqBodyDone = ex().reqBody.isDone();
    m_firstByteMs = 0;

    m_route = m_runtime->routes->route(m_socket.frontendPort, m_req.host, m_req.path, m_req.query);
    m_pinTable.reset();
    m_pinDeadlineMs = 0;
    startExchange(m_stage, *m_runtime, m_req, m_route, *m_client, m_socket, m_traceId,
                  m_requestBytes);
    const StageVerdict verdict = runRequestStages(*m_runtime, m_stage); // may reroute
    m_snapshot.rule = m_route.rule;
    m_snapshot.pool = m_route.poolName;
    m_snapshot.setting = m_route.settingName;
    if (!m_route.listener.isEmpty())
        m_snapshot.listener = m_route.listener;
    m_snapshot.webSocket = m_req.upgradeWebSocket;

    if (refuseClientCertificate())
        return;
    if (!m_client->servedCertificate.isEmpty() && m_route.kind != Routing::RouteResult::NotFound
        && misdirected()) {
        // The handshake served another listener's certificate (SNI chose it): this connection
        // may not carry requests for this host (reliability-cases T03, RFC 9110 §15.5.20).
        respondLocal(421);
        return;
    }
    if (verdict.status) {
        respondLocal(verdict.status);
        return;
    }
    switch (m_route.kind) {
    case Routing::RouteResult::NotFound: respondLocal(404); return;
    case Routing::RouteResult::Misconfigured: respondLocal(500); return;
    case Routing::RouteResult::Redirect: respondRedirect(); return;
    case Routing::RouteResult::Backend: break;
    }
    m_snapshot.timeoutMs = requestTimeoutMs();
    chooseServerAndConnect();
}

bool ClientConnection::refuseClientCertificate()
{
    // nginx (Azure's data plane) checks the client certificate when a request arrives, before
    // routing; the handshake itself succeeded (azure-reference.md §8: 400 for every mTLS failure).
    const Tls::ClientCertificate *certificate = m_client->clientCertificate.get();
    if (!certificate || !certificate->required || certificate->isVerified())
        return false;
    m_refusal = QStringLiteral("client certificate: ") + certificate->verification;
    m_keepAlive = false;
    const QByteArray response = Http::clientCertificateErrorResponse(!certificate->presented);
    m_client->write(response);
    m_snapshot.bytesOut += response.size();
    m_responseBytes = response.size();
    accessLog(400, 0);
    finishExchange();
    return true;
}

bool ClientConnection::misdirected() const
{
    if (m_route.listener.isEmpty() || !m_runtime->certificates)
        return false;
    const QString wanted = m_runtime->certificates->certificateNameOf(m_route.listener);
    return !wanted.isEmpty()
           && wanted.compare(m_client->servedCertificate, Qt::CaseInsensitive) != 0;
}

bool ClientConnection::consumeRequestBody(QByteArrayView bytes, qsizetype *used)
{
    const bool chunked = m_reqChunkedOut;
    Stream *backend = m_backend;
    Http::BodyDecoder::Result result;
    {
        CorkScope cork(chunked ? backend : nullptr); // chunk header, data and CRLF in one send
        result = ex().reqBody.feed(bytes, [backend, chunked](QByteArrayView payload) {
            if (!backend || payload.isEmpty())
                return;
            if (chunked) {
                backend->write(Http::chunkHeader(payload.size()));
                backend->write(payload);
                backend->write(Http::ChunkTrailerCrlf);
            } else {
                backend->write(payload);
            }
        });
        if (result.done && chunked && backend)
            backend->write(Http::LastChunk);
    }
    *used = result.consumed;
    if (result.error) {
        // Bad framing in the body (chunk syntax): 400 and close, whatever the backend does.
        if (!m_respHeadSent) {
            releaseBackend(false);
            respondLocal(400, {}, true);
        } else {
            abort(QStringLiteral("client"), QStringLiteral("badRequestBody"));
        }
        return false;
    }
    if (result.done)
        m_reqBodyDone = true;
    return true;
}

void ClientConnection::respondLocal(int status, const QByteArray &extraHeaders, bool forceClose)
{
    // A request whose body was not read cannot be followed by another on this connection.
    // A failed upgrade closes too: the client asked to leave HTTP, and WebSocket clients wait
    // for the connection to end after a refused handshake.
    if (!m_reqBodyDone || forceClose || m_clientEof || m_req.upgradeWebSocket)
        m_keepAlive = false;
    const QByteArray custom = m_runtime->errorPages
                                  ? m_runtime->errorPages->page(m_route.listener.isEmpty()
                                                                    ? m_socket.listenerNames
                                                                    : m_route.listener,
                                                                status)
                                  : QByteArray();
    const QByteArray response = Http::errorPageResponse(status, m_keepAlive, extraHeaders, custom);
    m_client->write(response);
    m_snapshot.bytesOut += response.size();
    m_responseBytes = response.size();
    accessLog(status, 0);
    finishExchange();
}

void ClientConnection::respondRedirect()
{
    QByteArray headers = "Location: " + m_route.redirectLocation + "\r\n";
    if (!m_reqBodyDone)
        m_keepAlive = false;
    QByteArray response = Http::serializeResponseHead(
        m_route.redirectStatus, Http::reasonPhrase(m_route.redirectStatus),
        {{"Server", "Microsoft-Azure-Application-Gateway/v2"},
         {"Location", m_route.redirectLocation},
         {"Content-Type", "text/html"}},
        Http::BodyKind::ContentLength, 0, m_keepAlive);
    m_client->write(response);
    m_snapshot.bytesOut += response.size();
    m_responseBytes = response.size();
    accessLog(m_route.redirectStatus, 0);
    finishExchange();
}

void ClientConnection::finishExchange()
{
    m_stage.active = false;        // a 400 for the next, unparsed request carries no stage results
    if (m_serverDrainDeadlineMs) { // done before the deadline: the member is not used again
        m_serverDrainDeadlineMs = 0;
        m_snapshot.drainDeadlineMs = 0;
        m_dirty = true;
    }
    if (m_phase == Phase::Closed)
        return;
    if (!m_keepAlive || m_clientEof || m_worker->stopping()) {
        closeGracefully();
        return;
    }
    setPhase(Phase::ReadingHead);
    m_deadlineMs = m_worker->now() + m_runtime->options.keepAliveTimeoutMs;
    m_firstByteMs = m_in.isEmpty() ? 0 : m_worker->now();
    if (m_readPaused) {
        m_readPaused = false;
        m_client->setReadEnabled(true); // may deliver Readable and parse right away
    }
    if (m_phase == Phase::ReadingHead && !m_in.isEmpty())
        parseRequests();
}

void ClientConnection::closeGracefully()
{
    // Send FIN after the response is flushed, then read and discard until the client closes or
    // the linger time ends (nginx's lingering close), so the response is not lost to a reset.
    releaseBackend(false);
    m_client->shutdownWrite();
    setPhase(Phase::Closing);
    m_deadlineMs = m_worker->now() + LingerMs;
    m_readPaused = false;
    m_client->setReadEnabled(true);
}

// ---------------------------------------------------------------------------------------------
// Backend side

void ClientConnection::chooseServerAndConnect()
{
    Routing::BackendSelector &selector = m_worker->selector();
    int index = -1;
    if (m_pinTable) {
        // The draining member failed: the retry goes to a member of the request's own route.
        m_route = m_unpinnedRoute;
        m_pinTable.reset();
        m_pinDeadlineMs = 0;
        m_triedServers.clear();
        m_serverIndex = -1;
        m_pinnedByCookie = -1;
    }
    if (m_attempts == 0 && m_route.setting && m_route.setting->cookieAffinity) {
        index = selector.serverForAffinityCookie(m_route, m_req.headers);
        Routing::BackendSelector::DrainingPin pin;
        if (index < 0
            && selector.drainingServerForAffinityCookie(m_route, m_req.headers, m_worker->now(),
                                                        &pin)) {
            // Azure keeps proxying requests pinned by gateway-managed affinity to a deregistered
            // member until its drain timeout (azure-reference.md §3).
            m_unpinnedRoute = m_route;
            m_route = pin.route;
            m_pinTable = std::move(pin.table);
            m_pinDeadlineMs = pin.deadlineMs;
            index = pin.serverIndex;
        }
        m_pinnedByCookie = index;
    }
    if (index < 0) {
        // Round robin over routable members, skipping those already tried for this request.
        const int count = m_route.pool ? int(m_route.pool->servers.size()) : 0;
        for (int i = 0; i < count && index < 0; ++i) {
            const int candidate = selector.pick(m_route, m_serverIndex);
            if (candidate < 0)
                break;
            if (!m_triedServers.contains(candidate))
                index = candidate;
        }
    }
    if (index < 0) {
        // Empty pool, or no healthy member left: 502.
        respondLocal(502);
        return;
    }
    connectToServer(index);
}

void ClientConnection::connectToServer(int serverIndex)
{
    m_serverIndex = serverIndex;
    m_triedServers.append(serverIndex);
    const Routing::BackendServer &server = m_route.pool->servers.at(serverIndex);
    if (m_serverDrainDeadlineMs && server.address != m_snapshot.server) {
        m_serverDrainDeadlineMs = 0; // a retry on another member: that one is not draining
        m_snapshot.drainDeadlineMs = 0;
        m_dirty = true;
    }
    if (m_pinTable && m_pinDeadlineMs) { // pinned to a draining member: ends at its deadline
        m_serverDrainDeadlineMs = m_pinDeadlineMs;
        m_snapshot.drainDeadlineMs = m_pinDeadlineMs;
        m_dirty = true;
    }
    if (!server.refusal.isEmpty()) {
        // An address outside loopback that nothing maps is never contacted (product.md §3): the
        // next member, else 502 with the reason in the access event.
        m_refusal = server.refusal;
        m_snapshot.server = server.address;
        m_backendReused = false;
        backendFailed(false, true);
        return;
    }
    ++m_attempts;
    const int port = server.portFor(*m_route.setting);
    if (port != m_serverEndpointPort || server.connectHost != m_serverEndpointHost) {
        // Keep-alive requests mostly go to the same member again: build its key only on change.
        m_serverEndpoint = server.connectHost + QLatin1Char(':') + QString::number(port);
        m_serverEndpointHost = server.connectHost;
        m_serverEndpointPort = port;
        m_backendKey = m_worker->backendPool().keyFor(m_serverEndpoint);
        m_snapshot.serverEndpoint = m_serverEndpoint;
    }
    m_snapshot.server = server.address;
    setPhase(Phase::Connecting);
    m_backIn.clear();

    if (Stream *idle = m_worker->backendPool().take(m_backendKey)) {
        m_backend = idle;
        m_backend->setOwner(this);
        m_backendReused = true;
        sendRequestHead();
        return;
    }
    m_backendReused = false;
    QHostAddress address;
    if (!address.setAddress(server.connectHost)) {
        // A name (azure-reference.md §2): a fresh cached answer, else wait in Connecting for the
        // worker's resolver without blocking the thread; the wait ends by the connect timeout.
        stopResolving();
        if (!m_runtime->names->fresh(server.connectHost, m_worker->now(), &address)) {
            m_deadlineMs = m_worker->now() + m_runtime->options.backendConnectTimeoutMs;
            m_resolveTicket = m_worker->resolver().resolve(
                server.connectHost, m_runtime->options.backendLookup, m_runtime->names,
                [this](quint64 ticket, const QHostAddress &resolved, bool) {
                    onBackendResolved(ticket, resolved);
                });
            return;
        }
    }
    connectToAddress(address, port);
}

void ClientConnection::stopResolving()
{
    if (m_resolveTicket)
        m_worker->resolver().cancel(std::exchange(m_resolveTicket, 0));
}

void ClientConnection::onBackendResolved(quint64 ticket, const QHostAddress &address)
{
    if (ticket != m_resolveTicket || m_phase != Phase::Connecting)
        return;
    m_resolveTicket = 0;
    if (address.isNull()) {
        // The name never resolved under this configuration: next member, else 502 (Azure §8).
        backendFailed(false, true);
        return;
    }
    const Routing::BackendServer &server = m_route.pool->servers.at(m_serverIndex);
    connectToAddress(address, server.portFor(*m_route.setting));
}

void ClientConnection::connectToAddress(const QHostAddress &address, int port)
{
    QString error;
    if (m_route.setting->https) // tls: end-to-end TLS (SNI + verification), core/tls/backendtls.h
        m_backend = Tls::connectBackend(
            m_runtime->certificates.get(), *m_route.setting, address.toString(), quint16(port),
            Routing::backendHostHeader(m_route, m_serverIndex, m_req.hostHeader), this);
    else
        m_backend = Net::TcpStream::connectTo(address, quint16(port), &error);
    if (!m_backend) {
        backendFailed(false, true);
        return;
    }
    m_backend->setOwner(this);
    m_deadlineMs = m_worker->now() + m_runtime->options.backendConnectTimeoutMs;
    if (m_backend->isConnected())
        onBackendConnected();
}

void ClientConnection::onBackendConnected()
{
    if (m_phase != Phase::Connecting)
        return;
    sendRequestHead();
}

void ClientConnection::sendRequestHead()
{
    // The upstream head, written straight into one buffer: Host first, the client's end-to-end
    // fields (minus those Azure sets itself, and names it does not accept), then Azure's
    // forwarded fields, then our own framing.
    const QByteArray host = Routing::backendHostHeader(m_route, m_serverIndex, m_req.hostHeader);
    const QByteArray target = m_route.forwardTarget(m_req.path, m_req.query, m_req.hasQuery);
    QByteArray &out = ex().reqHeadBytes;
    out.clear();
    out.reserve(Http::estimateHeadSize(m_req.headers) + m_req.method.size() + target.size()
                + host.size() + m_req.hostHeader.size() + 2 * m_req.path.size() + m_req.query.size()
                + 256);
    Http::appendRequestLine(out, m_req.method, target);
    Http::appendField(out, "Host", host);
    QByteArray xff;
    const bool expectContinue = m_req.expectContinue;
    if (m_stage.active) {
        // The stages saw Azure's forwarded fields in the head (requeststage.h): send it as is.
        Http::appendEndToEndFields(out, m_req.headers, [expectContinue](const Http::Header &h) {
            return !isAzureHeaderName(h.name) || nameIs(h.name, "Host")
                   || (nameIs(h.name, "Expect") && !expectContinue);
        });
    } else {
        Http::appendEndToEndFields(out, m_req.headers, [&xff, expectContinue](const Http::Header &h) {
            const QByteArrayView name = h.name;
            if (!isAzureHeaderName(name) || nameIs(name, "Host") || nameIs(name, "X-Original-Host")
                || nameIs(name, "X-Original-URL") || nameIs(name, "X-AppGW-Trace-Id")
                || nameIs(name, "X-Forwarded-Proto") || nameIs(name, "X-Forwarded-Port"))
                return true;
            if (nameIs(name, "Expect") && !expectContinue)
                return true; // an HTTP/1.0 expectation is ignored (RFC 9110 §10.1.1)
            if (nameIs(name, "X-Forwarded-For")) {
                if (!xff.isEmpty())
                    xff.append(", ");
                xff.append(h.value);
                return true;
            }
            return false;
        });
        if (m_clientFor.isEmpty())
            m_clientFor = forwardedFor(m_client->peerAddress, m_client->peerPort);
        if (xff.isEmpty()) {
            Http::appendField(out, "X-Forwarded-For", m_clientFor);
        } else {
            xff.append(", ").append(m_clientFor);
            Http::appendField(out, "X-Forwarded-For", xff);
        }
        Http::appendField(out, "X-Forwarded-Proto", m_socket.https ? "https" : "http");
        char port[8];
        const auto [portEnd, ec] = std::to_chars(port, port + sizeof port, m_socket.frontendPort);
        Q_UNUSED(ec);
        Http::appendField(out, "X-Forwarded-Port", QByteArrayView(port, portEnd - port));
        Http::appendField(out, "X-Original-Host", m_req.hostHeader);
        if (m_req.hasQuery) {
            QByteArray originalUrl;
            originalUrl.reserve(m_req.path.size() + m_req.query.size() + 1);
            originalUrl.append(m_req.path).append('?').append(m_req.query);
            Http::appendField(out, "X-Original-URL", originalUrl);
        } else {
            Http::appendField(out, "X-Original-URL", m_req.path);
        }
        Http::appendField(out, "X-AppGW-Trace-Id", m_traceId);
    }
    m_reqChunkedOut = m_req.bodyKind == Http::BodyKind::Chunked;
    Http::appendHeadEnd(out, m_req.bodyKind, m_req.contentLength, m_req.upgradeWebSocket, true);
    if (!m_backend->write(ex().reqHeadBytes)) {
        backendFailed(false, true);
        return;
    }
    setPhase(Phase::Forwarding);
    m_deadlineMs = m_worker->now() + requestTimeoutMs();
    // Body bytes that already arrived with the head.
    if (!m_reqBodyDone && !m_in.isEmpty()) {
        qsizetype used = 0;
        const QByteArray pending = std::exchange(m_in, QByteArray());
        if (!consumeRequestBody(pending, &used))
            return;
        m_in = pending.mid(used);
    }
    if (!m_backend)
        return;
    if (m_backend->bytesToWrite() > HighWater) {
        if (!m_readPaused) {
            m_readPaused = true;
            m_client->setReadEnabled(false);
        }
    } else if (m_readPaused && !m_reqBodyDone) {
        m_readPaused = false; // paused while connecting; the body can flow now
        m_client->setReadEnabled(true);
    }
}

bool ClientConnection::canRetry() const
{
    // Azure v2 retries a timed-out request once on a second member. A proxy must not retry
    // non-idempotent requests, and the body streamed through can't be replayed.
    return m_req.idempotent() && m_req.bodyKind == Http::BodyKind::None && !m_respHeadSent;
}

void ClientConnection::backendFailed(bool timedOut, bool connectFailure)
{
    const bool wasReused = m_backendReused;
    releaseBackend(false);
    if (m_respHeadSent) {
        // Mid-response: the status is gone; cut the client off so it sees the truncation.
        abort(QStringLiteral("backend"), QStringLiteral("backendError"));
        return;
    }
    // A reused keep-alive connection that died before answering: try a fresh one, same server.
    if (wasReused && !timedOut && m_req.idempotent() && m_req.bodyKind == Http::BodyKind::None) {
        m_triedServers.removeAll(m_serverIndex);
        --m_attempts;
        m_worker->backendPool().closeAll(); // its siblings are likely stale too
        connectToServer(m_serverIndex);
        return;
    }
    const int routable = m_route.pool ? int(m_route.pool->servers.size()) : 0;
    if (connectFailure) {
        // Connection refused (nothing was sent): try the next member, then 502 (504 on timeout).
        if (m_triedServers.size() < routable) {
            chooseServerAndConnect();
            if (m_phase != Phase::Connecting && m_phase != Phase::Forwarding
                && m_phase != Phase::Closed && m_phase != Phase::Closing
                && m_phase != Phase::ReadingHead)
                return;
            return;
        }
        respondLocal(timedOut ? 504 : 502);
        return;
    }
    if (timedOut) {
        if (!m_retriedTimeout && canRetry() && m_triedServers.size() < routable) {
            m_retriedTimeout = true;
            chooseServerAndConnect();
            return;
        }
        respondLocal(504);
        return;
    }
    // Closed before any response byte (B04): one retry for idempotent requests, else 502.
    if (canRetry() && m_attempts < 2 && m_triedServers.size() < routable) {
        chooseServerAndConnect();
        return;
    }
    respondLocal(502);
}

void ClientConnection::releaseBackend(bool reusable)
{
    if (!m_backend)
        return;
    Stream *backend = std::exchange(m_backend, nullptr);
    backend->uncork();
    if (reusable && backend->bytesToWrite() == 0 && !m_worker->stopping()) {
        backend->setReadEnabled(true);
        m_worker->backendPool().put(m_backendKey, backend, m_worker->now());
    } else {
        backend->dispose();
    }
    m_backIn.clear();
}

void ClientConnection::onBackendClosed()
{
    if (m_phase == Phase::Connecting) {
        backendFailed(false, true);
        return;
    }
    if (m_phase == Phase::Tunnel) {
        relay(m_backend, m_client, false);
        return;
    }
    backendFailed(false, false);
}

void ClientConnection::onBackendDrained()
{
    if (m_phase == Phase::Tunnel) {
        if (!m_clientEof)
            m_client->setReadEnabled(true);
        maybeFinishTunnel();
        return;
    }
    if (m_readPaused && (m_phase == Phase::Forwarding || m_phase == Phase::Responding)
        && (!m_reqBodyDone || m_in.size() < MaxPipelinedBytes)) {
        m_readPaused = false;
        m_client->setReadEnabled(true);
    }
}

void ClientConnection::onBackendReadable()
{
    if (m_phase == Phase::Tunnel) {
        relay(m_backend, m_client, false);
        return;
    }
    // The response head, the body bytes that came with it and chunk framing: one send.
    CorkScope cork(m_client);
    char *buf = m_worker->scratch();
    const qsizetype cap = m_worker->scratchSize();
    while (m_backend && (m_phase == Phase::Forwarding || m_phase == Phase::Responding)) {
        const qsizetype n = m_backend->read(buf, cap);
        if (n == Stream::WouldBlock)
            return;
        if (n < 0) {
            if (m_phase == Phase::Responding && ex().resp.bodyKind == Http::BodyKind::UntilClose) {
                // Close-delimited body: EOF is its end.
                releaseBackend(false);
                completeResponse(false);
                return;
            }
            backendFailed(false, false);
            return;
        }
        m_deadlineMs = m_worker->now() + requestTimeoutMs();
        if (m_phase == Phase::Forwarding) {
            m_backIn.append(buf, n);
            if (!handleResponseHead())
                return;
            if (m_phase != Phase::Responding)
                continue; // an interim 1xx was consumed
            const QByteArray leftover = std::exchange(m_backIn, QByteArray());
            if (!leftover.isEmpty() && !feedResponseBody(leftover))
                return;
            continue;
        }
        if (!feedResponseBody(QByteArrayView(buf, n)))
            return;
        if (m_client->bytesToWrite() > HighWater) {
            m_backend->setReadEnabled(false); // resumed on the client's Drained
            return;
        }
    }
}

bool ClientConnection::feedResponseBody(QByteArrayView data)
{
    Stream *client = m_client;
    const bool chunked = m_respChunkedOut;
    qint64 written = 0;
    qint64 payload = 0;
    const auto result = ex().respBody.feed(data,
                                           [client, chunked, &written, &payload](QByteArrayView p) {
                                               if (p.isEmpty())
                                                   return;
                                               if (chunked) {
                                                   const QByteArray h = Http::chunkHeader(p.size());
                                                   client->write(h);
                                                   client->write(p);
                                                   client->write(Http::ChunkTrailerCrlf);
                                                   written += h.size() + p.size() + 2;
                                               } else {
                                                   client->write(p);
                                                   written += p.size();
                                               }
                                               payload += p.size();
                                           });
    m_snapshot.bytesOut += written;
    m_responseBytes += payload;
    touch();
    if (result.error) {
        backendFailed(false, false);
        return false;
    }
    if (result.done) {
        responseBodyDone(result.consumed < data.size());
        return false;
    }
    return true;
}

void ClientConnection::responseBodyDone(bool bytesPastBody)
{
    // B09: bytes past the body: never reuse that backend connection.
    releaseBackend(!bytesPastBody && ex().resp.keepAlive && m_reqBodyDone);
    completeResponse(true);
}

void ClientConnection::completeResponse(bool framed)
{
    if (m_respChunkedOut) {
        m_client->write(Http::LastChunk);
        m_snapshot.bytesOut += Http::LastChunk.size();
    }
    if (!framed && m_respCloseDelimited)
        m_keepAlive = false;
    accessLog(ex().resp.status, ex().resp.status);
    finishExchange();
}

bool ClientConnection::handleResponseHead()
{
    for (;;) {
        Http::ResponseParser parser;
        ex().resp = Http::ResponseHead();
        const Http::ParseResult result = parser.parse(m_backIn, m_req.method, &ex().resp);
        if (result.status == Http::ParseResult::Status::Incomplete)
            return true;
        if (result.status == Http::ParseResult::Status::Error) {
            releaseBackend(false);
            respondLocal(502);
            return false;
        }
        if (ex().resp.status == 101) {
            // W09: a 101 to a request that did not ask to upgrade; W11: before the body is done;
            // W10: no Sec-WebSocket-Accept.
            if (!m_req.upgradeWebSocket || !m_reqBodyDone
                || Http::headerValue(ex().resp.headers, "Sec-WebSocket-Accept").isEmpty()) {
                releaseBackend(false);
                respondLocal(502, {}, true);
                return false;
            }
            runResponseStages(*m_runtime, m_stage, ex().resp); // the handshake, not the frames
            QByteArray head;
            head.reserve(Http::estimateHeadSize(ex().resp.headers) + ex().resp.reason.size());
            Http::appendStatusLine(head, 101, ex().resp.reason);
            Http::appendEndToEndFields(head, ex().resp.headers);
            Http::appendHeadEnd(head, Http::BodyKind::None, 0, true, true);
            m_client->write(head);
            m_snapshot.bytesOut += head.size();
            const QByteArray leftover = m_backIn.mid(result.consumed);
            m_backIn.clear();
            m_snapshot.subprotocol = QString::fromLatin1(
                Http::headerValue(ex().resp.headers, "Sec-WebSocket-Protocol"));
            enterTunnel(leftover);
            return false;
        }
        if (ex().resp.status < 200) {
            // Interim response: relay one 100 to a client that expects it; drop the others.
            if (ex().resp.status == 100 && m_req.expectContinue && !m_sent100) {
                m_client->write("HTTP/1.1 100 Continue\r\n\r\n");
                m_sent100 = true;
            }
            m_backIn.remove(0, result.consumed);
            if (m_backIn.isEmpty())
                return true;
            continue;
        }
        // Final response head: re-frame it for the client.
        runResponseStages(*m_runtime, m_stage, ex().resp);
        const Http::ResponseHead &resp = ex().resp;
        const bool client11 = m_req.versionMajor == 1 && m_req.versionMinor >= 1;
        Http::BodyKind framing = ex().resp.bodyKind;
        m_respChunkedOut = false;
        m_respCloseDelimited = false;
        if (framing == Http::BodyKind::UntilClose) {
            if (client11) {
                framing = Http::BodyKind::Chunked;
                m_respChunkedOut = true;
            } else {
                m_respCloseDelimited = true;
                m_keepAlive = false;
            }
        } else if (framing == Http::BodyKind::Chunked) {
            if (client11) {
                m_respChunkedOut = true;
            } else {
                framing = Http::BodyKind::UntilClose;
                m_respCloseDelimited = true;
                m_keepAlive = false;
            }
        }
        const bool headRequest = m_req.method == "HEAD";
        if (!m_reqBodyDone)
            m_keepAlive = false; // answered before the request body arrived: close afterwards
        Http::BodyKind headFraming = framing == Http::BodyKind::UntilClose ? Http::BodyKind::None
                                                                           : framing;
        qint64 headLength = resp.contentLength;
        if (headRequest && resp.bodyKind == Http::BodyKind::None) {
            // HEAD: keep the backend's Content-Length for the client, no body follows.
            const QByteArray cl = Http::headerValue(resp.headers, "Content-Length");
            if (!cl.isEmpty()) {
                headFraming = Http::BodyKind::ContentLength;
                headLength = cl.toLongLong();
            }
        }
        QByteArray head;
        head.reserve(Http::estimateHeadSize(resp.headers) + resp.reason.size());
        Http::appendStatusLine(head, resp.status, resp.reason);
        Http::appendEndToEndFields(head, resp.headers);
        if (m_route.setting && m_route.setting->cookieAffinity
            && m_pinnedByCookie != m_serverIndex) {
            Http::appendField(head, "Set-Cookie",
                              Routing::BackendSelector::affinitySetCookie(m_route, m_serverIndex));
            Http::appendField(head, "Set-Cookie",
                              Routing::BackendSelector::affinityCorsSetCookie(m_route,
                                                                              m_serverIndex));
        }
        Http::appendHeadEnd(head, headFraming, headLength, false, m_keepAlive);
        m_client->write(head);
        m_snapshot.bytesOut += head.size();
        m_respHeadSent = true;
        m_backIn.remove(0, result.consumed);
        ex().respBody = Http::BodyDecoder(ex().resp.bodyKind == Http::BodyKind::UntilClose
                                              ? Http::BodyKind::ContentLength
                                              : ex().resp.bodyKind,
                                          ex().resp.bodyKind == Http::BodyKind::UntilClose
                                              ? std::numeric_limits<qint64>::max()
                                              : ex().resp.contentLength);
        setPhase(Phase::Responding);
        if (ex().respBody.isDone()) {
            // The head ends the response: no body by status or method (1xx were consumed above,
            // 204, 304, HEAD) or Content-Length: 0. No further backend byte belongs to it, so it
            // is completed here; waiting for one would stall the client's next request.
            const bool extra = !m_backIn.isEmpty();
            m_backIn.clear();
            responseBodyDone(extra);
            return false;
        }
        return true;
    }
}

// ---------------------------------------------------------------------------------------------
// Tunnel

void ClientConnection::enterTunnel(QByteArrayView backendLeftover)
{
    setPhase(Phase::Tunnel);
    // Only the tunnel is needed from now on: an idle session should hold as little as possible.
    m_exchange.reset();
    m_req.headers = Http::Headers();
    m_req.target = QByteArray(); // the access log at the end needs method, path, query, host
    m_req.host = QByteArray();
    m_clientFor = QByteArray();
    m_triedServers = QList<int>();
    // Without frame records only control payloads are captured (close codes and reasons).
    const int previewBytes = m_runtime->options.recordFrames ? 256 : 0;
    m_decodeIn = std::make_unique<Session::FrameDecoder>(Session::Direction::ClientToBackend,
                                                         previewBytes);
    m_decodeOut = std::make_unique<Session::FrameDecoder>(Session::Direction::BackendToClient,
                                                          previewBytes);
    m_heartbeat = std::make_unique<Session::HeartbeatTracker>();
    const qint64 now = m_worker->now();
    m_snapshot.webSocket = true;
    m_snapshot.timeoutMs = requestTimeoutMs();
    m_snapshot.timeoutDeadlineMs = now + m_snapshot.timeoutMs;
    m_requestStartMs = m_requestStartMs ? m_requestStartMs : now;
    touch();

    Events::GatewayEvent event;
    event.tsMs = now;
    event.type = QStringLiteral("session.upgraded");
    event.fields = QJsonObject{
        {QStringLiteral("sessionId"), QString::number(m_snapshot.id)},
        {QStringLiteral("listener"), m_route.listener},
        {QStringLiteral("rule"), m_route.rule},
        {QStringLiteral("pool"), m_route.poolName},
        {QStringLiteral("setting"), m_route.settingName},
        {QStringLiteral("server"), m_snapshot.server},
        {QStringLiteral("path"), m_snapshot.path},
        {QStringLiteral("subprotocol"), m_snapshot.subprotocol},
        {QStringLiteral("clientAddress"), m_snapshot.clientAddress},
        {QStringLiteral("requestTimeoutMs"), m_snapshot.timeoutMs},
    };
    m_worker->publishEvent(std::move(event));

    const auto onFrame = [this](const Session::FrameRecord &frame) { recordFrame(frame); };
    if (!backendLeftover.isEmpty()) {
        m_decodeOut->feed(backendLeftover, now, onFrame);
        m_client->write(backendLeftover);
        m_snapshot.bytesOut += backendLeftover.size();
    }
    if (!m_in.isEmpty()) {
        // Bytes the client sent right after its handshake.
        const QByteArray early = std::exchange(m_in, QByteArray());
        m_decodeIn->feed(early, now, onFrame);
        m_backend->write(early);
    }
    m_readPaused = false;
    m_client->setReadEnabled(true);
    m_backend->setReadEnabled(true);
    relay(m_client, m_backend, true);
    if (m_phase == Phase::Tunnel)
        relay(m_backend, m_client, false);
}

void ClientConnection::relay(Stream *from, Stream *to, bool clientToBackend)
{
    if (!from || !to || m_phase != Phase::Tunnel)
        return;
    char *buf = m_worker->scratch();
    const qsizetype cap = m_worker->scratchSize();
    Session::FrameDecoder *decoder = clientToBackend ? m_decodeIn.get() : m_decodeOut.get();
    const auto onFrame = [this](const Session::FrameRecord &frame) { recordFrame(frame); };
    bool moved = false;
    qint64 now = 0;
    for (;;) {
        // In place when the stream received into a buffer of its own (io_uring), else into the
        // worker's scratch buffer.
        QByteArrayView data = from->peekReceived();
        const bool inPlace = !data.isEmpty();
        const qsizetype n = inPlace ? data.size() : from->read(buf, cap);
        if (n == Stream::WouldBlock)
            break;
        if (n < 0) {
            // EOF on one side: pass the half-close on (after what is buffered for the other side),
            // and close once both directions are finished and flushed.
            const QString side = clientToBackend ? QStringLiteral("client")
                                                 : QStringLiteral("backend");
            if (m_firstCloser.isEmpty())
                m_firstCloser = side;
            if (n == Stream::Failed) {
                finishSession(side, clientToBackend ? QStringLiteral("clientReset")
                                                    : QStringLiteral("backendReset"));
                return;
            }
            from->setReadEnabled(false);
            to->shutdownWrite();
            if (clientToBackend)
                m_clientEof = true;
            else
                m_backendEof = true;
            // The other side gets a bounded time to finish too (HAProxy's client-fin / server-fin).
            m_deadlineMs = m_worker->now() + LingerMs;
            maybeFinishTunnel();
            return;
        }
        moved = true;
        if (!inPlace)
            data = QByteArrayView(buf, n);
        if (now == 0)
            now = m_worker->now();
        decoder->feed(data, now, onFrame);
        const bool written = to->write(data); // what the kernel does not take is copied
        if (inPlace)
            from->consumeReceived(n);
        if (!written) {
            finishSession(clientToBackend ? QStringLiteral("backend") : QStringLiteral("client"),
                          clientToBackend ? QStringLiteral("backendClosed")
                                          : QStringLiteral("clientClosed"));
            return;
        }
        if (clientToBackend)
            m_snapshot.bytesIn += n;
        else
            m_snapshot.bytesOut += n;
        if (to->bytesToWrite() > HighWater) {
            from->setReadEnabled(false); // resumed on the other side's Drained
            break;
        }
    }
    if (moved) {
        m_snapshot.lastActivityMs = now;
        m_snapshot.timeoutDeadlineMs = now + m_snapshot.timeoutMs;
        m_dirty = true;
    }
}

void ClientConnection::maybeFinishTunnel()
{
    if (m_phase != Phase::Tunnel || !m_clientEof || !m_backendEof)
        return;
    if (m_client->bytesToWrite() > 0 || (m_backend && m_backend->bytesToWrite() > 0))
        return; // finish on Drained
    finishSession(m_firstCloser, m_firstCloser == QLatin1String("client")
                                     ? QStringLiteral("clientClosed")
                                     : QStringLiteral("backendClosed"));
}

void ClientConnection::recordFrame(const Session::FrameRecord &frame)
{
    const bool fromClient = frame.direction == Session::Direction::ClientToBackend;
    if (fromClient)
        ++m_snapshot.framesIn;
    else
        ++m_snapshot.framesOut;
    if (frame.opcode == quint8(Session::Opcode::Close)) {
        if (fromClient)
            m_backendCloseCode = frame.closeCode >= 0 ? frame.closeCode : 1005;
        else
            m_clientCloseCode = frame.closeCode >= 0 ? frame.closeCode : 1005;
        if (m_firstCloser.isEmpty())
            m_firstCloser = fromClient ? QStringLiteral("client") : QStringLiteral("backend");
    }
    m_heartbeat->addFrame(frame);
    if (frame.opcode == quint8(Session::Opcode::Ping)
        || frame.opcode == quint8(Session::Opcode::Pong)) {
        m_snapshot.lastPingMs = frame.timeMs;
        m_snapshot.heartbeatIntervalMs = m_heartbeat->intervalMs();
        const bool warn = m_heartbeat->isWarning(m_snapshot.timeoutMs);
        if (warn && !m_snapshot.heartbeatWarning) {
            Events::GatewayEvent event;
            event.tsMs = frame.timeMs;
            event.type = QStringLiteral("session.warning");
            event.fields = QJsonObject{
                {QStringLiteral("sessionId"), QString::number(m_snapshot.id)},
                {QStringLiteral("setting"), m_snapshot.setting},
                {QStringLiteral("heartbeatIntervalMs"), m_snapshot.heartbeatIntervalMs},
                {QStringLiteral("requestTimeoutMs"), m_snapshot.timeoutMs},
                {QStringLiteral("message"),
                 QStringLiteral(
                     "Observed heartbeat interval %1 s is within 80 % of the %2 s request "
                     "timeout of backend setting %3: the gateway will close this session "
                     "(client sees 1006) if a heartbeat is late.")
                     .arg(m_snapshot.heartbeatIntervalMs / 1000.0, 0, 'f', 1)
                     .arg(m_snapshot.timeoutMs / 1000)
                     .arg(m_snapshot.setting)},
            };
            m_worker->publishEvent(std::move(event));
        }
        m_snapshot.heartbeatWarning = warn;
    }
    m_dirty = true;
    if (!m_runtime->options.recordFrames)
        return;
    // A fixed ring: no reallocation or shifting per frame.
    if (m_lastFrames.size() < MaxLastFrames) {
        m_lastFrames.append(frame);
    } else {
        m_lastFrames[m_lastFramesHead] = frame;
        m_lastFramesHead = (m_lastFramesHead + 1) % MaxLastFrames;
    }
    if (m_newFrames.size() < MaxNewFramesPerTick)
        m_newFrames.append(frame);
    m_dirty = true;
}

QList<Session::FrameRecord> ClientConnection::takeNewFrames()
{
    return std::exchange(m_newFrames, {});
}

// ---------------------------------------------------------------------------------------------
// Timeouts, closing, reporting

void ClientConnection::checkTimeout(qint64 now)
{
    if (m_phase == Phase::Closed)
        return;
    if (m_drainDeadlineMs && now >= m_drainDeadlineMs) {
        abort(QStringLiteral("gateway"), m_drainReason);
        return;
    }
    if (m_serverDrainDeadlineMs && now >= m_serverDrainDeadlineMs) {
        // Azure ends what is still open on a removed member at the drain timeout: both
        // connections dropped, no close frame (the client of a session sees 1006).
        abort(QStringLiteral("gateway"), QStringLiteral("draining"));
        return;
    }
    switch (m_phase) {
    case Phase::Tunnel:
        if ((m_clientEof || m_backendEof) && now >= m_deadlineMs) {
            finishSession(m_firstCloser, m_firstCloser == QLatin1String("client")
                                             ? QStringLiteral("clientClosed")
                                             : QStringLiteral("backendClosed"));
            return;
        }
        if (m_snapshot.timeoutMs > 0 && now >= m_snapshot.timeoutDeadlineMs) {
            // Azure: the request timeout applies to the WebSocket session as an idle timeout. Both
            // TCP connections are dropped without a close frame; the client sees 1006.
            abort(QStringLiteral("gateway"), QStringLiteral("requestTimeout"));
        }
        return;
    case Phase::ReadingHead:
        if (now >= m_deadlineMs) {
            if (m_in.isEmpty() && m_firstByteMs == 0) {
                // Keep-alive idle: close quietly.
                finishSession(QStringLiteral("gateway"), QStringLiteral("keepAliveTimeout"));
            } else {
                m_req = Http::RequestHead();
                m_req.method = "-";
                respondLocal(408, {}, true);
            }
        }
        return;
    case Phase::Connecting:
        if (now >= m_deadlineMs) {
            if (m_resolveTicket) {
                // The lookup outlasted the connect timeout: a DNS failure, so the last-known-good
                // address if there is one, else as a name that does not resolve.
                stopResolving();
                const Routing::BackendServer &server = m_route.pool->servers.at(m_serverIndex);
                const QHostAddress last = m_runtime->names->lastKnown(server.connectHost);
                if (last.isNull())
                    backendFailed(false, true);
                else
                    connectToAddress(last, server.portFor(*m_route.setting));
                return;
            }
            backendFailed(true, true);
        }
        return;
    case Phase::Forwarding:
    case Phase::Responding:
        if (now >= m_deadlineMs)
            backendFailed(true, false);
        return;
    case Phase::Closing:
        if (now >= m_deadlineMs)
            finishSession(QStringLiteral("gateway"), QStringLiteral("closed"));
        return;
    case Phase::Closed: return;
    }
}

void ClientConnection::refreshHealth(const Health::HealthTable &table)
{
    if (m_phase != Phase::Tunnel)
        return;
    const auto entry = table.get(m_route.poolName, m_route.settingName, m_snapshot.server);
    const bool unhealthy = entry.state == Health::HealthState::Unhealthy;
    if (unhealthy != m_snapshot.backendUnhealthy) {
        m_snapshot.backendUnhealthy = unhealthy;
        m_dirty = true;
    }
}

void ClientConnection::beginDrain(qint64 deadlineMs, const QString &reason)
{
    m_drainReason = reason;
    // Sessions close at the draining timeout; a plain HTTP exchange in flight gets at least 30 s
    // to finish (Azure's default draining time) and closes when it is done.
    m_drainDeadlineMs = m_phase == Phase::Tunnel ? deadlineMs
                                                 : std::max(deadlineMs, m_worker->now() + 30'000);
    if (m_phase == Phase::ReadingHead && m_in.isEmpty())
        finishSession(QStringLiteral("gateway"), reason);
}

void ClientConnection::drainServer(const QList<DrainingServer> &servers)
{
    const bool onServer = m_phase == Phase::Connecting || m_phase == Phase::Forwarding
                          || m_phase == Phase::Responding || m_phase == Phase::Tunnel;
    if (!onServer || m_snapshot.server.isEmpty())
        return;
    for (const DrainingServer &entry : servers) {
        if (entry.pool.compare(m_route.poolName, Qt::CaseInsensitive) != 0
            || entry.setting.compare(m_route.settingName, Qt::CaseInsensitive) != 0
            || entry.server.compare(m_snapshot.server, Qt::CaseInsensitive) != 0)
            continue;
        if (!m_serverDrainDeadlineMs || entry.deadlineMs < m_serverDrainDeadlineMs)
            m_serverDrainDeadlineMs = entry.deadlineMs;
        m_snapshot.drainDeadlineMs = m_serverDrainDeadlineMs;
        m_dirty = true;
    }
}

void ClientConnection::abort(const QString &closedBy, const QString &reason)
{
    if (m_phase == Phase::Closed)
        return;
    if (m_phase == Phase::Forwarding || m_phase == Phase::Connecting) {
        if (closedBy == QLatin1String("client"))
            accessLog(499, 0);
    }
    finishSession(closedBy, reason);
}

void ClientConnection::finishSession(const QString &closedBy, const QString &reason)
{
    if (m_phase == Phase::Closed)
        return;
    const bool wasTunnel = m_phase == Phase::Tunnel;
    const qint64 now = m_worker->now();
    stopResolving();
    if (m_backend) {
        m_backend->dispose();
        m_backend = nullptr;
    }
    m_client->close();
    setPhase(Phase::Closed);
    m_snapshot.endMs = now;
    m_snapshot.closedBy = closedBy;
    m_snapshot.closeReason = reason;
    m_snapshot.timeoutDeadlineMs = 0;
    if (wasTunnel) {
        // The close code as the client saw it: the backend's close frame if one reached it.
        m_snapshot.closeCode = m_clientCloseCode >= 0 ? m_clientCloseCode : 1006;
        if (reason == QLatin1String("requestTimeout") || reason == QLatin1String("shutdown")
            || reason == QLatin1String("draining") || reason == QLatin1String("closedByUser"))
            m_snapshot.closeCode = m_clientCloseCode >= 0 ? m_clientCloseCode : 1006;
        if (!m_firstCloser.isEmpty() && closedBy != QLatin1String("gateway"))
            m_snapshot.closedBy = m_firstCloser;
        Events::GatewayEvent event;
        event.tsMs = now;
        event.type = QStringLiteral("session.closed");
        event.fields = QJsonObject{
            {QStringLiteral("sessionId"), QString::number(m_snapshot.id)},
            {QStringLiteral("listener"), m_route.listener},
            {QStringLiteral("rule"), m_route.rule},
            {QStringLiteral("pool"), m_route.poolName},
            {QStringLiteral("setting"), m_route.settingName},
            {QStringLiteral("server"), m_snapshot.server},
            {QStringLiteral("durationMs"), double(now - m_requestStartMs)},
            {QStringLiteral("bytesIn"), double(m_snapshot.bytesIn)},
            {QStringLiteral("bytesOut"), double(m_snapshot.bytesOut)},
            {QStringLiteral("framesIn"), double(m_snapshot.framesIn)},
            {QStringLiteral("framesOut"), double(m_snapshot.framesOut)},
            {QStringLiteral("closeCode"), m_snapshot.closeCode},
            {QStringLiteral("closedBy"), m_snapshot.closedBy},
            {QStringLiteral("reason"), reason},
        };
        if (reason == QLatin1String("requestTimeout")) {
            event.fields.insert(QStringLiteral("requestTimeoutMs"), m_snapshot.timeoutMs);
            event.fields.insert(
                QStringLiteral("message"),
                QStringLiteral(
                    "No traffic for %1 s: the request timeout of backend setting %2 applies "
                    "to WebSocket sessions; the gateway dropped both connections without a "
                    "close frame, so the client saw 1006.")
                    .arg(m_snapshot.timeoutMs / 1000)
                    .arg(m_route.settingName));
        }
        m_worker->publishEvent(std::move(event));
        // The access log records the 101 with the whole session as timeTaken.
        accessLog(101, 101);
    }
    Session::SessionClosed closed;
    closed.snapshot = m_snapshot;
    closed.lastFrames = m_lastFrames.mid(m_lastFramesHead) + m_lastFrames.first(m_lastFramesHead);
    // A session that opened and closed since the last tick is announced by its closed snapshot
    // alone (the registry adds an unknown closed session as it would an opened one).
    m_worker->sessionClosed(closed);
    m_worker->connectionFinished(this);
}

void ClientConnection::accessLog(int status, int serverStatus)
{
    if (m_stage.active && !m_stage.rewrites.isEmpty()) { // the session view's details
        m_snapshot.rewrites.clear();
        for (const Filter::Rewrite::AppliedRewrite &r : std::as_const(m_stage.rewrites))
            m_snapshot.rewrites.append(r.describe());
        m_dirty = true;
    }
    if (!m_runtime->options.accessEvents)
        return;
    const qint64 now = m_worker->now();
    Events::GatewayEvent event;
    event.tsMs = now;
    event.type = QStringLiteral("access");
    const QByteArray uri = m_req.hasQuery ? m_req.path + '?' + m_req.query : m_req.path;
    const Filter::Rewrite::ConnectionVariables &original = m_stage.variables;
    const QByteArray originalUri = !m_stage.active ? uri
                                   : original.originalHasQuery
                                       ? original.originalPath + '?' + original.originalQuery
                                       : original.originalPath;
    event.fields = QJsonObject{
        {QStringLiteral("clientIP"), addressText(m_client->peerAddress)},
        {QStringLiteral("clientPort"), m_client->peerPort},
        {QStringLiteral("httpMethod"), QString::fromLatin1(m_req.method)},
        {QStringLiteral("requestUri"), QString::fromLatin1(uri)},
        {QStringLiteral("originalRequestUriWithArgs"), QString::fromLatin1(originalUri)},
        {QStringLiteral("httpVersion"),
         QStringLiteral("HTTP/%1.%2").arg(m_req.versionMajor).arg(m_req.versionMinor)},
        {QStringLiteral("host"), QString::fromLatin1(m_req.hostHeader)},
        {QStringLiteral("userAgent"),
         QString::fromLatin1(Http::headerValue(m_req.headers, "User-Agent"))},
        {QStringLiteral("httpStatus"), status},
        {QStringLiteral("timeTaken"),
         double(now - (m_requestStartMs ? m_requestStartMs : now)) / 1000.0},
        {QStringLiteral("receivedBytes"), double(m_requestBytes)},
        {QStringLiteral("sentBytes"), double(m_responseBytes)},
        {QStringLiteral("listenerName"), m_route.listener},
        {QStringLiteral("ruleName"), m_route.rule},
        {QStringLiteral("backendPoolName"), m_route.poolName},
        {QStringLiteral("backendSettingName"), m_route.settingName},
        {QStringLiteral("serverRouted"), serverStatus ? m_serverEndpoint : QString()},
        {QStringLiteral("serverStatus"),
         serverStatus ? QString::number(serverStatus) : QStringLiteral("-")},
        {QStringLiteral("transactionId"), QString::fromLatin1(m_traceId)},
        {QStringLiteral("sessionId"), QString::number(m_snapshot.id)},
    };
    if (m_stage.active && !m_stage.rewrites.isEmpty())
        event.fields.insert(QStringLiteral("rewritesApplied"), toJson(m_stage.rewrites));
    if (!m_refusal.isEmpty())
        event.fields.insert(QStringLiteral("detail"), m_refusal);
    if (const Tls::ClientCertificate *certificate = m_client->clientCertificate.get()) {
        // Azure's access log field for mutual authentication (SUCCESS, FAILED:<reason>, NONE).
        event.fields.insert(QStringLiteral("sslClientVerify"), certificate->verification);
        if (certificate->presented)
            event.fields.insert(QStringLiteral("sslClientCertificateSubject"), certificate->subject);
    }
    m_worker->publishEvent(std::move(event));
}

Session::SessionSnapshot ClientConnection::snapshot() const
{
    return m_snapshot;
}

} // namespace Gateway::Proxy
