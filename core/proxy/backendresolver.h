#pragma once

// Backend host names for the proxy workers (azure-reference.md §2): a pool member given by an
// fqdn, or a localGateway.backendAddressMap value that is a name, is resolved without blocking
// the worker thread, cached, and kept as the last-known-good address when DNS later fails.
//
// - BackendNameCache holds the answers. One per applied configuration (Runtime::names), shared by
//   every worker, thread-safe: a new configuration gets an empty cache (Azure: a PUT clears the
//   DNS cache). An answer is fresh for FreshMs (QHostInfo reports no record TTL, so a fixed
//   lifetime stands in for it); after that the next request for the name waits for a new lookup,
//   and if that lookup fails (or outlasts the backend connect timeout) the stale answer is used
//   as the last-known-good address.
// - BackendResolver lives on one worker thread (a child of the Worker). It asks
//   QHostInfo::lookupHost (or GatewayOptions::backendLookup, the tests' hook) and shares one
//   lookup among every connection of that worker waiting for the same name. Callbacks run from
//   the worker's event loop, never inside resolve(); a waiter that gives up calls cancel().
//
// IP literals never come here: ClientConnection parses them as today.

#include "proxy/gateway.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace Gateway::Net {
class Clock;
}

namespace Gateway::Proxy {

class BackendNameCache
{
public:
    static constexpr qint64 FreshMs = 30'000;

    // A fresh answer for name: true and *address set.
    bool fresh(const QString &name, qint64 nowMs, QHostAddress *address) const;
    // The last address name resolved to under this configuration (null: it never resolved).
    QHostAddress lastKnown(const QString &name) const;
    void store(const QString &name, const QHostAddress &address, qint64 nowMs);
    int size() const;

    // Prefers IPv4 (loopback backends usually listen there), as the health probe does.
    static QHostAddress preferred(const QList<QHostAddress> &addresses);

private:
    struct Entry
    {
        QHostAddress address;
        qint64 resolvedMs = 0;
    };
    mutable QMutex m_mutex;
    QHash<QString, Entry> m_entries;
};

class BackendResolver final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BackendResolver)
public:
    // address: where to connect (null: the name never resolved under this configuration);
    // lastKnown: the lookup failed and address is the last-known-good one.
    using Callback = std::function<void(quint64 ticket, const QHostAddress &address, bool lastKnown)>;

    explicit BackendResolver(QObject *parent = nullptr);
    ~BackendResolver() override;

    // The time answers are stamped with (the worker's clock; nullptr: the system clock).
    void setClock(Net::Clock *clock);

    // Starts or joins the lookup of name. The answer is stored in cache (and, when the lookup
    // fails, the cache's last-known-good address is what the callback gets). hook: null for
    // QHostInfo. Returns a ticket (never 0) for cancel(); the callback gets it back.
    quint64 resolve(const QString &name, const BackendLookup &hook,
                    std::shared_ptr<BackendNameCache> cache, Callback callback);
    // The waiter gives up (timeout, client gone, connection deleted): its callback never runs.
    // The last waiter of a lookup abandons the lookup.
    void cancel(quint64 ticket);
    // Lookups in flight (tests).
    int pendingLookups() const { return int(m_pending.size()); }

private:
    struct Waiter
    {
        quint64 ticket = 0;
        std::shared_ptr<BackendNameCache> cache;
        Callback callback;
    };
    struct Lookup
    {
        quint64 serial = 0;
        int hostInfoId = -1; // QHostInfo lookup id, -1 for the hook
        std::vector<Waiter> waiters;
    };
    // Lets a hook's done() reach this object from any thread, or find it gone.
    struct Mailbox
    {
        QMutex mutex;
        BackendResolver *resolver = nullptr;
    };

    void finished(const QString &name, quint64 serial, const QList<QHostAddress> &addresses);

    Net::Clock *m_clock = nullptr;
    QHash<QString, Lookup> m_pending;
    std::vector<Waiter> m_dispatching; // waiters of a finished lookup whose callbacks are running
    quint64 m_nextTicket = 1;
    quint64 m_nextSerial = 1;
    std::shared_ptr<Mailbox> m_mailbox;
};

} // namespace Gateway::Proxy
