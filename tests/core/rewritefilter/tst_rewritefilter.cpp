// The rewrite engine on its own (core/filter/rewrite): rule sets read from ARM JSON, applied to
// parsed request and response heads, no sockets. One row per feature and per Azure exception.

#include "config/configdocument.h"
#include "filter/rewrite/rewriteengine.h"
#include "filter/rewrite/servervariables.h"
#include "http/httpmessage.h"

#include <QTest>

using namespace Gateway;
using namespace Gateway::Filter::Rewrite;

namespace {

// A bare gateway resource with one rule set "set1" whose rewriteRules are `rulesJson`.
Config::GatewayConfig configWith(const QByteArray &rulesJson)
{
    const QByteArray json = R"J({"name":"gw","properties":{"rewriteRuleSets":[{"name":"set1",
        "properties":{"rewriteRules":)J"
                            + rulesJson + "}}]}}";
    const auto doc = Config::ConfigDocument::fromJson(json);
    for (const auto &d : doc.loadDiagnostics())
        qWarning() << d.path << d.message;
    return doc.model();
}

Http::RequestHead parseRequest(const QByteArray &raw)
{
    Http::RequestHead head;
    Http::RequestParser parser;
    const auto result = parser.parse(raw, &head);
    if (result.status != Http::ParseResult::Status::Complete)
        qWarning() << "request did not parse:" << raw;
    return head;
}

Http::ResponseHead parseResponse(const QByteArray &raw)
{
    Http::ResponseHead head;
    Http::ResponseParser parser;
    parser.parse(raw, "GET", &head);
    return head;
}

QByteArray allValues(const Http::Headers &headers, const QByteArray &name)
{
    QByteArrayList values;
    for (const Http::Header &h : headers)
        if (h.name.compare(name, Qt::CaseInsensitive) == 0)
            values.append(h.value);
    return values.isEmpty() ? QByteArray("<absent>") : values.join(" | ");
}

// expectations: "Name=value" (all values joined with " | "; "<absent>" when missing),
// ":path=...", ":query=...", ":host=..." (the routing host), "?reroute=1".
void check(const QStringList &expect, const Http::Headers &headers, const Http::RequestHead *req,
           const RequestOutcome *outcome)
{
    for (const QString &e : expect) {
        const qsizetype eq = e.indexOf(QLatin1Char('='));
        const QByteArray key = e.left(eq).toUtf8();
        const QByteArray want = e.mid(eq + 1).toUtf8();
        QByteArray got;
        if (key == ":path")
            got = req->path;
        else if (key == ":query")
            got = req->hasQuery ? req->query : QByteArray("<none>");
        else if (key == ":host")
            got = req->host;
        else if (key == "?reroute")
            got = outcome->reroute ? "1" : "0";
        else
            got = allValues(headers, key);
        QVERIFY2(got == want, qPrintable(QStringLiteral("%1: got '%2', want '%3'")
                                             .arg(QString::fromUtf8(key), QString::fromUtf8(got),
                                                  QString::fromUtf8(want))));
    }
}

} // namespace

class tst_RewriteFilter final : public QObject
{
    Q_OBJECT
private slots:
    void rewrites_data();
    void rewrites();
    void serverVariables_data();
    void serverVariables();
    void badPatternNeverMatches();
    void controlBytesAreNotInserted();
};

