#include "timeoutwarningsmodel.h"

#include "icons.h"
#include "sessiontablemodel.h"
#include "uiformat.h"

namespace Gateway::Ui {

using Session::SessionSnapshot;

TimeoutWarningsModel::TimeoutWarningsModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_warning(Icons::icon(Icons::Name::Warning))
    , m_closed(Icons::icon(Icons::Name::Error))
{
}

int TimeoutWarningsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TimeoutWarningsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimeoutWarningsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time");
    case KindColumn: return tr("Warning");
    case SessionColumn: return tr("Session");
    case ClientColumn: return tr("Client");
    case ListenerColumn: return tr("Listener / rule");
    case SettingColumn: return tr("Backend setting");
    case TimeoutColumn: return tr("Request timeout");
    }
    return {};
}

QVariant TimeoutWarningsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const SessionSnapshot &s = m_rows.at(index.row());
    const bool closed = SessionTableModel::closedByTimeout(s);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: return timeText(closed ? s.endMs : s.lastActivityMs);
        case KindColumn:
            return closed ? tr("Closed by request timeout, client saw 1006")
                          : tr("Ping interval near the request timeout");
        case SessionColumn: return QString::number(s.id);
        case ClientColumn: return s.clientAddress;
        case ListenerColumn: return QString(s.listener + QStringLiteral(" / ") + s.rule);
        case SettingColumn: return s.setting;
        case TimeoutColumn: return s.timeoutMs > 0 ? tr("%1 s").arg(s.timeoutMs / 1000) : QString();
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == KindColumn)
            return closed ? m_closed : m_warning;
        break;
    case Qt::ToolTipRole:
    case ExplanationRole: return closed ? timeoutExplanation(s) : heartbeatWarningText(s);
    case SessionIdRole: return QVariant::fromValue<qulonglong>(s.id);
    case SettingRole: return s.setting;
    case ClosedRole: return closed;
    }
    return {};
}

void TimeoutWarningsModel::considerSessions(const QList<SessionSnapshot> &sessions)
{
    QList<SessionSnapshot> added;
    for (const SessionSnapshot &s : sessions) {
        const bool closed = SessionTableModel::closedByTimeout(s);
        const bool warn = s.heartbeatWarning && s.state != Session::SessionState::Closed;
        const auto it = m_index.constFind(s.id);
        if (it != m_index.constEnd()) {
            const int row = *it;
            const bool wasClosed = SessionTableModel::closedByTimeout(m_rows.at(row));
            if (closed || warn || wasClosed) {
                if (closed && !wasClosed)
                    ++m_closedCount;
                if (closed || !wasClosed)
                    m_rows[row] = s;
                emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
            }
            // A live warning whose session ended normally stays listed as it was last seen.
            continue;
        }
        if (closed || warn)
            added.append(s);
    }
    if (added.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(added.size()) - 1);
    for (const SessionSnapshot &s : std::as_const(added)) {
        m_index.insert(s.id, int(m_rows.size()));
        m_rows.append(s);
        if (SessionTableModel::closedByTimeout(s))
            ++m_closedCount;
    }
    endInsertRows();
}

void TimeoutWarningsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_index.clear();
    m_closedCount = 0;
    endResetModel();
}

} // namespace Gateway::Ui
