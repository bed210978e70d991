#include "routing/affinity.h"

#include "routing/backendruntime.h"

#include <QCryptographicHash>

namespace Gateway::Routing {

QByteArray affinityCookieValue(const QString &pool, const QString &setting, const QString &address)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(pool.toLower().toUtf8());
    hash.addData(QByteArrayView("|"));
    hash.addData(setting.toLower().toUtf8());
    hash.addData(QByteArrayView("|"));
    hash.addData(address.toLower().toUtf8());
    return hash.result().first(AffinityValueLength / 2).toHex();
}

bool isAffinityCookieValue(QByteArrayView value)
{
    if (value.size() != AffinityValueLength)
        return false;
    for (char c : value) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

QByteArray affinitySetCookie(const BackendSettingRuntime &setting, QByteArrayView value)
{
    QByteArray out;
    out.reserve(setting.affinityCookieNameBytes.size() + value.size() + 9);
    out.append(setting.affinityCookieNameBytes).append('=').append(value).append("; Path=/");
    return out;
}

QByteArray affinityCorsSetCookie(const BackendSettingRuntime &setting, QByteArrayView value)
{
    QByteArray out;
    out.reserve(setting.affinityCorsCookieNameBytes.size() + value.size() + 32);
    out.append(setting.affinityCorsCookieNameBytes)
        .append('=')
        .append(value)
        .append("; Path=/; SameSite=None; Secure");
    return out;
}

} // namespace Gateway::Routing
