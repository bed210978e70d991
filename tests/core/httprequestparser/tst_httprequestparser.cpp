// RequestParser against every case of reliability-cases.md §2 (tests/common/requestcases), fed
// whole and as every growing prefix, plus the fields the proxy relies on.

#include "http/httpmessage.h"
#include "requestcases.h"

#include <QTest>

using namespace Gateway::Http;
using TestSupport::RequestCase;

Q_DECLARE_METATYPE(RequestCase)

namespace {

struct Observed
{
    bool rejected = false;
    int status = 0;
    RequestCase::Stage stage = RequestCase::Stage::Head;
    QByteArray reason;
    int requests = 0;
    RequestHead first;
    QByteArray firstBody;
    bool incompleteTail = false; // bytes left that never formed a request
};

bool sameResult(const ParseResult &a, const ParseResult &b)
{
    return a.status == b.status && a.consumed == b.consumed && a.errorStatus == b.errorStatus;
}

QByteArray describe(const ParseResult &r)
{
    switch (r.status) {
    case ParseResult::Status::Incomplete: return "Incomplete";
    case ParseResult::Status::Complete: return "Complete(" + QByteArray::number(r.consumed) + ")";
    case ParseResult::Status::Error:
        return "Error(" + QByteArray::number(r.errorStatus) + ", " + r.errorReason + ")";
    }
    return {};
}

// Parses one head from `buffer`; with `split`, also checks that every prefix gives Incomplete or
// exactly the same verdict (the caller keeps calling with a growing buffer).
ParseResult parseHead(QByteArrayView buffer, RequestHead *head, bool split, QByteArray *splitError)
{
    RequestParser parser;
    const ParseResult whole = parser.parse(buffer, head);
    if (!split)
        return whole;
    const qsizetype n = buffer.size();
    for (qsizetype k = 0; k < n; ++k) {
        // Every offset near both ends; a stride in the middle of very large heads.
        if (n > 8192 && k > 1024 && k < n - 1024 && k % 97 != 0)
            continue;
        RequestHead partial;
        const ParseResult r = RequestParser().parse(buffer.first(k), &partial);
        if (r.status == ParseResult::Status::Incomplete)
            continue;
        if (!sameResult(r, whole)) {
            *splitError = "prefix of " + QByteArray::number(k) + " bytes gave " + describe(r)
                          + ", the whole input " + describe(whole);
            return whole;
        }
        if (r.status == ParseResult::Status::Complete && r.consumed > k) {
            *splitError = "Complete before the head arrived";
            return whole;
        }
    }
    return whole;
}

Observed run(const QByteArray &bytes, bool split, QByteArray *splitError)
{
    Observed o;
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        RequestHead head;
        const ParseResult r = parseHead(QByteArrayView(bytes).sliced(pos), &head, split, splitError);
        if (r.status == ParseResult::Status::Incomplete) {
            o.incompleteTail = true;
            break;
        }
        if (r.status == ParseResult::Status::Error) {
            o.rejected = true;
            o.status = r.errorStatus;
            o.reason = r.errorReason;
            o.stage = RequestCase::Stage::Head;
            return o;
        }
        pos += r.consumed;
        BodyDecoder decoder(head.bodyKind, head.contentLength);
        QByteArray body;
        const auto sink = [&body](QByteArrayView v) { body.append(v); };
        BodyDecoder::Result br;
        if (split) { // byte by byte
            qsizetype used = 0;
            while (pos + used < bytes.size() && !decoder.isDone()) {
                br = decoder.feed(QByteArrayView(bytes).sliced(pos + used, 1), sink);
                if (br.error)
                    break;
                used += br.consumed;
            }
            br.consumed = used;
            br.done = decoder.isDone();
        } else {
            br = decoder.feed(QByteArrayView(bytes).sliced(pos), sink);
        }
        if (br.error) {
            o.rejected = true;
            o.status = 400;
            o.reason = br.errorReason;
            o.stage = RequestCase::Stage::Body;
            return o;
        }
        if (!br.done) {
            o.incompleteTail = true;
            break;
        }
        pos += br.consumed;
        if (o.requests++ == 0) {
            o.first = head;
            o.firstBody = body;
        }
        if (!head.keepAlive)
            break;
    }
    return o;
}

QByteArray originForm(const RequestHead &h)
{
    return h.hasQuery ? h.path + '?' + h.query : h.path;
}

RequestHead parseOk(const QByteArray &bytes)
{
    RequestHead head;
    const ParseResult r = RequestParser().parse(bytes, &head);
    if (r.status != ParseResult::Status::Complete)
        qWarning() << "not complete:" << describe(r);
    return head;
}

} // namespace

