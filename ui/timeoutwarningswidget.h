#pragma once

// The "Timeout warnings" panel: every session the gateway closed by its request timeout (and the
// live ones about to be), with the seeds' explanation and a link to the setting responsible.

#include <QWidget>

class QTextBrowser;
class QTreeView;

namespace Gateway::Ui {

class TimeoutWarningsModel;

class TimeoutWarningsWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeoutWarningsWidget)
public:
    explicit TimeoutWarningsWidget(TimeoutWarningsModel *model, QWidget *parent = nullptr);
    QTreeView *view() const { return m_view; }
    QString explanationText() const;

signals:
    void openSettingRequested(const QString &settingName);
    void showSessionRequested(quint64 sessionId);

private:
    void showCurrent();

    TimeoutWarningsModel *m_model;
    QTreeView *m_view;
    QTextBrowser *m_explanation;
};

} // namespace Gateway::Ui
