#pragma once

// The routing table of one configuration: listener selection, Basic and path-based rules, URL
// path maps, redirects and backend setting path overrides (azure-reference.md §1, §3, §5).
// Built once per configuration, immutable afterwards, shared by every proxy worker thread
// through std::shared_ptr<const RouteTable>; route() is const, lock-free and does not allocate
// except for a path override or a redirect Location.

#include "routing/backendruntime.h"
#include "routing/routeresult.h"

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace Gateway::Config {
struct GatewayConfig;
}

namespace Gateway::Routing {

// One local listening socket: the httpListeners that share a local port after
// localGateway.frontendPortMap (Azure frontend port -> local port; an unmapped port keeps its
// number). The proxy binds one socket per entry and calls route(frontendPort, ...) for it.
struct ListenerSocket
{
    int frontendPort = 0;      // Azure's port (the lowest one when several map to localPort)
    int localPort = 0;         // port to bind locally
    QString protocol;          // "Http" | "Https" (the first listener's, see warnings())
    QStringList listenerNames; // in configuration order
};

class RouteTable final
{
public:
    // Builds the table. Never fails: references that cannot be resolved make the affected rule
    // answer Misconfigured (or skip a listener with no usable frontend port) and add a line to
    // warnings(). The validator reports the same problems with JSON paths; this is the runtime.
    static std::shared_ptr<const RouteTable> build(const Config::GatewayConfig &config);

    ~RouteTable();
    RouteTable(const RouteTable &) = delete;
    RouteTable &operator=(const RouteTable &) = delete;

    QList<ListenerSocket> sockets() const;

    // Routes one request that arrived on the socket of Azure frontend port frontendPort.
    //  host:  the routing host, lower-case, without port or trailing dot (RequestHead::host)
    //  path:  the origin-form path as received (RequestHead::path), never decoded here
    //  query: the query without '?' (used for redirects only; never matched)
    RouteResult route(int frontendPort, QByteArrayView host, QByteArrayView path,
                      QByteArrayView query = {}) const;

    const QList<BackendPoolRuntime> &pools() const;
    const QList<BackendSettingRuntime> &settings() const;
    const QList<BackendTargetRuntime> &targets() const; // every (pool, setting) pair rules use
    const BackendPoolRuntime *pool(const QString &name) const;       // case-insensitive
    const BackendSettingRuntime *setting(const QString &name) const; // case-insensitive
    const BackendTargetRuntime *target(const QString &pool, const QString &setting) const;

    // Local port the Azure frontend port is served on (frontendPortMap; unmapped: the same).
    int localPort(int frontendPort) const;

    QStringList warnings() const;

    struct Data;

private:
    explicit RouteTable(std::unique_ptr<Data> data);
    std::unique_ptr<Data> m_d;
};

} // namespace Gateway::Routing
