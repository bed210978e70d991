#pragma once

// The access log and events, fed by EventBus::eventsPublished: a bounded ring (oldest rows drop
// first), one beginInsertRows per batch, text formatted lazily.

#include "events/gatewayevent.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QList>

namespace Gateway::Ui {

class EventLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogModel)
public:
    enum Column { TimeColumn, TypeColumn, SummaryColumn, ColumnCount };
    enum Role { TypeRole = Qt::UserRole + 1, JsonRole };

    explicit EventLogModel(QObject *parent = nullptr);

    void setCapacity(int capacity) { m_capacity = std::max(1, capacity); }
    int capacity() const { return m_capacity; }
    const Events::GatewayEvent &event(int row) const { return m_events.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString summary(const Events::GatewayEvent &event);

public slots:
    void appendEvents(const QList<Gateway::Events::GatewayEvent> &events);
    void clear();

private:
    QList<Events::GatewayEvent> m_events;
    int m_capacity = 20000;
    QIcon m_warning;
    QIcon m_error;
    QIcon m_info;
    QIcon m_probe;
    QIcon m_session;
};

} // namespace Gateway::Ui
