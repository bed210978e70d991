#pragma once

// Backend health view: the pool → setting → server tree with the history strip and "Probe now".

#include <QWidget>

class QLabel;
class QToolButton;
class QTreeView;

namespace Gateway::Ui {

class HealthTreeModel;

class HealthWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthWidget)
public:
    explicit HealthWidget(HealthTreeModel *model, QWidget *parent = nullptr);
    QTreeView *view() const { return m_view; }
    void setProbingAvailable(bool available);

signals:
    // Empty fields: probe every target.
    void probeNowRequested(const QString &pool, const QString &setting, const QString &server);
    void openPoolRequested(const QString &pool);

private:
    void updateSummary();

    HealthTreeModel *m_model;
    QTreeView *m_view;
    QToolButton *m_probe;
    QLabel *m_summary;
};

} // namespace Gateway::Ui
