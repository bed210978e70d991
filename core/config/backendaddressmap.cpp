#include "backendaddressmap.h"

#include <QHostAddress>

#include <algorithm>

namespace Gateway::Config {

namespace {
const QLatin1String UnmappedStandIn("unmapped address");
} // namespace

QList<UnmappedAddress> unmappedAddresses(const Diagnostics &diagnostics)
{
    QList<UnmappedAddress> out;
    for (const Diagnostic &d : diagnostics) {
        if (d.standIn != UnmappedStandIn || d.subject.isEmpty())
            continue;
        auto it = std::find_if(out.begin(), out.end(), [&d](const UnmappedAddress &u) {
            return u.address.compare(d.subject, Qt::CaseInsensitive) == 0;
        });
        if (it == out.end())
            out.append({d.subject, d.message, {d.path}});
        else if (!it->paths.contains(d.path))
            it->paths.append(d.path);
    }
    return out;
}

QString localBackendTarget(const QString &typed, QString *why)
{
    const QString t = typed.trimmed();
    const auto fail = [why](const QString &reason) {
        if (why)
            *why = reason;
        return QString();
    };
    if (t.isEmpty())
        return fail(QStringLiteral("type the port of a server on this machine (e.g. 9001) or "
                                   "127.0.0.1:port"));
    const auto validPort = [](const QString &text, int *port) {
        bool ok = false;
        *port = text.toInt(&ok);
        return ok && *port >= 1 && *port <= 65535;
    };
    int port = 0;
    if (!t.contains(QLatin1Char(':'))) {
        if (!validPort(t, &port))
            return fail(QStringLiteral("'%1' is not a port (1-65535) or host:port").arg(t));
        return QStringLiteral("127.0.0.1:%1").arg(port);
    }
    const qsizetype colon = t.lastIndexOf(QLatin1Char(':'));
    QString host = t.left(colon);
    if (!validPort(t.mid(colon + 1), &port))
        return fail(QStringLiteral("'%1' has no valid port (1-65535) after the last ':'").arg(t));
    const bool bracketed = host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'));
    const QString bare = bracketed ? host.mid(1, host.size() - 2) : host;
    QHostAddress ip;
    const bool local = bare.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0
                       || (ip.setAddress(bare) && ip.isLoopback());
    if (!local)
        return fail(QStringLiteral("'%1' is not on this machine: map to 127.0.0.1, [::1] or "
                                   "localhost here (a server elsewhere goes into "
                                   "metadata.localGateway.backendAddressMap on purpose)")
                        .arg(host));
    if (ip.protocol() == QAbstractSocket::IPv6Protocol && !bracketed)
        return fail(QStringLiteral("write an IPv6 address in brackets: [::1]:%1").arg(port));
    return QStringLiteral("%1:%2").arg(host.toLower()).arg(port);
}

void mapBackendAddress(LocalGateway &local, const QString &address, const QString &target)
{
    const QString key = address.trimmed();
    for (auto it = local.backendAddressMap.begin(); it != local.backendAddressMap.end();) {
        if (it.key().trimmed().compare(key, Qt::CaseInsensitive) == 0)
            it = local.backendAddressMap.erase(it);
        else
            ++it;
    }
    local.backendAddressMap.insert(key, target.trimmed());
}

} // namespace Gateway::Config
