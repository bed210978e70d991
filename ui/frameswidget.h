#pragma once

// Frames of the selected WebSocket session: filter bar, frame list, a preview pane (text, hex,
// pretty JSON) and the routing context (listener, rule, pool, server, affinity, setting, timeout).

#include "config/gatewayconfig.h"
#include "session/sessiontypes.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTabWidget;
class QTextBrowser;
class QToolButton;
class QTreeView;

namespace Gateway::Ui {

class FrameTableModel;
class FrameSortModel;

class FramesWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FramesWidget)
public:
    explicit FramesWidget(QWidget *parent = nullptr);

    FrameTableModel *model() const { return m_model; }
    FrameSortModel *sortModel() const { return m_sort; }
    QTreeView *view() const { return m_view; }

    // Shows a session: its snapshot, its frames so far, and the setting that applies.
    void showSession(const Session::SessionSnapshot &session,
                     const QList<Session::FrameRecord> &frames,
                     const Config::GatewayConfig &config);
    // A newer snapshot of the session shown (routing context refresh only).
    void updateSession(const Session::SessionSnapshot &session, const Config::GatewayConfig &config);
    void clearSession();
    QString routingText() const;

signals:
    void openSettingRequested(const QString &settingName);

private:
    void showPreview();
    void updateFoldLabel();

    FrameTableModel *m_model;
    FrameSortModel *m_sort;
    QTreeView *m_view;
    QLineEdit *m_search;
    QComboBox *m_direction;
    QComboBox *m_opcode;
    QToolButton *m_fold;
    QLabel *m_foldLabel;
    QTabWidget *m_previewTabs;
    QPlainTextEdit *m_text;
    QPlainTextEdit *m_hex;
    QPlainTextEdit *m_json;
    QTextBrowser *m_routing;
    QLabel *m_title;
};

} // namespace Gateway::Ui
