#include "demo/democonfig.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>

namespace Gateway::Demo {

namespace {

const QString Addr_Chat = QStringLiteral("10.0.1.4");
const QString Addr_Api = QStringLiteral("10.0.2.4");
const QString Addr_WsOnly = QStringLiteral("10.0.3.4");

QJsonObject ref(const QString &collection, const QString &name)
{
    return QJsonObject{{QStringLiteral("id"),
                        QStringLiteral("[resourceId('Microsoft.Network/applicationGateways/%1', "
                                       "parameters('applicationGatewayName'), '%2')]")
                            .arg(collection, name)}};
}

QJsonObject element(const QString &name, const QJsonObject &properties)
{
    return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("properties"), properties}};
}

QJsonObject pool(const QString &name, const QString &address)
{
    return element(name, {{QStringLiteral("backendAddresses"),
                           QJsonArray{QJsonObject{{QStringLiteral("ipAddress"), address}}}}});
}

QJsonObject probe(const QString &name)
{
    return element(name, {
                             {QStringLiteral("protocol"), QStringLiteral("Http")},
                             {QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                             {QStringLiteral("path"), QStringLiteral("/health")},
                             {QStringLiteral("interval"), DemoConfig::ProbeIntervalSec},
                             {QStringLiteral("timeout"), DemoConfig::ProbeIntervalSec},
                             {QStringLiteral("unhealthyThreshold"), 2},
                             {QStringLiteral("pickHostNameFromBackendHttpSettings"), false},
                             {QStringLiteral("minServers"), 0},
                             {QStringLiteral("match"),
                              QJsonObject{{QStringLiteral("statusCodes"),
                                           QJsonArray{QStringLiteral("200-399")}}}},
                         });
}

QJsonObject setting(const QString &name, int timeoutSec, const QString &probeName)
{
    QJsonObject p{
        {QStringLiteral("port"), 80},
        {QStringLiteral("protocol"), QStringLiteral("Http")},
        {QStringLiteral("cookieBasedAffinity"), QStringLiteral("Disabled")},
        {QStringLiteral("requestTimeout"), timeoutSec},
        {QStringLiteral("pickHostNameFromBackendAddress"), false},
        {QStringLiteral("connectionDraining"),
         QJsonObject{{QStringLiteral("enabled"), true}, {QStringLiteral("drainTimeoutInSec"), 10}}},
    };
    if (!probeName.isEmpty())
        p.insert(QStringLiteral("probe"), ref(QStringLiteral("probes"), probeName));
    return element(name, p);
}

QJsonObject pathRule(const QString &name, const QString &path, const QString &poolName,
                     const QString &settingName)
{
    return element(name, {
                             {QStringLiteral("paths"), QJsonArray{path}},
                             {QStringLiteral("backendAddressPool"),
                              ref(QStringLiteral("backendAddressPools"), poolName)},
                             {QStringLiteral("backendHttpSettings"),
                              ref(QStringLiteral("backendHttpSettingsCollection"), settingName)},
                         });
}

QString local(quint16 port)
{
    return QStringLiteral("127.0.0.1:%1").arg(port);
}

} // namespace

