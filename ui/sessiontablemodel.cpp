#include "sessiontablemodel.h"

#include "icons.h"
#include "uiformat.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace Gateway::Ui {

using Session::SessionId;
using Session::SessionSnapshot;
using Session::SessionState;

SessionTableModel::SessionTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_now([] { return QDateTime::currentMSecsSinceEpoch(); })
    , m_warningIcon(Icons::icon(Icons::Name::Warning))
    , m_timeoutIcon(Icons::icon(Icons::Name::Clock))
    , m_webSocketIcon(Icons::icon(Icons::Name::Frames))
    , m_httpIcon(Icons::icon(Icons::Name::Log))
{
}

int SessionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SessionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool SessionTableModel::closedByTimeout(const SessionSnapshot &s)
{
    return s.state == SessionState::Closed && s.closeReason == QLatin1String("requestTimeout");
}

bool SessionTableModel::isOpen(const SessionSnapshot &s)
{
    return s.state != SessionState::Closed;
}

QVariant SessionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case IdColumn: return tr("Id");
        case ClientColumn: return tr("Client");
        case ListenerColumn: return tr("Listener");
        case RuleColumn: return tr("Rule");
        case ServerColumn: return tr("Server");
        case StateColumn: return tr("State");
        case AgeColumn: return tr("Age");
        case BytesInColumn: return tr("Bytes in");
        case BytesOutColumn: return tr("Bytes out");
        case FramesInColumn: return tr("Frames in");
        case FramesOutColumn: return tr("Frames out");
        case LastActivityColumn: return tr("Last activity");
        case TimeoutLeftColumn: return tr("Timeout left");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case BytesInColumn: return tr("Bytes from the client to the gateway");
        case BytesOutColumn: return tr("Bytes from the gateway to the client");
        case FramesInColumn: return tr("WebSocket frames from the client to the backend");
        case FramesOutColumn: return tr("WebSocket frames from the backend to the client");
        case TimeoutLeftColumn:
            return tr("The backend setting's request timeout, which Application Gateway also "
                      "applies to WebSocket sessions as an idle timeout: the session closes when "
                      "this reaches zero unless traffic flows");
        }
    }
    return {};
}

