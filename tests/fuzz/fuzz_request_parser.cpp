// libFuzzer target for the request parser, the serializer and the body decoder
// (reliability-cases.md §9.3, "fuzz_request_parser").
//
// Input: byte 0 chooses how the body is fed to the BodyDecoder (0: at once, n: pieces of n bytes)
// and where the head is split for the prefix check; the rest is what a client sends.
//
// Oracle, for every accepted head:
//  * every prefix of the head gives Incomplete or the very same verdict;
//  * serialize (as the proxy does) -> re-parse gives the same method, target, host and framing;
//  * the serialized head carries exactly one framing field (or none) and no CR, LF or NUL inside
//    a field value;
//  * the body decoder hands out views inside the input and never more bytes than it consumed.
// Every refused head has one of the statuses the gateway answers with.

#include "http/httpmessage.h"

#include <QByteArray>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Gateway::Http;

namespace {

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "oracle violated: %s\n", what);
    std::abort();
}

void check(bool ok, const char *what)
{
    if (!ok)
        fail(what);
}

bool sameVerdict(const ParseResult &a, const ParseResult &b)
{
    return a.status == b.status && a.consumed == b.consumed && a.errorStatus == b.errorStatus;
}

QByteArray originForm(const RequestHead &h)
{
    return h.hasQuery ? h.path + '?' + h.query : h.path;
}

void checkWireFormat(const QByteArray &head)
{
    check(head.endsWith("\r\n\r\n"), "serialized head does not end with an empty line");
    for (qsizetype i = 0; i < head.size(); ++i) {
        const char c = head[i];
        check(c != '\0', "NUL in serialized head");
        if (c == '\r')
            check(i + 1 < head.size() && head[i + 1] == '\n', "bare CR in serialized head");
        if (c == '\n')
            check(i > 0 && head[i - 1] == '\r', "bare LF in serialized head");
    }
}

void roundTrip(const RequestHead &h)
{
    // What the proxy forwards: Azure's field-name rule, Host regenerated from the routing
    // authority, HTTP/1.0's ignored Expect dropped, a length for body-carrying methods.
    Headers fields;
    for (const Header &f : h.headers) {
        if (isForwardableFieldName(f.name))
            fields.append(f);
    }
    removeHeaders(fields, "Host");
    fields.prepend(Header{"Host", h.hostHeader.isEmpty() ? QByteArray("backend") : h.hostHeader});
    if (h.versionMinor == 0)
        removeHeaders(fields, "Expect");
    BodyKind framing = h.bodyKind;
    if (framing == BodyKind::None
        && (h.method == "POST" || h.method == "PUT" || h.method == "PATCH")) {
        framing = BodyKind::ContentLength;
    }
    const QByteArray out = serializeRequestHead(h.method, originForm(h), fields, framing,
                                                h.contentLength, h.upgradeWebSocket, h.keepAlive);
    checkWireFormat(out);

    // The gateway adds fields of its own (Host, framing, Connection), so a head at the limits
    // may grow past them: re-parse with room for those.
    ParserLimits roomy;
    roomy.maxHeaderCount += 8;
    roomy.maxHeaderSection += 4096;
    RequestHead again;
    const ParseResult r = RequestParser(roomy).parse(out, &again);
    if (r.status != ParseResult::Status::Complete) {
        std::fprintf(stderr, "re-parse: %d %s\n%s\n", r.errorStatus, r.errorReason.constData(),
                     out.constData());
        fail("serialized head is not accepted");
    }
    check(r.consumed == out.size(), "re-parse consumed a different length");
    check(again.method == h.method, "method changed");
    check(originForm(again) == originForm(h), "target changed");
    if (!h.hostHeader.isEmpty())
        check(again.host == h.host, "host changed");
    check(again.bodyKind == framing, "framing changed");
    if (framing == BodyKind::ContentLength)
        check(again.contentLength == h.contentLength, "Content-Length changed");
    const int framingFields = headerCount(again.headers, "Content-Length")
                              + headerCount(again.headers, "Transfer-Encoding");
    check(framingFields == (framing == BodyKind::None ? 0 : 1), "not exactly one framing field");
    check(again.upgradeWebSocket == h.upgradeWebSocket, "upgrade changed");
    // An upgrade is sent as "Connection: Upgrade" whatever keepAlive says: that upstream
    // connection becomes a tunnel or is closed, it is never reused for HTTP.
    if (!h.upgradeWebSocket)
        check(again.keepAlive == h.keepAlive, "persistence changed");
    for (const Header &f : again.headers) {
        for (char c : f.value)
            check(c != '\r' && c != '\n' && c != '\0', "CR, LF or NUL in a value");
    }
}

void decodeBody(const RequestHead &h, QByteArrayView rest, int piece)
{
    BodyDecoder decoder(h.bodyKind, h.contentLength);
    qsizetype pos = 0;
    qint64 delivered = 0;
    while (pos < rest.size() && !decoder.isDone()) {
        const qsizetype n = piece <= 0 ? rest.size() - pos
                                       : qMin<qsizetype>(piece, rest.size() - pos);
        const QByteArrayView chunk = rest.sliced(pos, n);
        qint64 got = 0;
        const auto r = decoder.feed(chunk, [&](QByteArrayView v) {
            check(v.data() >= chunk.data() && v.data() + v.size() <= chunk.data() + chunk.size(),
                  "decoder view outside its input");
            got += v.size();
        });
        check(r.consumed >= 0 && r.consumed <= n, "decoder consumed more than it was given");
        check(got <= r.consumed, "decoder delivered more than it consumed");
        delivered += got;
        if (r.error) {
            check(!r.errorReason.isEmpty(), "decoder error without a reason");
            return;
        }
        if (!r.done && r.consumed != n && h.bodyKind != BodyKind::None)
            fail("decoder stopped early without finishing");
        pos += r.consumed;
        if (r.done)
            break;
    }
    check(delivered <= rest.size(), "decoded more than the input");
    if (h.bodyKind == BodyKind::ContentLength && decoder.isDone())
        check(delivered == h.contentLength, "Content-Length body of the wrong size");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const int control = data[0];
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    RequestHead head;
    const ParseResult whole = RequestParser().parse(input, &head);

    // Prefix property at two split points chosen by the control byte.
    for (const qsizetype cut :
         {input.size() * (control & 0x0f) / 16, input.size() - 1 - (control >> 4)}) {
        if (cut < 0 || cut >= input.size())
            continue;
        RequestHead partial;
        const ParseResult r = RequestParser().parse(input.first(cut), &partial);
        if (r.status == ParseResult::Status::Incomplete)
            continue;
        check(sameVerdict(r, whole), "a prefix gave another verdict");
    }

    switch (whole.status) {
    case ParseResult::Status::Incomplete: return 0;
    case ParseResult::Status::Error:
        switch (whole.errorStatus) {
        case 400:
        case 405:
        case 414:
        case 417:
        case 431:
        case 501:
        case 505: break;
        default: fail("unexpected error status");
        }
        check(!whole.errorReason.isEmpty(), "error without a reason");
        return 0;
    case ParseResult::Status::Complete: break;
    }
    check(whole.consumed > 0 && whole.consumed <= input.size(), "consumed out of range");
    check(head.bodyKind != BodyKind::UntilClose, "request framed until close");
    check(head.contentLength >= 0, "negative Content-Length");
    roundTrip(head);
    decodeBody(head, input.sliced(whole.consumed), control % 17);
    return 0;
}
