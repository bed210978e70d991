// The HTTP(S) probe against scripted loopback backends: request shape, status and body matching,
// framing, refused / hanging / closing backends, DNS failure, timeout on the injected clock.

#include "../healthmonitor/scriptedhttpbackend.h"
#include "health/http/httpprobe.h"
#include "net/clock.h"
#include "requirement.h"
#include "tlsbackend.h"

#include <QSignalSpy>
#include <QTest>

using namespace Gateway;
using Gateway::Health::HttpProbe;
using Gateway::Health::ProbeResult;
using Gateway::Health::ProbeSpec;
namespace Messages = Gateway::Health::Messages;

Q_DECLARE_METATYPE(ScriptedHttpBackend::Mode)

class tst_HttpProbe : public QObject
{
    Q_OBJECT

private:
    static ProbeSpec specFor(quint16 port)
    {
        ProbeSpec spec;
        spec.connectHost = QStringLiteral("127.0.0.1");
        spec.connectPort = port;
        return spec;
    }

    // Runs a probe to completion (QTRY, no sleeps) and returns its result.
    static ProbeResult run(const ProbeSpec &spec, Net::Clock *clock)
    {
        HttpProbe probe(spec, clock);
        ProbeResult result;
        int calls = 0;
        probe.setCompletion([&](const ProbeResult &r) {
            result = r;
            ++calls;
        });
        probe.start();
        [&] { QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 10000); }();
        return result;
    }

