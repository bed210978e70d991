#include "health/healthmonitor.h"

#include "events/gatewayevent.h"
#include "health/healthprobe.h"
#include "health/healthtable.h"
#include "health/healthtransition.h"
#include "health/http/httpprobe.h"
#include "net/clock.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaObject>
#include <QPointer>
#include <QSet>

#include <memory>
#include <vector>

namespace Gateway::Health {

namespace {

constexpr int HistoryLimit = 50;
constexpr int DefaultIntervalSeconds = 30;
constexpr int DefaultTimeoutSeconds = 30;
constexpr int DefaultUnhealthyThreshold = 3;
const QString DefaultProbeHost = QStringLiteral("127.0.0.1");

template<typename T>
const T *findByName(const QList<T> &list, const QString &name)
{
    for (const T &item : list) {
        if (item.name.compare(name, Qt::CaseInsensitive) == 0)
            return &item;
    }
    return nullptr;
}

QString pairKeyOf(const QString &pool, const QString &setting)
{
    return pool.toLower() + QLatin1Char('\x1f') + setting.toLower();
}

// "host:port", "[v6]:port", "host" or a bare IPv6 literal. port 0: none given.
void splitHostPort(const QString &value, QString *host, int *port)
{
    *port = 0;
    const QString v = value.trimmed();
    if (v.startsWith(QLatin1Char('['))) {
        const qsizetype close = v.indexOf(QLatin1Char(']'));
        if (close > 0) {
            *host = v.mid(1, close - 1);
            if (v.mid(close + 1).startsWith(QLatin1Char(':'))) {
                bool ok = false;
                const int p = v.mid(close + 2).toInt(&ok);
                if (ok && p > 0 && p <= 65535)
                    *port = p;
            }
            return;
        }
    }
    if (v.count(QLatin1Char(':')) == 1) {
        const qsizetype colon = v.indexOf(QLatin1Char(':'));
        bool ok = false;
        const int p = v.mid(colon + 1).toInt(&ok);
        if (ok && p > 0 && p <= 65535) {
            *host = v.left(colon);
            *port = p;
            return;
        }
    }
    *host = v;
}

QString joinHostPort(const QString &host, int port)
{
    const QString h = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']')
                                                      : host;
    return h + QLatin1Char(':') + QString::number(port);
}

QList<QSslCertificate> parseTrustedRoot(const QString &data)
{
    const QByteArray raw = data.trimmed().toLatin1();
    if (raw.isEmpty())
        return {};
    if (raw.contains("-----BEGIN"))
        return QSslCertificate::fromData(raw, QSsl::Pem);
    const QByteArray decoded = QByteArray::fromBase64(raw);
    if (decoded.contains("-----BEGIN"))
        return QSslCertificate::fromData(decoded, QSsl::Pem);
    return QSslCertificate::fromData(decoded, QSsl::Der);
}

struct Target
{
    quint64 id = 0;
    QString pairKey;
    ServerHealth health;
    ProbeSpec spec;
    int intervalMs = DefaultIntervalSeconds * 1000;
    int minServers = 0;
    int threshold = DefaultUnhealthyThreshold; // the probe's unhealthyThreshold
    HealthTransition transition;
    bool hasResult = false;
    bool routable = true;
    quint64 timerId = 0;
    quint64 timerToken = 0;
    QPointer<HealthProbe> inFlight;
    bool pendingRun = false;
    QList<QHostAddress> lastKnown; // FQDN backends: the last address that resolved (DNS cache)
    QString refusal; // not empty: never probed (Config::unmappedBackendReason), health Unknown
};

} // namespace

class HealthMonitorPrivate
{
public:
    HealthMonitor *q = nullptr;
    Net::Clock *clock = nullptr;
    std::shared_ptr<HealthTable> table;
    QPointer<Events::EventBus> events;
    QString gatewayName;
    std::vector<std::unique_ptr<Target>> targets; // rule order, then pool order
    quint64 nextId = 1;
    bool running = false;
    bool firstResultsEmitted = false;
    bool unhealthyOnFirstFailure = false;
    HealthMonitor::NameResolver resolver;

