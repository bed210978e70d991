// RequestParser: strict HTTP/1.1 request-head parsing (reliability-cases.md §1–§2, P01–P40;
// azure-reference.md §8 where Azure speaks).
//
// Decisions where the rows leave a choice (the shared table tests/common/requestcases.cpp says
// the same per case):
//  * methods are A-Z, '_' and '-' (nginx, Azure: "GET123" is 400); any such method is forwarded;
//    longer than 32 bytes -> 501; CONNECT -> 405 (400 when its target is not host:port);
//  * request-target: origin-form, absolute-form (http/https, no userinfo), '*' with OPTIONS
//    only; visible ASCII but '#', '%' followed by two hex digits; > 32 KiB -> 414;
//  * version exactly HTTP/d.d; 0.x -> 400 (Azure), major >= 2 -> 505; 1.2+ is served as 1.1;
//  * up to four empty lines before the request-line are skipped (RFC 9112 §2.2);
//  * header section (field lines + final CRLF) > 32 KiB or > 100 field lines -> 431;
//  * duplicate Host, Content-Length, Transfer-Encoding or Authorization -> 400 (Azure);
//  * Transfer-Encoding: exactly "chunked" is accepted; identity or another known coding -> 501;
//    an unknown or malformed coding, chunked twice or not last -> 400; with CL or on 1.0 -> 400;
//  * POST, PUT and PATCH on HTTP/1.1 without a length -> 400 (Azure);
//  * Expect other than 100-continue -> 417 on 1.1, ignored on 1.0;
//  * a GET 1.1 upgrade to websocket needs one Upgrade field and one Sec-WebSocket-Key, else 400.
//
// The parser is stateless: each call scans the buffer from its start. Every check is made at one
// byte position and depends only on the bytes before it, so a prefix of a message yields either
// Incomplete or exactly the verdict of the whole message (the tests check this at every split).

#include "httpmessage.h"
#include "httpsyntax.h"

#include <QVarLengthArray>

