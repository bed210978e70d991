// ResponseParser: backend faults B06–B13 (reliability-cases.md §5) and response framing.

#include "http/httpmessage.h"

#include <QTest>

using namespace Gateway::Http;

Q_DECLARE_METATYPE(Gateway::Http::BodyKind)

namespace {

ParseResult parseWhole(const QByteArray &bytes, const QByteArray &method, ResponseHead *head)
{
    return ResponseParser().parse(bytes, method, head);
}

} // namespace

class tst_HttpResponseParser : public QObject
{
    Q_OBJECT

private slots:
    void badResponses_data();
    void badResponses();
    void framing_data();
    void framing();
    void prefixesGiveTheSameVerdict_data() { framing_data(); }
    void prefixesGiveTheSameVerdict();
    void fieldsAndReason();
    void extraBytesAfterTheHead();
    void headerLimitIsPrompt();
};

void tst_HttpResponseParser::badResponses_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("method");

    const QByteArray ok = "HTTP/1.1 200 OK\r\n";
    QTest::newRow("B06 2OO") << QByteArray("HTTP/1.1 2OO OK\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B06 binary") << QByteArray("\x00\x01\x02\x03", 4) << QByteArray("GET");
    QTest::newRow("B06 SSH banner") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n") << QByteArray("GET");
    QTest::newRow("B06 lower-case version")
        << QByteArray("http/1.1 200 OK\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B06 HTTP/2.0") << QByteArray("HTTP/2.0 200 OK\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B06 status 600") << QByteArray("HTTP/1.1 600 X\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B06 status 099") << QByteArray("HTTP/1.1 099 X\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B06 four-digit status")
        << QByteArray("HTTP/1.1 2000 OK\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B06 control byte in reason")
        << QByteArray("HTTP/1.1 200 O\x01K\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B07 CL+TE") << (ok + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
                               << QByteArray("GET");
    QTest::newRow("B07 Content-Length: foo")
        << (ok + "Content-Length: foo\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B07 duplicate identical CL")
        << (ok + "Content-Length: 0\r\nContent-Length: 0\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B07 CL list") << (ok + "Content-Length: 0, 0\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B07 Transfer-Encoding: foo")
        << (ok + "Transfer-Encoding: foo\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B07 duplicate TE")
        << (ok + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")
        << QByteArray("GET");
    QTest::newRow("B07 chunked, gzip")
        << (ok + "Transfer-Encoding: chunked, gzip\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B07 gzip, chunked")
        << (ok + "Transfer-Encoding: gzip, chunked\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B07 CL+TE on HEAD")
        << (ok + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n") << QByteArray("HEAD");
    QTest::newRow("B08 obs-fold") << (ok + "X: a\r\n b\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B08 bare CR") << (ok + "X: a\rb\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B08 bare LF") << QByteArray("HTTP/1.1 200 OK\nX: a\n\n") << QByteArray("GET");
    QTest::newRow("B08 NUL") << (ok
                                 + QByteArray("X: a\x00"
                                              "b\r\n\r\n",
                                              9))
                             << QByteArray("GET");
    QTest::newRow("B08 bad field name") << (ok + "X[]: a\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B08 space before colon")
        << (ok + "Content-Length : 0\r\n\r\n") << QByteArray("GET");
    QTest::newRow("B10 header section over 32 KiB")
        << (ok + "X: " + QByteArray(33 * 1024, 'x') + "\r\n\r\n") << QByteArray("GET");
    QByteArray many = ok;
    for (int i = 0; i < 101; ++i)
        many += "X-" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("B10 101 fields") << (many + "\r\n") << QByteArray("GET");
}

void tst_HttpResponseParser::badResponses()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, method);
    ResponseHead head;
    const ParseResult r = parseWhole(bytes, method, &head);
    QCOMPARE(r.status, ParseResult::Status::Error);
    QCOMPARE(r.errorStatus, 502);
    QVERIFY(!r.errorReason.isEmpty());
}

