#pragma once

// Sessions the request timeout is about to close (heartbeat warning) or has closed (the gateway
// closed it by timeout; the client saw 1006). Fed with session snapshot batches; O(batch).

#include "session/sessiontypes.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QIcon>

namespace Gateway::Ui {

class TimeoutWarningsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeoutWarningsModel)
public:
    enum Column {
        TimeColumn,
        KindColumn,
        SessionColumn,
        ClientColumn,
        ListenerColumn,
        SettingColumn,
        TimeoutColumn,
        ColumnCount
    };
    enum Role { SessionIdRole = Qt::UserRole + 1, SettingRole, ExplanationRole, ClosedRole };

    explicit TimeoutWarningsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    const Session::SessionSnapshot &session(int row) const { return m_rows.at(row); }
    int closedByTimeoutCount() const { return m_closedCount; }

public slots:
    void considerSessions(const QList<Gateway::Session::SessionSnapshot> &sessions);
    void clear();

private:
    QList<Session::SessionSnapshot> m_rows;
    QHash<Session::SessionId, int> m_index;
    int m_closedCount = 0;
    QIcon m_warning;
    QIcon m_closed;
};

} // namespace Gateway::Ui
