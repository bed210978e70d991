// Loopback integration tests of the HTTP proxy: a real Gateway (worker threads, epoll) between
// raw client sockets and scripted fake backends.

#include "config/configdocument.h"
#include "events/gatewayevent.h"
#include "fakebackend.h"
#include "net/clock.h"
#include "proxy/gateway.h"
#include "requestcases.h"
#include "session/sessionregistry.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace Gateway;
using TestSupport::FakeBackend;

namespace {

using TestSupport::gatewayTemplate;

Config::GatewayConfig loadConfig(const QByteArray &json)
{
    const auto document = Config::ConfigDocument::fromJson(json);
    const auto diagnostics = document.loadDiagnostics();
    for (const auto &d : diagnostics)
        qWarning() << d.path << d.message;
    return document.model();
}

int statusOf(const QByteArray &response)
{
    if (!response.startsWith("HTTP/1."))
        return 0;
    return response.mid(9, 3).toInt();
}

struct Running
{
    std::unique_ptr<Proxy::Gateway> gateway;
    quint16 port = 0;
};

Running startGateway(const Config::GatewayConfig &config, Net::Clock *clock = nullptr,
                     int workers = 1)
{
    Proxy::GatewayOptions options;
    options.workers = workers;
    options.clock = clock;
    options.healthProbes = false; // routing tests don't wait for probes
    Running running;
    running.gateway = std::make_unique<Proxy::Gateway>(options);
    QString error;
    if (!running.gateway->start(config, &error)) {
        qWarning() << "start failed:" << error;
        return running;
    }
    running.port = quint16(running.gateway->listeners().constFirst().port);
    return running;
}

QByteArray readAllUntilClosed(QTcpSocket &socket, int timeoutMs = 10000)
{
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < timeoutMs) {
        if (socket.waitForReadyRead(int(timeoutMs - timer.elapsed())))
            data += socket.readAll();
    }
    data += socket.readAll();
    return data;
}

// Sends "GET / HTTP/1.1" from `client` through the gateway on `port` and returns the backend
// side of it, accepted by `raw` once the request has arrived (nullptr if it did not within 5 s),
// so a test can answer by hand.
QTcpSocket *getToRawBackend(QTcpSocket &client, quint16 port, QTcpServer &raw)
{
    client.connectToHost(QHostAddress::LocalHost, port);
    if (!client.waitForConnected(5000))
        return nullptr;
    client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    if (!client.waitForBytesWritten(5000) || !raw.waitForNewConnection(5000))
        return nullptr;
    QTcpSocket *backend = raw.nextPendingConnection();
    if (!QTest::qWaitFor([backend] { return backend->bytesAvailable() > 0; }, 5000))
        return nullptr;
    return backend;
}

} // namespace

class tst_Proxy final : public QObject
{
    Q_OBJECT

private slots:
    void forwardsWithAzureHeaders();
    void dropsHeadersWithInvalidNames();
    void keepAliveAndPipelining();
    void chunkedBothWays();
    void closeDelimitedResponseIsRechunked();
    void headResponseHasNoBody();
    void expectContinue();
    void roundRobin();
    void backendDown502();
    void emptyPool502();
    void unmappedAddressIsNotContacted();
    void connectionRefusedTriesNextMember();
    void timeoutRetriesOnceThen504();
    void postTimeoutIsNotRetried();
    void noListenerMatch404();
    void incompleteRequest408();
    void backendGarbage502();
    void backendClosesMidBody();
    void responseSplittingNotForwarded();
    void requestCases_data();
    void requestCases();
    void largeUploadStreams();
    void accessEvents();
    void eventsLeaveBeforeTheTickWhenManyArePending();
    void pathOverrideAndHostOverride();
    void cleanupTestCase()
    {
        m_caseRun.gateway.reset();
        m_caseBackend.reset();
    }

private:
    std::unique_ptr<FakeBackend> m_caseBackend;
    Running m_caseRun;
};

