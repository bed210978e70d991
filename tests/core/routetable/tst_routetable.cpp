// The routing table (azure-reference.md §1 listeners, §3 backend settings, §5 rules, path maps and
// redirects): one configuration read through ConfigDocument, routed request by request.

#include "config/configdocument.h"
#include "routing/routetable.h"

#include <QFile>
#include <QTest>

using namespace Gateway;
using namespace Gateway::Routing;

Q_DECLARE_METATYPE(Gateway::Routing::RouteResult::Kind)

namespace {

QByteArray readFile(const char *path)
{
    QFile f(QString::fromUtf8(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Listeners by frontend port:
//  80:   site80 (www.contoso.com, priority 10), wild80 (*.contoso.com + api?.fabrikam.com,
//        priority 20), basic80 (no host, priority 30)
//  83:   basic83 (priority 5) before site83 (www.contoso.com, priority 6)
//  84:   rules without priority: site84 then basic84, in list order (v1 order)
//  8080: path-based listeners, one per host; 81 and 82 share local port 18081; 443 Https
//  85:   rules pointing at things that do not exist
const char *const Template = APPGW_SOURCE_DIR "/tests/core/routetable/template.json";

// A second configuration, one listener per misconfiguration (each on its own port, rule first).
const char *const Broken = APPGW_SOURCE_DIR "/tests/core/routetable/broken.json";

std::shared_ptr<const RouteTable> tableFor(const char *json)
{
    const Config::ConfigDocument doc = Config::ConfigDocument::fromJson(readFile(json));
    return RouteTable::build(doc.model());
}

} // namespace

class tst_RouteTable : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void route_data();
    void route();
    void misconfigured_data();
    void misconfigured();
    void sockets();
    void backendHostHeader_data();
    void backendHostHeader();

private:
    std::shared_ptr<const RouteTable> m_table;
};

void tst_RouteTable::initTestCase()
{
    const Config::ConfigDocument doc = Config::ConfigDocument::fromJson(readFile(Template));
    QVERIFY(doc.isLoaded());
    m_table = RouteTable::build(doc.model());
    QVERIFY(m_table);
}

void tst_RouteTable::route_data()
{
    QTest::addColumn<int>("port");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<RouteResult::Kind>("kind");
    QTest::addColumn<QString>("listener");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("pathRule");
    QTest::addColumn<QString>("pool");           // Backend
    QTest::addColumn<QString>("setting");        // Backend
    QTest::addColumn<QByteArray>("forwardPath"); // Backend: null = path unchanged
    QTest::addColumn<int>("status");             // Redirect
    QTest::addColumn<QByteArray>("location");    // Redirect

    const auto backend = [](const char *name, int port, const char *host, const char *path,
                            const char *listener, const char *rule, const char *pathRule,
                            const char *pool, const char *setting,
                            QByteArray forwardPath = QByteArray()) {
        QTest::newRow(name) << port << QByteArray(host) << QByteArray(path) << QByteArray()
                            << RouteResult::Backend << QString::fromLatin1(listener)
                            << QString::fromLatin1(rule) << QString::fromLatin1(pathRule)
                            << QString::fromLatin1(pool) << QString::fromLatin1(setting)
                            << forwardPath << 0 << QByteArray();
    };
    const auto redirect = [](const char *name, int port, const char *host, const char *path,
                             const char *query, const char *listener, const char *rule,
                             const char *pathRule, int status, const char *location) {
        QTest::newRow(name) << port << QByteArray(host) << QByteArray(path) << QByteArray(query)
                            << RouteResult::Redirect << QString::fromLatin1(listener)
                            << QString::fromLatin1(rule) << QString::fromLatin1(pathRule)
                            << QString() << QString() << QByteArray() << status
                            << QByteArray(location);
    };
    const auto notFound = [](const char *name, int port, const char *host) {
        QTest::newRow(name) << port << QByteArray(host) << QByteArray("/") << QByteArray()
                            << RouteResult::NotFound << QString() << QString() << QString()
                            << QString() << QString() << QByteArray() << 0 << QByteArray();
    };

    // §1 Evaluation order (v2): rules by priority; site-specific (10) before wildcard (20)
    // before basic (30). A basic listener accepts any host.
    backend("site listener", 80, "www.contoso.com", "/", "site80", "ruleSite80", "", "poolB",
            "plain");
    backend("wildcard listener", 80, "shop.contoso.com", "/", "wild80", "ruleWild80", "", "poolC",
            "plain");
    backend("wildcard spans labels", 80, "customer1.b2b.contoso.com", "/", "wild80", "ruleWild80",
            "", "poolC", "plain");
    backend("wildcard second host name", 80, "api1.fabrikam.com", "/", "wild80", "ruleWild80", "",
            "poolC", "plain");
    backend("question mark is one char", 80, "api12.fabrikam.com", "/", "basic80", "ruleBasic80",
            "", "poolA", "plain");
    backend("*.contoso.com not contoso.com", 80, "contoso.com", "/", "basic80", "ruleBasic80", "",
            "poolA", "plain");
    backend("basic takes any host", 80, "other.example", "/x", "basic80", "ruleBasic80", "",
            "poolA", "plain");
    backend("basic takes no host", 80, "", "/", "basic80", "ruleBasic80", "", "poolA", "plain");
    // §1/§5: priority decides, not the listener kind: a basic rule with a lower number wins.
    backend("basic with lower priority number first", 83, "www.contoso.com", "/", "basic83",
            "ruleBasic83", "", "poolA", "plain");
    // §0.2: without priorities (v1) rules are evaluated in list order.
    backend("no priority: list order, site first", 84, "www.contoso.com", "/", "site84",
            "ruleSite84", "", "poolB", "plain");
    backend("no priority: list order, basic next", 84, "other.example", "/", "basic84",
            "ruleBasic84", "", "poolA", "plain");
    // §1/§0.2: v2 answers 404 when no listener on the port matches the host.
    notFound("multi-site only port, unknown host", 8080, "unknown.contoso.com");
    notFound("port without listeners", 9999, "www.contoso.com");
    notFound("listener with a missing frontend port is not served", 0, "www.contoso.com");

    // §5 URL path maps: paths in listed order, first match wins; `*` only at the end (prefix);
    // case-insensitive; no match -> the map's default.
    backend("path rule /images/*", 8080, "shop.contoso.com", "/images/logo.png", "shop", "ruleShop",
            "images", "poolB", "plain");
    backend("first match wins over later /images*", 8080, "shop.contoso.com", "/images/", "shop",
            "ruleShop", "images", "poolB", "plain");
    backend("/images* matches without slash", 8080, "shop.contoso.com", "/imagesfoo", "shop",
            "ruleShop", "imagesAny", "poolC", "plain");
    backend("/images* matches /images", 8080, "shop.contoso.com", "/images", "shop", "ruleShop",
            "imagesAny", "poolC", "plain");
    backend("second path of a rule", 8080, "shop.contoso.com", "/pics/a.png", "shop", "ruleShop",
            "imagesAny", "poolC", "plain");
    backend("path match is case-insensitive", 8080, "shop.contoso.com", "/IMAGES/Logo.png", "shop",
            "ruleShop", "images", "poolB", "plain");
    backend("exact path", 8080, "shop.contoso.com", "/exact", "shop", "ruleShop", "exact", "poolB",
            "plain");
    backend("exact path is not a prefix", 8080, "shop.contoso.com", "/exact/more", "shop",
            "ruleShop", "", "poolA", "plain");
    backend("no path rule matches: default", 8080, "shop.contoso.com", "/other", "shop", "ruleShop",
            "", "poolA", "plain");
    backend("/pics/* needs the slash", 8080, "shop.contoso.com", "/pics", "shop", "ruleShop", "",
            "poolA", "plain");

    // §3 Path override table, row by row.
    backend("override: basic /home/", 8080, "ovrbasic.test", "/home/", "ovrBasic", "ruleOvrBasic",
            "", "poolA", "override", "/override/home/");
    backend("override: /pathrule* /pathrule/home/", 8080, "ovr1.test", "/pathrule/home/", "ovr1",
            "ruleOvr1", "pathrule", "poolB", "override", "/override/home/");
    backend("override: default path /home/", 8080, "ovr1.test", "/home/", "ovr1", "ruleOvr1", "",
            "poolA", "override", "/override/home/");
    backend("override: /pathrule/home* /pathrule/home/secondhome/", 8080, "ovr2.test",
            "/pathrule/home/secondhome/", "ovr2", "ruleOvr2", "pathruleHome", "poolB", "override",
            "/override/secondhome/");
    backend("override: /pathrule/ exact", 8080, "ovr3.test", "/pathrule/", "ovr3", "ruleOvr3",
            "pathruleExact", "poolB", "override", "/override/");
    backend("no override: path unchanged", 8080, "ovr2.test", "/pathrule/x", "ovr2", "ruleOvr2", "",
            "poolA", "plain");

    // §5 Redirects: Permanent 301, Found 302, SeeOther 303, Temporary 307; targetListener or
    // targetUrl; includePath / includeQueryString.
    redirect("path rule redirect, query kept, path not", 8080, "shop.contoso.com", "/cart/items",
             "id=7", "shop", "ruleShop", "cart", 301, "https://www.contoso.com/shop?id=7");
    redirect("path rule redirect without query", 8080, "shop.contoso.com", "/cart/items", "",
             "shop", "ruleShop", "cart", 301, "https://www.contoso.com/shop");
    redirect("to listener with path and query", 81, "any.example", "/a/b", "q=1", "redir81",
             "ruleRedir81", "", 302, "https://secure.contoso.com/a/b?q=1");
    redirect("to listener, root", 81, "any.example", "/", "", "redir81", "ruleRedir81", "", 302,
             "https://secure.contoso.com/");
    redirect("url with includePath, no query", 82, "seeother.test", "/docs/x", "drop=1", "redir82",
             "ruleRedir82", "", 303, "http://example.org/base/docs/x");
    redirect("temporary, neither path nor query", 443, "secure.contoso.com", "/p", "a=b", "secure",
             "ruleSecure", "", 307, "http://example.org/moved");
}

void tst_RouteTable::route()
{
    QFETCH(int, port);
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    QFETCH(RouteResult::Kind, kind);
    QFETCH(QString, listener);
    QFETCH(QString, rule);
    QFETCH(QString, pathRule);
    QFETCH(QString, pool);
    QFETCH(QString, setting);
    QFETCH(QByteArray, forwardPath);
    QFETCH(int, status);
    QFETCH(QByteArray, location);

    const RouteResult r = m_table->route(port, host, path, query);
    QCOMPARE(r.kind, kind);
    QCOMPARE(r.listener, listener);
    QCOMPARE(r.rule, rule);
    QCOMPARE(r.pathRule, pathRule);
    QCOMPARE(r.poolName, pool);
    QCOMPARE(r.settingName, setting);
    QCOMPARE(r.detail, QString());
    if (kind == RouteResult::Backend) {
        QVERIFY(r.pool && r.setting && r.target);
        QCOMPARE(r.pool->name, pool);
        QCOMPARE(r.target->pool, r.pool);
        QCOMPARE(r.target->setting, r.setting);
        QCOMPARE(r.forwardPath.isNull(), forwardPath.isNull());
        QCOMPARE(r.forwardPath, forwardPath);
        // The query never takes part in matching and is re-attached after the override.
        const QByteArray expectedTarget = (forwardPath.isNull() ? path : forwardPath) + "?z=1";
        QCOMPARE(r.forwardTarget(path, "z=1", true), expectedTarget);
    } else {
        QVERIFY(!r.pool && !r.setting && !r.target);
    }
    QCOMPARE(r.redirectStatus, status);
    QCOMPARE(r.redirectLocation, location);
}

void tst_RouteTable::misconfigured_data()
{
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("detail");
    // Dangling references answer 500 with a sentence naming what is missing.
    QTest::newRow("missing backend setting")
        << 1001 << "r1"
        << "rule 'r1': backend setting 'missingSetting' does not exist";
    QTest::newRow("neither backend nor redirect")
        << 1002 << "r2"
        << "rule 'r2' has no backend pool and backend setting, and no redirect";
    QTest::newRow("path-based without map")
        << 1003 << "r3"
        << "rule 'r3' is PathBasedRouting but has no urlPathMap";
    QTest::newRow("missing URL path map") << 1004 << "r4"
                                          << "rule 'r4': URL path map 'missingMap' does not exist";
    QTest::newRow("missing redirect configuration")
        << 1005 << "r5"
        << "rule 'r5': redirect configuration 'missingRedirect' does not exist";
    QTest::newRow("missing backend pool") << 1006 << "r6"
                                          << "rule 'r6': backend pool 'missingPool' does not exist";
}

void tst_RouteTable::misconfigured()
{
    QFETCH(int, port);
    QFETCH(QString, rule);
    QFETCH(QString, detail);
    const auto table = tableFor(Broken);
    const RouteResult r = table->route(port, "www.contoso.com", "/");
    QCOMPARE(r.kind, RouteResult::Misconfigured);
    QCOMPARE(r.rule, rule);
    QCOMPARE(r.detail, detail);
    QVERIFY(!r.pool && !r.setting && !r.target);
}

void tst_RouteTable::sockets()
{
    // Path rule with a missing pool, in the main table: only that path is Misconfigured.
    const RouteResult broken = m_table->route(8080, "shop.contoso.com", "/broken/x");
    QCOMPARE(broken.kind, RouteResult::Misconfigured);
    QCOMPARE(broken.detail, QStringLiteral("URL path map 'shopMap' path rule 'broken': backend "
                                           "pool 'missingPool' does not exist"));
    const RouteResult brokenListener = m_table->route(85, "anything", "/");
    QCOMPARE(brokenListener.kind, RouteResult::Misconfigured);

    // One socket per local port after frontendPortMap; 81 and 82 share 18081 and are shown as
    // the lowest Azure port.
    const QList<ListenerSocket> sockets = m_table->sockets();
    QCOMPARE(sockets.size(), 7);
    const auto find = [&sockets](int localPort) -> const ListenerSocket * {
        for (const ListenerSocket &s : sockets)
            if (s.localPort == localPort)
                return &s;
        return nullptr;
    };
    const ListenerSocket *shared = find(18081);
    QVERIFY(shared);
    QCOMPARE(shared->frontendPort, 81);
    QCOMPARE(shared->listenerNames, (QStringList{"redir81", "redir82"}));
    const ListenerSocket *port80 = find(80);
    QVERIFY(port80);
    QCOMPARE(port80->frontendPort, 80);
    QCOMPARE(port80->listenerNames, (QStringList{"basic80", "site80", "wild80"}));
    QCOMPARE(port80->protocol, QStringLiteral("Http"));
    const ListenerSocket *https = find(443);
    QVERIFY(https);
    QCOMPARE(https->protocol, QStringLiteral("Https"));
    QVERIFY(find(18080));
    QCOMPARE(find(18080)->frontendPort, 8080);
    QCOMPARE(m_table->localPort(8080), 18080);
    QCOMPARE(m_table->localPort(82), 18081);
    QCOMPARE(m_table->localPort(80), 80);
    QCOMPARE(m_table->localPort(9999), 9999);

    // The listener without a frontend port and the rule without a listener are reported.
    const QStringList warnings = m_table->warnings();
    QVERIFY2(warnings.filter(QStringLiteral("'noPort'")).size() == 1,
             qPrintable(warnings.join(u'\n')));
    QVERIFY2(warnings.filter(QStringLiteral("'ruleNoListener'")).size() == 1,
             qPrintable(warnings.join(u'\n')));
}

void tst_RouteTable::backendHostHeader_data()
{
    QTest::addColumn<QString>("setting");
    QTest::addColumn<int>("server");
    QTest::addColumn<QByteArray>("expected"); // null: no header (not Backend or bad index)
    // §3: hostName overrides; pickHostNameFromBackendAddress sends the member's FQDN/IP;
    // otherwise the client's Host is kept end to end (port included).
    QTest::newRow("original host kept") << "plain" << 0 << QByteArray("www.contoso.com:8080");
    QTest::newRow("hostName override") << "fixedHost" << 1 << QByteArray("backend.internal");
    QTest::newRow("pick from fqdn") << "pickHost" << 0 << QByteArray("app.contoso.com");
    QTest::newRow("pick from ip") << "pickHost" << 1 << QByteArray("127.0.0.4");
    QTest::newRow("index out of range") << "plain" << 2 << QByteArray();
    QTest::newRow("negative index") << "plain" << -1 << QByteArray();
}

void tst_RouteTable::backendHostHeader()
{
    QFETCH(QString, setting);
    QFETCH(int, server);
    QFETCH(QByteArray, expected);
    RouteResult r;
    r.kind = RouteResult::Backend;
    r.pool = m_table->pool(QStringLiteral("POOLFQDN")); // names are case-insensitive
    r.setting = m_table->setting(setting);
    QVERIFY(r.pool && r.setting);
    const QByteArray actual = Gateway::Routing::backendHostHeader(r, server, "www.contoso.com:8080");
    QCOMPARE(actual.isNull(), expected.isNull());
    QCOMPARE(actual, expected);
    r.kind = RouteResult::Redirect;
    QVERIFY(Gateway::Routing::backendHostHeader(r, 0, "www.contoso.com").isNull());
}

QTEST_APPLESS_MAIN(tst_RouteTable)
#include "tst_routetable.moc"
