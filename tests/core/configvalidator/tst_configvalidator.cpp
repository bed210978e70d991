#include "config/configdocument.h"
#include "config/configvalidator.h"

#include <QDir>
#include <QFile>
#include <QtTest>

using namespace Gateway::Config;

namespace {

const QString P = QStringLiteral("resources[0].properties.");

QString describe(const Diagnostics &ds)
{
    QStringList lines;
    for (const Diagnostic &d : ds)
        lines << formatDiagnostic(QStringLiteral("-"), d);
    return lines.join(QLatin1Char('\n'));
}

GatewayConfig chatExample()
{
    const ConfigDocument doc = ConfigDocument::fromFile(
        QStringLiteral(APPGW_SOURCE_DIR)
        + QStringLiteral("/resources/examples/websocket-chat.json"));
    return doc.model();
}

Ref ref(const char *collection, const char *name)
{
    return Ref{QString::fromLatin1(collection), QString::fromLatin1(name), {}};
}

// A second listener on the chat example's port 80, with a rule so it is not unused.
void addListener(GatewayConfig &c, const QString &protocol, const QStringList &hostNames)
{
    HttpListener l = c.httpListeners.first();
    l.name = QStringLiteral("second");
    l.jsonPath = P + QStringLiteral("httpListeners[1]");
    l.protocol = protocol;
    l.hostNames = hostNames;
    if (protocol == QLatin1String("Https")) {
        SslCertificate cert;
        cert.name = QStringLiteral("cert");
        cert.jsonPath = P + QStringLiteral("sslCertificates[0]");
        c.sslCertificates << cert;
        l.sslCertificate = ref("sslCertificates", "cert");
    }
    c.httpListeners << l;
    RequestRoutingRule r = c.requestRoutingRules.first();
    r.name = QStringLiteral("secondRule");
    r.priority = 200;
    r.jsonPath = P + QStringLiteral("requestRoutingRules[1]");
    r.httpListener = ref("httpListeners", "second");
    c.requestRoutingRules << r;
}

void mutate(GatewayConfig &c, const QString &m)
{
    HttpListener &l = c.httpListeners[0];
    BackendHttpSettings &s = c.backendHttpSettingsCollection[0];
    Probe &p = c.probes[0];
    RequestRoutingRule &r = c.requestRoutingRules[0];
    if (m == QLatin1String("valid")) {
    } else if (m == QLatin1String("dangling-ref")) {
        r.backendAddressPool = ref("backendAddressPools", "nope");
    } else if (m == QLatin1String("wrong-kind-ref")) {
        r.backendAddressPool = ref("probes", "chatHealth");
    } else if (m == QLatin1String("missing-listener-ref")) {
        r.httpListener = Ref();
    } else if (m == QLatin1String("duplicate-name")) {
        BackendAddressPool pool = c.backendAddressPools.first();
        pool.name = QStringLiteral("CHATSERVERS");
        pool.jsonPath = P + QStringLiteral("backendAddressPools[1]");
        c.backendAddressPools << pool;
    } else if (m.startsWith(QLatin1String("frontend-port="))) {
        c.frontendPorts[0].port = m.section(QLatin1Char('='), 1).toInt();
        c.localGateway.frontendPortMap.insert(c.frontendPorts[0].port, 8080);
    } else if (m.startsWith(QLatin1String("backend-port="))) {
        s.port = m.section(QLatin1Char('='), 1).toInt();
    } else if (m.startsWith(QLatin1String("request-timeout="))) {
        s.requestTimeout = m.section(QLatin1Char('='), 1).toInt();
    } else if (m.startsWith(QLatin1String("probe-interval="))) {
        p.interval = m.section(QLatin1Char('='), 1).toInt();
    } else if (m.startsWith(QLatin1String("probe-timeout="))) {
        p.timeout = m.section(QLatin1Char('='), 1).toInt();
    } else if (m.startsWith(QLatin1String("unhealthy-threshold="))) {
        p.unhealthyThreshold = m.section(QLatin1Char('='), 1).toInt();
    } else if (m.startsWith(QLatin1String("drain-timeout="))) {
        s.connectionDraining = ConnectionDraining{true, m.section(QLatin1Char('='), 1).toInt()};
    } else if (m == QLatin1String("hostname-and-hostnames")) {
        l.hostName = QStringLiteral("a.example.test");
        l.hostNames = QStringList{QStringLiteral("b.example.test")};
    } else if (m.startsWith(QLatin1String("hostname="))) {
        l.hostName = m.section(QLatin1Char('='), 1);
    } else if (m.startsWith(QLatin1String("hostnames="))) {
        l.hostNames = m.section(QLatin1Char('='), 1).split(QLatin1Char('|'));
    } else if (m.startsWith(QLatin1String("path="))) {
        UrlPathMap map;
        map.name = QStringLiteral("map");
        map.jsonPath = P + QStringLiteral("urlPathMaps[0]");
        map.defaultBackendAddressPool = r.backendAddressPool;
        map.defaultBackendHttpSettings = r.backendHttpSettings;
        PathRule pr;
        pr.name = QStringLiteral("pr");
        pr.jsonPath = map.jsonPath + QStringLiteral(".properties.pathRules[0]");
        pr.paths = QStringList{m.section(QLatin1Char('='), 1)};
        pr.backendAddressPool = r.backendAddressPool;
        pr.backendHttpSettings = r.backendHttpSettings;
        map.pathRules << pr;
        c.urlPathMaps << map;
        r.ruleType = QStringLiteral("PathBasedRouting");
        r.backendAddressPool = Ref();
        r.backendHttpSettings = Ref();
        r.urlPathMap = ref("urlPathMaps", "map");
        if (m.endsWith(QLatin1String("#v1"))) {
            c.skuTier = QStringLiteral("Standard");
            c.urlPathMaps[0].pathRules[0].paths = QStringList{
                m.section(QLatin1Char('='), 1).chopped(3)};
            r.priority = 0;
        }
    } else if (m.startsWith(QLatin1String("priority="))) {
        r.priority = m.section(QLatin1Char('='), 1).toInt();
    } else if (m == QLatin1String("duplicate-priority")) {
        addListener(c, QStringLiteral("Http"), {QStringLiteral("x.example.test")});
        c.requestRoutingRules[1].priority = 100;
    } else if (m == QLatin1String("missing-priority")) {
        addListener(c, QStringLiteral("Http"), {QStringLiteral("x.example.test")});
        c.requestRoutingRules[1].priority = 0;
    } else if (m == QLatin1String("rule-neither")) {
        r.backendAddressPool = Ref();
    } else if (m == QLatin1String("path-rule-without-map")) {
        r.ruleType = QStringLiteral("PathBasedRouting");
    } else if (m == QLatin1String("basic-with-map")) {
        UrlPathMap map;
        map.name = QStringLiteral("map");
        map.jsonPath = P + QStringLiteral("urlPathMaps[0]");
        map.defaultBackendAddressPool = r.backendAddressPool;
        map.defaultBackendHttpSettings = r.backendHttpSettings;
        c.urlPathMaps << map;
        r.urlPathMap = ref("urlPathMaps", "map");
    } else if (m == QLatin1String("redirect-and-pool")) {
        RedirectConfiguration rc;
        rc.name = QStringLiteral("rc");
        rc.jsonPath = P + QStringLiteral("redirectConfigurations[0]");
        rc.targetUrl = QStringLiteral("https://example.test");
        c.redirectConfigurations << rc;
        r.redirectConfiguration = ref("redirectConfigurations", "rc");
    } else if (m == QLatin1String("redirect-both-targets")) {
        RedirectConfiguration rc;
        rc.name = QStringLiteral("rc");
        rc.jsonPath = P + QStringLiteral("redirectConfigurations[0]");
        rc.targetUrl = QStringLiteral("https://example.test");
        rc.targetListener = ref("httpListeners", "chatListener");
        c.redirectConfigurations << rc;
    } else if (m == QLatin1String("redirect-no-target")) {
        RedirectConfiguration rc;
        rc.name = QStringLiteral("rc");
        rc.jsonPath = P + QStringLiteral("redirectConfigurations[0]");
        c.redirectConfigurations << rc;
    } else if (m == QLatin1String("https-without-cert")) {
        l.protocol = QStringLiteral("Https");
    } else if (m == QLatin1String("probe-protocol-mismatch")) {
        p.protocol = QStringLiteral("Https");
    } else if (m.startsWith(QLatin1String("probe-path="))) {
        p.path = m.section(QLatin1Char('='), 1);
    } else if (m.startsWith(QLatin1String("status-codes="))) {
        p.match.statusCodes = QStringList{m.section(QLatin1Char('='), 1)};
    } else if (m == QLatin1String("port-shared-protocols")) {
        addListener(c, QStringLiteral("Https"), {QStringLiteral("x.example.test")});
    } else if (m == QLatin1String("port-two-basic")) {
        addListener(c, QStringLiteral("Http"), {});
    } else if (m == QLatin1String("port-same-host")) {
        l.hostNames = QStringList{QStringLiteral("Chat.example.test")};
        addListener(c, QStringLiteral("Http"), {QStringLiteral("chat.example.test")});
    } else if (m == QLatin1String("port-different-hosts")) {
        l.hostNames = QStringList{QStringLiteral("a.example.test")};
        addListener(c, QStringLiteral("Http"), {QStringLiteral("b.example.test")});
    } else if (m == QLatin1String("listener-two-rules")) {
        RequestRoutingRule r2 = r;
        r2.name = QStringLiteral("again");
        r2.priority = 300;
        r2.jsonPath = P + QStringLiteral("requestRoutingRules[1]");
        c.requestRoutingRules << r2;
    } else if (m == QLatin1String("listener-without-rule")) {
        addListener(c, QStringLiteral("Http"), {QStringLiteral("x.example.test")});
        c.requestRoutingRules.removeLast();
    } else if (m == QLatin1String("privileged-port-unmapped")) {
        c.localGateway.frontendPortMap.clear();
    } else if (m == QLatin1String("no-custom-probe")) {
        s.probe = Ref();
    } else if (m.startsWith(QLatin1String("backend-map="))) {
        c.localGateway.backendAddressMap.insert(QStringLiteral("10.0.1.4"),
                                                m.section(QLatin1Char('='), 1));
    } else if (m.startsWith(QLatin1String("portmap="))) {
        c.localGateway.frontendPortMap.insert(c.frontendPorts[0].port,
                                              m.section(QLatin1Char('='), 1).toInt());
    } else if (m.startsWith(QLatin1String("bind="))) {
        c.localGateway.bindAddress = m.section(QLatin1Char('='), 1);
    } else if (m.startsWith(QLatin1String("rewrite-"))) {
        RewriteRuleSet set;
        set.name = QStringLiteral("rw");
        set.jsonPath = P + QStringLiteral("rewriteRuleSets[0]");
        RewriteRule rr;
        rr.name = QStringLiteral("one");
        HeaderConfiguration h{QStringLiteral("X-Test"), QStringLiteral("v")};
        if (m == QLatin1String("rewrite-upgrade"))
            h.headerName = QStringLiteral("upgrade");
        else if (m == QLatin1String("rewrite-bad-name"))
            h.headerName = QStringLiteral("X_Under");
        else if (m == QLatin1String("rewrite-crlf"))
            h.headerValue = QStringLiteral("a\r\nInjected: 1");
        else if (m == QLatin1String("rewrite-delete-host"))
            h = HeaderConfiguration{QStringLiteral("Host"), QString()};
        else if (m == QLatin1String("rewrite-reroute-basic"))
            rr.urlConfiguration = UrlConfiguration{QStringLiteral("/x"), QString(), true, true};
        else if (m == QLatin1String("rewrite-bad-pattern"))
            rr.conditions << RewriteCondition{QStringLiteral("var_uri_path"), QStringLiteral("(a")};
        else if (m == QLatin1String("rewrite-unknown-variable"))
            rr.conditions << RewriteCondition{QStringLiteral("var_no_such"), QStringLiteral("a")};
        else if (m == QLatin1String("rewrite-good-condition"))
            rr.conditions << RewriteCondition{QStringLiteral("http_req_User-Agent"),
                                              QStringLiteral("^Mozilla/(\\d+)")};
        rr.requestHeaderConfigurations << h;
        set.rewriteRules << rr;
        c.rewriteRuleSets << set;
        r.rewriteRuleSet = ref("rewriteRuleSets", "rw");
    } else if (m.startsWith(QLatin1String("cert-"))) {
        SslCertificate cert;
        cert.name = QStringLiteral("cert");
        cert.jsonPath = P + QStringLiteral("sslCertificates[0]");
        if (m == QLatin1String("cert-key-vault"))
            cert.keyVaultSecretId = QStringLiteral("https://vault.example/secrets/x");
        if (m == QLatin1String("cert-with-files"))
            c.localGateway.certificateFiles.insert(
                QStringLiteral("cert"), CertificateFile{QStringLiteral("dev.pfx"), {}, {}, {}});
        c.sslCertificates << cert;
        if (m == QLatin1String("cert-file-incomplete"))
            c.localGateway.certificateFiles.insert(QStringLiteral("nocert"), CertificateFile{});
    } else {
        QFAIL(qPrintable(QStringLiteral("unknown mutation ") + m));
    }
}

} // namespace

