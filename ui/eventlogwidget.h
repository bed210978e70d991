#pragma once

// The access log and event stream with a type filter and a text filter; follows the tail.

#include <QWidget>

class QComboBox;
class QLineEdit;
class QTreeView;
class QToolButton;

namespace Gateway::Ui {

class EventLogModel;
class EventSortModel;

class EventLogWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogWidget)
public:
    explicit EventLogWidget(EventLogModel *model, QWidget *parent = nullptr);
    EventSortModel *sortModel() const { return m_sort; }
    QTreeView *view() const { return m_view; }
    void setTypeFilter(const QString &prefix);

private:
    EventLogModel *m_model;
    EventSortModel *m_sort;
    QTreeView *m_view;
    QComboBox *m_type;
    QLineEdit *m_search;
    QToolButton *m_follow;
};

} // namespace Gateway::Ui
