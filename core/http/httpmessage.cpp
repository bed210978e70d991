#include "httpmessage.h"

#include "httpsyntax.h"

#include <QVarLengthArray>

#include <charconv>
#include <cstring>
#include <initializer_list>

namespace Gateway::Http {

using namespace Internal;

namespace {

bool isAlwaysHopByHop(QByteArrayView name)
{
    return equalsIgnoreCase(name, "Connection") || equalsIgnoreCase(name, "Keep-Alive")
           || equalsIgnoreCase(name, "Proxy-Connection") || equalsIgnoreCase(name, "TE")
           || equalsIgnoreCase(name, "Transfer-Encoding") || equalsIgnoreCase(name, "Upgrade");
}

// The field names listed by every Connection header (views into `headers`).
QVarLengthArray<QByteArrayView, 8> connectionTokens(const Headers &headers)
{
    QVarLengthArray<QByteArrayView, 8> tokens;
    for (const Header &h : headers) {
        if (!equalsIgnoreCase(h.name, "Connection"))
            continue;
        forEachListElement(h.value, [&](QByteArrayView t) {
            if (!t.isEmpty())
                tokens.append(t);
        });
    }
    return tokens;
}

bool namedByConnection(QByteArrayView name, const QVarLengthArray<QByteArrayView, 8> &tokens)
{
    // Host is never removed through Connection: a request without Host is invalid upstream.
    if (equalsIgnoreCase(name, "Host"))
        return false;
    for (QByteArrayView t : tokens) {
        if (equalsIgnoreCase(name, t))
            return true;
    }
    return false;
}

bool safeToEmit(const Header &h)
{
    if (!isToken(h.name))
        return false;
    for (char c : h.value) {
        if (!(CharTable[static_cast<unsigned char>(c)] & ValueChar))
            return false;
    }
    return true;
}

// Appends the pieces with one size check and plain copies (QByteArray::append per piece costs a
// call with aliasing and growth checks each: this is the proxy's per-request hot path).
void appendPieces(QByteArray &out, std::initializer_list<QByteArrayView> pieces)
{
    qsizetype total = 0;
    for (QByteArrayView piece : pieces)
        total += piece.size();
    const qsizetype start = out.size();
    out.resize(start + total);
    char *p = out.data() + start;
    for (QByteArrayView piece : pieces) {
        if (piece.isEmpty())
            continue;
        std::memcpy(p, piece.data(), size_t(piece.size()));
        p += piece.size();
    }
}

} // namespace

QByteArray headerValue(const Headers &headers, QByteArrayView name)
{
    for (const Header &h : headers) {
        if (equalsIgnoreCase(h.name, name))
            return h.value;
    }
    return QByteArray();
}

int headerCount(const Headers &headers, QByteArrayView name)
{
    int n = 0;
    for (const Header &h : headers) {
        if (equalsIgnoreCase(h.name, name))
            ++n;
    }
    return n;
}

bool headerHasToken(const Headers &headers, QByteArrayView name, QByteArrayView token)
{
    for (const Header &h : headers) {
        if (!equalsIgnoreCase(h.name, name))
            continue;
        bool found = false;
        forEachListElement(h.value, [&](QByteArrayView t) {
            if (equalsIgnoreCase(t, token))
                found = true;
        });
        if (found)
            return true;
    }
    return false;
}

void removeHeaders(Headers &headers, QByteArrayView name)
{
    headers.removeIf([name](const Header &h) { return equalsIgnoreCase(h.name, name); });
}

bool isForwardableFieldName(QByteArrayView name)
{
    if (name.isEmpty())
        return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

bool RequestHead::idempotent() const
{
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE"
           || method == "OPTIONS" || method == "TRACE";
}

void stripHopByHop(Headers &headers)
{
    const auto tokens = connectionTokens(headers);
    // The tokens view into `headers`, so decide first and remove afterwards.
    QVarLengthArray<bool, 32> drop(headers.size());
    for (qsizetype i = 0; i < headers.size(); ++i)
        drop[i] = isAlwaysHopByHop(headers[i].name) || namedByConnection(headers[i].name, tokens);
    Headers kept;
    kept.reserve(headers.size());
    for (qsizetype i = 0; i < headers.size(); ++i) {
        if (!drop[i])
            kept.append(headers[i]);
    }
    headers = std::move(kept);
}

void appendRequestLine(QByteArray &out, QByteArrayView method, QByteArrayView target)
{
    appendPieces(out, {method, " ", target, " HTTP/1.1\r\n"});
}

void appendStatusLine(QByteArray &out, int status, const QByteArray &reason)
{
    char digits[8];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, status);
    Q_UNUSED(ec);
    out.append("HTTP/1.1 ").append(QByteArrayView(digits, end - digits)).append(' ');
    bool reasonOk = !reason.isEmpty();
    for (char c : reason) {
        if (!(CharTable[static_cast<unsigned char>(c)] & ValueChar))
            reasonOk = false;
    }
    out.append(reasonOk ? reason : reasonPhrase(status)).append("\r\n");
}

void appendField(QByteArray &out, QByteArrayView name, QByteArrayView value)
{
    if (!isToken(name))
        return;
    for (char c : value) {
        if (!(CharTable[static_cast<unsigned char>(c)] & ValueChar))
            return;
    }
    appendPieces(out, {name, ": ", value, "\r\n"});
}

void appendEndToEndFields(QByteArray &out, const Headers &headers,
                          const std::function<bool(const Header &)> &skip)
{
    const auto tokens = connectionTokens(headers);
    for (const Header &h : headers) {
        if (isAlwaysHopByHop(h.name) || equalsIgnoreCase(h.name, "Content-Length")
            || namedByConnection(h.name, tokens) || !safeToEmit(h) || (skip && skip(h))) {
            continue;
        }
        appendPieces(out, {h.name, ": ", h.value, "\r\n"});
    }
}

void appendHeadEnd(QByteArray &out, BodyKind framing, qint64 contentLength, bool upgrade,
                   bool keepAlive)
{
    char digits[24];
    QByteArrayView length;
    if (framing == BodyKind::ContentLength) {
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, contentLength);
        Q_UNUSED(ec);
        length = QByteArrayView(digits, end - digits);
    }
    const QByteArrayView framingField = framing == BodyKind::ContentLength ? "Content-Length: "
                                        : framing == BodyKind::Chunked
                                            ? "Transfer-Encoding: chunked\r\n"
                                            : "";
    const QByteArrayView framingEnd = framing == BodyKind::ContentLength ? "\r\n" : "";
    const QByteArrayView connection = upgrade ? "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                                      : keepAlive ? "\r\n"
                                                  : "Connection: close\r\n\r\n";
    appendPieces(out, {framingField, length, framingEnd, connection});
}

