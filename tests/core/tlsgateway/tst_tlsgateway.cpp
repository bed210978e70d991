// HTTPS listeners, wss, SNI, SSL policy, plain HTTP on the TLS port, end-to-end TLS to backends
// and certificate load errors (issue 5), through a real Gateway on loopback port 0. Every
// certificate is generated here with core/tls's CertificateFactory.

#include "config/configdocument.h"
#include "events/gatewayevent.h"
#include "fakebackend.h"
#include "net/clock.h"
#include "proxy/gateway.h"
#include "tls/certificatefactory.h"
#include "tls/certificatestore.h"
#include "tls/clienthello.h"
#include "tls/tlsacceptor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Gateway;

namespace {

QString idOf(const QString &collection, const QString &name)
{
    return QStringLiteral("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
                          "applicationGateways/gw/%1/%2")
        .arg(collection, name);
}

QJsonObject ref(const QString &collection, const QString &name)
{
    return QJsonObject{{QStringLiteral("id"), idOf(collection, name)}};
}

// A bare applicationGateways resource: listeners on frontend port 443 (mapped to port 0).
struct GatewayJson
{
    QJsonArray certificates, listeners, rules, settings, roots;
    QJsonObject certificateFiles;
    int backendPort = 0;

    void addCertificate(const QString &name, const QByteArray &pfx, const QString &password)
    {
        certificates.append(QJsonObject{
            {QStringLiteral("name"), name},
            {QStringLiteral("properties"),
             QJsonObject{{QStringLiteral("data"), QString::fromLatin1(pfx.toBase64())},
                         {QStringLiteral("password"), password}}}});
    }
    void addListener(const QString &name, const QString &cert, const QString &host = {},
                     bool requireSni = false, const QString &setting = QStringLiteral("bs"))
    {
        QJsonObject p{{QStringLiteral("frontendIPConfiguration"),
                       ref(QStringLiteral("frontendIPConfigurations"), QStringLiteral("fip"))},
                      {QStringLiteral("frontendPort"),
                       ref(QStringLiteral("frontendPorts"), QStringLiteral("p443"))},
                      {QStringLiteral("protocol"), QStringLiteral("Https")},
                      {QStringLiteral("sslCertificate"),
                       ref(QStringLiteral("sslCertificates"), cert)},
                      {QStringLiteral("requireServerNameIndication"), requireSni}};
        if (!host.isEmpty())
            p.insert(QStringLiteral("hostName"), host);
        listeners.append(QJsonObject{{QStringLiteral("name"), name},
                                     {QStringLiteral("properties"), p}});
        QJsonObject rule;
        rule.insert(QStringLiteral("ruleType"), QStringLiteral("Basic"));
        rule.insert(QStringLiteral("priority"), 100 + int(rules.size()));
        rule.insert(QStringLiteral("httpListener"), ref(QStringLiteral("httpListeners"), name));
        rule.insert(QStringLiteral("backendAddressPool"),
                    ref(QStringLiteral("backendAddressPools"), QStringLiteral("pool")));
        rule.insert(QStringLiteral("backendHttpSettings"),
                    ref(QStringLiteral("backendHttpSettingsCollection"), setting));
        QJsonObject element;
        element.insert(QStringLiteral("name"), QString(QStringLiteral("rule-") + name));
        element.insert(QStringLiteral("properties"), rule);
        rules.append(element);
    }
    void addSetting(const QString &name, int port, bool https, const QStringList &trusted = {})
    {
        QJsonObject p{{QStringLiteral("port"), port},
                      {QStringLiteral("protocol"),
                       https ? QStringLiteral("Https") : QStringLiteral("Http")},
                      {QStringLiteral("requestTimeout"), 20}};
        QJsonArray t;
        for (const QString &root : trusted)
            t.append(ref(QStringLiteral("trustedRootCertificates"), root));
        if (!t.isEmpty())
            p.insert(QStringLiteral("trustedRootCertificates"), t);
        settings.append(QJsonObject{{QStringLiteral("name"), name},
                                    {QStringLiteral("properties"), p}});
    }
    QByteArray json() const
    {
        QJsonObject props{
            {QStringLiteral("sku"),
             QJsonObject{{QStringLiteral("name"), QStringLiteral("Standard_v2")},
                         {QStringLiteral("tier"), QStringLiteral("Standard_v2")}}},
            {QStringLiteral("frontendIPConfigurations"),
             QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("fip")},
                                    {QStringLiteral("properties"),
                                     QJsonObject{{QStringLiteral("privateIPAllocationMethod"),
                                                  QStringLiteral("Dynamic")}}}}}},
            {QStringLiteral("frontendPorts"),
             QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("p443")},
                                    {QStringLiteral("properties"),
                                     QJsonObject{{QStringLiteral("port"), 443}}}}}},
            {QStringLiteral("sslCertificates"), certificates},
            {QStringLiteral("trustedRootCertificates"), roots},
            {QStringLiteral("httpListeners"), listeners},
            {QStringLiteral("backendAddressPools"),
             QJsonArray{QJsonObject{
                 {QStringLiteral("name"), QStringLiteral("pool")},
                 {QStringLiteral("properties"),
                  QJsonObject{{QStringLiteral("backendAddresses"),
                               QJsonArray{QJsonObject{{QStringLiteral("ipAddress"),
                                                       QStringLiteral("127.0.0.1")}}}}}}}}},
            {QStringLiteral("backendHttpSettingsCollection"), settings},
            {QStringLiteral("requestRoutingRules"), rules}};
        QJsonObject local{
            {QStringLiteral("frontendPortMap"), QJsonObject{{QStringLiteral("443"), 0}}}};
        if (!certificateFiles.isEmpty())
            local.insert(QStringLiteral("certificateFiles"), certificateFiles);
        QJsonObject resource{
            {QStringLiteral("type"), QStringLiteral("Microsoft.Network/applicationGateways")},
            {QStringLiteral("name"), QStringLiteral("gw")},
            {QStringLiteral("location"), QStringLiteral("westeurope")},
            {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("localGateway"), local}}},
            {QStringLiteral("properties"), props}};
        return QJsonDocument(resource).toJson(QJsonDocument::Compact);
    }
};

