// The passive RFC 6455 decoder: every frame shape, every invalid case, every split offset.

#include "session/framedecoder.h"

#include <QtTest>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace Gateway::Session;

Q_DECLARE_METATYPE(Gateway::Session::Direction)

namespace {

const QByteArray DefaultMask = QByteArrayLiteral("\x37\xfa\x21\x3d");

struct FrameSpec
{
    quint8 opcode = 0x1;
    QByteArray payload;
    bool fin = true;
    bool masked = false;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    QByteArray mask = DefaultMask;
};

QByteArray header(const FrameSpec &f, quint64 length)
{
    QByteArray out;
    quint8 b0 = f.opcode & 0x0F;
    if (f.fin)
        b0 |= 0x80;
    if (f.rsv1)
        b0 |= 0x40;
    if (f.rsv2)
        b0 |= 0x20;
    if (f.rsv3)
        b0 |= 0x10;
    out.append(char(b0));
    const quint8 maskBit = f.masked ? 0x80 : 0x00;
    if (length <= 125) {
        out.append(char(maskBit | quint8(length)));
    } else if (length <= 0xFFFF) {
        out.append(char(maskBit | 126));
        out.append(char(length >> 8));
        out.append(char(length & 0xFF));
    } else {
        out.append(char(maskBit | 127));
        for (int i = 7; i >= 0; --i)
            out.append(char((length >> (8 * i)) & 0xFF));
    }
    if (f.masked)
        out.append(f.mask);
    return out;
}

QByteArray frame(const FrameSpec &f)
{
    QByteArray out = header(f, quint64(f.payload.size()));
    QByteArray body = f.payload;
    if (f.masked) {
        for (qsizetype i = 0; i < body.size(); ++i)
            body[i] = char(quint8(body[i]) ^ quint8(f.mask[i % 4]));
    }
    return out + body;
}

QByteArray pattern(qsizetype size, int seed = 0)
{
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char((i * 131 + seed * 7 + (i >> 8)) & 0xFF);
    return out;
}

QByteArray closePayload(int code, const QByteArray &reason)
{
    QByteArray p;
    p.append(char((code >> 8) & 0xFF));
    p.append(char(code & 0xFF));
    return p + reason;
}

struct Collector
{
    QList<FrameRecord> frames;
    FrameDecoder::FrameCallback callback()
    {
        return [this](const FrameRecord &f) { frames.append(f); };
    }
};

// Feeds `bytes` in pieces cut at the given offsets.
QList<FrameRecord> decodeSplit(Direction dir, const QByteArray &bytes, QList<qsizetype> cuts,
                               int previewBytes = 256)
{
    FrameDecoder decoder(dir, previewBytes);
    Collector c;
    qsizetype start = 0;
    cuts.append(bytes.size());
    qint64 t = 1000;
    for (qsizetype cut : cuts) {
        decoder.feed(QByteArrayView(bytes).sliced(start, cut - start), t++, c.callback());
        start = cut;
    }
    return c.frames;
}

QList<FrameRecord> decode(Direction dir, const QByteArray &bytes, int previewBytes = 256)
{
    return decodeSplit(dir, bytes, {}, previewBytes);
}

bool sameDecode(const FrameRecord &a, const FrameRecord &b)
{
    return a.direction == b.direction && a.opcode == b.opcode && a.fin == b.fin
           && a.masked == b.masked && a.rsv1 == b.rsv1 && a.rsv2 == b.rsv2 && a.rsv3 == b.rsv3
           && a.payloadLength == b.payloadLength && a.preview == b.preview
           && a.closeCode == b.closeCode && a.closeReason == b.closeReason
           && a.invalidReason == b.invalidReason;
}

QString describe(const FrameRecord &f)
{
    return QStringLiteral("%1 fin=%2 len=%3 preview=%4 code=%5 invalid=%6")
        .arg(opcodeName(f.opcode))
        .arg(f.fin)
        .arg(f.payloadLength)
        .arg(QString::fromLatin1(f.preview.left(16).toHex()))
        .arg(f.closeCode)
        .arg(f.invalidReason);
}

// Every split of `bytes` into two pieces, and byte by byte, must decode exactly like one feed.
void checkAllSplits(Direction dir, const QByteArray &bytes, const QList<FrameRecord> &expected)
{
    for (qsizetype cut = 0; cut <= bytes.size(); ++cut) {
        const QList<FrameRecord> got = decodeSplit(dir, bytes, {cut});
        QVERIFY2(got.size() == expected.size(),
                 qPrintable(QStringLiteral("split at %1: %2 frames, expected %3")
                                .arg(cut)
                                .arg(got.size())
                                .arg(expected.size())));
        for (qsizetype i = 0; i < got.size(); ++i)
            QVERIFY2(sameDecode(got.at(i), expected.at(i)),
                     qPrintable(QStringLiteral("split at %1, frame %2: %3 vs %4")
                                    .arg(cut)
                                    .arg(i)
                                    .arg(describe(got.at(i)), describe(expected.at(i)))));
    }
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < bytes.size(); ++i)
        everyByte.append(i);
    const QList<FrameRecord> got = decodeSplit(dir, bytes, everyByte);
    QCOMPARE(got.size(), expected.size());
    for (qsizetype i = 0; i < got.size(); ++i)
        QVERIFY2(sameDecode(got.at(i), expected.at(i)), qPrintable(describe(got.at(i))));
}

} // namespace