qsizetype estimateHeadSize(const Headers &headers)
{
    qsizetype size = 128;
    for (const Header &h : headers)
        size += h.name.size() + h.value.size() + 4;
    return size;
}

QByteArray serializeRequestHead(const QByteArray &method, const QByteArray &target,
                                const Headers &headers, BodyKind framing, qint64 contentLength,
                                bool upgradeWebSocket, bool keepAlive)
{
    QByteArray out;
    out.reserve(estimateHeadSize(headers) + method.size() + target.size());
    appendRequestLine(out, method, target);
    appendEndToEndFields(out, headers);
    appendHeadEnd(out, framing, contentLength, upgradeWebSocket, keepAlive);
    return out;
}

QByteArray serializeResponseHead(int status, const QByteArray &reason, const Headers &headers,
                                 BodyKind framing, qint64 contentLength, bool keepAlive,
                                 bool upgrade)
{
    QByteArray out;
    out.reserve(estimateHeadSize(headers) + reason.size());
    appendStatusLine(out, status, reason);
    appendEndToEndFields(out, headers);
    appendHeadEnd(out, framing, contentLength, upgrade, keepAlive);
    return out;
}

QByteArray chunkHeader(qsizetype size)
{
    return QByteArray::number(qint64(size), 16).append("\r\n");
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Not Allowed"; // nginx wording, as on Azure's error pages
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Time-out";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Entity";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Temporarily Unavailable";
    case 504: return "Gateway Time-out";
    case 505: return "HTTP Version Not Supported";
    default: break;
    }
    if (status >= 100 && status < 200)
        return "Informational";
    if (status >= 200 && status < 300)
        return "Success";
    if (status >= 300 && status < 400)
        return "Redirection";
    if (status >= 400 && status < 500)
        return "Client Error";
    return "Server Error";
}

