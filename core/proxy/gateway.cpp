#include "proxy/gateway.h"

#include "config/configvalidator.h"
#include "events/gatewayevent.h"
#include "filter/rewrite/rewriteengine.h"
#include "health/healthmonitor.h"
#include "health/healthtable.h"
#include "http/customerrorpages.h"
#include "net/clock.h"
#include "net/epolleventdispatcher.h"
#include "proxy/backendresolver.h"
#include "proxy/errorpageloader.h"
#include "proxy/rewritestage.h"
#include "proxy/runtime.h"
#include "proxy/worker.h"
#include "routing/routetable.h"
#include "session/sessionregistry.h"
#include "tls/certificatestore.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QThread>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Gateway::Proxy {

namespace {

// Binds a listening socket with SO_REUSEPORT so that every worker gets its own accept queue on
// the same port (the kernel spreads connections). Returns -1 and sets *error on failure.
int bindListener(const QHostAddress &address, int port, QString *error, int *boundPort)
{
    sockaddr_storage ss{};
    socklen_t len = 0;
    int family = AF_INET;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        family = AF_INET6;
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(quint16(port));
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&sin6->sin6_addr, &a, sizeof a);
        len = sizeof *sin6;
    } else {
        auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(quint16(port));
        sin->sin_addr.s_addr = htonl(address.toIPv4Address());
        len = sizeof *sin;
    }
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&ss), len) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EADDRINUSE)
            *error = QStringLiteral("address already in use");
        else if (err == EACCES)
            *error = QStringLiteral(
                "permission denied (ports below 1024 need privileges: map the port "
                "with metadata.localGateway.frontendPortMap, e.g. 80 -> 8080)");
        else if (err == EADDRNOTAVAIL)
            *error = QStringLiteral("address not available on this machine");
        else
            *error = QString::fromLocal8Bit(std::strerror(err));
        return -1;
    }
    if (::listen(fd, 4096) != 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return -1;
    }
    ss = {};
    len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
    *boundPort = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port)
                                          : ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
    return fd;
}

// The members of the old configuration's pools that the new one no longer has (by pool name and
// address), once per (pool, setting) pair a rule used. The drain timeout is the new
// configuration's setting of that name when it still exists (the applied edit decides, as in
// Azure), else the old one's; without connectionDraining enabled it is Azure's default 30 s.
QList<DrainingServer> removedServers(const Routing::RouteTable &before,
                                     const Routing::RouteTable &after, qint64 nowMs)
{
    QList<DrainingServer> out;
    for (const Routing::BackendTargetRuntime &target : before.targets()) {
        if (!target.pool || !target.setting)
            continue;
        const Routing::BackendPoolRuntime *kept = after.pool(target.pool->name);
        const Routing::BackendSettingRuntime *setting = after.setting(target.setting->name);
        if (!setting)
            setting = target.setting;
        for (const Routing::BackendServer &server : target.pool->servers) {
            const bool stays = kept
                               && std::any_of(kept->servers.cbegin(), kept->servers.cend(),
                                              [&server](const Routing::BackendServer &s) {
                                                  return s.address.compare(server.address,
                                                                           Qt::CaseInsensitive)
                                                         == 0;
                                              });
            if (stays)
                continue;
            DrainingServer entry;
            entry.pool = target.pool->name;
            entry.setting = target.setting->name;
            entry.server = server.address;
            entry.drainingEnabled = setting->connectionDrainingEnabled;
            entry.drainTimeoutSec = setting->drainTimeoutMs / 1000;
            entry.deadlineMs = nowMs + setting->drainTimeoutMs;
            if (!out.contains(entry))
                out.append(entry);
        }
    }
    return out;
}

