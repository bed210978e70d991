#pragma once

// The run-time form of backend pools and backend settings (azure-reference.md §2–§3), built once
// per configuration by RouteTable and never changed afterwards, so every proxy worker thread may
// read them without locks. Strings are kept both as QString (names, for events and the health
// table) and as ready-to-send bytes (for headers), so the hot path does no conversions.

#include <QByteArray>
#include <QList>
#include <QString>

namespace Gateway::Routing {

struct BackendSettingRuntime;

// One backendAddresses[] entry of a pool.
struct BackendServer
{
    QString address;         // as configured: fqdn if set, else ipAddress (the health table's key)
    QByteArray addressBytes; // the same, as bytes (Host header for pickHostNameFromBackendAddress)
    QString connectHost; // where to connect: localGateway.backendAddressMap's host, else address
    int connectPort = 0; // the map's port; 0 = the backend setting's port
    // Not empty: the member is not contacted (an address outside loopback that backendAddressMap
    // does not map, Config::unmappedBackendReason); the text says which map key to add.
    QString refusal;

    int portFor(const BackendSettingRuntime &setting) const;
};

struct BackendPoolRuntime
{
    QString name;
    int index = -1; // position in RouteTable::pools()
    QList<BackendServer> servers;
};

struct BackendSettingRuntime
{
    QString name;
    int index = -1; // position in RouteTable::settings()
    int port = 80;
    QString protocol; // "Http" | "Https" as configured
    bool https = false;
    int requestTimeoutMs = 20'000;
    QString hostName; // Host header override ("" = none)
    QByteArray hostNameBytes;
    bool pickHostNameFromBackendAddress = false;
    QString path; // path override ("" = none)
    QByteArray pathBytes;
    bool cookieAffinity = false;            // cookieBasedAffinity == Enabled
    QString affinityCookieName;             // never empty: default "ApplicationGatewayAffinity"
    QByteArray affinityCookieNameBytes;     // e.g. "ApplicationGatewayAffinity"
    QByteArray affinityCorsCookieNameBytes; // e.g. "ApplicationGatewayAffinityCORS"
    bool connectionDrainingEnabled = false;
    int drainTimeoutMs = 30'000; // Azure: 30 s when draining is not enabled
    QString probe;               // custom probe name ("" = the default probe)
    bool probeEnabled = true;
};

inline int BackendServer::portFor(const BackendSettingRuntime &setting) const
{
    return connectPort > 0 ? connectPort : setting.port;
}

// A (pool, backend setting) pair that some rule or path rule routes to. Round robin state,
// health and affinity values are per pair, as in Azure's backend-health view.
struct BackendTargetRuntime
{
    int index = -1; // position in RouteTable::targets(); dense, for per-thread state arrays
    const BackendPoolRuntime *pool = nullptr;
    const BackendSettingRuntime *setting = nullptr;
    QList<QByteArray> affinityValues; // per server: 32 lowercase hex (affinity.h)
};

} // namespace Gateway::Routing
