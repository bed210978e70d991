#pragma once

// Custom error pages (customErrorConfigurations, azure-reference.md §1): the pages the gateway
// uses instead of its default page for the errors it generates itself (400, 403, 405, 408, 500,
// 502, 503, 504), at gateway level and per listener (the listener's page wins). Filled on the
// main thread as pages are read or fetched; read by the proxy workers. Thread-safe.

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

namespace Gateway::Http {

class CustomErrorPages final
{
public:
    static constexpr qsizetype MaxPageBytes = 1024 * 1024; // Azure: the page is under 1 MB

    // "HttpStatus502" -> 502; 0 for a name that is not one of Azure's supported codes.
    static int statusFromName(const QString &statusCode);

    // true for an http(s) URL whose host is a loopback address or "localhost": the only custom
    // error page URLs the gateway ever fetches.
    static bool isLoopbackUrl(const QString &url);

    // listener "" is the gateway level.
    void setPage(const QString &listener, int status, const QByteArray &body);
    // The page for an error `listener` answers with `status`: the listener's, else the
    // gateway's; null when there is none (the default page applies). `listener` may be a
    // comma-separated list (a socket shared by several listeners before one was chosen): then
    // only the gateway level applies.
    QByteArray page(const QString &listener, int status) const;
    bool isEmpty() const;

private:
    mutable QMutex m_mutex;
    QHash<QString, QHash<int, QByteArray>> m_pages; // lower-case listener -> status -> body
};

} // namespace Gateway::Http
