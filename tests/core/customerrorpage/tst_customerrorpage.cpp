// Custom error pages through a running gateway: a local file (metadata.localGateway
// .customErrorPageFiles) or a loopback URL fetched once; used only for errors the gateway makes;
// listener level over gateway level; an unreachable page falls back to Azure's with a warning.

#include "config/configdocument.h"
#include "config/configvalidator.h"
#include "events/gatewayevent.h"
#include "fakebackend.h"
#include "proxy/gateway.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Gateway;
using TestSupport::FakeBackend;

namespace {

struct Running
{
    std::unique_ptr<Proxy::Gateway> gateway;
    quint16 port = 0;
};

Running startGateway(const Config::GatewayConfig &config, const QString &directory = {})
{
    Proxy::GatewayOptions options;
    options.healthProbes = false;
    options.configDirectory = directory;
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

quint16 closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

QJsonArray errors(const QList<QPair<QString, QString>> &pages)
{
    QJsonArray a;
    for (const auto &p : pages)
        a.append(QJsonObject{{QStringLiteral("statusCode"), p.first},
                             {QStringLiteral("customErrorPageUrl"), p.second}});
    return a;
}

// The common test template with gateway-level and listener-level customErrorConfigurations and
// customErrorPageFiles.
Config::GatewayConfig configWith(quint16 backend, const QJsonArray &gatewayLevel,
                                 const QJsonArray &listenerLevel, const QJsonObject &files = {})
{
    QJsonObject root = QJsonDocument::fromJson(TestSupport::gatewayTemplate({backend})).object();
    QJsonArray resources = root.value(QStringLiteral("resources")).toArray();
    QJsonObject gw = resources.at(0).toObject();
    QJsonObject props = gw.value(QStringLiteral("properties")).toObject();
    if (!gatewayLevel.isEmpty())
        props.insert(QStringLiteral("customErrorConfigurations"), gatewayLevel);
    QJsonArray listeners = props.value(QStringLiteral("httpListeners")).toArray();
    QJsonObject listener = listeners.at(0).toObject();
    QJsonObject lprops = listener.value(QStringLiteral("properties")).toObject();
    if (!listenerLevel.isEmpty())
        lprops.insert(QStringLiteral("customErrorConfigurations"), listenerLevel);
    listener.insert(QStringLiteral("properties"), lprops);
    listeners[0] = listener;
    props.insert(QStringLiteral("httpListeners"), listeners);
    gw.insert(QStringLiteral("properties"), props);
    resources[0] = gw;
    root.insert(QStringLiteral("resources"), resources);
    QJsonObject metadata = root.value(QStringLiteral("metadata")).toObject();
    QJsonObject local = metadata.value(QStringLiteral("localGateway")).toObject();
    if (!files.isEmpty())
        local.insert(QStringLiteral("customErrorPageFiles"), files);
    metadata.insert(QStringLiteral("localGateway"), local);
    root.insert(QStringLiteral("metadata"), metadata);
    const auto doc = Config::ConfigDocument::fromJson(QJsonDocument(root).toJson());
    for (const auto &d : doc.loadDiagnostics())
        qWarning() << d.path << d.message;
    return doc.model();
}

QByteArray get(quint16 port, const QByteArray &path = "/")
{
    return TestSupport::exchange(port, "GET " + path
                                           + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
}

QByteArray bodyOf(const QByteArray &response)
{
    return response.mid(response.indexOf("\r\n\r\n") + 4);
}

} // namespace

class tst_CustomErrorPage final : public QObject
{
    Q_OBJECT
private slots:
    void localFileForGatewayErrorsOnly();
    void listenerLevelWinsOverGatewayLevel();
    void loopbackUrlFetchedOnce();
    void unreachablePageFallsBackWithWarning();
    void remoteUrlIsNeverFetched();
};

void tst_CustomErrorPage::localFileForGatewayErrorsOnly()
{
    QTemporaryDir dir;
    QFile page(dir.filePath(QStringLiteral("maintenance.html")));
    QVERIFY(page.open(QIODevice::WriteOnly));
    page.write("<html>maintenance</html>");
    page.close();
    const QString url = QStringLiteral("https://contoso.blob.core.windows.net/errors/502.html");
    // The pool's member is down: the gateway makes the 502 and uses the page.
    const auto down = configWith(closedPort(), {}, errors({{"HttpStatus502", url}}),
                                 QJsonObject{{url, QStringLiteral("maintenance.html")}});
    for (const auto &d : Config::validate(down))
        QVERIFY2(!d.message.contains(QLatin1String("never fetched")), qPrintable(d.message));
    auto run = startGateway(down, dir.path());
    QVERIFY(run.port);
    const QByteArray response = get(run.port);
    QCOMPARE(response.left(12), QByteArray("HTTP/1.1 502"));
    QCOMPARE(bodyOf(response), QByteArray("<html>maintenance</html>"));
    QVERIFY(response.contains("\r\nContent-Type: text/html\r\n"));
    // A 502 the backend sends itself passes through unchanged.
    FakeBackend backend;
    backend.setHandler(FakeBackend::respondWith(502, "backend's own"));
    auto run2 = startGateway(configWith(backend.port(), {}, errors({{"HttpStatus502", url}}),
                                        QJsonObject{{url, QStringLiteral("maintenance.html")}}),
                             dir.path());
    const QByteArray own = get(run2.port);
    QCOMPARE(own.left(12), QByteArray("HTTP/1.1 502"));
    QCOMPARE(bodyOf(own), QByteArray("backend's own"));
    // Another gateway error without a page keeps Azure's default page.
    const QByteArray notFound = get(run2.port, "/x y");
    QVERIFY(bodyOf(notFound).contains("Microsoft-Azure-Application-Gateway/v2"));
}

void tst_CustomErrorPage::listenerLevelWinsOverGatewayLevel()
{
    QTemporaryDir dir;
    for (const char *name : {"gw.html", "listener.html"}) {
        QFile f(dir.filePath(QString::fromLatin1(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(name);
    }
    const auto config = configWith(closedPort(),
                                   errors({{"HttpStatus502", "https://x.example/gw.html"},
                                           {"HttpStatus400", "https://x.example/gw.html"}}),
                                   errors({{"HttpStatus502", "https://x.example/l.html"}}),
                                   QJsonObject{{"https://x.example/gw.html", "gw.html"},
                                               {"https://x.example/l.html", "listener.html"}});
    auto run = startGateway(config, dir.path());
    QCOMPARE(bodyOf(get(run.port)), QByteArray("listener.html"));
    // A 400 (bad request) has only the gateway-level page.
    const QByteArray bad = TestSupport::exchange(run.port, "GET / HTTP/1.1\r\n\r\n");
    QCOMPARE(bad.left(12), QByteArray("HTTP/1.1 400"));
    QCOMPARE(bodyOf(bad), QByteArray("gw.html"));
}

void tst_CustomErrorPage::loopbackUrlFetchedOnce()
{
    FakeBackend pages;
    pages.setHandler(FakeBackend::respondWith(200, "<p>custom 502</p>",
                                              "Content-Type: text/html\r\n"));
    const QString url = QStringLiteral("http://127.0.0.1:%1/502.html").arg(pages.port());
    auto run = startGateway(configWith(closedPort(), errors({{"HttpStatus502", url}}), {}));
    QVERIFY(run.port);
    QTRY_COMPARE(bodyOf(get(run.port)), QByteArray("<p>custom 502</p>"));
    QCOMPARE(bodyOf(get(run.port)), QByteArray("<p>custom 502</p>"));
    // Applying the configuration again does not fetch it again (cached, as Azure does).
    QVERIFY(run.gateway->apply(run.gateway->config()));
    const auto port = quint16(run.gateway->listeners().constFirst().port); // port 0 rebinds
    QCOMPARE(bodyOf(get(port)), QByteArray("<p>custom 502</p>"));
    QCOMPARE(pages.requests().size(), 1);
    QCOMPARE(pages.requests().constFirst().requestLine(), QByteArray("GET /502.html HTTP/1.1"));
}

void tst_CustomErrorPage::unreachablePageFallsBackWithWarning()
{
    const QString url = QStringLiteral("http://127.0.0.1:%1/gone.html").arg(closedPort());
    Proxy::GatewayOptions options;
    options.healthProbes = false;
    Proxy::Gateway gateway(options);
    QSignalSpy spy(gateway.events(), &Events::EventBus::eventsPublished);
    QVERIFY(gateway.start(configWith(closedPort(), errors({{"HttpStatus502", url}}), {})));
    const auto warned = [&] {
        for (const auto &args : spy)
            for (const auto &e : args.at(0).value<QList<Events::GatewayEvent>>())
                if (e.type == QLatin1String("config.warning")
                    && e.fields.value(QStringLiteral("message")).toString().contains(url))
                    return true;
        return false;
    };
    QTRY_VERIFY(warned());
    const QByteArray response = get(quint16(gateway.listeners().constFirst().port));
    QVERIFY(bodyOf(response).contains("<title>502 Bad Gateway</title>"));
}

void tst_CustomErrorPage::remoteUrlIsNeverFetched()
{
    const auto config = configWith(closedPort(),
                                   errors({{"HttpStatus502", "https://example.com/502.html"},
                                           {"HttpStatus404", "http://127.0.0.1/404.html"}}),
                                   {});
    QStringList messages;
    for (const auto &d : Config::validate(config))
        messages << d.message;
    const QString all = messages.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QLatin1String("https://example.com/502.html is not on this machine")),
             qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("metadata.localGateway.customErrorPageFiles")),
             qPrintable(all));
    QVERIFY2(all.contains(QLatin1String("'HttpStatus404' has no custom error page")),
             qPrintable(all));
    auto run = startGateway(config);
    QVERIFY(bodyOf(get(run.port)).contains("<title>502 Bad Gateway</title>"));
}

QTEST_MAIN(tst_CustomErrorPage)
#include "tst_customerrorpage.moc"
