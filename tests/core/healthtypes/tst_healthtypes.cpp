// Azure's backend-health wording, the status-code matcher and the threshold state machine.

#include "health/healthtable.h"
#include "health/healthtransition.h"
#include "health/healthtypes.h"
#include "health/statuscodematcher.h"

#include <QTest>

using namespace Gateway::Health;
using Change = HealthTransition::Change;

Q_DECLARE_METATYPE(Gateway::Health::HealthState)
Q_DECLARE_METATYPE(Gateway::Health::HealthTransition::Change)

class tst_HealthTypes : public QObject
{
    Q_OBJECT

private slots:
    void stateNames()
    {
        QCOMPARE(toString(HealthState::Healthy), QStringLiteral("Healthy"));
        QCOMPARE(toString(HealthState::Unhealthy), QStringLiteral("Unhealthy"));
        QCOMPARE(toString(HealthState::Unknown), QStringLiteral("Unknown"));
    }

    void messages_data()
    {
        QTest::addColumn<QString>("actual");
        QTest::addColumn<QString>("expected");
        QTest::newRow("success") << Messages::success(200) << "Success. Received 200 status code";
        QTest::newRow("success 302")
            << Messages::success(302) << "Success. Received 302 status code";
        QTest::newRow("timeout")
            << Messages::timeout()
            << "Time taken by the backend to respond to application gateway's health probe is more "
               "than the timeout threshold in the probe setting.";
        QTest::newRow("dns")
            << Messages::dns()
            << "Application Gateway could not create a probe for this backend. This usually "
               "happens when the FQDN of the backend has not been entered correctly.";
        QTest::newRow("connect")
            << Messages::connect()
            << "Application Gateway could not connect to the backend. Check that the backend "
               "responds on the port used for the probe. Also check whether any NSG/UDR/Firewall "
               "is blocking access to the Ip and port of this backend.";
        QTest::newRow("status") << Messages::statusMismatch(QStringLiteral("200-399"), 404)
                                << "Status code of the backend's HTTP response did not match the "
                                   "probe setting. Expected:200-399 Received:404.";
        QTest::newRow("body") << Messages::bodyMismatch(QStringLiteral("Healthy"))
                              << "Body of the backend's HTTP response did not match the probe "
                                 "setting. Received response body doesn't contain Healthy.";
        QTest::newRow("cn")
            << Messages::commonNameMismatch()
            << "The Common Name of the leaf certificate presented by the backend server does not "
               "match the Probe or Backend Setting hostname of the application gateway.";
        QTest::newRow("expired")
            << Messages::expired()
            << "Backend certificate is invalid. Current date is not within the \"Valid from\" and "
               "\"Valid to\" date range on the certificate.";
        QTest::newRow("untrusted root")
            << Messages::untrustedRoot()
            << "The root certificate of the server certificate used by the backend doesn't match "
               "the trusted root certificate added to the application gateway. Ensure that you add "
               "the correct root certificate to whitelist the backend";
        QTest::newRow("unknown")
            << Messages::unknown()
            << "The backend health status could not be retrieved. This happens when an "
               "NSG/UDR/Firewall on the application gateway subnet is blocking traffic on ports "
               "65503-65534 in case of v1 SKU, and ports 65200-65535 in case of the v2 SKU or if "
               "the FQDN configured in the backend pool could not be resolved to an IP address. To "
               "learn more visit - https://aka.ms/UnknownBackendHealth.";
    }

    void messages()
    {
        QFETCH(QString, actual);
        QFETCH(QString, expected);
        QCOMPARE(actual, expected);
    }

    void statusCodes_data()
    {
        QTest::addColumn<QStringList>("entries");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("expectedText");
        QTest::addColumn<QList<int>>("accepted");
        QTest::addColumn<QList<int>>("rejected");
        QTest::newRow("empty: default")
            << QStringList{} << true << "200-399" << QList<int>{200, 301, 399}
            << QList<int>{199, 400, 404, 500};
        QTest::newRow("range") << QStringList{"200-399"} << true << "200-399"
                               << QList<int>{200, 399} << QList<int>{400};
        QTest::newRow("single") << QStringList{"200"} << true << "200" << QList<int>{200}
                                << QList<int>{201, 302};
        QTest::newRow("comma list") << QStringList{"301,302"} << true << "301,302"
                                    << QList<int>{301, 302} << QList<int>{200, 303};
        QTest::newRow("spaces") << QStringList{" 200 - 204 , 401 "} << true << "200-204,401"
                                << QList<int>{204, 401} << QList<int>{205};
        QTest::newRow("several entries") << QStringList{"200-299", "404"} << true << "200-299,404"
                                         << QList<int>{250, 404} << QList<int>{301};
        QTest::newRow("reversed range")
            << QStringList{"399-200"} << false << "" << QList<int>{} << QList<int>{};
        QTest::newRow("not a number")
            << QStringList{"2xx"} << false << "" << QList<int>{} << QList<int>{};
        QTest::newRow("out of range")
            << QStringList{"600"} << false << "" << QList<int>{} << QList<int>{};
        QTest::newRow("open range")
            << QStringList{"200-"} << false << "" << QList<int>{} << QList<int>{};
    }

