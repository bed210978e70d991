#pragma once

// Columns that size to their content: a view's columns grow to their widest visible value (time
// with seconds, states, addresses) as rows arrive, never shrink under the user, and leave alone a
// column the user resized by hand and the stretching last column. A cell whose text is still
// elided (the stretching column, or a narrow window) shows its full text as a tooltip.

#include <QObject>
#include <QSet>
#include <QTimer>

class QTreeView;

namespace Gateway::Ui {

class ColumnFitter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ColumnFitter)
public:
    // Installs itself on view (owned by it).
    static ColumnFitter *install(QTreeView *view);

    void fitNow();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    explicit ColumnFitter(QTreeView *view);
    void schedule();

    QTreeView *m_view;
    QTimer m_timer;
    QSet<int> m_userSized;
    bool m_fitting = false;
};

} // namespace Gateway::Ui