class tst_FrameDecoder : public QObject
{
    Q_OBJECT

private slots:
    void names();
    void dataFrame_data();
    void dataFrame();
    void hugeFrameIsStreamed();
    void reportedAtEndOfPayload();
    void fragmentedMessage();
    void controlFrames_data();
    void controlFrames();
    void reservedBits();
    void previewBound();
    void closeReasonBeyondPreview();
    void invalid_data();
    void invalid();
    void bytesAreNotModified();
};

void tst_FrameDecoder::names()
{
    QCOMPARE(toString(SessionState::ReadingRequest), QStringLiteral("reading request"));
    QCOMPARE(toString(SessionState::WaitingForBackend), QStringLiteral("waiting for backend"));
    QCOMPARE(toString(SessionState::Streaming), QStringLiteral("streaming"));
    QCOMPARE(toString(SessionState::Upgraded), QStringLiteral("upgraded"));
    QCOMPARE(toString(SessionState::Closing), QStringLiteral("closing"));
    QCOMPARE(toString(SessionState::Closed), QStringLiteral("closed"));
    QCOMPARE(opcodeName(0x0), QStringLiteral("continuation"));
    QCOMPARE(opcodeName(0x1), QStringLiteral("text"));
    QCOMPARE(opcodeName(0x2), QStringLiteral("binary"));
    QCOMPARE(opcodeName(0x8), QStringLiteral("close"));
    QCOMPARE(opcodeName(0x9), QStringLiteral("ping"));
    QCOMPARE(opcodeName(0xA), QStringLiteral("pong"));
    QCOMPARE(opcodeName(0x3), QStringLiteral("reserved 0x3"));
    QCOMPARE(opcodeName(0xB), QStringLiteral("reserved 0xB"));
    QCOMPARE(opcodeName(0xF), QStringLiteral("reserved 0xF"));
}

void tst_FrameDecoder::dataFrame_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<quint8>("opcode");
    QTest::addColumn<Direction>("direction");
    const int sizes[] = {0, 1, 125, 126, 127, 65535, 65536};
    for (int size : sizes) {
        for (quint8 opcode : {quint8(0x1), quint8(0x2)}) {
            QTest::addRow("%s %d masked (client)", opcode == 1 ? "text" : "binary", size)
                << size << opcode << Direction::ClientToBackend;
            QTest::addRow("%s %d unmasked (server)", opcode == 1 ? "text" : "binary", size)
                << size << opcode << Direction::BackendToClient;
        }
    }
}