    void statusCodes()
    {
        QFETCH(QStringList, entries);
        QFETCH(bool, valid);
        QFETCH(QString, expectedText);
        QFETCH(QList<int>, accepted);
        QFETCH(QList<int>, rejected);
        StatusCodeMatcher matcher;
        QString error;
        QCOMPARE(matcher.parse(entries, &error), valid);
        if (!valid) {
            QVERIFY(!error.isEmpty());
            QCOMPARE(matcher.expectedText(), QStringLiteral("200-399")); // unchanged
            return;
        }
        QCOMPARE(matcher.expectedText(), expectedText);
        for (int code : accepted)
            QVERIFY2(matcher.matches(code), qPrintable(QString::number(code)));
        for (int code : rejected)
            QVERIFY2(!matcher.matches(code), qPrintable(QString::number(code)));
    }

    void transitions_data()
    {
        // sequence: s = success, f = failure, u = unresolved
        QTest::addColumn<int>("threshold");
        QTest::addColumn<QString>("sequence");
        QTest::addColumn<HealthState>("state");
        QTest::addColumn<int>("failures");
        QTest::addColumn<Change>("lastChange");
        QTest::newRow("nothing yet") << 3 << "" << HealthState::Unknown << 0 << Change::Unchanged;
        QTest::newRow("first success") << 3 << "s" << HealthState::Healthy << 0 << Change::Changed;
        QTest::newRow("two failures from unknown stay unknown")
            << 3 << "ff" << HealthState::Unknown << 2 << Change::ChangePending;
        QTest::newRow("third failure from unknown")
            << 3 << "fff" << HealthState::Unhealthy << 3 << Change::Changed;
        QTest::newRow("two failures stay healthy")
            << 3 << "sff" << HealthState::Healthy << 2 << Change::ChangePending;
        QTest::newRow("third failure")
            << 3 << "sfff" << HealthState::Unhealthy << 3 << Change::Changed;
        QTest::newRow("fourth failure")
            << 3 << "sffff" << HealthState::Unhealthy << 4 << Change::Unchanged;
        QTest::newRow("one success recovers")
            << 3 << "sffffs" << HealthState::Healthy << 0 << Change::Changed;
        QTest::newRow("success resets the count")
            << 3 << "sffsff" << HealthState::Healthy << 2 << Change::ChangePending;
        QTest::newRow("threshold 1") << 1 << "sf" << HealthState::Unhealthy << 1 << Change::Changed;
        QTest::newRow("threshold 0 acts as 1")
            << 0 << "f" << HealthState::Unhealthy << 1 << Change::Changed;
        QTest::newRow("unresolved: unknown at once")
            << 3 << "su" << HealthState::Unknown << 0 << Change::Changed;
        QTest::newRow("unresolved resets failures")
            << 3 << "ffuff" << HealthState::Unknown << 2 << Change::ChangePending;
    }

    void transitions()
    {
        QFETCH(int, threshold);
        QFETCH(QString, sequence);
        QFETCH(HealthState, state);
        QFETCH(int, failures);
        QFETCH(Change, lastChange);
        HealthTransition t(threshold);
        Change change = Change::Unchanged;
        for (QChar c : sequence) {
            if (c == QLatin1Char('s'))
                change = t.onSuccess();
            else if (c == QLatin1Char('f'))
                change = t.onFailure();
            else
                change = t.onUnresolved();
        }
        QCOMPARE(toString(t.state()), toString(state));
        QCOMPARE(t.consecutiveFailures(), failures);
        QCOMPARE(int(change), int(lastChange));
    }

    void table()
    {
        HealthTable table;
        const quint64 g0 = table.generation();
        QCOMPARE(table.get("pool", "bhs", "10.0.0.4").routable, true); // absent: routable Unknown
        table.set("Pool", "BHS", "10.0.0.4", {HealthState::Unhealthy, false});
        QVERIFY(table.generation() > g0);
        const auto e = table.get("pool", "bhs", "10.0.0.4"); // names are case-insensitive
        QCOMPARE(toString(e.state), QStringLiteral("Unhealthy"));
        QCOMPARE(e.routable, false);
        table.clear();
        QCOMPARE(toString(table.get("pool", "bhs", "10.0.0.4").state), QStringLiteral("Unknown"));
    }
};

QTEST_GUILESS_MAIN(tst_HealthTypes)
#include "tst_healthtypes.moc"
