#pragma once

// The rewrite stage: runs the route's rewrite rule set (core/filter/rewrite) on the request and
// on the backend's response head, and re-evaluates the path map when a rule asks to reroute
// (a loop answers 500, as Azure does).

#include "proxy/requeststage.h"

#include <memory>

namespace Gateway::Routing {
class RouteTable;
}

namespace Gateway::Proxy {

class RewriteStage final : public RequestStage, public ResponseStage
{
public:
    RewriteStage(std::shared_ptr<const Filter::Rewrite::RewriteEngine> engine,
                 std::shared_ptr<const Routing::RouteTable> routes);

    QString name() const override { return QStringLiteral("rewrite"); }
    StageVerdict onRequest(ExchangeContext &exchange) const override;
    void onResponseHead(ExchangeContext &exchange, Http::ResponseHead &response) const override;

    // Re-evaluations of the path map one request may go through before it counts as a loop.
    static constexpr int MaxReroutes = 10;

private:
    std::shared_ptr<const Filter::Rewrite::RewriteEngine> m_engine;
    std::shared_ptr<const Routing::RouteTable> m_routes;
};

} // namespace Gateway::Proxy