void tst_Proxy::forwardsWithAzureHeaders()
{
    FakeBackend backend;
    backend.setHandler(FakeBackend::respondWith(200, "hello"));
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    QVERIFY(run.port);

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    client.write(
        "GET /a/b?x=1 HTTP/1.1\r\nHost: www.contoso.com\r\nX-Forwarded-For: 203.0.113.7:1234\r\n"
        "Accept: */*\r\n\r\n");
    const QByteArray response = TestSupport::readResponse(client);
    QCOMPARE(statusOf(response), 200);
    QVERIFY(response.endsWith("hello"));

    QTRY_COMPARE(backend.requests().size(), 1);
    const auto request = backend.requests().constFirst();
    QCOMPARE(request.requestLine(), QByteArray("GET /a/b?x=1 HTTP/1.1"));
    QCOMPARE(request.header("Host"), QByteArray("www.contoso.com"));
    const QByteArray xff = request.header("X-Forwarded-For");
    QVERIFY2(QRegularExpression(QStringLiteral("^203\\.0\\.113\\.7:1234, 127\\.0\\.0\\.1:\\d+$"))
                 .match(QString::fromLatin1(xff))
                 .hasMatch(),
             xff.constData());
    QCOMPARE(request.header("X-Forwarded-Proto"), QByteArray("http"));
    QCOMPARE(request.header("X-Forwarded-Port"), QByteArray("80"));
    QCOMPARE(request.header("X-Original-Host"), QByteArray("www.contoso.com"));
    QCOMPARE(request.header("X-Original-URL"), QByteArray("/a/b?x=1"));
    QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$"))
                .match(QString::fromLatin1(request.header("X-AppGW-Trace-Id")))
                .hasMatch());
    QCOMPARE(request.header("Accept"), QByteArray("*/*"));
}

void tst_Proxy::dropsHeadersWithInvalidNames()
{
    FakeBackend backend;
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    const QByteArray response = TestSupport::exchange(
        run.port, "GET / HTTP/1.1\r\nHost: a\r\nX_Custom: 1\r\nX.Dot: 2\r\nX-Good: 3\r\n"
                  "Connection: close, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 5\r\n\r\n");
    QCOMPARE(statusOf(response), 200);
    QTRY_COMPARE(backend.requests().size(), 1);
    const auto request = backend.requests().constFirst();
    QVERIFY(request.header("X_Custom").isEmpty());
    QVERIFY(request.header("X.Dot").isEmpty());
    QVERIFY(request.header("X-Secret").isEmpty());
    QVERIFY(request.header("Keep-Alive").isEmpty());
    QCOMPARE(request.header("X-Good"), QByteArray("3"));
}

void tst_Proxy::keepAliveAndPipelining()
{
    FakeBackend backend;
    backend.setHandler([](const TestSupport::ReceivedRequest &r) -> QByteArray {
        const QByteArray body = r.requestLine().split(' ').at(1);
        return "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
               + body;
    });
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    // Three pipelined requests in one write; answers must come in order.
    client.write("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n"
                 "GET /three HTTP/1.1\r\nHost: a\r\n\r\n");
    QVERIFY(TestSupport::readResponse(client).endsWith("/one"));
    QVERIFY(TestSupport::readResponse(client).endsWith("/two"));
    QVERIFY(TestSupport::readResponse(client).endsWith("/three"));
    // The connection is still usable, and the backend connection was reused.
    client.write("GET /four HTTP/1.1\r\nHost: a\r\n\r\n");
    QVERIFY(TestSupport::readResponse(client).endsWith("/four"));
    QCOMPARE(backend.connectionCount(), 1);
}

