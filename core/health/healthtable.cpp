#include "health/healthtable.h"

namespace Gateway::Health {

QString HealthTable::key(const QString &pool, const QString &setting, const QString &server)
{
    return pool.toLower() + QLatin1Char('\x1f') + setting.toLower() + QLatin1Char('\x1f')
           + server.toLower();
}

void HealthTable::set(const QString &pool, const QString &setting, const QString &server,
                      Entry entry)
{
    QWriteLocker lock(&m_lock);
    m_entries.insert(key(pool, setting, server), entry);
    m_generation.fetch_add(1, std::memory_order_acq_rel);
}

HealthTable::Entry HealthTable::get(const QString &pool, const QString &setting,
                                    const QString &server) const
{
    QReadLocker lock(&m_lock);
    return m_entries.value(key(pool, setting, server));
}

void HealthTable::clear()
{
    QWriteLocker lock(&m_lock);
    m_entries.clear();
    m_generation.fetch_add(1, std::memory_order_acq_rel);
}

} // namespace Gateway::Health