Events::GatewayEvent drainingEvent(const DrainingServer &entry, qint64 nowMs)
{
    return {nowMs, QStringLiteral("backend.draining"),
            QJsonObject{
                {QStringLiteral("pool"), entry.pool},
                {QStringLiteral("setting"), entry.setting},
                {QStringLiteral("server"), entry.server},
                {QStringLiteral("connectionDraining"), entry.drainingEnabled},
                {QStringLiteral("drainTimeoutInSec"), entry.drainTimeoutSec},
                {QStringLiteral("deadlineMs"), double(entry.deadlineMs)},
                {QStringLiteral("message"),
                 QStringLiteral("%1 was removed from pool %2: no new requests or upgrades; "
                                "requests and WebSocket sessions open on it through %3 end in "
                                "%4 s (%5)")
                     .arg(entry.server, entry.pool, entry.setting)
                     .arg(entry.drainTimeoutSec)
                     .arg(entry.drainingEnabled
                              ? QStringLiteral("connectionDraining.drainTimeoutInSec")
                              : QStringLiteral("connectionDraining not enabled: Azure's default "
                                               "30 s after a configuration update"))},
            }};
}

// Another process may hold the port with SO_REUSEPORT too (same user); make sure nobody else is
// listening there by checking that a plain bind without SO_REUSEPORT... is not possible while
// ours exist, so instead we rely on the first bind: a port used without SO_REUSEPORT fails.

} // namespace

class GatewayPrivate
{
public:
    GatewayOptions options;
    Config::GatewayConfig config;
    Net::Clock *clock = nullptr;
    std::unique_ptr<Events::EventBus> events;
    std::unique_ptr<Session::SessionRegistry> sessions;
    std::shared_ptr<Health::HealthTable> healthTable = std::make_shared<Health::HealthTable>();
    std::unique_ptr<Health::HealthMonitor> health;
    QList<QThread *> threads;
    QList<Worker *> workers;
    std::shared_ptr<const Runtime> runtime;
    QList<ListenerInfo> listeners;
    quint64 generation = 0;
    std::shared_ptr<const Tls::CertificateStore> certificates; // tls: loaded by loadTls()
    QHash<QString, QByteArray> errorPageCache; // custom error page URL -> page, fetched once
    std::unique_ptr<ErrorPageLoader> errorPageLoader;
    bool running = false;
    bool stopping = false;
    QList<DrainingServer> draining; // removed members whose deadline has not passed
    QList<quint64> drainTimers;     // the clock's callbacks that forget them
    int drainedWorkers = 0;

    std::shared_ptr<const Runtime> buildRuntime(const Config::GatewayConfig &cfg)
    {
        auto rt = std::make_shared<Runtime>();
        rt->config = cfg;
        rt->routes = Routing::RouteTable::build(cfg);
        rt->health = healthTable;
        rt->options = options;
        rt->clock = clock;
        rt->certificates = certificates;
        rt->generation = ++generation;
        rt->names = std::make_shared<BackendNameCache>();
        if (!cfg.rewriteRuleSets.isEmpty()) {
            auto rewrite = std::make_shared<RewriteStage>(Filter::Rewrite::RewriteEngine::build(cfg),
                                                          rt->routes);
            rt->requestStages.push_back(rewrite);
            rt->responseStages.push_back(rewrite);
        }
        bool customPages = !cfg.customErrorConfigurations.isEmpty();
        for (const Config::HttpListener &l : cfg.httpListeners)
            customPages = customPages || !l.customErrorConfigurations.isEmpty();
        if (customPages) {
            auto pages = std::make_shared<Http::CustomErrorPages>();
            errorPageLoader = std::make_unique<ErrorPageLoader>(
                &errorPageCache, [this](const QString &path, const QString &message) {
                    if (events)
                        events->publish({{clock->nowMs(), QStringLiteral("config.warning"),
                                          QJsonObject{{QStringLiteral("path"), path},
                                                      {QStringLiteral("message"), message}}}});
                });
            errorPageLoader->load(cfg, options.configDirectory, pages);
            rt->errorPages = pages;
        }
        return rt;
    }

    // tls: loads and checks the certificates before anything binds; the first error, one line.
    bool loadTls(const Config::GatewayConfig &cfg, QString *errorString)
    {
        auto store = std::make_shared<Tls::CertificateStore>();
        for (const Config::Diagnostic &diagnostic :
             Tls::loadCertificates(cfg, options.configDirectory, store.get())) {
            if (diagnostic.isError()) {
                *errorString = diagnostic.path + QStringLiteral(": ") + diagnostic.message;
                return false;
            }
        }
        certificates = std::move(store);
        return true;
    }