QByteArray DemoConfig::templateJson(const DemoPorts &ports)
{
    const bool wsOnly = ports.webSocketOnly != 0;

    QJsonArray pools{pool(QStringLiteral("chatPool"), Addr_Chat),
                     pool(QStringLiteral("apiPool"), Addr_Api)};
    QJsonArray settings{
        setting(QStringLiteral("chatSetting"), ChatRequestTimeoutSec, QStringLiteral("chatProbe")),
        setting(QStringLiteral("apiSetting"), ApiRequestTimeoutSec, QStringLiteral("apiProbe"))};
    QJsonArray pathRules{pathRule(QStringLiteral("apiPaths"), QStringLiteral("/api/*"),
                                  QStringLiteral("apiPool"), QStringLiteral("apiSetting"))};
    QJsonObject addressMap{{Addr_Chat, local(ports.chat)}, {Addr_Api, local(ports.http)}};
    if (wsOnly) {
        pools.append(pool(QStringLiteral("wsOnlyPool"), Addr_WsOnly));
        // No probe: Azure's default probe asks for "/", which a WebSocket-only server answers
        // with 404, so the server is marked unhealthy and requests get a 502.
        settings.append(setting(QStringLiteral("wsOnlySetting"), ChatRequestTimeoutSec, {}));
        pathRules.append(pathRule(QStringLiteral("legacyPaths"), QStringLiteral("/legacy/*"),
                                  QStringLiteral("wsOnlyPool"), QStringLiteral("wsOnlySetting")));
        addressMap.insert(Addr_WsOnly, local(ports.webSocketOnly));
    }

    const QJsonObject properties{
        {QStringLiteral("sku"), QJsonObject{{QStringLiteral("name"), QStringLiteral("Standard_v2")},
                                            {QStringLiteral("tier"), QStringLiteral("Standard_v2")},
                                            {QStringLiteral("capacity"), 1}}},
        {QStringLiteral("gatewayIPConfigurations"),
         QJsonArray{element(QStringLiteral("appGatewayIpConfig"),
                            {{QStringLiteral("subnet"),
                              QJsonObject{{QStringLiteral("id"),
                                           QStringLiteral("[resourceId('Microsoft.Network/"
                                                          "virtualNetworks/subnets', 'demo-vnet', "
                                                          "'appgw-subnet')]")}}}})}},
        {QStringLiteral("frontendIPConfigurations"),
         QJsonArray{
             element(QStringLiteral("appGwPublicFrontendIp"),
                     {{QStringLiteral("publicIPAddress"),
                       QJsonObject{{QStringLiteral("id"),
                                    QStringLiteral("[resourceId('Microsoft.Network/"
                                                   "publicIPAddresses', 'demo-pip')]")}}}})}},
        {QStringLiteral("frontendPorts"),
         QJsonArray{element(QStringLiteral("port_80"), {{QStringLiteral("port"), 80}})}},
        {QStringLiteral("backendAddressPools"), pools},
        {QStringLiteral("probes"),
         QJsonArray{probe(QStringLiteral("chatProbe")), probe(QStringLiteral("apiProbe"))}},
        {QStringLiteral("backendHttpSettingsCollection"), settings},
        {QStringLiteral("httpListeners"),
         QJsonArray{element(QStringLiteral("listener80"),
                            {{QStringLiteral("frontendIPConfiguration"),
                              ref(QStringLiteral("frontendIPConfigurations"),
                                  QStringLiteral("appGwPublicFrontendIp"))},
                             {QStringLiteral("frontendPort"),
                              ref(QStringLiteral("frontendPorts"), QStringLiteral("port_80"))},
                             {QStringLiteral("protocol"), QStringLiteral("Http")}})}},
        {QStringLiteral("urlPathMaps"),
         QJsonArray{element(
             QStringLiteral("demoPathMap"),
             {{QStringLiteral("defaultBackendAddressPool"),
               ref(QStringLiteral("backendAddressPools"), QStringLiteral("chatPool"))},
              {QStringLiteral("defaultBackendHttpSettings"),
               ref(QStringLiteral("backendHttpSettingsCollection"), QStringLiteral("chatSetting"))},
              {QStringLiteral("pathRules"), pathRules}})}},
        {QStringLiteral("requestRoutingRules"),
         QJsonArray{element(QStringLiteral("demoRule"),
                            {{QStringLiteral("ruleType"), QStringLiteral("PathBasedRouting")},
                             {QStringLiteral("priority"), 100},
                             {QStringLiteral("httpListener"),
                              ref(QStringLiteral("httpListeners"), QStringLiteral("listener80"))},
                             {QStringLiteral("urlPathMap"), ref(QStringLiteral("urlPathMaps"),
                                                                QStringLiteral("demoPathMap"))}})}},
    };

    const QJsonObject resource{
        {QStringLiteral("type"), QStringLiteral("Microsoft.Network/applicationGateways")},
        {QStringLiteral("apiVersion"), QStringLiteral("2023-09-01")},
        {QStringLiteral("name"), QStringLiteral("[parameters('applicationGatewayName')]")},
        {QStringLiteral("location"), QStringLiteral("westeurope")},
        {QStringLiteral("properties"), properties},
    };

    const QJsonObject localGateway{
        {QStringLiteral("bindAddress"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("frontendPortMap"), QJsonObject{{QStringLiteral("80"), int(ports.gateway)}}},
        {QStringLiteral("backendAddressMap"), addressMap},
    };

    const QJsonObject root{
        {QStringLiteral("$schema"),
         QStringLiteral("https://schema.management.azure.com/schemas/2019-04-01/"
                        "deploymentTemplate.json#")},
        {QStringLiteral("contentVersion"), QStringLiteral("1.0.0.0")},
        {QStringLiteral("metadata"),
         QJsonObject{{QStringLiteral("description"),
                      QStringLiteral("Application Gateway Console demo: WebSocket chat behind a "
                                     "path-based rule, with a 20 s request timeout that a 25 s "
                                     "pinger exceeds (1006), and a WebSocket-only backend that "
                                     "fails the default probe (502).")},
                     {QStringLiteral("localGateway"), localGateway}}},
        {QStringLiteral("parameters"),
         QJsonObject{
             {QStringLiteral("applicationGatewayName"),
              QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                          {QStringLiteral("defaultValue"), QStringLiteral("appgw-demo")}}}}},
        {QStringLiteral("resources"), QJsonArray{resource}},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

quint16 DemoConfig::pickGatewayPort(quint16 preferred)
{
    QTcpServer probe;
    if (preferred != 0 && probe.listen(QHostAddress::LocalHost, preferred)) {
        probe.close();
        return preferred;
    }
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

} // namespace Gateway::Demo