namespace Internal {

namespace {

constexpr int InternSlots = 512;

int internSlot(QByteArrayView name)
{
    const unsigned first = static_cast<unsigned char>(toLowerAscii(name.front()));
    const unsigned last = static_cast<unsigned char>(toLowerAscii(name.back()));
    const unsigned mid = static_cast<unsigned char>(toLowerAscii(name[name.size() / 2]));
    return int((unsigned(name.size()) * 131u + first * 31u + mid * 7u + last) % InternSlots);
}

struct InternTable
{
    std::array<const QByteArray *, InternSlots> m_slots{};
    explicit InternTable(const QByteArray *names, qsizetype count)
    {
        for (qsizetype i = 0; i < count; ++i) {
            const int slot = internSlot(names[i]);
            if (!m_slots[slot]) // on a collision the later name is simply not interned
                m_slots[slot] = &names[i];
        }
    }
    QByteArray lookup(QByteArrayView name) const
    {
        if (name.isEmpty())
            return QByteArray();
        const QByteArray *hit = m_slots[internSlot(name)];
        if (hit && QByteArrayView(*hit) == name)
            return *hit;
        return name.toByteArray();
    }
};

} // namespace

QByteArray internFieldName(QByteArrayView name)
{
    static const QByteArray names[] = {
        QByteArrayLiteral("Host"),
        QByteArrayLiteral("User-Agent"),
        QByteArrayLiteral("Accept"),
        QByteArrayLiteral("Accept-Language"),
        QByteArrayLiteral("Accept-Encoding"),
        QByteArrayLiteral("Connection"),
        QByteArrayLiteral("Cookie"),
        QByteArrayLiteral("Upgrade-Insecure-Requests"),
        QByteArrayLiteral("Sec-Fetch-Dest"),
        QByteArrayLiteral("Sec-Fetch-Mode"),
        QByteArrayLiteral("Sec-Fetch-Site"),
        QByteArrayLiteral("Sec-Fetch-User"),
        QByteArrayLiteral("Cache-Control"),
        QByteArrayLiteral("Content-Type"),
        QByteArrayLiteral("Content-Length"),
        QByteArrayLiteral("Referer"),
        QByteArrayLiteral("Origin"),
        QByteArrayLiteral("Authorization"),
        QByteArrayLiteral("If-None-Match"),
        QByteArrayLiteral("If-Modified-Since"),
        QByteArrayLiteral("Pragma"),
        QByteArrayLiteral("Upgrade"),
        QByteArrayLiteral("Sec-WebSocket-Key"),
        QByteArrayLiteral("Sec-WebSocket-Version"),
        QByteArrayLiteral("Sec-WebSocket-Extensions"),
        QByteArrayLiteral("Sec-WebSocket-Protocol"),
        QByteArrayLiteral("Sec-WebSocket-Accept"),
        QByteArrayLiteral("X-Forwarded-For"),
        QByteArrayLiteral("X-Forwarded-Proto"),
        QByteArrayLiteral("X-Forwarded-Port"),
        QByteArrayLiteral("X-Requested-With"),
        QByteArrayLiteral("Transfer-Encoding"),
        QByteArrayLiteral("Expect"),
        QByteArrayLiteral("sec-ch-ua"),
        QByteArrayLiteral("sec-ch-ua-mobile"),
        QByteArrayLiteral("sec-ch-ua-platform"),
        QByteArrayLiteral("DNT"),
        QByteArrayLiteral("TE"),
        QByteArrayLiteral("Range"),
        QByteArrayLiteral("Priority"),
        QByteArrayLiteral("Keep-Alive"),
        QByteArrayLiteral("Date"),
        QByteArrayLiteral("Server"),
        QByteArrayLiteral("Content-Encoding"),
        QByteArrayLiteral("Set-Cookie"),
        QByteArrayLiteral("Location"),
        QByteArrayLiteral("ETag"),
        QByteArrayLiteral("Last-Modified"),
        QByteArrayLiteral("Vary"),
        QByteArrayLiteral("Expires"),
        QByteArrayLiteral("Access-Control-Allow-Origin"),
        QByteArrayLiteral("Strict-Transport-Security"),
        QByteArrayLiteral("X-Content-Type-Options"),
        QByteArrayLiteral("Content-Security-Policy"),
        QByteArrayLiteral("X-Frame-Options"),
        QByteArrayLiteral("Age"),
        QByteArrayLiteral("Via"),
        QByteArrayLiteral("Trailer"),
        QByteArrayLiteral("Accept-Ranges"),
        QByteArrayLiteral("Content-Range"),
        QByteArrayLiteral("host"),
        QByteArrayLiteral("user-agent"),
        QByteArrayLiteral("accept"),
        QByteArrayLiteral("content-type"),
        QByteArrayLiteral("content-length"),
        QByteArrayLiteral("connection"),
        QByteArrayLiteral("accept-encoding"),
    };
    static const InternTable table(names, qsizetype(std::size(names)));
    return table.lookup(name);
}

QByteArray internMethod(QByteArrayView method)
{
    static const QByteArray names[] = {
        QByteArrayLiteral("GET"),    QByteArrayLiteral("POST"),  QByteArrayLiteral("PUT"),
        QByteArrayLiteral("DELETE"), QByteArrayLiteral("HEAD"),  QByteArrayLiteral("OPTIONS"),
        QByteArrayLiteral("PATCH"),  QByteArrayLiteral("TRACE"),
    };
    static const InternTable table(names, qsizetype(std::size(names)));
    return table.lookup(method);
}

bool validateHost(QByteArrayView value, QByteArray *normalized, bool requirePort)
{
    if (value.isEmpty())
        return false;
    qsizetype hostEnd = 0;
    if (value[0] == '[') {
        const qsizetype close = value.indexOf(']');
        if (close < 0)
            return false;
        bool colon = false;
        for (qsizetype i = 1; i < close; ++i) {
            const char c = value[i];
            if (c == ':')
                colon = true;
            else if (c != '.' && !is(c, HexDigit))
                return false;
        }
        if (!colon)
            return false;
        hostEnd = close + 1;
    } else {
        while (hostEnd < value.size() && value[hostEnd] != ':') {
            const char c = value[hostEnd];
            if (!is(c, HostChar))
                return false;
            if (c == '.' && (hostEnd == 0 || value[hostEnd - 1] == '.'))
                return false; // leading dot or ".."
            ++hostEnd;
        }
        if (hostEnd == 0)
            return false;
    }
    bool hasPort = false;
    if (hostEnd < value.size()) {
        if (value[hostEnd] != ':')
            return false;
        const QByteArrayView port = value.sliced(hostEnd + 1);
        if (port.isEmpty() || port.size() > 5)
            return false;
        const qint64 p = parseDecimal(port);
        if (p < 0 || p > 65535)
            return false;
        hasPort = true;
    }
    if (requirePort && !hasPort)
        return false;
    QByteArrayView host = value.first(hostEnd);
    if (host.endsWith('.'))
        host.chop(1);
    if (host.isEmpty())
        return false;
    if (normalized) {
        normalized->resize(host.size());
        char *out = normalized->data();
        for (qsizetype i = 0; i < host.size(); ++i)
            out[i] = toLowerAscii(host[i]);
    }
    return true;
}

} // namespace Internal

} // namespace Gateway::Http