    // Binds every listening socket, one per worker each. On failure closes what it bound.
    bool bindAll(const Runtime &rt, QList<QList<QPair<ListenerSocketRuntime, qintptr>>> *perWorker,
                 QList<ListenerInfo> *infos, QString *errorString)
    {
        perWorker->clear();
        for (int i = 0; i < workers.size(); ++i)
            perWorker->append(QList<QPair<ListenerSocketRuntime, qintptr>>());
        QHostAddress bind(rt.config.localGateway.bindAddress.isEmpty()
                              ? QStringLiteral("127.0.0.1")
                              : rt.config.localGateway.bindAddress);
        if (bind.isNull()) {
            *errorString = QStringLiteral(
                               "metadata.localGateway.bindAddress '%1' is not an IP address")
                               .arg(rt.config.localGateway.bindAddress);
            return false;
        }
        const auto closeAll = [perWorker] {
            for (const auto &list : *perWorker)
                for (const auto &pair : list)
                    ::close(int(pair.second));
        };
        for (const Routing::ListenerSocket &socket : rt.routes->sockets()) {
            ListenerSocketRuntime srt;
            srt.frontendPort = socket.frontendPort;
            srt.https = socket.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive) == 0;
            srt.listenerNames = socket.listenerNames.join(QLatin1Char(','));
            int port = socket.localPort;
            for (int w = 0; w < workers.size(); ++w) {
                QString error;
                int bound = 0;
                const int fd = bindListener(bind, port, &error, &bound);
                if (fd < 0) {
                    closeAll();
                    *errorString = QStringLiteral("port %1 (%2): %3")
                                       .arg(port)
                                       .arg(socket.listenerNames.join(QLatin1String(", ")), error);
                    return false;
                }
                port = bound; // port 0: the others join the port the first one got
                srt.localPort = bound;
                (*perWorker)[w].append(qMakePair(srt, qintptr(fd)));
            }
            ListenerInfo info;
            info.name = socket.listenerNames.join(QLatin1String(", "));
            info.protocol = socket.protocol;
            info.frontendPort = socket.frontendPort;
            info.address = bind.toString();
            info.port = port;
            infos->append(info);
        }
        return true;
    }
};

Gateway::Gateway(GatewayOptions options, QObject *parent)
    : QObject(parent), d(std::make_unique<GatewayPrivate>())
{
    d->options = options;
    d->options.workers = std::max(1, options.workers);
    d->clock = options.clock ? options.clock : Net::SystemClock::instance();
    d->events = std::make_unique<Events::EventBus>();
    d->sessions = std::make_unique<Session::SessionRegistry>();
    if (options.healthProbes)
        d->health = std::make_unique<Health::HealthMonitor>(d->clock, d->healthTable,
                                                            d->events.get());
    qRegisterMetaType<Session::SessionBatch>();
}

Gateway::~Gateway()
{
    stopNow();
}