QVariant SessionTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const SessionSnapshot &s = m_rows.at(index.row());
    const int column = index.column();
    const bool open = isOpen(s);

    auto timeoutLeft = [&]() -> qint64 {
        if (!open || s.timeoutDeadlineMs <= 0)
            return -1;
        return std::max<qint64>(0, s.timeoutDeadlineMs - m_now());
    };

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case IdColumn: return QString::number(s.id);
        case ClientColumn: return s.clientAddress;
        case ListenerColumn: return s.listener;
        case RuleColumn: return s.rule;
        case ServerColumn:
            return s.serverEndpoint.isEmpty() || s.serverEndpoint == s.server
                       ? s.server
                       : s.server + QStringLiteral(" → ") + s.serverEndpoint;
        case StateColumn: {
            if (s.state != SessionState::Closed && s.drainDeadlineMs > 0)
                return tr("%1 · draining (%2s)")
                    .arg(stateText(s.state))
                    .arg(std::max<qint64>(0, s.drainDeadlineMs - m_now() + 999) / 1000);
            if (s.state != SessionState::Closed)
                return stateText(s.state);
            if (closedByTimeout(s))
                return tr("Closed by timeout (1006)");
            QString text = tr("Closed");
            if (!s.closedBy.isEmpty())
                text += tr(" by %1").arg(s.closedBy);
            if (s.closeCode > 0)
                text += QStringLiteral(" (%1)").arg(s.closeCode);
            return text;
        }
        case AgeColumn:
            return durationText((open ? m_now() : (s.endMs > 0 ? s.endMs : m_now())) - s.startMs);
        case BytesInColumn: return bytesText(s.bytesIn);
        case BytesOutColumn: return bytesText(s.bytesOut);
        case FramesInColumn: return s.webSocket ? QString::number(s.framesIn) : QString();
        case FramesOutColumn: return s.webSocket ? QString::number(s.framesOut) : QString();
        case LastActivityColumn: return timeText(s.lastActivityMs);
        case TimeoutLeftColumn: {
            if (closedByTimeout(s))
                return tr("timed out");
            const qint64 left = timeoutLeft();
            return left < 0 ? QString() : durationText(left + 999);
        }
        }
        break;
    case Qt::DecorationRole:
        if (column == IdColumn) {
            if (s.heartbeatWarning && open)
                return m_warningIcon;
            if (closedByTimeout(s))
                return m_timeoutIcon;
            return s.webSocket ? m_webSocketIcon : m_httpIcon;
        }
        break;
    case Qt::ToolTipRole:
        if (s.heartbeatWarning && open && (column == IdColumn || column == TimeoutLeftColumn))
            return heartbeatWarningText(s);
        if (closedByTimeout(s))
            return timeoutExplanation(s);
        if (column == StateColumn && open && s.drainDeadlineMs > 0)
            return tr("The server drains (removed from its pool by an applied edit): this "
                      "session ends at the drain deadline with reason draining, as on Azure");
        if (column == ServerColumn)
            return tr("Pool %1, backend setting %2").arg(s.pool, s.setting);
        if (column == ClientColumn && !s.path.isEmpty())
            return s.path;
        break;
    case Qt::TextAlignmentRole:
        if (column == BytesInColumn || column == BytesOutColumn || column == FramesInColumn
            || column == FramesOutColumn || column == IdColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case SessionIdRole: return QVariant::fromValue<qulonglong>(s.id);
    case SortRole:
        switch (column) {
        case IdColumn: return QVariant::fromValue<qulonglong>(s.id);
        case AgeColumn: return s.startMs;
        case BytesInColumn: return s.bytesIn;
        case BytesOutColumn: return s.bytesOut;
        case FramesInColumn: return s.framesIn;
        case FramesOutColumn: return s.framesOut;
        case LastActivityColumn: return s.lastActivityMs;
        case TimeoutLeftColumn: return s.timeoutDeadlineMs;
        default: return data(index, Qt::DisplayRole);
        }
    case TimeoutLeftMsRole: return timeoutLeft();
    case TimeoutFractionRole: {
        const qint64 left = timeoutLeft();
        if (left < 0 || s.timeoutMs <= 0)
            return -1.0;
        return std::clamp(double(left) / double(s.timeoutMs), 0.0, 1.0);
    }
    case ClosedByTimeoutRole: return closedByTimeout(s);
    case HeartbeatWarningRole: return s.heartbeatWarning && open;
    }
    return {};
}

void SessionTableModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!m_paused) {
        const auto removals = std::exchange(m_heldRemovals, {});
        const auto updates = std::exchange(m_heldUpdates, {});
        flushPending();
        applyUpdates(updates);
        applyRemovals(removals);
    }
}

void SessionTableModel::addSessions(const QList<SessionSnapshot> &sessions)
{
    for (const SessionSnapshot &s : sessions) {
        if (m_index.contains(s.id)) {
            // already shown: treat as an update
            if (m_paused)
                m_heldUpdates.append(s);
            else
                applyUpdates({s});
            continue;
        }
        const auto it = m_pendingIndex.constFind(s.id);
        if (it != m_pendingIndex.constEnd()) {
            m_pending[*it] = s;
            continue;
        }
        m_pendingIndex.insert(s.id, int(m_pending.size()));
        m_pending.append(s);
    }
    scheduleFlush();
}

void SessionTableModel::scheduleFlush()
{
    if (m_flushScheduled || m_pending.isEmpty() || m_paused)
        return;
    m_flushScheduled = true;
    QTimer::singleShot(0, this, &SessionTableModel::flushPending);
}