Config::GatewayConfig modelOf(const GatewayJson &g)
{
    const auto doc = Config::ConfigDocument::fromJson(g.json());
    for (const auto &d : doc.loadDiagnostics())
        if (d.isError())
            qWarning() << "config:" << d.path << d.message;
    return doc.model();
}

struct HttpsResult
{
    bool encrypted = false;
    QByteArray response;
    QSslCertificate peer;
    QString error;
};

// One request over TLS with Connection: close, read to the end (the test thread spins the event
// loop while it waits, so backends living on this thread keep serving).
HttpsResult httpsRequest(quint16 port, const QString &sni, const QList<QSslCertificate> &cas,
                         const QByteArray &path = "/",
                         QSsl::SslProtocol protocol = QSsl::SecureProtocols,
                         const QByteArray &host = {})
{
    HttpsResult result;
    QSslSocket socket;
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setCaCertificates(cas);
    c.setProtocol(protocol);
    socket.setSslConfiguration(c);
    bool done = false;
    QObject::connect(&socket, &QSslSocket::encrypted, &socket, [&] {
        result.encrypted = true;
        result.peer = socket.peerCertificate();
        socket.write("GET " + path + " HTTP/1.1\r\nHost: "
                     + (host.isEmpty() ? sni.toLatin1() : host) + "\r\nConnection: close\r\n\r\n");
    });
    QObject::connect(&socket, &QSslSocket::readyRead, &socket,
                     [&] { result.response += socket.readAll(); });
    QObject::connect(&socket, &QSslSocket::disconnected, &socket, [&] { done = true; });
    QObject::connect(&socket, &QSslSocket::errorOccurred, &socket, [&] {
        if (socket.error() != QAbstractSocket::RemoteHostClosedError && result.error.isEmpty())
            result.error = socket.errorString();
        if (socket.state() == QAbstractSocket::UnconnectedState)
            done = true;
    });
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, sni);
    [[maybe_unused]] const bool finished = QTest::qWaitFor([&] { return done; }, 10'000);
    result.response += socket.readAll();
    return result;
}

int statusOf(const QByteArray &response)
{
    return response.startsWith("HTTP/1.1 ") ? response.mid(9, 3).toInt() : 0;
}

bool hasTlsFailure(const QSignalSpy &events, const QString &reason, const QString &detail = {})
{
    for (const QList<QVariant> &args : events) {
        const auto list = args.at(0).value<QList<Events::GatewayEvent>>();
        for (const Events::GatewayEvent &e : list) {
            if (e.type == QLatin1String("tls.handshakeFailed")
                && e.fields.value(QStringLiteral("reason")).toString() == reason
                && e.fields.value(QStringLiteral("detail"))
                       .toString()
                       .contains(detail, Qt::CaseInsensitive))
                return true;
        }
    }
    return false;
}

} // namespace

class tst_TlsGateway : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void clientHelloParsing_data();
    void clientHelloParsing();
    void certificateErrors_data();
    void certificateErrors();
    void httpsThroughGateway();
    void plainHttpOnTlsPortGets400();
    void silentClientClosedAtHandshakeTimeout();
    void tls10OnlyClientRefused();
    void sniSelectsCertificate();
    void requireSniRefusesClientWithoutSni();
    void hostOfAnotherCertificateGets421();
    void wssEcho();
    void backendHttps_data();
    void backendHttps();
    void keyVaultTrustedRootUsesSystemStore();

private:
    GatewayJson twoSites() const;
    std::unique_ptr<Proxy::Gateway> startGateway(const Config::GatewayConfig &config, quint16 *port,
                                                 const QString &configDir = {},
                                                 Net::Clock *clock = nullptr);

    Tls::KeyPair m_ca;
    Tls::KeyPair m_leaf;           // localhost, 127.0.0.1
    Tls::KeyPair m_leafA, m_leafB; // a.test, b.test
    QByteArray m_pfx;              // m_leaf, password "Secret1"
    QList<QSslCertificate> m_caCerts;
    TestSupport::FakeBackend m_backend;
    QTemporaryDir m_dataDir; // APPGW_DATA_DIR: the development CA of these tests
};

