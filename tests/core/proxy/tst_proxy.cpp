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

// ---------------------------------------------------------------------------------------------
// Differential framing test: the same requests straight to a scripted backend and through the
// gateway, for every way a response can end.

// One way for a backend to answer, and the requests that get it. A new framing is one row.
struct Framing
{
    const char *name;
    // The backend's answer, written part by part (the gateway reads each part separately);
    // "%p" becomes the request's path, so every answer names the request it belongs to.
    QList<QByteArray> parts;
    bool closeAfter = false; // the backend closes after it (a close-delimited body)
    // Request heads, taken in turn ("%p": /r1, /r2, ...).
    QList<QByteArray> requests = {"GET %p HTTP/1.1\r\nHost: a\r\n\r\n"};
};

const QList<Framing> &framings()
{
    static const QByteArray get = "GET %p HTTP/1.1\r\nHost: a\r\n\r\n";
    static const QList<Framing> rows = {
        {"204 no body by status", {"HTTP/1.1 204 No Content\r\nX-Path: %p\r\n\r\n"}},
        {"304 no body by status",
         {"HTTP/1.1 304 Not Modified\r\nX-Path: %p\r\nETag: \"1\"\r\n\r\n"}},
        {"1xx then 200 empty",
         {"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nX-Path: %p\r\n"
          "Content-Length: 0\r\n\r\n"}},
        {"HEAD with a length",
         {"HTTP/1.1 200 OK\r\nX-Path: %p\r\nContent-Length: 42\r\n\r\n"},
         false,
         {"HEAD %p HTTP/1.1\r\nHost: a\r\n\r\n"}},
        {"200 length 0",
         {"HTTP/1.1 200 OK\r\nX-Backend: raw\r\nX-Path: %p\r\nContent-Length: 0\r\n\r\n"}},
        {"201 length 0", {"HTTP/1.1 201 Created\r\nX-Path: %p\r\nContent-Length: 0\r\n\r\n"}},
        {"302 length 0",
         {"HTTP/1.1 302 Found\r\nLocation: /else\r\nX-Path: %p\r\nContent-Length: 0\r\n\r\n"}},
        {"length with the head",
         {"HTTP/1.1 200 OK\r\nX-Path: %p\r\nContent-Length: 5\r\n\r\nhello"}},
        {"length after the head",
         {"HTTP/1.1 200 OK\r\nX-Path: %p\r\nContent-Length: 5\r\n\r\n", "hello"}},
        {"length split",
         {"HTTP/1.1 200 OK\r\nX-Path: %p\r\nContent-Length: 10\r\n\r\nhello", "world"}},
        {"chunked, last chunk with the head",
         {"HTTP/1.1 200 OK\r\nX-Path: %p\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
          "0\r\n\r\n"}},
        {"chunked, last chunk later",
         {"HTTP/1.1 200 OK\r\nX-Path: %p\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
          "0\r\n\r\n"}},
        {"chunked, empty",
         {"HTTP/1.1 200 OK\r\nX-Path: %p\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"}},
        {"close-delimited", {"HTTP/1.1 200 OK\r\nX-Path: %p\r\n\r\nuntil close"}, true},
        {"close-delimited, empty", {"HTTP/1.1 200 OK\r\nX-Path: %p\r\n\r\n"}, true},
        {"close-delimited, body later", {"HTTP/1.1 200 OK\r\nX-Path: %p\r\n\r\n", "later"}, true},
        // The request side of the same class of bug.
        {"request length 0",
         {"HTTP/1.1 200 OK\r\nX-Path: %p\r\nContent-Length: 2\r\n\r\nok"},
         false,
         {"POST %p HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"}},
        {"request and response length 0",
         {"HTTP/1.1 201 Created\r\nX-Path: %p\r\nContent-Length: 0\r\n\r\n"},
         false,
         {"PUT %p HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"}},
        {"upgrade refused with 426 length 0, then a plain request",
         {"HTTP/1.1 426 Upgrade Required\r\nX-Path: %p\r\nContent-Length: 0\r\n\r\n"},
         false,
         {"GET %p HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
          get}},
    };
    return rows;
}

