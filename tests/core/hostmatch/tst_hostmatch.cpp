// Listener host matching (azure-reference.md §1): Azure's wildcard host names and the Host-header
// normaliser the listener selection uses.

#include "routing/hostmatch.h"

#include <QTest>

using namespace Gateway::Routing;

class tst_HostMatch : public QObject
{
    Q_OBJECT

private slots:
    void hostMatches_data();
    void hostMatches();
    void hasWildcard_data();
    void hasWildcard();
    void normalizeHost_data();
    void normalizeHost();
};

void tst_HostMatch::hostMatches_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<bool>("matches");

    // §1 Types: a multi-site listener matches the Host header; without wildcards, exactly.
    QTest::newRow("exact") << QByteArray("www.contoso.com") << QByteArray("www.contoso.com")
                           << true;
    QTest::newRow("exact other name")
        << QByteArray("www.contoso.com") << QByteArray("api.contoso.com") << false;
    QTest::newRow("exact is not a suffix match")
        << QByteArray("contoso.com") << QByteArray("www.contoso.com") << false;
    QTest::newRow("exact is not a prefix match")
        << QByteArray("www.contoso.com") << QByteArray("www.contoso.com.evil") << false;
    // Host names are case-insensitive (DNS names; §1 allows A-Z and a-z alike).
    QTest::newRow("case-insensitive host")
        << QByteArray("www.contoso.com") << QByteArray("WWW.Contoso.COM") << true;
    QTest::newRow("case-insensitive pattern")
        << QByteArray("*.CONTOSO.com") << QByteArray("shop.contoso.com") << true;
    // §1 Wildcard syntax: `*` many characters, dots included.
    QTest::newRow("star one label")
        << QByteArray("*.contoso.com") << QByteArray("shop.contoso.com") << true;
    QTest::newRow("star spans dots (docs example)")
        << QByteArray("*.contoso.com") << QByteArray("customer1.b2b.contoso.com") << true;
    QTest::newRow("star.contoso.com vs contoso.com")
        << QByteArray("*.contoso.com") << QByteArray("contoso.com") << false;
    QTest::newRow("star.contoso.com vs other domain")
        << QByteArray("*.contoso.com") << QByteArray("shop.fabrikam.com") << false;
    QTest::newRow("star.contoso.com vs suffix without dot")
        << QByteArray("*.contoso.com") << QByteArray("evilcontoso.com") << false;
    QTest::newRow("two stars (*.contoso.*)")
        << QByteArray("*.contoso.*") << QByteArray("www.contoso.co.uk") << true;
    QTest::newRow("two stars, middle missing")
        << QByteArray("*.contoso.*") << QByteArray("www.fabrikam.com") << false;
    QTest::newRow("star at end") << QByteArray("www.contoso.*") << QByteArray("www.contoso.net")
                                 << true;
    QTest::newRow("star alone matches any host")
        << QByteArray("*") << QByteArray("anything.at.all") << true;
    // §1: `?` exactly one character.
    QTest::newRow("question one char")
        << QByteArray("api?.contoso.com") << QByteArray("api1.contoso.com") << true;
    QTest::newRow("question needs a char")
        << QByteArray("api?.contoso.com") << QByteArray("api.contoso.com") << false;
    QTest::newRow("question not two chars")
        << QByteArray("api?.contoso.com") << QByteArray("api12.contoso.com") << false;
    QTest::newRow("question and star")
        << QByteArray("?.contoso.*") << QByteArray("a.contoso.org") << true;
    // No regex (§1): '.' is a literal dot, not "any character".
    QTest::newRow("dot is literal")
        << QByteArray("www.contoso.com") << QByteArray("wwwxcontoso.com") << false;
    // Empty values.
    QTest::newRow("empty pattern, empty host") << QByteArray() << QByteArray() << true;
    QTest::newRow("empty pattern, a host") << QByteArray() << QByteArray("contoso.com") << false;
    QTest::newRow("name pattern, empty host") << QByteArray("contoso.com") << QByteArray() << false;
    QTest::newRow("star, empty host") << QByteArray("*") << QByteArray() << true;
}