class tst_HttpRequestParser : public QObject
{
    Q_OBJECT

private slots:
    void cases_data();
    void cases();
    void targetForms_data();
    void targetForms();
    void persistence_data();
    void persistence();
    void expectContinue();
    void obsTextKeptByteExact();
    void fieldsKeptInOrder();
    void pipelinedConsumed();
    void limitsAreConfigurable();
    void incompleteHugeHeaderIsRefusedPromptly();
    void idempotent_data();
    void idempotent();
    void headerHelpers();
    void commonNamesAreShared();
};

void tst_HttpRequestParser::cases_data()
{
    QTest::addColumn<RequestCase>("c");
    QTest::addColumn<bool>("split");
    for (const RequestCase &c : TestSupport::requestCases()) {
        QTest::newRow(QByteArray(c.id + " [whole]").constData()) << c << false;
        QTest::newRow(QByteArray(c.id + " [every prefix]").constData()) << c << true;
    }
}

void tst_HttpRequestParser::cases()
{
    QFETCH(RequestCase, c);
    QFETCH(bool, split);
    QByteArray splitError;
    const Observed o = run(c.bytes, split, &splitError);
    QVERIFY2(splitError.isEmpty(), splitError.constData());
    if (c.outcome == RequestCase::Outcome::Reject) {
        QVERIFY2(
            o.rejected,
            QByteArray("accepted " + QByteArray::number(o.requests) + " request(s)").constData());
        QCOMPARE(o.requests, 0); // refused before any request could go upstream
        QCOMPARE(o.status, c.status);
        QCOMPARE(int(o.stage), int(c.stage));
        QVERIFY(!o.reason.isEmpty());
        if (qEnvironmentVariableIsSet("HTTP_CASES_VERBOSE"))
            qInfo("%s -> %d %s", c.id.constData(), o.status, o.reason.constData());
        return;
    }
    QVERIFY2(!o.rejected,
             QByteArray("rejected: " + QByteArray::number(o.status) + " " + o.reason).constData());
    QCOMPARE(o.requests, c.requests);
    QCOMPARE(o.first.method, c.method);
    QCOMPARE(originForm(o.first), c.target);
    QCOMPARE(o.first.host, c.host);
    QCOMPARE(o.firstBody, c.body);
    QCOMPARE(o.first.upgradeWebSocket, c.upgrade);

    // What the proxy would send upstream never carries the stripped fields.
    Headers forwarded;
    for (const Header &h : o.first.headers) {
        if (isForwardableFieldName(h.name))
            forwarded.append(h);
    }
    // Like the proxy: HTTP/1.1 upstream always has Host and a length for a body-carrying method.
    if (o.first.versionMinor == 0)
        removeHeaders(forwarded, "Expect"); // ignored on HTTP/1.0, must not become 1.1 semantics
    if (headerCount(forwarded, "Host") == 0)
        forwarded.append(Header{"Host", "backend"});
    BodyKind framing = o.first.bodyKind;
    if (framing == BodyKind::None
        && (c.method == "POST" || c.method == "PUT" || c.method == "PATCH"))
        framing = BodyKind::ContentLength;
    const QByteArray upstream = serializeRequestHead(o.first.method, originForm(o.first), forwarded,
                                                     framing, o.first.contentLength,
                                                     o.first.upgradeWebSocket, o.first.keepAlive);
    RequestHead reparsed;
    QCOMPARE(RequestParser().parse(upstream, &reparsed).status, ParseResult::Status::Complete);
    for (const QByteArray &name : c.strippedHeaders)
        QVERIFY2(headerCount(reparsed.headers, name) == 0, name.constData());
}

