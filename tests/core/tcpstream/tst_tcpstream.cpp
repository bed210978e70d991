// TcpStream's write coalescing (cork/uncork), its Drained guarantee and its receive path, on real
// loopback sockets under the worker's EpollEventDispatcher. ctest runs it twice: with io_uring
// receiving where the machine has it (tst_core_tcpstream) and with epoll alone
// (tst_core_tcpstream_epoll, APPGW_IO_URING=0).

#include "net/epolleventdispatcher.h"
#include "net/tcpstream.h"
#include "net/uringloop.h"

#include <QCoreApplication>
#include <QtTest>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using Gateway::Net::Stream;
using Gateway::Net::StreamOwner;
using Gateway::Net::TcpStream;
using Gateway::Net::UringLoop;

namespace {

struct Recorder final : StreamOwner
{
    void streamEvent(Stream *, Event event) override { events.append(event); }
    int count(Event event) const { return int(events.count(event)); }
    QList<Event> events;
};

// An owner that reads on every Readable until WouldBlock, as the proxy does.
struct Reader final : StreamOwner
{
    void streamEvent(Stream *stream, Event event) override
    {
        if (event != Event::Readable)
            return;
        ++readables;
        if (!reading)
            return;
        char buf[4096];
        for (;;) {
            const qsizetype n = stream->read(buf, sizeof buf);
            if (n > 0) {
                data.append(buf, n);
                continue;
            }
            if (n == Stream::EndOfStream)
                eof = true;
            else if (n == Stream::Failed)
                failed = true;
            return;
        }
    }
    bool reading = true;
    int readables = 0;
    QByteArray data;
    bool eof = false;
    bool failed = false;
};

void sendAll(int fd, const QByteArray &bytes)
{
    QCOMPARE(::send(fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL),
             ssize_t(bytes.size()));
}

// A connected loopback pair: `ours` for TcpStream::adopt, `peer` read with plain recv().
struct Pair
{
    int ours = -1;
    int peer = -1;
    ~Pair()
    {
        if (peer >= 0)
            ::close(peer);
    }
};

bool makePair(Pair *pair)
{
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    if (::bind(listener, reinterpret_cast<sockaddr *>(&sin), len) != 0 || ::listen(listener, 1) != 0
        || ::getsockname(listener, reinterpret_cast<sockaddr *>(&sin), &len) != 0) {
        ::close(listener);
        return false;
    }
    pair->peer = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(pair->peer, reinterpret_cast<sockaddr *>(&sin), len) != 0) {
        ::close(listener);
        return false;
    }
    pair->ours = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(listener);
    return pair->ours >= 0;
}

// A loopback pair whose `ours` side is a TcpStream reporting to owner (nullptr on failure).
TcpStream *adoptPair(Pair *pair, StreamOwner *owner)
{
    if (!makePair(pair))
        return nullptr;
    TcpStream *stream = TcpStream::adopt(pair->ours);
    stream->setOwner(owner);
    return stream;
}

// What the peer can read right now, without waiting.
QByteArray readNow(int fd)
{
    QByteArray all;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0)
            return all;
        all.append(buf, n);
    }
}

// Reads until `bytes` arrived or EOF; a bounded wait on the socket, no sleeps.
QByteArray readAtLeast(int fd, qsizetype bytes, bool *eof = nullptr)
{
    QByteArray all;
    char buf[65536];
    while (all.size() < bytes || eof) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0)
            break;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0 && eof) {
            *eof = true;
            break;
        }
        if (n <= 0)
            break;
        all.append(buf, n);
    }
    return all;
}

// The receive tests' fixture: a TcpStream over a loopback pair, read by a Reader as the proxy
// reads; deliver() sends from the peer and waits until the reader has those bytes.
struct Adopted
{
    Pair pair;
    Reader owner;
    TcpStream *stream = nullptr;

    bool open()
    {
        stream = adoptPair(&pair, &owner);
        return stream != nullptr;
    }
    bool deliver(const QByteArray &bytes)
    {
        if (::send(pair.peer, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL)
            != ssize_t(bytes.size()))
            return false;
        return QTest::qWaitFor([&] { return owner.data.endsWith(bytes); }, 5000);
    }
    void dispose() { std::exchange(stream, nullptr)->dispose(); }
    ~Adopted()
    {
        if (stream)
            stream->dispose();
    }
};

} // namespace

