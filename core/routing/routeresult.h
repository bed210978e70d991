#pragma once

// The outcome of routing one request (RouteTable::route). A value type: the string members share
// the route table's implicitly shared strings (no allocation, only reference counts); pointers
// point into the RouteTable that produced the result and stay valid while that table lives (keep
// the table's shared_ptr, as BackendSelector does, for as long as results are used).

#include "routing/backendruntime.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Gateway::Routing {

struct RouteResult
{
    enum Kind {
        Backend,      // forward to a server of pool/setting (pick one with BackendSelector)
        Redirect,     // answer redirectStatus with Location: redirectLocation
        NotFound,     // no listener on this port matches the host: answer 404
        Misconfigured // the matching rule points at something missing: answer 500, log detail
    };

    Kind kind = NotFound;
    QString listener;       // httpListeners name ("" for NotFound)
    QString rule;           // requestRoutingRules name
    QString pathRule;       // urlPathMaps pathRules name ("" for Basic rules and the map default)
    QString poolName;       // backendAddressPools name (Backend)
    QString settingName;    // backendHttpSettingsCollection name (Backend)
    QString rewriteRuleSet; // rule's / path rule's / map default's rewrite set ("" = none)
    QString redirectName;   // redirectConfigurations name (Redirect)
    QString detail;         // Misconfigured: one sentence naming what is missing

    const BackendPoolRuntime *pool = nullptr;       // Backend
    const BackendSettingRuntime *setting = nullptr; // Backend
    const BackendTargetRuntime *target = nullptr;   // Backend: the (pool, setting) pair

    // Backend: the path to send after the backend setting's path override (§3). Null when the
    // setting has no override: forward the request path unchanged. It never holds the query:
    // the caller re-attaches "?" + query (see forwardTarget()).
    QByteArray forwardPath;

    int redirectStatus = 0;      // Redirect: 301 | 302 | 303 | 307
    QByteArray redirectLocation; // Redirect: the Location header value

    bool isBackend() const { return kind == Backend; }

    // The path to send to the backend: forwardPath when the override applied, else requestPath.
    QByteArrayView pathToForward(QByteArrayView requestPath) const
    {
        return forwardPath.isNull() ? requestPath : QByteArrayView(forwardPath);
    }
    // The request-target to send: pathToForward() plus "?query" when the request had a query.
    QByteArray forwardTarget(QByteArrayView requestPath, QByteArrayView query, bool hasQuery) const;
};

// The Host header to send to server serverIndex of the route's pool (§3): the setting's hostName
// when set; else, with pickHostNameFromBackendAddress, the server's configured address (fqdn or
// ip, no port); else the original Host as the client sent it (port included). Null for a result
// that is not Backend or an index out of range.
QByteArray backendHostHeader(const RouteResult &route, int serverIndex, QByteArrayView originalHost);

} // namespace Gateway::Routing