void SessionTableModel::flushPending()
{
    m_flushScheduled = false;
    if (m_pending.isEmpty() || m_paused)
        return;
    const int first = int(m_rows.size());
    const int n = int(m_pending.size());
    beginInsertRows({}, first, first + n - 1);
    m_rows.reserve(first + n);
    for (int i = 0; i < n; ++i) {
        const SessionSnapshot &s = m_pending.at(i);
        m_index.insert(s.id, first + i);
        m_rows.append(s);
        if (isOpen(s))
            ++m_openCount;
    }
    m_pending.clear();
    m_pendingIndex.clear();
    endInsertRows();
    emit countsChanged();
}

void SessionTableModel::updateSessions(const QList<SessionSnapshot> &sessions)
{
    if (m_paused) {
        // Keep pending (not yet shown) rows current; hold the rest.
        for (const SessionSnapshot &s : sessions) {
            const auto it = m_pendingIndex.constFind(s.id);
            if (it != m_pendingIndex.constEnd())
                m_pending[*it] = s;
            else
                m_heldUpdates.append(s);
        }
        return;
    }
    applyUpdates(sessions);
}

namespace {
// The columns an update touches, so a sorted proxy only re-sorts when its sort column changed.
void changedColumns(const SessionSnapshot &a, const SessionSnapshot &b, int *first, int *last)
{
    auto mark = [first, last](int column) {
        *first = std::min(*first, column);
        *last = std::max(*last, column);
    };
    if (a.id != b.id)
        mark(SessionTableModel::IdColumn);
    if (a.heartbeatWarning != b.heartbeatWarning || a.webSocket != b.webSocket)
        mark(SessionTableModel::IdColumn);
    if (a.clientAddress != b.clientAddress || a.path != b.path)
        mark(SessionTableModel::ClientColumn);
    if (a.listener != b.listener)
        mark(SessionTableModel::ListenerColumn);
    if (a.rule != b.rule)
        mark(SessionTableModel::RuleColumn);
    if (a.server != b.server || a.serverEndpoint != b.serverEndpoint || a.pool != b.pool
        || a.setting != b.setting)
        mark(SessionTableModel::ServerColumn);
    if (a.state != b.state || a.closeReason != b.closeReason || a.closedBy != b.closedBy
        || a.closeCode != b.closeCode)
        mark(SessionTableModel::StateColumn);
    if (a.startMs != b.startMs || a.endMs != b.endMs)
        mark(SessionTableModel::AgeColumn);
    if (a.bytesIn != b.bytesIn)
        mark(SessionTableModel::BytesInColumn);
    if (a.bytesOut != b.bytesOut)
        mark(SessionTableModel::BytesOutColumn);
    if (a.framesIn != b.framesIn)
        mark(SessionTableModel::FramesInColumn);
    if (a.framesOut != b.framesOut)
        mark(SessionTableModel::FramesOutColumn);
    if (a.lastActivityMs != b.lastActivityMs)
        mark(SessionTableModel::LastActivityColumn);
    if (a.timeoutDeadlineMs != b.timeoutDeadlineMs || a.timeoutMs != b.timeoutMs
        || a.state != b.state)
        mark(SessionTableModel::TimeoutLeftColumn);
}
} // namespace