void tst_Proxy::chunkedBothWays()
{
    FakeBackend backend;
    backend.setHandler([](const TestSupport::ReceivedRequest &r) -> QByteArray {
        return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
               + QByteArray::number(r.body.size(), 16) + "\r\n" + r.body + "\r\n0\r\n\r\n";
    });
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    client.write("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    const QByteArray response = TestSupport::readResponse(client);
    QCOMPARE(statusOf(response), 200);
    QVERIFY(response.contains("Transfer-Encoding: chunked"));
    QVERIFY(response.contains("3\r\nabc\r\n"));
    QVERIFY(response.contains("hello world"));
    QTRY_COMPARE(backend.requests().size(), 1);
    const auto request = backend.requests().constFirst();
    QCOMPARE(request.body, QByteArray("hello world"));
    QCOMPARE(request.header("Transfer-Encoding").toLower(), QByteArray("chunked"));
    QVERIFY(!request.raw.contains("ext=1"));     // extensions are not forwarded
    QVERIFY(!request.raw.contains("X-Trailer")); // trailers are dropped, never merged
}

void tst_Proxy::closeDelimitedResponseIsRechunked()
{
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    auto run = startGateway(loadConfig(gatewayTemplate({raw.serverPort()})));
    QTcpSocket client;
    QTcpSocket *b = getToRawBackend(client, run.port, raw);
    QVERIFY2(b, "the request did not reach the raw backend");
    b->write("HTTP/1.1 200 OK\r\n\r\nuntil-close body");
    b->flush();
    b->disconnectFromHost();
    const QByteArray response = TestSupport::readResponse(client);
    QCOMPARE(statusOf(response), 200);
    QVERIFY(response.contains("Transfer-Encoding: chunked"));
    QVERIFY(response.contains("until-close body"));
    QVERIFY(response.endsWith("0\r\n\r\n"));
}

void tst_Proxy::headResponseHasNoBody()
{
    FakeBackend backend;
    backend.setHandler([](const TestSupport::ReceivedRequest &) -> QByteArray {
        return QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n");
    });
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    client.write("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    backend.setHandler([](const TestSupport::ReceivedRequest &r) -> QByteArray {
        if (r.requestLine().startsWith("HEAD"))
            return QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n");
        return QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
    });
    QByteArray all;
    QTRY_VERIFY((all += client.readAll()).endsWith("next"));
    QVERIFY(all.contains("Content-Length: 42"));
    QCOMPARE(all.count("HTTP/1.1 200"), 2);
}

