#include "proxy/rewritestage.h"

#include "routing/backendruntime.h"
#include "routing/routetable.h"

#include <QSet>

namespace Gateway::Proxy {

namespace {

// The backend setting's path override applied to a rewritten path (the whole rewritten path is
// "the rest", as for a Basic rule: azure-reference.md §3).
void refreshForwardPath(Routing::RouteResult &route, const QByteArray &path)
{
    if (!route.setting || route.setting->pathBytes.isEmpty()) {
        route.forwardPath = QByteArray();
        return;
    }
    const QByteArray &prefix = route.setting->pathBytes;
    QByteArrayView rest = path;
    if (prefix.endsWith('/') && rest.startsWith('/'))
        rest = rest.sliced(1);
    route.forwardPath = prefix + rest.toByteArray();
}

QString routeName(const Routing::RouteResult &route)
{
    return route.pathRule.isEmpty() ? QString(route.rule + QStringLiteral(" (default)"))
                                    : QString(route.rule + QLatin1Char('/') + route.pathRule);
}

} // namespace

RewriteStage::RewriteStage(std::shared_ptr<const Filter::Rewrite::RewriteEngine> engine,
                           std::shared_ptr<const Routing::RouteTable> routes)
    : m_engine(std::move(engine)), m_routes(std::move(routes))
{
}

StageVerdict RewriteStage::onRequest(ExchangeContext &x) const
{
    QSet<QByteArray> seen;
    for (int hop = 0;; ++hop) {
        Routing::RouteResult &route = *x.route;
        if (route.kind != Routing::RouteResult::Backend || route.rewriteRuleSet.isEmpty()
            || !m_engine->hasRuleSet(route.rewriteRuleSet))
            return {};
        Http::RequestHead &request = *x.request;
        const QString set = route.rewriteRuleSet;
        const Filter::Rewrite::RequestOutcome outcome = m_engine->rewriteRequest(set, request,
                                                                                 x.variables,
                                                                                 &x.rewriteState,
                                                                                 &x.rewrites);
        if (!outcome.reroute) {
            if (outcome.pathChanged)
                refreshForwardPath(route, request.path);
            return {};
        }
        // Re-evaluate the path map with the rewritten URL (same listener and rule).
        const QByteArray key = set.toLower().toUtf8() + ' ' + request.path + '?' + request.query;
        if (seen.contains(key) || hop >= MaxReroutes) {
            x.rewrites.append({set,
                               QString(),
                               QStringLiteral("reroute"),
                               {},
                               routeName(route),
                               QString(),
                               QStringLiteral("rewrite loop; answered 500")});
            return {500, QStringLiteral("rewrite rule set '%1' reroutes in a loop").arg(set)};
        }
        seen.insert(key);
        Routing::RouteResult next = m_routes->route(x.frontendPort, x.routingHost, request.path,
                                                    request.query);
        x.rewrites.append(
            {set, QString(), QStringLiteral("reroute"), {}, routeName(route), routeName(next), {}});
        route = std::move(next);
        // A path rule without a rule set: the response rewrites of the last set that ran apply.
    }
}

void RewriteStage::onResponseHead(ExchangeContext &x, Http::ResponseHead &response) const
{
    if (x.rewriteState.ruleSet.isEmpty() || !x.request)
        return;
    m_engine->rewriteResponse(x.rewriteState, *x.request, response, x.variables, &x.rewrites);
}

} // namespace Gateway::Proxy
