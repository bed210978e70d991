#include "filter/rewrite/servervariables.h"

namespace Gateway::Filter::Rewrite {

namespace {

bool is(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QByteArray cookieValue(const Http::Headers &headers, QByteArrayView name)
{
    for (const Http::Header &h : headers) {
        if (!is(h.name, "Cookie"))
            continue;
        for (const QByteArray &part : h.value.split(';')) {
            const QByteArray pair = part.trimmed();
            const qsizetype eq = pair.indexOf('=');
            if (eq > 0 && QByteArrayView(pair).first(eq).trimmed() == name)
                return pair.mid(eq + 1).trimmed();
        }
    }
    return {};
}

QByteArray basicAuthUser(const Http::Headers &headers)
{
    const QByteArray auth = Http::headerValue(headers, "Authorization");
    if (auth.size() < 6 || !is(QByteArrayView(auth).first(6), "Basic "))
        return {};
    const auto decoded = QByteArray::fromBase64Encoding(auth.mid(6).trimmed(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return {};
    const QByteArray text = *decoded;
    const qsizetype colon = text.indexOf(':');
    return colon < 0 ? QByteArray() : text.left(colon);
}

} // namespace

const QStringList &serverVariableNames()
{
    static const QStringList names = {
        QStringLiteral("add_x_forwarded_for_proxy"),
        QStringLiteral("ciphers_supported"),
        QStringLiteral("ciphers_used"),
        QStringLiteral("client_ip"),
        QStringLiteral("client_port"),
        QStringLiteral("client_tcp_rtt"),
        QStringLiteral("client_user"),
        QStringLiteral("host"),
        QStringLiteral("cookie_"),
        QStringLiteral("http_method"),
        QStringLiteral("http_status"),
        QStringLiteral("http_version"),
        QStringLiteral("query_string"),
        QStringLiteral("received_bytes"),
        QStringLiteral("request_query"),
        QStringLiteral("request_scheme"),
        QStringLiteral("request_uri"),
        QStringLiteral("sent_bytes"),
        QStringLiteral("server_port"),
        QStringLiteral("ssl_connection_protocol"),
        QStringLiteral("ssl_enabled"),
        QStringLiteral("uri_path"),
        QStringLiteral("client_certificate"),
        QStringLiteral("client_certificate_end_date"),
        QStringLiteral("client_certificate_fingerprint"),
        QStringLiteral("client_certificate_issuer"),
        QStringLiteral("client_certificate_serial"),
        QStringLiteral("client_certificate_start_date"),
        QStringLiteral("client_certificate_subject"),
        QStringLiteral("client_certificate_verification"),
    };
    return names;
}

bool isServerVariable(QByteArrayView name)
{
    if (name.size() > 7 && is(name.first(7), "cookie_"))
        return true;
    for (const QString &n : serverVariableNames()) {
        if (n != QLatin1String("cookie_") && is(name, n.toLatin1()))
            return true;
    }
    return false;
}

bool isResponseVariable(QByteArrayView name)
{
    return is(name, "http_status") || is(name, "sent_bytes");
}

QByteArray serverVariable(QByteArrayView name, const VariableScope &scope)
{
    const ConnectionVariables empty;
    const ConnectionVariables &c = scope.connection ? *scope.connection : empty;
    const Http::RequestHead noRequest;
    const Http::RequestHead &r = scope.request ? *scope.request : noRequest;
    if (name.size() > 7 && is(name.first(7), "cookie_"))
        return cookieValue(r.headers, name.sliced(7));
    if (is(name, "add_x_forwarded_for_proxy"))
        return c.incomingForwardedFor.isEmpty() ? c.clientIp
                                                : c.incomingForwardedFor + ", " + c.clientIp;
    if (is(name, "ciphers_supported"))
        return c.ciphersSupported;
    if (is(name, "ciphers_used"))
        return c.cipher;
    if (is(name, "client_ip"))
        return c.clientIp;
    if (is(name, "client_port"))
        return QByteArray::number(c.clientPort);
    if (is(name, "client_tcp_rtt"))
        return c.tcpRttUs < 0 ? QByteArray() : QByteArray::number(c.tcpRttUs);
    if (is(name, "client_user"))
        return basicAuthUser(r.headers);
    if (is(name, "host"))
        return r.host;
    if (is(name, "http_method"))
        return r.method;
    if (is(name, "http_status"))
        return scope.response ? QByteArray::number(scope.response->status) : QByteArray();
    if (is(name, "http_version"))
        return "HTTP/" + QByteArray::number(r.versionMajor) + '.'
               + QByteArray::number(r.versionMinor);
    if (is(name, "query_string"))
        return r.query;
    if (is(name, "received_bytes"))
        return QByteArray::number(c.receivedBytes);
    if (is(name, "request_query"))
        return c.originalQuery;
    if (is(name, "request_scheme"))
        return c.https ? "https" : "http";
    if (is(name, "request_uri"))
        return c.originalHasQuery ? c.originalPath + '?' + c.originalQuery : c.originalPath;
    if (is(name, "sent_bytes"))
        return scope.response ? QByteArray::number(scope.sentBytes) : QByteArray();
    if (is(name, "server_port"))
        return QByteArray::number(c.serverPort);
    if (is(name, "ssl_connection_protocol"))
        return c.sslProtocol;
    if (is(name, "ssl_enabled"))
        return c.https ? "On" : "";
    if (is(name, "uri_path"))
        return r.path;
    if (is(name, "client_certificate"))
        return c.clientCertificate;
    if (is(name, "client_certificate_end_date"))
        return c.clientCertificateEndDate;
    if (is(name, "client_certificate_fingerprint"))
        return c.clientCertificateFingerprint;
    if (is(name, "client_certificate_issuer"))
        return c.clientCertificateIssuer;
    if (is(name, "client_certificate_serial"))
        return c.clientCertificateSerial;
    if (is(name, "client_certificate_start_date"))
        return c.clientCertificateStartDate;
    if (is(name, "client_certificate_subject"))
        return c.clientCertificateSubject;
    if (is(name, "client_certificate_verification"))
        return c.clientCertificateVerification;
    return {};
}

} // namespace Gateway::Filter::Rewrite
