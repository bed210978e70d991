// SSL profiles on HTTPS listeners (issue 16 item 4): the profile's own TLS policy and the
// gateway-wide sslPolicy (protocol floor and ceiling), mutual TLS with a good, a missing, an
// expired and a foreign client certificate (Azure's 400 pages), the issuer DN check, the mTLS
// server variables, curl --cert, and the validator's errors and warnings. Every certificate and
// key is generated here (core/tls's CertificateFactory); all traffic stays on 127.0.0.1.

#include "config/configdocument.h"
#include "config/configvalidator.h"
#include "config/sslpolicy.h"
#include "events/gatewayevent.h"
#include "fakebackend.h"
#include "proxy/gateway.h"
#include "tls/certificatefactory.h"
#include "tls/certificatestore.h"
#include "tls/clientauth.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Gateway;

namespace {

// One HTTPS listener "l" on frontend port 443 (local port 0) with certificate "cert", routed to
// the backend; sslProfiles/trustedClientCertificates/sslPolicy JSON is spliced in as given.
QByteArray templateJson(const QByteArray &pfx, quint16 backendPort, const QString &profiles,
                        const QString &trusted, const QString &gatewayPolicy,
                        bool listenerHasProfile, const QString &protocol = QStringLiteral("Https"),
                        const QString &rewriteRules = {})
{
    const QString profileRef = listenerHasProfile ? QStringLiteral(
                                   R"(, "sslProfile": { "id": "/x/sslProfiles/p" })")
                                                  : QString();
    QString tpl = QStringLiteral(R"({
  "metadata": { "localGateway": { "frontendPortMap": { "443": 0 },
                                  "backendAddressMap": { "10.0.0.1": "127.0.0.1:@PORT@" } } },
  "resources": [ { "type": "Microsoft.Network/applicationGateways", "name": "gw",
    "properties": {
      "sku": { "name": "Standard_v2", "tier": "Standard_v2" },
      @POLICY@
      "sslCertificates": [ { "name": "cert", "properties": { "data": "@PFX@", "password": "pw" } } ],
      "trustedClientCertificates": [ @TRUSTED@ ],
      "sslProfiles": [ @PROFILES@ ],
      "rewriteRuleSets": [ @REWRITES@ ],
      "frontendIPConfigurations": [ { "name": "fip", "properties": {} } ],
      "frontendPorts": [ { "name": "p443", "properties": { "port": 443 } } ],
      "backendAddressPools": [ { "name": "pool", "properties": {
          "backendAddresses": [ { "ipAddress": "10.0.0.1" } ] } } ],
      "backendHttpSettingsCollection": [ { "name": "bs", "properties": {
          "port": 80, "protocol": "Http", "requestTimeout": 20 } } ],
      "httpListeners": [ { "name": "l", "properties": {
          "frontendIPConfiguration": { "id": "/x/frontendIPConfigurations/fip" },
          "frontendPort": { "id": "/x/frontendPorts/p443" }, "protocol": "@PROTOCOL@",
          "sslCertificate": { "id": "/x/sslCertificates/cert" } @PROFILEREF@ } } ],
      "requestRoutingRules": [ { "name": "r", "properties": { "ruleType": "Basic", "priority": 10,
          "httpListener": { "id": "/x/httpListeners/l" },
          "backendAddressPool": { "id": "/x/backendAddressPools/pool" },
          "backendHttpSettings": { "id": "/x/backendHttpSettingsCollection/bs" } @REWRITEREF@ } } ]
    } } ] })");
    tpl.replace(QLatin1String("@PORT@"), QString::number(backendPort))
        .replace(QLatin1String("@POLICY@"),
                 gatewayPolicy.isEmpty() ? QString()
                                         : QStringLiteral("\"sslPolicy\": %1,").arg(gatewayPolicy))
        .replace(QLatin1String("@PFX@"), QString::fromLatin1(pfx.toBase64()))
        .replace(QLatin1String("@TRUSTED@"), trusted)
        .replace(QLatin1String("@PROFILES@"), profiles)
        .replace(QLatin1String("@PROTOCOL@"), protocol)
        .replace(QLatin1String("@PROFILEREF@"), profileRef)
        .replace(QLatin1String("@REWRITES@"),
                 rewriteRules.isEmpty()
                     ? QString()
                     : QStringLiteral(R"({ "name": "rs", "properties": { "rewriteRules": [ %1 ] } })")
                           .arg(rewriteRules))
        .replace(QLatin1String("@REWRITEREF@"),
                 rewriteRules.isEmpty()
                     ? QString()
                     : QStringLiteral(R"(, "rewriteRuleSet": { "id": "/x/rewriteRuleSets/rs" })"));
    return tpl.toUtf8();
}

