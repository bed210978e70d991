#pragma once

// Sorting and filtering of the live sessions (text, state, listener). Reads the source rows
// directly instead of going through QVariant, so sorting 10,000 rows stays cheap.

#include <QSortFilterProxyModel>

namespace Gateway::Ui {

class SessionTableModel;

class SessionSortModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionSortModel)
public:
    enum class StateFilter { All, Open, WebSocket, Http, Closed, ClosedByTimeout, Warnings };

    explicit SessionSortModel(QObject *parent = nullptr);

    void setSessionModel(SessionTableModel *model);
    void setText(const QString &text);
    void setStateFilter(StateFilter filter);
    void setListener(const QString &listener); // empty: all

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    SessionTableModel *m_model = nullptr;
    QString m_text;
    StateFilter m_state = StateFilter::All;
    QString m_listener;
};

} // namespace Gateway::Ui