void tst_HttpRequestParser::targetForms_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<bool>("hasQuery");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("hostHeader");

    QTest::newRow("origin-form") << QByteArray(
        "GET /a/b?x=1&y HTTP/1.1\r\nHost: A.example:8080\r\n\r\n")
                                 << QByteArray("/a/b") << QByteArray("x=1&y") << true
                                 << QByteArray("a.example") << QByteArray("A.example:8080");
    QTest::newRow("empty query") << QByteArray("GET /a? HTTP/1.1\r\nHost: a\r\n\r\n")
                                 << QByteArray("/a") << QByteArray() << true << QByteArray("a")
                                 << QByteArray("a");
    QTest::newRow("absolute-form")
        << QByteArray("GET HTTP://H.example:81/p?q HTTP/1.1\r\nHost: other\r\n\r\n")
        << QByteArray("/p") << QByteArray("q") << true << QByteArray("h.example")
        << QByteArray("H.example:81");
    QTest::newRow("absolute-form without path")
        << QByteArray("GET https://h HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("/")
        << QByteArray() << false << QByteArray("h") << QByteArray("h");
    QTest::newRow("absolute-form query only")
        << QByteArray("GET http://h?z HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("/")
        << QByteArray("z") << true << QByteArray("h") << QByteArray("h");
    QTest::newRow("percent-encoding kept")
        << QByteArray("GET /%41%2f HTTP/1.1\r\nHost: h\r\n\r\n") << QByteArray("/%41%2f")
        << QByteArray() << false << QByteArray("h") << QByteArray("h");
}

void tst_HttpRequestParser::targetForms()
{
    QFETCH(QByteArray, bytes);
    const RequestHead h = parseOk(bytes);
    QTEST(h.path, "path");
    QTEST(h.query, "query");
    QTEST(h.hasQuery, "hasQuery");
    QTEST(h.host, "host");
    QTEST(h.hostHeader, "hostHeader");
    QCOMPARE(h.target, bytes.mid(4, bytes.indexOf(" HTTP/") - 4));
}

void tst_HttpRequestParser::persistence_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("keepAlive");
    QTest::newRow("1.1 default") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\r\n") << true;
    QTest::newRow("1.1 close") << QByteArray(
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n")
                               << false;
    QTest::newRow("1.1 close in a list")
        << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nConnection: x, close\r\n\r\n") << false;
    QTest::newRow("1.0 default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false;
    QTest::newRow("1.0 keep-alive")
        << QByteArray("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") << true;
    QTest::newRow("1.0 keep-alive and close")
        << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n") << false;
}

void tst_HttpRequestParser::persistence()
{
    QFETCH(QByteArray, bytes);
    QTEST(parseOk(bytes).keepAlive, "keepAlive");
}

void tst_HttpRequestParser::expectContinue()
{
    QVERIFY(
        parseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-CONTINUE\r\n\r\n")
            .expectContinue);
    QVERIFY(!parseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n").expectContinue);
    QVERIFY(!parseOk("POST / HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
                 .expectContinue);
    RequestHead h;
    const ParseResult r = RequestParser().parse(
        "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, foo\r\n\r\n", &h);
    QCOMPARE(r.status, ParseResult::Status::Error);
    QCOMPARE(r.errorStatus, 417);
}

void tst_HttpRequestParser::obsTextKeptByteExact()
{
    const QByteArray value("caf\xe9 \xa0\xff\x85 end");
    const RequestHead h = parseOk("GET / HTTP/1.1\r\nHost: a\r\nX-Obs:  " + value + " \t\r\n\r\n");
    QCOMPARE(headerValue(h.headers, "x-obs"), value);
    const QByteArray out = serializeRequestHead(h.method, h.target, h.headers, BodyKind::None, 0,
                                                false);
    QVERIFY(out.contains(QByteArray("X-Obs: " + value + "\r\n")));
}

void tst_HttpRequestParser::fieldsKeptInOrder()
{
    const RequestHead h = parseOk(
        "GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nA: 2\r\nb: 3\r\nEmpty:\r\n\r\n");
    QCOMPARE(h.headers.size(), 5);
    QCOMPARE(h.headers[1].name, QByteArray("B"));
    QCOMPARE(h.headers[3].name, QByteArray("b"));
    QCOMPARE(h.headers[3].value, QByteArray("3"));
    QCOMPARE(h.headers[4].value, QByteArray(""));
    QCOMPARE(headerCount(h.headers, "b"), 2);
}

void tst_HttpRequestParser::pipelinedConsumed()
{
    const QByteArray first = "\r\nPOST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n";
    const QByteArray buffer = first + "abcGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    RequestHead h;
    const ParseResult r = RequestParser().parse(buffer, &h);
    QCOMPARE(r.status, ParseResult::Status::Complete);
    QCOMPARE(r.consumed, first.size()); // one leading empty line is ignored (RFC 9112 §2.2)
    QCOMPARE(h.bodyKind, BodyKind::ContentLength);
    QCOMPARE(h.contentLength, 3);
    RequestHead second;
    const ParseResult r2 = RequestParser().parse(QByteArrayView(buffer).sliced(r.consumed + 3),
                                                 &second);
    QCOMPARE(r2.status, ParseResult::Status::Complete);
    QCOMPARE(second.path, QByteArray("/2"));
}

void tst_HttpRequestParser::limitsAreConfigurable()
{
    ParserLimits limits;
    limits.maxRequestTarget = 10;
    limits.maxHeaderSection = 64;
    limits.maxHeaderCount = 2;
    RequestParser parser(limits);
    RequestHead h;
    QCOMPARE(parser.parse("GET /123456789 HTTP/1.1\r\nHost: a\r\n\r\n", &h).status,
             ParseResult::Status::Complete);
    QCOMPARE(parser.parse("GET /1234567890 HTTP/1.1\r\nHost: a\r\n\r\n", &h).errorStatus, 414);
    QCOMPARE(parser.parse("GET / HTTP/1.1\r\nHost: a\r\nA: b\r\n\r\n", &h).status,
             ParseResult::Status::Complete);
    QCOMPARE(parser.parse("GET / HTTP/1.1\r\nHost: a\r\nA: b\r\nC: d\r\n\r\n", &h).errorStatus, 431);
    const QByteArray fits = "GET / HTTP/1.1\r\nHost: a\r\nX: " + QByteArray(64 - 9 - 5 - 2, 'x')
                            + "\r\n\r\n";
    QCOMPARE(parser.parse(fits, &h).status, ParseResult::Status::Complete);
    const QByteArray over = "GET / HTTP/1.1\r\nHost: a\r\nX: " + QByteArray(64 - 9 - 5 - 1, 'x')
                            + "\r\n\r\n";
    QCOMPARE(parser.parse(over, &h).errorStatus, 431);
}

void tst_HttpRequestParser::incompleteHugeHeaderIsRefusedPromptly()
{
    // No end of head in sight: refused once the limit is crossed, not when the head completes.
    const QByteArray start = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: ";
    QByteArray buffer = start + QByteArray(1024 * 1024, 'v');
    RequestHead h;
    ParseResult r = RequestParser().parse(buffer, &h);
    QCOMPARE(r.status, ParseResult::Status::Error);
    QCOMPARE(r.errorStatus, 431);
    // Just under the limit it is still waited for.
    buffer = start + QByteArray(32 * 1024 - (start.size() - 16) - 1, 'v');
    QCOMPARE(RequestParser().parse(buffer, &h).status, ParseResult::Status::Incomplete);
    // The same for an endless request-target.
    r = RequestParser().parse(QByteArray("GET /" + QByteArray(1024 * 1024, 'a')), &h);
    QCOMPARE(r.errorStatus, 414);
    // And an endless method.
    r = RequestParser().parse(QByteArray(1024 * 1024, 'A'), &h);
    QCOMPARE(r.errorStatus, 501);
}

void tst_HttpRequestParser::idempotent_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("idempotent");
    for (const char *m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
        QTest::newRow(m) << QByteArray(m) << true;
    for (const char *m : {"POST", "PATCH", "LOCK", "PROPFIND"})
        QTest::newRow(m) << QByteArray(m) << false;
}

void tst_HttpRequestParser::idempotent()
{
    QFETCH(QByteArray, method);
    RequestHead h;
    h.method = method;
    QTEST(h.idempotent(), "idempotent");
}

void tst_HttpRequestParser::headerHelpers()
{
    Headers hs = {{"Connection", "keep-alive, Upgrade"},
                  {"upgrade", "WebSocket"},
                  {"X-A", "1"},
                  {"x-a", "2"}};
    QCOMPARE(headerValue(hs, "X-A"), QByteArray("1"));
    QVERIFY(headerValue(hs, "missing").isNull());
    QCOMPARE(headerCount(hs, "x-A"), 2);
    QVERIFY(headerHasToken(hs, "connection", "upgrade"));
    QVERIFY(headerHasToken(hs, "CONNECTION", "Keep-Alive"));
    QVERIFY(!headerHasToken(hs, "Connection", "keep"));
    QVERIFY(headerHasToken(hs, "Upgrade", "websocket"));
    removeHeaders(hs, "X-a");
    QCOMPARE(hs.size(), 2);
    QVERIFY(isForwardableFieldName("X-Forwarded-For"));
    QVERIFY(!isForwardableFieldName("x_foo"));
    QVERIFY(!isForwardableFieldName("x.foo"));
    QVERIFY(!isForwardableFieldName(""));
}

void tst_HttpRequestParser::commonNamesAreShared()
{
    // Common field names and methods come from static literals: no allocation per request.
    const QByteArray bytes = "GET /x HTTP/1.1\r\nHost: a\r\nUser-Agent: u\r\nX-Rare: r\r\n\r\n";
    const RequestHead a = parseOk(bytes);
    const RequestHead b = parseOk(bytes);
    QCOMPARE(a.method.constData(), b.method.constData());
    QCOMPARE(a.headers[0].name.constData(), b.headers[0].name.constData());
    QCOMPARE(a.headers[1].name.constData(), b.headers[1].name.constData());
    QVERIFY(a.headers[2].name.constData() != b.headers[2].name.constData());
    QCOMPARE(a.headers[2].name, QByteArray("X-Rare"));
    QCOMPARE(a.path.constData(), a.target.constData()); // shared when equal
    // Case is kept as received: a differently cased name is not the interned one.
    const RequestHead c = parseOk("GET / HTTP/1.1\r\nHOST: a\r\n\r\n");
    QCOMPARE(c.headers[0].name, QByteArray("HOST"));
}

QTEST_GUILESS_MAIN(tst_HttpRequestParser)
#include "tst_httprequestparser.moc"
