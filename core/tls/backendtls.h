#pragma once

// End-to-end TLS (azure-reference.md §3): a backend setting with protocol Https connects with
// TLS, sending as SNI (and verifying the certificate for) the host name Azure v2 uses: the Host
// header the gateway forwards (the setting's hostName, the member's address with
// pickHostNameFromBackendAddress, else the client's host), without its port. Verification is
// against the setting's trustedRootCertificates plus the system CAs, or (v1
// authenticationCertificates) the leaf must be one of the listed certificates; a failure closes the stream
// before any byte is sent (the proxy answers 502).

#include <QByteArrayView>
#include <QString>

namespace Gateway::Net {
class Stream;
class StreamOwner;
} // namespace Gateway::Net
namespace Gateway::Routing {
struct BackendSettingRuntime;
}

namespace Gateway::Tls {

class CertificateStore;

// The SNI / verification name for a forwarded Host header ("example.com:8443" -> "example.com";
// "[::1]:443" -> "::1"); fallback when the header gives none.
QString backendPeerName(QByteArrayView hostHeader, const QString &fallback);

// store may be nullptr (system CAs only). connectHost: an IP address or a name.
Net::Stream *connectBackend(const CertificateStore *store,
                            const Routing::BackendSettingRuntime &setting,
                            const QString &connectHost, quint16 port, QByteArrayView hostHeader,
                            Net::StreamOwner *owner);

} // namespace Gateway::Tls
