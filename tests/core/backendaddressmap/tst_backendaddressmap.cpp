// Config::unmappedAddresses / localBackendTarget / mapBackendAddress (issue 15 item 4): the list
// the console's "Map … to a local port" offer shows comes from the validator's diagnostics, the
// typed target is a server on this machine, and a written entry makes the warning go away.

#include "config/backendaddressmap.h"
#include "config/configdocument.h"
#include "config/configvalidator.h"

#include <QtTest>

using namespace Gateway::Config;

namespace {

GatewayConfig fixture()
{
    const ConfigDocument doc = ConfigDocument::fromFile(
        QStringLiteral(APPGW_SOURCE_DIR "/tests/data/unmapped-backends.json"));
    return doc.model();
}

QStringList addressesOf(const QList<UnmappedAddress> &list)
{
    QStringList out;
    for (const UnmappedAddress &u : list)
        out << u.address;
    return out;
}

} // namespace

class tst_BackendAddressMap : public QObject
{
    Q_OBJECT
private slots:
    void listComesFromTheValidator()
    {
        const GatewayConfig c = fixture();
        QCOMPARE(c.backendAddressPools.size(), 2);
        const QList<UnmappedAddress> list = unmappedAddresses(validate(c));
        QCOMPARE(addressesOf(list),
                 (QStringList{QStringLiteral("10.0.0.7"), QStringLiteral("10.0.0.8"),
                              QStringLiteral("api.contoso.internal")}));
        // The key the offer writes is the one the validator's message asks for.
        QVERIFY2(list.first().reason.contains(QLatin1String("add the key \"10.0.0.7\"")),
                 qPrintable(list.first().reason));
        QCOMPARE(list.first().paths,
                 QStringList{QStringLiteral("resources[0].properties.backendAddressPools[0]."
                                            "properties.backendAddresses[0]")});
        // Diagnostics that are not unmapped-address stand-ins are not offered.
        Diagnostics other = {{Diagnostic::Severity::Warning, QStringLiteral("x"),
                              QStringLiteral("10.0.0.9 is odd"), QStringLiteral("placeholder"),
                              QStringLiteral("10.0.0.9")}};
        QVERIFY(unmappedAddresses(other).isEmpty());
    }

    void oneEntryPerAddressIgnoringCase()
    {
        GatewayConfig c = fixture();
        BackendAddress again;
        again.fqdn = QStringLiteral("API.contoso.internal");
        c.backendAddressPools[1].backendAddresses.append(again);
        const QList<UnmappedAddress> list = unmappedAddresses(validate(c));
        QCOMPARE(list.size(), 3);
        QCOMPARE(list.at(2).address, QStringLiteral("api.contoso.internal"));
        QCOMPARE(list.at(2).paths.size(), 2);
        QCOMPARE(list.at(0).address, QStringLiteral("10.0.0.7"));
        QCOMPARE(list.at(0).paths.size(), 1);
    }

    void mappingRemovesTheWarning()
    {
        GatewayConfig c = fixture();
        // An entry with an empty value does not map; the new one replaces it (keys differ in case).
        c.localGateway.backendAddressMap.insert(QStringLiteral("API.CONTOSO.INTERNAL"), QString());
        QCOMPARE(unmappedAddresses(validate(c)).size(), 3);
        mapBackendAddress(c.localGateway, QStringLiteral("10.0.0.7"),
                          QStringLiteral("127.0.0.1:9001"));
        mapBackendAddress(c.localGateway, QStringLiteral("api.contoso.internal"),
                          QStringLiteral("127.0.0.1:9002"));
        QCOMPARE(c.localGateway.backendAddressMap,
                 (QMap<QString, QString>{
                     {QStringLiteral("10.0.0.7"), QStringLiteral("127.0.0.1:9001")},
                     {QStringLiteral("api.contoso.internal"), QStringLiteral("127.0.0.1:9002")}}));
        QCOMPARE(addressesOf(unmappedAddresses(validate(c))),
                 QStringList{QStringLiteral("10.0.0.8")});
        // Mapping again replaces the target.
        mapBackendAddress(c.localGateway, QStringLiteral("10.0.0.7"),
                          QStringLiteral("127.0.0.1:9003"));
        QCOMPARE(c.localGateway.backendAddressMap.value(QStringLiteral("10.0.0.7")),
                 QStringLiteral("127.0.0.1:9003"));
        QCOMPARE(c.localGateway.backendAddressMap.size(), 2);
    }

    void localBackendTarget_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("target"); // empty: refused
        QTest::addColumn<QString>("why");    // part of the reason when refused
        QTest::newRow("port") << "9001"
                              << "127.0.0.1:9001"
                              << "";
        QTest::newRow("port with spaces") << " 9001 "
                                          << "127.0.0.1:9001"
                                          << "";
        QTest::newRow("loopback host:port") << "127.0.0.1:8080"
                                            << "127.0.0.1:8080"
                                            << "";
        QTest::newRow("other loopback") << "127.0.0.2:8080"
                                        << "127.0.0.2:8080"
                                        << "";
        QTest::newRow("localhost") << "LocalHost:8080"
                                   << "localhost:8080"
                                   << "";
        QTest::newRow("ipv6 loopback") << "[::1]:8080"
                                       << "[::1]:8080"
                                       << "";
        QTest::newRow("ipv6 without brackets") << "::1:8080"
                                               << ""
                                               << "in brackets";
        QTest::newRow("empty") << ""
                               << ""
                               << "type the port";
        QTest::newRow("port 0") << "0"
                                << ""
                                << "not a port";
        QTest::newRow("port too big") << "65536"
                                      << ""
                                      << "not a port";
        QTest::newRow("words") << "demo"
                               << ""
                               << "not a port";
        QTest::newRow("host without port") << "127.0.0.1:"
                                           << ""
                                           << "no valid port";
        QTest::newRow("private address") << "10.0.0.7:80"
                                         << ""
                                         << "not on this machine";
        QTest::newRow("public name") << "example.com:80"
                                     << ""
                                     << "not on this machine";
    }

    void localBackendTarget()
    {
        QFETCH(QString, typed);
        QFETCH(QString, target);
        QFETCH(QString, why);
        QString reason;
        QCOMPARE(Gateway::Config::localBackendTarget(typed, &reason), target);
        if (target.isEmpty())
            QVERIFY2(reason.contains(why), qPrintable(reason));
    }
};

QTEST_GUILESS_MAIN(tst_BackendAddressMap)
#include "tst_backendaddressmap.moc"
