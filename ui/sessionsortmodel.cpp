#include "sessionsortmodel.h"

#include "sessiontablemodel.h"
#include "uiformat.h"

namespace Gateway::Ui {

using Session::SessionSnapshot;
using Session::SessionState;

SessionSortModel::SessionSortModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    // The filter reads the whole row (state, listener, text): any changed column re-filters.
    setFilterKeyColumn(-1);
}

void SessionSortModel::setSessionModel(SessionTableModel *model)
{
    m_model = model;
    setSourceModel(model);
}

void SessionSortModel::setText(const QString &text)
{
    if (m_text == text)
        return;
    m_text = text;
    invalidateRowsFilter();
}

void SessionSortModel::setStateFilter(StateFilter filter)
{
    if (m_state == filter)
        return;
    m_state = filter;
    invalidateRowsFilter();
}

void SessionSortModel::setListener(const QString &listener)
{
    if (m_listener == listener)
        return;
    m_listener = listener;
    invalidateRowsFilter();
}

bool SessionSortModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    if (!m_model)
        return true;
    const SessionSnapshot &s = m_model->session(sourceRow);
    switch (m_state) {
    case StateFilter::All: break;
    case StateFilter::Open:
        if (s.state == SessionState::Closed)
            return false;
        break;
    case StateFilter::WebSocket:
        if (!s.webSocket)
            return false;
        break;
    case StateFilter::Http:
        if (s.webSocket)
            return false;
        break;
    case StateFilter::Closed:
        if (s.state != SessionState::Closed)
            return false;
        break;
    case StateFilter::ClosedByTimeout:
        if (!SessionTableModel::closedByTimeout(s))
            return false;
        break;
    case StateFilter::Warnings:
        if (!(s.heartbeatWarning || SessionTableModel::closedByTimeout(s)))
            return false;
        break;
    }
    if (!m_listener.isEmpty() && s.listener.compare(m_listener, Qt::CaseInsensitive) != 0)
        return false;
    if (m_text.isEmpty())
        return true;
    const auto has = [this](const QString &field) {
        return field.contains(m_text, Qt::CaseInsensitive);
    };
    return has(QString::number(s.id)) || has(s.clientAddress) || has(s.listener) || has(s.rule)
           || has(s.server) || has(s.serverEndpoint) || has(s.pool) || has(s.setting) || has(s.path)
           || has(stateText(s.state)) || has(s.closeReason);
}

bool SessionSortModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (!m_model)
        return QSortFilterProxyModel::lessThan(left, right);
    const SessionSnapshot &a = m_model->session(left.row());
    const SessionSnapshot &b = m_model->session(right.row());
    switch (left.column()) {
    case SessionTableModel::IdColumn: return a.id < b.id;
    case SessionTableModel::ClientColumn: return a.clientAddress < b.clientAddress;
    case SessionTableModel::ListenerColumn: return a.listener < b.listener;
    case SessionTableModel::RuleColumn: return a.rule < b.rule;
    case SessionTableModel::ServerColumn: return a.server < b.server;
    case SessionTableModel::StateColumn: return int(a.state) < int(b.state);
    case SessionTableModel::AgeColumn: return a.startMs > b.startMs; // older = larger age
    case SessionTableModel::BytesInColumn: return a.bytesIn < b.bytesIn;
    case SessionTableModel::BytesOutColumn: return a.bytesOut < b.bytesOut;
    case SessionTableModel::FramesInColumn: return a.framesIn < b.framesIn;
    case SessionTableModel::FramesOutColumn: return a.framesOut < b.framesOut;
    case SessionTableModel::LastActivityColumn: return a.lastActivityMs < b.lastActivityMs;
    case SessionTableModel::TimeoutLeftColumn: {
        // unarmed timeouts sort last
        const qint64 da = a.timeoutDeadlineMs > 0 && a.state != SessionState::Closed
                              ? a.timeoutDeadlineMs
                              : std::numeric_limits<qint64>::max();
        const qint64 db = b.timeoutDeadlineMs > 0 && b.state != SessionState::Closed
                              ? b.timeoutDeadlineMs
                              : std::numeric_limits<qint64>::max();
        return da < db;
    }
    }
    return a.id < b.id;
}

} // namespace Gateway::Ui
