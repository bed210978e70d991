#pragma once

// Shared, thread-safe health view: the health monitor writes it, proxy workers read it on every
// routing decision. Workers cache by generation(): one atomic load on the hot path.

#include "health/healthtypes.h"

#include <QHash>
#include <QReadWriteLock>
#include <QString>

#include <atomic>

namespace Gateway::Health {

class HealthTable
{
public:
    struct Entry
    {
        HealthState state = HealthState::Unknown;
        bool routable = true; // Healthy, Unknown, or kept in rotation by the probe's minServers
    };

    void set(const QString &pool, const QString &setting, const QString &server, Entry entry);
    Entry get(const QString &pool, const QString &setting, const QString &server) const;
    void clear();
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }

    static QString key(const QString &pool, const QString &setting, const QString &server);

private:
    mutable QReadWriteLock m_lock;
    QHash<QString, Entry> m_entries;
    std::atomic<quint64> m_generation{1};
};

} // namespace Gateway::Health