void tst_RewriteFilter::rewrites_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QStringList>("expectRequest");
    QTest::addColumn<QStringList>("expectResponse");
    QTest::addColumn<int>("appliedCount");

    const QByteArray get = "GET /app/page?x=1 HTTP/1.1\r\nHost: www.contoso.com\r\n"
                           "User-Agent: Mozilla/5.0 (iPhone; CPU)\r\nAccept: */*\r\n\r\n";
    const QByteArray ok = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                          "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n";

    QTest::newRow("set request header, no condition")
        << QByteArray(R"J([{"name":"r1","actionSet":{"requestHeaderConfigurations":[
               {"headerName":"Accept-Charset","headerValue":"utf-8"}]}}])J")
        << get << ok << QStringList{"Accept-Charset=utf-8", "Accept=*/*"}
        << QStringList{"Content-Type=text/plain"} << 1;
    QTest::newRow("replace existing request header")
        << QByteArray(R"J([{"name":"r1","actionSet":{"requestHeaderConfigurations":[
               {"headerName":"accept","headerValue":"text/html"}]}}])J")
        << get << ok << QStringList{"Accept=text/html"} << QStringList{} << 1;
    QTest::newRow("delete request header with empty value")
        << QByteArray(R"J([{"name":"r1","actionSet":{"requestHeaderConfigurations":[
               {"headerName":"User-Agent","headerValue":""}]}}])J")
        << get << ok << QStringList{"User-Agent=<absent>"} << QStringList{} << 1;
    QTest::newRow("response header set (the arm sample)")
        << QByteArray(R"J([{"name":"RWRule1","actionSet":{"requestHeaderConfigurations":[
               {"headerName":"Accept-Charset","headerValue":"utf-8"}],
               "responseHeaderConfigurations":[{"headerName":"Content-Type",
               "headerValue":"text/html; charset=utf-8"}]}}])J")
        << get << ok << QStringList{"Accept-Charset=utf-8"}
        << QStringList{"Content-Type=text/html; charset=utf-8"} << 2;
    QTest::newRow("response header delete")
        << QByteArray(R"J([{"name":"r1","actionSet":{"responseHeaderConfigurations":[
               {"headerName":"Content-Type","headerValue":""}]}}])J")
        << get << ok << QStringList{} << QStringList{"Content-Type=<absent>"} << 1;
    QTest::newRow("rewriting one Set-Cookie drops the others")
        << QByteArray(R"J([{"name":"r1","actionSet":{"responseHeaderConfigurations":[
               {"headerName":"Set-Cookie","headerValue":"c=3"}]}}])J")
        << get << ok << QStringList{} << QStringList{"Set-Cookie=c=3"} << 1;
    QTest::newRow("condition on request header matches (ignoreCase default)")
        << QByteArray(R"J([{"name":"r1","conditions":[{"variable":"http_req_User-Agent",
               "pattern":"IPHONE"}],"actionSet":{"requestHeaderConfigurations":[
               {"headerName":"X-Device","headerValue":"mobile"}]}}])J")
        << get << ok << QStringList{"X-Device=mobile"} << QStringList{} << 1;
    QTest::newRow("condition case-sensitive with ignoreCase false")
        << QByteArray(R"J([{"name":"r1","conditions":[{"variable":"http_req_User-Agent",
               "pattern":"IPHONE","ignoreCase":false}],"actionSet":{
               "requestHeaderConfigurations":[{"headerName":"X-Device","headerValue":"m"}]}}])J")
        << get << ok << QStringList{"X-Device=<absent>"} << QStringList{} << 0;
    QTest::newRow("negate") << QByteArray(
        R"J([{"name":"r1","conditions":[{"variable":"http_req_User-Agent",
               "pattern":"Android","negate":true}],"actionSet":{
               "requestHeaderConfigurations":[{"headerName":"X-Not-Android","headerValue":"1"}]}}])J")
                            << get << ok << QStringList{"X-Not-Android=1"} << QStringList{} << 1;
    QTest::newRow("conditions are ANDed: one fails")
        << QByteArray(R"J([{"name":"r1","conditions":[{"variable":"http_req_User-Agent",
               "pattern":"iPhone"},{"variable":"var_http_method","pattern":"^POST$"}],
               "actionSet":{"requestHeaderConfigurations":[{"headerName":"X-A","headerValue":"1"}]}}])J")
        << get << ok << QStringList{"X-A=<absent>"} << QStringList{} << 0;
    QTest::newRow("conditions are ANDed: both hold")
        << QByteArray(R"J([{"name":"r1","conditions":[{"variable":"http_req_User-Agent",
               "pattern":"iPhone"},{"variable":"var_http_method","pattern":"^GET$"}],
               "actionSet":{"requestHeaderConfigurations":[{"headerName":"X-A","headerValue":"1"}]}}])J")
        << get << ok << QStringList{"X-A=1"} << QStringList{} << 1;
    QTest::newRow("ruleSequence order: the later sequence wins")
        << QByteArray(R"J([{"name":"second","ruleSequence":200,"actionSet":{
               "requestHeaderConfigurations":[{"headerName":"X-Order","headerValue":"200"}]}},
               {"name":"first","ruleSequence":100,"actionSet":{
               "requestHeaderConfigurations":[{"headerName":"X-Order","headerValue":"100"}]}}])J")
        << get << ok << QStringList{"X-Order=200"} << QStringList{} << 2;
    QTest::newRow("value mixes text, request header and server variable")
        << QByteArray(R"J([{"name":"r1","actionSet":{"requestHeaderConfigurations":[
               {"headerName":"X-Info","headerValue":"host={http_req_Host} m={var_http_method} p={var_uri_path} q={var_query_string}"}]}}])J")
        << get << ok << QStringList{"X-Info=host=www.contoso.com m=GET p=/app/page q=x=1"}
        << QStringList{} << 1;
    QTest::newRow("capture reference from a request-header condition")
        << QByteArray(R"J([{"name":"r1","conditions":[{"variable":"http_req_User-Agent",
               "pattern":"\\((\\w+);"}],"actionSet":{"requestHeaderConfigurations":[
               {"headerName":"X-Device","headerValue":"dev-{http_req_User-Agent_1}"}]}}])J")
        << get << ok << QStringList{"X-Device=dev-iPhone"} << QStringList{} << 1;
    QTest::newRow("response value reads response header and its capture")
        << QByteArray(R"J([{"name":"r1","conditions":[{"variable":"http_resp_Content-Type",
               "pattern":"^(text)/(\\w+)"}],"actionSet":{"responseHeaderConfigurations":[
               {"headerName":"X-Kind","headerValue":"{http_resp_Content-Type_2} of {http_resp_Content-Type_1} ({var_http_status})"}]}}])J")
        << get << ok << QStringList{} << QStringList{"X-Kind=plain of text (200)"} << 1;
    QTest::newRow("Location rewrite (Azure's App Service example)")
        << QByteArray(R"J([{"name":"r1","conditions":[{"variable":"http_resp_Location",
               "pattern":"(https?):\\/\\/.*azurewebsites\\.net(.*)$"}],"actionSet":{
               "responseHeaderConfigurations":[{"headerName":"Location",
               "headerValue":"{http_resp_Location_1}://contoso.com{http_resp_Location_2}"}]}}])J")
        << get
        << QByteArray("HTTP/1.1 302 Found\r\nLocation: https://app.azurewebsites.net/login?r=1\r\n"
                      "Content-Length: 0\r\n\r\n")
        << QStringList{} << QStringList{"Location=https://contoso.com/login?r=1"} << 1;
    QTest::newRow("URL path and query rewrite with var_uri_path capture")
        << QByteArray(R"J([{"name":"r1","conditions":[{"variable":"var_uri_path",
               "pattern":"^/app/(.*)$"}],"actionSet":{"urlConfiguration":{
               "modifiedPath":"/v2/{var_uri_path_1}","modifiedQueryString":"id={var_query_string}&v=2"}}}])J")
        << get << ok << QStringList{":path=/v2/page", ":query=id=x=1&v=2", "?reroute=0"}
        << QStringList{} << 2;
    QTest::newRow("empty modifiedQueryString keeps the query")
        << QByteArray(R"J([{"name":"r1","actionSet":{"urlConfiguration":{
               "modifiedPath":"/other","modifiedQueryString":"","reroute":true}}}])J")
        << get << ok << QStringList{":path=/other", ":query=x=1", "?reroute=1"} << QStringList{}
        << 1;
    QTest::newRow("invalid rewritten path is refused")
        << QByteArray(R"J([{"name":"r1","actionSet":{"urlConfiguration":{
               "modifiedPath":"/a b"}}}])J")
        << get << ok << QStringList{":path=/app/page"} << QStringList{} << 1;
    QTest::newRow("Connection and Upgrade are never rewritten")
        << QByteArray(R"J([{"name":"r1","actionSet":{"requestHeaderConfigurations":[
               {"headerName":"Connection","headerValue":"close"},
               {"headerName":"Upgrade","headerValue":"h2c"}],
               "responseHeaderConfigurations":[{"headerName":"Connection","headerValue":"x"}]}}])J")
        << QByteArray(
               "GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        << QByteArray(
               "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
        << QStringList{"Connection=Upgrade", "Upgrade=websocket"}
        << QStringList{"Connection=Upgrade"} << 3;
    QTest::newRow("Host is never deleted, but may be set")
        << QByteArray(R"J([{"name":"r1","actionSet":{"requestHeaderConfigurations":[
               {"headerName":"Host","headerValue":""}]}},{"name":"r2","actionSet":{
               "requestHeaderConfigurations":[{"headerName":"X-Kept","headerValue":"{http_req_Host}"}]}},
               {"name":"r3","actionSet":{"requestHeaderConfigurations":[
               {"headerName":"Host","headerValue":"backend.example:8080"}]}}])J")
        << get << ok
        << QStringList{"X-Kept=www.contoso.com", "Host=backend.example:8080",
                       ":host=backend.example"}
        << QStringList{} << 3;
    QTest::newRow("unknown reference stays literal")
        << QByteArray(R"J([{"name":"r1","actionSet":{"requestHeaderConfigurations":[
               {"headerName":"X-L","headerValue":"{not_a_var}-{var_nope}"}]}}])J")
        << get << ok << QStringList{"X-L={not_a_var}-{var_nope}"} << QStringList{} << 1;
}

