#pragma once

// Server selection for one proxy worker thread (azure-reference.md §2, §3): round robin per
// (pool, backend setting) over the servers that are routable, and gateway-managed cookie
// affinity. One instance per worker thread; it is not shared and takes no locks. With a
// HealthTable, routable flags are cached per (pool, setting) and refreshed only when the table's
// generation() changes, so the hot path costs one atomic load.

#include "http/httpmessage.h"
#include "routing/routeresult.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace Gateway::Health {
class HealthTable;
}

namespace Gateway::Routing {

class RouteTable;

class BackendSelector final
{
public:
    using RoutableFunction =
        std::function<bool(const QString &pool, const QString &setting, const QString &server)>;

    // health may be nullptr: every server is routable. The HealthTable must outlive the selector.
    explicit BackendSelector(std::shared_ptr<const RouteTable> table,
                             const Health::HealthTable *health = nullptr);
    // routable is asked on every decision (no caching); for tests and special callers.
    BackendSelector(std::shared_ptr<const RouteTable> table, RoutableFunction routable);

    const std::shared_ptr<const RouteTable> &table() const { return m_table; }

    // The next routable server of the route's pool in round-robin order, skipping excludeIndex
    // (the member that just failed, for the v2 retry). -1 when none is routable, the pool is
    // empty, or route is not a Backend result of this selector's table (the proxy answers 502).
    int pick(const RouteResult &route, int excludeIndex = -1);

    bool isRoutable(const RouteResult &route, int serverIndex);
    int routableCount(const RouteResult &route);

    // Affinity (only when the route's setting has cookieBasedAffinity Enabled): the server the
    // request's `<name>=` or `<name>CORS=` cookie pins. -1 when there is no such cookie, its value
    // is forged, garbled or unknown, or the pinned server is not routable (redispatch: call pick()).
    int serverForAffinityCookie(const RouteResult &route, QByteArrayView cookieHeaderValue);
    int serverForAffinityCookie(const RouteResult &route, const Http::Headers &headers);

    // The complete decision: the pinned server when affinity applies and it is routable, else
    // pick(route, excludeIndex). *pinned tells which one happened.
    int select(const RouteResult &route, const Http::Headers &headers, int excludeIndex = -1,
               bool *pinned = nullptr);

    // Connection draining (azure-reference.md §3): a member an applied edit took out of its pool
    // gets no new requests, except those its gateway-managed affinity cookie pins, until its
    // drain deadline. previous is the route table the member was still in; the entry is kept
    // until deadlineMs (Clock time) and ignored afterwards. adoptDraining carries the entries of
    // the selector a new configuration replaces.
    struct DrainingPin
    {
        RouteResult route;    // the request's route with pool/setting/target of `table`
        int serverIndex = -1; // index of the draining member in route.pool
        qint64 deadlineMs = 0;
        std::shared_ptr<const RouteTable> table; // keep while route is used
    };
    void addDraining(std::shared_ptr<const RouteTable> previous, const QString &pool,
                     const QString &setting, const QString &server, qint64 deadlineMs);
    void adoptDraining(const BackendSelector &older);
    // True, with *pin filled, when the route's setting has cookie affinity and the request's
    // affinity cookie names a member of the route's (pool, setting) that drains until after nowMs.
    bool drainingServerForAffinityCookie(const RouteResult &route, const Http::Headers &headers,
                                         qint64 nowMs, DrainingPin *pin);

    // The affinity cookie value of a server (32 lowercase hex) and the two Set-Cookie header
    // values to add to the response; null when the route is not Backend or the index is invalid.
    static QByteArray affinityCookieValue(const RouteResult &route, int serverIndex);
    static QByteArray affinitySetCookie(const RouteResult &route, int serverIndex);
    static QByteArray affinityCorsSetCookie(const RouteResult &route, int serverIndex);

private:
    struct TargetState
    {
        quint64 generation = 0; // health generation the flags were read at; 0 = never
        std::vector<quint8> routable;
        int next = 0;
    };

    const BackendTargetRuntime *checkedTarget(const RouteResult &route) const;
    TargetState &state(const BackendTargetRuntime &target);
    bool routableAt(TargetState &state, const BackendTargetRuntime &target, int serverIndex);

    std::shared_ptr<const RouteTable> m_table;
    const Health::HealthTable *m_health = nullptr;
    RoutableFunction m_routable;
    std::vector<TargetState> m_states; // indexed by BackendTargetRuntime::index

    struct DrainingMember
    {
        std::shared_ptr<const RouteTable> table;
        const BackendTargetRuntime *target = nullptr; // in table
        int serverIndex = -1;
        qint64 deadlineMs = 0;
    };
    std::vector<DrainingMember> m_draining;
};

} // namespace Gateway::Routing