// Profile "p": an optional sslPolicy, and client authentication when trusted is not empty.
QString profileJson(const QString &policy, const QStringList &trusted, bool verifyDn,
                    const QString &revocation = {})
{
    QStringList props;
    if (!policy.isEmpty())
        props << QStringLiteral("\"sslPolicy\": %1").arg(policy);
    if (!trusted.isEmpty()) {
        QStringList refs;
        for (const QString &t : trusted)
            refs << QStringLiteral("{ \"id\": \"/x/trustedClientCertificates/%1\" }").arg(t);
        props << QStringLiteral("\"trustedClientCertificates\": [ %1 ]")
                     .arg(refs.join(QStringLiteral(", ")));
        QString auth = QStringLiteral("\"verifyClientCertIssuerDN\": %1")
                           .arg(verifyDn ? QStringLiteral("true") : QStringLiteral("false"));
        if (!revocation.isEmpty())
            auth += QStringLiteral(", \"verifyClientRevocation\": \"%1\"").arg(revocation);
        props << QStringLiteral("\"clientAuthConfiguration\": { %1 }").arg(auth);
    }
    return QStringLiteral("{ \"name\": \"p\", \"properties\": { %1 } }")
        .arg(props.join(QStringLiteral(", ")));
}

QString trustedJson(const QString &name, const QByteArray &pem)
{
    return QStringLiteral("{ \"name\": \"%1\", \"properties\": { \"data\": \"%2\" } }")
        .arg(name, QString::fromLatin1(pem.toBase64()));
}

struct Outcome
{
    bool encrypted = false;
    QByteArray response;
    QString error;
};

// One GET over TLS with an optional client certificate, read to the end of the connection.
Outcome request(quint16 port, const QList<QSslCertificate> &cas, const Tls::KeyPair &client,
                QSsl::SslProtocol protocol)
{
    Outcome out;
    QSslSocket socket;
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setCaCertificates(cas);
    c.setProtocol(protocol);
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    if (protocol == QSsl::TlsV1_0 || protocol == QSsl::TlsV1_1) // OpenSSL 3: security level 0
        c.setBackendConfigurationOption("CipherString", QByteArray("DEFAULT:@SECLEVEL=0"));
    QT_WARNING_POP
    if (!client.isNull()) {
        c.setLocalCertificate(QSslCertificate(client.certificatePem, QSsl::Pem));
        c.setPrivateKey(QSslKey(client.keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey));
    }
    socket.setSslConfiguration(c);
    bool done = false;
    QObject::connect(&socket, &QSslSocket::encrypted, &socket, [&] {
        out.encrypted = true;
        socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    });
    QObject::connect(&socket, &QSslSocket::readyRead, &socket,
                     [&] { out.response += socket.readAll(); });
    QObject::connect(&socket, &QSslSocket::disconnected, &socket, [&] { done = true; });
    QObject::connect(&socket, &QSslSocket::errorOccurred, &socket, [&] {
        if (socket.error() != QAbstractSocket::RemoteHostClosedError && out.error.isEmpty())
            out.error = socket.errorString();
        if (socket.state() == QAbstractSocket::UnconnectedState)
            done = true;
    });
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, QStringLiteral("localhost"));
    [[maybe_unused]] const bool finished = QTest::qWaitFor([&] { return done; }, 10'000);
    out.response += socket.readAll();
    return out;
}

int statusOf(const QByteArray &response)
{
    return response.startsWith("HTTP/1.1 ") ? response.mid(9, 3).toInt() : 0;
}

// The sslClientVerify field of the first access event, or "-" when there is none.
QString accessVerify(const QSignalSpy &events)
{
    for (const QList<QVariant> &args : events)
        for (const Events::GatewayEvent &e : args.at(0).value<QList<Events::GatewayEvent>>())
            if (e.type == QLatin1String("access"))
                return e.fields.value(QStringLiteral("sslClientVerify"))
                    .toString(QStringLiteral("(absent)"));
    return QStringLiteral("-");
}

bool hasHandshakeFailure(const QSignalSpy &events)
{
    for (const QList<QVariant> &args : events)
        for (const Events::GatewayEvent &e : args.at(0).value<QList<Events::GatewayEvent>>())
            if (e.type == QLatin1String("tls.handshakeFailed"))
                return true;
    return false;
}

} // namespace

class tst_SslProfile : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void policyResolution_data();
    void policyResolution();
    void handshakeAndClientCertificate_data();
    void handshakeAndClientCertificate();
    void serverVariables();
    void rewriteReadsClientCertificate_data();
    void rewriteReadsClientCertificate();
    void curlWithClientCertificate();
    void diagnostics_data();
    void diagnostics();

private:
    std::unique_ptr<Proxy::Gateway> start(const QByteArray &json, quint16 *port);

    Tls::KeyPair m_ca, m_otherCa, m_server, m_good, m_expired, m_foreign;
    QByteArray m_pfx;
    QList<QSslCertificate> m_caCerts;
    TestSupport::FakeBackend m_backend;
    int m_backendHits = 0;
    QByteArray m_lastBackendHead;
};

