#pragma once

// Health probes exactly as Application Gateway runs them (azure-reference.md §4): the default
// probe per pool + backend setting pair that a rule uses, or the setting's custom probe; each pair
// probes on its own. Runs on the thread that owns it (not a proxy worker): probes are few.

#include "config/gatewayconfig.h"
#include "health/healthtypes.h"

#include <QObject>

#include <memory>

namespace Gateway::Net { class Clock; }
namespace Gateway::Events { class EventBus; }

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
    void setConfig(const Config::GatewayConfig &config, const QString &configDirectory = {});
    void start(); // first probes at once, then every interval
    void stop();
    bool isRunning() const;

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
