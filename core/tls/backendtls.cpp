#include "tls/backendtls.h"

#include "net/sslstream.h"
#include "routing/backendruntime.h"
#include "routing/hostmatch.h"
#include "tls/certificatestore.h"

namespace Gateway::Tls {

QString backendPeerName(QByteArrayView hostHeader, const QString &fallback)
{
    QByteArray host = Routing::normalizeHost(hostHeader);
    if (host.startsWith('[') && host.endsWith(']'))
        host = host.mid(1, host.size() - 2);
    return host.isEmpty() ? fallback : QString::fromLatin1(host);
}

Net::Stream *connectBackend(const CertificateStore *store,
                            const Routing::BackendSettingRuntime &setting,
                            const QString &connectHost, quint16 port, QByteArrayView hostHeader,
                            Net::StreamOwner *owner)
{
    QSslConfiguration configuration;
    QList<QSslCertificate> allowed;
    if (store) {
        configuration = store->backendConfiguration(setting.name);
        allowed = store->backendAuthenticationCertificates(setting.name);
    } else {
        configuration = QSslConfiguration::defaultConfiguration();
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    }
    return Net::SslStream::connectTo(connectHost, port, backendPeerName(hostHeader, connectHost),
                                     configuration, owner, allowed);
}

} // namespace Gateway::Tls