bool Gateway::start(const Config::GatewayConfig &config, QString *errorString)
{
    QString localError;
    QString &error = errorString ? *errorString : localError;
    if (d->running) {
        error = QStringLiteral("the gateway is already running");
        return false;
    }
    if (!d->loadTls(config, &error)) // tls
        return false;
    d->config = config;
    d->stopping = false;
    d->drainedWorkers = 0;
    auto runtime = d->buildRuntime(config);

    // Worker threads, each with the epoll dispatcher.
    for (int i = 0; i < d->options.workers; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("appgw-worker-%1").arg(i));
        thread->setEventDispatcher(new Net::EpollEventDispatcher);
        auto *worker = new Worker(i);
        worker->moveToThread(thread);
        connect(worker, &Worker::sessionBatch, d->sessions.get(),
                &Session::SessionRegistry::applyBatch, Qt::QueuedConnection);
        connect(
            worker, &Worker::eventsReady, d->events.get(),
            [this](const QList<Events::GatewayEvent> &events) { d->events->publish(events); },
            Qt::QueuedConnection);
        connect(
            worker, &Worker::drained, this,
            [this](int) {
                if (++d->drainedWorkers == d->workers.size())
                    stopNow();
            },
            Qt::QueuedConnection);
        thread->start();
        d->threads.append(thread);
        d->workers.append(worker);
    }

    QList<QList<QPair<ListenerSocketRuntime, qintptr>>> perWorker;
    QList<ListenerInfo> infos;
    if (!d->bindAll(*runtime, &perWorker, &infos, &error)) {
        stopNow();
        return false;
    }
    d->runtime = runtime;
    d->listeners = infos;
    for (int i = 0; i < d->workers.size(); ++i) {
        Worker *worker = d->workers.at(i);
        const auto sockets = perWorker.at(i);
        QMetaObject::invokeMethod(
            worker,
            [worker, runtime, sockets] {
                worker->setRuntime(runtime);
                worker->addListeners(sockets);
            },
            Qt::BlockingQueuedConnection);
    }
    d->running = true;

    const qint64 now = d->clock->nowMs();
    QList<Events::GatewayEvent> startEvents;
    for (const Config::Diagnostic &diagnostic : Config::validate(config)) {
        if (diagnostic.isError())
            continue;
        startEvents.append({now, QStringLiteral("config.warning"),
                            QJsonObject{{QStringLiteral("path"), diagnostic.path},
                                        {QStringLiteral("message"), diagnostic.message}}});
    }
    QJsonArray listeners;
    for (const ListenerInfo &info : std::as_const(d->listeners)) {
        listeners.append(QJsonObject{{QStringLiteral("name"), info.name},
                                     {QStringLiteral("address"), info.address},
                                     {QStringLiteral("port"), info.port},
                                     {QStringLiteral("frontendPort"), info.frontendPort},
                                     {QStringLiteral("protocol"), info.protocol}});
    }
    startEvents.append({now, QStringLiteral("gateway.started"),
                        QJsonObject{{QStringLiteral("gateway"), config.name},
                                    {QStringLiteral("workers"), d->options.workers},
                                    {QStringLiteral("listeners"), listeners}}});
    d->events->publish(startEvents);

    if (d->health) {
        d->health->setConfig(config, d->options.configDirectory);
        d->health->start();
    }
    emit started();
    return true;
}

bool Gateway::apply(const Config::GatewayConfig &config, QString *errorString)
{
    if (!d->running)
        return start(config, errorString);
    QString localError;
    QString &error = errorString ? *errorString : localError;
    const auto previousCertificates = d->certificates;
    if (!d->loadTls(config, &error)) // tls: a bad certificate leaves the running config alone
        return false;
    auto runtime = d->buildRuntime(config);
    QList<QList<QPair<ListenerSocketRuntime, qintptr>>> perWorker;
    QList<ListenerInfo> infos;
    // New sockets are bound before the old ones close (SO_REUSEPORT), so a port that stays
    // keeps accepting. A failure leaves the running configuration untouched.
    if (!d->bindAll(*runtime, &perWorker, &infos, &error)) {
        d->certificates = previousCertificates;
        return false;
    }
    const qint64 now = d->clock->nowMs();
    const QList<DrainingServer> drains = removedServers(*d->runtime->routes, *runtime->routes, now);
    d->config = config;
    d->runtime = runtime;
    d->listeners = infos;
    for (int i = 0; i < d->workers.size(); ++i) {
        Worker *worker = d->workers.at(i);
        const auto sockets = perWorker.at(i);
        // The new runtime and the drains in one step: no request lands on a removed member.
        QMetaObject::invokeMethod(
            worker,
            [worker, runtime, sockets, drains] {
                const std::shared_ptr<const Runtime> previous = worker->runtime();
                worker->closeListeners();
                worker->setRuntime(runtime);
                worker->addListeners(sockets);
                if (!drains.isEmpty())
                    worker->drainServers(drains, previous ? previous->routes : nullptr);
            },
            Qt::BlockingQueuedConnection);
    }
    if (d->health)
        d->health->setConfig(config, d->options.configDirectory);
    if (!drains.isEmpty()) {
        QList<Events::GatewayEvent> events;
        for (const DrainingServer &entry : drains) {
            events.append(drainingEvent(entry, now));
            d->draining.append(entry);
            // The view forgets the member at its deadline (the workers close what is left).
            d->drainTimers.append(d->clock->schedule(entry.deadlineMs, this, [this] {
                const qint64 at = d->clock->nowMs();
                d->draining.removeIf([at](const DrainingServer &e) { return e.deadlineMs <= at; });
                emit drainingChanged();
            }));
        }
        d->events->publish(events);
        emit drainingChanged();
    }
    return true;
}