    Target *find(quint64 id) const
    {
        for (const auto &t : targets) {
            if (t->id == id)
                return t.get();
        }
        return nullptr;
    }

    std::vector<std::unique_ptr<Target>> buildTargets(const Config::GatewayConfig &config);
    void schedule(Target *t, qint64 deadlineMs);
    void cancelTimer(Target *t);
    void runProbe(Target *t);
    void onResult(quint64 id, HealthProbe *probe, const ProbeResult &result);
    void publishPair(const QString &pairKey);
    void publishAll();
    void checkFirstResults();
    void publishEvent(const QString &type, const QJsonObject &fields);
    QString resourceId(const QString &collection, const QString &name) const;
};

std::vector<std::unique_ptr<Target>> HealthMonitorPrivate::buildTargets(
    const Config::GatewayConfig &config)
{
    // Pairs in the order rules use them: Basic rules, then path maps (defaults and path rules);
    // only rules whose listener exists count (a custom probe only runs when its BHS is used).
    QList<std::pair<const Config::BackendAddressPool *, const Config::BackendHttpSettings *>> pairs;
    QSet<QString> seen;
    auto addPair = [&](const Config::Ref &poolRef, const Config::Ref &settingRef) {
        if (!poolRef.isSet() || !settingRef.isSet())
            return;
        const auto *pool = findByName(config.backendAddressPools, poolRef.name);
        const auto *setting = findByName(config.backendHttpSettingsCollection, settingRef.name);
        if (!pool || !setting)
            return;
        const QString key = pairKeyOf(pool->name, setting->name);
        if (seen.contains(key))
            return;
        seen.insert(key);
        pairs.append({pool, setting});
    };
    for (const auto &rule : config.requestRoutingRules) {
        if (!findByName(config.httpListeners, rule.httpListener.name))
            continue;
        if (rule.ruleType.compare(QLatin1String("PathBasedRouting"), Qt::CaseInsensitive) == 0) {
            const auto *map = findByName(config.urlPathMaps, rule.urlPathMap.name);
            if (!map)
                continue;
            addPair(map->defaultBackendAddressPool, map->defaultBackendHttpSettings);
            for (const auto &pathRule : map->pathRules)
                addPair(pathRule.backendAddressPool, pathRule.backendHttpSettings);
        } else {
            addPair(rule.backendAddressPool, rule.backendHttpSettings);
        }
    }

    std::vector<std::unique_ptr<Target>> result;
    for (const auto &[pool, setting] : pairs) {
        const Config::Probe *custom = nullptr;
        if (setting->probeEnabled && setting->probe.isSet())
            custom = findByName(config.probes, setting->probe.name);

        QList<QSslCertificate> roots;
        for (const auto &ref : setting->trustedRootCertificates) {
            if (const auto *root = findByName(config.trustedRootCertificates, ref.name))
                roots += parseTrustedRoot(root->data);
        }

        QSet<QString> seenServers;
        for (const auto &address : pool->backendAddresses) {
            const QString server = address.address().trimmed();
            if (server.isEmpty() || seenServers.contains(server.toLower()))
                continue;
            seenServers.insert(server.toLower());

            auto t = std::make_unique<Target>();
            t->pairKey = pairKeyOf(pool->name, setting->name);
            ProbeSpec &spec = t->spec;
            int port = setting->port;
            int threshold = DefaultUnhealthyThreshold;
            int intervalSeconds = DefaultIntervalSeconds;
            int timeoutSeconds = DefaultTimeoutSeconds;
            spec.scheme = setting->protocol.toLower() == QLatin1String("https")
                              ? QStringLiteral("https")
                              : QStringLiteral("http");
            spec.hostHeader = DefaultProbeHost;
            spec.path = QStringLiteral("/");
            if (custom) {
                spec.scheme = custom->protocol.toLower() == QLatin1String("https")
                                  ? QStringLiteral("https")
                                  : QStringLiteral("http");
                if (custom->port > 0)
                    port = custom->port;
                if (custom->pickHostNameFromBackendHttpSettings) {
                    if (setting->pickHostNameFromBackendAddress)
                        spec.hostHeader = server;
                    else if (!setting->hostName.isEmpty())
                        spec.hostHeader = setting->hostName;
                } else if (!custom->host.isEmpty()) {
                    spec.hostHeader = custom->host;
                }
                if (!custom->path.isEmpty())
                    spec.path = custom->path.startsWith(QLatin1Char('/'))
                                    ? custom->path
                                    : QLatin1Char('/') + custom->path;
                intervalSeconds = std::max(1, custom->interval);
                timeoutSeconds = std::max(1, custom->timeout);
                threshold = std::max(1, custom->unhealthyThreshold);
                spec.statusCodes = StatusCodeMatcher::fromEntries(custom->match.statusCodes);
                spec.body = custom->match.body;
                t->minServers = std::max(0, custom->minServers);
                t->health.probe = custom->name;
            }
            spec.timeoutMs = timeoutSeconds * 1000;
            if (spec.scheme == QLatin1String("https"))
                spec.trustedRoots = roots;
            t->intervalMs = intervalSeconds * 1000;
            t->threshold = threshold;
            t->transition.setUnhealthyThreshold(unhealthyOnFirstFailure ? 1 : threshold);

            // Where to connect: backendAddressMap (key: ip or fqdn) decides; the Host header stays.
            QString connectHost = server;
            int connectPort = port;
            for (auto it = config.localGateway.backendAddressMap.cbegin();
                 it != config.localGateway.backendAddressMap.cend(); ++it) {
                if (it.key().trimmed().compare(server, Qt::CaseInsensitive) != 0)
                    continue;
                int mappedPort = 0;
                splitHostPort(it.value(), &connectHost, &mappedPort);
                if (connectHost.isEmpty())
                    connectHost = server;
                if (mappedPort > 0)
                    connectPort = mappedPort;
                break;
            }
            spec.connectHost = connectHost;
            spec.connectPort = quint16(std::clamp(connectPort, 0, 65535));

            ServerHealth &h = t->health;
            h.pool = pool->name;
            h.setting = setting->name;
            h.server = server;
            h.endpoint = joinHostPort(connectHost, connectPort);
            h.probeUrl = spec.scheme + QLatin1String("://")
                         + (spec.hostHeader.contains(QLatin1Char(':'))
                                ? QLatin1Char('[') + spec.hostHeader + QLatin1Char(']')
                                : spec.hostHeader)
                         + QLatin1Char(':') + QString::number(port) + spec.path;
            h.state = HealthState::Unknown;
            h.detail = Messages::unknown();
            // An address the user did not map is not contacted (product.md §3): Unknown for good,
            // with the map key to add as the detail; it counts as a first result.
            t->refusal = Config::unmappedBackendReason(config.localGateway, server);
            if (!t->refusal.isEmpty()) {
                h.detail = t->refusal;
                t->hasResult = true;
            }
            result.push_back(std::move(t));
        }
    }
    return result;
}

