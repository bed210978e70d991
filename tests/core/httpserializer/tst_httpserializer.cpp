// serializeRequestHead / serializeResponseHead / stripHopByHop / chunkHeader / reasonPhrase:
// the gateway re-frames every message and never copies framing or hop-by-hop fields.

#include "http/httpmessage.h"

#include <QTest>

using namespace Gateway::Http;

Q_DECLARE_METATYPE(Gateway::Http::BodyKind)

namespace {

RequestHead reparse(const QByteArray &bytes)
{
    RequestHead h;
    const ParseResult r = RequestParser().parse(bytes, &h);
    if (r.status != ParseResult::Status::Complete)
        qWarning("re-parse failed: %d %s", r.errorStatus, r.errorReason.constData());
    return h;
}

Headers hostile()
{
    return {{"Host", "a"},
            {"Connection", "close, X-Secret, keep-alive"},
            {"X-Secret", "1"},
            {"Keep-Alive", "timeout=5"},
            {"Proxy-Connection", "x"},
            {"TE", "trailers, gzip"},
            {"Upgrade", "foo"},
            {"Transfer-Encoding", "chunked"},
            {"Content-Length", "99"},
            {"transfer-encoding", "gzip"},
            {"X-Kept", "v"},
            {"Trailer", "X-T"}};
}

} // namespace

class tst_HttpSerializer : public QObject
{
    Q_OBJECT

private slots:
    void requestFraming_data();
    void requestFraming();
    void hopByHopNeverCopied();
    void connectionNamesHostIsKept();
    void unsafeFieldsAreNotEmitted();
    void upgradeRequest();
    void stripHopByHop();
    void responseHead_data();
    void responseHead();
    void chunkHeader_data();
    void chunkHeader();
    void reasonPhrase();
};

void tst_HttpSerializer::requestFraming_data()
{
    QTest::addColumn<BodyKind>("framing");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<QByteArray>("framingLine");
    QTest::newRow("content-length") << BodyKind::ContentLength << qint64(1234) << true
                                    << QByteArray("Content-Length: 1234\r\n");
    QTest::newRow("content-length 0")
        << BodyKind::ContentLength << qint64(0) << true << QByteArray("Content-Length: 0\r\n");
    QTest::newRow("chunked") << BodyKind::Chunked << qint64(0) << true
                             << QByteArray("Transfer-Encoding: chunked\r\n");
    QTest::newRow("none, close") << BodyKind::None << qint64(0) << false
                                 << QByteArray("Connection: close\r\n");
}

void tst_HttpSerializer::requestFraming()
{
    QFETCH(BodyKind, framing);
    QFETCH(qint64, length);
    QFETCH(bool, keepAlive);
    QFETCH(QByteArray, framingLine);
    const QByteArray method = framing == BodyKind::None ? "GET" : "POST";
    const QByteArray out = serializeRequestHead(method, "/p?q", hostile(), framing, length, false,
                                                keepAlive);
    QVERIFY(out.startsWith(QByteArray(method + " /p?q HTTP/1.1\r\n")));
    QVERIFY(out.endsWith("\r\n\r\n"));
    QVERIFY2(out.contains(framingLine), out.constData());
    const RequestHead h = reparse(out);
    QCOMPARE(h.bodyKind, framing == BodyKind::None ? BodyKind::None : framing);
    QCOMPARE(headerCount(h.headers, "Content-Length") + headerCount(h.headers, "Transfer-Encoding"),
             framing == BodyKind::None ? 0 : 1);
    QCOMPARE(h.keepAlive, keepAlive);
    if (framing == BodyKind::ContentLength)
        QCOMPARE(h.contentLength, length);
}

void tst_HttpSerializer::hopByHopNeverCopied()
{
    const QByteArray out = serializeRequestHead("GET", "/", hostile(), BodyKind::None, 0, false);
    const RequestHead h = reparse(out);
    for (const char *name : {"Connection", "X-Secret", "Keep-Alive", "Proxy-Connection", "TE",
                             "Upgrade", "Transfer-Encoding", "Content-Length"}) {
        QVERIFY2(headerCount(h.headers, name) == 0, name);
    }
    QCOMPARE(headerValue(h.headers, "X-Kept"), QByteArray("v"));
    QCOMPARE(headerValue(h.headers, "Host"), QByteArray("a"));
    QCOMPARE(h.headers.size(), 3); // Host, X-Kept, Trailer
    QVERIFY(h.keepAlive);
}

void tst_HttpSerializer::connectionNamesHostIsKept()
{
    const Headers hs = {{"Host", "a"}, {"Connection", "Host, X-A"}, {"X-A", "1"}, {"X-B", "2"}};
    const RequestHead h = reparse(serializeRequestHead("GET", "/", hs, BodyKind::None, 0, false));
    QCOMPARE(headerValue(h.headers, "Host"), QByteArray("a"));
    QCOMPARE(headerCount(h.headers, "X-A"), 0);
    QCOMPARE(headerValue(h.headers, "X-B"), QByteArray("2"));
}

