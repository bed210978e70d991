#include "config/gatewayconfig.h"

#include <QHostAddress>

#include <algorithm>

namespace Gateway::Config {

namespace {
template<typename T>
const T *findByName(const QList<T> &list, const QString &name)
{
    if (name.isEmpty())
        return nullptr;
    const auto it = std::find_if(list.cbegin(), list.cend(), [&](const T &e) {
        return e.name.compare(name, Qt::CaseInsensitive) == 0;
    });
    return it == list.cend() ? nullptr : &*it;
}
} // namespace

const FrontendPort *GatewayConfig::frontendPort(const QString &n) const
{
    return findByName(frontendPorts, n);
}
const FrontendIPConfiguration *GatewayConfig::frontendIPConfiguration(const QString &n) const
{
    return findByName(frontendIPConfigurations, n);
}
const SslCertificate *GatewayConfig::sslCertificate(const QString &n) const
{
    return findByName(sslCertificates, n);
}
const TrustedRootCertificate *GatewayConfig::trustedRootCertificate(const QString &n) const
{
    return findByName(trustedRootCertificates, n);
}
const AuthenticationCertificate *GatewayConfig::authenticationCertificate(const QString &n) const
{
    return findByName(authenticationCertificates, n);
}
const TrustedClientCertificate *GatewayConfig::trustedClientCertificate(const QString &n) const
{
    return findByName(trustedClientCertificates, n);
}
const SslProfile *GatewayConfig::sslProfile(const QString &n) const
{
    return findByName(sslProfiles, n);
}
const HttpListener *GatewayConfig::httpListener(const QString &n) const
{
    return findByName(httpListeners, n);
}
const BackendAddressPool *GatewayConfig::backendAddressPool(const QString &n) const
{
    return findByName(backendAddressPools, n);
}
const BackendHttpSettings *GatewayConfig::backendHttpSettings(const QString &n) const
{
    return findByName(backendHttpSettingsCollection, n);
}
const Probe *GatewayConfig::probe(const QString &n) const
{
    return findByName(probes, n);
}
const RequestRoutingRule *GatewayConfig::requestRoutingRule(const QString &n) const
{
    return findByName(requestRoutingRules, n);
}
const UrlPathMap *GatewayConfig::urlPathMap(const QString &n) const
{
    return findByName(urlPathMaps, n);
}
const RedirectConfiguration *GatewayConfig::redirectConfiguration(const QString &n) const
{
    return findByName(redirectConfigurations, n);
}
const RewriteRuleSet *GatewayConfig::rewriteRuleSet(const QString &n) const
{
    return findByName(rewriteRuleSets, n);
}

QString unmappedBackendReason(const LocalGateway &local, const QString &address)
{
    const QString a = address.trimmed();
    if (local.allowUnmappedBackends || a.isEmpty())
        return {};
    for (auto it = local.backendAddressMap.cbegin(); it != local.backendAddressMap.cend(); ++it)
        if (it.key().trimmed().compare(a, Qt::CaseInsensitive) == 0
            && !it.value().trimmed().isEmpty())
            return {};
    QHostAddress ip;
    const QString bare = a.startsWith(QLatin1Char('[')) && a.endsWith(QLatin1Char(']'))
                             ? a.mid(1, a.size() - 2)
                             : a;
    const QString how = QStringLiteral("map it with metadata.localGateway.backendAddressMap (add "
                                       "the key \"%1\"); until then it is not contacted "
                                       "(metadata.localGateway.allowUnmappedBackends: true reaches "
                                       "unmapped addresses on purpose)")
                            .arg(a);
    if (ip.setAddress(bare)) {
        if (ip.isLoopback())
            return {};
        const auto in = [&ip](const char *net, int bits) {
            return ip.isInSubnet(QHostAddress(QString::fromLatin1(net)), bits);
        };
        // RFC 1918 and the shared range: what Azure virtual networks use.
        const bool privateRange = in("10.0.0.0", 8) || in("172.16.0.0", 12) || in("192.168.0.0", 16)
                                  || in("100.64.0.0", 10) || ip.isLinkLocal()
                                  || ip.isUniqueLocalUnicast();
        if (privateRange)
            return QStringLiteral("%1 exists in Azure's virtual network; %2").arg(a, how);
        return QStringLiteral("%1 is an address outside this machine; %2").arg(a, how);
    }
    if (a.contains(QLatin1Char('(')))
        return QStringLiteral("%1 is only known in Azure (a placeholder for a value the deployment "
                              "computes); %2")
            .arg(a, how);
    const QString lower = a.toLower();
    if (lower == QLatin1String("localhost") || lower.endsWith(QLatin1String(".localhost")))
        return {};
    return QStringLiteral("%1 is a name outside this machine; %2").arg(a, how);
}

bool hasErrors(const Diagnostics &diagnostics)
{
    return std::any_of(diagnostics.cbegin(), diagnostics.cend(),
                       [](const Diagnostic &d) { return d.isError(); });
}

} // namespace Gateway::Config