void tst_FrameDecoder::dataFrame()
{
    QFETCH(int, size);
    QFETCH(quint8, opcode);
    QFETCH(Direction, direction);
    FrameSpec spec;
    spec.opcode = opcode;
    spec.payload = pattern(size, opcode);
    spec.masked = direction == Direction::ClientToBackend;
    const QByteArray bytes = frame(spec);

    FrameDecoder decoder(direction);
    Collector c;
    decoder.feed(bytes, 4242, c.callback());
    QCOMPARE(c.frames.size(), 1);
    const FrameRecord &f = c.frames.first();
    QCOMPARE(f.timeMs, 4242);
    QCOMPARE(f.direction, direction);
    QCOMPARE(f.opcode, opcode);
    QVERIFY(f.fin);
    QCOMPARE(f.masked, spec.masked);
    QVERIFY(!f.rsv1 && !f.rsv2 && !f.rsv3);
    QCOMPARE(f.payloadLength, quint64(size));
    QCOMPARE(f.preview, spec.payload.left(256)); // unmasked copy
    QCOMPARE(f.closeCode, -1);
    QVERIFY2(f.invalidReason.isEmpty(), qPrintable(f.invalidReason));
    QVERIFY(!decoder.failed());
    QCOMPARE(decoder.framesSeen(), quint64(1));

    // The same frame twice in a row, fed split at every offset (small frames) or byte by byte.
    const QByteArray twice = bytes + bytes;
    if (size <= 127) {
        checkAllSplits(direction, twice, {f, f});
    } else {
        QList<qsizetype> cuts;
        for (qsizetype i = 1; i < twice.size(); i += 7)
            cuts.append(i);
        const QList<FrameRecord> got = decodeSplit(direction, twice, cuts);
        QCOMPARE(got.size(), 2);
        QVERIFY(sameDecode(got.at(0), f));
        QVERIFY(sameDecode(got.at(1), f));
    }
}

void tst_FrameDecoder::hugeFrameIsStreamed()
{
    // A 16 MiB masked binary frame, streamed through in 64 KiB chunks from one reused buffer:
    // it is reported exactly once, at its end, and the decoder's heap stays flat meanwhile.
    constexpr quint64 size = 16ull * 1024 * 1024;
    constexpr qsizetype chunk = 64 * 1024;
    FrameSpec spec;
    spec.opcode = 0x2;
    spec.masked = true;
    const QByteArray head = header(spec, size);
    const QByteArray plain = pattern(chunk, 3); // payload = this block repeated

    FrameDecoder decoder(Direction::ClientToBackend);
    Collector c;
    decoder.feed(head, 1, c.callback());
    QVERIFY(c.frames.isEmpty());

    QByteArray buffer(chunk, Qt::Uninitialized);
#if defined(__GLIBC__)
    const size_t heapBefore = mallinfo2().uordblks;
    size_t heapPeak = heapBefore;
#endif
    quint64 sent = 0;
    qint64 t = 2;
    while (sent < size) {
        // Masking depends on the absolute offset; chunk is a multiple of 4.
        for (qsizetype i = 0; i < chunk; ++i)
            buffer[i] = char(quint8(plain[i]) ^ quint8(spec.mask[i % 4]));
        decoder.feed(buffer, t, c.callback());
        sent += chunk;
        if (sent < size)
            QVERIFY2(c.frames.isEmpty(), "reported before the end of its payload");
        ++t;
#if defined(__GLIBC__)
        heapPeak = std::max(heapPeak, size_t(mallinfo2().uordblks));
#endif
    }
#if defined(__GLIBC__)
    // The preview is 256 bytes; allow generous slack but far less than one chunk.
    QVERIFY2(heapPeak - heapBefore < 16 * 1024,
             qPrintable(QStringLiteral("heap grew by %1 bytes").arg(heapPeak - heapBefore)));
#endif
    QCOMPARE(c.frames.size(), 1);
    const FrameRecord &f = c.frames.first();
    QCOMPARE(f.payloadLength, size);
    QCOMPARE(f.timeMs, t - 1);
    QCOMPARE(f.preview, plain.left(256));
    QVERIFY(f.masked);
    QVERIFY(f.invalidReason.isEmpty());

    // Still in sync: the next frame decodes.
    FrameSpec next;
    next.opcode = 0x1;
    next.masked = true;
    next.payload = "after";
    decoder.feed(frame(next), t, c.callback());
    QCOMPARE(c.frames.size(), 2);
    QCOMPARE(c.frames.at(1).preview, QByteArray("after"));
}

