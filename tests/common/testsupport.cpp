#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace TestSupport {

QString sourceDir()
{
    return QStringLiteral(APPGW_SOURCE_DIR_FOR_TESTS);
}
QString sharedDir()
{
    return QStringLiteral(APPGW_SHARED_DIR_FOR_TESTS);
}

QString readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

// An ARM template with one HTTP listener (frontend port 80 mapped to an ephemeral local port),
// one pool whose addresses map to the given local ports, one backend setting, one Basic rule.
QByteArray gatewayTemplate(const QList<quint16> &backendPorts, int requestTimeout,
                           const QString &settingExtra, const QString &listenerExtra)
{
    QJsonArray addresses;
    QJsonObject addressMap;
    for (int i = 0; i < backendPorts.size(); ++i) {
        const QString ip = QStringLiteral("10.0.0.%1").arg(i + 1);
        addresses.append(QJsonObject{{QStringLiteral("ipAddress"), ip}});
        addressMap.insert(ip, QStringLiteral("127.0.0.1:%1").arg(backendPorts.at(i)));
    }
    const QString tpl =
        QStringLiteral(R"({
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": { "localGateway": { "frontendPortMap": { "80": 0 }, "backendAddressMap": %1 } },
  "resources": [ {
    "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "gw",
    "properties": {
      "frontendIPConfigurations": [ { "name": "fip", "properties": {} } ],
      "frontendPorts": [ { "name": "p80", "properties": { "port": 80 } } ],
      "backendAddressPools": [ { "name": "pool", "properties": { "backendAddresses": %2 } } ],
      "backendHttpSettingsCollection": [ { "name": "setting", "properties": {
          "port": 80, "protocol": "Http", "requestTimeout": %3 %4 } } ],
      "httpListeners": [ { "name": "listener", "properties": {
          "frontendIPConfiguration": { "id": "/x/frontendIPConfigurations/fip" },
          "frontendPort": { "id": "/x/frontendPorts/p80" }, "protocol": "Http" %5 } } ],
      "requestRoutingRules": [ { "name": "rule", "properties": { "ruleType": "Basic", "priority": 10,
          "httpListener": { "id": "/x/httpListeners/listener" },
          "backendAddressPool": { "id": "/x/backendAddressPools/pool" },
          "backendHttpSettings": { "id": "/x/backendHttpSettingsCollection/setting" } } } ]
    } } ] })")
            .arg(QString::fromUtf8(QJsonDocument(addressMap).toJson(QJsonDocument::Compact)),
                 QString::fromUtf8(QJsonDocument(addresses).toJson(QJsonDocument::Compact)))
            .arg(requestTimeout)
            .arg(settingExtra, listenerExtra);
    return tpl.toUtf8();
}

} // namespace TestSupport