void tst_TlsGateway::initTestCase()
{
    QVERIFY(QSslSocket::supportsSsl());
    QVERIFY(m_dataDir.isValid());
    qputenv("APPGW_DATA_DIR", m_dataDir.path().toLocal8Bit());
    QString error;
    m_ca = Tls::CertificateFactory::create({QStringLiteral("test CA"), {}, 30, 0, true}, {}, &error);
    QVERIFY2(!m_ca.isNull(), qPrintable(error));
    m_leaf = Tls::CertificateFactory::create(
        {QStringLiteral("localhost"), {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")}},
        m_ca, &error);
    QVERIFY2(!m_leaf.isNull(), qPrintable(error));
    m_leafA = Tls::CertificateFactory::create({QStringLiteral("a.test"), {QStringLiteral("a.test")}},
                                              m_ca);
    m_leafB = Tls::CertificateFactory::create({QStringLiteral("b.test"), {QStringLiteral("b.test")}},
                                              m_ca);
    m_pfx = Tls::CertificateFactory::toPkcs12(m_leaf, {m_ca.certificatePem},
                                              QStringLiteral("Secret1"), &error);
    QVERIFY2(!m_pfx.isEmpty(), qPrintable(error));
    m_caCerts = QSslCertificate::fromData(m_ca.certificatePem, QSsl::Pem);
    QCOMPARE(m_caCerts.size(), 1);
    m_backend.setHandler([](const TestSupport::ReceivedRequest &request) -> QByteArray {
        const QByteArray body = "proto=" + request.header("X-Forwarded-Proto");
        return "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
               + body;
    });
}

std::unique_ptr<Proxy::Gateway> tst_TlsGateway::startGateway(const Config::GatewayConfig &config,
                                                             quint16 *port,
                                                             const QString &configDir,
                                                             Net::Clock *clock)
{
    Proxy::GatewayOptions options;
    options.healthProbes = false;
    options.clock = clock;
    options.configDirectory = configDir;
    auto gateway = std::make_unique<Proxy::Gateway>(options);
    QString error;
    if (!gateway->start(config, &error)) {
        qWarning() << "start failed:" << error;
        return nullptr;
    }
    *port = quint16(gateway->listeners().value(0).port);
    return gateway;
}

void tst_TlsGateway::clientHelloParsing_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");
    using S = Tls::ClientHelloInfo::Status;
    QTest::newRow("plain http") << QByteArray("GET / HTTP/1.1\r\n") << int(S::NotTls);
    QTest::newRow("empty") << QByteArray() << int(S::NeedMore);
    QTest::newRow("record header only") << QByteArray::fromHex("1603010200") << int(S::NeedMore);
    QTest::newRow("not a handshake version")
        << QByteArray::fromHex("1609010200") << int(S::Invalid);
    QTest::newRow("oversized record") << QByteArray::fromHex("160301ffff") << int(S::Invalid);
    QTest::newRow("server hello") << QByteArray::fromHex("16030100040200000000") << int(S::Invalid);
    QTest::newRow("garbage hello body") << (QByteArray::fromHex("1603010010"
                                                                "0100000c")
                                            + QByteArray(12, '\xff'))
                                        << int(S::Invalid);
}

void tst_TlsGateway::clientHelloParsing()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    QCOMPARE(int(Tls::parseClientHello(bytes).status), status);
}

void tst_TlsGateway::certificateErrors_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");
    // Rows whose certificate is the template's own (data, password, Key Vault) get a development
    // certificate instead of an error (issue 15); certificateFiles problems stay errors.
    QTest::newRow("key vault") << "keyVault"
                               << "properties.sslCertificates[0].properties.keyVaultSecretId"
                               << "is in Key Vault";
    QTest::newRow("wrong password") << "wrongPassword"
                                    << "properties.sslCertificates[0].properties.password"
                                    << "password is wrong";
    QTest::newRow("not a pfx") << "notPfx"
                               << "properties.sslCertificates[0].properties.data"
                               << "not a PKCS#12";
    QTest::newRow("expired") << "expired"
                             << "properties.sslCertificates[0].properties.data"
                             << "expired on";
    QTest::newRow("missing file") << "missingFile"
                                  << "metadata.localGateway.certificateFiles.cert.pfx"
                                  << "does not exist";
    QTest::newRow("wrong file password") << "wrongFilePassword"
                                         << "metadata.localGateway.certificateFiles.cert.pfx"
                                         << "password is wrong";
    QTest::newRow("password env unset") << "envUnset"
                                        << "metadata.localGateway.certificateFiles.cert.passwordEnv"
                                        << "is not set";
    QTest::newRow("key mismatch") << "keyMismatch"
                                  << "metadata.localGateway.certificateFiles.cert.key"
                                  << "does not match";
    QTest::newRow("pem ok") << "pemOk"
                            << ""
                            << "";
    QTest::newRow("pfx file ok") << "pfxFileOk"
                                 << ""
                                 << "";
}