class tst_ConfigValidator : public QObject
{
    Q_OBJECT

private slots:
    void rules_data();
    void rules();
    void hostNames_data();
    void hostNames();
    void pathPatterns_data();
    void pathPatterns();
    void samplesAndExamplesHaveNoErrors_data();
    void samplesAndExamplesHaveNoErrors();
    void formatDiagnostic_data();
    void formatDiagnostic();
};

void tst_ConfigValidator::rules_data()
{
    QTest::addColumn<QString>("mutation");
    QTest::addColumn<QString>("severity"); // error | warning | none (nothing at that path)
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("fragment");
    const QString rule = P + QStringLiteral("requestRoutingRules[0].properties.");
    const QString rule2 = P + QStringLiteral("requestRoutingRules[1].properties.");
    const QString setting = P + QStringLiteral("backendHttpSettingsCollection[0].properties.");
    const QString probe = P + QStringLiteral("probes[0].properties.");
    const QString listener = P + QStringLiteral("httpListeners[0].properties.");
    const QString listener2 = P + QStringLiteral("httpListeners[1].properties.");
    const QString pathRule = P
                             + QStringLiteral("urlPathMaps[0].properties.pathRules[0].properties.");
    auto row = [](const char *tag, const QString &m, const char *sev, const QString &path,
                  const char *frag) {
        QTest::newRow(tag) << m << QString::fromLatin1(sev) << path << QString::fromUtf8(frag);
    };
    row("dangling-ref", "dangling-ref", "error", rule + "backendAddressPool.id",
        "dangling reference");
    row("wrong-kind-ref", "wrong-kind-ref", "error", rule + "backendAddressPool.id",
        "wrong kind of reference");
    row("missing-listener-ref", "missing-listener-ref", "error", rule + "httpListener",
        "is required");
    row("duplicate-name", "duplicate-name", "error", P + "backendAddressPools[1].name",
        "duplicate name 'CHATSERVERS'");
    row("frontend-port-0", "frontend-port=0", "error", P + "frontendPorts[0].properties.port",
        "out of range (1–65199)");
    row("frontend-port-65200", "frontend-port=65200", "error",
        P + "frontendPorts[0].properties.port", "65200 is out of range");
    row("frontend-port-65199", "frontend-port=65199", "none",
        P + "frontendPorts[0].properties.port", "");
    row("backend-port-70000", "backend-port=70000", "error", setting + "port",
        "out of range (1–65535)");
    row("request-timeout-0", "request-timeout=0", "error", setting + "requestTimeout",
        "out of range (1–86400)");
    row("request-timeout-86401", "request-timeout=86401", "error", setting + "requestTimeout",
        "out of range");
    row("request-timeout-20", "request-timeout=20", "warning", setting + "requestTimeout",
        "clients will see close code 1006");
    row("request-timeout-21", "request-timeout=21", "none", setting + "requestTimeout", "");
    row("probe-interval-0", "probe-interval=0", "error", probe + "interval",
        "out of range (1–86400)");
    row("probe-timeout-big", "probe-timeout=86401", "error", probe + "timeout",
        "out of range (1–86400)");
    row("unhealthy-threshold-21", "unhealthy-threshold=21", "error", probe + "unhealthyThreshold",
        "out of range (1–20)");
    row("drain-timeout-3601", "drain-timeout=3601", "error",
        setting + "connectionDraining.drainTimeoutInSec", "out of range (1–3600)");
    row("drain-timeout-0", "drain-timeout=0", "error",
        setting + "connectionDraining.drainTimeoutInSec", "out of range");
    row("hostname-and-hostnames", "hostname-and-hostnames", "error", listener + "hostNames",
        "cannot be used together");
    row("hostname-wildcard", "hostname=*.example.test", "error", listener + "hostName", "wildcard");
    row("hostnames-six", "hostnames=a.t|b.t|c.t|d.t|e.t|f.t", "error", listener + "hostNames",
        "at most 5");
    row("hostnames-double-star", "hostnames=**.contoso.com", "error", listener + "hostNames[0]",
        "'**'");
    row("hostnames-star-question", "hostnames=*?.contoso.com", "error", listener + "hostNames[0]",
        "'*?'");
    row("hostnames-too-many-wildcards", "hostnames=????.contoso.*", "error",
        listener + "hostNames[0]", "more than 4 wildcard");
    row("hostnames-three-stars", "hostnames=*.*.*.com", "error", listener + "hostNames[0]",
        "more than 2");
    row("hostnames-star-twice-in-label", "hostnames=a*b*.contoso.com", "error",
        listener + "hostNames[0]", "once per label");
    row("hostnames-bad-char", "hostnames=a_b.contoso.com", "error", listener + "hostNames[0]",
        "character '_'");
    row("hostnames-valid-wildcards", "hostnames=*.contoso.*", "none", listener + "hostNames[0]", "");
    row("path-no-slash", "path=images/*", "error", pathRule + "paths[0]", "must start with '/'");
    row("path-star-middle", "path=/images/*.jpg", "error", pathRule + "paths[0]", "only at the end");
    row("path-star-twice", "path=/Repos/*/Comments/*", "error", pathRule + "paths[0]",
        "only at the end");
    row("path-v2-prefix-star", "path=/images*", "none", pathRule + "paths[0]", "");
    row("path-v1-prefix-star", "path=/images*#v1", "error", pathRule + "paths[0]", "v1");
    row("priority-20001", "priority=20001", "error", rule + "priority", "out of range (1–20000)");
    row("duplicate-priority", "duplicate-priority", "error", rule2 + "priority", "must be unique");
    row("missing-priority", "missing-priority", "error", rule2 + "priority", "every rule needs one");
    row("rule-neither", "rule-neither", "error", rule + "ruleType", "has neither");
    row("path-rule-without-map", "path-rule-without-map", "error", rule + "urlPathMap",
        "needs a urlPathMap");
    row("basic-with-map", "basic-with-map", "error", rule + "urlPathMap",
        "Basic rule cannot have a urlPathMap");
    row("redirect-and-pool", "redirect-and-pool", "error", rule + "redirectConfiguration",
        "not both");
    row("redirect-both-targets", "redirect-both-targets", "error",
        P + "redirectConfigurations[0].properties.targetUrl", "either targetListener or targetUrl");
    row("redirect-no-target", "redirect-no-target", "error", P + "redirectConfigurations[0]",
        "needs a targetListener or a targetUrl");
    row("https-without-cert", "https-without-cert", "error", listener + "sslCertificate",
        "needs an sslCertificate");
    row("probe-protocol-mismatch", "probe-protocol-mismatch", "error", setting + "probe.id",
        "protocols must match");
    row("probe-path", "probe-path=health", "error", probe + "path", "must start with '/'");
    row("status-codes-bad", "status-codes=2xx", "error", probe + "match.statusCodes[0]",
        "not a status code");
    row("status-codes-reversed", "status-codes=399-200", "error", probe + "match.statusCodes[0]",
        "not a status code");
    row("status-codes-list", "status-codes=200,301-302", "none", probe + "match.statusCodes[0]", "");
    row("port-shared-protocols", "port-shared-protocols", "error", listener2 + "frontendPort",
        "cannot share frontend port 80");
    row("port-two-basic", "port-two-basic", "error", listener2 + "frontendPort",
        "both basic listeners");
    row("port-same-host", "port-same-host", "error", listener2 + "frontendPort",
        "both listen for host 'chat.example.test'");
    row("port-different-hosts", "port-different-hosts", "none", listener2 + "frontendPort", "");
    row("listener-two-rules", "listener-two-rules", "error", rule2 + "httpListener.id",
        "already used by rule 'chatRule'");
    row("listener-without-rule", "listener-without-rule", "warning", P + "httpListeners[1]",
        "not used by any routing rule");
    row("privileged-port-unmapped", "privileged-port-unmapped", "warning",
        P + "frontendPorts[0].properties.port", "privileged");
    row("privileged-port-mapped", "valid", "none", P + "frontendPorts[0].properties.port", "");
    row("no-custom-probe", "no-custom-probe", "warning", setting + "probe",
        "default probe GET /; a WebSocket-only backend that answers 404 on / is marked Unhealthy "
        "and then gets no traffic (502)");
    row("backend-map-bad", "backend-map=127.0.0.1:abc", "warning",
        "metadata.localGateway.backendAddressMap.10.0.1.4", "not host:port");
    row("backend-map-port-range", "backend-map=127.0.0.1:70000", "warning",
        "metadata.localGateway.backendAddressMap.10.0.1.4", "not host:port");
    row("backend-map-good", "backend-map=localhost:9001", "none",
        "metadata.localGateway.backendAddressMap.10.0.1.4", "");
    // 0 asks for any free port (as the tests and `appgw run` on a busy machine use it).
    row("portmap-any-free-port", "portmap=0", "none", "metadata.localGateway.frontendPortMap.80",
        "");
    row("portmap-out-of-range", "portmap=70000", "error",
        "metadata.localGateway.frontendPortMap.80", "local port");
    row("bind-any", "bind=0.0.0.0", "warning", "metadata.localGateway.bindAddress",
        "open to the network");
    row("bind-not-ip", "bind=localhost", "error", "metadata.localGateway.bindAddress",
        "not an IP address");
    row("bind-loopback-v6", "bind=::1", "none", "metadata.localGateway.bindAddress", "");
    const QString rw = P
                       + QStringLiteral("rewriteRuleSets[0].properties.rewriteRules[0].actionSet."
                                        "requestHeaderConfigurations[0].");
    row("rewrite-valid", "rewrite-valid", "none", rw + "headerName", "");
    row("rewrite-upgrade", "rewrite-upgrade", "error", rw + "headerName", "cannot be rewritten");
    row("rewrite-bad-name", "rewrite-bad-name", "error", rw + "headerName",
        "only letters, digits and '-'");
    row("rewrite-crlf", "rewrite-crlf", "error", rw + "headerValue", "CR, LF or NUL");
    row("rewrite-delete-host", "rewrite-delete-host", "error", rw + "headerValue",
        "Host header cannot be deleted");
    row("rewrite-reroute-basic", "rewrite-reroute-basic", "error",
        P + "rewriteRuleSets[0].properties.rewriteRules[0].actionSet.urlConfiguration.reroute",
        "not allowed in a rule set used by a Basic rule");
    const QString cond = P
                         + QStringLiteral(
                             "rewriteRuleSets[0].properties.rewriteRules[0].conditions[0].");
    row("rewrite-bad-pattern", "rewrite-bad-pattern", "error", cond + "pattern",
        "not a valid RE2 pattern");
    row("rewrite-unknown-variable", "rewrite-unknown-variable", "error", cond + "variable",
        "is not http_req_<header>");
    row("rewrite-good-condition", "rewrite-good-condition", "none", cond + "pattern", "");
    // Issue 15: a certificate that cannot be had locally gets a development certificate when it
    // is loaded (tst_core_tlsgateway); the validator has nothing to say about it.
    row("cert-no-data", "cert-no-data", "none", P + "sslCertificates[0].properties.data", "");
    row("cert-key-vault", "cert-key-vault", "none",
        P + "sslCertificates[0].properties.keyVaultSecretId", "");
    row("cert-with-files", "cert-with-files", "none", P + "sslCertificates[0].properties.data", "");
    row("cert-file-incomplete", "cert-file-incomplete", "error",
        "metadata.localGateway.certificateFiles.nocert", "needs pfx");
}

