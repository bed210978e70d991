// TcpStream's write coalescing (cork/uncork) and its Drained guarantee, on real loopback sockets
// under the worker's EpollEventDispatcher.

#include "net/epolleventdispatcher.h"
#include "net/tcpstream.h"

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

namespace {

struct Recorder final : StreamOwner
{
    void streamEvent(Stream *, Event event) override { events.append(event); }
    int count(Event event) const { return int(events.count(event)); }
    QList<Event> events;
};

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
        QVERIFY(makePair(&pair));
        TcpStream *stream = TcpStream::adopt(pair.ours);
        Recorder owner;
        stream->setOwner(&owner);
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