struct Answer
{
    int status = 0;
    TestSupport::ReceivedRequest message; // head and decoded body
};

// Reads one final response (interim 1xx skipped) from `buffer`, topped up from `socket`: no
// body after HEAD, 204 or 304; Content-Length or chunked; else until the peer closes. *eof says
// the peer closed. onProgress runs once the final head is in and on every read after it.
bool readAnswer(QTcpSocket &socket, QByteArray &buffer, bool *eof, bool headRequest,
                const std::function<void()> &onProgress, Answer *out, int timeoutMs = 5000)
{
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        buffer += socket.readAll();
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
            *eof = true;
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
            const int status = statusOf(buffer);
            if (status >= 100 && status < 200) {
                buffer.remove(0, end + 4);
                continue;
            }
            TestSupport::ReceivedRequest head;
            head.head = buffer.left(end + 4);
            const bool bodiless = headRequest || status == 204 || status == 304;
            const bool untilClose = !bodiless && head.header("Content-Length").isEmpty()
                                    && head.header("Transfer-Encoding").isEmpty();
            out->status = status;
            if (bodiless) {
                out->message = head;
                buffer.remove(0, end + 4);
                return true;
            }
            if (untilClose && *eof) {
                out->message = head;
                out->message.body = buffer.mid(end + 4);
                buffer.clear();
                return true;
            }
            if (!untilClose && TestSupport::takeMessage(buffer, &out->message))
                return true;
            if (onProgress)
                onProgress();
        }
        if (*eof || timer.elapsed() >= timeoutMs)
            return false;
        socket.waitForReadyRead(int(std::max<qint64>(1, timeoutMs - timer.elapsed())));
    }
}

struct Outcome
{
    QList<Answer> answers;
    int clientConnections = 0;
    QString failure;
};

// Sends `count` requests of the row (one after the other, or all pipelined in one write) over
// keep-alive connections to `port`, and reads every answer. A closed connection is reopened for
// the requests still unanswered, as a client does.
Outcome drive(quint16 port, const Framing &f, int count, bool pipelined, FakeBackend &backend)
{
    const auto request = [&f](int i) {
        const QByteArray path = "/r" + QByteArray::number(i + 1);
        return QByteArray(f.requests.at(i % f.requests.size())).replace("%p", path);
    };
    Outcome o;
    QTcpSocket client;
    QByteArray buffer;
    bool eof = true;
    for (int i = 0; i < count; ++i) {
        if (eof) {
            client.abort();
            client.connectToHost(QHostAddress::LocalHost, port);
            if (!client.waitForConnected(5000)) {
                o.failure = QStringLiteral("connect failed");
                return o;
            }
            ++o.clientConnections;
            eof = false;
            buffer.clear();
            if (pipelined) {
                QByteArray all;
                for (int j = i; j < count; ++j)
                    all += request(j);
                client.write(all);
            }
        }
        if (!pipelined)
            client.write(request(i));
        int released = 0;
        const auto progress = [&] {
            if (released < f.parts.size() - 1) {
                ++released;
                backend.releasePart();
            }
        };
        Answer answer;
        if (!readAnswer(client, buffer, &eof, request(i).startsWith("HEAD"), progress, &answer)) {
            o.failure = QStringLiteral("request %1 of %2 not answered (got %3 bytes: %4)")
                            .arg(i + 1)
                            .arg(count)
                            .arg(buffer.size())
                            .arg(QString::fromLatin1(buffer.left(200)));
            return o;
        }
        o.answers.append(answer);
    }
    return o;
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
    void responseFramingsKeepTheConnection_data();
    void responseFramingsKeepTheConnection();
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

void tst_Proxy::responseFramingsKeepTheConnection_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("pipelined");
    for (int i = 0; i < framings().size(); ++i) {
        for (const int count : {2, 3}) {
            for (const bool pipelined : {false, true}) {
                QTest::addRow("%s, %d %s", framings().at(i).name, count,
                              pipelined ? "pipelined" : "sequential")
                    << i << count << pipelined;
            }
        }
    }
}