void tst_RewriteFilter::rewrites()
{
    QFETCH(QByteArray, rules);
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, response);
    QFETCH(QStringList, expectRequest);
    QFETCH(QStringList, expectResponse);
    QFETCH(int, appliedCount);

    QStringList problems;
    const auto engine = RewriteEngine::build(configWith(rules), &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    QVERIFY(engine->hasRuleSet(QStringLiteral("SET1")));
    Http::RequestHead req = parseRequest(request);
    ConnectionVariables conn;
    conn.clientIp = "127.0.0.1";
    conn.originalPath = req.path;
    conn.originalQuery = req.query;
    conn.originalHasQuery = req.hasQuery;
    RewriteState state;
    QList<AppliedRewrite> applied;
    const RequestOutcome outcome = engine->rewriteRequest(QStringLiteral("set1"), req, conn, &state,
                                                          &applied);
    check(expectRequest, req.headers, &req, &outcome);
    if (QTest::currentTestFailed())
        return;
    Http::ResponseHead resp = parseResponse(response);
    engine->rewriteResponse(state, req, resp, conn, &applied);
    check(expectResponse, resp.headers, nullptr, nullptr);
    if (QTest::currentTestFailed())
        return;
    QStringList described;
    for (const AppliedRewrite &a : applied)
        described << a.describe();
    QVERIFY2(applied.size() == appliedCount, qPrintable(described.join(QLatin1Char('\n'))));
    QCOMPARE(toJson(applied).size(), appliedCount);
}

