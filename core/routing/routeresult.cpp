#include "routing/routeresult.h"

namespace Gateway::Routing {

QByteArray RouteResult::forwardTarget(QByteArrayView requestPath, QByteArrayView query,
                                      bool hasQuery) const
{
    const QByteArrayView path = pathToForward(requestPath);
    QByteArray out;
    out.reserve(path.size() + (hasQuery ? query.size() + 1 : 0));
    out.append(path);
    if (hasQuery)
        out.append('?').append(query);
    return out;
}

QByteArray backendHostHeader(const RouteResult &route, int serverIndex, QByteArrayView originalHost)
{
    if (route.kind != RouteResult::Backend || !route.pool || !route.setting || serverIndex < 0
        || serverIndex >= route.pool->servers.size())
        return {};
    if (!route.setting->hostNameBytes.isEmpty())
        return route.setting->hostNameBytes;
    if (route.setting->pickHostNameFromBackendAddress)
        return route.pool->servers.at(serverIndex).addressBytes;
    return originalHost.toByteArray();
}

} // namespace Gateway::Routing
