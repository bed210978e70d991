#pragma once

// Health probes exactly as Application Gateway runs them (azure-reference.md §4): the default
// probe per pool + backend setting pair that a rule uses, or the setting's custom probe; each pair
// probes on its own. Runs on the thread that owns it (not a proxy worker): probes are few.

#include "config/gatewayconfig.h"
#include "health/healthtypes.h"

#include <QHostAddress>
#include <QList>
#include <QObject>

#include <functional>
#include <memory>

namespace Gateway::Net {
class Clock;
}
namespace Gateway::Events {
class EventBus;
}

namespace Gateway::Health {

class HealthTable;
class HealthMonitorPrivate;

class HealthMonitor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthMonitor)
public:
    // clock: nullptr for the system clock. table: where routable state is published (shared with
    // the proxy workers); may be nullptr in tests. events: optional, for probe/backend.health.
    HealthMonitor(Net::Clock *clock, std::shared_ptr<HealthTable> table,
                  Events::EventBus *events = nullptr, QObject *parent = nullptr);
    ~HealthMonitor() override;

    // Computes the probe targets from the configuration (pairs used by rules and path maps,
    // backendAddressMap for where to connect, the Host header Azure would send). Keeps the state
    // of targets that still exist.
    // A new configuration is a PUT: it clears the last-known-good addresses of FQDN backends
    // (azure-reference.md §2), so a name that no longer resolves turns Unknown at its next probe.
    void setConfig(const Config::GatewayConfig &config, const QString &configDirectory = {});
    void start(); // first probes at once, then every interval
    void stop();
    bool isRunning() const;

    // One-shot report (`appgw health`): a server whose probe failed is Unhealthy at once, with
    // the failure's detail, instead of after the probe's unhealthyThreshold. The running gateway
    // leaves this off. Call before start().
    void setUnhealthyOnFirstFailure(bool on);
    // Resolves backend names for the probes (an empty list: it does not resolve); tests use it to
    // make a name stop resolving. Default: QHostInfo. A name that stops resolving keeps being
    // probed at its last-known-good address.
    using NameResolver = std::function<QList<QHostAddress>(const QString &name)>;
    void setNameResolver(NameResolver resolver);

    // Probe now (all targets, or those matching the non-empty filters); results arrive as usual.
    void probeNow(const QString &pool = {}, const QString &setting = {}, const QString &server = {});

    QList<ServerHealth> servers() const;
    // true once every target has at least one result
    bool hasFirstResults() const;

    // az network application-gateway show-backend-health shaped JSON.
    QByteArray backendHealthJson() const;

signals:
    void probeCompleted(const Gateway::Health::ServerHealth &server);
    void healthChanged(const Gateway::Health::ServerHealth &server,
                       Gateway::Health::HealthState from, Gateway::Health::HealthState to);
    void firstResultsReady();

private:
    std::unique_ptr<HealthMonitorPrivate> d;
};

} // namespace Gateway::Health
