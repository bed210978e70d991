#include "routing/backendselector.h"

#include "health/healthtable.h"
#include "routing/affinity.h"
#include "routing/routetable.h"

#include <cstring>

namespace Gateway::Routing {

namespace {

bool isCookieHeaderName(QByteArrayView name)
{
    return name.compare("cookie", Qt::CaseInsensitive) == 0;
}

int serverForValue(const BackendTargetRuntime &target, QByteArrayView value)
{
    for (int i = 0; i < target.affinityValues.size(); ++i) {
        const QByteArray &v = target.affinityValues.at(i);
        if (v.size() == value.size()
            && std::memcmp(v.constData(), value.data(), size_t(v.size())) == 0)
            return i;
    }
    return -1;
}

} // namespace

BackendSelector::BackendSelector(std::shared_ptr<const RouteTable> table,
                                 const Health::HealthTable *health)
    : m_table(std::move(table)), m_health(health)
{
    if (m_table)
        m_states.resize(size_t(m_table->targets().size()));
}

BackendSelector::BackendSelector(std::shared_ptr<const RouteTable> table, RoutableFunction routable)
    : m_table(std::move(table)), m_routable(std::move(routable))
{
    if (m_table)
        m_states.resize(size_t(m_table->targets().size()));
}

const BackendTargetRuntime *BackendSelector::checkedTarget(const RouteResult &route) const
{
    if (route.kind != RouteResult::Backend || !route.target || !m_table)
        return nullptr;
    const QList<BackendTargetRuntime> &targets = m_table->targets();
    const int index = route.target->index;
    if (index < 0 || index >= targets.size() || &targets.at(index) != route.target)
        return nullptr; // a result of another (older) table
    return route.target;
}

BackendSelector::TargetState &BackendSelector::state(const BackendTargetRuntime &target)
{
    TargetState &st = m_states[size_t(target.index)];
    const qsizetype n = target.pool->servers.size();
    if (st.routable.size() != size_t(n))
        st.routable.assign(size_t(n), 1);
    if (m_health) {
        const quint64 generation = m_health->generation();
        if (st.generation != generation) {
            for (qsizetype i = 0; i < n; ++i) {
                st.routable[size_t(i)] = m_health
                                             ->get(target.pool->name, target.setting->name,
                                                   target.pool->servers.at(i).address)
                                             .routable;
            }
            st.generation = generation;
        }
    }
    return st;
}

bool BackendSelector::routableAt(TargetState &st, const BackendTargetRuntime &target,
                                 int serverIndex)
{
    if (m_routable) {
        return m_routable(target.pool->name, target.setting->name,
                          target.pool->servers.at(serverIndex).address);
    }
    return st.routable[size_t(serverIndex)] != 0;
}

int BackendSelector::pick(const RouteResult &route, int excludeIndex)
{
    const BackendTargetRuntime *target = checkedTarget(route);
    if (!target)
        return -1;
    const int n = int(target->pool->servers.size());
    if (n == 0)
        return -1;
    TargetState &st = state(*target);
    for (int k = 0; k < n; ++k) {
        const int i = (st.next + k) % n;
        if (i == excludeIndex)
            continue;
        if (routableAt(st, *target, i)) {
            st.next = (i + 1) % n;
            return i;
        }
    }
    return -1;
}

bool BackendSelector::isRoutable(const RouteResult &route, int serverIndex)
{
    const BackendTargetRuntime *target = checkedTarget(route);
    if (!target || serverIndex < 0 || serverIndex >= target->pool->servers.size())
        return false;
    return routableAt(state(*target), *target, serverIndex);
}

int BackendSelector::routableCount(const RouteResult &route)
{
    const BackendTargetRuntime *target = checkedTarget(route);
    if (!target)
        return 0;
    TargetState &st = state(*target);
    int count = 0;
    for (int i = 0; i < target->pool->servers.size(); ++i)
        count += routableAt(st, *target, i) ? 1 : 0;
    return count;
}

int BackendSelector::serverForAffinityCookie(const RouteResult &route,
                                             QByteArrayView cookieHeaderValue)
{
    const BackendTargetRuntime *target = checkedTarget(route);
    if (!target || !target->setting->cookieAffinity)
        return -1;
    const QByteArray &name = target->setting->affinityCookieNameBytes;
    const QByteArray &corsName = target->setting->affinityCorsCookieNameBytes;
    int found = -1;
    forEachCookie(cookieHeaderValue, [&](QByteArrayView cookie, QByteArrayView value) {
        if (cookie != name && cookie != corsName)
            return true;
        if (!isAffinityCookieValue(value))
            return true; // garbled or forged: ignore, maybe the twin is good
        found = serverForValue(*target, value);
        return found < 0;
    });
    if (found < 0)
        return -1;
    return routableAt(state(*target), *target, found) ? found : -1;
}

int BackendSelector::serverForAffinityCookie(const RouteResult &route, const Http::Headers &headers)
{
    const BackendTargetRuntime *target = checkedTarget(route);
    if (!target || !target->setting->cookieAffinity)
        return -1;
    for (const Http::Header &header : headers) {
        if (!isCookieHeaderName(header.name))
            continue;
        const int server = serverForAffinityCookie(route, header.value);
        if (server >= 0)
            return server;
    }
    return -1;
}

int BackendSelector::select(const RouteResult &route, const Http::Headers &headers,
                            int excludeIndex, bool *pinned)
{
    if (pinned)
        *pinned = false;
    const int affine = serverForAffinityCookie(route, headers);
    if (affine >= 0 && affine != excludeIndex) {
        if (pinned)
            *pinned = true;
        return affine;
    }
    return pick(route, excludeIndex);
}

void BackendSelector::addDraining(std::shared_ptr<const RouteTable> previous, const QString &pool,
                                  const QString &setting, const QString &server, qint64 deadlineMs)
{
    if (!previous)
        return;
    for (const BackendTargetRuntime &target : previous->targets()) {
        if (!target.pool || !target.setting
            || target.pool->name.compare(pool, Qt::CaseInsensitive) != 0
            || target.setting->name.compare(setting, Qt::CaseInsensitive) != 0)
            continue;
        for (int i = 0; i < target.pool->servers.size(); ++i)
            if (target.pool->servers.at(i).address.compare(server, Qt::CaseInsensitive) == 0)
                m_draining.push_back({previous, &target, i, deadlineMs});
    }
}

void BackendSelector::adoptDraining(const BackendSelector &older)
{
    m_draining.insert(m_draining.end(), older.m_draining.cbegin(), older.m_draining.cend());
}

bool BackendSelector::drainingServerForAffinityCookie(const RouteResult &route,
                                                      const Http::Headers &headers, qint64 nowMs,
                                                      DrainingPin *pin)
{
    std::erase_if(m_draining, [nowMs](const DrainingMember &m) { return m.deadlineMs <= nowMs; });
    const BackendTargetRuntime *target = checkedTarget(route);
    if (m_draining.empty() || !target || !target->setting->cookieAffinity)
        return false;
    for (const DrainingMember &member : m_draining) {
        const BackendTargetRuntime &old = *member.target;
        if (old.pool->name.compare(target->pool->name, Qt::CaseInsensitive) != 0
            || old.setting->name.compare(target->setting->name, Qt::CaseInsensitive) != 0)
            continue;
        const QByteArray &value = old.affinityValues.at(member.serverIndex);
        bool found = false;
        for (const Http::Header &header : headers) {
            if (!isCookieHeaderName(header.name))
                continue;
            forEachCookie(header.value, [&](QByteArrayView cookie, QByteArrayView v) {
                found = (cookie == target->setting->affinityCookieNameBytes
                         || cookie == target->setting->affinityCorsCookieNameBytes)
                        && v == value;
                return !found;
            });
            if (found)
                break;
        }
        if (!found)
            continue;
        pin->route = route;
        pin->route.pool = old.pool;
        pin->route.setting = old.setting;
        pin->route.target = &old;
        pin->serverIndex = member.serverIndex;
        pin->deadlineMs = member.deadlineMs;
        pin->table = member.table;
        return true;
    }
    return false;
}

QByteArray BackendSelector::affinityCookieValue(const RouteResult &route, int serverIndex)
{
    if (route.kind != RouteResult::Backend || !route.target || serverIndex < 0
        || serverIndex >= route.target->affinityValues.size())
        return {};
    return route.target->affinityValues.at(serverIndex);
}

QByteArray BackendSelector::affinitySetCookie(const RouteResult &route, int serverIndex)
{
    const QByteArray value = affinityCookieValue(route, serverIndex);
    return value.isEmpty() ? QByteArray() : Routing::affinitySetCookie(*route.setting, value);
}

QByteArray BackendSelector::affinityCorsSetCookie(const RouteResult &route, int serverIndex)
{
    const QByteArray value = affinityCookieValue(route, serverIndex);
    return value.isEmpty() ? QByteArray() : Routing::affinityCorsSetCookie(*route.setting, value);
}

} // namespace Gateway::Routing