void tst_HttpSerializer::unsafeFieldsAreNotEmitted()
{
    // Fields a rewrite or a bug could produce: never let CR, LF or NUL reach the wire.
    const Headers hs = {{"Host", "a"},
                        {"X-Inject", "v\r\nTransfer-Encoding: chunked"},
                        {"X-Nul", QByteArray("a\0b", 3)},
                        {"Bad Name", "v"},
                        {"", "v"},
                        {"X-Ok", "ok \xe9"}};
    const QByteArray out = serializeRequestHead("GET", "/", hs, BodyKind::None, 0, false);
    QVERIFY(!out.contains("X-Inject"));
    QVERIFY(!out.contains('\0'));
    QVERIFY(!out.contains("Bad Name"));
    QVERIFY(out.contains("X-Ok: ok \xe9\r\n"));
    QCOMPARE(out.count("\r\n"), 4); // request-line, Host, X-Ok, end
}

void tst_HttpSerializer::upgradeRequest()
{
    const Headers hs = {{"Host", "a"},
                        {"Connection", "keep-alive, Upgrade"},
                        {"Upgrade", "websocket"},
                        {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                        {"Sec-WebSocket-Version", "13"}};
    const QByteArray out = serializeRequestHead("GET", "/ws", hs, BodyKind::None, 0, true);
    QVERIFY(out.contains("Connection: Upgrade\r\nUpgrade: websocket\r\n"));
    const RequestHead h = reparse(out);
    QVERIFY(h.upgradeWebSocket);
    QCOMPARE(headerCount(h.headers, "Connection"), 1);
    QCOMPARE(headerCount(h.headers, "Upgrade"), 1);
    QCOMPARE(headerValue(h.headers, "Sec-WebSocket-Key"), QByteArray("dGhlIHNhbXBsZSBub25jZQ=="));
}

void tst_HttpSerializer::stripHopByHop()
{
    Headers hs = hostile();
    Gateway::Http::stripHopByHop(hs);
    QStringList names;
    for (const Header &h : hs)
        names << QString::fromLatin1(h.name);
    QCOMPARE(names, QStringList({"Host", "Content-Length", "X-Kept", "Trailer"}));
}

void tst_HttpSerializer::responseHead_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<BodyKind>("framing");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<bool>("upgrade");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("200 CL") << 200 << QByteArray("OK") << BodyKind::ContentLength << true << false
                            << QByteArray("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: "
                                          "b=2\r\nContent-Length: 7\r\n\r\n");
    QTest::newRow("200 chunked close")
        << 200 << QByteArray("Fine") << BodyKind::Chunked << false << false
        << QByteArray("HTTP/1.1 200 Fine\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    QTest::newRow("empty reason") << 404 << QByteArray() << BodyKind::ContentLength << true << false
                                  << QByteArray(
                                         "HTTP/1.1 404 Not Found\r\nSet-Cookie: a=1\r\nSet-Cookie: "
                                         "b=2\r\nContent-Length: 7\r\n\r\n");
    QTest::newRow("reason with CR")
        << 500 << QByteArray("x\r\nEvil: 1") << BodyKind::ContentLength << true << false
        << QByteArray("HTTP/1.1 500 Internal Server Error\r\nSet-Cookie: a=1\r\nSet-Cookie: "
                      "b=2\r\nContent-Length: 7\r\n\r\n");
    QTest::newRow("101")
        << 101 << QByteArray("Switching Protocols") << BodyKind::None << false << true
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                      "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
}

void tst_HttpSerializer::responseHead()
{
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(BodyKind, framing);
    QFETCH(bool, keepAlive);
    QFETCH(bool, upgrade);
    const Headers hs = {
        {"Connection", "keep-alive"}, {"Set-Cookie", "a=1"}, {"Transfer-Encoding", "chunked"},
        {"Content-Length", "3"},      {"Set-Cookie", "b=2"}, {"Upgrade", "websocket"}};
    const QByteArray out = serializeResponseHead(status, reason, hs, framing, 7, keepAlive, upgrade);
    QTEST(out, "expected");
    ResponseHead head;
    QCOMPARE(ResponseParser().parse(out, "GET", &head).status, ParseResult::Status::Complete);
}

void tst_HttpSerializer::chunkHeader_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("1") << qsizetype(1) << QByteArray("1\r\n");
    QTest::newRow("0x1a2b") << qsizetype(0x1a2b) << QByteArray("1a2b\r\n");
    QTest::newRow("64 KiB") << qsizetype(65536) << QByteArray("10000\r\n");
}

void tst_HttpSerializer::chunkHeader()
{
    QFETCH(qsizetype, size);
    QTEST(Gateway::Http::chunkHeader(size), "expected");
    QCOMPARE(LastChunk, QByteArrayView("0\r\n\r\n"));
}

void tst_HttpSerializer::reasonPhrase()
{
    QCOMPARE(Gateway::Http::reasonPhrase(502), QByteArray("Bad Gateway"));
    QCOMPARE(Gateway::Http::reasonPhrase(431), QByteArray("Request Header Fields Too Large"));
    QCOMPARE(Gateway::Http::reasonPhrase(101), QByteArray("Switching Protocols"));
    QCOMPARE(Gateway::Http::reasonPhrase(599), QByteArray("Server Error"));
    QCOMPARE(Gateway::Http::reasonPhrase(299), QByteArray("Success"));
}

QTEST_GUILESS_MAIN(tst_HttpSerializer)
#include "tst_httpserializer.moc"