void tst_RewriteFilter::serverVariables_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("add_x_forwarded_for_proxy")
        << QByteArray("add_x_forwarded_for_proxy") << QByteArray("10.1.1.1, 127.0.0.9");
    QTest::newRow("client_ip") << QByteArray("client_ip") << QByteArray("127.0.0.9");
    QTest::newRow("client_port") << QByteArray("client_port") << QByteArray("5000");
    QTest::newRow("client_user") << QByteArray("client_user") << QByteArray("alice");
    QTest::newRow("client_tcp_rtt") << QByteArray("client_tcp_rtt") << QByteArray("120");
    QTest::newRow("ciphers_used") << QByteArray("ciphers_used")
                                  << QByteArray("TLS_AES_128_GCM_SHA256");
    QTest::newRow("ciphers_supported") << QByteArray("ciphers_supported") << QByteArray("A:B");
    QTest::newRow("host") << QByteArray("host") << QByteArray("www.contoso.com");
    QTest::newRow("cookie_session") << QByteArray("cookie_session") << QByteArray("abc");
    QTest::newRow("http_method") << QByteArray("http_method") << QByteArray("POST");
    QTest::newRow("http_status") << QByteArray("http_status") << QByteArray("201");
    QTest::newRow("http_version") << QByteArray("http_version") << QByteArray("HTTP/1.1");
    QTest::newRow("query_string") << QByteArray("query_string") << QByteArray("new=1");
    QTest::newRow("request_query") << QByteArray("request_query") << QByteArray("a=1");
    QTest::newRow("received_bytes") << QByteArray("received_bytes") << QByteArray("321");
    QTest::newRow("request_scheme") << QByteArray("request_scheme") << QByteArray("https");
    QTest::newRow("request_uri") << QByteArray("request_uri") << QByteArray("/orig?a=1");
    QTest::newRow("sent_bytes") << QByteArray("sent_bytes") << QByteArray("0");
    QTest::newRow("server_port") << QByteArray("server_port") << QByteArray("443");
    QTest::newRow("ssl_connection_protocol")
        << QByteArray("ssl_connection_protocol") << QByteArray("TLSv1.3");
    QTest::newRow("ssl_enabled") << QByteArray("ssl_enabled") << QByteArray("On");
    QTest::newRow("uri_path") << QByteArray("uri_path") << QByteArray("/now");
    QTest::newRow("client_certificate_verification")
        << QByteArray("client_certificate_verification") << QByteArray("NONE");
    for (const char *n :
         {"client_certificate", "client_certificate_end_date", "client_certificate_fingerprint",
          "client_certificate_issuer", "client_certificate_serial", "client_certificate_start_date",
          "client_certificate_subject"})
        QTest::newRow(n) << QByteArray(n) << QByteArray(n).toUpper();
}

