// Acceptance (issue 15), as a new user would run Azure's public quickstart templates for
// Application Gateway: each template loads unchanged with only a backendAddressMap (every address
// its pools name mapped to a local backend on 127.0.0.1) and a frontendPortMap (every frontend
// port to port 0), the gateway starts, and every listener answers 200 from the local backend,
// HTTPS included: a certificate that cannot be had locally becomes a development certificate
// signed by the local development CA (this test's own, in a temporary APPGW_DATA_DIR), which the
// client trusts; a real certificate in the template is trusted as itself. A listener whose rule
// redirects answers the redirect Azure would. Nothing outside 127.0.0.0/8 is contacted: the
// validator must report no unmapped address once the map is in place.

#include "config/configdocument.h"
#include "config/configvalidator.h"
#include "fakebackend.h"
#include "proxy/gateway.h"
#include "testsupport.h"
#include "tls/certificatefactory.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Gateway;

namespace {

QString describe(const Config::Diagnostics &ds)
{
    QStringList lines;
    for (const Config::Diagnostic &d : ds)
        lines << Config::formatDiagnostic(QStringLiteral("-"), d);
    return lines.join(QLatin1Char('\n'));
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The template with metadata.localGateway set as a user would write it.
QByteArray withLocalGateway(const QByteArray &json, const QJsonObject &local)
{
    QJsonObject root = QJsonDocument::fromJson(json).object();
    QJsonObject metadata = root.value(QStringLiteral("metadata")).toObject();
    metadata.insert(QStringLiteral("localGateway"), local);
    root.insert(QStringLiteral("metadata"), metadata);
    return QJsonDocument(root).toJson();
}

int statusOf(const QByteArray &response)
{
    return response.startsWith("HTTP/1.1 ") ? response.mid(9, 3).toInt() : -1;
}

QByteArray headerOf(const QByteArray &response, const QByteArray &name)
{
    const QByteArray head = response.left(response.indexOf("\r\n\r\n"));
    for (const QByteArray &line : head.split('\n')) {
        const int colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

struct Reply
{
    QByteArray response;
    QString error;
};

// One GET with Connection: close, plain or TLS (SNI = host), read to the end while the event
// loop runs (the gateway's own thread objects keep working).
Reply get(quint16 port, bool tls, const QString &host, const QByteArray &path,
          const QList<QSslCertificate> &cas)
{
    Reply reply;
    QSslSocket socket;
    if (tls) {
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setCaCertificates(cas);
        socket.setSslConfiguration(c);
    }
    bool done = false;
    const QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: " + host.toLatin1()
                               + "\r\nConnection: close\r\n\r\n";
    QObject::connect(&socket, &QSslSocket::encrypted, &socket, [&] { socket.write(request); });
    QObject::connect(&socket, &QSslSocket::connected, &socket, [&] {
        if (!tls)
            socket.write(request);
    });
    QObject::connect(&socket, &QSslSocket::readyRead, &socket,
                     [&] { reply.response += socket.readAll(); });
    QObject::connect(&socket, &QSslSocket::disconnected, &socket, [&] { done = true; });
    QObject::connect(&socket, &QSslSocket::sslErrors, &socket, [&](const QList<QSslError> &es) {
        for (const QSslError &e : es)
            reply.error += e.errorString() + QLatin1Char(';');
    });
    QObject::connect(&socket, &QSslSocket::errorOccurred, &socket, [&] {
        if (socket.error() != QAbstractSocket::RemoteHostClosedError && reply.error.isEmpty())
            reply.error = socket.errorString();
        if (socket.state() == QAbstractSocket::UnconnectedState)
            done = true;
    });
    if (tls)
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, host);
    else
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!QTest::qWaitFor([&] { return done; }, 10'000) && reply.error.isEmpty())
        reply.error = QStringLiteral("no answer within 10 s");
    reply.response += socket.readAll();
    return reply;
}

// A host name a listener answers: its hostName, else its first host name with a wildcard made
// concrete, else localhost (a basic listener takes any host).
QString hostFor(const Config::HttpListener &l)
{
    QString host = !l.hostName.isEmpty()    ? l.hostName
                   : !l.hostNames.isEmpty() ? l.hostNames.first()
                                            : QStringLiteral("localhost");
    host.replace(QLatin1Char('*'), QStringLiteral("www"));
    host.replace(QLatin1Char('?'), QStringLiteral("a"));
    return host;
}

// A concrete request path for a path rule's pattern ("/images/*" -> "/images/x").
QByteArray pathFor(const QString &pattern)
{
    QString p = pattern;
    if (p.endsWith(QLatin1Char('*')))
        p.chop(1), p += QStringLiteral("x");
    return p.toLatin1();
}

int redirectStatus(const QString &type)
{
    if (type.compare(QLatin1String("Found"), Qt::CaseInsensitive) == 0)
        return 302;
    if (type.compare(QLatin1String("SeeOther"), Qt::CaseInsensitive) == 0)
        return 303;
    if (type.compare(QLatin1String("Temporary"), Qt::CaseInsensitive) == 0)
        return 307;
    return 301;
}

} // namespace

class tst_Quickstarts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void servesThroughEveryListener_data();
    void servesThroughEveryListener();

private:
    QTemporaryDir m_dataDir; // APPGW_DATA_DIR: this test's development CA
    QList<QSslCertificate> m_devCa;
};

void tst_Quickstarts::initTestCase()
{
    QVERIFY(QSslSocket::supportsSsl());
    QVERIFY(m_dataDir.isValid());
    qputenv("APPGW_DATA_DIR", m_dataDir.path().toLocal8Bit());
    QString caPath, error;
    QVERIFY2(!Tls::developmentCa(&caPath, &error).isNull(), qPrintable(error));
    m_devCa = QSslCertificate::fromPath(caPath, QSsl::Pem);
    QCOMPARE(m_devCa.size(), 1);
}

void tst_Quickstarts::servesThroughEveryListener_data()
{
    QTest::addColumn<QString>("folder");     // holds azuredeploy.json
    QTest::addColumn<QString>("parameters"); // file in the folder, or empty
    const QString shared = TestSupport::sharedDir() + QStringLiteral("/arm-samples/");
    const QString own = TestSupport::sourceDir()
                        + QStringLiteral("/tests/core/armtemplate/templates/");
    // ../shared/arm-samples (local.parameters.json where the quickstart leaves values open).
    QTest::newRow("application-gateway-create") << shared + "application-gateway-create"
                                                << "azuredeploy.parameters.json";
    QTest::newRow("application-gateway-multihosting") << shared + "application-gateway-multihosting"
                                                      << "local.parameters.json";
    QTest::newRow("application-gateway-probe") << shared + "application-gateway-probe"
                                               << "azuredeploy.parameters.json";
    QTest::newRow("application-gateway-redirect") << shared + "application-gateway-redirect"
                                                  << "local.parameters.json";
    QTest::newRow("application-gateway-rewrite") << shared + "application-gateway-rewrite"
                                                 << "azuredeploy.parameters.json";
    QTest::newRow("application-gateway-url-path-based-routing")
        << shared + "application-gateway-url-path-based-routing"
        << "azuredeploy.parameters.json";
    // tests/core/armtemplate/templates (SOURCES.txt there).
    QTest::newRow("application-gateway-key-vault-create")
        << own + "application-gateway-key-vault-create"
        << "azuredeploy.parameters.json";
    QTest::newRow("application-gateway-v2-autoscale-create")
        << own + "application-gateway-v2-autoscale-create" << QString();
    QTest::newRow("application-gateway-webapps") << own + "application-gateway-webapps"
                                                 << "azuredeploy.parameters.json";
    QTest::newRow("application-gateway-public-ip-ssl-offload")
        << own + "application-gateway-public-ip-ssl-offload"
        << "azuredeploy.parameters.json";
    QTest::newRow("front-door-standard-premium-application-gateway-public")
        << own + "front-door-standard-premium-application-gateway-public"
        << "azuredeploy.parameters.json";
    QTest::newRow("application-gateway-waf-firewall-policy")
        << own + "application-gateway-waf-firewall-policy"
        << "local.parameters.json";
}

void tst_Quickstarts::servesThroughEveryListener()
{
    QFETCH(QString, folder);
    QFETCH(QString, parameters);
    const QByteArray json = readAll(folder + QStringLiteral("/azuredeploy.json"));
    QVERIFY2(!json.isEmpty(), qPrintable(folder));
    const QByteArray parametersJson = parameters.isEmpty()
                                          ? QByteArray()
                                          : readAll(folder + QLatin1Char('/') + parameters);

    // First load, as the user opens it: which addresses and ports does it name?
    const Config::ConfigDocument first = Config::ConfigDocument::fromJson(json, parametersJson);
    QVERIFY2(first.isLoaded() && !Config::hasErrors(first.loadDiagnostics()),
             qPrintable(describe(first.loadDiagnostics())));

    TestSupport::FakeBackend backend;
    backend.setHandler(TestSupport::FakeBackend::respondWith(200, "local backend"));
    QJsonObject addressMap, portMap;
    for (const Config::BackendAddressPool &pool : first.model().backendAddressPools)
        for (const Config::BackendAddress &a : pool.backendAddresses)
            addressMap.insert(a.address(), QStringLiteral("127.0.0.1:%1").arg(backend.port()));
    for (const Config::FrontendPort &p : first.model().frontendPorts)
        portMap.insert(QString::number(p.port), 0);
    QVERIFY(!addressMap.isEmpty());

    // Second load with only metadata.localGateway added.
    const Config::ConfigDocument doc = Config::ConfigDocument::fromJson(
        withLocalGateway(json, {{QStringLiteral("backendAddressMap"), addressMap},
                                {QStringLiteral("frontendPortMap"), portMap}}),
        parametersJson);
    Config::Diagnostics all = doc.loadDiagnostics();
    all += Config::validate(doc.model());
    QVERIFY2(!Config::hasErrors(all), qPrintable(describe(all)));
    for (const Config::Diagnostic &d : std::as_const(all))
        QVERIFY2(d.standIn != QLatin1String("unmapped address"), qPrintable(describe({d})));
    const Config::GatewayConfig &model = doc.model();

    // Trusted by the client: the development CA, and any real certificate the template carries.
    QList<QSslCertificate> cas = m_devCa;
    QHash<QString, QSslCertificate> realCertificates; // sslCertificate name (lower case) ->
    for (const Config::SslCertificate &c : model.sslCertificates) {
        QSslKey key;
        QSslCertificate cert;
        QList<QSslCertificate> chain;
        const auto decoded = QByteArray::fromBase64Encoding(c.data.toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.isEmpty())
            continue; // a placeholder such as GEN-SELFSIGNED-CERT-PFXDATA
        QByteArray pfx = decoded.decoded;
        QBuffer buffer(&pfx);
        if (buffer.open(QIODevice::ReadOnly)
            && QSslCertificate::importPkcs12(&buffer, &key, &cert, &chain, c.password.toUtf8())) {
            cas << cert << chain;
            realCertificates.insert(c.name.toLower(), cert);
        }
    }

    Proxy::GatewayOptions options;
    options.healthProbes = false;
    Proxy::Gateway gateway(options);
    QString error;
    QVERIFY2(gateway.start(model, &error), qPrintable(error));

    int requests = 0;
    for (const Config::HttpListener &listener : model.httpListeners) {
        const Config::FrontendPort *fp = model.frontendPort(listener.frontendPort.name);
        QVERIFY(fp);
        quint16 port = 0;
        for (const Proxy::ListenerInfo &info : gateway.listeners())
            if (info.frontendPort == fp->port)
                port = quint16(info.port);
        QVERIFY2(port != 0, qPrintable(listener.name));
        const bool tls = listener.protocol.compare(QLatin1String("Https"), Qt::CaseInsensitive)
                         == 0;
        QString host = hostFor(listener);
        // A listener without host names behind a real certificate: a name the certificate has.
        const QSslCertificate real = realCertificates.value(listener.sslCertificate.name.toLower());
        if (tls && listener.hostName.isEmpty() && listener.hostNames.isEmpty() && !real.isNull()) {
            const QStringList names = real.subjectAlternativeNames().values(QSsl::DnsEntry);
            if (!names.isEmpty())
                host = QString(names.first()).replace(QLatin1Char('*'), QStringLiteral("www"));
        }

        // The paths that reach each target of the listener's rules: "/" and every path rule.
        for (const Config::RequestRoutingRule &rule : model.requestRoutingRules) {
            if (rule.httpListener.name.compare(listener.name, Qt::CaseInsensitive) != 0)
                continue;
            QList<QPair<QByteArray, Config::Ref>> targets; // path, redirect (unset: a pool)
            if (const Config::UrlPathMap *map = model.urlPathMap(rule.urlPathMap.name)) {
                targets.append({"/", map->defaultRedirectConfiguration});
                for (const Config::PathRule &pr : map->pathRules)
                    targets.append({pathFor(pr.paths.value(0)), pr.redirectConfiguration});
            } else {
                targets.append({"/", rule.redirectConfiguration});
            }
            for (const auto &[path, redirect] : std::as_const(targets)) {
                const Reply r = get(port, tls, host, path, cas);
                const QString what = QStringLiteral("%1 %2://%3%4 (rule %5): %6")
                                         .arg(listener.name, tls ? "https" : "http", host,
                                              QString::fromLatin1(path), rule.name, r.error);
                ++requests;
                if (const Config::RedirectConfiguration *rc = model.redirectConfiguration(
                        redirect.name)) {
                    QVERIFY2(statusOf(r.response) == redirectStatus(rc->redirectType),
                             qPrintable(what + QString::fromLatin1(r.response.left(200))));
                    QVERIFY2(!headerOf(r.response, "Location").isEmpty(), qPrintable(what));
                    continue;
                }
                QVERIFY2(statusOf(r.response) == 200,
                         qPrintable(what + QLatin1Char(' ')
                                    + QString::fromLatin1(r.response.left(300))));
                QVERIFY2(r.response.endsWith("local backend"), qPrintable(what));
            }
        }
    }
    QVERIFY(requests > 0);
    QVERIFY(!backend.requests().isEmpty());
}

QTEST_GUILESS_MAIN(tst_Quickstarts)
#include "tst_quickstarts.moc"