void HealthMonitorPrivate::schedule(Target *t, qint64 deadlineMs)
{
    cancelTimer(t);
    if (!t->refusal.isEmpty())
        return;
    const quint64 token = ++t->timerToken;
    const quint64 id = t->id;
    t->timerId = clock->schedule(deadlineMs, q, [this, id, token] {
        Target *target = find(id);
        // SystemClock cannot cancel: a stale timer is recognised by its token.
        if (!target || target->timerToken != token || !running)
            return;
        target->timerId = 0;
        const qint64 now = clock->nowMs();
        schedule(target, now + target->intervalMs); // v2: the full interval between probes
        runProbe(target);
    });
}

void HealthMonitorPrivate::cancelTimer(Target *t)
{
    ++t->timerToken;
    if (t->timerId) {
        clock->cancel(t->timerId);
        t->timerId = 0;
    }
}

void HealthMonitorPrivate::runProbe(Target *t)
{
    if (!t->refusal.isEmpty())
        return;
    if (t->inFlight) {
        t->pendingRun = true; // the previous probe is still waiting for its timeout
        return;
    }
    auto *probe = new HttpProbe(t->spec, clock, q);
    probe->setLastKnownAddresses(t->lastKnown);
    if (resolver)
        probe->setNameResolver(resolver);
    t->inFlight = probe;
    const quint64 id = t->id;
    probe->setCompletion([this, id, probe](const ProbeResult &result) {
        onResult(id, probe, result);
    });
    probe->start();
}