private slots:
    void initTestCase() { qRegisterMetaType<ProbeResult>(); }

    void requestShape()
    {
        ScriptedHttpBackend backend;
        Net::ManualClock clock;
        ProbeSpec spec = specFor(backend.port());
        spec.hostHeader = QStringLiteral("probe.contoso.com");
        spec.path = QStringLiteral("/healthz?full=1");
        const ProbeResult result = run(spec, &clock);
        QVERIFY(result.success);
        QCOMPARE(backend.requests.size(), 1);
        QCOMPARE(backend.requestLine(0), QByteArray("GET /healthz?full=1 HTTP/1.1"));
        QCOMPARE(backend.header(0, "Host"), QByteArray("probe.contoso.com"));
        QCOMPARE(backend.header(0, "Connection"), QByteArray("close"));
        QCOMPARE(backend.header(0, "User-Agent"),
                 QByteArray("Microsoft-Azure-Application-Gateway/v2 (local)"));
    }

    void statusMatching_data()
    {
        QTest::addColumn<QStringList>("statusCodes");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("success");
        QTest::addColumn<QString>("detail");

        const QStringList none;
        QTest::newRow("default 200") << none << 200 << true << Messages::success(200);
        QTest::newRow("default 302") << none << 302 << true << Messages::success(302);
        QTest::newRow("default 399") << none << 399 << true << Messages::success(399);
        QTest::newRow("default 404 (WebSocket-only backend)")
            << none << 404 << false
            << QStringLiteral("Status code of the backend's HTTP response did not match the probe "
                              "setting. Expected:200-399 Received:404.");
        QTest::newRow("default 500")
            << none << 500 << false << Messages::statusMismatch(QStringLiteral("200-399"), 500);
        QTest::newRow("single code hit")
            << QStringList{"200"} << 200 << true << Messages::success(200);
        QTest::newRow("single code miss") << QStringList{"200"} << 204 << false
                                          << Messages::statusMismatch(QStringLiteral("200"), 204);
        QTest::newRow("comma list hit")
            << QStringList{"301,302"} << 302 << true << Messages::success(302);
        QTest::newRow("comma list miss")
            << QStringList{"301,302"} << 200 << false
            << Messages::statusMismatch(QStringLiteral("301,302"), 200);
        QTest::newRow("range and code")
            << QStringList{"200-204", "401"} << 401 << true << Messages::success(401);
        QTest::newRow("range and code miss")
            << QStringList{"200-204", "401"} << 205 << false
            << Messages::statusMismatch(QStringLiteral("200-204,401"), 205);
        QTest::newRow("404 accepted explicitly")
            << QStringList{"200-399", "404"} << 404 << true << Messages::success(404);
    }

    void statusMatching()
    {
        QFETCH(QStringList, statusCodes);
        QFETCH(int, status);
        QFETCH(bool, success);
        QFETCH(QString, detail);
        ScriptedHttpBackend backend;
        backend.status = status;
        Net::ManualClock clock;
        ProbeSpec spec = specFor(backend.port());
        QVERIFY(spec.statusCodes.parse(statusCodes));
        const ProbeResult result = run(spec, &clock);
        QCOMPARE(result.success, success);
        QCOMPARE(result.httpStatus, status);
        QCOMPARE(result.detail, detail);
        QVERIFY(!result.unresolved);
    }

    void bodyMatching_data()
    {
        QTest::addColumn<ScriptedHttpBackend::Mode>("mode");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("match");
        QTest::addColumn<bool>("success");

        using Mode = ScriptedHttpBackend::Mode;
        const QByteArray healthy = "{\"status\":\"Healthy\",\"checks\":[]}";
        QTest::newRow("content-length, found") << Mode::Respond << healthy << "Healthy" << true;
        QTest::newRow("content-length, missing") << Mode::Respond << healthy << "Degraded" << false;
        QTest::newRow("case-sensitive substring") << Mode::Respond << healthy << "healthy" << false;
        QTest::newRow("no regex") << Mode::Respond << healthy << "Heal.*" << false;
        QTest::newRow("chunked, found across chunks")
            << Mode::Chunked << healthy << "\"Healthy\",\"checks" << true;
        QTest::newRow("chunked, missing") << Mode::Chunked << healthy << "Down" << false;
        QTest::newRow("until close, found") << Mode::UntilClose << healthy << "Healthy" << true;
        QByteArray big(100 * 1024, 'x');
        QByteArray early = big;
        early.replace(10 * 1024, 5, "ALIVE");
        QByteArray late = big;
        late.replace(80 * 1024, 5, "ALIVE");
        QTest::newRow("64 KiB bound: inside") << Mode::Respond << early << "ALIVE" << true;
        QTest::newRow("64 KiB bound: beyond") << Mode::Respond << late << "ALIVE" << false;
        QTest::newRow("64 KiB bound: chunked beyond") << Mode::Chunked << late << "ALIVE" << false;
    }

    void bodyMatching()
    {
        QFETCH(ScriptedHttpBackend::Mode, mode);
        QFETCH(QByteArray, body);
        QFETCH(QString, match);
        QFETCH(bool, success);
        ScriptedHttpBackend backend;
        backend.mode = mode;
        backend.body = body;
        Net::ManualClock clock;
        ProbeSpec spec = specFor(backend.port());
        spec.body = match;
        const ProbeResult result = run(spec, &clock);
        QCOMPARE(result.success, success);
        QCOMPARE(result.httpStatus, 200);
        QCOMPARE(result.detail, success ? Messages::success(200) : Messages::bodyMismatch(match));
    }

    void bodyMismatchWording()
    {
        QCOMPARE(
            Messages::bodyMismatch(QStringLiteral("Healthy")),
            QStringLiteral("Body of the backend's HTTP response did not match the probe setting. "
                           "Received response body doesn't contain Healthy."));
    }

    void refusedConnection()
    {
        Net::ManualClock clock;
        const ProbeResult result = run(specFor(refusedPort()), &clock);
        QVERIFY(!result.success);
        QVERIFY(!result.unresolved);
        QCOMPARE(result.httpStatus, 0);
        QCOMPARE(result.detail, Messages::connect());
    }

    void closedWithoutAnswer()
    {
        ScriptedHttpBackend backend;
        backend.mode = ScriptedHttpBackend::Mode::CloseWithoutAnswer;
        Net::ManualClock clock;
        const ProbeResult result = run(specFor(backend.port()), &clock);
        QVERIFY(!result.success);
        QCOMPARE(result.httpStatus, 0);
        QCOMPARE(result.detail, Messages::connect());
    }

    void closedMidResponse()
    {
        ScriptedHttpBackend backend;
        backend.mode = ScriptedHttpBackend::Mode::CloseMidResponse;
        backend.body = "partial";
        Net::ManualClock clock;
        const ProbeResult result = run(specFor(backend.port()), &clock);
        QVERIFY(!result.success);
        QCOMPARE(result.httpStatus, 200);
        QCOMPARE(result.detail, Messages::connect());
    }

    void hangingBackendTimesOutOnTheClock()
    {
        ScriptedHttpBackend backend;
        backend.mode = ScriptedHttpBackend::Mode::Hang;
        Net::ManualClock clock;
        ProbeSpec spec = specFor(backend.port());
        spec.timeoutMs = 5000;
        HttpProbe probe(spec, &clock);
        QSignalSpy finished(&probe, &HttpProbe::finished);
        probe.start();
        QTRY_COMPARE(backend.requests.size(), 1);
        clock.advance(4999);
        QCoreApplication::processEvents();
        QCOMPARE(finished.size(), 0);
        QVERIFY(!probe.isFinished());
        clock.advance(1);
        QCOMPARE(finished.size(), 1);
        const auto result = finished.at(0).at(0).value<ProbeResult>();
        QVERIFY(!result.success);
        QCOMPARE(result.detail, Messages::timeout());
        QCOMPARE(result.latencyMs, 5000);
    }

    void unresolvableName()
    {
        Net::ManualClock clock;
        ProbeSpec spec = specFor(80);
        spec.connectHost = QStringLiteral("backend.contoso.invalid");
        HttpProbe probe(spec, &clock);
        QSignalSpy finished(&probe, &HttpProbe::finished);
        probe.start();
        QCOMPARE(finished.size(), 0); // never completes inside start()
        QTRY_COMPARE(finished.size(), 1);
        const auto result = finished.at(0).at(0).value<ProbeResult>();
        QVERIFY(!result.success);
        QVERIFY(result.unresolved);
        QCOMPARE(result.detail, Messages::dns());
    }

    void resolvedName()
    {
        APPGW_REQUIRE_LOCALHOST();
        // A name (not an IP literal) goes through QHostInfo; localhost resolves without a network.
        ScriptedHttpBackend backend;
        Net::ManualClock clock;
        ProbeSpec spec = specFor(backend.port());
        spec.connectHost = QStringLiteral("localhost");
        const ProbeResult result = run(spec, &clock);
        QVERIFY2(result.success, qPrintable(result.detail));
    }

    void cancelSuppressesCompletion()
    {
        ScriptedHttpBackend backend;
        backend.mode = ScriptedHttpBackend::Mode::Hang;
        Net::ManualClock clock;
        ProbeSpec spec = specFor(backend.port());
        spec.timeoutMs = 1000;
        HttpProbe probe(spec, &clock);
        int calls = 0;
        probe.setCompletion([&](const ProbeResult &) { ++calls; });
        probe.start();
        QTRY_COMPARE(backend.requests.size(), 1);
        probe.cancel();
        clock.advance(5000);
        QCoreApplication::processEvents();
        QCOMPARE(calls, 0);
    }

    void notHttp()
    {
        // A backend that answers garbage: no status line.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QObject::connect(&server, &QTcpServer::newConnection, &server, [&server] {
            QTcpSocket *s = server.nextPendingConnection();
            s->write("SSH-2.0-OpenSSH_9.2\r\n\r\n");
            s->disconnectFromHost();
        });
        Net::ManualClock clock;
        const ProbeResult result = run(specFor(server.serverPort()), &clock);
        QVERIFY(!result.success);
        QCOMPARE(result.detail, Messages::connect());
    }

    void tls_data()
    {
        QTest::addColumn<QString>("leafName");
        QTest::addColumn<bool>("leafExpired");
        QTest::addColumn<QString>("probeHost");
        QTest::addColumn<int>("roots"); // 0 none (system CAs), 1 the issuing CA, 2 an unrelated CA
        QTest::addColumn<bool>("success");
        QTest::addColumn<QString>("detail");
        QTest::newRow("trusted, name matches")
            << "backend.contoso.test" << false << "backend.contoso.test" << 1 << true
            << Messages::success(200);
        QTest::newRow("trusted, name differs")
            << "backend.contoso.test" << false << "other.contoso.test" << 1 << false
            << Messages::commonNameMismatch();
        QTest::newRow("no trusted root configured")
            << "backend.contoso.test" << false << "backend.contoso.test" << 0 << false
            << Messages::untrustedRoot();
        QTest::newRow("wrong trusted root")
            << "backend.contoso.test" << false << "backend.contoso.test" << 2 << false
            << Messages::untrustedRoot();
        QTest::newRow("expired leaf") << "backend.contoso.test" << true << "backend.contoso.test"
                                      << 1 << false << Messages::expired();
    }

    void tls()
    {
        QFETCH(QString, leafName);
        QFETCH(bool, leafExpired);
        QFETCH(QString, probeHost);
        QFETCH(int, roots);
        QFETCH(bool, success);
        QFETCH(QString, detail);
        APPGW_REQUIRE(QSslSocket::supportsSsl(), APPGW_TLS_REASON);
        const TestCerts::KeyPair ca = TestCerts::make(QStringLiteral("Probe Test Root"), nullptr,
                                                      true);
        const TestCerts::KeyPair other = TestCerts::make(QStringLiteral("Unrelated Root"), nullptr,
                                                         true);
        const TestCerts::KeyPair leaf = leafExpired ? TestCerts::make(leafName, &ca, false,
                                                                      -2 * 86400, -86400)
                                                    : TestCerts::make(leafName, &ca, false);
        TlsBackend backend(leaf);
        Net::ManualClock clock;
        ProbeSpec spec = specFor(backend.port());
        spec.scheme = QStringLiteral("https");
        spec.hostHeader = probeHost; // Host header and SNI; the TCP connection goes to 127.0.0.1
        if (roots == 1)
            spec.trustedRoots = {ca.certificate()};
        else if (roots == 2)
            spec.trustedRoots = {other.certificate()};
        const ProbeResult result = run(spec, &clock);
        QCOMPARE(result.detail, detail);
        QCOMPARE(result.success, success);
        if (success) {
            QCOMPARE(backend.requests.size(), 1);
            QCOMPARE(backend.header(0, "Host"), probeHost.toUtf8());
        } else {
            QCOMPARE(backend.requests.size(), 0); // nothing sent over an unverified connection
        }
    }

    void httpsProbeToPlainHttpBackend()
    {
        APPGW_REQUIRE(QSslSocket::supportsSsl(), APPGW_TLS_REASON);
        // A plain-HTTP server answers the ClientHello with a 400 and closes: the handshake fails.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QObject::connect(&server, &QTcpServer::newConnection, &server, [&server] {
            QTcpSocket *s = server.nextPendingConnection();
            QObject::connect(s, &QTcpSocket::readyRead, s, [s] {
                s->readAll();
                s->write(
                    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                s->disconnectFromHost();
            });
        });
        Net::ManualClock clock;
        ProbeSpec spec = specFor(server.serverPort());
        spec.scheme = QStringLiteral("https");
        const ProbeResult result = run(spec, &clock);
        QVERIFY(!result.success);
        QCOMPARE(result.detail, Messages::connect());
    }

    void rawResponses_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QString>("bodyMatch");
        QTest::addColumn<bool>("success");
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QString>("detail");
        QTest::newRow("100 Continue, then 200") << QByteArray(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
                                                << "" << true << 200 << Messages::success(200);
        QTest::newRow("HTTP/1.0 without length") << QByteArray("HTTP/1.0 200 OK\r\n\r\nall good")
                                                 << "good" << true << 200 << Messages::success(200);
        QTest::newRow("no reason phrase") << QByteArray("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")
                                          << "" << true << 200 << Messages::success(200);
        QTest::newRow("204 without body") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << ""
                                          << true << 204 << Messages::success(204);
        QTest::newRow("chunk extension") << QByteArray(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nHello\r\n0\r\n\r\n")
                                         << "Hello" << true << 200 << Messages::success(200);
        QTest::newRow("chunked wins over length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n2\r\nOK\r\n0\r\n\r\n")
            << "OK" << true << 200 << Messages::success(200);
        QTest::newRow("bad chunk size") << QByteArray(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nHello\r\n0\r\n\r\n")
                                        << "" << false << 200 << Messages::connect();
        QTest::newRow("missing CRLF after chunk")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOKXX0\r\n\r\n")
            << "" << false << 200 << Messages::connect();
        QTest::newRow("negative length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n") << "" << false << 200
            << Messages::connect();
        QTest::newRow("garbage length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n") << "" << false << 200
            << Messages::connect();
        QTest::newRow("headers over 32 KiB")
            << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(40 * 1024, 'a') + "\r\n\r\n")
            << "" << false << 0 << Messages::connect();
        QTest::newRow("status out of range")
            << QByteArray("HTTP/1.1 20 OK\r\n\r\n") << "" << false << 0 << Messages::connect();
        QTest::newRow("101 to a GET")
            << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n") << ""
            << false << 101 << Messages::statusMismatch("200-399", 101);
    }

    void rawResponses()
    {
        QFETCH(QByteArray, response);
        QFETCH(QString, bodyMatch);
        QFETCH(bool, success);
        QFETCH(int, httpStatus);
        QFETCH(QString, detail);
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, response] {
            QTcpSocket *s = server.nextPendingConnection();
            QObject::connect(s, &QTcpSocket::readyRead, s, [s, response] {
                s->readAll();
                s->write(response);
                s->disconnectFromHost();
            });
        });
        Net::ManualClock clock;
        ProbeSpec spec = specFor(server.serverPort());
        spec.body = bodyMatch;
        const ProbeResult result = run(spec, &clock);
        QCOMPARE(result.detail, detail);
        QCOMPARE(result.success, success);
        QCOMPARE(result.httpStatus, httpStatus);
    }

    void systemClock()
    {
        // nullptr clock: the system clock (QTimer); a quick backend answers long before the timeout.
        ScriptedHttpBackend backend;
        const ProbeResult result = run(specFor(backend.port()), nullptr);
        QVERIFY(result.success);
        QVERIFY(result.timeMs > 1'600'000'000'000);
        QVERIFY(result.latencyMs >= 0 && result.latencyMs < 10'000);
    }

    void sslErrorMapping_data()
    {
        QTest::addColumn<QList<int>>("errors");
        QTest::addColumn<QString>("message");
        QTest::newRow("name") << QList<int>{int(QSslError::HostNameMismatch)}
                              << Messages::commonNameMismatch();
        QTest::newRow("expired") << QList<int>{int(QSslError::CertificateExpired)}
                                 << Messages::expired();
        QTest::newRow("not yet valid")
            << QList<int>{int(QSslError::CertificateNotYetValid)} << Messages::expired();
        QTest::newRow("self-signed")
            << QList<int>{int(QSslError::SelfSignedCertificate)} << Messages::untrustedRoot();
        QTest::newRow("unknown issuer")
            << QList<int>{int(QSslError::UnableToGetLocalIssuerCertificate)}
            << Messages::untrustedRoot();
        QTest::newRow("untrusted beats name")
            << QList<int>{int(QSslError::HostNameMismatch), int(QSslError::SelfSignedCertificate)}
            << Messages::untrustedRoot();
        QTest::newRow("expired beats name")
            << QList<int>{int(QSslError::HostNameMismatch), int(QSslError::CertificateExpired)}
            << Messages::expired();
        QTest::newRow("other") << QList<int>{int(QSslError::CertificateRevoked)} << QString();
    }

    void sslErrorMapping()
    {
        QFETCH(QList<int>, errors);
        QFETCH(QString, message);
        QList<QSslError> list;
        for (int e : errors)
            list.append(QSslError(QSslError::SslError(e)));
        QCOMPARE(HttpProbe::messageForSslErrors(list), message);
    }
};

QTEST_GUILESS_MAIN(tst_HttpProbe)
#include "tst_httpprobe.moc"
