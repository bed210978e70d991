#include "elementref.h"

#include <QCoreApplication>

namespace Gateway::Ui {

QString collectionName(ElementKind kind, const QString &parent)
{
    switch (kind) {
    case ElementKind::Gateway: return {};
    case ElementKind::FrontendIPConfiguration: return QStringLiteral("frontendIPConfigurations");
    case ElementKind::FrontendPort: return QStringLiteral("frontendPorts");
    case ElementKind::SslCertificate: return QStringLiteral("sslCertificates");
    case ElementKind::TrustedRootCertificate: return QStringLiteral("trustedRootCertificates");
    case ElementKind::HttpListener: return QStringLiteral("httpListeners");
    case ElementKind::BackendAddressPool: return QStringLiteral("backendAddressPools");
    case ElementKind::BackendHttpSettings: return QStringLiteral("backendHttpSettingsCollection");
    case ElementKind::Probe: return QStringLiteral("probes");
    case ElementKind::RequestRoutingRule: return QStringLiteral("requestRoutingRules");
    case ElementKind::UrlPathMap: return QStringLiteral("urlPathMaps");
    case ElementKind::PathRule: return QStringLiteral("urlPathMaps/%1/pathRules").arg(parent);
    case ElementKind::RedirectConfiguration: return QStringLiteral("redirectConfigurations");
    case ElementKind::RewriteRuleSet: return QStringLiteral("rewriteRuleSets");
    case ElementKind::Count: break;
    }
    return {};
}

QString kindLabel(ElementKind kind)
{
    switch (kind) {
    case ElementKind::Gateway: return QCoreApplication::translate("ElementRef", "Gateway");
    case ElementKind::FrontendIPConfiguration:
        return QCoreApplication::translate("ElementRef", "Frontend IP");
    case ElementKind::FrontendPort:
        return QCoreApplication::translate("ElementRef", "Frontend port");
    case ElementKind::SslCertificate:
        return QCoreApplication::translate("ElementRef", "Listener certificate");
    case ElementKind::TrustedRootCertificate:
        return QCoreApplication::translate("ElementRef", "Trusted root certificate");
    case ElementKind::HttpListener: return QCoreApplication::translate("ElementRef", "Listener");
    case ElementKind::BackendAddressPool:
        return QCoreApplication::translate("ElementRef", "Backend pool");
    case ElementKind::BackendHttpSettings:
        return QCoreApplication::translate("ElementRef", "Backend setting");
    case ElementKind::Probe: return QCoreApplication::translate("ElementRef", "Health probe");
    case ElementKind::RequestRoutingRule:
        return QCoreApplication::translate("ElementRef", "Routing rule");
    case ElementKind::UrlPathMap: return QCoreApplication::translate("ElementRef", "URL path map");
    case ElementKind::PathRule: return QCoreApplication::translate("ElementRef", "Path rule");
    case ElementKind::RedirectConfiguration:
        return QCoreApplication::translate("ElementRef", "Redirect");
    case ElementKind::RewriteRuleSet:
        return QCoreApplication::translate("ElementRef", "Rewrite set");
    case ElementKind::Count: break;
    }
    return {};
}

QString kindPluralLabel(ElementKind kind)
{
    switch (kind) {
    case ElementKind::Gateway: return QCoreApplication::translate("ElementRef", "Gateway");
    case ElementKind::FrontendIPConfiguration:
        return QCoreApplication::translate("ElementRef", "Frontend IPs");
    case ElementKind::FrontendPort:
        return QCoreApplication::translate("ElementRef", "Frontend ports");
    case ElementKind::SslCertificate:
        return QCoreApplication::translate("ElementRef", "Listener certificates");
    case ElementKind::TrustedRootCertificate:
        return QCoreApplication::translate("ElementRef", "Trusted root certificates");
    case ElementKind::HttpListener: return QCoreApplication::translate("ElementRef", "Listeners");
    case ElementKind::BackendAddressPool:
        return QCoreApplication::translate("ElementRef", "Backend pools");
    case ElementKind::BackendHttpSettings:
        return QCoreApplication::translate("ElementRef", "Backend settings");
    case ElementKind::Probe: return QCoreApplication::translate("ElementRef", "Health probes");
    case ElementKind::RequestRoutingRule:
        return QCoreApplication::translate("ElementRef", "Routing rules");
    case ElementKind::UrlPathMap: return QCoreApplication::translate("ElementRef", "URL path maps");
    case ElementKind::PathRule: return QCoreApplication::translate("ElementRef", "Path rules");
    case ElementKind::RedirectConfiguration:
        return QCoreApplication::translate("ElementRef", "Redirects");
    case ElementKind::RewriteRuleSet:
        return QCoreApplication::translate("ElementRef", "Rewrite sets");
    case ElementKind::Count: break;
    }
    return {};
}

QString defaultNamePrefix(ElementKind kind)
{
    switch (kind) {
    case ElementKind::FrontendIPConfiguration: return QStringLiteral("appGwFrontendIP");
    case ElementKind::FrontendPort: return QStringLiteral("port");
    case ElementKind::SslCertificate: return QStringLiteral("appGwSslCert");
    case ElementKind::TrustedRootCertificate: return QStringLiteral("trustedRoot");
    case ElementKind::HttpListener: return QStringLiteral("listener");
    case ElementKind::BackendAddressPool: return QStringLiteral("pool");
    case ElementKind::BackendHttpSettings: return QStringLiteral("setting");
    case ElementKind::Probe: return QStringLiteral("probe");
    case ElementKind::RequestRoutingRule: return QStringLiteral("rule");
    case ElementKind::UrlPathMap: return QStringLiteral("pathMap");
    case ElementKind::PathRule: return QStringLiteral("pathRule");
    case ElementKind::RedirectConfiguration: return QStringLiteral("redirect");
    case ElementKind::RewriteRuleSet: return QStringLiteral("rewriteSet");
    default: return QStringLiteral("element");
    }
}

} // namespace Gateway::Ui
