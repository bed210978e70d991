// Backend selection (azure-reference.md §2 round robin over healthy members, empty pool 502;
// §3 timeout retry on a second member and gateway-managed cookie affinity).

#include "config/configdocument.h"
#include "routing/affinity.h"
#include "routing/backendselector.h"
#include "routing/routetable.h"

#include <QFile>
#include <QSet>
#include <QTest>

using namespace Gateway;
using namespace Gateway::Routing;

namespace {

QByteArray readFile(const char *path)
{
    QFile f(QString::fromUtf8(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Port 80: pool of three members, affinity off. Port 81: the same pool, affinity on with the
// default cookie name. Port 82: custom cookie name. Port 83: an empty pool.
const char *const Template = APPGW_SOURCE_DIR "/tests/core/backendselector/template.json";

// "{0}".."{2}": the affinity value of that member of the route's target; "{x}": another target's.
QByteArray expand(QByteArray text, const RouteResult &route, const RouteResult &other)
{
    for (int i = 0; i < 3; ++i)
        text.replace(QByteArray("{" + QByteArray::number(i) + "}"),
                     BackendSelector::affinityCookieValue(route, i));
    text.replace("{x}", BackendSelector::affinityCookieValue(other, 0));
    text.replace("{1U}", BackendSelector::affinityCookieValue(route, 1).toUpper());
    text.replace("{1-}", BackendSelector::affinityCookieValue(route, 1).chopped(1));
    return text;
}

} // namespace

class tst_BackendSelector : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void pick_data();
    void pick();
    void emptyPoolOrForeignRoute();
    void affinity_data();
    void affinity();
    void affinitySetCookie();

private:
    std::shared_ptr<const RouteTable> m_table;
};

void tst_BackendSelector::initTestCase()
{
    const Config::ConfigDocument doc = Config::ConfigDocument::fromJson(readFile(Template));
    QVERIFY(doc.isLoaded());
    m_table = RouteTable::build(doc.model());
    QVERIFY2(m_table->warnings().isEmpty(), qPrintable(m_table->warnings().join(u'\n')));
}

void tst_BackendSelector::pick_data()
{
    QTest::addColumn<QStringList>("down"); // addresses the routable function refuses
    QTest::addColumn<int>("exclude");
    QTest::addColumn<QList<int>>("picks"); // successive pick() results
    // §2: round robin across healthy members.
    QTest::newRow("all healthy: round robin") << QStringList{} << -1 << QList<int>{0, 1, 2, 0, 1};
    QTest::newRow("one down is skipped")
        << QStringList{"127.0.0.2"} << -1 << QList<int>{0, 2, 0, 2};
    QTest::newRow("only one healthy")
        << QStringList{"127.0.0.1", "127.0.0.3"} << -1 << QList<int>{1, 1, 1};
    // §2: all members unhealthy -> no server (the proxy answers 502).
    QTest::newRow("all down") << QStringList{"127.0.0.1", "127.0.0.2", "127.0.0.3"} << -1
                              << QList<int>{-1, -1};
    // §3 v2: the retry goes to a second member, never the one that just failed.
    QTest::newRow("retry excludes the failed member")
        << QStringList{} << 0 << QList<int>{1, 2, 1, 2};
    QTest::newRow("retry with the only other member down")
        << QStringList{"127.0.0.2", "127.0.0.3"} << 0 << QList<int>{-1};
}

void tst_BackendSelector::pick()
{
    QFETCH(QStringList, down);
    QFETCH(int, exclude);
    QFETCH(QList<int>, picks);
    const QSet<QString> refused(down.cbegin(), down.cend());
    QStringList asked;
    BackendSelector selector(m_table, [&](const QString &pool, const QString &setting,
                                          const QString &server) {
        asked.append(pool + u'/' + setting);
        return !refused.contains(server);
    });
    const RouteResult route = m_table->route(80, "www.contoso.com", "/");
    QCOMPARE(route.kind, RouteResult::Backend);
    QList<int> actual;
    for (qsizetype i = 0; i < picks.size(); ++i)
        actual.append(selector.pick(route, exclude));
    QCOMPARE(actual, picks);
    QCOMPARE(selector.routableCount(route), 3 - int(down.size()));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(selector.isRoutable(route, i),
                 !refused.contains(route.pool->servers.at(i).address));
    QVERIFY(asked.size() > 0);
    QCOMPARE(asked.first(), QStringLiteral("pool/noAffinity"));
}

void tst_BackendSelector::emptyPoolOrForeignRoute()
{
    BackendSelector selector(m_table);
    // §2 Empty pool: every request gets 502 -> no server.
    const RouteResult empty = m_table->route(83, "h", "/");
    QCOMPARE(empty.kind, RouteResult::Backend);
    QCOMPARE(selector.pick(empty), -1);
    QCOMPARE(selector.routableCount(empty), 0);
    // Not a Backend result, or a result of another table: no server.
    RouteResult notFound = m_table->route(9999, "h", "/");
    QCOMPARE(selector.pick(notFound), -1);
    const Config::ConfigDocument doc = Config::ConfigDocument::fromJson(readFile(Template));
    const auto otherTable = RouteTable::build(doc.model());
    const RouteResult foreign = otherTable->route(80, "h", "/");
    QCOMPARE(foreign.kind, RouteResult::Backend);
    QCOMPARE(selector.pick(foreign), -1);
    // No health table: every member is routable.
    const RouteResult route = m_table->route(80, "h", "/");
    QCOMPARE(selector.routableCount(route), 3);
    QCOMPARE(selector.pick(route), 0);
    QCOMPARE(selector.pick(route), 1);
}

void tst_BackendSelector::affinity_data()
{
    QTest::addColumn<int>("port");
    QTest::addColumn<QByteArray>("cookie"); // Cookie header value, with {n} placeholders
    QTest::addColumn<QStringList>("down");
    QTest::addColumn<int>("pinned"); // serverForAffinityCookie(); -1: pick() decides
    // §3: the ApplicationGatewayAffinity cookie (or its CORS twin) pins the member.
    QTest::newRow("main cookie") << 81 << QByteArray("ApplicationGatewayAffinity={1}")
                                 << QStringList{} << 1;
    QTest::newRow("CORS twin") << 81 << QByteArray("ApplicationGatewayAffinityCORS={2}")
                               << QStringList{} << 2;
    QTest::newRow("among other cookies")
        << 81 << QByteArray("session=abc; ApplicationGatewayAffinity={2}; theme=dark")
        << QStringList{} << 2;
    QTest::newRow("quoted value") << 81 << QByteArray("ApplicationGatewayAffinity=\"{0}\"")
                                  << QStringList{} << 0;
    QTest::newRow("garbled main, good twin")
        << 81 << QByteArray("ApplicationGatewayAffinity=zzz; ApplicationGatewayAffinityCORS={1}")
        << QStringList{} << 1;
    // Forged, garbled or unknown values never pin: a new member is picked.
    QTest::newRow("garbled") << 81 << QByteArray("ApplicationGatewayAffinity=not-a-hash")
                             << QStringList{} << -1;
    QTest::newRow("server index forged")
        << 81 << QByteArray("ApplicationGatewayAffinity=1") << QStringList{} << -1;
    QTest::newRow("upper-case hex")
        << 81 << QByteArray("ApplicationGatewayAffinity={1U}") << QStringList{} << -1;
    QTest::newRow("truncated") << 81 << QByteArray("ApplicationGatewayAffinity={1-}")
                               << QStringList{} << -1;
    QTest::newRow("unknown well-formed value")
        << 81 << QByteArray("ApplicationGatewayAffinity=0123456789abcdef0123456789abcdef")
        << QStringList{} << -1;
    QTest::newRow("value of another pool/setting")
        << 81 << QByteArray("ApplicationGatewayAffinity={x}") << QStringList{} << -1;
    QTest::newRow("cookie name is case-sensitive")
        << 81 << QByteArray("applicationgatewayaffinity={1}") << QStringList{} << -1;
    QTest::newRow("no cookie") << 81 << QByteArray() << QStringList{} << -1;
    // §2: only healthy members receive traffic; a pinned member that is down is re-dispatched.
    QTest::newRow("pinned member down")
        << 81 << QByteArray("ApplicationGatewayAffinity={1}") << QStringList{"127.0.0.2"} << -1;
    // §3: affinity applies only with cookieBasedAffinity Enabled.
    QTest::newRow("affinity disabled")
        << 80 << QByteArray("ApplicationGatewayAffinity={1}") << QStringList{} << -1;
    // §3: a custom name X gives X and XCORS; the default name no longer counts.
    QTest::newRow("custom name") << 82 << QByteArray("MyAffinity={2}") << QStringList{} << 2;
    QTest::newRow("custom name CORS")
        << 82 << QByteArray("MyAffinityCORS={0}") << QStringList{} << 0;
    QTest::newRow("default name on custom setting")
        << 82 << QByteArray("ApplicationGatewayAffinity={2}") << QStringList{} << -1;
}

void tst_BackendSelector::affinity()
{
    QFETCH(int, port);
    QFETCH(QByteArray, cookie);
    QFETCH(QStringList, down);
    QFETCH(int, pinned);
    const QSet<QString> refused(down.cbegin(), down.cend());
    BackendSelector selector(m_table, [&](const QString &, const QString &, const QString &server) {
        return !refused.contains(server);
    });
    const RouteResult route = m_table->route(port, "h", "/");
    const RouteResult other = m_table->route(80, "h", "/");
    QCOMPARE(route.kind, RouteResult::Backend);
    const QByteArray header = expand(cookie, route, other);
    QCOMPARE(selector.serverForAffinityCookie(route, header), pinned);

    // select(): the pinned member when there is one, else round robin (first routable member).
    Http::Headers headers{{"Accept", "*/*"}};
    if (!header.isEmpty())
        headers.append({"Cookie", header});
    bool wasPinned = true;
    const int chosen = selector.select(route, headers, -1, &wasPinned);
    QCOMPARE(wasPinned, pinned >= 0);
    QCOMPARE(chosen, pinned >= 0 ? pinned : (refused.contains(QStringLiteral("127.0.0.1")) ? 1 : 0));
    // The retry (§3 v2) never returns to the member that failed, even when pinned.
    if (pinned >= 0) {
        const int retry = selector.select(route, headers, pinned, &wasPinned);
        QVERIFY(!wasPinned);
        QVERIFY(retry >= 0 && retry != pinned);
    }
}

void tst_BackendSelector::affinitySetCookie()
{
    // §3: "<name>=<hash>; Path=/" and "<name>CORS=<hash>; Path=/; SameSite=None; Secure".
    const RouteResult route = m_table->route(81, "h", "/");
    const QByteArray value = BackendSelector::affinityCookieValue(route, 2);
    QVERIFY(isAffinityCookieValue(value));
    QCOMPARE(value, affinityCookieValue(QStringLiteral("pool"), QStringLiteral("affinity"),
                                        QStringLiteral("127.0.0.3")));
    QCOMPARE(BackendSelector::affinitySetCookie(route, 2),
             "ApplicationGatewayAffinity=" + value + "; Path=/");
    QCOMPARE(BackendSelector::affinityCorsSetCookie(route, 2),
             "ApplicationGatewayAffinityCORS=" + value + "; Path=/; SameSite=None; Secure");
    const RouteResult custom = m_table->route(82, "h", "/");
    QVERIFY(BackendSelector::affinitySetCookie(custom, 0).startsWith("MyAffinity="));
    QVERIFY(BackendSelector::affinitySetCookie(route, 3).isNull());
    QVERIFY(BackendSelector::affinitySetCookie(m_table->route(9999, "h", "/"), 0).isNull());
}

QTEST_APPLESS_MAIN(tst_BackendSelector)
#include "tst_backendselector.moc"
