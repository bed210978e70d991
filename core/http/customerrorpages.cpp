#include "http/customerrorpages.h"

#include <QHostAddress>
#include <QMutexLocker>
#include <QUrl>

namespace Gateway::Http {

int CustomErrorPages::statusFromName(const QString &statusCode)
{
    static const int supported[] = {400, 403, 405, 408, 500, 502, 503, 504};
    const QString s = statusCode.trimmed();
    if (!s.startsWith(QLatin1String("HttpStatus"), Qt::CaseInsensitive))
        return 0;
    const int status = s.mid(10).toInt();
    for (int code : supported)
        if (code == status)
            return status;
    return 0;
}

bool CustomErrorPages::isLoopbackUrl(const QString &url)
{
    const QUrl u(url.trimmed());
    if (!u.isValid()
        || (u.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) != 0
            && u.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) != 0))
        return false;
    const QString host = u.host();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

void CustomErrorPages::setPage(const QString &listener, int status, const QByteArray &body)
{
    const QMutexLocker lock(&m_mutex);
    m_pages[listener.toLower()].insert(status, body);
}

QByteArray CustomErrorPages::page(const QString &listener, int status) const
{
    const QMutexLocker lock(&m_mutex);
    if (m_pages.isEmpty())
        return {};
    if (!listener.isEmpty() && !listener.contains(QLatin1Char(','))) {
        const auto it = m_pages.constFind(listener.toLower());
        if (it != m_pages.constEnd() && it->contains(status))
            return it->value(status);
    }
    const auto gw = m_pages.constFind(QString());
    return gw == m_pages.constEnd() ? QByteArray() : gw->value(status);
}

bool CustomErrorPages::isEmpty() const
{
    const QMutexLocker lock(&m_mutex);
    return m_pages.isEmpty();
}

} // namespace Gateway::Http