void tst_HttpResponseParser::framing_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("status");
    QTest::addColumn<BodyKind>("kind");
    QTest::addColumn<qint64>("contentLength");
    QTest::addColumn<bool>("keepAlive");

    QTest::newRow("content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n") << QByteArray("GET") << 200
        << BodyKind::ContentLength << qint64(12) << true;
    QTest::newRow("chunked (case-insensitive)")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n") << QByteArray("GET")
        << 200 << BodyKind::Chunked << qint64(0) << true;
    QTest::newRow("no length: until close")
        << QByteArray("HTTP/1.1 200 OK\r\n\r\n") << QByteArray("GET") << 200 << BodyKind::UntilClose
        << qint64(0) << false;
    QTest::newRow("Connection: close")
        << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n")
        << QByteArray("GET") << 200 << BodyKind::ContentLength << qint64(1) << false;
    QTest::newRow("HTTP/1.0 with CL")
        << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n") << QByteArray("GET") << 200
        << BodyKind::ContentLength << qint64(1) << false;
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n")
        << QByteArray("GET") << 200 << BodyKind::ContentLength << qint64(1) << true;
    QTest::newRow("B11 HTTP/1.0 with TE")
        << QByteArray("HTTP/1.0 200 Ok\r\nTransfer-Encoding: chunked\r\n\r\n") << QByteArray("GET")
        << 200 << BodyKind::UntilClose << qint64(0) << false;
    QTest::newRow("B11 HTTP/1.0 100 with TE")
        << QByteArray("HTTP/1.0 100 Continue\r\nTransfer-Encoding: chunked\r\n\r\n")
        << QByteArray("POST") << 100 << BodyKind::None << qint64(0) << false;
    QTest::newRow("B11 HTTP/1.0 HEAD with TE")
        << QByteArray("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") << QByteArray("HEAD")
        << 200 << BodyKind::None << qint64(0) << false;
    QTest::newRow("B12 HEAD with CL")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n") << QByteArray("HEAD") << 200
        << BodyKind::None << qint64(99) << true;
    QTest::newRow("B12 HEAD with TE")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") << QByteArray("HEAD")
        << 200 << BodyKind::None << qint64(0) << true;
    QTest::newRow("B12 204") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n")
                             << QByteArray("DELETE") << 204 << BodyKind::None << qint64(0) << true;
    QTest::newRow("B12 204 announcing a body")
        << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n") << QByteArray("GET")
        << 204 << BodyKind::None << qint64(0) << false;
    QTest::newRow("B12 304 with CL")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n")
        << QByteArray("GET") << 304 << BodyKind::None << qint64(0) << true;
    QTest::newRow("B13 100 Continue")
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\n") << QByteArray("POST") << 100
        << BodyKind::None << qint64(0) << true;
    QTest::newRow("B13 103 Early Hints")
        << QByteArray("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n") << QByteArray("GET")
        << 103 << BodyKind::None << qint64(0) << true;
    QTest::newRow("101 Switching Protocols")
        << QByteArray(
               "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n"
               "Upgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
        << QByteArray("GET") << 101 << BodyKind::None << qint64(0) << false;
    QTest::newRow("CONNECT 200") << QByteArray("HTTP/1.1 200 Connection established\r\n\r\n")
                                 << QByteArray("CONNECT") << 200 << BodyKind::None << qint64(0)
                                 << false;
    QTest::newRow("status line without reason")
        << QByteArray("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n") << QByteArray("GET") << 404
        << BodyKind::ContentLength << qint64(0) << true;
    QTest::newRow("empty reason") << QByteArray("HTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n")
                                  << QByteArray("GET") << 500 << BodyKind::ContentLength
                                  << qint64(0) << true;
}

void tst_HttpResponseParser::framing()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, method);
    ResponseHead head;
    const ParseResult r = parseWhole(bytes, method, &head);
    QCOMPARE(r.status, ParseResult::Status::Complete);
    QCOMPARE(r.consumed, bytes.size());
    QTEST(head.status, "status");
    QTEST(head.bodyKind, "kind");
    QTEST(head.contentLength, "contentLength");
    QTEST(head.keepAlive, "keepAlive");
}

void tst_HttpResponseParser::prefixesGiveTheSameVerdict()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, method);
    for (qsizetype k = 0; k < bytes.size(); ++k) {
        ResponseHead head;
        const ParseResult r = ResponseParser().parse(QByteArrayView(bytes).first(k), method, &head);
        QCOMPARE(r.status, ParseResult::Status::Incomplete);
    }
}

void tst_HttpResponseParser::fieldsAndReason()
{
    ResponseHead head;
    const QByteArray bytes(
        "HTTP/1.1 418 I'm a teapot \xe9\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX:  v \r\n\r\n");
    QCOMPARE(parseWhole(bytes, "GET", &head).status, ParseResult::Status::Complete);
    QCOMPARE(head.reason, QByteArray("I'm a teapot \xe9"));
    QCOMPARE(head.versionMinor, 1);
    QCOMPARE(head.headers.size(), 3);
    QCOMPARE(headerCount(head.headers, "set-cookie"), 2);
    QCOMPARE(headerValue(head.headers, "x"), QByteArray("v"));
}

void tst_HttpResponseParser::extraBytesAfterTheHead()
{
    // B09: the parser stops at the head; the decoder takes exactly CL bytes, the rest is left.
    const QByteArray head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    const QByteArray bytes = head + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil";
    ResponseHead h;
    const ParseResult r = parseWhole(bytes, "GET", &h);
    QCOMPARE(r.status, ParseResult::Status::Complete);
    QCOMPARE(r.consumed, head.size());
    BodyDecoder decoder(h.bodyKind, h.contentLength);
    QVERIFY(decoder.isDone());
    QByteArray body;
    const auto res = decoder.feed(QByteArrayView(bytes).sliced(r.consumed),
                                  [&](QByteArrayView v) { body += v; });
    QCOMPARE(res.consumed, 0);
    QVERIFY(body.isEmpty());
}

void tst_HttpResponseParser::headerLimitIsPrompt()
{
    ResponseHead head;
    const ParseResult r = ResponseParser().parse(QByteArray("HTTP/1.1 200 OK\r\nX: "
                                                            + QByteArray(1 << 20, 'x')),
                                                 "GET", &head);
    QCOMPARE(r.status, ParseResult::Status::Error);
    QCOMPARE(r.errorStatus, 502);
    const ParseResult endless = ResponseParser().parse(QByteArray("HTTP/1.1 200 "
                                                                  + QByteArray(1 << 20, 'r')),
                                                       "GET", &head);
    QCOMPARE(endless.errorStatus, 502);
}

QTEST_GUILESS_MAIN(tst_HttpResponseParser)
#include "tst_httpresponseparser.moc"
