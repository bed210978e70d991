// ResponseParser: strict parsing of backend response heads (reliability-cases.md §5, B06–B13).
// Every error is answered with 502 and the backend connection is closed.

#include "httpmessage.h"
#include "httpsyntax.h"

#include <QVarLengthArray>

namespace Gateway::Http {

using namespace Internal;

namespace {

ParseResult badGateway(const char *reason)
{
    ParseResult r;
    r.status = ParseResult::Status::Error;
    r.errorStatus = 502;
    r.errorReason = reason;
    return r;
}

} // namespace

ParseResult ResponseParser::parse(QByteArrayView buffer, QByteArrayView requestMethod,
                                  ResponseHead *head)
{
    const char *d = buffer.data();
    const qsizetype n = buffer.size();
    const qsizetype limitEnd = m_limits.maxHeaderSection;
    const qsizetype scanEnd = n < limitEnd ? n : limitEnd;
    auto past = [&](qsizetype i) {
        return i >= limitEnd ? badGateway("response header too large") : ParseResult{};
    };

    // status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ] CRLF
    static constexpr char pattern[] = "HTTP/#.# ###";
    int major = 0;
    int minor = 0;
    int status = 0;
    qsizetype pos = 0;
    for (int k = 0; k < 12; ++k, ++pos) {
        if (pos >= scanEnd)
            return past(pos);
        const char c = d[pos];
        if (pattern[k] == '#') {
            if (!is(c, Digit))
                return badGateway("invalid status line");
            if (k == 5)
                major = c - '0';
            else if (k == 7)
                minor = c - '0';
            else
                status = status * 10 + (c - '0');
        } else if (c != pattern[k]) {
            return badGateway("invalid status line");
        }
    }
    if (major != 1)
        return badGateway("unsupported HTTP version in response");
    if (status < 100 || status > 599)
        return badGateway("invalid status code");
    if (pos >= scanEnd)
        return past(pos);
    qsizetype reasonBegin = pos;
    if (d[pos] == ' ') {
        ++pos;
        reasonBegin = pos;
        while (pos < scanEnd && is(d[pos], ValueChar))
            ++pos;
        if (pos >= scanEnd)
            return past(pos);
    }
    if (d[pos] != '\r')
        return badGateway("invalid status line");
    const qsizetype reasonEnd = pos;
    if (pos + 1 >= scanEnd)
        return past(pos + 1);
    if (d[pos + 1] != '\n')
        return badGateway("bare CR in status line");
    pos += 2;

    QVarLengthArray<FieldLine, 32> lines;
    const FieldScan scan = scanFieldLines(buffer, pos, limitEnd, m_limits.maxHeaderCount, &lines);
    switch (scan.status) {
    case ScanStatus::Incomplete: return ParseResult{};
    case ScanStatus::Bad:
    case ScanStatus::TooLarge:
    case ScanStatus::TooMany: return badGateway(scan.reason);
    case ScanStatus::Complete: break;
    }

    ResponseHead h;
    h.versionMajor = major;
    h.versionMinor = minor;
    h.status = status;
    h.reason = QByteArray(d + reasonBegin, reasonEnd - reasonBegin);
    h.headers.reserve(lines.size());
    for (const FieldLine &l : lines) {
        h.headers.append(Header{internFieldName(QByteArrayView(d + l.nameBegin,
                                                               l.nameEnd - l.nameBegin)),
                                QByteArray(d + l.valueBegin, l.valueEnd - l.valueBegin)});
    }

    const bool http11 = minor >= 1;
    int clCount = 0;
    int teCount = 0;
    const Header *clField = nullptr;
    const Header *teField = nullptr;
    bool connClose = false;
    bool connKeepAlive = false;
    for (const Header &f : std::as_const(h.headers)) {
        if (equalsIgnoreCase(f.name, "Content-Length")) {
            ++clCount;
            clField = &f;
        } else if (equalsIgnoreCase(f.name, "Transfer-Encoding")) {
            ++teCount;
            teField = &f;
        } else if (equalsIgnoreCase(f.name, "Connection")) {
            forEachListElement(f.value, [&](QByteArrayView t) {
                if (equalsIgnoreCase(t, "close"))
                    connClose = true;
                else if (equalsIgnoreCase(t, "keep-alive"))
                    connKeepAlive = true;
            });
        }
    }
    h.keepAlive = http11 ? !connClose : (connKeepAlive && !connClose);

    ParseResult ok;
    ok.status = ParseResult::Status::Complete;
    ok.consumed = scan.end;
    auto done = [&](BodyKind kind) {
        h.bodyKind = kind;
        if (kind == BodyKind::UntilClose)
            h.keepAlive = false;
        *head = std::move(h);
        return ok;
    };

    // HTTP/1.0 with Transfer-Encoding: faulty framing, read until close and never reuse (B11);
    // a response that cannot have a body still has none.
    if (teField && !http11) {
        h.keepAlive = false;
        h.contentLength = 0;
        const bool noBody = status < 200 || status == 204 || status == 304
                            || requestMethod == "HEAD"
                            || (requestMethod == "CONNECT" && status < 300);
        return done(noBody ? BodyKind::None : BodyKind::UntilClose);
    }
    if (clCount > 1)
        return badGateway("duplicate Content-Length in response");
    if (teCount > 1)
        return badGateway("duplicate Transfer-Encoding in response");
    if (clField && teField)
        return badGateway("both Content-Length and Transfer-Encoding in response");
    if (teField && !equalsIgnoreCase(teField->value, "chunked"))
        return badGateway("unsupported Transfer-Encoding in response");
    if (clField) {
        h.contentLength = parseDecimal(clField->value);
        if (h.contentLength < 0)
            return badGateway("invalid Content-Length in response");
    }

    // Messages that never have a body (RFC 9112 §6.3 items 1 and 2).
    if (status < 200) {
        if (status == 101)
            h.keepAlive = false; // the connection becomes a tunnel, never reused for HTTP
        h.contentLength = 0;
        return done(BodyKind::None);
    }
    if (requestMethod == "CONNECT" && status < 300) {
        h.keepAlive = false;
        h.contentLength = 0;
        return done(BodyKind::None);
    }
    if (status == 204 || status == 304) {
        // A body-announcing 204 (or a chunked 304) is suspicious: never reuse the connection.
        if (teField || (status == 204 && clField && h.contentLength != 0))
            h.keepAlive = false;
        h.contentLength = 0;
        return done(BodyKind::None);
    }
    if (requestMethod == "HEAD")
        return done(BodyKind::None); // contentLength kept: it describes the GET response
    if (teField) {
        h.contentLength = 0;
        return done(BodyKind::Chunked);
    }
    if (clField)
        return done(BodyKind::ContentLength);
    return done(BodyKind::UntilClose);
}

} // namespace Gateway::Http
