#pragma once

// One probe run against one server (house-style point 4): an abstract HealthProbe with start(),
// cancel() and a completion callback; kinds live in subfolders (core/health/http/). The monitor
// creates one per run, so an implementation never has to reset itself.

#include "health/healthtypes.h"
#include "health/statuscodematcher.h"

#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>

#include <functional>

namespace Gateway::Health {

// Everything one probe run needs, already resolved from the configuration.
struct ProbeSpec
{
    QString scheme = QStringLiteral("http"); // http | https
    QString connectHost; // where to connect: an IP literal, or a name to resolve
    quint16 connectPort = 80;
    QString hostHeader = QStringLiteral("127.0.0.1"); // the Host header (and SNI) Azure would send
    QString path = QStringLiteral("/");
    int timeoutMs = 30'000;
    StatusCodeMatcher statusCodes;       // default 200-399
    QString body;                        // match.body: plain substring; empty: not checked
    QList<QSslCertificate> trustedRoots; // https: the setting's trusted roots; empty: system CAs
    // https, v1 authenticationCertificates: the backend's leaf must be one of them (no chain
    // or name check, as Azure v1); empty: verified against trustedRoots as above.
    QList<QSslCertificate> authenticationCertificates;
    bool operator==(const ProbeSpec &) const = default;
};

class HealthProbe : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthProbe)
public:
    using Completion = std::function<void(const ProbeResult &result)>;

    explicit HealthProbe(QObject *parent = nullptr) : QObject(parent) {}
    ~HealthProbe() override = default;

    // Called once with the result, on this object's thread, never from inside start().
    void setCompletion(Completion completion) { m_completion = std::move(completion); }
    // Starts the run; call once.
    virtual void start() = 0;
    // Stops a running probe; the completion is not called afterwards.
    virtual void cancel() = 0;
    bool isFinished() const { return m_finished; }

signals:
    void finished(const Gateway::Health::ProbeResult &result);

protected:
    // Implementations report here exactly once; later calls are ignored.
    void complete(const ProbeResult &result)
    {
        if (m_finished)
            return;
        m_finished = true;
        emit finished(result);
        if (m_completion) {
            const Completion completion = std::move(m_completion);
            completion(result);
        }
    }
    void markCancelled()
    {
        m_finished = true;
        m_completion = nullptr;
    }

private:
    Completion m_completion;
    bool m_finished = false;
};

} // namespace Gateway::Health
