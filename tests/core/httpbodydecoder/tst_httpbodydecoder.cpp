// BodyDecoder: Content-Length and chunked decoding, fed whole and byte by byte; the P22–P27
// errors; huge chunks streamed without buffering.

#include "http/httpmessage.h"

#include <QTest>

#include <atomic>
#include <cstdlib>
#include <new>

using namespace Gateway::Http;

Q_DECLARE_METATYPE(Gateway::Http::BodyKind)

// Counts heap allocations so the streaming test can prove the decoder buffers nothing.
namespace {
std::atomic<qint64> g_allocations{0};
}

void *operator new(std::size_t size)
{
    ++g_allocations;
    if (void *p = std::malloc(size ? size : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void *p) noexcept
{
    std::free(p);
}
void operator delete(void *p, std::size_t) noexcept
{
    std::free(p);
}

namespace {

struct Decoded
{
    QByteArray body;
    qsizetype consumed = 0;
    bool done = false;
    bool error = false;
    bool viewOutsideInput = false;
    QByteArray reason;
};

Decoded decodeWhole(BodyKind kind, qint64 length, const QByteArray &input)
{
    Decoded d;
    BodyDecoder decoder(kind, length);
    const auto r = decoder.feed(input, [&](QByteArrayView v) {
        // Views point into the input: nothing was copied.
        if (v.data() < input.constData() || v.data() + v.size() > input.constData() + input.size())
            d.viewOutsideInput = true;
        d.body += v;
    });
    d.consumed = r.consumed;
    d.done = r.done;
    d.error = r.error;
    d.reason = r.errorReason;
    return d;
}

Decoded decodeByteByByte(BodyKind kind, qint64 length, const QByteArray &input)
{
    Decoded d;
    BodyDecoder decoder(kind, length);
    for (qsizetype i = 0; i < input.size(); ++i) {
        const auto r = decoder.feed(QByteArrayView(input).sliced(i, 1),
                                    [&](QByteArrayView v) { d.body += v; });
        d.consumed += r.consumed;
        if (r.error) {
            d.error = true;
            d.reason = r.errorReason;
            break;
        }
        if (r.done) {
            d.done = true;
            break;
        }
        if (r.consumed != 1) {
            d.reason = "a byte was not consumed";
            d.error = true;
            break;
        }
    }
    d.done = d.done || decoder.isDone();
    return d;
}

} // namespace

class tst_HttpBodyDecoder : public QObject
{
    Q_OBJECT

private slots:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void errorIsSticky();
    void defaultConstructedHasNoBody();
    void contentLengthRemaining();
    void untilClose();
    void hugeChunkIsStreamedWithoutBuffering();
    void chunkSizeLimits();
    void extensionBudgetIsPerMessage();
};

void tst_HttpBodyDecoder::valid_data()
{
    QTest::addColumn<BodyKind>("kind");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qsizetype>("consumed");

    QTest::newRow("CL exact") << BodyKind::ContentLength << qint64(5) << QByteArray("hello")
                              << QByteArray("hello") << qsizetype(5);
    QTest::newRow("CL with the next request behind")
        << BodyKind::ContentLength << qint64(5) << QByteArray("helloGET / HTTP/1.1\r\n")
        << QByteArray("hello") << qsizetype(5);
    QTest::newRow("CL 0") << BodyKind::ContentLength << qint64(0) << QByteArray("next")
                          << QByteArray() << qsizetype(0);
    QTest::newRow("None") << BodyKind::None << qint64(0) << QByteArray("next") << QByteArray()
                          << qsizetype(0);
    QTest::newRow("chunked") << BodyKind::Chunked << qint64(0)
                             << QByteArray("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
                             << QByteArray("hello world") << qsizetype(26);
    QTest::newRow("chunked, upper-case hex and leading zeros")
        << BodyKind::Chunked << qint64(0) << QByteArray("000A\r\n0123456789\r\n0000\r\n\r\nX")
        << QByteArray("0123456789") << qsizetype(26);
    QTest::newRow("chunked with extensions")
        << BodyKind::Chunked << qint64(0)
        << QByteArray("5;a=b;c;d=\"q \\\" \\\\\";e = f ; g\r\nhello\r\n0;z\r\n\r\n")
        << QByteArray("hello") << qsizetype(45);
    QTest::newRow("chunked with BWS before an extension")
        << BodyKind::Chunked << qint64(0) << QByteArray("5 ;a\r\nhello\r\n0\r\n\r\n")
        << QByteArray("hello") << qsizetype(18);
    QTest::newRow("P27 trailers are dropped")
        << BodyKind::Chunked << qint64(0)
        << QByteArray("5\r\nhello\r\n0\r\nContent-Length: 5\r\nHost: evil\r\n"
                      "Transfer-Encoding: x\r\n\r\nNEXT")
        << QByteArray("hello") << qsizetype(68);
    QTest::newRow("P24 trailer that looks like a request")
        << BodyKind::Chunked << qint64(0) << QByteArray("0\r\nX:POST / HTTP/1.1\r\n\r\n")
        << QByteArray() << qsizetype(24);
    QTest::newRow("chunk data with CRLF inside")
        << BodyKind::Chunked << qint64(0) << QByteArray("4\r\n\r\n\r\n\r\n0\r\n\r\n")
        << QByteArray("\r\n\r\n") << qsizetype(14);
}

void tst_HttpBodyDecoder::valid()
{
    QFETCH(BodyKind, kind);
    QFETCH(qint64, length);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, body);
    QFETCH(qsizetype, consumed);

    const Decoded whole = decodeWhole(kind, length, input);
    QVERIFY2(!whole.error, whole.reason.constData());
    QVERIFY(!whole.viewOutsideInput);
    QVERIFY(whole.done);
    QCOMPARE(whole.body, body);
    QCOMPARE(whole.consumed, consumed);

    const Decoded split = decodeByteByByte(kind, length, input);
    QVERIFY2(!split.error, split.reason.constData());
    QVERIFY(split.done);
    QCOMPARE(split.body, body);
    QCOMPARE(split.consumed, consumed);
}

void tst_HttpBodyDecoder::invalid_data()
{
    QTest::addColumn<QByteArray>("input");

    for (const char *size :
         {"Z", "0x5", "+5", "-0x0", "0_2e", " 5", "5 ", "1these-bytes-never-get-validated", ""})
        QTest::newRow(QByteArray("P22 size \"" + QByteArray(size) + "\"").constData())
            << QByteArray(QByteArray(size) + "\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("P23 overflow") << QByteArray("FFFFFFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n");
    QTest::newRow("P23 just over 2^63-1") << QByteArray("8000000000000000\r\nx\r\n0\r\n\r\n");
    QTest::newRow("P24 runaway chunk") << QByteArray("4\r\nSEE-THIS\r\n0\r\n\r\n");
    QTest::newRow("P24 LF after data") << QByteArray("a\r\n0123456789\n0\r\n\r\n");
    QTest::newRow("P24 CR only after data") << QByteArray("1\r\nX\rY0\r\n\r\n");
    QTest::newRow("P24 bare LF after size") << QByteArray("1\nX\r\n0\r\n\r\n");
    QTest::newRow("P25 bare CR after size") << QByteArray("5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\n");
    QTest::newRow("P25 bare CR after extension") << QByteArray("41;a=b\r\rXXX");
    QTest::newRow("P25 bare CR before extension") << QByteArray("2\r\r;a\r\nxx\r\n0\r\n\r\n");
    QTest::newRow("P25 bare semicolon") << QByteArray("5;\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("P25 control byte in name") << QByteArray("5;a\x01\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("P25 control byte in quoted value")
        << QByteArray("5;a=\"\x7f\"\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("P25 LF in quoted value") << QByteArray("5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("P25 unterminated quote") << QByteArray("5;a=\"x\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("P25 empty value") << QByteArray("5;a=\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("P25 trailing BWS") << QByteArray("5;a \r\nhello\r\n0\r\n\r\n");
    QTest::newRow("P25 delimiter in name") << QByteArray("5;a/b\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("P26 long extension")
        << QByteArray("1;" + QByteArray(100000, 'a') + "\r\nZ\r\n0\r\n\r\n");
    QTest::newRow("P27 bare LF in trailer") << QByteArray("0\r\nX: y\n\r\n");
    QTest::newRow("P27 bare CR in trailer") << QByteArray("0\r\nX: y\rZ: w\r\n\r\n");
    QTest::newRow("P27 obs-fold in trailer") << QByteArray("0\r\nX: y\r\n z\r\n\r\n");
    QTest::newRow("P27 trailer without colon") << QByteArray("0\r\nXY\r\n\r\n");
    QTest::newRow("P27 NUL in trailer") << QByteArray("0\r\nX: \x00\r\n\r\n", 11);
    QTest::newRow("P27 bare LF ending trailers") << QByteArray("0\r\n\n");
    QTest::newRow("P27 trailer section over 8 KiB")
        << QByteArray("0\r\nX: " + QByteArray(9000, 'b') + "\r\n\r\n");
    QTest::newRow("P27 endless trailer line") << QByteArray("0\r\nX: " + QByteArray(100000, 'b'));
}

void tst_HttpBodyDecoder::invalid()
{
    QFETCH(QByteArray, input);
    const Decoded whole = decodeWhole(BodyKind::Chunked, 0, input);
    QVERIFY(whole.error);
    QVERIFY(!whole.done);
    QVERIFY(!whole.reason.isEmpty());
    const Decoded split = decodeByteByByte(BodyKind::Chunked, 0, input);
    QVERIFY(split.error);
    QCOMPARE(split.reason, whole.reason);
}

void tst_HttpBodyDecoder::errorIsSticky()
{
    BodyDecoder decoder(BodyKind::Chunked, 0);
    const auto none = [](QByteArrayView) {};
    QVERIFY(decoder.feed("Z\r\n", none).error);
    const auto again = decoder.feed("0\r\n\r\n", none);
    QVERIFY(again.error);
    QVERIFY(!again.done);
    QVERIFY(!decoder.isDone());
}

void tst_HttpBodyDecoder::defaultConstructedHasNoBody()
{
    BodyDecoder decoder;
    QVERIFY(decoder.isDone());
    bool called = false;
    const auto r = decoder.feed("5\r\nhello\r\n0\r\n\r\n", [&](QByteArrayView) { called = true; });
    QVERIFY(r.done);
    QCOMPARE(r.consumed, 0);
    QVERIFY(!called);
    QCOMPARE(decoder.remaining(), 0);
}

void tst_HttpBodyDecoder::contentLengthRemaining()
{
    BodyDecoder decoder(BodyKind::ContentLength, 10);
    QByteArray body;
    const auto sink = [&](QByteArrayView v) { body += v; };
    QCOMPARE(decoder.remaining(), 10);
    auto r = decoder.feed("abcd", sink);
    QCOMPARE(r.consumed, 4);
    QVERIFY(!r.done);
    QCOMPARE(decoder.remaining(), 6);
    r = decoder.feed("efghijKLM", sink);
    QCOMPARE(r.consumed, 6);
    QVERIFY(r.done);
    QCOMPARE(body, QByteArray("abcdefghij"));
    QCOMPARE(decoder.feed("more", sink).consumed, 0);
}

void tst_HttpBodyDecoder::untilClose()
{
    BodyDecoder decoder(BodyKind::UntilClose, 0);
    QByteArray body;
    const auto sink = [&](QByteArrayView v) { body += v; };
    QCOMPARE(decoder.feed("abc", sink).consumed, 3);
    const auto r = decoder.feed("0\r\n\r\n", sink);
    QCOMPARE(r.consumed, 5);
    QVERIFY(!r.done);
    QCOMPARE(body, QByteArray("abc0\r\n\r\n"));
}

void tst_HttpBodyDecoder::hugeChunkIsStreamedWithoutBuffering()
{
    // A 1 GiB chunk fed in 64 KiB pieces: every payload byte reaches the sink as a view into the
    // piece, and feeding allocates nothing.
    const qint64 size = qint64(1) << 30;
    const QByteArray piece(64 * 1024, 'p');
    BodyDecoder decoder(BodyKind::Chunked, 0);
    qint64 delivered = 0;
    bool viewsInside = true;
    const BodyDecoder::Sink sink = [&](QByteArrayView v) {
        delivered += v.size();
        viewsInside = viewsInside && v.data() >= piece.constData()
                      && v.data() + v.size() <= piece.constData() + piece.size();
    };
    const QByteArray head = "40000000\r\n";
    QCOMPARE(decoder.feed(head, sink).consumed, head.size());
    const qint64 before = g_allocations.load();
    for (qint64 fed = 0; fed < size; fed += piece.size()) {
        const auto r = decoder.feed(piece, sink);
        if (r.error || r.consumed != piece.size())
            QFAIL("piece not consumed");
    }
    const qint64 allocations = g_allocations.load() - before;
    QCOMPARE(allocations, 0);
    QVERIFY(viewsInside);
    QCOMPARE(delivered, size);
    const auto end = decoder.feed("\r\n0\r\n\r\n", sink);
    QVERIFY(end.done);
}

void tst_HttpBodyDecoder::chunkSizeLimits()
{
    const auto none = [](QByteArrayView) {};
    BodyDecoder max(BodyKind::Chunked, 0);
    const auto r = max.feed("7FFFFFFFFFFFFFFF\r\nabc", none); // 2^63-1 is accepted
    QVERIFY(!r.error);
    QCOMPARE(r.consumed, 21);
    BodyDecoder zeros(BodyKind::Chunked, 0);
    QVERIFY(!zeros.feed(QByteArray(QByteArray(32, '0') + "\r\n\r\n"), none).error);
    BodyDecoder tooManyZeros(BodyKind::Chunked, 0);
    QVERIFY(tooManyZeros.feed(QByteArray(QByteArray(33, '0') + "\r\n\r\n"), none).error);
}

void tst_HttpBodyDecoder::extensionBudgetIsPerMessage()
{
    // Many small extensions add up: 4 KiB for the whole message.
    ParserLimits limits;
    QByteArray input;
    const QByteArray chunk = ";" + QByteArray(99, 'e');
    for (int i = 0; i < 41; ++i)
        input += "1" + chunk + "\r\nx\r\n";
    input += "0\r\n\r\n";
    BodyDecoder decoder(BodyKind::Chunked, 0, limits);
    const auto r = decoder.feed(input, [](QByteArrayView) {});
    QVERIFY(r.error);
    QCOMPARE(r.errorReason, QByteArray("chunk extensions too long"));
    // 40 such chunks (4000 bytes) pass.
    QByteArray fits;
    for (int i = 0; i < 40; ++i)
        fits += "1" + chunk + "\r\nx\r\n";
    fits += "0\r\n\r\n";
    BodyDecoder ok(BodyKind::Chunked, 0, limits);
    QVERIFY(ok.feed(fits, [](QByteArrayView) {}).done);
}

QTEST_GUILESS_MAIN(tst_HttpBodyDecoder)
#include "tst_httpbodydecoder.moc"
