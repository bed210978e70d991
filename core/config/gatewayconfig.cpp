#include "config/gatewayconfig.h"

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

bool hasErrors(const Diagnostics &diagnostics)
{
    return std::any_of(diagnostics.cbegin(), diagnostics.cend(),
                       [](const Diagnostic &d) { return d.isError(); });
}

} // namespace Gateway::Config
