// libFuzzer target for the response parser (reliability-cases.md §9.3, "fuzz_response_parser").
//
// Input: byte 0 picks the request method context (GET, HEAD, CONNECT, POST) and the body feeding
// piece size; the rest is what a backend sends. Oracle for every accepted head: re-serialized
// (as the proxy relays it) and re-parsed, it keeps its status, framing and persistence; the
// serialized head has at most one framing field and no bare CR/LF or NUL; the body decoder stays
// inside its input. Every refused head is a 502.

#include "http/httpmessage.h"

#include <QByteArray>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Gateway::Http;

namespace {

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "oracle violated: %s\n", what);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    static const QByteArray methods[] = {"GET", "HEAD", "CONNECT", "POST"};
    const QByteArray &method = methods[data[0] & 3];
    const int piece = data[0] >> 2;
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    ResponseHead head;
    const ParseResult r = ResponseParser().parse(input, method, &head);
    if (r.status == ParseResult::Status::Incomplete)
        return 0;
    if (r.status == ParseResult::Status::Error) {
        check(r.errorStatus == 502, "response error is not 502");
        return 0;
    }
    check(r.consumed > 0 && r.consumed <= input.size(), "consumed out of range");
    for (qsizetype k : {r.consumed - 1, r.consumed / 2}) {
        ResponseHead partial;
        check(ResponseParser().parse(input.first(k), method, &partial).status
                  == ParseResult::Status::Incomplete,
              "a prefix of the head was not Incomplete");
    }

    const BodyKind framing = head.bodyKind == BodyKind::UntilClose ? BodyKind::None : head.bodyKind;
    const QByteArray out = serializeResponseHead(head.status, head.reason, head.headers, framing,
                                                 head.contentLength, head.keepAlive);
    for (qsizetype i = 0; i < out.size(); ++i) {
        check(out[i] != '\0', "NUL in serialized head");
        if (out[i] == '\r')
            check(i + 1 < out.size() && out[i + 1] == '\n', "bare CR in serialized head");
        if (out[i] == '\n')
            check(i > 0 && out[i - 1] == '\r', "bare LF in serialized head");
    }
    // The gateway's own framing and Connection fields may push a head at the limits over them.
    ParserLimits roomy;
    roomy.maxHeaderCount += 8;
    roomy.maxHeaderSection += 4096;
    ResponseHead again;
    const ParseResult r2 = ResponseParser(roomy).parse(out, method, &again);
    if (r2.status != ParseResult::Status::Complete) {
        std::fprintf(stderr, "re-parse: %d %s\n%s\n", r2.errorStatus, r2.errorReason.constData(),
                     out.constData());
        check(false, "serialized response head is not accepted");
    }
    check(again.status == head.status, "status changed");
    check(again.bodyKind == head.bodyKind, "framing changed");
    if (head.bodyKind == BodyKind::ContentLength)
        check(again.contentLength == head.contentLength, "Content-Length changed");
    check(again.keepAlive == head.keepAlive, "persistence changed");
    check(headerCount(again.headers, "Content-Length")
                  + headerCount(again.headers, "Transfer-Encoding")
              <= 1,
          "more than one framing field");

    BodyDecoder decoder(head.bodyKind, head.contentLength);
    const QByteArrayView rest = input.sliced(r.consumed);
    qsizetype pos = 0;
    while (pos < rest.size() && !decoder.isDone()) {
        const qsizetype n = piece == 0 ? rest.size() - pos
                                       : qMin<qsizetype>(piece, rest.size() - pos);
        const QByteArrayView chunk = rest.sliced(pos, n);
        qint64 got = 0;
        const auto res = decoder.feed(chunk, [&](QByteArrayView v) {
            check(v.data() >= chunk.data() && v.data() + v.size() <= chunk.data() + chunk.size(),
                  "decoder view outside its input");
            got += v.size();
        });
        check(res.consumed >= 0 && res.consumed <= n && got <= res.consumed, "decoder overran");
        if (res.error || res.done)
            break;
        check(res.consumed == n, "decoder stopped early");
        pos += n;
    }
    return 0;
}