void tst_RewriteFilter::serverVariables()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, expected);
    QVERIFY(isServerVariable(name));
    Http::RequestHead req = parseRequest(
        "POST /now?new=1 HTTP/1.1\r\nHost: WWW.contoso.com:443\r\nContent-Length: 0\r\n"
        "Authorization: Basic YWxpY2U6c2VjcmV0\r\nCookie: x=1; session=abc\r\n\r\n");
    ConnectionVariables c;
    c.clientIp = "127.0.0.9";
    c.clientPort = 5000;
    c.serverPort = 443;
    c.https = true;
    c.sslProtocol = "TLSv1.3";
    c.cipher = "TLS_AES_128_GCM_SHA256";
    c.ciphersSupported = "A:B";
    c.tcpRttUs = 120;
    c.originalPath = "/orig";
    c.originalQuery = "a=1";
    c.originalHasQuery = true;
    c.incomingForwardedFor = "10.1.1.1";
    c.receivedBytes = 321;
    c.clientCertificate = "CLIENT_CERTIFICATE";
    c.clientCertificateEndDate = "CLIENT_CERTIFICATE_END_DATE";
    c.clientCertificateFingerprint = "CLIENT_CERTIFICATE_FINGERPRINT";
    c.clientCertificateIssuer = "CLIENT_CERTIFICATE_ISSUER";
    c.clientCertificateSerial = "CLIENT_CERTIFICATE_SERIAL";
    c.clientCertificateStartDate = "CLIENT_CERTIFICATE_START_DATE";
    c.clientCertificateSubject = "CLIENT_CERTIFICATE_SUBJECT";
    const Http::ResponseHead resp = parseResponse(
        "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    const VariableScope scope{&c, &req, &resp, 0};
    QCOMPARE(serverVariable(name, scope), expected);
}

void tst_RewriteFilter::badPatternNeverMatches()
{
    QStringList problems;
    const auto engine = RewriteEngine::build(
        configWith(R"J([{"name":"r1","conditions":[{"variable":"var_uri_path","pattern":"(a"}],
            "actionSet":{"requestHeaderConfigurations":[{"headerName":"X","headerValue":"1"}]}}])J"),
        &problems);
    QCOMPARE(problems.size(), 1);
    QVERIFY(problems.first().contains(QLatin1String("not valid RE2")));
    Http::RequestHead req = parseRequest("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
    RewriteState state;
    QList<AppliedRewrite> applied;
    engine->rewriteRequest(QStringLiteral("set1"), req, {}, &state, &applied);
    QVERIFY(applied.isEmpty());
    QVERIFY(!patternError(QStringLiteral("(a"), true).isEmpty());
    QVERIFY(patternError(QStringLiteral("^/a(.*)$"), true).isEmpty());
}

void tst_RewriteFilter::controlBytesAreNotInserted()
{
    // The parser never lets CR, LF or NUL through; the engine refuses them anyway (C03).
    const auto engine = RewriteEngine::build(configWith(R"J([{"name":"r1","actionSet":{
        "requestHeaderConfigurations":[{"headerName":"X-Q","headerValue":"v={http_req_X-In}"}]}}])J"));
    Http::RequestHead req = parseRequest("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    req.headers.append(Http::Header{"X-In", "a\r\nX-Smuggled: 1"});
    RewriteState state;
    QList<AppliedRewrite> applied;
    engine->rewriteRequest(QStringLiteral("set1"), req, {}, &state, &applied);
    QCOMPARE(allValues(req.headers, "X-Q"), QByteArray("<absent>"));
    QCOMPARE(applied.size(), 1);
    QVERIFY(applied.first().note.contains(QLatin1String("control characters")));
}

QTEST_GUILESS_MAIN(tst_RewriteFilter)
#include "tst_rewritefilter.moc"
