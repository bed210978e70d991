#include "proxy/errorpageloader.h"

#include "http/customerrorpages.h"

#include <QDir>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QUrl>

namespace Gateway::Proxy {

namespace {

constexpr int FetchTimeoutMs = 10'000;

QString defaultPageNote()
{
    return QStringLiteral("Azure's default error page is used instead");
}

} // namespace

ErrorPageLoader::ErrorPageLoader(QHash<QString, QByteArray> *cache, Warn warn, QObject *parent)
    : QObject(parent), m_cache(cache), m_warn(std::move(warn))
{
}

ErrorPageLoader::~ErrorPageLoader() = default;

void ErrorPageLoader::load(const Config::GatewayConfig &config, const QString &configDirectory,
                           const std::shared_ptr<Http::CustomErrorPages> &pages)
{
    auto one = [&](const QString &listener, const Config::CustomErrorConfiguration &ce,
                   const QString &path) {
        const int status = Http::CustomErrorPages::statusFromName(ce.statusCode);
        if (!status)
            return; // the validator names unsupported codes
        const auto &files = config.localGateway.customErrorPageFiles;
        QString file = files.value(ce.customErrorPageUrl.trimmed());
        if (file.isEmpty())
            file = files.value(ce.statusCode.trimmed());
        if (!file.isEmpty()) {
            const QString full = QDir(configDirectory.isEmpty() ? QDir::currentPath()
                                                                : configDirectory)
                                     .absoluteFilePath(file);
            QFile f(full);
            if (!f.open(QIODevice::ReadOnly)) {
                m_warn(path, QStringLiteral("custom error page file '%1' cannot be read (%2); %3")
                                 .arg(full, f.errorString(), defaultPageNote()));
                return;
            }
            const QByteArray body = f.read(Http::CustomErrorPages::MaxPageBytes + 1);
            if (body.size() > Http::CustomErrorPages::MaxPageBytes) {
                m_warn(path, QStringLiteral("custom error page file '%1' is 1 MB or larger; %2")
                                 .arg(full, defaultPageNote()));
                return;
            }
            pages->setPage(listener, status, body);
            return;
        }
        if (!Http::CustomErrorPages::isLoopbackUrl(ce.customErrorPageUrl))
            return; // never contacted; the validator says to map it to a local file
        const QString url = ce.customErrorPageUrl.trimmed();
        const auto cached = m_cache->constFind(url);
        if (cached != m_cache->constEnd()) {
            pages->setPage(listener, status, *cached);
            return;
        }
        fetch(url, Waiter{pages, listener, status, path});
    };
    const QString gwPath = config.gatewayJsonPath.isEmpty()
                               ? QStringLiteral("properties")
                               : config.gatewayJsonPath + QStringLiteral(".properties");
    for (int i = 0; i < config.customErrorConfigurations.size(); ++i)
        one(QString(), config.customErrorConfigurations.at(i),
            gwPath + QStringLiteral(".customErrorConfigurations[%1]").arg(i));
    for (const Config::HttpListener &l : config.httpListeners)
        for (int i = 0; i < l.customErrorConfigurations.size(); ++i)
            one(l.name, l.customErrorConfigurations.at(i),
                l.jsonPath + QStringLiteral(".properties.customErrorConfigurations[%1]").arg(i));
}

void ErrorPageLoader::fetch(const QString &url, const Waiter &waiter)
{
    auto it = m_waiting.find(url);
    if (it != m_waiting.end()) {
        it->append(waiter);
        return;
    }
    m_waiting.insert(url, {waiter});
    if (!m_network) {
        m_network = new QNetworkAccessManager(this);
        m_network->setProxy(QNetworkProxy::NoProxy); // loopback only, never through a proxy
    }
    QNetworkRequest request{QUrl(url)};
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(FetchTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    reply->setProperty("appgwUrl", url);
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onFinished(reply); });
}

void ErrorPageLoader::onFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    const QString url = reply->property("appgwUrl").toString();
    const QList<Waiter> waiters = m_waiting.take(url);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->read(Http::CustomErrorPages::MaxPageBytes + 1);
    QString problem;
    if (reply->error() != QNetworkReply::NoError && status == 0)
        problem = reply->errorString();
    else if (status != 200)
        problem = QStringLiteral("it answered %1, not 200").arg(status);
    else if (body.size() > Http::CustomErrorPages::MaxPageBytes)
        problem = QStringLiteral("it is 1 MB or larger");
    if (!problem.isEmpty()) {
        for (const Waiter &w : waiters)
            m_warn(w.path, QStringLiteral("custom error page %1 could not be fetched: %2; %3")
                               .arg(url, problem, defaultPageNote()));
        return;
    }
    m_cache->insert(url, body);
    for (const Waiter &w : waiters)
        w.pages->setPage(w.listener, w.status, body);
}

} // namespace Gateway::Proxy