void tst_ConfigValidator::rules()
{
    QFETCH(QString, mutation);
    QFETCH(QString, severity);
    QFETCH(QString, path);
    QFETCH(QString, fragment);
    GatewayConfig c = chatExample();
    QVERIFY2(!hasErrors(validate(c)), qPrintable(describe(validate(c))));
    mutate(c, mutation);
    const Diagnostics ds = validate(c);
    QList<Diagnostic> atPath;
    for (const Diagnostic &d : ds)
        if (d.path == path)
            atPath << d;
    if (severity == QLatin1String("none")) {
        QVERIFY2(atPath.isEmpty(), qPrintable(describe(ds)));
        QVERIFY2(!hasErrors(ds), qPrintable(describe(ds)));
        return;
    }
    const Diagnostic::Severity wanted = severity == QLatin1String("error")
                                            ? Diagnostic::Severity::Error
                                            : Diagnostic::Severity::Warning;
    bool found = false;
    for (const Diagnostic &d : std::as_const(atPath))
        found = found || (d.severity == wanted && d.message.contains(fragment));
    QVERIFY2(found, qPrintable(describe(ds)));
    if (wanted == Diagnostic::Severity::Warning)
        QVERIFY2(!hasErrors(ds), qPrintable(describe(ds)));
}

void tst_ConfigValidator::hostNames_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("wildcards");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << "www.contoso.com" << false << true;
    QTest::newRow("plain-as-wildcard") << "www.contoso.com" << true << true;
    QTest::newRow("star-first") << "*.contoso.com" << true << true;
    QTest::newRow("star-both-ends") << "*.contoso.*" << true << true;
    QTest::newRow("question") << "app?.contoso.com" << true << true;
    QTest::newRow("four-wildcards") << "???.contoso.*" << true << true;
    QTest::newRow("five-wildcards") << "????.contoso.*" << true << false;
    QTest::newRow("star-not-allowed") << "*.contoso.com" << false << false;
    QTest::newRow("double-star") << "**.contoso.com" << true << false;
    QTest::newRow("star-question") << "*?.contoso.com" << true << false;
    QTest::newRow("question-star") << "?*.contoso.com" << true << false;
    QTest::newRow("empty") << "" << true << false;
    QTest::newRow("empty-label") << "a..com" << true << false;
    QTest::newRow("space") << "a b.com" << true << false;
    QTest::newRow("slash") << "a.com/x" << false << false;
}

