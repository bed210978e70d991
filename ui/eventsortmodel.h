#pragma once

// Filters the event log by type (or type family, e.g. "session.") and text.

#include <QSortFilterProxyModel>

namespace Gateway::Ui {

class EventLogModel;

class EventSortModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventSortModel)
public:
    explicit EventSortModel(QObject *parent = nullptr);
    void setEventModel(EventLogModel *model);
    void setTypePrefix(const QString &prefix); // "" all, "access", "session.", "probe"...
    void setText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    EventLogModel *m_model = nullptr;
    QString m_type;
    QString m_text;
};

} // namespace Gateway::Ui