void tst_TlsGateway::certificateErrors()
{
    QFETCH(QString, kind);
    QFETCH(QString, path);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto writeFile = [&](const QString &name, const QByteArray &bytes) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    };
    GatewayJson g;
    g.addSetting(QStringLiteral("bs"), 80, false);
    g.addListener(QStringLiteral("l"), QStringLiteral("cert"));
    qunsetenv("APPGW_TEST_PFX_PASSWORD");
    if (kind == QLatin1String("keyVault")) {
        g.addCertificate(QStringLiteral("cert"), QByteArray(), QString());
        QJsonObject c = g.certificates.at(0).toObject();
        QJsonObject p = c.value(QStringLiteral("properties")).toObject();
        p.insert(QStringLiteral("keyVaultSecretId"),
                 QStringLiteral("https://kv1.vault.azure.net/secrets/appgw"));
        c.insert(QStringLiteral("properties"), p);
        g.certificates[0] = c;
    } else if (kind == QLatin1String("wrongPassword")) {
        g.addCertificate(QStringLiteral("cert"), m_pfx, QStringLiteral("Wrong1"));
    } else if (kind == QLatin1String("notPfx")) {
        g.addCertificate(QStringLiteral("cert"), "this is not a pfx", QString());
    } else if (kind == QLatin1String("expired")) {
        const Tls::KeyPair old = Tls::CertificateFactory::create(
            {QStringLiteral("old"), {QStringLiteral("old.test")}, 10, -40}, m_ca);
        g.addCertificate(QStringLiteral("cert"),
                         Tls::CertificateFactory::toPkcs12(old, {}, QStringLiteral("p")),
                         QStringLiteral("p"));
    } else {
        g.addCertificate(QStringLiteral("cert"), QByteArray(), QString());
        QJsonObject entry;
        if (kind == QLatin1String("missingFile")) {
            entry.insert(QStringLiteral("pfx"), QStringLiteral("nope.pfx"));
        } else if (kind == QLatin1String("wrongFilePassword")
                   || kind == QLatin1String("pfxFileOk")) {
            writeFile(QStringLiteral("dev.pfx"), m_pfx);
            entry.insert(QStringLiteral("pfx"), QStringLiteral("dev.pfx"));
            entry.insert(QStringLiteral("passwordEnv"), QStringLiteral("APPGW_TEST_PFX_PASSWORD"));
            qputenv("APPGW_TEST_PFX_PASSWORD",
                    kind == QLatin1String("pfxFileOk") ? "Secret1" : "Wrong1");
        } else if (kind == QLatin1String("envUnset")) {
            writeFile(QStringLiteral("dev.pfx"), m_pfx);
            entry.insert(QStringLiteral("pfx"), QStringLiteral("dev.pfx"));
            entry.insert(QStringLiteral("passwordEnv"), QStringLiteral("APPGW_TEST_PFX_PASSWORD"));
        } else {
            writeFile(QStringLiteral("cert.pem"), m_leaf.certificatePem);
            writeFile(QStringLiteral("key.pem"),
                      kind == QLatin1String("keyMismatch") ? m_leafA.keyPem : m_leaf.keyPem);
            entry.insert(QStringLiteral("pem"), QStringLiteral("cert.pem"));
            entry.insert(QStringLiteral("key"), QStringLiteral("key.pem"));
        }
        g.certificateFiles.insert(QStringLiteral("cert"), entry);
    }
    Tls::CertificateStore store;
    const Config::Diagnostics diagnostics = Tls::loadCertificates(modelOf(g), dir.path(), &store);
    if (path.isEmpty()) {
        QVERIFY2(diagnostics.isEmpty(), qPrintable(diagnostics.value(0).message));
        QVERIFY(store.certificate(QStringLiteral("cert")));
        QCOMPARE(store.certificate(QStringLiteral("cert"))
                     ->certificate.subjectInfo(QSslCertificate::CommonName)
                     .value(0),
                 QStringLiteral("localhost"));
        QCOMPARE(store.listeners().size(), 1);
        return;
    }
    QCOMPARE(diagnostics.size(), 1);
    QCOMPARE(diagnostics.first().path, path);
    const bool standIn = !path.startsWith(QLatin1String("metadata."));
    if (standIn) {
        const Config::Diagnostic &d = diagnostics.first();
        QVERIFY2(d.message.contains(message), qPrintable(d.message));
        QCOMPARE(d.severity, Config::Diagnostic::Severity::Warning);
        QCOMPARE(d.standIn, QStringLiteral("development certificate"));
        const QString caPath = m_dataDir.filePath(QStringLiteral("development-ca.crt"));
        QVERIFY2(d.message.contains(QStringLiteral("signed by the local development CA ") + caPath),
                 qPrintable(d.message));
        QVERIFY(!d.message.contains(QLatin1String("Secret1")));
        QVERIFY(!d.message.contains(QLatin1String("Wrong1")));
        const Tls::ServerCertificate *dev = store.certificate(QStringLiteral("cert"));
        QVERIFY(dev);
        QVERIFY(dev->certificate.subjectAlternativeNames()
                    .values(QSsl::DnsEntry)
                    .contains(QStringLiteral("localhost")));
        QFile ca(caPath);
        QVERIFY(ca.open(QIODevice::ReadOnly));
        const QSslCertificate caCert(ca.readAll(), QSsl::Pem);
        QVERIFY(caCert.subjectInfo(QSslCertificate::CommonName)
                    .value(0)
                    .startsWith(QLatin1String("appgw development CA")));
        QCOMPARE(dev->certificate.issuerDisplayName(), caCert.subjectDisplayName());
        // Made once: a second load signs with the same CA file.
        Tls::CertificateStore again;
        Tls::loadCertificates(modelOf(g), dir.path(), &again);
        QCOMPARE(again.certificate(QStringLiteral("cert"))->certificate.issuerDisplayName(),
                 caCert.subjectDisplayName());
        // The gateway starts and serves the listener with it.
        quint16 port = 0;
        auto gateway = startGateway(modelOf(g), &port, dir.path());
        QVERIFY(gateway);
        QSslSocket client;
        QSslConfiguration tls = client.sslConfiguration();
        tls.setCaCertificates({caCert});
        client.setSslConfiguration(tls);
        client.connectToHostEncrypted(QStringLiteral("localhost"), port);
        QVERIFY2(client.waitForEncrypted(10000), qPrintable(client.errorString()));
        // Each load makes a fresh leaf; the CA that signs it is the one kept on disk.
        QCOMPARE(client.peerCertificate().issuerDisplayName(), caCert.subjectDisplayName());
        return;
    }
    QVERIFY2(diagnostics.first().message.contains(message), qPrintable(diagnostics.first().message));
    QVERIFY(diagnostics.first().message.contains(QLatin1String("'cert'")));
    QVERIFY(!diagnostics.first().message.contains(QLatin1String("Secret1")));
    QVERIFY(!diagnostics.first().message.contains(QLatin1String("Wrong1")));
    QVERIFY(!store.certificate(QStringLiteral("cert")));

    // The gateway refuses to start, naming the certificate's JSON path.
    Proxy::GatewayOptions options;
    options.healthProbes = false;
    options.configDirectory = dir.path();
    Proxy::Gateway gateway(options);
    QString error;
    QVERIFY(!gateway.start(modelOf(g), &error));
    qunsetenv("APPGW_TEST_PFX_PASSWORD");
    QVERIFY2(error.startsWith(path + QLatin1String(": ")), qPrintable(error));
    QVERIFY(!gateway.isRunning());
}

