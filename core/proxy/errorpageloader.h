#pragma once

// Reads and fetches the custom error pages of one configuration into a CustomErrorPages store
// (core/http/customerrorpages.h), on the thread that owns it (the main thread):
//  * a page mapped in metadata.localGateway.customErrorPageFiles (by its URL, or by its status
//    code name) is read from that file;
//  * an http(s) URL whose host is a loopback address (or "localhost") is fetched once, without
//    a proxy and without following redirects, and cached for the gateway's lifetime (Azure
//    downloads a page once and never re-checks it);
//  * any other URL is never contacted: the validator warns, and Azure's default page is used.
// A page that cannot be had (file missing, fetch failed, not 200, 1 MB or more) leaves the
// default page in place and reports a warning(path, message).

#include "config/gatewayconfig.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace Gateway::Http {
class CustomErrorPages;
}

namespace Gateway::Proxy {

class ErrorPageLoader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ErrorPageLoader)
public:
    using Warn = std::function<void(const QString &path, const QString &message)>;
    // cache: URL -> page, shared across configurations (owned by the caller, outlives this).
    ErrorPageLoader(QHash<QString, QByteArray> *cache, Warn warn, QObject *parent = nullptr);
    ~ErrorPageLoader() override;

    // Fills `pages` for `config`; pages that must be fetched arrive later.
    void load(const Config::GatewayConfig &config, const QString &configDirectory,
              const std::shared_ptr<Http::CustomErrorPages> &pages);

private:
    struct Waiter
    {
        std::shared_ptr<Http::CustomErrorPages> pages;
        QString listener;
        int status = 0;
        QString path;
    };
    void fetch(const QString &url, const Waiter &waiter);
    void onFinished(QNetworkReply *reply);

    QHash<QString, QByteArray> *m_cache;
    Warn m_warn;
    QNetworkAccessManager *m_network = nullptr;
    QHash<QString, QList<Waiter>> m_waiting; // URL -> who wants it
};

} // namespace Gateway::Proxy