void HealthMonitorPrivate::onResult(quint64 id, HealthProbe *probe, const ProbeResult &result)
{
    probe->deleteLater();
    Target *t = find(id);
    if (!t || t->inFlight != probe)
        return;
    t->inFlight = nullptr;

    ServerHealth &h = t->health;
    const HealthState from = h.state;
    // DNS cache: a name's resolved address becomes its last-known-good one.
    if (!result.address.isEmpty() && !result.lastKnownAddress
        && QHostAddress(t->spec.connectHost).isNull())
        t->lastKnown = {QHostAddress(result.address)};
    if (result.unresolved)
        t->transition.onUnresolved();
    else if (result.success)
        t->transition.onSuccess();
    else
        t->transition.onFailure();
    const HealthState to = t->transition.state();
    h.state = to;
    h.consecutiveFailures = t->transition.consecutiveFailures();
    h.detail = result.detail;
    h.last = result;
    h.history.append(result);
    while (h.history.size() > HistoryLimit)
        h.history.removeFirst();
    t->hasResult = true;
    publishPair(t->pairKey);

    const ServerHealth snapshot = h;
    QJsonObject probeFields{{QStringLiteral("pool"), h.pool},
                            {QStringLiteral("setting"), h.setting},
                            {QStringLiteral("server"), h.server},
                            {QStringLiteral("result"), result.success ? QStringLiteral("success")
                                                                      : QStringLiteral("failure")},
                            {QStringLiteral("latencyMs"), result.latencyMs},
                            {QStringLiteral("httpStatus"), result.httpStatus},
                            {QStringLiteral("detail"), result.detail}};
    if (!result.address.isEmpty())
        probeFields.insert(QStringLiteral("address"), result.address);
    if (result.lastKnownAddress)
        probeFields.insert(QStringLiteral("lastKnownAddress"), true); // the name did not resolve
    publishEvent(QStringLiteral("probe"), probeFields);
    if (from != to) {
        publishEvent(QStringLiteral("backend.health"),
                     QJsonObject{{QStringLiteral("pool"), h.pool},
                                 {QStringLiteral("setting"), h.setting},
                                 {QStringLiteral("server"), h.server},
                                 {QStringLiteral("from"), toString(from)},
                                 {QStringLiteral("to"), toString(to)},
                                 {QStringLiteral("detail"), result.detail}});
    }

    if (t->pendingRun) {
        t->pendingRun = false;
        runProbe(t);
    }

    emit q->probeCompleted(snapshot);
    if (from != to)
        emit q->healthChanged(snapshot, from, to);
    checkFirstResults();
}

void HealthMonitorPrivate::publishPair(const QString &pairKey)
{
    // minServers: keep that many servers routable; when fewer are in rotation by state, the first
    // unhealthy ones in pool order are kept.
    QList<Target *> members;
    int minServers = 0;
    int inRotation = 0;
    for (const auto &t : targets) {
        if (t->pairKey != pairKey)
            continue;
        members.append(t.get());
        minServers = std::max(minServers, t->minServers);
        if (t->health.state != HealthState::Unhealthy)
            ++inRotation;
    }
    int keep = std::max(0, minServers - inRotation);
    for (Target *t : members) {
        bool routable = t->health.state != HealthState::Unhealthy;
        if (!routable && keep > 0) {
            routable = true;
            --keep;
        }
        t->routable = routable;
        if (table)
            table->set(t->health.pool, t->health.setting, t->health.server,
                       HealthTable::Entry{t->health.state, routable});
    }
}

void HealthMonitorPrivate::publishAll()
{
    QSet<QString> pairs;
    for (const auto &t : targets)
        pairs.insert(t->pairKey);
    if (table)
        table->clear();
    for (const QString &pair : std::as_const(pairs))
        publishPair(pair);
}

void HealthMonitorPrivate::checkFirstResults()
{
    if (firstResultsEmitted || targets.empty())
        return;
    for (const auto &t : targets) {
        if (!t->hasResult)
            return;
    }
    firstResultsEmitted = true;
    emit q->firstResultsReady();
}

