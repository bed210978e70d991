#include "net/clock.h"

#include <QDateTime>
#include <QMetaObject>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <vector>

namespace Gateway::Net {

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

quint64 SystemClock::schedule(qint64 deadlineMs, QObject *context, std::function<void()> fn)
{
    // A single-shot QTimer living on the context's thread; cancel() deletes it.
    const quint64 id = m_nextId.fetch_add(1);
    const qint64 delay = std::max<qint64>(0, deadlineMs - nowMs());
    auto *timer = new QTimer;
    timer->setSingleShot(true);
    timer->setTimerType(delay > 2000 ? Qt::CoarseTimer : Qt::PreciseTimer);
    timer->moveToThread(context->thread());
    QObject::connect(timer, &QTimer::timeout, context, [timer, fn = std::move(fn)] {
        timer->deleteLater();
        fn();
    });
    QObject::connect(context, &QObject::destroyed, timer, &QObject::deleteLater);
    timer->setObjectName(QString::number(id));
    QMetaObject::invokeMethod(
        timer, [timer, delay] { timer->start(int(std::min<qint64>(delay, INT_MAX))); },
        Qt::QueuedConnection);
    return id;
}

void SystemClock::cancel(quint64)
{
    // Callers guard their callbacks with generation counters; a stale timer firing is harmless.
}

SystemClock *SystemClock::instance()
{
    static SystemClock clock;
    return &clock;
}

quint64 ManualClock::schedule(qint64 deadlineMs, QObject *context, std::function<void()> fn)
{
    const quint64 id = m_nextId++;
    m_pending.emplace(id, Pending{deadlineMs, context, std::move(fn)});
    return id;
}

void ManualClock::cancel(quint64 id)
{
    m_pending.erase(id);
}

void ManualClock::advance(qint64 ms)
{
    const qint64 target = m_now.load() + ms;
    // Fire due callbacks in deadline order, moving time to each deadline as we go.
    for (;;) {
        auto due = m_pending.end();
        for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
            if (it->second.deadline <= target
                && (due == m_pending.end() || it->second.deadline < due->second.deadline))
                due = it;
        }
        if (due == m_pending.end())
            break;
        Pending p = std::move(due->second);
        m_pending.erase(due);
        if (p.deadline > m_now.load())
            m_now.store(p.deadline);
        QPointer<QObject> ctx(p.context);
        if (!ctx)
            continue;
        if (ctx->thread() == QThread::currentThread())
            p.fn();
        else
            QMetaObject::invokeMethod(ctx, std::move(p.fn), Qt::QueuedConnection);
    }
    m_now.store(target);
    emit advanced();
}

} // namespace Gateway::Net
