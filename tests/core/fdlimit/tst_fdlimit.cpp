// Out of descriptors (reliability-cases R09): the gateway never spins on EMFILE; it pauses
// accepting and says so once (listener.acceptPaused), and as soon as descriptors are free again it
// accepts and serves every connection that waited in the listen backlog (listener.acceptResumed).
// And the open-file limit the programs raise at start (Net::raiseOpenFileLimit).

#include "config/configdocument.h"
#include "events/gatewayevent.h"
#include "fakebackend.h"
#include "net/filelimit.h"
#include "proxy/gateway.h"
#include "testsupport.h"

#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Gateway;

namespace {

// Restores RLIMIT_NOFILE and closes the filler descriptors however the test ends.
struct DescriptorExhaustion
{
    rlimit saved{};
    rlim_t lowered = 0;
    std::vector<int> fillers;
    DescriptorExhaustion() { ::getrlimit(RLIMIT_NOFILE, &saved); }
    ~DescriptorExhaustion() { release(); }
    // Lowers the soft limit to a little above the highest descriptor in use and takes every free
    // descriptor below it: the next socket(), accept() or open() in this process fails with EMFILE.
    bool exhaust()
    {
        const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (probe < 0)
            return false;
        int highest = probe;
        ::close(probe);
        for (int fd = 0; fd < 65536 && fd < int(saved.rlim_cur); ++fd) {
            if (::fcntl(fd, F_GETFD) != -1)
                highest = std::max(highest, fd);
        }
        rlimit low = saved;
        low.rlim_cur = rlim_t(highest) + 8;
        lowered = low.rlim_cur;
        if (::setrlimit(RLIMIT_NOFILE, &low) != 0)
            return false;
        for (;;) {
            const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                return errno == EMFILE;
            fillers.push_back(fd);
        }
    }
    void release()
    {
        for (int fd : fillers)
            ::close(fd);
        fillers.clear();
        ::setrlimit(RLIMIT_NOFILE, &saved);
    }
};

} // namespace

class tst_FdLimit final : public QObject
{
    Q_OBJECT

private slots:
    void raiseLiftsTheSoftLimitToTheHardLimit();
    void exhaustedDescriptorsPauseAcceptingThenEveryWaitingClientIsServed();
};

void tst_FdLimit::raiseLiftsTheSoftLimitToTheHardLimit()
{
    rlimit saved{};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    // Below the hard limit whatever it is (no machine runs this test with a hard limit of 1), so
    // there is always something to raise and the test never has a reason to skip.
    QVERIFY(saved.rlim_max == RLIM_INFINITY || saved.rlim_max >= 2);
    rlimit low = saved;
    low.rlim_cur = saved.rlim_max == RLIM_INFINITY ? 64 : std::min<rlim_t>(64, saved.rlim_max - 1);
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &low), 0);

    const Net::OpenFileLimit limit = Net::raiseOpenFileLimit();
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    ::setrlimit(RLIMIT_NOFILE, &saved);

    QVERIFY(limit.raised);
    const rlim_t expected = saved.rlim_max == RLIM_INFINITY ? rlim_t(1 << 20) : saved.rlim_max;
    QCOMPARE(now.rlim_cur, expected);
    QCOMPARE(limit.soft, static_cast<long long>(expected));
    // Already at the hard limit: nothing changes, and it says so.
    QCOMPARE(::setrlimit(RLIMIT_NOFILE, &now), 0);
    const Net::OpenFileLimit again = Net::raiseOpenFileLimit();
    ::setrlimit(RLIMIT_NOFILE, &saved);
    QVERIFY(!again.raised);
    QCOMPARE(again.soft, static_cast<long long>(expected));
}

void tst_FdLimit::exhaustedDescriptorsPauseAcceptingThenEveryWaitingClientIsServed()
{
    TestSupport::FakeBackend backend;
    backend.setHandler(TestSupport::FakeBackend::respondWith(200, "served"));
    const auto document = Config::ConfigDocument::fromJson(
        TestSupport::gatewayTemplate({backend.port()}));
    Proxy::GatewayOptions options;
    options.workers = 1;
    options.healthProbes = false;
    Proxy::Gateway gateway(options);
    QString error;
    QVERIFY2(gateway.start(document.model(), &error), qPrintable(error));
    const quint16 port = quint16(gateway.listeners().constFirst().port);
    QList<Events::GatewayEvent> events;
    connect(gateway.events(), &Events::EventBus::eventsPublished, this,
            [&events](const QList<Events::GatewayEvent> &batch) { events.append(batch); });
    const auto count = [&events](const QString &type) {
        return std::count_if(events.cbegin(), events.cend(),
                             [&type](const Events::GatewayEvent &e) { return e.type == type; });
    };

    // The clients' sockets are made while descriptors remain; connect() takes none, so the
    // kernel completes their handshakes into the listen backlog while the gateway cannot accept.
    constexpr int Clients = 8;
    std::vector<int> clientFds;
    for (int i = 0; i < Clients; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        clientFds.push_back(fd);
    }
    DescriptorExhaustion exhaustion;
    QVERIFY2(exhaustion.exhaust(), "could not use up the descriptors");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int fd : clientFds)
        QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);

    // accept() fails with EMFILE: accepting pauses and it is said once, with the limit.
    QTRY_VERIFY_WITH_TIMEOUT(count(QStringLiteral("listener.acceptPaused")) == 1, 5000);
    const auto paused = *std::find_if(events.cbegin(), events.cend(), [](const auto &e) {
        return e.type == QLatin1String("listener.acceptPaused");
    });
    QCOMPARE(paused.fields.value("port").toInt(), int(port));
    QCOMPARE(paused.fields.value("openFileLimit").toInteger(), qint64(exhaustion.lowered));
    QVERIFY(paused.fields.value("message").toString().contains("listen backlog"));
    QCOMPARE(count(QStringLiteral("listener.acceptResumed")), 0);

    // Descriptors free again: every client that waited is accepted and served.
    exhaustion.release();
    for (int i = 0; i < Clients; ++i) {
        QTcpSocket client;
        QVERIFY(client.setSocketDescriptor(clientFds[size_t(i)]));
        client.write("GET /waited/" + QByteArray::number(i) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY(client.waitForBytesWritten(5000));
        const QByteArray response = TestSupport::readResponse(client);
        QVERIFY2(response.startsWith("HTTP/1.1 200"), response.constData());
        QVERIFY(response.endsWith("served"));
    }
    QCOMPARE(backend.requests().size(), Clients);
    // Said once when accepting works again; the retries were paced (a spin would count
    // thousands in the time it took to free the descriptors).
    QTRY_VERIFY_WITH_TIMEOUT(count(QStringLiteral("listener.acceptResumed")) == 1, 5000);
    QCOMPARE(count(QStringLiteral("listener.acceptPaused")), 1);
    const auto resumed = *std::find_if(events.cbegin(), events.cend(), [](const auto &e) {
        return e.type == QLatin1String("listener.acceptResumed");
    });
    QVERIFY(resumed.fields.value("retries").toInt() < 20);
}

QTEST_GUILESS_MAIN(tst_FdLimit)
#include "tst_fdlimit.moc"