void tst_Proxy::responseFramingsKeepTheConnection()
{
    // Every way a response can end, each followed by more requests on the same connection: the
    // gateway must answer each one once, log it once, keep the client's connection and give the
    // backend connection back to its pool, like a direct connection to the backend does.
    QFETCH(int, row);
    QFETCH(int, count);
    QFETCH(bool, pipelined);
    const Framing &f = framings().at(row);
    FakeBackend backend;
    backend.setReplyHandler([&f](const TestSupport::ReceivedRequest &r) {
        const QByteArray path = r.requestLine().split(' ').value(1);
        FakeBackend::Reply reply{f.parts, f.closeAfter};
        for (QByteArray &part : reply.parts)
            part.replace("%p", path);
        return reply;
    });
    // Each connection to the backend serves one request when it closes after it, else all.
    const int backendConnections = f.closeAfter ? count : 1;

    const Outcome direct = drive(backend.port(), f, count, pipelined, backend);
    QVERIFY2(direct.failure.isEmpty(),
             qPrintable(QString(QStringLiteral("direct: ") + direct.failure)));
    QCOMPARE(backend.connectionCount(), backendConnections);
    backend.clear();

    auto run = startGateway(loadConfig(gatewayTemplate({backend.port()})));
    QVERIFY(run.port);
    QSignalSpy published(run.gateway->events(), &Events::EventBus::eventsPublished);
    QElapsedTimer timer;
    timer.start();
    const Outcome proxied = drive(run.port, f, count, pipelined, backend);
    QVERIFY2(proxied.failure.isEmpty(),
             qPrintable(QString(QStringLiteral("gateway: ") + proxied.failure)));
    // Well inside the request timeout (20 s): nothing waited for it.
    QVERIFY2(timer.elapsed() < 5000, QByteArray::number(timer.elapsed()).constData());
    QCOMPARE(proxied.clientConnections, 1); // close-delimited bodies are re-chunked
    QCOMPARE(proxied.answers.size(), direct.answers.size());
    for (int i = 0; i < count; ++i) {
        const Answer &want = direct.answers.at(i);
        const Answer &got = proxied.answers.at(i);
        const QByteArray path = "/r" + QByteArray::number(i + 1);
        QCOMPARE(want.message.header("X-Path"), path);
        QCOMPARE(got.message.header("X-Path"), path);
        QCOMPARE(got.status, want.status);
        QCOMPARE(got.message.body, want.message.body);
    }
    QCOMPARE(backend.requests().size(), count);              // each forwarded once
    QCOMPARE(backend.connectionCount(), backendConnections); // reused from the keep-alive pool
    // Exactly one access event per request.
    QList<Events::GatewayEvent> access;
    const auto countAccess = [&] {
        access.clear();
        for (const auto &args : published)
            for (const auto &e : args.at(0).value<QList<Events::GatewayEvent>>())
                if (e.type == QLatin1String("access"))
                    access.append(e);
        return access.size();
    };
    QTRY_COMPARE(countAccess(), count);
    for (int i = 0; i < count; ++i) {
        const QString path = QStringLiteral("/r%1").arg(i + 1);
        int seen = 0;
        for (const auto &e : access) {
            if (e.fields.value(QStringLiteral("requestUri")).toString() == path) {
                ++seen;
                QCOMPARE(e.fields.value(QStringLiteral("httpStatus")).toInt(),
                         direct.answers.at(i).status);
            }
        }
        QCOMPARE(seen, 1);
    }
}

QTEST_GUILESS_MAIN(tst_Proxy)
#include "tst_proxy.moc"
