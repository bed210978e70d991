#pragma once

// The gateway: one object the CLI and the GUI drive. It owns the proxy worker threads (each with
// an epoll event dispatcher), the listeners, the health monitor, the session registry and the
// event bus. Its own methods are called on the thread that created it (the main thread); the
// proxy I/O never runs there.

#include "config/gatewayconfig.h"
#include "health/healthtypes.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace Gateway::Net {
class Clock;
}
namespace Gateway::Events {
class EventBus;
}
namespace Gateway::Session {
class SessionRegistry;
}
namespace Gateway::Health {
class HealthMonitor;
}

namespace Gateway::Proxy {

struct ListenerInfo
{
    QString name;         // httpListeners name(s) sharing this socket, comma-separated
    QString protocol;     // Http | Https
    int frontendPort = 0; // Azure's port
    QString address;      // local bind address
    int port = 0;         // local port actually bound (after frontendPortMap; port 0 resolved)
};

// Resolves a backend host name for the proxy workers: calls done(addresses) once, from any thread,
// at any time (an empty list: the name does not resolve). Tests use it to make a name resolve,
// stop resolving or hang; by default (empty) the workers ask QHostInfo asynchronously.
using BackendLookup = std::function<
    void(const QString &name, std::function<void(const QList<QHostAddress> &addresses)> done)>;

struct GatewayOptions
{
    int workers = 1;             // proxy worker threads
    Net::Clock *clock = nullptr; // nullptr: the system clock
    bool healthProbes = true;    // run the health monitor
    bool accessEvents = true;    // emit an `access` event per request
    // Keep WebSocket frame records (direction, opcode, size, preview) for the sessions view.
    // Off: frames are still decoded for heartbeats, close codes and counts, but no records are
    // kept or handed to the registry (`appgw run`, where nothing displays them).
    bool recordFrames = true;
    int sessionTickMs = 250;                 // how often workers publish session batches
    int incompleteRequestTimeoutMs = 60'000; // Azure: 408 after 60 s
    int keepAliveTimeoutMs = 75'000;         // Azure v2 keep-alive
    int backendConnectTimeoutMs = 5'000;
    QString configDirectory;     // base for relative certificate paths
    BackendLookup backendLookup; // backend name resolution (empty: QHostInfo), see above
};

// A pool member an applied edit took out of its pool while requests or WebSocket sessions were
// open on it (azure-reference.md §3 connectionDraining): it gets no new requests or upgrades; what
// is open on it continues until deadlineMs and is then closed with reason "draining" (1006 for
// sessions). One entry per (pool, setting) the member was reached through.
struct DrainingServer
{
    QString pool;
    QString setting;
    QString server;               // address as configured (the health view's key)
    bool drainingEnabled = false; // the setting's connectionDraining.enabled
    int drainTimeoutSec = 30;     // the setting's drainTimeoutInSec; Azure's 30 s when not enabled
    qint64 deadlineMs = 0;        // Clock time when what is still open on it is closed
    bool operator==(const DrainingServer &) const = default;
};

class GatewayPrivate;

class Gateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gateway)
public:
    explicit Gateway(GatewayOptions options = {}, QObject *parent = nullptr);
    ~Gateway() override;

    // Binds every listener and starts serving. On failure nothing is left bound and errorString
    // names the cause in one line ("port 8080 (listener1): address already in use").
    bool start(const Config::GatewayConfig &config, QString *errorString = nullptr);
    // Graceful stop: stop accepting, let in-flight requests finish and close sessions after the
    // draining timeout (reason "shutdown"); emits stopped() when everything is closed.
    void stop();
    // Stops at once (sessions closed with reason "shutdown").
    void stopNow();
    // Applies an edited configuration to the running gateway.
    bool apply(const Config::GatewayConfig &config, QString *errorString = nullptr);

    bool isRunning() const;
    QList<ListenerInfo> listeners() const;
    const Config::GatewayConfig &config() const;

    Events::EventBus *events() const;
    Session::SessionRegistry *sessions() const;
    Health::HealthMonitor *health() const; // nullptr when healthProbes is off
    Net::Clock *clock() const;

    // Members still draining (deadline not reached yet), oldest first.
    QList<DrainingServer> drainingServers() const;

    // Kills one live session (the GUI's "close session"); reason "closedByUser".
    void closeSession(quint64 sessionId);

signals:
    void started();
    void stopped();
    void errorOccurred(const QString &message);
    void drainingChanged(); // drainingServers() changed (an apply, or a deadline passed)

private:
    std::unique_ptr<GatewayPrivate> d;
};

} // namespace Gateway::Proxy
