#pragma once

// Time source for everything that times out: request and session timeouts, probes, draining.
// Production uses SystemClock; tests inject a ManualClock and advance it, so no test sleeps.
// nowMs() is thread-safe. schedule() callbacks run on the thread of the context object.

#include <QObject>

#include <atomic>
#include <functional>
#include <map>

namespace Gateway::Net {

class Clock : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~Clock() override = default;
    virtual qint64 nowMs() const = 0; // ms since the epoch
    // Calls fn once, on context's thread, at or after deadlineMs. Returns an id for cancel().
    virtual quint64 schedule(qint64 deadlineMs, QObject *context, std::function<void()> fn) = 0;
    virtual void cancel(quint64 id) = 0;

signals:
    // ManualClock emits this after advance(); the proxy workers check their timers on it.
    void advanced();
};

class SystemClock final : public Clock
{
    Q_OBJECT
public:
    using Clock::Clock;
    qint64 nowMs() const override;
    quint64 schedule(qint64 deadlineMs, QObject *context, std::function<void()> fn) override;
    void cancel(quint64 id) override;
    static SystemClock *instance(); // process-wide, thread-safe

private:
    std::atomic<quint64> m_nextId{1};
    std::map<quint64, QObject *> m_timers; // id -> QTimer (guarded by thread affinity of callers)
};

class ManualClock final : public Clock
{
    Q_OBJECT
public:
    explicit ManualClock(qint64 startMs = 1'700'000'000'000, QObject *parent = nullptr)
        : Clock(parent), m_now(startMs)
    {
    }
    qint64 nowMs() const override { return m_now.load(); }
    quint64 schedule(qint64 deadlineMs, QObject *context, std::function<void()> fn) override;
    void cancel(quint64 id) override;
    // Moves time forward and runs every due callback in deadline order (each on its context's
    // thread: directly when that is this thread, else queued).
    void advance(qint64 ms);

private:
    struct Pending
    {
        qint64 deadline;
        QObject *context;
        std::function<void()> fn;
    };
    std::atomic<qint64> m_now;
    quint64 m_nextId = 1;
    std::map<quint64, Pending> m_pending;
};

} // namespace Gateway::Net
