#include "proxy/requeststage.h"

#include "net/stream.h"
#include "proxy/runtime.h"
#include "tls/clientauth.h"

namespace Gateway::Proxy {

namespace {

bool nameIs(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QByteArray ipText(const QHostAddress &address)
{
    bool ok = false;
    const quint32 v4 = address.toIPv4Address(&ok);
    return (ok ? QHostAddress(v4).toString() : address.toString()).toLatin1();
}

} // namespace

void startExchange(ExchangeContext &x, const Runtime &runtime, Http::RequestHead &request,
                   Routing::RouteResult &route, const Net::Stream &client,
                   const ListenerSocketRuntime &socket, const QByteArray &traceId,
                   qint64 receivedBytes)
{
    x.request = &request;
    x.route = &route;
    x.active = false;
    if (!x.rewrites.isEmpty())
        x.rewrites.clear();
    if (!x.rewriteState.ruleSet.isEmpty())
        x.rewriteState = {};
    if (runtime.requestStages.empty() || route.kind != Routing::RouteResult::Backend
        || route.rewriteRuleSet.isEmpty())
        return;
    x.active = true;
    x.frontendPort = socket.frontendPort;
    x.routingHost = request.host;
    Filter::Rewrite::ConnectionVariables &v = x.variables;
    v = {};
    v.clientIp = ipText(client.peerAddress);
    v.clientPort = client.peerPort;
    v.serverPort = socket.frontendPort;
    v.https = socket.https;
    v.sslProtocol = client.tlsProtocol();
    v.cipher = client.tlsCipher();
    v.tcpRttUs = client.tcpRttUs();
    v.originalPath = request.path;
    v.originalQuery = request.query;
    v.originalHasQuery = request.hasQuery;
    v.receivedBytes = receivedBytes;
    // Mutual TLS: what the handshake verified (Tls::ClientCertificate, nginx's formats). Without
    // client authentication on the listener, Azure's NONE and empty certificate fields stay.
    if (const Tls::ClientCertificate *certificate = client.clientCertificate.get()) {
        v.clientCertificateVerification = certificate->verification.toLatin1();
        if (certificate->presented) {
            v.clientCertificate = certificate->pem;
            v.clientCertificateStartDate = certificate->startDate.toLatin1();
            v.clientCertificateEndDate = certificate->endDate.toLatin1();
            v.clientCertificateFingerprint = certificate->fingerprint.toLatin1();
            v.clientCertificateIssuer = certificate->issuer.toUtf8();
            v.clientCertificateSerial = certificate->serial.toLatin1();
            v.clientCertificateSubject = certificate->subject.toUtf8();
        }
    }

    // The fields Azure adds, as sendRequestHead would write them; client copies are replaced.
    QByteArray xff;
    Http::Headers kept;
    kept.reserve(request.headers.size() + 6);
    for (const Http::Header &h : std::as_const(request.headers)) {
        if (nameIs(h.name, "X-Forwarded-For")) {
            if (!xff.isEmpty())
                xff.append(", ");
            xff.append(h.value);
            continue;
        }
        if (nameIs(h.name, "X-Original-Host") || nameIs(h.name, "X-Original-URL")
            || nameIs(h.name, "X-AppGW-Trace-Id") || nameIs(h.name, "X-Forwarded-Proto")
            || nameIs(h.name, "X-Forwarded-Port"))
            continue;
        kept.append(h);
    }
    v.incomingForwardedFor = xff;
    const QByteArray port = QByteArray::number(v.clientPort);
    const QByteArray clientFor = v.clientIp.contains(':')
                                     ? QByteArray('[' + v.clientIp + "]:" + port)
                                     : QByteArray(v.clientIp + ':' + port);
    const QByteArray originalUrl = request.hasQuery ? QByteArray(request.path + '?' + request.query)
                                                    : request.path;
    auto add = [&kept](const char *name, const QByteArray &value) {
        kept.append(Http::Header{QByteArray(name), value});
    };
    add("X-Forwarded-For", xff.isEmpty() ? clientFor : QByteArray(xff + ", " + clientFor));
    add("X-Forwarded-Proto", socket.https ? QByteArray("https") : QByteArray("http"));
    add("X-Forwarded-Port", QByteArray::number(socket.frontendPort));
    add("X-Original-Host", request.hostHeader);
    add("X-Original-URL", originalUrl);
    add("X-AppGW-Trace-Id", traceId);
    request.headers = std::move(kept);
}

StageVerdict runRequestStages(const Runtime &runtime, ExchangeContext &exchange)
{
    if (!exchange.active)
        return {};
    for (const auto &stage : runtime.requestStages) {
        StageVerdict verdict = stage->onRequest(exchange);
        if (verdict.status)
            return verdict;
    }
    return {};
}

void runResponseStages(const Runtime &runtime, ExchangeContext &exchange,
                       Http::ResponseHead &response)
{
    if (!exchange.active)
        return;
    for (const auto &stage : runtime.responseStages)
        stage->onResponseHead(exchange, response);
}

} // namespace Gateway::Proxy