void tst_FrameDecoder::reportedAtEndOfPayload()
{
    FrameSpec a;
    a.payload = "first";
    FrameSpec b;
    b.opcode = 0x2;
    b.payload = pattern(1000);
    const QByteArray fa = frame(a);
    const QByteArray fb = frame(b);

    FrameDecoder decoder(Direction::BackendToClient);
    Collector c;
    // Frame a and the first half of b at t=10; the rest of b at t=20.
    decoder.feed(QByteArray(fa + fb.left(500)), 10, c.callback());
    QCOMPARE(c.frames.size(), 1);
    QCOMPARE(c.frames.at(0).timeMs, 10);
    decoder.feed(QByteArrayView(fb).sliced(500), 20, c.callback());
    QCOMPARE(c.frames.size(), 2);
    QCOMPARE(c.frames.at(1).timeMs, 20);
    QCOMPARE(c.frames.at(1).payloadLength, quint64(1000));
}

void tst_FrameDecoder::fragmentedMessage()
{
    auto make = [](quint8 opcode, const QByteArray &payload, bool fin) {
        FrameSpec s;
        s.opcode = opcode;
        s.payload = payload;
        s.fin = fin;
        s.masked = true;
        return frame(s);
    };
    const QByteArray bytes = make(0x1, "Hel", false) + make(0x9, "hb", true)
                             + make(0x0, "lo ", false) + make(0x0, "world", true)
                             + make(0x2, "next", true);

    const QList<FrameRecord> got = decode(Direction::ClientToBackend, bytes);
    QCOMPARE(got.size(), 5);
    QCOMPARE(got.at(0).opcode, quint8(0x1));
    QVERIFY(!got.at(0).fin);
    QCOMPARE(got.at(1).opcode, quint8(0x9)); // control frame between fragments is allowed
    QCOMPARE(got.at(2).opcode, quint8(0x0));
    QVERIFY(!got.at(2).fin);
    QCOMPARE(got.at(3).opcode, quint8(0x0));
    QVERIFY(got.at(3).fin);
    QCOMPARE(got.at(3).preview, QByteArray("world"));
    QCOMPARE(got.at(4).opcode, quint8(0x2));
    for (const FrameRecord &f : got)
        QVERIFY2(f.invalidReason.isEmpty(), qPrintable(f.invalidReason));

    FrameDecoder decoder(Direction::ClientToBackend);
    QVERIFY(!decoder.inFragmentedMessage());
    decoder.feed(make(0x1, "Hel", false), 1, {});
    QVERIFY(decoder.inFragmentedMessage());
    decoder.feed(make(0x0, "lo", true), 2, {});
    QVERIFY(!decoder.inFragmentedMessage());

    checkAllSplits(Direction::ClientToBackend, bytes, got);
}

void tst_FrameDecoder::controlFrames_data()
{
    QTest::addColumn<quint8>("opcode");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<QString>("closeReason");

    QTest::newRow("ping empty") << quint8(0x9) << QByteArray() << -1 << QString();
    QTest::newRow("ping 125") << quint8(0x9) << pattern(125) << -1 << QString();
    QTest::newRow("pong") << quint8(0xA) << QByteArray("keepalive") << -1 << QString();
    QTest::newRow("close empty") << quint8(0x8) << QByteArray() << -1 << QString();
    QTest::newRow("close 1000") << quint8(0x8) << closePayload(1000, {}) << 1000 << QString();
    QTest::newRow("close 1000 bye")
        << quint8(0x8) << closePayload(1000, "bye") << 1000 << QStringLiteral("bye");
    QTest::newRow("close 1001 utf8") << quint8(0x8) << closePayload(1001, "\xc3\xbc\xe2\x82\xac")
                                     << 1001 << QStringLiteral("\u00fc\u20ac");
    QTest::newRow("close 1011") << quint8(0x8) << closePayload(1011, "oops") << 1011
                                << QStringLiteral("oops");
    QTest::newRow("close 1014") << quint8(0x8) << closePayload(1014, {}) << 1014 << QString();
    QTest::newRow("close 3000") << quint8(0x8) << closePayload(3000, {}) << 3000 << QString();
    QTest::newRow("close 4999 123-byte reason")
        << quint8(0x8) << closePayload(4999, QByteArray(123, 'r')) << 4999
        << QString(123, QLatin1Char('r'));
}

