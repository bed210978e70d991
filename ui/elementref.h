#pragma once

// Names one element of the configuration for the editor: its kind, its name and, for path rules,
// the URL path map that holds it.

#include <QMetaType>
#include <QString>

namespace Gateway::Ui {

enum class ElementKind {
    Gateway, // gateway-level settings and metadata.localGateway
    FrontendIPConfiguration,
    FrontendPort,
    SslCertificate,
    TrustedRootCertificate,
    HttpListener,
    BackendAddressPool,
    BackendHttpSettings,
    Probe,
    RequestRoutingRule,
    UrlPathMap,
    PathRule,
    RedirectConfiguration,
    RewriteRuleSet,
    Count
};

// The top-level collections in the order the console lists them (navigator, Add menu).
inline constexpr ElementKind CollectionKinds[] = {ElementKind::HttpListener,
                                                  ElementKind::RequestRoutingRule,
                                                  ElementKind::UrlPathMap,
                                                  ElementKind::BackendAddressPool,
                                                  ElementKind::BackendHttpSettings,
                                                  ElementKind::Probe,
                                                  ElementKind::FrontendIPConfiguration,
                                                  ElementKind::FrontendPort,
                                                  ElementKind::SslCertificate,
                                                  ElementKind::TrustedRootCertificate,
                                                  ElementKind::RedirectConfiguration,
                                                  ElementKind::RewriteRuleSet};

struct ElementRef
{
    ElementKind kind = ElementKind::Gateway;
    QString name;   // empty for Gateway
    QString parent; // the URL path map, for PathRule
    bool isValid() const { return kind == ElementKind::Gateway || !name.isEmpty(); }
    bool operator==(const ElementRef &o) const
    {
        return kind == o.kind && name.compare(o.name, Qt::CaseInsensitive) == 0
               && parent.compare(o.parent, Qt::CaseInsensitive) == 0;
    }
};

// ARM collection names ("httpListeners"), and for PathRule "urlPathMaps/<map>/pathRules".
QString collectionName(ElementKind kind, const QString &parent = {});
QString kindLabel(ElementKind kind);       // "Listener", "Backend setting", ...
QString kindPluralLabel(ElementKind kind); // "Listeners", ...
QString defaultNamePrefix(ElementKind kind);

} // namespace Gateway::Ui

Q_DECLARE_METATYPE(Gateway::Ui::ElementRef)