void HealthMonitorPrivate::publishEvent(const QString &type, const QJsonObject &fields)
{
    if (!events)
        return;
    Events::GatewayEvent event;
    event.tsMs = clock->nowMs();
    event.type = type;
    event.fields = fields;
    events->publish(event);
}

QString HealthMonitorPrivate::resourceId(const QString &collection, const QString &name) const
{
    return QStringLiteral("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local"
                          "/providers/Microsoft.Network/applicationGateways/")
           + (gatewayName.isEmpty() ? QStringLiteral("appgw") : gatewayName) + QLatin1Char('/')
           + collection + QLatin1Char('/') + name;
}

HealthMonitor::HealthMonitor(Net::Clock *clock, std::shared_ptr<HealthTable> table,
                             Events::EventBus *events, QObject *parent)
    : QObject(parent), d(std::make_unique<HealthMonitorPrivate>())
{
    qRegisterMetaType<ServerHealth>();
    qRegisterMetaType<ProbeResult>();
    qRegisterMetaType<HealthState>();
    d->q = this;
    d->clock = clock ? clock : Net::SystemClock::instance();
    d->table = std::move(table);
    d->events = events;
}

HealthMonitor::~HealthMonitor()
{
    stop();
}

void HealthMonitor::setConfig(const Config::GatewayConfig &config, const QString &configDirectory)
{
    Q_UNUSED(configDirectory); // trusted roots are inline data in the model
    d->gatewayName = config.name;
    auto fresh = d->buildTargets(config);

    QHash<QString, Target *> old;
    for (const auto &t : d->targets)
        old.insert(HealthTable::key(t->health.pool, t->health.setting, t->health.server), t.get());

    QList<Target *> toStart;
    for (auto &t : fresh) {
        Target *previous = old.take(HealthTable::key(t->health.pool, t->health.setting,
                                                     t->health.server));
        if (!previous) {
            t->id = d->nextId++;
            toStart.append(t.get());
            continue;
        }
        // Same target: keep its id, state, history and (if the probe is unchanged) its schedule.
        t->id = previous->id;
        if (!t->refusal.isEmpty())
            continue; // not contacted: Unknown with the refusal, whatever it was before
        const int threshold = t->transition.unhealthyThreshold();
        t->transition = previous->transition;
        t->transition.setUnhealthyThreshold(threshold);
        t->hasResult = previous->hasResult;
        t->health.state = previous->health.state;
        t->health.detail = previous->health.detail;
        t->health.consecutiveFailures = previous->health.consecutiveFailures;
        t->health.last = previous->health.last;
        t->health.history = previous->health.history;
        // lastKnown is not carried over: a PUT clears the DNS cache (azure-reference.md §2).
        const bool sameProbe = previous->spec == t->spec && previous->intervalMs == t->intervalMs;
        if (sameProbe) {
            t->timerId = previous->timerId;
            t->timerToken = previous->timerToken;
            t->inFlight = previous->inFlight;
            t->pendingRun = previous->pendingRun;
            previous->timerId = 0;
            previous->inFlight = nullptr;
        } else {
            toStart.append(t.get());
        }
    }
    // Targets that no longer exist (or whose probe changed): stop their timers and probes.
    for (const auto &t : d->targets) {
        d->cancelTimer(t.get());
        if (t->inFlight) {
            t->inFlight->cancel();
            t->inFlight->deleteLater();
            t->inFlight = nullptr;
        }
    }
    d->targets = std::move(fresh);
    d->firstResultsEmitted = false;
    d->publishAll();
    if (d->running) {
        const qint64 now = d->clock->nowMs();
        for (Target *t : toStart) {
            d->schedule(t, now + t->intervalMs);
            d->runProbe(t);
        }
    }
    d->checkFirstResults();
}

void HealthMonitor::start()
{
    if (d->running)
        return;
    d->running = true;
    if (d->targets.empty()) {
        // Nothing to probe: the first results are (vacuously) ready; tell waiters from the loop.
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (d->targets.empty() && !d->firstResultsEmitted) {
                    d->firstResultsEmitted = true;
                    emit firstResultsReady();
                }
            },
            Qt::QueuedConnection);
        return;
    }
    const qint64 now = d->clock->nowMs();
    for (const auto &t : d->targets) {
        d->schedule(t.get(), now + t->intervalMs);
        d->runProbe(t.get());
    }
}