void Gateway::stop()
{
    if (!d->running || d->stopping)
        return;
    d->stopping = true;
    int drainMs = 0;
    for (const Config::BackendHttpSettings &s :
         std::as_const(d->config.backendHttpSettingsCollection))
        drainMs = std::max(drainMs, s.connectionDraining.enabled
                                        ? s.connectionDraining.drainTimeoutInSec * 1000
                                        : 0);
    if (d->health)
        d->health->stop();
    for (Worker *worker : std::as_const(d->workers))
        QMetaObject::invokeMethod(
            worker, [worker, drainMs] { worker->beginStop(drainMs); }, Qt::QueuedConnection);
}

void Gateway::stopNow()
{
    if (d->threads.isEmpty())
        return;
    if (d->health)
        d->health->stop();
    for (int i = 0; i < d->workers.size(); ++i) {
        Worker *worker = d->workers.at(i);
        QMetaObject::invokeMethod(
            worker,
            [worker] {
                worker->stopNow(QStringLiteral("shutdown"));
                delete worker;
            },
            Qt::BlockingQueuedConnection);
    }
    for (QThread *thread : std::as_const(d->threads)) {
        thread->quit();
        thread->wait();
        delete thread;
    }
    d->threads.clear();
    d->workers.clear();
    for (const quint64 timer : std::as_const(d->drainTimers))
        d->clock->cancel(timer);
    d->drainTimers.clear();
    d->draining.clear();
    const bool wasRunning = d->running;
    d->running = false;
    d->stopping = false;
    if (wasRunning) {
        // Queued, so it follows the workers' last batches (already queued to this thread).
        const Events::GatewayEvent event{d->clock->nowMs(), QStringLiteral("gateway.stopped"),
                                         QJsonObject{{QStringLiteral("gateway"), d->config.name}}};
        QMetaObject::invokeMethod(
            this,
            [this, event] {
                d->events->publish(event);
                emit stopped();
            },
            Qt::QueuedConnection);
    }
}

bool Gateway::isRunning() const
{
    return d->running;
}
QList<ListenerInfo> Gateway::listeners() const
{
    return d->listeners;
}
const Config::GatewayConfig &Gateway::config() const
{
    return d->config;
}
Events::EventBus *Gateway::events() const
{
    return d->events.get();
}
Session::SessionRegistry *Gateway::sessions() const
{
    return d->sessions.get();
}
Health::HealthMonitor *Gateway::health() const
{
    return d->health.get();
}
Net::Clock *Gateway::clock() const
{
    return d->clock;
}

QList<DrainingServer> Gateway::drainingServers() const
{
    const qint64 now = d->clock->nowMs();
    QList<DrainingServer> out;
    for (const DrainingServer &entry : std::as_const(d->draining))
        if (entry.deadlineMs > now)
            out.append(entry);
    return out;
}

void Gateway::closeSession(quint64 sessionId)
{
    for (Worker *worker : std::as_const(d->workers))
        QMetaObject::invokeMethod(
            worker,
            [worker, sessionId] { worker->closeSession(sessionId, QStringLiteral("closedByUser")); },
            Qt::QueuedConnection);
}

} // namespace Gateway::Proxy