void tst_TlsGateway::httpsThroughGateway()
{
    GatewayJson g;
    g.addCertificate(QStringLiteral("cert"), m_pfx, QStringLiteral("Secret1"));
    g.addSetting(QStringLiteral("bs"), m_backend.port(), false);
    g.addListener(QStringLiteral("l"), QStringLiteral("cert"));
    quint16 port = 0;
    auto gateway = startGateway(modelOf(g), &port);
    QVERIFY(gateway);
    QCOMPARE(gateway->listeners().value(0).protocol, QStringLiteral("Https"));
    for (int i = 0; i < 3; ++i) {
        const HttpsResult r = httpsRequest(port, QStringLiteral("localhost"), m_caCerts);
        QVERIFY2(r.encrypted, qPrintable(r.error));
        QCOMPARE(statusOf(r.response), 200);
        QVERIFY2(r.response.endsWith("proto=https"), r.response.constData());
    }
    // Without the CA the client refuses the certificate: the chain really is ours.
    const HttpsResult untrusted = httpsRequest(port, QStringLiteral("localhost"), {});
    QVERIFY(!untrusted.encrypted);
}

void tst_TlsGateway::silentClientClosedAtHandshakeTimeout()
{
    // reliability-cases T05: a TCP connect that never sends a ClientHello is closed at the
    // handshake timeout (5 s, QSslServer's default) on the gateway's clock, with an event.
    Net::ManualClock clock;
    GatewayJson g;
    g.addCertificate(QStringLiteral("cert"), m_pfx, QStringLiteral("Secret1"));
    g.addSetting(QStringLiteral("bs"), m_backend.port(), false);
    g.addListener(QStringLiteral("l"), QStringLiteral("cert"));
    quint16 port = 0;
    auto gateway = startGateway(modelOf(g), &port, {}, &clock);
    QVERIFY(gateway);
    QSignalSpy events(gateway->events(), &Events::EventBus::eventsPublished);
    QTcpSocket silent;
    silent.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(silent.waitForConnected(5000));
    QSignalSpy gone(&silent, &QTcpSocket::disconnected);
    // One worker accepts in order: once a later HTTPS request is answered, the silent one has
    // been accepted and its handshake clock is running.
    QCOMPARE(statusOf(httpsRequest(port, QStringLiteral("localhost"), m_caCerts).response), 200);
    clock.advance(Tls::TlsAcceptor::HandshakeTimeoutMs - 100);
    QCOMPARE(statusOf(httpsRequest(port, QStringLiteral("localhost"), m_caCerts).response), 200);
    QCOMPARE(gone.size(), 0); // not yet
    QCOMPARE(silent.state(), QAbstractSocket::ConnectedState);
    clock.advance(200);
    QTRY_COMPARE(gone.size(), 1);
    QTRY_VERIFY(hasTlsFailure(events, QStringLiteral("timeout"), QStringLiteral("5000 ms")));
}

