#pragma once

// The request pipeline's stages (product.md §9): each one looks at an exchange at a fixed point
// and may change it or answer it. Today the connection runs the rewrite stage; the structure
// issue turns the whole request processing (routing, WAF, rewrites, backend) into an ordered list
// of these. Stages are immutable, built with the Runtime, shared by every worker thread.

#include "filter/rewrite/appliedrewrite.h"
#include "filter/rewrite/rewriteengine.h"
#include "filter/rewrite/servervariables.h"
#include "http/httpmessage.h"
#include "routing/routeresult.h"

#include <QList>
#include <QString>

namespace Gateway::Net {
class Stream;
}

namespace Gateway::Proxy {

struct Runtime;
struct ListenerSocketRuntime;

// What the stages of one request/response exchange share. The connection owns it and resets it
// for every request; stages read and change the request head and the route result in place.
struct ExchangeContext
{
    Http::RequestHead *request = nullptr;
    Routing::RouteResult *route = nullptr;
    int frontendPort = 0;
    QByteArray routingHost; // the host the listener was chosen by (before any Host rewrite)
    Filter::Rewrite::ConnectionVariables variables; // includes the request as received
    Filter::Rewrite::RewriteState rewriteState;
    QList<Filter::Rewrite::AppliedRewrite> rewrites; // for the access event and session view
    bool active = false; // a stage ran for this request (variables hold the original request)
};

struct StageVerdict
{
    int status = 0; // 0: go on; else the gateway answers with this status (its own error page)
    QString detail; // why, for logs
};

class RequestStage
{
public:
    virtual ~RequestStage() = default;
    virtual QString name() const = 0;
    // After routing, before the backend is chosen (and before a redirect is answered).
    virtual StageVerdict onRequest(ExchangeContext &exchange) const = 0;
};

class ResponseStage
{
public:
    virtual ~ResponseStage() = default;
    virtual QString name() const = 0;
    // On a backend's final response head (and on a 101, before the tunnel); never on responses
    // the gateway makes itself, never on bytes relayed after an upgrade.
    virtual void onResponseHead(ExchangeContext &exchange, Http::ResponseHead &response) const = 0;
};

// The connection's three call sites. startExchange resets `exchange` for a new request and, when
// the runtime has request stages and the route names a rewrite rule set, makes it active: the
// request as received is kept, and the fields Azure adds to a forwarded request
// (X-Forwarded-For/-Proto/-Port, X-Original-Host, X-Original-URL, X-AppGW-Trace-Id) are put
// into the request head, so rewrites see and may change them (Azure's documented X-Forwarded-For
// rewrite); the connection then forwards the head as the stages left it.
void startExchange(ExchangeContext &exchange, const Runtime &runtime, Http::RequestHead &request,
                   Routing::RouteResult &route, const Net::Stream &client,
                   const ListenerSocketRuntime &socket, const QByteArray &traceId,
                   qint64 receivedBytes);
StageVerdict runRequestStages(const Runtime &runtime, ExchangeContext &exchange);
void runResponseStages(const Runtime &runtime, ExchangeContext &exchange,
                       Http::ResponseHead &response);

} // namespace Gateway::Proxy
