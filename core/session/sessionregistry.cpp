#include "session/sessionregistry.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace Gateway::Session {

namespace {

bool isOpen(const SessionSnapshot &s)
{
    return s.state != SessionState::Closed;
}

bool sameFrame(const FrameRecord &a, const FrameRecord &b)
{
    return a.timeMs == b.timeMs && a.direction == b.direction && a.opcode == b.opcode
           && a.fin == b.fin && a.payloadLength == b.payloadLength && a.preview == b.preview
           && a.closeCode == b.closeCode && a.invalidReason == b.invalidReason;
}

// How many leading frames of `incoming` are already the tail of `stored` (a worker may send a
// closed session's last frames even when some of them went out with an earlier tick).
qsizetype overlap(const QList<FrameRecord> &stored, const QList<FrameRecord> &incoming)
{
    const qsizetype most = std::min(stored.size(), incoming.size());
    for (qsizetype n = most; n > 0; --n) {
        bool match = true;
        for (qsizetype i = 0; i < n && match; ++i)
            match = sameFrame(stored.at(stored.size() - n + i), incoming.at(i));
        if (match)
            return n;
    }
    return 0;
}

// Collects the snapshots of one batch, one entry per session (the latest wins), in arrival
// order. Removal only marks the entry: a batch from a worker under connection churn can bring
// thousands of sessions that open and fall out of the closed retention within the same batch,
// and removing each from the middle of a list (and re-indexing it) made that quadratic.
class SnapshotList
{
public:
    bool contains(SessionId id) const { return m_index.contains(id); }
    void put(const SessionSnapshot &s)
    {
        const auto it = m_index.constFind(s.id);
        if (it != m_index.constEnd()) {
            m_list[*it] = s;
        } else {
            m_index.insert(s.id, m_list.size());
            m_list.append(s);
            m_live.push_back(true);
        }
    }
    void remove(SessionId id)
    {
        const auto it = m_index.constFind(id);
        if (it == m_index.constEnd())
            return;
        m_live[size_t(*it)] = false;
        m_index.erase(it);
        ++m_removed;
    }
    bool isEmpty() const { return m_index.isEmpty(); }
    // The remaining snapshots, in arrival order.
    QList<SessionSnapshot> take()
    {
        if (m_removed == 0)
            return std::exchange(m_list, {});
        QList<SessionSnapshot> out;
        out.reserve(m_index.size());
        for (qsizetype i = 0; i < m_list.size(); ++i) {
            if (m_live[size_t(i)])
                out.append(std::move(m_list[i]));
        }
        return out;
    }

private:
    QList<SessionSnapshot> m_list;
    std::vector<bool> m_live;
    QHash<SessionId, qsizetype> m_index;
    qsizetype m_removed = 0;
};

} // namespace

SessionRegistry::SessionRegistry(QObject *parent) : QObject(parent)
{
    // Batches arrive from proxy worker threads over queued connections, and views may listen to
    // these signals across threads: every argument type must be known to the meta-type system.
    qRegisterMetaType<SessionBatch>();
    qRegisterMetaType<SessionSnapshot>();
    qRegisterMetaType<FrameRecord>();
    qRegisterMetaType<QList<SessionSnapshot>>();
    qRegisterMetaType<QList<FrameRecord>>();
    qRegisterMetaType<QList<SessionId>>();
    qRegisterMetaType<SessionId>("Gateway::Session::SessionId");
}

QList<SessionSnapshot> SessionRegistry::sessions() const
{
    QList<SessionSnapshot> all = m_sessions.values();
    std::sort(all.begin(), all.end(),
              [](const SessionSnapshot &a, const SessionSnapshot &b) { return a.id < b.id; });
    return all;
}

void SessionRegistry::applyBatch(const SessionBatch &batch)
{
    SnapshotList added;
    SnapshotList changed;
    QHash<SessionId, QList<FrameRecord>> appended;
    QList<SessionId> appendedOrder;

    // Inserts or replaces one snapshot and keeps the open count and the closed order right.
    auto store = [&](const SessionSnapshot &s) {
        const auto it = m_sessions.constFind(s.id);
        const bool known = it != m_sessions.constEnd();
        if (known && !isOpen(*it))
            return false; // closed is final: late updates for it are ignored
        if (known && isOpen(*it))
            --m_openCount;
        m_sessions.insert(s.id, s);
        if (isOpen(s))
            ++m_openCount;
        else
            m_closedOrder.append(s.id);
        if (!known || added.contains(s.id)) {
            added.put(s);
        } else {
            changed.put(s);
        }
        return true;
    };

    auto appendFrames = [&](SessionId id, const QList<FrameRecord> &frames) {
        if (frames.isEmpty() || !m_sessions.contains(id))
            return;
        QList<FrameRecord> &stored = m_frames[id];
        const qsizetype skip = overlap(stored, frames);
        if (skip == frames.size())
            return;
        QList<FrameRecord> fresh = frames.mid(skip);
        const qsizetype limit = std::max(0, m_maxFrames);
        if (fresh.size() > limit)
            fresh = fresh.mid(fresh.size() - limit);
        stored.append(fresh);
        if (stored.size() > limit)
            stored.remove(0, stored.size() - limit);
        if (fresh.isEmpty())
            return;
        if (!appended.contains(id))
            appendedOrder.append(id);
        QList<FrameRecord> &out = appended[id];
        out.append(fresh);
        if (out.size() > limit)
            out.remove(0, out.size() - limit);
    };

    for (const SessionSnapshot &s : batch.opened)
        store(s);
    for (const SessionSnapshot &s : batch.updated)
        store(s);
    // New frames before the closes, so a closed session's last frames follow them in order.
    for (auto it = batch.frames.cbegin(); it != batch.frames.cend(); ++it)
        appendFrames(it.key(), it.value());
    for (const SessionClosed &c : batch.closed) {
        SessionSnapshot s = c.snapshot;
        s.state = SessionState::Closed;
        if (store(s))
            appendFrames(s.id, c.lastFrames);
    }

    // Retention of closed sessions: oldest closed first.
    QList<SessionId> removed;
    const qsizetype keep = std::max(0, m_maxClosed);
    while (m_closedOrder.size() > keep) {
        const SessionId id = m_closedOrder.takeFirst();
        m_sessions.remove(id);
        m_frames.remove(id);
        removed.append(id);
    }
    // A session added and dropped within this batch is never announced.
    QList<SessionId> removedKnown;
    for (SessionId id : std::as_const(removed)) {
        if (added.contains(id)) {
            added.remove(id);
        } else {
            changed.remove(id);
            removedKnown.append(id);
        }
        appended.remove(id); // its id in appendedOrder is skipped below
    }

    if (!added.isEmpty())
        emit sessionsAdded(added.take());
    if (!changed.isEmpty())
        emit sessionsUpdated(changed.take());
    for (SessionId id : std::as_const(appendedOrder)) {
        const auto it = appended.constFind(id);
        if (it != appended.constEnd())
            emit framesAppended(id, *it);
    }
    if (!removedKnown.isEmpty())
        emit sessionsRemoved(removedKnown);
}

void SessionRegistry::clearClosed()
{
    if (m_closedOrder.isEmpty())
        return;
    const QList<SessionId> removed = m_closedOrder;
    m_closedOrder.clear();
    for (SessionId id : removed) {
        m_sessions.remove(id);
        m_frames.remove(id);
    }
    emit sessionsRemoved(removed);
}

} // namespace Gateway::Session
