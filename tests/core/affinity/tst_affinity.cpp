// Gateway-managed cookie affinity values and cookies (azure-reference.md §3, cookieBasedAffinity
// and affinityCookieName), and the Cookie header parser the selector reads them with.

#include "routing/affinity.h"
#include "routing/backendruntime.h"

#include <QTest>

using namespace Gateway::Routing;

namespace {

BackendSettingRuntime settingNamed(const QByteArray &cookieName)
{
    BackendSettingRuntime s;
    s.affinityCookieName = QString::fromUtf8(cookieName);
    s.affinityCookieNameBytes = cookieName;
    s.affinityCorsCookieNameBytes = cookieName + "CORS";
    return s;
}

} // namespace

class tst_Affinity : public QObject
{
    Q_OBJECT

private slots:
    void valueIsAStableOpaqueHash_data();
    void valueIsAStableOpaqueHash();
    void isAffinityCookieValue_data();
    void isAffinityCookieValue();
    void setCookieHeaders_data();
    void setCookieHeaders();
    void forEachCookie_data();
    void forEachCookie();
    void forEachCookieStopsWhenTheVisitorSaysSo();
};

void tst_Affinity::valueIsAStableOpaqueHash_data()
{
    QTest::addColumn<QString>("pool");
    QTest::addColumn<QString>("setting");
    QTest::addColumn<QString>("address");
    QTest::newRow("ip address") << "pool"
                                << "setting"
                                << "10.0.0.4";
    QTest::newRow("fqdn") << "webPool"
                          << "httpSetting"
                          << "app.contoso.com";
    QTest::newRow("ipv6") << "p"
                          << "s"
                          << "fe80::1";
    QTest::newRow("empty names") << ""
                                 << ""
                                 << "";
}

void tst_Affinity::valueIsAStableOpaqueHash()
{
    // §3: "The value is a one-way hash"; the docs' example value is 32 hex characters. Stable for
    // the same server so a pinned client survives a restart (reliability-cases B16), never the
    // address itself.
    QFETCH(QString, pool);
    QFETCH(QString, setting);
    QFETCH(QString, address);
    const QByteArray value = affinityCookieValue(pool, setting, address);
    QCOMPARE(value.size(), AffinityValueLength);
    QVERIFY2(Gateway::Routing::isAffinityCookieValue(value), value.constData());
    QCOMPARE(affinityCookieValue(pool, setting, address), value);
    // ARM names are case-insensitive: the same element gives the same value.
    QCOMPARE(affinityCookieValue(pool.toUpper(), setting.toUpper(), address.toUpper()), value);
    QVERIFY(address.isEmpty() || !value.contains(address.toUtf8()));
    // A different server, pool or setting gives a different value.
    QVERIFY(affinityCookieValue(pool, setting, address + u'x') != value);
    QVERIFY(affinityCookieValue(pool + u'x', setting, address) != value);
    QVERIFY(affinityCookieValue(pool, setting + u'x', address) != value);
}

void tst_Affinity::isAffinityCookieValue_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("valid");
    QTest::newRow("32 lowercase hex") << QByteArray("0123456789abcdef0123456789abcdef") << true;
    QTest::newRow("generated value")
        << affinityCookieValue(QStringLiteral("p"), QStringLiteral("s"), QStringLiteral("a"))
        << true;
    QTest::newRow("31 characters") << QByteArray("0123456789abcdef0123456789abcde") << false;
    QTest::newRow("33 characters") << QByteArray("0123456789abcdef0123456789abcdef0") << false;
    QTest::newRow("upper-case hex") << QByteArray("0123456789ABCDEF0123456789ABCDEF") << false;
    QTest::newRow("non-hex letter") << QByteArray("0123456789abcdeg0123456789abcdef") << false;
    // The docs' own example (§3) carries 'l', which no hash of ours produces.
    QTest::newRow("docs example with l") << QByteArray("c1a2bd51lfd396387f96bl9cc3d2c516") << false;
    QTest::newRow("server index") << QByteArray("1") << false;
    QTest::newRow("address") << QByteArray("10.0.0.4") << false;
    QTest::newRow("empty") << QByteArray() << false;
}

void tst_Affinity::isAffinityCookieValue()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, valid);
    QCOMPARE(Gateway::Routing::isAffinityCookieValue(value), valid);
}

