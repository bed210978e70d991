#pragma once

// The live sessions table (house-style.md §11): rows in a QList with a QHash<id,row> index; new
// rows are queued and inserted once per event-loop turn with one beginInsertRows; updates emit
// per-row dataChanged when at most half the rows changed, else one whole-range dataChanged;
// text is formatted lazily in data().

#include "session/sessiontypes.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QIcon>
#include <QList>

#include <functional>

namespace Gateway::Ui {

class SessionTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionTableModel)
public:
    enum Column {
        IdColumn,
        ClientColumn,
        ListenerColumn,
        RuleColumn,
        ServerColumn,
        StateColumn,
        AgeColumn,
        BytesInColumn,
        BytesOutColumn,
        FramesInColumn,
        FramesOutColumn,
        LastActivityColumn,
        TimeoutLeftColumn,
        ColumnCount
    };
    enum Role {
        SessionIdRole = Qt::UserRole + 1,
        SortRole,             // raw value for sorting
        TimeoutLeftMsRole,    // qint64, -1 when no timeout is armed
        TimeoutFractionRole,  // double 0..1 of the timeout left, -1 when none
        ClosedByTimeoutRole,  // bool
        HeartbeatWarningRole, // bool
    };

    explicit SessionTableModel(QObject *parent = nullptr);

    // Time source for age and countdown (defaults to the system clock); tests inject their own.
    void setNow(std::function<qint64()> now) { m_now = std::move(now); }
    qint64 now() const { return m_now(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    const Session::SessionSnapshot &session(int row) const { return m_rows.at(row); }
    int rowOf(Session::SessionId id) const { return m_index.value(id, -1); }
    int pendingCount() const { return int(m_pending.size()); }
    int openCount() const { return m_openCount; }

    // Pause: changes are held back (not lost) and applied on resume.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    static bool closedByTimeout(const Session::SessionSnapshot &s);
    static bool isOpen(const Session::SessionSnapshot &s);

public slots:
    void addSessions(const QList<Gateway::Session::SessionSnapshot> &sessions);
    void updateSessions(const QList<Gateway::Session::SessionSnapshot> &sessions);
    void removeSessions(const QList<Gateway::Session::SessionId> &ids);
    void clear();
    void flushPending(); // normally called by the single-shot timer

signals:
    void countsChanged(); // rows inserted/removed or open count changed

private:
    void scheduleFlush();
    void applyUpdates(const QList<Session::SessionSnapshot> &sessions);
    void applyRemovals(const QList<Session::SessionId> &ids);
    void recountOpen();
    void rebuildIndex(int fromRow);

    QList<Session::SessionSnapshot> m_rows;
    QHash<Session::SessionId, int> m_index;
    QList<Session::SessionSnapshot> m_pending;
    QHash<Session::SessionId, int> m_pendingIndex;
    bool m_flushScheduled = false;
    bool m_paused = false;
    QList<Session::SessionSnapshot> m_heldUpdates;
    QList<Session::SessionId> m_heldRemovals;
    int m_openCount = 0;
    std::function<qint64()> m_now;
    QIcon m_warningIcon;
    QIcon m_timeoutIcon;
    QIcon m_webSocketIcon;
    QIcon m_httpIcon;
};

} // namespace Gateway::Ui