namespace Gateway::Http {

using namespace Internal;

namespace {

constexpr qsizetype MaxMethodLength = 32; // longer than any method in use -> 501 (RFC 9112 §3)
constexpr int MaxLeadingEmptyLines = 4;   // RFC 9112 §2.2: ignore at least one

ParseResult error(int status, const char *reason)
{
    ParseResult r;
    r.status = ParseResult::Status::Error;
    r.errorStatus = status;
    r.errorReason = reason;
    return r;
}

ParseResult incomplete()
{
    return ParseResult{};
}

enum class TeVerdict { Chunked, BadRequest, NotImplemented };

// The gateway's rule for a request Transfer-Encoding value (P08–P11).
TeVerdict classifyTransferEncoding(QByteArrayView value, const char **why)
{
    static constexpr QByteArrayView knownCodings[] = {"identity", "gzip",       "x-gzip", "deflate",
                                                      "compress", "x-compress", "br",     "zstd"};
    int chunked = 0;
    int elements = 0;
    bool chunkedLast = false;
    bool syntaxError = false;
    bool unknown = false;
    bool identity = false;
    bool otherCoding = false;
    forEachListElement(value, [&](QByteArrayView e) {
        ++elements;
        chunkedLast = false;
        if (!isToken(e)) {
            syntaxError = true;
            return;
        }
        if (equalsIgnoreCase(e, "chunked")) {
            ++chunked;
            chunkedLast = true;
            return;
        }
        bool known = false;
        for (QByteArrayView k : knownCodings) {
            if (equalsIgnoreCase(e, k))
                known = true;
        }
        if (!known)
            unknown = true;
        else if (equalsIgnoreCase(e, "identity"))
            identity = true;
        else
            otherCoding = true;
    });
    if (syntaxError) {
        *why = "malformed Transfer-Encoding";
        return TeVerdict::BadRequest;
    }
    if (unknown) {
        *why = "unknown transfer coding";
        return TeVerdict::BadRequest;
    }
    if (chunked > 1) {
        *why = "chunked applied twice";
        return TeVerdict::BadRequest;
    }
    if (identity) {
        *why = "transfer coding identity not implemented";
        return TeVerdict::NotImplemented;
    }
    if (chunked == 1 && !chunkedLast) {
        *why = "chunked is not the final transfer coding";
        return TeVerdict::BadRequest;
    }
    if (otherCoding || chunked == 0) {
        *why = "transfer coding not implemented";
        return TeVerdict::NotImplemented;
    }
    Q_UNUSED(elements);
    return TeVerdict::Chunked;
}

} // namespace

ParseResult RequestParser::parse(QByteArrayView buffer, RequestHead *head)
{
    const char *d = buffer.data();
    const qsizetype n = buffer.size();
    qsizetype pos = 0;

    // Empty lines before the request-line (RFC 9112 §2.2).
    for (int empty = 0;; ++empty) {
        if (pos >= n)
            return incomplete();
        if (d[pos] == '\n')
            return error(400, "bare LF");
        if (d[pos] != '\r')
            break;
        if (pos + 1 >= n)
            return incomplete();
        if (d[pos + 1] != '\n')
            return error(400, "bare CR");
        if (empty == MaxLeadingEmptyLines)
            return error(400, "too many empty lines before the request-line");
        pos += 2;
    }

    // method SP
    const qsizetype methodBegin = pos;
    while (pos < n && is(d[pos], MethodChar)) {
        if (pos - methodBegin == MaxMethodLength)
            return error(501, "method too long");
        ++pos;
    }
    if (pos >= n)
        return incomplete();
    if (d[pos] != ' ')
        return error(400, is(d[pos], Tchar) ? "invalid method" : "malformed request-line");
    if (pos == methodBegin)
        return error(400, "empty method");
    const QByteArrayView method(d + methodBegin, pos - methodBegin);
    ++pos;

    // request-target SP
    const qsizetype targetBegin = pos;
    for (;;) {
        if (pos >= n)
            return incomplete();
        const char c = d[pos];
        if (c == ' ')
            break;
        if (pos - targetBegin == m_limits.maxRequestTarget)
            return error(414, "request-target too long");
        if (!is(c, TargetChar))
            return error(400, "invalid byte in request-target");
        if (c == '%') {
            for (int k = 1; k <= 2; ++k) {
                if (pos + k >= n)
                    return incomplete();
                if (!is(d[pos + k], HexDigit))
                    return error(400, "invalid percent-encoding in request-target");
            }
        }
        ++pos;
    }
    if (pos == targetBegin)
        return error(400, "empty request-target");
    const QByteArrayView target(d + targetBegin, pos - targetBegin);
    ++pos;

    // HTTP-version CRLF
    static constexpr char versionPattern[] = "HTTP/#.#\r\n";
    int major = 0;
    int minor = 0;
    for (int k = 0; k < 10; ++k, ++pos) {
        if (pos >= n)
            return incomplete();
        const char want = versionPattern[k];
        const char c = d[pos];
        if (want == '#') {
            if (!is(c, Digit))
                return error(400, "malformed HTTP version");
            (k == 5 ? major : minor) = c - '0';
        } else if (c != want) {
            if (want == '\n')
                return error(400, "bare CR");
            if (want == '\r' && c == '\n')
                return error(400, "bare LF");
            return error(400, "malformed HTTP version");
        }
    }
    if (major == 0)
        return error(400, "unsupported HTTP version");
    if (major != 1)
        return error(505, "HTTP version not supported");

    // Target form (RFC 9112 §3.2).
    const bool isConnect = method == "CONNECT";
    QByteArrayView path;
    QByteArrayView authority;
    bool absoluteForm = false;
    if (isConnect) {
        if (!validateHost(target, nullptr, true))
            return error(400, "invalid authority-form target");
        return error(405, "CONNECT is not allowed");
    }
    if (target[0] == '/') {
        path = target;
    } else if (target == "*") {
        if (method != "OPTIONS")
            return error(400, "asterisk-form is only allowed with OPTIONS");
        path = target;
    } else {
        qsizetype schemeEnd = 0;
        if (target.size() >= 7 && equalsIgnoreCase(target.first(7), "http://"))
            schemeEnd = 7;
        else if (target.size() >= 8 && equalsIgnoreCase(target.first(8), "https://"))
            schemeEnd = 8;
        if (schemeEnd == 0)
            return error(400, "invalid request-target");
        qsizetype authEnd = schemeEnd;
        while (authEnd < target.size() && target[authEnd] != '/' && target[authEnd] != '?')
            ++authEnd;
        authority = target.sliced(schemeEnd, authEnd - schemeEnd);
        if (authority.contains('@'))
            return error(400, "userinfo in request-target");
        if (!validateHost(authority, nullptr))
            return error(400, "invalid authority in request-target");
        path = target.sliced(authEnd);
        absoluteForm = true;
    }

    // Field lines.
    const qsizetype sectionBegin = pos;
    QVarLengthArray<FieldLine, 32> lines;
    const FieldScan scan = scanFieldLines(buffer, pos, sectionBegin + m_limits.maxHeaderSection,
                                          m_limits.maxHeaderCount, &lines);
    switch (scan.status) {
    case ScanStatus::Incomplete: return incomplete();
    case ScanStatus::Bad: return error(400, scan.reason);
    case ScanStatus::TooLarge:
    case ScanStatus::TooMany: return error(431, scan.reason);
    case ScanStatus::Complete: break;
    }

    // The head is complete: build it, then check the fields' meaning.
    RequestHead h;
    h.method = internMethod(method);
    h.target = target.toByteArray();
    h.versionMajor = major;
    h.versionMinor = minor;
    if (path.isEmpty()) {
        h.path = QByteArrayLiteral("/");
    } else {
        const qsizetype q = path.indexOf('?');
        if (q >= 0) {
            h.path = q == 0 ? QByteArray("/") : path.first(q).toByteArray();
            h.query = path.sliced(q + 1).toByteArray();
            h.hasQuery = true;
        } else if (path.size() == target.size()) {
            h.path = h.target; // shared, no copy
        } else {
            h.path = path.toByteArray();
        }
    }
    h.headers.reserve(lines.size());
    for (const FieldLine &l : lines) {
        h.headers.append(Header{internFieldName(QByteArrayView(d + l.nameBegin,
                                                               l.nameEnd - l.nameBegin)),
                                QByteArray(d + l.valueBegin, l.valueEnd - l.valueBegin)});
    }

    auto fail = [&](int status, const char *why) {
        *head = std::move(h);
        return error(status, why);
    };

    const bool http11 = minor >= 1;
    int hostCount = 0;
    int clCount = 0;
    int teCount = 0;
    int authCount = 0;
    int upgradeCount = 0;
    int wsKeyCount = 0;
    const Header *hostField = nullptr;
    const Header *clField = nullptr;
    const Header *teField = nullptr;
    const Header *wsKeyField = nullptr;
    bool connClose = false;
    bool connKeepAlive = false;
    bool connUpgrade = false;
    bool upgradeWs = false;
    bool expectContinue = false;
    bool expectOther = false;
    for (const Header &f : std::as_const(h.headers)) {
        const QByteArrayView name = f.name;
        switch (toLowerAscii(name[0])) {
        case 'a':
            if (equalsIgnoreCase(name, "Authorization"))
                ++authCount;
            break;
        case 'c':
            if (equalsIgnoreCase(name, "Content-Length")) {
                ++clCount;
                clField = &f;
            } else if (equalsIgnoreCase(name, "Connection")) {
                forEachListElement(f.value, [&](QByteArrayView t) {
                    if (equalsIgnoreCase(t, "close"))
                        connClose = true;
                    else if (equalsIgnoreCase(t, "keep-alive"))
                        connKeepAlive = true;
                    else if (equalsIgnoreCase(t, "upgrade"))
                        connUpgrade = true;
                });
            }
            break;
        case 'e':
            if (equalsIgnoreCase(name, "Expect")) {
                if (equalsIgnoreCase(f.value, "100-continue"))
                    expectContinue = true;
                else
                    expectOther = true;
            }
            break;
        case 'h':
            if (equalsIgnoreCase(name, "Host")) {
                ++hostCount;
                hostField = &f;
            }
            break;
        case 's':
            if (equalsIgnoreCase(name, "Sec-WebSocket-Key")) {
                ++wsKeyCount;
                wsKeyField = &f;
            }
            break;
        case 't':
            if (equalsIgnoreCase(name, "Transfer-Encoding")) {
                ++teCount;
                teField = &f;
            }
            break;
        case 'u':
            if (equalsIgnoreCase(name, "Upgrade")) {
                ++upgradeCount;
                forEachListElement(f.value, [&](QByteArrayView t) {
                    if (equalsIgnoreCase(t, "websocket"))
                        upgradeWs = true;
                });
            }
            break;
        default: break;
        }
    }

    // Host (P34, P35).
    if (hostCount > 1)
        return fail(400, "duplicate Host");
    if (hostCount == 0 && http11)
        return fail(400, "missing Host");
    if (hostField) {
        QByteArray normalized;
        if (!validateHost(hostField->value, &normalized))
            return fail(400, "invalid Host");
        h.host = std::move(normalized);
        h.hostHeader = hostField->value;
    }
    if (absoluteForm) {
        validateHost(authority, &h.host);
        h.hostHeader = authority.toByteArray();
    }
    if (authCount > 1)
        return fail(400, "duplicate Authorization");

    // Framing (P01–P12).
    if (clCount > 1)
        return fail(400, "duplicate Content-Length");
    if (teCount > 1)
        return fail(400, "duplicate Transfer-Encoding");
    if (clField) {
        h.contentLength = parseDecimal(clField->value);
        if (h.contentLength < 0)
            return fail(400, "invalid Content-Length");
        h.bodyKind = BodyKind::ContentLength;
    }
    if (teField) {
        if (!http11)
            return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
        if (clField)
            return fail(400, "both Content-Length and Transfer-Encoding");
        const char *why = "";
        switch (classifyTransferEncoding(teField->value, &why)) {
        case TeVerdict::BadRequest: return fail(400, why);
        case TeVerdict::NotImplemented: return fail(501, why);
        case TeVerdict::Chunked: break;
        }
        h.bodyKind = BodyKind::Chunked;
        h.contentLength = 0;
    }
    if (http11 && h.bodyKind == BodyKind::None
        && (method == "POST" || method == "PUT" || method == "PATCH")) {
        return fail(400, "request body without Content-Length"); // Azure: "POST without CL"
    }

    // Persistence (RFC 9112 §9.3).
    h.keepAlive = http11 ? !connClose : (connKeepAlive && !connClose);

    // Expect (P36): ignored on HTTP/1.0.
    if (http11) {
        if (expectOther)
            return fail(417, "unsupported expectation");
        h.expectContinue = expectContinue;
    }

    // WebSocket upgrade (W02–W06).
    if (http11 && method == "GET" && connUpgrade && upgradeWs) {
        if (upgradeCount > 1)
            return fail(400, "duplicate Upgrade");
        if (wsKeyCount != 1 || wsKeyField->value.isEmpty())
            return fail(400, "WebSocket upgrade without one Sec-WebSocket-Key");
        h.upgradeWebSocket = true;
    }

    *head = std::move(h);
    ParseResult r;
    r.status = ParseResult::Status::Complete;
    r.consumed = scan.end;
    return r;
}

} // namespace Gateway::Http