void tst_SslProfile::initTestCase()
{
    QVERIFY(QSslSocket::supportsSsl());
    QString error;
    m_ca = Tls::CertificateFactory::create({QStringLiteral("client CA"), {}, 30, 0, true}, {},
                                           &error);
    QVERIFY2(!m_ca.isNull(), qPrintable(error));
    m_otherCa = Tls::CertificateFactory::create({QStringLiteral("other CA"), {}, 30, 0, true});
    m_server = Tls::CertificateFactory::create(
        {QStringLiteral("localhost"), {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")}},
        m_ca);
    m_good = Tls::CertificateFactory::create({QStringLiteral("alice"), {}, 30}, m_ca);
    m_expired = Tls::CertificateFactory::create({QStringLiteral("bob"), {}, 10, -40}, m_ca);
    m_foreign = Tls::CertificateFactory::create({QStringLiteral("mallory"), {}, 30}, m_otherCa);
    QVERIFY(!m_server.isNull() && !m_good.isNull() && !m_expired.isNull() && !m_foreign.isNull());
    m_pfx = Tls::CertificateFactory::toPkcs12(m_server, {m_ca.certificatePem}, QStringLiteral("pw"));
    QVERIFY(!m_pfx.isEmpty());
    m_caCerts = QSslCertificate::fromData(m_ca.certificatePem, QSsl::Pem);
    m_backend.setHandler([this](const TestSupport::ReceivedRequest &r) -> QByteArray {
        ++m_backendHits;
        m_lastBackendHead = r.head;
        return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    });
}

std::unique_ptr<Proxy::Gateway> tst_SslProfile::start(const QByteArray &json, quint16 *port)
{
    const auto doc = Config::ConfigDocument::fromJson(json);
    Config::Diagnostics all = doc.loadDiagnostics() + Config::validate(doc.model());
    for (const Config::Diagnostic &d : all)
        if (d.isError())
            qWarning() << "config:" << d.path << d.message;
    Proxy::GatewayOptions options;
    options.healthProbes = false;
    auto gateway = std::make_unique<Proxy::Gateway>(options);
    QString error;
    if (!gateway->start(doc.model(), &error)) {
        qWarning() << "start failed:" << error;
        return nullptr;
    }
    *port = quint16(gateway->listeners().value(0).port);
    return gateway;
}

void tst_SslProfile::policyResolution_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("minVersion");
    QTest::addColumn<QStringList>("suites");
    QTest::addColumn<int>("min");
    QTest::addColumn<int>("max");
    QTest::addColumn<int>("suiteCount"); // TLS 1.0-1.2 suites
    QTest::addColumn<int>("tls13Count");
    QTest::addColumn<QString>("error");
    // The table of application-gateway-ssl-policy-overview.md.
    QTest::newRow("20150501") << "Predefined"
                              << "AppGwSslPolicy20150501"
                              << "" << QStringList() << 10 << 12 << 28 << 0 << "";
    QTest::newRow("20170401") << "Predefined"
                              << "AppGwSslPolicy20170401"
                              << "" << QStringList() << 11 << 12 << 16 << 0 << "";
    QTest::newRow("20170401S") << ""
                               << "AppGwSslPolicy20170401S"
                               << "" << QStringList() << 12 << 12 << 16 << 0 << "";
    QTest::newRow("20220101") << "Predefined"
                              << "AppGwSslPolicy20220101"
                              << "" << QStringList() << 12 << 13 << 8 << 2 << "";
    QTest::newRow("20220101S") << "Predefined"
                               << "appgwsslpolicy20220101s"
                               << "" << QStringList() << 12 << 13 << 4 << 2 << "";
    QTest::newRow("unknown name") << "Predefined"
                                  << "AppGwSslPolicy20990101"
                                  << "" << QStringList() << 0 << 0 << 0 << 0
                                  << "unknown predefined SSL policy 'AppGwSslPolicy20990101'";
    QTest::newRow("custom") << "Custom"
                            << ""
                            << "TLSv1_1"
                            << QStringList{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                           "TLS_RSA_WITH_AES_128_CBC_SHA"}
                            << 11 << 12 << 2 << 0 << "";
    QTest::newRow("customV2 tls1.3") << "CustomV2"
                                     << ""
                                     << "TLSv1_3" << QStringList() << 13 << 13 << 0 << 2 << "";
    QTest::newRow("bad cipher") << "Custom"
                                << ""
                                << "TLSv1_2" << QStringList{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA999"}
                                << 0 << 0 << 0 << 0
                                << "unknown cipher suite 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA999'";
    QTest::newRow("tls1.3 suite in custom")
        << "Custom"
        << ""
        << "TLSv1_2" << QStringList{"TLS_AES_128_GCM_SHA256"} << 0 << 0 << 0 << 0
        << "available only with policyType CustomV2";
    QTest::newRow("tls1.3 min in custom")
        << "Custom"
        << ""
        << "TLSv1_3" << QStringList{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"} << 0 << 0 << 0 << 0
        << "needs policyType CustomV2";
    QTest::newRow("custom without suites")
        << "Custom"
        << ""
        << "TLSv1_2" << QStringList() << 0 << 0 << 0 << 0 << "needs cipherSuites";
    QTest::newRow("bad type") << "Strict"
                              << ""
                              << "" << QStringList() << 0 << 0 << 0 << 0 << "policyType 'Strict'";
}

void tst_SslProfile::policyResolution()
{
    QFETCH(QString, type);
    QFETCH(QString, name);
    QFETCH(QString, minVersion);
    QFETCH(QStringList, suites);
    QFETCH(int, min);
    QFETCH(int, max);
    QFETCH(int, suiteCount);
    QFETCH(int, tls13Count);
    QFETCH(QString, error);
    Config::SslPolicy policy{type, name, minVersion, suites, {}};
    Config::ResolvedSslPolicy resolved;
    QString why;
    const bool ok = Config::resolveSslPolicy(policy, &resolved, &why);
    QCOMPARE(ok, error.isEmpty());
    if (!ok) {
        QVERIFY2(why.contains(error), qPrintable(why));
        return;
    }
    QCOMPARE(resolved.minVersion, min);
    QCOMPARE(resolved.maxVersion, max);
    QCOMPARE(resolved.cipherSuites.size(), suiteCount);
    QCOMPARE(resolved.tls13CipherSuites.size(), tls13Count);
    for (const QString &s : resolved.cipherSuites)
        QVERIFY2(!Config::openSslCipherName(s).isEmpty(), qPrintable(s));
}

void tst_SslProfile::handshakeAndClientCertificate_data()
{
    QTest::addColumn<QString>("gatewayPolicy"); // JSON, or empty
    QTest::addColumn<QString>("profilePolicy"); // JSON, or empty
    QTest::addColumn<bool>("clientAuth");
    QTest::addColumn<bool>("verifyDn");
    QTest::addColumn<QString>("client"); // good | none | expired | foreign
    QTest::addColumn<int>("protocol");   // QSsl::SslProtocol of the client
    QTest::addColumn<bool>("handshake"); // the TLS handshake succeeds
    QTest::addColumn<int>("status");     // 0: no HTTP answer
    QTest::addColumn<QString>("page");   // text of the 400 page
    QTest::addColumn<QString>("verify"); // sslClientVerify of the access event (prefix)
    QTest::addColumn<bool>("backend");   // the backend saw the request

    const int any = int(QSsl::SecureProtocols);
    const int tls12 = int(QSsl::TlsV1_2);
    const int tls13 = int(QSsl::TlsV1_3);
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    const int tls11 = int(QSsl::TlsV1_1);
    const int tls10 = int(QSsl::TlsV1_0);
    QT_WARNING_POP
    const QString none;
    const QString s20150501 = QStringLiteral(
        R"({ "policyType": "Predefined", "policyName": "AppGwSslPolicy20150501" })");
    const QString s20170401S = QStringLiteral(
        R"({ "policyType": "Predefined", "policyName": "AppGwSslPolicy20170401S" })");
    const QString customV2Tls13 = QStringLiteral(
        R"({ "policyType": "CustomV2", "minProtocolVersion": "TLSv1_3" })");
    const QString customTls12 = QStringLiteral(
        R"({ "policyType": "Custom", "minProtocolVersion": "TLSv1_2",
             "cipherSuites": [ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" ] })");

    // Mutual TLS (azure-reference.md §8: every client certificate failure is a 400).
    QTest::newRow("mtls good certificate")
        << none << none << true << false << "good" << any << true << 200 << ""
        << "SUCCESS" << true;
    QTest::newRow("mtls no certificate") << none << none << true << false << "none" << any << true
                                         << 400 << "No required SSL certificate was sent"
                                         << "NONE" << false;
    QTest::newRow("mtls expired certificate") << none << none << true << false << "expired" << any
                                              << true << 400 << "The SSL certificate error"
                                              << "FAILED:certificate has expired" << false;
    QTest::newRow("mtls foreign certificate") << none << none << true << false << "foreign" << any
                                              << true << 400 << "The SSL certificate error"
                                              << "FAILED:unable to" << false;
    QTest::newRow("mtls issuer dn checked")
        << none << none << true << true << "good" << any << true << 200 << ""
        << "SUCCESS" << true;
    QTest::newRow("no client auth ignores certificate")
        << none << s20170401S << false << false << "good" << any << true << 200 << ""
        << "(absent)" << true;
    // Protocol floors and ceilings.
    QTest::newRow("profile 20170401S refuses tls1.3 client")
        << none << s20170401S << false << false << "none" << tls13 << false << 0 << ""
        << "-" << false;
    QTest::newRow("profile 20170401S refuses tls1.1 client")
        << none << s20170401S << false << false << "none" << tls11 << false << 0 << ""
        << "-" << false;
    QTest::newRow("profile 20170401S serves tls1.2")
        << none << s20170401S << false << false << "none" << tls12 << true << 200 << ""
        << "(absent)" << true;
    QTest::newRow("profile 20150501 serves tls1.0")
        << none << s20150501 << false << false << "none" << tls10 << true << 200 << ""
        << "(absent)" << true;
    QTest::newRow("profile customV2 tls1.3 refuses tls1.2")
        << none << customV2Tls13 << false << false << "none" << tls12 << false << 0 << ""
        << "-" << false;
    QTest::newRow("profile custom cipher list serves tls1.2")
        << none << customTls12 << false << false << "none" << tls12 << true << 200 << ""
        << "(absent)" << true;
    QTest::newRow("gateway policy 20170401S refuses tls1.1")
        << s20170401S << none << false << false << "none" << tls11 << false << 0 << ""
        << "-" << false;
    QTest::newRow("profile policy wins over gateway policy")
        << s20150501 << s20170401S << false << false << "none" << tls11 << false << 0 << ""
        << "-" << false;
    QTest::newRow("gateway policy 20150501 serves tls1.1 without profile")
        << s20150501 << none << false << false << "none" << tls11 << true << 200 << ""
        << "(absent)" << true;
    QTest::newRow("default refuses tls1.0")
        << none << none << false << false << "none" << tls10 << false << 0 << ""
        << "-" << false;
}

void tst_SslProfile::handshakeAndClientCertificate()
{
    QFETCH(QString, gatewayPolicy);
    QFETCH(QString, profilePolicy);
    QFETCH(bool, clientAuth);
    QFETCH(bool, verifyDn);
    QFETCH(QString, client);
    QFETCH(int, protocol);
    QFETCH(bool, handshake);
    QFETCH(int, status);
    QFETCH(QString, page);
    QFETCH(QString, verify);
    QFETCH(bool, backend);

    const bool profile = clientAuth || !profilePolicy.isEmpty();
    const QString trusted = trustedJson(QStringLiteral("ca"), m_ca.certificatePem);
    const QString profiles = profile ? profileJson(profilePolicy,
                                                   clientAuth ? QStringList{QStringLiteral("ca")}
                                                              : QStringList(),
                                                   verifyDn)
                                     : QString();
    quint16 port = 0;
    auto gateway = start(templateJson(m_pfx, m_backend.port(), profiles, trusted, gatewayPolicy,
                                      profile),
                         &port);
    QVERIFY(gateway);
    QSignalSpy events(gateway->events(), &Events::EventBus::eventsPublished);
    const Tls::KeyPair certificate = client == QLatin1String("good")      ? m_good
                                     : client == QLatin1String("expired") ? m_expired
                                     : client == QLatin1String("foreign") ? m_foreign
                                                                          : Tls::KeyPair();
    m_backendHits = 0;
    const Outcome out = request(port, m_caCerts, certificate, QSsl::SslProtocol(protocol));
    QVERIFY2(out.encrypted == handshake, qPrintable(out.error));
    QCOMPARE(statusOf(out.response), status);
    if (!page.isEmpty()) {
        QVERIFY2(out.response.contains(QByteArray(QByteArray("<title>400 ") + page.toLatin1()
                                                  + "</title>")),
                 out.response.constData());
        QVERIFY(out.response.contains("Connection: close"));
        QVERIFY(out.response.contains("Microsoft-Azure-Application-Gateway/v2"));
    }
    if (handshake)
        QTRY_VERIFY2(accessVerify(events).startsWith(verify), qPrintable(accessVerify(events)));
    else
        QTRY_VERIFY(hasHandshakeFailure(events));
    QCOMPARE(m_backendHits > 0, backend);
}

void tst_SslProfile::serverVariables()
{
    Tls::ClientAuthority authority;
    QString dn;
    QList<QSslCertificate> cas;
    QCOMPARE(Tls::readTrustedClientCertificate(QString::fromLatin1(m_ca.certificatePem), &cas, &dn),
             QString());
    authority.caCertificates = cas;
    const QSslCertificate leaf(m_good.certificatePem, QSsl::Pem);
    const Tls::ClientCertificate c = Tls::verifyClientCertificate(authority, leaf, {leaf},
                                                                  QDateTime::currentDateTimeUtc());
    QCOMPARE(c.variable(QStringLiteral("client_certificate_verification")),
             QStringLiteral("SUCCESS"));
    QCOMPARE(c.variable(QStringLiteral("client_certificate_subject")),
             QStringLiteral("CN=alice,O=appgw development"));
    QCOMPARE(c.variable(QStringLiteral("client_certificate_issuer")), dn);
    QCOMPARE(dn, QStringLiteral("CN=client CA,O=appgw development"));
    QCOMPARE(c.variable(QStringLiteral("client_certificate_serial")),
             QString::fromLatin1(leaf.serialNumber()).remove(QLatin1Char(':')).toUpper());
    QCOMPARE(c.variable(QStringLiteral("client_certificate_fingerprint")),
             QString::fromLatin1(leaf.digest(QCryptographicHash::Sha1).toHex()));
    QCOMPARE(c.variable(QStringLiteral("client_certificate")).toLatin1(), leaf.toPem());
    static const QRegularExpression date(
        QStringLiteral("^[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d \\d{4} GMT$"));
    QVERIFY(date.match(c.variable(QStringLiteral("client_certificate_start_date"))).hasMatch());
    QVERIFY(date.match(c.variable(QStringLiteral("client_certificate_end_date"))).hasMatch());
    QCOMPARE(Tls::ClientCertificate::variableNames().size(), 8);
    for (const QString &name : Tls::ClientCertificate::variableNames())
        QVERIFY2(!c.variable(name).isEmpty(), qPrintable(name));
    // The clock decides validity: a year later the same certificate has expired.
    const Tls::ClientCertificate later = Tls::verifyClientCertificate(
        authority, leaf, {leaf}, QDateTime::currentDateTimeUtc().addDays(365));
    QCOMPARE(later.verification, QStringLiteral("FAILED:certificate has expired"));
    // No certificate: NONE, and the other variables are empty.
    const Tls::ClientCertificate none = Tls::verifyClientCertificate(authority, {}, {}, {});
    QCOMPARE(none.variable(QStringLiteral("client_certificate_verification")),
             QStringLiteral("NONE"));
    QVERIFY(none.variable(QStringLiteral("client_certificate_subject")).isEmpty());
    // Issuer DN check: a chain root -> intermediate makes the intermediate the expected issuer.
    const Tls::KeyPair intermediate = Tls::CertificateFactory::create(
        {QStringLiteral("intermediate"), {}, 30, 0, true}, m_ca);
    QCOMPARE(Tls::readTrustedClientCertificate(
                 QString::fromLatin1(m_ca.certificatePem + intermediate.certificatePem), &cas, &dn),
             QString());
    QCOMPARE(dn, QStringLiteral("CN=intermediate,O=appgw development"));
    authority.caCertificates = cas;
    authority.issuerDns = {dn};
    authority.verifyIssuerDn = true;
    QCOMPARE(Tls::verifyClientCertificate(authority, leaf, {leaf}, QDateTime::currentDateTimeUtc())
                 .verification,
             QStringLiteral("FAILED:unable to verify the client certificate issuer"));

    // Azure forwards none of them by default: the backend sees no trace of the certificate.
    const QString profiles = profileJson({}, {QStringLiteral("ca")}, false);
    quint16 port = 0;
    auto gateway = start(templateJson(m_pfx, m_backend.port(), profiles,
                                      trustedJson(QStringLiteral("ca"), m_ca.certificatePem), {},
                                      true),
                         &port);
    QVERIFY(gateway);
    m_lastBackendHead.clear();
    QCOMPARE(statusOf(request(port, m_caCerts, m_good, QSsl::SecureProtocols).response), 200);
    QVERIFY(!m_lastBackendHead.isEmpty());
    QVERIFY2(!m_lastBackendHead.contains("alice") && !m_lastBackendHead.contains("BEGIN"),
             m_lastBackendHead.constData());
}

void tst_SslProfile::rewriteReadsClientCertificate_data()
{
    QTest::addColumn<bool>("clientAuth");  // the listener's SSL profile authenticates clients
    QTest::addColumn<bool>("certificate"); // the client presents alice's certificate
    QTest::addColumn<QString>("header");   // request header the rewrite set at the backend
    QTest::addColumn<QString>("expected"); // its value: exact, or "re:" + a regular expression

    // The rewrite puts each variable between < > so an empty value is still a header.
    const QString date = QStringLiteral(
        "re:^<[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d \\d{4} GMT>$");
    QTest::newRow("verification") << true << true << "X-Verify"
                                  << "<SUCCESS>";
    QTest::newRow("subject") << true << true << "X-Subject"
                             << "<CN=alice,O=appgw development>";
    QTest::newRow("issuer") << true << true << "X-Issuer"
                            << "<CN=client CA,O=appgw development>";
    QTest::newRow("serial") << true << true << "X-Serial"
                            << "serial";
    QTest::newRow("fingerprint") << true << true << "X-Fingerprint"
                                 << "fingerprint";
    QTest::newRow("start date") << true << true << "X-Start" << date;
    QTest::newRow("end date") << true << true << "X-End" << date;
    // The PEM spans lines, so it is read through a condition rather than put in a header.
    QTest::newRow("certificate pem") << true << true << "X-Pem"
                                     << "<CN=alice,O=appgw development>";
    // A listener without client authentication: NONE and empty fields, even with --cert.
    QTest::newRow("no client auth verification") << false << true << "X-Verify"
                                                 << "<NONE>";
    QTest::newRow("no client auth subject") << false << true << "X-Subject"
                                            << "<>";
    QTest::newRow("no client auth fingerprint") << false << false << "X-Fingerprint"
                                                << "<>";
    QTest::newRow("no client auth pem") << false << false << "X-Pem"
                                        << "(absent)";
    QTest::newRow("no client auth end date") << false << false << "X-End"
                                             << "<>";
}

void tst_SslProfile::rewriteReadsClientCertificate()
{
    QFETCH(bool, clientAuth);
    QFETCH(bool, certificate);
    QFETCH(QString, header);
    QFETCH(QString, expected);

    const QString rules = QStringLiteral(R"(
      { "name": "mtls", "ruleSequence": 10, "actionSet": { "requestHeaderConfigurations": [
        { "headerName": "X-Verify", "headerValue": "<{var_client_certificate_verification}>" },
        { "headerName": "X-Subject", "headerValue": "<{var_client_certificate_subject}>" },
        { "headerName": "X-Issuer", "headerValue": "<{var_client_certificate_issuer}>" },
        { "headerName": "X-Serial", "headerValue": "<{var_client_certificate_serial}>" },
        { "headerName": "X-Fingerprint", "headerValue": "<{var_client_certificate_fingerprint}>" },
        { "headerName": "X-Start", "headerValue": "<{var_client_certificate_start_date}>" },
        { "headerName": "X-End", "headerValue": "<{var_client_certificate_end_date}>" } ] } },
      { "name": "pem", "ruleSequence": 20,
        "conditions": [ { "variable": "var_client_certificate",
                          "pattern": "^-----BEGIN CERTIFICATE-----\\n[A-Za-z0-9+/=\\n]+-----END CERTIFICATE-----\\n?$" } ],
        "actionSet": { "requestHeaderConfigurations": [
          { "headerName": "X-Pem", "headerValue": "<{var_client_certificate_subject}>" } ] } })");
    const QString profiles =
        clientAuth
            ? profileJson({}, {QStringLiteral("ca")}, false)
            : profileJson(
                QStringLiteral(
                    R"({ "policyType": "Predefined", "policyName": "AppGwSslPolicy20220101" })"),
                {}, false);
    quint16 port = 0;
    auto gateway = start(templateJson(m_pfx, m_backend.port(), profiles,
                                      trustedJson(QStringLiteral("ca"), m_ca.certificatePem), {},
                                      true, QStringLiteral("Https"), rules),
                         &port);
    QVERIFY(gateway);
    m_lastBackendHead.clear();
    const Outcome out = request(port, m_caCerts, certificate ? m_good : Tls::KeyPair(),
                                QSsl::SecureProtocols);
    QCOMPARE(statusOf(out.response), 200);
    QString value = QStringLiteral("(absent)");
    for (const QByteArray &line : m_lastBackendHead.split('\n'))
        if (line.toLower().startsWith(QByteArray(header.toLower().toLatin1() + ':')))
            value = QString::fromLatin1(line.mid(header.size() + 1).trimmed());
    const QSslCertificate leaf(m_good.certificatePem, QSsl::Pem);
    if (expected == QLatin1String("serial"))
        expected = QLatin1Char('<')
                   + QString::fromLatin1(leaf.serialNumber()).remove(QLatin1Char(':')).toUpper()
                   + QLatin1Char('>');
    else if (expected == QLatin1String("fingerprint"))
        expected = QLatin1Char('<')
                   + QString::fromLatin1(leaf.digest(QCryptographicHash::Sha1).toHex())
                   + QLatin1Char('>');
    if (expected.startsWith(QLatin1String("re:")))
        QVERIFY2(QRegularExpression(expected.mid(3)).match(value).hasMatch(), qPrintable(value));
    else
        QCOMPARE(value, expected);
}

void tst_SslProfile::curlWithClientCertificate()
{
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    if (curl.isEmpty())
        QSKIP("curl is not installed");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto write = [&](const QString &name, const QByteArray &bytes) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    };
    write(QStringLiteral("ca.crt"), m_ca.certificatePem);
    write(QStringLiteral("client.crt"), m_good.certificatePem);
    write(QStringLiteral("client.key"), m_good.keyPem);
    quint16 port = 0;
    auto gateway = start(templateJson(m_pfx, m_backend.port(),
                                      profileJson({}, {QStringLiteral("ca")}, false),
                                      trustedJson(QStringLiteral("ca"), m_ca.certificatePem), {},
                                      true),
                         &port);
    QVERIFY(gateway);
    const auto run = [&](const QStringList &extra) {
        QProcess p;
        p.start(curl,
                QStringList{QStringLiteral("-s"), QStringLiteral("-o"),
                            QStringLiteral("/dev/stdout"), QStringLiteral("-w"),
                            QStringLiteral("\n%{http_code}"), QStringLiteral("--cacert"),
                            dir.filePath(QStringLiteral("ca.crt")), QStringLiteral("--resolve"),
                            QStringLiteral("localhost:%1:127.0.0.1").arg(port),
                            QStringLiteral("https://localhost:%1/").arg(port)}
                    + extra);
        [[maybe_unused]] const bool done = QTest::qWaitFor(
            [&] { return p.state() == QProcess::NotRunning; }, 20'000);
        return p.readAllStandardOutput();
    };
    const QByteArray with = run({QStringLiteral("--cert"),
                                 dir.filePath(QStringLiteral("client.crt")), QStringLiteral("--key"),
                                 dir.filePath(QStringLiteral("client.key"))});
    QVERIFY2(with.endsWith("\n200"), with.constData());
    const QByteArray without = run({});
    QVERIFY2(without.endsWith("\n400"), without.constData());
    QVERIFY2(without.contains("No required SSL certificate was sent"), without.constData());
}

void tst_SslProfile::diagnostics_data()
{
    QTest::addColumn<QString>("profiles");
    QTest::addColumn<QString>("trusted");
    QTest::addColumn<QString>("gatewayPolicy");
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<bool>("error"); // an error (else a warning)
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");
    const QString ok = profileJson({}, {QStringLiteral("ca")}, false);
    const QString ca = QStringLiteral("CA"); // replaced by the CA's PEM in the test
    const QString https = QStringLiteral("Https");
    QTest::newRow("dangling profile reference")
        << ""
        << ""
        << "" << https << true << "httpListeners[0].properties.sslProfile.id"
        << "there is no sslProfiles element named 'p'";
    QTest::newRow("dangling trusted client certificate")
        << profileJson({}, {QStringLiteral("nope")}, false) << ca << "" << https << true
        << "sslProfiles[0].properties.trustedClientCertificates[0].id"
        << "no trustedClientCertificates element named 'nope'";
    QTest::newRow("unknown policy name")
        << profileJson(QStringLiteral(R"({ "policyName": "AppGwSslPolicy2023" })"), {}, false) << ""
        << "" << https << true << "sslProfiles[0].properties.sslPolicy.policyName"
        << "unknown predefined SSL policy";
    QTest::newRow("bad cipher name") << profileJson(
        QStringLiteral(R"({ "policyType": "Custom", "cipherSuites": [ "RC4-MD5" ] })"), {}, false)
                                     << ""
                                     << "" << https << true
                                     << "sslProfiles[0].properties.sslPolicy.cipherSuites"
                                     << "unknown cipher suite 'RC4-MD5'";
    QTest::newRow("gateway bad policy type")
        << ""
        << ""
        << R"({ "policyType": "Loose" })" << https << true << "properties.sslPolicy.policyType"
        << "policyType 'Loose'";
    QTest::newRow("2022 and 2017 policies together")
        << profileJson(QStringLiteral(R"({ "policyName": "AppGwSslPolicy20220101" })"), {}, false)
        << ""
        << R"({ "policyName": "AppGwSslPolicy20170401S" })" << https << true
        << "sslProfiles[0].properties.sslPolicy"
        << "cannot coexist";
    QTest::newRow("ocsp cannot be checked locally")
        << profileJson({}, {QStringLiteral("ca")}, false, QStringLiteral("OCSP")) << ca << ""
        << https << false
        << "sslProfiles[0].properties.clientAuthConfiguration.verifyClientRevocation"
        << "OCSP responders cannot be reached locally";
    QTest::newRow("bad revocation value")
        << profileJson({}, {QStringLiteral("ca")}, false, QStringLiteral("CRL")) << ca << ""
        << https << true
        << "sslProfiles[0].properties.clientAuthConfiguration.verifyClientRevocation"
        << "must be None or OCSP";
    QTest::newRow("profile on http listener")
        << ok << ca << ""
        << "Http" << true << "httpListeners[0].properties.sslProfile"
        << "only be set on an Https listener";
    QTest::newRow("trusted client certificate without CA")
        << ok << "LEAF"
        << "" << https << true << "trustedClientCertificates[0].properties.data"
        << "DoesNotContainAnyCACertificate";
    QTest::newRow("trusted client certificate garbage")
        << ok << "GARBAGE"
        << "" << https << true << "trustedClientCertificates[0].properties.data"
        << "InvalidData";
    QTest::newRow("3des not in local openssl")
        << profileJson(QStringLiteral(R"({ "policyType": "Custom", "cipherSuites": [
                       "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" ] })"),
                       {}, false)
        << ""
        << "" << https << false << "sslProfiles[0].properties.sslPolicy"
        << "does not have TLS_RSA_WITH_3DES_EDE_CBC_SHA";
}

void tst_SslProfile::diagnostics()
{
    QFETCH(QString, profiles);
    QFETCH(QString, trusted);
    QFETCH(QString, gatewayPolicy);
    QFETCH(QString, protocol);
    QFETCH(bool, error);
    QFETCH(QString, path);
    QFETCH(QString, message);
    if (trusted == QLatin1String("CA"))
        trusted = trustedJson(QStringLiteral("ca"), m_ca.certificatePem);
    else if (trusted == QLatin1String("LEAF"))
        trusted = trustedJson(QStringLiteral("ca"), m_good.certificatePem);
    else if (trusted == QLatin1String("GARBAGE"))
        trusted = trustedJson(QStringLiteral("ca"), "not a certificate at all");
    const auto doc = Config::ConfigDocument::fromJson(templateJson(m_pfx, 80, profiles, trusted,
                                                                   gatewayPolicy, true, protocol));
    Config::Diagnostics all = doc.loadDiagnostics() + Config::validate(doc.model());
    Tls::CertificateStore store;
    all += Tls::loadCertificates(doc.model(), {}, &store);
    QStringList seen;
    bool found = false;
    for (const Config::Diagnostic &d : all) {
        seen << d.path + QStringLiteral(": ") + d.message;
        if (d.isError() == error && d.path.endsWith(path) && d.message.contains(message)) {
            found = true;
            if (!error) // what cannot be applied locally is said at `appgw run` too
                QVERIFY(!d.standIn.isEmpty());
        }
    }
    QVERIFY2(found, qPrintable(seen.join(QLatin1Char('\n'))));
}

QTEST_MAIN(tst_SslProfile)
#include "tst_sslprofile.moc"