void tst_TlsGateway::plainHttpOnTlsPortGets400()
{
    GatewayJson g;
    g.addCertificate(QStringLiteral("cert"), m_pfx, QStringLiteral("Secret1"));
    g.addSetting(QStringLiteral("bs"), m_backend.port(), false);
    g.addListener(QStringLiteral("l"), QStringLiteral("cert"));
    quint16 port = 0;
    auto gateway = startGateway(modelOf(g), &port);
    QVERIFY(gateway);
    QSignalSpy events(gateway->events(), &Events::EventBus::eventsPublished);
    bool closed = false;
    const QByteArray response = TestSupport::exchange(port,
                                                      "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
                                                      10'000, &closed);
    QVERIFY(closed);
    QCOMPARE(statusOf(response), 400);
    QVERIFY2(response.contains("The plain HTTP request was sent to HTTPS port"),
             response.constData());
    // Counted and logged; the port keeps serving TLS.
    QTRY_VERIFY(hasTlsFailure(events, QStringLiteral("plainHttp")));
    const HttpsResult r = httpsRequest(port, QStringLiteral("localhost"), m_caCerts);
    QCOMPARE(statusOf(r.response), 200);
}

void tst_TlsGateway::tls10OnlyClientRefused()
{
    GatewayJson g;
    g.addCertificate(QStringLiteral("cert"), m_pfx, QStringLiteral("Secret1"));
    g.addSetting(QStringLiteral("bs"), m_backend.port(), false);
    g.addListener(QStringLiteral("l"), QStringLiteral("cert"));
    quint16 port = 0;
    auto gateway = startGateway(modelOf(g), &port);
    QVERIFY(gateway);
    QSignalSpy events(gateway->events(), &Events::EventBus::eventsPublished);
    // A hand-made ClientHello that offers only TLS 1.0 (legacy_version 3.1, no
    // supported_versions), with TLS 1.0 suites and the EC extensions those need.
    QByteArray body = QByteArray::fromHex("0301") + QByteArray(32, '\x42')
                      + QByteArray::fromHex("00") + QByteArray::fromHex("0006c013c009002f")
                      + QByteArray::fromHex("0100");
    const QByteArray sni = QByteArray::fromHex("0000000e000c0000096c6f63616c686f7374");
    const QByteArray groups = QByteArray::fromHex("000a00060004001d0017");
    const QByteArray points = QByteArray::fromHex("000b00020100");
    const QByteArray extensions = sni + groups + points;
    body += QByteArray::fromHex(QByteArray::number(extensions.size(), 16).rightJustified(4, '0'))
            + extensions;
    QByteArray handshake = QByteArray::fromHex("01")
                           + QByteArray::fromHex(
                               QByteArray::number(body.size(), 16).rightJustified(6, '0'))
                           + body;
    const QByteArray record = QByteArray::fromHex("160301")
                              + QByteArray::fromHex(
                                  QByteArray::number(handshake.size(), 16).rightJustified(4, '0'))
                              + handshake;
    QCOMPARE(int(Tls::parseClientHello(record).status), int(Tls::ClientHelloInfo::Status::Complete));
    QCOMPARE(Tls::parseClientHello(record).serverName, QStringLiteral("localhost"));
    bool closed = false;
    const QByteArray answer = TestSupport::exchange(port, record, 10'000, &closed);
    QVERIFY(closed);
    // Never a ServerHello: at most a fatal alert (record type 21, protocol_version 70), then close.
    QVERIFY2(answer.isEmpty()
                 || (quint8(answer.at(0)) == 0x15 && answer.size() >= 7
                     && quint8(answer.at(6)) == 70),
             answer.toHex().constData());
    QTRY_VERIFY(hasTlsFailure(events, QStringLiteral("handshake"),
                              QStringLiteral("unsupported protocol")));
    // Under AppGwSslPolicy20150501 the floor is TLS 1.0 (the policy reaches the socket).
    QSslConfiguration c;
    Tls::CertificateStore::applyPolicy(&c, QStringLiteral("AppGwSslPolicy20150501"));
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    QCOMPARE(c.protocol(), QSsl::TlsV1_0OrLater);
    QT_WARNING_POP
    Tls::CertificateStore::applyPolicy(&c, QString());
    QCOMPARE(c.protocol(), QSsl::TlsV1_2OrLater);
}

// Two multi-site HTTPS listeners on one port, each with its own certificate: siteA (certA,
// a.test) and siteB (certB, b.test), both routed to the fake backend.
GatewayJson tst_TlsGateway::twoSites() const
{
    GatewayJson g;
    g.addCertificate(QStringLiteral("certA"),
                     Tls::CertificateFactory::toPkcs12(m_leafA, {}, QStringLiteral("a")),
                     QStringLiteral("a"));
    g.addCertificate(QStringLiteral("certB"),
                     Tls::CertificateFactory::toPkcs12(m_leafB, {}, QStringLiteral("b")),
                     QStringLiteral("b"));
    g.addSetting(QStringLiteral("bs"), m_backend.port(), false);
    g.addListener(QStringLiteral("siteA"), QStringLiteral("certA"), QStringLiteral("a.test"));
    g.addListener(QStringLiteral("siteB"), QStringLiteral("certB"), QStringLiteral("b.test"));
    return g;
}

void tst_TlsGateway::sniSelectsCertificate()
{
    const GatewayJson g = twoSites();
    quint16 port = 0;
    auto gateway = startGateway(modelOf(g), &port);
    QVERIFY(gateway);
    QCOMPARE(gateway->listeners().size(), 1); // one socket, two listeners
    const HttpsResult a = httpsRequest(port, QStringLiteral("a.test"), m_caCerts);
    QVERIFY2(a.encrypted, qPrintable(a.error));
    QCOMPARE(a.peer.subjectInfo(QSslCertificate::CommonName).value(0), QStringLiteral("a.test"));
    QCOMPARE(statusOf(a.response), 200);
    const HttpsResult b = httpsRequest(port, QStringLiteral("b.test"), m_caCerts);
    QVERIFY2(b.encrypted, qPrintable(b.error));
    QCOMPARE(b.peer.subjectInfo(QSslCertificate::CommonName).value(0), QStringLiteral("b.test"));
    QCOMPARE(statusOf(b.response), 200);
    // An unknown name gets the first listener's certificate (and fails verification for it).
    const HttpsResult other = httpsRequest(port, QStringLiteral("c.test"), m_caCerts);
    QVERIFY(!other.encrypted);
}

void tst_TlsGateway::hostOfAnotherCertificateGets421()
{
    // reliability-cases T03: SNI chose a.test's certificate; a request on that connection for
    // b.test (served with another certificate) is misdirected: 421, never routed to b's rule.
    const GatewayJson g = twoSites();
    quint16 port = 0;
    auto gateway = startGateway(modelOf(g), &port);
    QVERIFY(gateway);
    const HttpsResult misdirected = httpsRequest(port, QStringLiteral("a.test"), m_caCerts, "/",
                                                 QSsl::SecureProtocols, "b.test");
    QVERIFY2(misdirected.encrypted, qPrintable(misdirected.error));
    QCOMPARE(statusOf(misdirected.response), 421);
    QVERIFY(misdirected.response.contains("421 Misdirected Request"));
    QVERIFY(misdirected.response.contains("Server: Microsoft-Azure-Application-Gateway/v2"));
    // The host the certificate serves, with and without a port in Host: routed as usual.
    QCOMPARE(statusOf(httpsRequest(port, QStringLiteral("a.test"), m_caCerts, "/",
                                   QSsl::SecureProtocols, "a.test:443")
                          .response),
             200);
    QCOMPARE(statusOf(httpsRequest(port, QStringLiteral("b.test"), m_caCerts).response), 200);
}

void tst_TlsGateway::requireSniRefusesClientWithoutSni()
{
    GatewayJson g;
    g.addCertificate(QStringLiteral("certA"),
                     Tls::CertificateFactory::toPkcs12(m_leafA, {}, QStringLiteral("a")),
                     QStringLiteral("a"));
    g.addSetting(QStringLiteral("bs"), m_backend.port(), false);
    g.addListener(QStringLiteral("siteA"), QStringLiteral("certA"), QStringLiteral("a.test"), true);
    quint16 port = 0;
    auto gateway = startGateway(modelOf(g), &port);
    QVERIFY(gateway);
    QSignalSpy events(gateway->events(), &Events::EventBus::eventsPublished);
    // An IP address as peer name: Qt sends no SNI.
    const HttpsResult noSni = httpsRequest(port, QStringLiteral("127.0.0.1"), m_caCerts);
    QVERIFY(!noSni.encrypted);
    QTRY_VERIFY(hasTlsFailure(events, QStringLiteral("serverNameRequired")));
    const HttpsResult withSni = httpsRequest(port, QStringLiteral("a.test"), m_caCerts);
    QCOMPARE(statusOf(withSni.response), 200);
}

void tst_TlsGateway::wssEcho()
{
    QWebSocketServer echo(QStringLiteral("echo"), QWebSocketServer::NonSecureMode);
    QVERIFY(echo.listen(QHostAddress::LocalHost, 0));
    connect(&echo, &QWebSocketServer::newConnection, this, [&echo] {
        QWebSocket *s = echo.nextPendingConnection();
        connect(s, &QWebSocket::textMessageReceived, s,
                [s](const QString &m) { s->sendTextMessage(QStringLiteral("echo:") + m); });
        connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
    });
    GatewayJson g;
    g.addCertificate(QStringLiteral("cert"), m_pfx, QStringLiteral("Secret1"));
    g.addSetting(QStringLiteral("bs"), echo.serverPort(), false);
    g.addListener(QStringLiteral("l"), QStringLiteral("cert"));
    quint16 port = 0;
    auto gateway = startGateway(modelOf(g), &port);
    QVERIFY(gateway);

    QWebSocket client;
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setCaCertificates(m_caCerts);
    client.setSslConfiguration(c);
    QStringList received;
    connect(&client, &QWebSocket::textMessageReceived, this,
            [&](const QString &m) { received.append(m); });
    QSignalSpy connected(&client, &QWebSocket::connected);
    client.open(QUrl(QStringLiteral("wss://localhost:%1/chat").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 10'000);
    client.sendTextMessage(QStringLiteral("hello"));
    client.sendTextMessage(
        QString(4'000'000, QLatin1Char('x'))); // well above HighWater: backpressure both ways
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 10'000);
    QCOMPARE(received.at(0), QStringLiteral("echo:hello"));
    QCOMPARE(received.at(1).size(), 4'000'005);
    QSignalSpy disconnected(&client, &QWebSocket::disconnected);
    client.close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("bye"));
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10'000);
}

void tst_TlsGateway::backendHttps_data()
{
    QTest::addColumn<bool>("trusted");
    QTest::addColumn<int>("status");
    QTest::newRow("trusted private root") << true << 200;
    QTest::newRow("untrusted root") << false << 502;
}

void tst_TlsGateway::backendHttps()
{
    QFETCH(bool, trusted);
    QFETCH(int, status);
    // A backend with a certificate from a second, private CA.
    const Tls::KeyPair backendCa = Tls::CertificateFactory::create(
        {QStringLiteral("backend CA"), {}, 30, 0, true});
    const Tls::KeyPair backendLeaf = Tls::CertificateFactory::create(
        {QStringLiteral("localhost"), {QStringLiteral("localhost")}}, backendCa);
    QSslServer server;
    QSslConfiguration sc = QSslConfiguration::defaultConfiguration();
    sc.setLocalCertificate(QSslCertificate(backendLeaf.certificatePem));
    sc.setPrivateKey(QSslKey(backendLeaf.keyPem, QSsl::Ec));
    server.setSslConfiguration(sc);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QList<QSslSocket *> sockets;
    connect(&server, &QSslServer::pendingConnectionAvailable, this, [&] {
        while (server.hasPendingConnections()) {
            auto *s = static_cast<QSslSocket *>(server.nextPendingConnection());
            sockets.append(s);
            connect(s, &QSslSocket::readyRead, s, [s] {
                const QByteArray in = s->readAll();
                if (in.contains("\r\n\r\n"))
                    s->write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nbackendTLS");
            });
        }
    });

    GatewayJson g;
    g.addCertificate(QStringLiteral("cert"), m_pfx, QStringLiteral("Secret1"));
    g.roots.append(QJsonObject{
        {QStringLiteral("name"), QStringLiteral("privateRoot")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("data"), QString::fromLatin1(backendCa.certificatePem)}}}});
    g.addSetting(QStringLiteral("bs"), server.serverPort(), true,
                 trusted ? QStringList{QStringLiteral("privateRoot")} : QStringList());
    g.addListener(QStringLiteral("l"), QStringLiteral("cert"));
    quint16 port = 0;
    auto gateway = startGateway(modelOf(g), &port);
    QVERIFY(gateway);
    const HttpsResult r = httpsRequest(port, QStringLiteral("localhost"), m_caCerts);
    QVERIFY2(r.encrypted, qPrintable(r.error));
    QCOMPARE(statusOf(r.response), status);
    QCOMPARE(r.response.endsWith("backendTLS"), trusted);
}

// Issue 15: a trusted root in Key Vault cannot be read locally: a warning (a stand-in), and the
// backend is verified against the system store only, so a private backend CA is not trusted.
void tst_TlsGateway::keyVaultTrustedRootUsesSystemStore()
{
    GatewayJson g;
    g.addCertificate(QStringLiteral("cert"), m_pfx, QStringLiteral("Secret1"));
    g.roots.append(QJsonObject{
        {QStringLiteral("name"), QStringLiteral("vaultRoot")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("keyVaultSecretId"),
                      QStringLiteral("https://kv1.vault.azure.net/secrets/root")}}}});
    g.addSetting(QStringLiteral("bs"), 443, true, {QStringLiteral("vaultRoot")});
    g.addSetting(QStringLiteral("plain"), 443, true);
    g.addListener(QStringLiteral("l"), QStringLiteral("cert"));
    Tls::CertificateStore store;
    const Config::Diagnostics d = Tls::loadCertificates(modelOf(g), QString(), &store);
    QCOMPARE(d.size(), 1);
    QCOMPARE(d.first().severity, Config::Diagnostic::Severity::Warning);
    QCOMPARE(d.first().standIn, QStringLiteral("system CA store"));
    QVERIFY(d.first().path.endsWith(QLatin1String("trustedRootCertificates[0].properties."
                                                  "keyVaultSecretId")));
    QVERIFY2(d.first().message.contains(QLatin1String("'vaultRoot' is in Key Vault")),
             qPrintable(d.first().message));
    QCOMPARE(store.backendConfiguration(QStringLiteral("bs")).caCertificates(),
             store.backendConfiguration(QStringLiteral("plain")).caCertificates());
}

QTEST_GUILESS_MAIN(tst_TlsGateway)
#include "tst_tlsgateway.moc"