void tst_FrameDecoder::controlFrames()
{
    QFETCH(quint8, opcode);
    QFETCH(QByteArray, payload);
    QFETCH(int, closeCode);
    QFETCH(QString, closeReason);
    for (Direction dir : {Direction::ClientToBackend, Direction::BackendToClient}) {
        FrameSpec s;
        s.opcode = opcode;
        s.payload = payload;
        s.masked = dir == Direction::ClientToBackend;
        const QByteArray bytes = frame(s);
        const QList<FrameRecord> got = decode(dir, bytes);
        QCOMPARE(got.size(), 1);
        const FrameRecord &f = got.first();
        QVERIFY2(f.invalidReason.isEmpty(), qPrintable(f.invalidReason));
        QCOMPARE(f.opcode, opcode);
        QCOMPARE(f.payloadLength, quint64(payload.size()));
        QCOMPARE(f.preview, payload);
        QCOMPARE(f.closeCode, closeCode);
        QCOMPARE(f.closeReason, closeReason);
        checkAllSplits(dir, bytes, got);
    }
}

void tst_FrameDecoder::reservedBits()
{
    FrameSpec s;
    s.payload = "compressed?";
    s.rsv1 = true; // permessage-deflate
    QList<FrameRecord> got = decode(Direction::BackendToClient, frame(s));
    QCOMPARE(got.size(), 1);
    QVERIFY(got.first().rsv1);
    QVERIFY(!got.first().rsv2);
    QVERIFY(got.first().invalidReason.isEmpty());

    s.rsv1 = false;
    s.rsv2 = true;
    s.rsv3 = true;
    got = decode(Direction::BackendToClient, frame(s));
    QCOMPARE(got.size(), 1);
    QVERIFY(!got.first().rsv1);
    QVERIFY(got.first().rsv2);
    QVERIFY(got.first().rsv3);
}

void tst_FrameDecoder::previewBound()
{
    FrameSpec s;
    s.payload = pattern(300);
    s.masked = true;
    const QByteArray bytes = frame(s);
    QList<FrameRecord> got = decode(Direction::ClientToBackend, bytes, 8);
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.first().preview, s.payload.left(8));
    QCOMPARE(got.first().payloadLength, quint64(300));

    got = decode(Direction::ClientToBackend, bytes, 0);
    QCOMPARE(got.size(), 1);
    QVERIFY(got.first().preview.isEmpty());

    got = decode(Direction::ClientToBackend, bytes);
    QCOMPARE(got.first().preview.size(), 256);
}

void tst_FrameDecoder::closeReasonBeyondPreview()
{
    // The close code and reason come from the payload even when the preview is tiny.
    FrameSpec s;
    s.opcode = 0x8;
    s.payload = closePayload(1008, "policy violation");
    const QList<FrameRecord> got = decode(Direction::BackendToClient, frame(s), 4);
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.first().closeCode, 1008);
    QCOMPARE(got.first().closeReason, QStringLiteral("policy violation"));
    QCOMPARE(got.first().preview, s.payload.left(4));
}

