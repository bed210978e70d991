#pragma once

// The typed configuration model of one Microsoft.Network/applicationGateways resource, with
// Azure's property names (azure-reference.md §11) plus the template's metadata.localGateway.
// Values here are *evaluated* (template expressions resolved). The original JSON text and the
// expressions the user wrote are kept by ConfigDocument (configdocument.h), which writes edits
// back into them; this struct is a plain value type, cheap to copy and compare.

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Gateway::Config {

// A cross-reference `{ "id": "..." }`, resolved by its trailing `collection/name`.
struct Ref
{
    QString collection; // e.g. "backendAddressPools" (aliases normalised: backendHttpSettingsList ->
        // backendHttpSettingsCollection); for path rules "urlPathMaps/<map>/pathRules"
    QString name;  // the trailing name segment
    QString rawId; // the evaluated id string as it was in the file
    bool isSet() const { return !name.isEmpty(); }
    bool operator==(const Ref &o) const { return collection == o.collection && name == o.name; }
};

// Every element remembers where it came from, so messages can name a JSON path and the writer
// can put edits back in place. jsonPath looks like
// "resources[2].properties.httpListeners[0]" (relative to the file's root).
struct Element
{
    QString name;
    QString jsonPath;
    QJsonObject unknownProperties; // properties the model does not know; preserved verbatim
    bool operator==(const Element &) const = default;
};

struct FrontendIPConfiguration : Element
{
    QString privateIPAddress;
    QString privateIPAllocationMethod;
    QString publicIPAddressId;
    QString subnetId;
    bool operator==(const FrontendIPConfiguration &) const = default;
};

struct FrontendPort : Element
{
    int port = 0;
    bool operator==(const FrontendPort &) const = default;
};

struct SslCertificate : Element
{
    QString data;     // base64 PFX as in the template (may be empty when certificateFiles is used)
    QString password; // evaluated; never written by the program unless the user typed it
    QString keyVaultSecretId;
    QString publicCertData;
    bool operator==(const SslCertificate &) const = default;
};

struct TrustedRootCertificate : Element
{
    QString data; // base64 DER (.cer) or PEM text
    QString keyVaultSecretId;
    bool operator==(const TrustedRootCertificate &) const = default;
};

// v1 end-to-end TLS (azure-reference.md §3): the public certificate (.cer) of a backend server
// allowed by a backend setting that lists it; the backend's leaf must be one of them.
struct AuthenticationCertificate : Element
{
    QString data; // base64 DER (.cer) or PEM text
    bool operator==(const AuthenticationCertificate &) const = default;
};

// trustedClientCertificates: the CA certificates (a root, optionally with intermediates) that an
// SSL profile's client authentication trusts.
struct TrustedClientCertificate : Element
{
    QString data; // PEM text or base64 (of PEM or DER)
    bool operator==(const TrustedClientCertificate &) const = default;
};

// sslPolicy (gateway-wide) or an SSL profile's own (azure-reference.md §1).
struct SslPolicy
{
    QString policyType; // Predefined | Custom | CustomV2 (empty: Predefined when a name is set)
    QString policyName; // AppGwSslPolicy20150501 ... 20220101S
    QString minProtocolVersion; // TLSv1_0 ... TLSv1_3 (Custom, CustomV2)
    QStringList cipherSuites;   // IANA names (TLS_ECDHE_RSA_WITH_...), Custom, CustomV2
    QStringList disabledSslProtocols;
    bool isEmpty() const
    {
        return policyType.isEmpty() && policyName.isEmpty() && minProtocolVersion.isEmpty()
               && cipherSuites.isEmpty() && disabledSslProtocols.isEmpty();
    }
    bool operator==(const SslPolicy &) const = default;
};

// sslProfiles: a listener-specific SSL policy and client (mutual TLS) authentication.
struct SslProfile : Element
{
    SslPolicy sslPolicy; // empty: the gateway-wide policy
    QList<Ref> trustedClientCertificates;
    bool verifyClientCertIssuerDN = false; // clientAuthConfiguration
    QString verifyClientRevocation;        // clientAuthConfiguration: None | OCSP
    bool operator==(const SslProfile &) const = default;
};

struct CustomErrorConfiguration
{
    QString statusCode; // "HttpStatus502"
    QString customErrorPageUrl;
    bool operator==(const CustomErrorConfiguration &) const = default;
};

struct HttpListener : Element
{
    Ref frontendIPConfiguration;
    Ref frontendPort;
    QString protocol = QStringLiteral("Http"); // Http | Https
    QString hostName;                          // exactly one non-wildcard name, or empty
    QStringList hostNames;                     // up to 5, wildcards allowed
    Ref sslCertificate;
    Ref sslProfile;
    Ref firewallPolicy;
    bool requireServerNameIndication = false;
    QList<CustomErrorConfiguration> customErrorConfigurations;
    bool operator==(const HttpListener &) const = default;
};

struct BackendAddress
{
    QString ipAddress;
    QString fqdn;
    QString address() const { return fqdn.isEmpty() ? ipAddress : fqdn; }
    bool operator==(const BackendAddress &) const = default;
};

struct BackendAddressPool : Element
{
    QList<BackendAddress> backendAddresses;
    bool operator==(const BackendAddressPool &) const = default;
};

struct ConnectionDraining
{
    bool enabled = false;
    int drainTimeoutInSec = 30; // Azure: 30 s when not enabled; user-defined 1–3600
    bool operator==(const ConnectionDraining &) const = default;
};

struct BackendHttpSettings : Element
{
    int port = 80;
    QString protocol = QStringLiteral("Http");
    QString cookieBasedAffinity = QStringLiteral("Disabled"); // Enabled | Disabled
    QString affinityCookieName;                               // empty: ApplicationGatewayAffinity
    int requestTimeout = 20;                                  // seconds, 1–86400
    ConnectionDraining connectionDraining;
    bool pickHostNameFromBackendAddress = false;
    QString hostName; // Host header override
    QString path;     // path override prefix
    Ref probe;
    bool probeEnabled = true;
    QList<Ref> trustedRootCertificates;
    QList<Ref> authenticationCertificates; // v1: allowed backend leaf certificates
    bool operator==(const BackendHttpSettings &) const = default;
};

struct ProbeMatch
{
    QStringList statusCodes; // e.g. "200-399", "200", "301,302" (each entry may be a range)
    QString body;            // plain substring
    bool operator==(const ProbeMatch &) const = default;
};

struct Probe : Element
{
    QString protocol = QStringLiteral("Http");
    QString host;
    QString path = QStringLiteral("/");
    int interval = 30;
    int timeout = 30;
    int unhealthyThreshold = 3;
    bool pickHostNameFromBackendHttpSettings = false;
    int minServers = 0;
    int port = 0; // 0: the backend setting's port
    ProbeMatch match;
    bool operator==(const Probe &) const = default;
};

struct RequestRoutingRule : Element
{
    QString ruleType = QStringLiteral("Basic"); // Basic | PathBasedRouting
    int priority = 0;                           // 0: not set
    Ref httpListener;
    Ref backendAddressPool;
    Ref backendHttpSettings;
    Ref redirectConfiguration;
    Ref rewriteRuleSet;
    Ref urlPathMap;
    bool operator==(const RequestRoutingRule &) const = default;
};

struct PathRule : Element
{
    QStringList paths;
    Ref backendAddressPool;
    Ref backendHttpSettings;
    Ref redirectConfiguration;
    Ref rewriteRuleSet;
    Ref firewallPolicy;
    bool operator==(const PathRule &) const = default;
};

struct UrlPathMap : Element
{
    Ref defaultBackendAddressPool;
    Ref defaultBackendHttpSettings;
    Ref defaultRedirectConfiguration;
    Ref defaultRewriteRuleSet;
    QList<PathRule> pathRules;
    bool operator==(const UrlPathMap &) const = default;
};

struct RedirectConfiguration : Element
{
    QString redirectType = QStringLiteral("Permanent"); // Permanent | Found | SeeOther | Temporary
    Ref targetListener;
    QString targetUrl;
    bool includePath = false;
    bool includeQueryString = false;
    QList<Ref> requestRoutingRules; // back references Azure keeps; informational
    bool operator==(const RedirectConfiguration &) const = default;
};

struct RewriteCondition
{
    QString variable;
    QString pattern;
    bool ignoreCase = true;
    bool negate = false;
    bool operator==(const RewriteCondition &) const = default;
};

struct HeaderConfiguration
{
    QString headerName;
    QString headerValue; // empty: delete the header
    bool operator==(const HeaderConfiguration &) const = default;
};

struct UrlConfiguration
{
    QString modifiedPath;
    QString modifiedQueryString;
    bool reroute = false;
    bool present = false;
    bool operator==(const UrlConfiguration &) const = default;
};

struct RewriteRule
{
    QString name;
    int ruleSequence = 100;
    QList<RewriteCondition> conditions;
    QList<HeaderConfiguration> requestHeaderConfigurations;
    QList<HeaderConfiguration> responseHeaderConfigurations;
    UrlConfiguration urlConfiguration;
    bool operator==(const RewriteRule &) const = default;
};

struct RewriteRuleSet : Element
{
    QList<RewriteRule> rewriteRules;
    bool operator==(const RewriteRuleSet &) const = default;
};

struct CertificateFile
{
    QString pfx;         // path, relative to the configuration file
    QString pem;         // certificate chain (PEM)
    QString key;         // private key (PEM), when pem is used
    QString passwordEnv; // environment variable that holds the password
    bool operator==(const CertificateFile &) const = default;
};

// metadata.localGateway: settings that only make sense locally; Azure ignores them.
struct LocalGateway
{
    QString bindAddress = QStringLiteral("127.0.0.1");
    QMap<int, int> frontendPortMap;                  // Azure frontend port -> local port
    QMap<QString, QString> backendAddressMap;        // ip or fqdn -> "host:port" (or "host")
    QMap<QString, CertificateFile> certificateFiles; // sslCertificate name -> files
    // Custom error pages served from this machine: key is a customErrorPageUrl exactly as in the
    // template (or a status code name such as "HttpStatus502"), value a file path relative to
    // the configuration file.
    QMap<QString, QString> customErrorPageFiles;
    // Reach backend addresses outside loopback that backendAddressMap does not map (off: they are
    // not contacted; their health is Unknown and requests to them get 502).
    bool allowUnmappedBackends = false;
    bool operator==(const LocalGateway &) const = default;
};

// Why a pool member is not contacted locally: an address outside loopback (an IP literal or a
// name other than localhost) that backendAddressMap does not map, while allowUnmappedBackends is
// off. Empty when the gateway may contact it. The text names the key to add, e.g.
// "10.0.0.7 exists in Azure's virtual network; map it with metadata.localGateway.backendAddressMap".
QString unmappedBackendReason(const LocalGateway &local, const QString &address);

struct GatewayConfig
{
    QString name;
    QString location;
    QString skuName = QStringLiteral("Standard_v2");
    QString skuTier = QStringLiteral("Standard_v2");
    int skuCapacity = 0;
    bool enableHttp2 = false;
    QString sslPolicyName; // sslPolicy.policyName (empty: default)
    QString sslPolicyType; // Predefined | Custom | CustomV2
    QString minProtocolVersion;
    QStringList sslPolicyCipherSuites;      // sslPolicy.cipherSuites
    QStringList sslPolicyDisabledProtocols; // sslPolicy.disabledSslProtocols
    QString gatewayJsonPath; // path of the resource object, e.g. "resources[2]" ("" for a bare resource)

    QList<FrontendIPConfiguration> frontendIPConfigurations;
    QList<FrontendPort> frontendPorts;
    QList<SslCertificate> sslCertificates;
    QList<TrustedRootCertificate> trustedRootCertificates;
    QList<AuthenticationCertificate> authenticationCertificates;
    QList<TrustedClientCertificate> trustedClientCertificates;
    QList<SslProfile> sslProfiles;
    QList<HttpListener> httpListeners;
    QList<BackendAddressPool> backendAddressPools;
    QList<BackendHttpSettings> backendHttpSettingsCollection;
    QList<Probe> probes;
    QList<RequestRoutingRule> requestRoutingRules;
    QList<UrlPathMap> urlPathMaps;
    QList<RedirectConfiguration> redirectConfigurations;
    QList<RewriteRuleSet> rewriteRuleSets;
    QList<CustomErrorConfiguration> customErrorConfigurations; // gateway level
    LocalGateway localGateway;

    bool operator==(const GatewayConfig &) const = default;

    // Look-ups by name (case-insensitive, as Azure names are); nullptr when absent.
    const FrontendPort *frontendPort(const QString &name) const;
    const FrontendIPConfiguration *frontendIPConfiguration(const QString &name) const;
    const SslCertificate *sslCertificate(const QString &name) const;
    const TrustedRootCertificate *trustedRootCertificate(const QString &name) const;
    const AuthenticationCertificate *authenticationCertificate(const QString &name) const;
    const TrustedClientCertificate *trustedClientCertificate(const QString &name) const;
    const SslProfile *sslProfile(const QString &name) const;
    // The gateway-wide sslPolicy as one value.
    SslPolicy gatewaySslPolicy() const
    {
        return {sslPolicyType, sslPolicyName, minProtocolVersion, sslPolicyCipherSuites,
                sslPolicyDisabledProtocols};
    }
    const HttpListener *httpListener(const QString &name) const;
    const BackendAddressPool *backendAddressPool(const QString &name) const;
    const BackendHttpSettings *backendHttpSettings(const QString &name) const;
    const Probe *probe(const QString &name) const;
    const RequestRoutingRule *requestRoutingRule(const QString &name) const;
    const UrlPathMap *urlPathMap(const QString &name) const;
    const RedirectConfiguration *redirectConfiguration(const QString &name) const;
    const RewriteRuleSet *rewriteRuleSet(const QString &name) const;
};

struct Diagnostic
{
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    QString path; // JSON path, e.g. "resources[2].properties.httpListeners[0].properties.hostName"
    QString message; // one sentence, Azure's wording where Azure has one
    // Set on warnings about what the local run does differently from Azure (`appgw validate`
    // lists them together): "placeholder", "development certificate", "unmapped address".
    QString standIn;
    // What a fix needs to name, when there is one: for "unmapped address", the
    // backendAddressMap key to add (the address as the template spells it).
    QString subject;
    bool isError() const { return severity == Severity::Error; }
    bool operator==(const Diagnostic &) const = default;
};

using Diagnostics = QList<Diagnostic>;

bool hasErrors(const Diagnostics &diagnostics);

// The default request timeout the seeds' note compares against: the typical WebSocket ping interval.
inline constexpr int TypicalPingIntervalSeconds = 20;

} // namespace Gateway::Config