void SessionTableModel::applyUpdates(const QList<SessionSnapshot> &sessions)
{
    if (sessions.isEmpty())
        return;
    struct Change
    {
        int row;
        int first;
        int last;
    };
    QList<Change> changes;
    changes.reserve(sessions.size());
    bool openChanged = false;
    int allFirst = ColumnCount;
    int allLast = -1;
    for (const SessionSnapshot &s : sessions) {
        const auto it = m_index.constFind(s.id);
        if (it == m_index.constEnd()) {
            const auto pit = m_pendingIndex.constFind(s.id);
            if (pit != m_pendingIndex.constEnd())
                m_pending[*pit] = s;
            continue; // unknown id: ignore (an update for a removed session)
        }
        SessionSnapshot &row = m_rows[*it];
        if (isOpen(row) != isOpen(s)) {
            m_openCount += isOpen(s) ? 1 : -1;
            openChanged = true;
        }
        int first = ColumnCount;
        int last = -1;
        changedColumns(row, s, &first, &last);
        row = s;
        if (last < 0)
            continue; // nothing visible changed
        changes.append({*it, first, last});
        allFirst = std::min(allFirst, first);
        allLast = std::max(allLast, last);
    }
    if (!changes.isEmpty()) {
        if (changes.size() * 2 > m_rows.size()) {
            emit dataChanged(index(0, allFirst), index(int(m_rows.size()) - 1, allLast));
        } else {
            // Per row, merged into contiguous runs.
            std::sort(changes.begin(), changes.end(),
                      [](const Change &a, const Change &b) { return a.row < b.row; });
            int i = 0;
            while (i < changes.size()) {
                int j = i;
                int first = changes.at(i).first;
                int last = changes.at(i).last;
                while (j + 1 < changes.size() && changes.at(j + 1).row == changes.at(j).row + 1) {
                    ++j;
                    first = std::min(first, changes.at(j).first);
                    last = std::max(last, changes.at(j).last);
                }
                emit dataChanged(index(changes.at(i).row, first), index(changes.at(j).row, last));
                i = j + 1;
            }
        }
    }
    if (openChanged)
        emit countsChanged();
}

void SessionTableModel::removeSessions(const QList<SessionId> &ids)
{
    // Pending (never shown) rows go at once.
    QList<SessionId> shown;
    bool pendingChanged = false;
    for (SessionId id : ids) {
        if (m_pendingIndex.contains(id)) {
            pendingChanged = true;
            m_pending.removeIf([id](const SessionSnapshot &s) { return s.id == id; });
        } else {
            shown.append(id);
        }
    }
    if (pendingChanged) {
        m_pendingIndex.clear();
        for (int i = 0; i < m_pending.size(); ++i)
            m_pendingIndex.insert(m_pending.at(i).id, i);
    }
    if (m_paused) {
        m_heldRemovals.append(shown);
        return;
    }
    applyRemovals(shown);
}

void SessionTableModel::applyRemovals(const QList<SessionId> &ids)
{
    QList<int> rows;
    rows.reserve(ids.size());
    for (SessionId id : ids) {
        const int row = m_index.value(id, -1);
        if (row >= 0)
            rows.append(row);
    }
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    // Remove contiguous ranges from the end so earlier row numbers stay valid.
    int end = int(rows.size()) - 1;
    while (end >= 0) {
        int start = end;
        while (start > 0 && rows.at(start - 1) == rows.at(start) - 1)
            --start;
        const int first = rows.at(start);
        const int last = rows.at(end);
        beginRemoveRows({}, first, last);
        for (int r = first; r <= last; ++r) {
            if (isOpen(m_rows.at(r)))
                --m_openCount;
            m_index.remove(m_rows.at(r).id);
        }
        m_rows.remove(first, last - first + 1);
        endRemoveRows();
        end = start - 1;
    }
    rebuildIndex(rows.first());
    emit countsChanged();
}

void SessionTableModel::rebuildIndex(int fromRow)
{
    for (int r = fromRow; r < m_rows.size(); ++r)
        m_index.insert(m_rows.at(r).id, r);
}

void SessionTableModel::recountOpen()
{
    m_openCount = int(std::count_if(m_rows.cbegin(), m_rows.cend(), isOpen));
}

void SessionTableModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_index.clear();
    m_pending.clear();
    m_pendingIndex.clear();
    m_heldUpdates.clear();
    m_heldRemovals.clear();
    m_openCount = 0;
    endResetModel();
    emit countsChanged();
}

} // namespace Gateway::Ui
