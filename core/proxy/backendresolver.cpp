#include "proxy/backendresolver.h"

#include "net/clock.h"
#include "net/hostaddresses.h"

#include <QHostInfo>
#include <QMetaObject>
#include <QMutexLocker>

namespace Gateway::Proxy {

namespace {

// RFC 6761 §6.4: names under .invalid never resolve; answer at once instead of asking DNS.
bool isReservedInvalidName(const QString &name)
{
    return name.endsWith(QLatin1String(".invalid"), Qt::CaseInsensitive)
           || name.compare(QLatin1String("invalid"), Qt::CaseInsensitive) == 0;
}

} // namespace

// --- BackendNameCache ----------------------------------------------------------------------------

bool BackendNameCache::fresh(const QString &name, qint64 nowMs, QHostAddress *address) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(name);
    if (it == m_entries.constEnd() || nowMs - it->resolvedMs >= FreshMs || nowMs < it->resolvedMs)
        return false;
    *address = it->address;
    return true;
}

QHostAddress BackendNameCache::lastKnown(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return m_entries.value(name).address;
}

void BackendNameCache::store(const QString &name, const QHostAddress &address, qint64 nowMs)
{
    if (address.isNull())
        return;
    QMutexLocker lock(&m_mutex);
    m_entries.insert(name, {address, nowMs});
}

int BackendNameCache::size() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_entries.size());
}

QHostAddress BackendNameCache::preferred(const QList<QHostAddress> &addresses)
{
    return Net::preferredAddress(addresses);
}

// --- BackendResolver -----------------------------------------------------------------------------

BackendResolver::BackendResolver(QObject *parent)
    : QObject(parent), m_mailbox(std::make_shared<Mailbox>())
{
    m_mailbox->resolver = this;
}

BackendResolver::~BackendResolver()
{
    {
        QMutexLocker lock(&m_mailbox->mutex);
        m_mailbox->resolver = nullptr;
    }
    for (const Lookup &lookup : std::as_const(m_pending)) {
        if (lookup.hostInfoId >= 0)
            QHostInfo::abortHostLookup(lookup.hostInfoId);
    }
}

void BackendResolver::setClock(Net::Clock *clock)
{
    m_clock = clock;
}

quint64 BackendResolver::resolve(const QString &name, const BackendLookup &hook,
                                 std::shared_ptr<BackendNameCache> cache, Callback callback)
{
    const quint64 ticket = m_nextTicket++;
    auto it = m_pending.find(name);
    if (it != m_pending.end()) {
        // Someone on this worker already asked: wait for the same answer.
        it->waiters.push_back({ticket, std::move(cache), std::move(callback)});
        return ticket;
    }
    Lookup &lookup = m_pending[name];
    lookup.serial = m_nextSerial++;
    lookup.waiters.push_back({ticket, std::move(cache), std::move(callback)});
    const quint64 serial = lookup.serial;

    if (hook || isReservedInvalidName(name)) {
        // The hook may answer from any thread, now or later; the answer is posted to this thread.
        std::weak_ptr<Mailbox> mailbox = m_mailbox;
        auto done = [mailbox, name, serial](const QList<QHostAddress> &addresses) {
            const std::shared_ptr<Mailbox> box = mailbox.lock();
            if (!box)
                return;
            QMutexLocker lock(&box->mutex);
            if (!box->resolver)
                return;
            BackendResolver *resolver = box->resolver;
            QMetaObject::invokeMethod(
                resolver,
                [resolver, name, serial, addresses] { resolver->finished(name, serial, addresses); },
                Qt::QueuedConnection);
        };
        if (hook)
            hook(name, std::move(done));
        else
            done({});
        return ticket;
    }
    // Context object on this thread: the answer arrives through this thread's event loop (the
    // epoll dispatcher delivers posted events), and never after this resolver is gone.
    const int id = QHostInfo::lookupHost(name, this, [this, name, serial](const QHostInfo &info) {
        finished(name, serial,
                 info.error() == QHostInfo::NoError ? info.addresses() : QList<QHostAddress>());
    });
    // The lookup may not be pending any more if it somehow completed synchronously.
    auto again = m_pending.find(name);
    if (again != m_pending.end() && again->serial == serial)
        again->hostInfoId = id;
    return ticket;
}

void BackendResolver::cancel(quint64 ticket)
{
    if (ticket == 0)
        return;
    for (Waiter &waiter : m_dispatching) {
        if (waiter.ticket == ticket) {
            waiter.callback = nullptr;
            return;
        }
    }
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        auto &waiters = it->waiters;
        for (auto w = waiters.begin(); w != waiters.end(); ++w) {
            if (w->ticket != ticket)
                continue;
            waiters.erase(w);
            if (waiters.empty()) {
                // Nobody waits any more: a later request starts a new lookup.
                if (it->hostInfoId >= 0)
                    QHostInfo::abortHostLookup(it->hostInfoId);
                m_pending.erase(it);
            }
            return;
        }
    }
}

void BackendResolver::finished(const QString &name, quint64 serial,
                               const QList<QHostAddress> &addresses)
{
    auto it = m_pending.find(name);
    if (it == m_pending.end() || it->serial != serial)
        return; // abandoned
    std::vector<Waiter> waiters = std::move(it->waiters);
    m_pending.erase(it);

    const QHostAddress address = BackendNameCache::preferred(addresses);
    const qint64 now = (m_clock ? m_clock : Net::SystemClock::instance())->nowMs();
    // A callback may start new lookups or cancel other waiters of this answer (see cancel()).
    const std::size_t base = m_dispatching.size();
    for (Waiter &waiter : waiters)
        m_dispatching.push_back(std::move(waiter));
    const std::size_t end = m_dispatching.size();
    for (std::size_t i = base; i < end; ++i) {
        // Copy out: a callback's cancel() or a nested finished() may reallocate m_dispatching.
        const quint64 ticket = m_dispatching[i].ticket;
        const Callback callback = std::exchange(m_dispatching[i].callback, nullptr);
        const std::shared_ptr<BackendNameCache> cache = m_dispatching[i].cache;
        if (!callback)
            continue;
        if (!address.isNull()) {
            cache->store(name, address, now);
            callback(ticket, address, false);
        } else {
            // DNS failed: Azure keeps the last-known-good address.
            const QHostAddress last = cache->lastKnown(name);
            callback(ticket, last, !last.isNull());
        }
    }
    m_dispatching.resize(base);
}

} // namespace Gateway::Proxy
