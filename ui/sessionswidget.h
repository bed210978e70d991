#pragma once

// The live sessions view: a filter bar (text, state, listener, pause) over a uniform-row tree
// view of SessionTableModel through SessionSortModel, painted by SessionDelegate.

#include "session/sessiontypes.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QToolButton;
class QTreeView;
class QTimer;

namespace Gateway::Ui {

class SessionTableModel;
class SessionSortModel;

class SessionsWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionsWidget)
public:
    explicit SessionsWidget(SessionTableModel *model, QWidget *parent = nullptr);

    QTreeView *view() const { return m_view; }
    SessionSortModel *sortModel() const { return m_sort; }
    void setListeners(const QStringList &listeners);
    void setPaused(bool paused);
    bool isPaused() const;
    void selectSession(Session::SessionId id);
    Session::SessionId currentSession() const;
    void saveState(const QString &key) const;
    void restoreState(const QString &key);

signals:
    void currentSessionChanged(Gateway::Session::SessionId id); // 0 when none
    void closeSessionRequested(Gateway::Session::SessionId id);

private:
    void updateCounts();
    void onCurrentChanged();

    SessionTableModel *m_model;
    SessionSortModel *m_sort;
    QTreeView *m_view;
    QLineEdit *m_search;
    QComboBox *m_state;
    QComboBox *m_listener;
    QToolButton *m_pause;
    QLabel *m_counts;
    QTimer *m_repaint;
    Session::SessionId m_current = 0;
};

} // namespace Gateway::Ui