void tst_Affinity::setCookieHeaders_data()
{
    QTest::addColumn<QByteArray>("cookieName");
    QTest::addColumn<QByteArray>("setCookie");
    QTest::addColumn<QByteArray>("corsSetCookie");
    const QByteArray v("0123456789abcdef0123456789abcdef");
    // §3: "Set-Cookie: ApplicationGatewayAffinity=<hash>; Path=/" with no Secure/HttpOnly, and
    // the <name>CORS twin with SameSite=None; Secure. A custom name X gives X and XCORS.
    QTest::newRow("default name") << DefaultAffinityCookieName.toByteArray()
                                  << QByteArray("ApplicationGatewayAffinity=" + v + "; Path=/")
                                  << QByteArray("ApplicationGatewayAffinityCORS=" + v
                                                + "; Path=/; SameSite=None; Secure");
    QTest::newRow("custom name") << QByteArray("MyAppAffinity")
                                 << QByteArray("MyAppAffinity=" + v + "; Path=/")
                                 << QByteArray("MyAppAffinityCORS=" + v
                                               + "; Path=/; SameSite=None; Secure");
}

void tst_Affinity::setCookieHeaders()
{
    QFETCH(QByteArray, cookieName);
    QFETCH(QByteArray, setCookie);
    QFETCH(QByteArray, corsSetCookie);
    const BackendSettingRuntime s = settingNamed(cookieName);
    const QByteArray v("0123456789abcdef0123456789abcdef");
    QCOMPARE(affinitySetCookie(s, v), setCookie);
    QCOMPARE(affinityCorsSetCookie(s, v), corsSetCookie);
}

void tst_Affinity::forEachCookie_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QStringList>("pairs"); // "name=value", in order
    QTest::newRow("one") << QByteArray("a=1") << QStringList{"a=1"};
    QTest::newRow("two with space") << QByteArray("a=1; b=2") << QStringList{"a=1", "b=2"};
    QTest::newRow("no space") << QByteArray("a=1;b=2") << QStringList{"a=1", "b=2"};
    QTest::newRow("extra whitespace")
        << QByteArray("  a = 1 ;   b=2  ") << QStringList{"a=1", "b=2"};
    QTest::newRow("empty value") << QByteArray("a=; b=2") << QStringList{"a=", "b=2"};
    QTest::newRow("pair without '=' skipped") << QByteArray("flag; b=2") << QStringList{"b=2"};
    QTest::newRow("empty name skipped") << QByteArray("=x; b=2") << QStringList{"b=2"};
    QTest::newRow("empty pairs skipped") << QByteArray(";; a=1;;") << QStringList{"a=1"};
    QTest::newRow("trailing semicolon") << QByteArray("a=1;") << QStringList{"a=1"};
    QTest::newRow("quoted value unquoted") << QByteArray("a=\"xyz\"") << QStringList{"a=xyz"};
    QTest::newRow("lone quote kept") << QByteArray("a=\"") << QStringList{"a=\""};
    QTest::newRow("'=' inside value kept") << QByteArray("a=b=c") << QStringList{"a=b=c"};
    QTest::newRow("names keep their case") << QByteArray("ApplicationGatewayAffinity=1")
                                           << QStringList{"ApplicationGatewayAffinity=1"};
    QTest::newRow("empty header") << QByteArray() << QStringList{};
}

void tst_Affinity::forEachCookie()
{
    QFETCH(QByteArray, header);
    QFETCH(QStringList, pairs);
    QStringList seen;
    Gateway::Routing::forEachCookie(header, [&seen](QByteArrayView name, QByteArrayView value) {
        seen.append(QString::fromUtf8(name.toByteArray() + '=' + value.toByteArray()));
        return true;
    });
    QCOMPARE(seen, pairs);
}

void tst_Affinity::forEachCookieStopsWhenTheVisitorSaysSo()
{
    QStringList seen;
    Gateway::Routing::forEachCookie("a=1; b=2; c=3", [&seen](QByteArrayView name, QByteArrayView) {
        seen.append(QString::fromUtf8(name.toByteArray()));
        return name != "b";
    });
    QCOMPARE(seen, (QStringList{"a", "b"}));
}

QTEST_APPLESS_MAIN(tst_Affinity)
#include "tst_affinity.moc"