void HealthMonitor::stop()
{
    d->running = false;
    for (const auto &t : d->targets) {
        d->cancelTimer(t.get());
        t->pendingRun = false;
        if (t->inFlight) {
            t->inFlight->cancel();
            t->inFlight->deleteLater();
            t->inFlight = nullptr;
        }
    }
}

bool HealthMonitor::isRunning() const
{
    return d->running;
}

void HealthMonitor::setUnhealthyOnFirstFailure(bool on)
{
    d->unhealthyOnFirstFailure = on;
    // Targets already built take the new threshold; a rebuild (setConfig) applies it as well.
    for (const auto &t : d->targets)
        t->transition.setUnhealthyThreshold(on ? 1 : t->threshold);
}

void HealthMonitor::setNameResolver(NameResolver resolver)
{
    d->resolver = std::move(resolver);
}

void HealthMonitor::probeNow(const QString &pool, const QString &setting, const QString &server)
{
    for (const auto &t : d->targets) {
        if (!pool.isEmpty() && t->health.pool.compare(pool, Qt::CaseInsensitive) != 0)
            continue;
        if (!setting.isEmpty() && t->health.setting.compare(setting, Qt::CaseInsensitive) != 0)
            continue;
        if (!server.isEmpty() && t->health.server.compare(server, Qt::CaseInsensitive) != 0)
            continue;
        d->runProbe(t.get());
    }
}

QList<ServerHealth> HealthMonitor::servers() const
{
    QList<ServerHealth> list;
    list.reserve(qsizetype(d->targets.size()));
    for (const auto &t : d->targets)
        list.append(t->health);
    return list;
}

bool HealthMonitor::hasFirstResults() const
{
    for (const auto &t : d->targets) {
        if (!t->hasResult)
            return false;
    }
    return true;
}

QByteArray HealthMonitor::backendHealthJson() const
{
    // backendAddressPools[].backendHttpSettingsCollection[].servers[] = {address, health, healthProbeLog}
    QJsonArray pools;
    QStringList poolOrder;
    QHash<QString, QStringList> settingOrder; // pool -> settings in order
    QHash<QString, QJsonArray> servers;       // pairKey -> servers
    QHash<QString, QString> poolNames, settingNames;
    for (const auto &t : d->targets) {
        const QString poolKey = t->health.pool.toLower();
        if (!poolOrder.contains(poolKey)) {
            poolOrder.append(poolKey);
            poolNames.insert(poolKey, t->health.pool);
        }
        if (!settingOrder[poolKey].contains(t->pairKey)) {
            settingOrder[poolKey].append(t->pairKey);
            settingNames.insert(t->pairKey, t->health.setting);
        }
        servers[t->pairKey].append(QJsonObject{
            {QStringLiteral("address"), t->health.server},
            {QStringLiteral("health"), toString(t->health.state)},
            {QStringLiteral("healthProbeLog"),
             t->hasResult ? t->health.detail : Messages::unknown()}});
    }
    for (const QString &poolKey : std::as_const(poolOrder)) {
        QJsonArray settings;
        for (const QString &pairKey : settingOrder.value(poolKey)) {
            settings.append(QJsonObject{
                {QStringLiteral("backendHttpSettings"),
                 QJsonObject{{QStringLiteral("id"),
                              d->resourceId(QStringLiteral("backendHttpSettingsCollection"),
                                            settingNames.value(pairKey))}}},
                {QStringLiteral("servers"), servers.value(pairKey)}});
        }
        pools.append(QJsonObject{
            {QStringLiteral("backendAddressPool"),
             QJsonObject{{QStringLiteral("id"), d->resourceId(QStringLiteral("backendAddressPools"),
                                                              poolNames.value(poolKey))}}},
            {QStringLiteral("backendHttpSettingsCollection"), settings}});
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("backendAddressPools"), pools}})
        .toJson(QJsonDocument::Indented);
}

} // namespace Gateway::Health