void tst_ConfigValidator::hostNames()
{
    QFETCH(QString, host);
    QFETCH(bool, wildcards);
    QFETCH(bool, valid);
    QString why;
    QCOMPARE(isValidHostName(host, wildcards, &why), valid);
    QCOMPARE(why.isEmpty(), valid);
}

void tst_ConfigValidator::pathPatterns_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("valid");
    QTest::newRow("prefix-slash-star") << "/images/*" << true;
    QTest::newRow("prefix-star") << "/images*" << true;
    QTest::newRow("nested") << "/CurrentUser/Comments/*" << true;
    QTest::newRow("exact") << "/pathrule/" << true;
    QTest::newRow("root-star") << "/*" << true;
    QTest::newRow("extension") << "/images/*.jpg" << false;
    QTest::newRow("star-extension") << "/*.jpg" << false;
    QTest::newRow("middle-star") << "/Repos/*/Comments/*" << false;
    QTest::newRow("no-slash") << "images/*" << false;
    QTest::newRow("query") << "/a?b=1" << false;
    QTest::newRow("empty") << "" << false;
}

void tst_ConfigValidator::pathPatterns()
{
    QFETCH(QString, path);
    QFETCH(bool, valid);
    QString why;
    QCOMPARE(isValidPathPattern(path, &why), valid);
    QCOMPARE(why.isEmpty(), valid);
}