class tst_TcpStream : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(Gateway::Net::EpollEventDispatcher::current(),
                 "the test runs under the gateway's epoll dispatcher");
    }

    void receivePathIsIoUringWhereAvailable()
    {
        const QString why = UringLoop::unavailableReason();
        auto *dispatcher = Gateway::Net::EpollEventDispatcher::current();
        qInfo("receive path: %s",
              why.isEmpty() ? "io_uring" : qPrintable(QStringLiteral("epoll (%1)").arg(why)));
        QCOMPARE(dispatcher->uring() != nullptr, why.isEmpty());
        if (qEnvironmentVariable("APPGW_IO_URING") == QLatin1String("0"))
            QVERIFY(!why.isEmpty());
    }

    void receivesWhatThePeerSendsThenEndOfStream()
    {
        Adopted c;
        QVERIFY(c.open());
        QVERIFY(c.deliver("hello "));
        sendAll(c.pair.peer, "world");
        ::shutdown(c.pair.peer, SHUT_WR);
        QTRY_VERIFY(c.owner.eof);
        QCOMPARE(c.owner.data, QByteArray("hello world"));
        QVERIFY(!c.owner.failed);
    }

    void receivedBytesCanBeUsedInPlace()
    {
        Pair pair;
        Recorder owner;
        TcpStream *stream = adoptPair(&pair, &owner);
        QVERIFY(stream);
        sendAll(pair.peer, "in place");
        QTRY_VERIFY(owner.count(StreamOwner::Event::Readable) > 0);
        const bool ownBuffers = Gateway::Net::EpollEventDispatcher::current()->uring() != nullptr;
        if (ownBuffers) {
            QCOMPARE(stream->peekReceived(), QByteArrayView("in place"));
            stream->consumeReceived(3);
            QCOMPARE(stream->peekReceived(), QByteArrayView("place"));
            stream->consumeReceived(5);
            QVERIFY(stream->peekReceived().isEmpty());
            char buf[16];
            QCOMPARE(stream->read(buf, sizeof buf), Stream::WouldBlock);
        } else {
            QVERIFY(stream->peekReceived().isEmpty()); // epoll: read() into the caller's buffer
            char buf[16];
            QCOMPARE(stream->read(buf, sizeof buf), qsizetype(8));
            QCOMPARE(QByteArrayView(buf, 8), QByteArrayView("in place"));
        }
        stream->dispose();
    }

    void pausedReadingDeliversNothingThenEverythingInOrder()
    {
        Adopted c;
        QVERIFY(c.open());
        QVERIFY(c.deliver("a"));
        c.stream->setReadEnabled(false); // backpressure from the other side
        const int readablesWhenPaused = c.owner.readables;
        QByteArray expected = "a";
        for (int i = 0; i < 50; ++i) {
            const QByteArray part = QByteArray::number(i) + ',';
            sendAll(c.pair.peer, part);
            expected += part;
            QCoreApplication::processEvents();
        }
        QCOMPARE(c.owner.readables, readablesWhenPaused);
        QCOMPARE(c.owner.data, QByteArray("a"));
        c.stream->setReadEnabled(true); // resume: what waited comes first, then the rest
        expected += "end";
        QVERIFY(c.deliver("end"));
        QCOMPARE(c.owner.data, expected);
    }

    void aResetIsReportedAsFailure()
    {
        Adopted c;
        QVERIFY(c.open());
        QVERIFY(c.deliver("x"));
        const linger abort{1, 0};
        ::setsockopt(c.pair.peer, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        ::close(std::exchange(c.pair.peer, -1)); // RST
        QTRY_VERIFY(c.owner.failed || c.owner.eof);
        QVERIFY2(c.owner.failed, "a reset is not a clean end of stream");
        QVERIFY(!c.stream->errorString().isEmpty());
    }

    void disposingClosesTheConnection()
    {
        // An armed receive holds a reference on the socket: closing must also cancel it, or the
        // peer never sees the connection end.
        Adopted c;
        QVERIFY(c.open());
        QVERIFY(c.deliver("x")); // the receive is with the kernel now
        c.dispose();
        QCoreApplication::processEvents();
        bool eof = false;
        readAtLeast(c.pair.peer, 1, &eof);
        QVERIFY2(eof, "the peer did not see the close");
    }

    void aClosedStreamsNumberReusedAtOnceLosesNothing()
    {
        // A stream closed before the loop ran has its receive still queued; a new connection
        // that gets the same descriptor number must receive its own bytes.
        Pair first;
        QVERIFY(makePair(&first));
        const int number = first.ours;
        TcpStream::adopt(first.ours)->dispose();
        const int placeholder = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        QVERIFY(::dup2(placeholder, number) == number); // keep the number from the pair below
        ::close(placeholder);
        Pair second;
        QVERIFY(makePair(&second));
        QVERIFY(::dup2(second.ours, number) == number); // the number the first stream had
        ::close(second.ours);
        sendAll(second.peer, "for the second stream");
        TcpStream *stream = TcpStream::adopt(number);
        Reader owner;
        stream->setOwner(&owner);
        QTRY_COMPARE(owner.data, QByteArray("for the second stream"));
        stream->dispose();
    }

    void moreStreamsWithDataThanPoolBuffersAllDeliver()
    {
        // More connections with data at once than the receive pool has buffers, and owners that
        // hold on to what they were given: receives that find the pool empty wait for a buffer
        // and then deliver, nothing lost or mixed up.
        constexpr int Count = int(UringLoop::Buffers) + 72;
        std::vector<std::unique_ptr<Pair>> pairs;
        std::vector<TcpStream *> streams;
        std::vector<std::unique_ptr<Reader>> owners;
        for (int i = 0; i < Count; ++i) {
            pairs.push_back(std::make_unique<Pair>());
            QVERIFY(makePair(pairs.back().get()));
            streams.push_back(TcpStream::adopt(pairs.back()->ours));
            owners.push_back(std::make_unique<Reader>());
            owners.back()->reading = false; // Readable is heard, nothing read yet
            streams.back()->setOwner(owners.back().get());
        }
        for (int i = 0; i < Count; ++i)
            sendAll(pairs[size_t(i)]->peer, "stream " + QByteArray::number(i));
        for (int round = 0; round < 20; ++round)
            QCoreApplication::processEvents();
        for (int i = 0; i < Count; ++i)
            owners[size_t(i)]->reading = true;
        // Read in turn: each read returns buffers, which lets waiting receives go on.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                bool all = true;
                for (int i = 0; i < Count; ++i) {
                    Reader &o = *owners[size_t(i)];
                    o.streamEvent(streams[size_t(i)], StreamOwner::Event::Readable);
                    all = all && o.data == "stream " + QByteArray::number(i);
                }
                return all;
            }(),
            10000);
        for (TcpStream *stream : streams)
            stream->dispose();
    }

    void uncorkedWritesGoOutAtOnce()
    {
        Pair pair;
        QVERIFY(makePair(&pair));
        TcpStream *stream = TcpStream::adopt(pair.ours);
        QVERIFY(stream->write("HTTP/1.1 200 OK\r\n\r\n"));
        QCOMPARE(readAtLeast(pair.peer, 19), QByteArray("HTTP/1.1 200 OK\r\n\r\n"));
        stream->dispose();
    }

    void corkGathersUntilUncork()
    {
        Pair pair;
        QVERIFY(makePair(&pair));
        TcpStream *stream = TcpStream::adopt(pair.ours);
        stream->cork();
        QVERIFY(stream->write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
        QVERIFY(stream->write("hello"));
        QCOMPARE(readNow(pair.peer), QByteArray()); // nothing sent while corked
        stream->uncork();
        QCOMPARE(readAtLeast(pair.peer, 43),
                 QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
        QCOMPARE(stream->bytesToWrite(), 0);
        stream->dispose();
    }

    void corkStopsGatheringAtItsLimit()
    {
        Pair pair;
        QVERIFY(makePair(&pair));
        TcpStream *stream = TcpStream::adopt(pair.ours);
        stream->cork();
        const QByteArray big(40 * 1024, 'x');
        QVERIFY(stream->write(big));
        // Above the gathering limit the bytes go out without waiting for uncork().
        QCOMPARE(readAtLeast(pair.peer, big.size()).size(), big.size());
        stream->uncork();
        stream->dispose();
    }

    void drainedFollowsUncorkWhenOutputWasSeenPending()
    {
        Pair pair;
        Recorder owner;
        TcpStream *stream = adoptPair(&pair, &owner);
        QVERIFY(stream);
        QCoreApplication::processEvents(); // the connection's first writable edge
        owner.events.clear();

        stream->cork();
        QVERIFY(stream->write("response"));
        QVERIFY(stream->bytesToWrite() > 0); // a caller now waits for Drained
        stream->uncork();
        QCOMPARE(owner.count(StreamOwner::Event::Drained), 0); // never re-entered from uncork()
        QTRY_COMPARE(owner.count(StreamOwner::Event::Drained), 1);
        QCOMPARE(readAtLeast(pair.peer, 8), QByteArray("response"));

        // Nobody looked: no Drained is owed.
        owner.events.clear();
        stream->cork();
        QVERIFY(stream->write("more"));
        stream->uncork();
        QCOMPARE(readAtLeast(pair.peer, 4), QByteArray("more"));
        for (int i = 0; i < 3; ++i)
            QCoreApplication::processEvents();
        QCOMPARE(owner.count(StreamOwner::Event::Drained), 0);
        stream->dispose();
    }

    void closeSendsWhatACorkGathered()
    {
        Pair pair;
        QVERIFY(makePair(&pair));
        TcpStream *stream = TcpStream::adopt(pair.ours);
        stream->cork();
        QVERIFY(stream->write("last words"));
        stream->dispose(); // close() at once: the gathered bytes still leave first
        bool eof = false;
        QCOMPARE(readAtLeast(pair.peer, 10, &eof), QByteArray("last words"));
        QVERIFY(eof);
    }

    void shutdownWaitsForGatheredBytes()
    {
        Pair pair;
        QVERIFY(makePair(&pair));
        TcpStream *stream = TcpStream::adopt(pair.ours);
        stream->cork();
        QVERIFY(stream->write("body"));
        stream->shutdownWrite(); // FIN only after "body"
        QCOMPARE(readNow(pair.peer), QByteArray());
        stream->uncork();
        bool eof = false;
        QCOMPARE(readAtLeast(pair.peer, 4, &eof), QByteArray("body"));
        QVERIFY(eof);
        stream->dispose();
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new Gateway::Net::EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    tst_TcpStream test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_tcpstream.moc"