void tst_FrameDecoder::invalid_data()
{
    QTest::addColumn<Direction>("direction");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("validBefore");
    QTest::addColumn<QString>("reason"); // substring of invalidReason

    const Direction server = Direction::BackendToClient;
    const Direction client = Direction::ClientToBackend;
    auto f = [](quint8 opcode, const QByteArray &payload, bool fin = true, bool masked = false) {
        FrameSpec s;
        s.opcode = opcode;
        s.payload = payload;
        s.fin = fin;
        s.masked = masked;
        return frame(s);
    };
    const QByteArray ok = f(0x1, "ok");

    QTest::newRow("reserved opcode 0x3")
        << server << (ok + f(0x3, "x")) << 1 << QStringLiteral("reserved opcode 0x3");
    QTest::newRow("reserved opcode 0x7")
        << server << f(0x7, {}) << 0 << QStringLiteral("reserved opcode 0x7");
    QTest::newRow("reserved opcode 0xb")
        << server << f(0xB, "x") << 0 << QStringLiteral("reserved opcode 0xb");
    QTest::newRow("reserved opcode 0xf")
        << server << f(0xF, "x") << 0 << QStringLiteral("reserved opcode 0xf");
    QTest::newRow("ping of 126 bytes")
        << server << f(0x9, pattern(126)) << 0 << QStringLiteral("more than 125");
    QTest::newRow("close of 200 bytes") << server << f(0x8, closePayload(1000, pattern(198))) << 0
                                        << QStringLiteral("more than 125");
    QTest::newRow("fragmented ping")
        << server << f(0x9, "x", false) << 0 << QStringLiteral("fragmented control frame");
    QTest::newRow("fragmented close") << server << f(0x8, closePayload(1000, {}), false) << 0
                                      << QStringLiteral("fragmented control frame");
    QTest::newRow("continuation without start")
        << server << (ok + f(0x0, "x")) << 1 << QStringLiteral("continuation frame without");
    QTest::newRow("continuation after finished message")
        << server << (f(0x1, "a", false) + f(0x0, "b", true) + f(0x0, "c", true)) << 2
        << QStringLiteral("continuation frame without");
    QTest::newRow("text inside fragmented message")
        << server << (f(0x1, "a", false) + f(0x1, "b")) << 1
        << QStringLiteral("new data frame inside a fragmented message");
    QTest::newRow("binary inside fragmented message")
        << server << (f(0x2, "a", false) + f(0x9, "p") + f(0x2, "b")) << 2
        << QStringLiteral("new data frame inside a fragmented message");
    QTest::newRow("close with 1-byte payload")
        << server << f(0x8, "\x03") << 0 << QStringLiteral("1-byte payload");
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
        QTest::addRow("close code %d", code) << server << f(0x8, closePayload(code, "r")) << 0
                                             << QStringLiteral("invalid close code %1").arg(code);
    }
    QTest::newRow("close reason not UTF-8") << server << f(0x8, closePayload(1000, "\xff\xfe")) << 0
                                            << QStringLiteral("not valid UTF-8");
    QByteArray msb = QByteArrayLiteral("\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x01");
    QTest::newRow("64-bit length with MSB set")
        << server << msb << 0 << QStringLiteral("most significant bit");
    QTest::newRow("unmasked client frame")
        << client << f(0x1, "hi", true, false) << 0 << QStringLiteral("client frame is not masked");
    QTest::newRow("unmasked client frame after masked")
        << client << (f(0x1, "a", true, true) + f(0x1, "hi", true, false)) << 1
        << QStringLiteral("client frame is not masked");
    QTest::newRow("masked server frame")
        << server << f(0x1, "hi", true, true) << 0 << QStringLiteral("server frame is masked");
    QTest::newRow("RSV1 on a ping") << server << QByteArrayLiteral("\xc9\x00") << 0
                                    << QStringLiteral("RSV1 set on a control frame");
}

void tst_FrameDecoder::invalid()
{
    QFETCH(Direction, direction);
    QFETCH(QByteArray, bytes);
    QFETCH(int, validBefore);
    QFETCH(QString, reason);

    // A valid frame after the bad one must not be decoded: the direction is given up.
    FrameSpec after;
    after.payload = "after";
    after.masked = direction == Direction::ClientToBackend;
    const QByteArray all = bytes + frame(after);

    FrameDecoder decoder(direction);
    Collector c;
    decoder.feed(all, 7, c.callback());
    QVERIFY(decoder.failed());
    QCOMPARE(c.frames.size(), validBefore + 1);
    for (int i = 0; i < validBefore; ++i)
        QVERIFY2(c.frames.at(i).invalidReason.isEmpty(), qPrintable(c.frames.at(i).invalidReason));
    const FrameRecord &bad = c.frames.last();
    QVERIFY2(bad.invalidReason.contains(reason),
             qPrintable(QStringLiteral("got '%1'").arg(bad.invalidReason)));
    QCOMPARE(bad.direction, direction);
    QCOMPARE(bad.timeMs, 7);

    decoder.feed(frame(after), 8, c.callback());
    QCOMPARE(c.frames.size(), validBefore + 1);

    if (all.size() <= 300)
        checkAllSplits(direction, all, c.frames);
}

void tst_FrameDecoder::bytesAreNotModified()
{
    FrameSpec s;
    s.payload = pattern(500);
    s.masked = true;
    const QByteArray bytes = frame(s);
    QByteArray relayed = bytes; // the relay's own buffer
    relayed.detach();
    FrameDecoder decoder(Direction::ClientToBackend);
    Collector c;
    decoder.feed(relayed, 1, c.callback());
    QCOMPARE(relayed, bytes);
    QCOMPARE(c.frames.size(), 1);
    QCOMPARE(c.frames.first().preview, s.payload.left(256));
}

QTEST_GUILESS_MAIN(tst_FrameDecoder)
#include "tst_framedecoder.moc"