void tst_ConfigValidator::samplesAndExamplesHaveNoErrors_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("parameters");
    const QString samples = QStringLiteral(APPGW_SHARED_DIR) + QStringLiteral("/arm-samples");
    for (const QString &f : QDir(samples).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString dir = samples + QLatin1Char('/') + f;
        QString params = dir + QStringLiteral("/local.parameters.json");
        if (!QFile::exists(params))
            params = dir + QStringLiteral("/azuredeploy.parameters.json");
        QTest::newRow(qPrintable(f)) << dir + QStringLiteral("/azuredeploy.json") << params;
    }
    const QString examples = QStringLiteral(APPGW_SOURCE_DIR)
                             + QStringLiteral("/resources/examples");
    for (const QString &f : QDir(examples).entryList({QStringLiteral("*.json")}, QDir::Files))
        QTest::newRow(qPrintable(f)) << examples + QLatin1Char('/') + f << QString();
}

void tst_ConfigValidator::samplesAndExamplesHaveNoErrors()
{
    QFETCH(QString, file);
    QFETCH(QString, parameters);
    const ConfigDocument doc = ConfigDocument::fromFile(file, parameters);
    const Diagnostics all = doc.loadDiagnostics() + validate(doc.model());
    QVERIFY2(!hasErrors(all), qPrintable(describe(all)));
}

void tst_ConfigValidator::formatDiagnostic_data()
{
    QTest::addColumn<int>("severity");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");
    QTest::newRow("error") << int(Diagnostic::Severity::Error)
                           << "resources[2].properties.frontendPorts[0].properties.port"
                           << "gw.json: resources[2].properties.frontendPorts[0].properties.port: "
                              "frontend port 0 is out of range";
    QTest::newRow("warning") << int(Diagnostic::Severity::Warning) << "a.b"
                             << "gw.json: a.b: warning: frontend port 0 is out of range";
    QTest::newRow("no-path") << int(Diagnostic::Severity::Error) << ""
                             << "gw.json: frontend port 0 is out of range";
}

void tst_ConfigValidator::formatDiagnostic()
{
    QFETCH(int, severity);
    QFETCH(QString, path);
    QFETCH(QString, expected);
    const Diagnostic d{Diagnostic::Severity(severity), path,
                       QStringLiteral("frontend port 0 is out of range")};
    QCOMPARE(Gateway::Config::formatDiagnostic(QStringLiteral("gw.json"), d), expected);
}

QTEST_GUILESS_MAIN(tst_ConfigValidator)
#include "tst_configvalidator.moc"