void tst_HostMatch::hostMatches()
{
    QFETCH(QByteArray, pattern);
    QFETCH(QByteArray, host);
    QFETCH(bool, matches);
    QCOMPARE(Gateway::Routing::hostMatches(pattern, host), matches);
}

void tst_HostMatch::hasWildcard_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<bool>("wildcard");
    // §1 Wildcard syntax: `*` and `?` are the only wildcard characters.
    QTest::newRow("plain name") << QByteArray("www.contoso.com") << false;
    QTest::newRow("leading star") << QByteArray("*.contoso.com") << true;
    QTest::newRow("trailing star") << QByteArray("www.contoso.*") << true;
    QTest::newRow("question") << QByteArray("api?.contoso.com") << true;
    QTest::newRow("hyphen and digits") << QByteArray("my-site-01.contoso.com") << false;
    QTest::newRow("empty") << QByteArray() << false;
}

void tst_HostMatch::hasWildcard()
{
    QFETCH(QByteArray, pattern);
    QFETCH(bool, wildcard);
    QCOMPARE(Gateway::Routing::hasWildcard(pattern), wildcard);
}

void tst_HostMatch::normalizeHost_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("normalized"); // null: rejected
    // §1: the listener matches the Host header's name, never its port; names compare
    // case-insensitively, and "contoso.com." is the same DNS name as "contoso.com".
    QTest::newRow("plain") << QByteArray("www.contoso.com") << QByteArray("www.contoso.com");
    QTest::newRow("upper case") << QByteArray("WWW.Contoso.COM") << QByteArray("www.contoso.com");
    QTest::newRow("port removed") << QByteArray("www.contoso.com:8080")
                                  << QByteArray("www.contoso.com");
    QTest::newRow("trailing dot removed")
        << QByteArray("contoso.com.") << QByteArray("contoso.com");
    QTest::newRow("trailing dot and port")
        << QByteArray("Example.COM.:80") << QByteArray("example.com");
    QTest::newRow("surrounding whitespace")
        << QByteArray("  contoso.com  ") << QByteArray("contoso.com");
    QTest::newRow("empty port") << QByteArray("contoso.com:") << QByteArray("contoso.com");
    QTest::newRow("ipv4") << QByteArray("10.0.0.4") << QByteArray("10.0.0.4");
    QTest::newRow("ipv4 with port") << QByteArray("10.0.0.4:443") << QByteArray("10.0.0.4");
    QTest::newRow("ipv6 bracketed") << QByteArray("[::1]") << QByteArray("[::1]");
    QTest::newRow("ipv6 with port") << QByteArray("[::1]:8080") << QByteArray("[::1]");
    QTest::newRow("ipv6 upper case") << QByteArray("[FE80::A]:80") << QByteArray("[fe80::a]");
    // Malformed: null.
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("blank") << QByteArray("   ") << QByteArray();
    QTest::newRow("unterminated bracket") << QByteArray("[::1") << QByteArray();
    QTest::newRow("junk after bracket") << QByteArray("[::1]x") << QByteArray();
    QTest::newRow("non-digit port") << QByteArray("contoso.com:http") << QByteArray();
    QTest::newRow("two colons") << QByteArray("contoso.com:80:81") << QByteArray();
    QTest::newRow("bare ipv6 without brackets") << QByteArray("::1") << QByteArray();
    QTest::newRow("port only") << QByteArray(":80") << QByteArray();
    QTest::newRow("dot only") << QByteArray(".") << QByteArray();
}

void tst_HostMatch::normalizeHost()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, normalized);
    const QByteArray actual = Gateway::Routing::normalizeHost(header);
    QCOMPARE(actual.isNull(), normalized.isNull());
    QCOMPARE(actual, normalized);
}

QTEST_APPLESS_MAIN(tst_HostMatch)
#include "tst_hostmatch.moc"