void tst_Proxy::expectContinue()
{
    FakeBackend backend;
    backend.setHandler([](const TestSupport::ReceivedRequest &r) -> QByteArray {
        return "HTTP/1.1 201 Created\r\nContent-Length: " + QByteArray::number(r.body.size())
               + "\r\n\r\n" + r.body;
    });
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    client.write("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    client.write("hello"); // the body may come at once (P36): it is the body, not a new request
    const QByteArray response = TestSupport::readResponse(client);
    QCOMPARE(statusOf(response), 201);
    QVERIFY(response.endsWith("hello"));
    QTRY_COMPARE(backend.requests().size(), 1);
    QCOMPARE(backend.requests().constFirst().body, QByteArray("hello"));
}

void tst_Proxy::roundRobin()
{
    FakeBackend a, b;
    a.setHandler(FakeBackend::respondWith(200, "A"));
    b.setHandler(FakeBackend::respondWith(200, "B"));
    auto run = startGateway(loadConfig(gatewayTemplate({a.port(), b.port()})));
    QByteArray seen;
    for (int i = 0; i < 4; ++i) {
        const QByteArray response = TestSupport::exchange(
            run.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        seen += response.right(1);
    }
    QCOMPARE(seen.count('A'), 2);
    QCOMPARE(seen.count('B'), 2);
    QVERIFY(seen == "ABAB" || seen == "BABA");
}

void tst_Proxy::backendDown502()
{
    FakeBackend backend;
    backend.setBehaviour(FakeBackend::Behaviour::Refuse);
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    const QByteArray response = TestSupport::exchange(
        run.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    QCOMPARE(statusOf(response), 502);
    QVERIFY(response.contains("Server: Microsoft-Azure-Application-Gateway/v2\r\n"));
    QVERIFY(response.contains("<center><h1>502 Bad Gateway</h1></center>"));
    QVERIFY(response.contains("<hr><center>Microsoft-Azure-Application-Gateway/v2</center>"));
}

void tst_Proxy::emptyPool502()
{
    auto run = startGateway(loadConfig(gatewayTemplate({})));
    QVERIFY(run.port);
    const QByteArray response = TestSupport::exchange(
        run.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    QCOMPARE(statusOf(response), 502);
}

// product.md §3: a member outside loopback that backendAddressMap does not map is never
// contacted: the next member serves; with none left, 502 and the reason in the access event.
void tst_Proxy::unmappedAddressIsNotContacted()
{
    FakeBackend up;
    up.setHandler(FakeBackend::respondWith(200, "up"));
    Config::GatewayConfig config = loadConfig(gatewayTemplate({up.port()}));
    QCOMPARE(config.backendAddressPools.size(), 1);
    Config::BackendAddress vnet;
    vnet.ipAddress = QStringLiteral("10.0.0.7");
    config.backendAddressPools[0].backendAddresses.prepend(vnet);
    auto run = startGateway(config);
    QVERIFY(run.port);
    for (int i = 0; i < 2; ++i) { // round robin would pick 10.0.0.7 for one of them
        const QByteArray response = TestSupport::exchange(
            run.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        QCOMPARE(statusOf(response), 200);
    }
    QCOMPARE(up.requests().size(), 2);

    config.backendAddressPools[0].backendAddresses = {vnet};
    auto alone = startGateway(config);
    QSignalSpy spy(alone.gateway->events(), &Events::EventBus::eventsPublished);
    const QByteArray response = TestSupport::exchange(
        alone.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    QCOMPARE(statusOf(response), 502);
    Events::GatewayEvent access;
    const auto findAccess = [&] {
        for (const auto &args : spy)
            for (const auto &e : args.at(0).value<QList<Events::GatewayEvent>>())
                if (e.type == QLatin1String("access")) {
                    access = e;
                    return true;
                }
        return false;
    };
    QTRY_VERIFY(findAccess());
    QCOMPARE(access.fields.value(QStringLiteral("httpStatus")).toInt(), 502);
    QCOMPARE(access.fields.value(QStringLiteral("serverRouted")).toString(), QString());
    const QString detail = access.fields.value(QStringLiteral("detail")).toString();
    QVERIFY2(detail.startsWith(QStringLiteral("10.0.0.7 exists in Azure's virtual network; map it "
                                              "with metadata.localGateway.backendAddressMap")),
             qPrintable(detail));
}

void tst_Proxy::connectionRefusedTriesNextMember()
{
    FakeBackend down, up;
    down.setBehaviour(FakeBackend::Behaviour::Refuse);
    up.setHandler(FakeBackend::respondWith(200, "up"));
    auto run = startGateway(loadConfig(gatewayTemplate({down.port(), up.port()})));
    for (int i = 0; i < 4; ++i) {
        const QByteArray response = TestSupport::exchange(
            run.port,
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
        QCOMPARE(statusOf(response), 200);
        QVERIFY(response.endsWith("up"));
    }
    QCOMPARE(up.requests().size(), 4);
}

void tst_Proxy::timeoutRetriesOnceThen504()
{
    Net::ManualClock clock;
    FakeBackend a, b, c;
    for (FakeBackend *f : {&a, &b, &c})
        f->setBehaviour(FakeBackend::Behaviour::Hang);
    auto run = startGateway(loadConfig(gatewayTemplate({a.port(), b.port(), c.port()}, 5)), &clock);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    client.write("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
    QTRY_COMPARE(a.requests().size() + b.requests().size() + c.requests().size(), 1);
    clock.advance(5'001); // first timeout: v2 retries on a second member
    QTRY_COMPARE(a.requests().size() + b.requests().size() + c.requests().size(), 2);
    QVERIFY(client.bytesAvailable() == 0);
    clock.advance(5'001); // second timeout: 504
    const QByteArray response = TestSupport::readResponse(client);
    QCOMPARE(statusOf(response), 504);
    QVERIFY(response.contains("504 Gateway Time-out") || response.contains("504 Gateway Timeout"));
    QCOMPARE(a.requests().size() + b.requests().size() + c.requests().size(), 2); // one retry only
}

void tst_Proxy::postTimeoutIsNotRetried()
{
    Net::ManualClock clock;
    FakeBackend a, b;
    a.setBehaviour(FakeBackend::Behaviour::Hang);
    b.setBehaviour(FakeBackend::Behaviour::Hang);
    auto run = startGateway(loadConfig(gatewayTemplate({a.port(), b.port()}, 5)), &clock);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    client.write("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx");
    QTRY_COMPARE(a.requests().size() + b.requests().size(), 1);
    clock.advance(5'001);
    QCOMPARE(statusOf(TestSupport::readResponse(client)), 504);
    QCOMPARE(a.requests().size() + b.requests().size(), 1);
}

void tst_Proxy::noListenerMatch404()
{
    FakeBackend backend;
    auto run = startGateway(loadConfig(gatewayTemplate(
        {backend.port()}, 20, {}, QStringLiteral(", \"hostName\": \"www.contoso.com\""))));
    const QByteArray other = TestSupport::exchange(
        run.port, "GET / HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n");
    QCOMPARE(statusOf(other), 404);
    QVERIFY(other.contains("Microsoft-Azure-Application-Gateway/v2"));
    const QByteArray match = TestSupport::exchange(
        run.port, "GET / HTTP/1.1\r\nHost: WWW.Contoso.com:80\r\nConnection: close\r\n\r\n");
    QCOMPARE(statusOf(match), 200);
    QCOMPARE(backend.requests().size(), 1);
}

void tst_Proxy::incompleteRequest408()
{
    Net::ManualClock clock;
    FakeBackend backend;
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})), &clock);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    client.write("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");
    client.flush();
    // Wait until the gateway has read the partial head (the session view says so).
    const auto headRead = [&] {
        const auto sessions = run.gateway->sessions()->sessions();
        return !sessions.isEmpty() && sessions.constFirst().bytesIn > 0;
    };
    QTRY_VERIFY(headRead());
    clock.advance(59'000);
    QVERIFY(!client.waitForReadyRead(100));
    clock.advance(1'500);
    const QByteArray response = readAllUntilClosed(client);
    QCOMPARE(statusOf(response), 408);
    QCOMPARE(backend.requests().size(), 0);
}

void tst_Proxy::backendGarbage502()
{
    FakeBackend backend;
    backend.setHandler([](const TestSupport::ReceivedRequest &) -> QByteArray {
        return QByteArray("SSH-2.0-OpenSSH\r\n\r\n");
    });
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    const QByteArray response = TestSupport::exchange(
        run.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    QCOMPARE(statusOf(response), 502);
}

void tst_Proxy::backendClosesMidBody()
{
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    auto run = startGateway(loadConfig(gatewayTemplate({raw.serverPort()})));
    QTcpSocket client;
    QTcpSocket *b = getToRawBackend(client, run.port, raw);
    QVERIFY2(b, "the request did not reach the raw backend");
    b->write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part");
    b->flush();
    b->abort();
    // The status can't change any more: the client sees a truncated body and a closed connection.
    const QByteArray response = readAllUntilClosed(client);
    QCOMPARE(statusOf(response), 200);
    QVERIFY(response.endsWith("only-part"));
    QCOMPARE(client.state(), QAbstractSocket::UnconnectedState);
}

void tst_Proxy::responseSplittingNotForwarded()
{
    FakeBackend backend;
    backend.setHandler([](const TestSupport::ReceivedRequest &) -> QByteArray {
        return QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 "
                          "OK\r\nContent-Length: 4\r\n\r\nevil");
    });
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    client.write("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
    const QByteArray first = TestSupport::readResponse(client);
    QCOMPARE(statusOf(first), 200);
    QVERIFY(!first.contains("evil"));
    backend.setHandler(FakeBackend::respondWith(200, "good"));
    client.write("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    const QByteArray second = TestSupport::readResponse(client);
    QVERIFY2(second.endsWith("good"), second.constData()); // never the smuggled "evil"
}

void tst_Proxy::requestCases_data()
{
    QTest::addColumn<int>("index");
    const auto cases = TestSupport::requestCases();
    for (int i = 0; i < cases.size(); ++i)
        QTest::newRow(cases.at(i).id.constData()) << i;
}

void tst_Proxy::requestCases()
{
    // Each hostile or odd request through a real gateway: either the client gets the error and
    // the backend sees nothing (or never a complete request), or the backend sees exactly the
    // expected clean request(s).
    QFETCH(int, index);
    if (!m_caseBackend) {
        m_caseBackend = std::make_unique<FakeBackend>();
        m_caseBackend->setHandler(FakeBackend::respondWith(200, "ok"));
        m_caseRun = startGateway(loadConfig(gatewayTemplate({m_caseBackend->port()})));
    }
    FakeBackend *backend = m_caseBackend.get();
    Running *run = &m_caseRun;
    backend->clear();
    const TestSupport::RequestCase c = TestSupport::requestCases().at(index);
    if (c.outcome == TestSupport::RequestCase::Outcome::Reject) {
        bool closed = false;
        const QByteArray response = TestSupport::exchange(run->port, c.bytes, 3000, &closed);
        QCOMPARE(statusOf(response), c.status);
        QVERIFY2(closed, "the connection must close after a rejected request");
        if (c.stage == TestSupport::RequestCase::Stage::Head)
            QCOMPARE(backend->allBytes().size(), 0);
        else
            QVERIFY(backend->requests().isEmpty());
    } else {
        // The connection stays open (keep-alive): read one response per forwarded request.
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, run->port);
        QVERIFY(client.waitForConnected(5000));
        client.write(c.bytes);
        QVERIFY(client.waitForBytesWritten(5000));
        const QByteArray response = TestSupport::readResponse(client);
        for (int i = 1; i < c.requests; ++i)
            QCOMPARE(statusOf(TestSupport::readResponse(client)), 200);
        QTRY_COMPARE(backend->requests().size(), c.requests);
        const auto request = backend->requests().constFirst();
        const QList<QByteArray> line = request.requestLine().split(' ');
        QCOMPARE(line.value(0), c.method);
        QCOMPARE(line.value(1), c.target);
        QCOMPARE(request.body, c.body);
        for (const QByteArray &h : c.strippedHeaders)
            QVERIFY2(request.header(h).isEmpty(), h.constData());
        // One framing header at most, never both.
        QVERIFY(!(!request.header("Content-Length").isEmpty()
                  && !request.header("Transfer-Encoding").isEmpty()));
        QVERIFY(statusOf(response) > 0);
    }
}

void tst_Proxy::largeUploadStreams()
{
    // 1 GiB through the gateway to a backend that only counts: the gateway must stream it with
    // bounded memory (backpressure), not buffer it.
    class CountingServer : public QThread
    {
    public:
        std::atomic<qint64> received{0};
        quint16 port = 0;
        QTcpServer *server = nullptr;
        QSemaphore ready;
        void run() override
        {
            QTcpServer s;
            s.listen(QHostAddress::LocalHost, 0);
            port = s.serverPort();
            ready.release();
            if (!s.waitForNewConnection(30000))
                return;
            QTcpSocket *socket = s.nextPendingConnection();
            QByteArray head;
            qint64 body = 0;
            bool headDone = false;
            const qint64 total = 1LL << 30;
            char buf[65536];
            while (body < total && socket->state() == QAbstractSocket::ConnectedState) {
                if (!socket->waitForReadyRead(30000))
                    break;
                for (;;) {
                    const qint64 n = socket->read(buf, sizeof buf);
                    if (n <= 0)
                        break;
                    if (!headDone) {
                        head.append(buf, n);
                        const qsizetype end = head.indexOf("\r\n\r\n");
                        if (end >= 0) {
                            headDone = true;
                            body += head.size() - end - 4;
                        }
                    } else {
                        body += n;
                    }
                    received = body;
                }
            }
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            socket->waitForBytesWritten(5000);
            socket->waitForDisconnected(2000);
        }
    } counter;
    counter.start();
    counter.ready.acquire();
    auto run = startGateway(loadConfig(gatewayTemplate({counter.port}, 600)));

    const auto rssKb = [] {
        QFile f(QStringLiteral("/proc/self/status"));
        f.open(QIODevice::ReadOnly);
        for (const QByteArray &line : f.readAll().split('\n'))
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').first().toLongLong();
        return 0LL;
    };
    const qint64 rssBefore = rssKb();
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, run.port);
    QVERIFY(client.waitForConnected());
    const qint64 total = 1LL << 30;
    client.write("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + QByteArray::number(total)
                 + "\r\n\r\n");
    const QByteArray chunk(1 << 20, 'x');
    qint64 sent = 0;
    qint64 maxRss = rssBefore;
    while (sent < total) {
        client.write(chunk);
        sent += chunk.size();
        while (client.bytesToWrite() > 4 * chunk.size())
            client.waitForBytesWritten(30000);
        if ((sent & ((64 << 20) - 1)) == 0)
            maxRss = std::max(maxRss, rssKb());
    }
    const QByteArray response = TestSupport::readResponse(client, 60000);
    QCOMPARE(statusOf(response), 200);
    counter.wait();
    QCOMPARE(counter.received.load(), total);
    // The test process holds the client, the gateway and the backend; a buffering gateway would
    // grow by about a gigabyte.
    QVERIFY2(maxRss - rssBefore < 128 * 1024, QByteArray::number(maxRss - rssBefore).constData());
}

void tst_Proxy::eventsLeaveBeforeTheTickWhenManyArePending()
{
    // A burst of events (here access events; in the benchmark 4,000 session upgrades) must not
    // wait in the worker for the session tick: the worker's heap would keep that high-water mark.
    FakeBackend backend;
    backend.setHandler(FakeBackend::respondWith(200, "x"));
    Proxy::GatewayOptions options;
    options.workers = 1;
    options.healthProbes = false;
    options.sessionTickMs = 3'600'000; // no tick during the test
    Proxy::Gateway gateway(options);
    QString error;
    QVERIFY2(gateway.start(loadConfig(gatewayTemplate({backend.port()})), &error),
             qPrintable(error));
    const quint16 port = quint16(gateway.listeners().constFirst().port);
    int accessEvents = 0;
    connect(gateway.events(), &Events::EventBus::eventsPublished, this,
            [&accessEvents](const QList<Events::GatewayEvent> &batch) {
                for (const auto &e : batch)
                    accessEvents += e.type == QLatin1String("access");
            });
    for (int i = 0; i < 300; ++i) {
        const QByteArray response = TestSupport::exchange(
            port, "GET /burst HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        QCOMPARE(statusOf(response), 200);
    }
    QTRY_VERIFY2(accessEvents >= 256, QByteArray::number(accessEvents).constData());
}

void tst_Proxy::accessEvents()
{
    FakeBackend backend;
    backend.setHandler(FakeBackend::respondWith(201, "x"));
    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    QSignalSpy spy(run.gateway->events(), &Events::EventBus::eventsPublished);
    TestSupport::exchange(run.port,
                          "GET /path?q=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    Events::GatewayEvent access;
    const auto findAccess = [&] {
        for (const auto &args : spy) {
            for (const auto &e : args.at(0).value<QList<Events::GatewayEvent>>()) {
                if (e.type == QLatin1String("access")) {
                    access = e;
                    return true;
                }
            }
        }
        return false;
    };
    QTRY_VERIFY(findAccess());
    QCOMPARE(access.fields.value(QStringLiteral("httpStatus")).toInt(), 201);
    QCOMPARE(access.fields.value(QStringLiteral("requestUri")).toString(),
             QStringLiteral("/path?q=1"));
    QCOMPARE(access.fields.value(QStringLiteral("listenerName")).toString(),
             QStringLiteral("listener"));
    QCOMPARE(access.fields.value(QStringLiteral("ruleName")).toString(), QStringLiteral("rule"));
    QCOMPARE(access.fields.value(QStringLiteral("backendPoolName")).toString(),
             QStringLiteral("pool"));
    QCOMPARE(access.fields.value(QStringLiteral("backendSettingName")).toString(),
             QStringLiteral("setting"));
    QCOMPARE(access.fields.value(QStringLiteral("serverStatus")).toString(), QStringLiteral("201"));
    QCOMPARE(access.fields.value(QStringLiteral("transactionId")).toString().size(), 32);
    QVERIFY(access.toJsonLine().startsWith("{\"ts\":\""));
}

void tst_Proxy::pathOverrideAndHostOverride()
{
    FakeBackend backend;
    auto run = startGateway(loadConfig(gatewayTemplate(
        {backend.port()}, 20,
        QStringLiteral(", \"path\": \"/override/\", \"hostName\": \"backend.internal\""))));
    TestSupport::exchange(run.port,
                          "GET /home/?a=b HTTP/1.1\r\nHost: front\r\nConnection: close\r\n\r\n");
    QTRY_COMPARE(backend.requests().size(), 1);
    const auto request = backend.requests().constFirst();
    QCOMPARE(request.requestLine(), QByteArray("GET /override/home/?a=b HTTP/1.1"));
    QCOMPARE(request.header("Host"), QByteArray("backend.internal"));
    QCOMPARE(request.header("X-Original-Host"), QByteArray("front"));
    QCOMPARE(request.header("X-Original-URL"), QByteArray("/home/?a=b"));
}

QTEST_GUILESS_MAIN(tst_Proxy)
#include "tst_proxy.moc"
