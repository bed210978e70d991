#pragma once

// The console's main window: the topology canvas in the middle; docks for the element list, the
// form editor, problems, live sessions, frames, backend health, timeout warnings, the event log
// and the charts. Owns the Gateway (its I/O runs on worker threads; this thread never touches a
// socket) and feeds the models from its batched signals.

#include "elementref.h"
#include "session/sessiontypes.h"

#include <QHash>
#include <QMainWindow>
#include <QStringList>

#include <functional>
#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QPushButton;
class QTreeView;

namespace Gateway::Proxy {
class Gateway;
}
namespace Gateway::Events {
struct GatewayEvent;
}

namespace Gateway::Ui {

class AddressMapOffer;
class ConfigController;
class ConfigTreeModel;
class ElementEditor;
class EventLogModel;
class EventLogWidget;
class FramesWidget;
class HealthTreeModel;
class HealthWidget;
class ParametersDialog;
class ProblemsModel;
class SessionTableModel;
class SessionsWidget;
class StatsWidget;
class TimeoutWarningsModel;
class TimeoutWarningsWidget;
class TopologyView;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    ConfigController *controller() const { return m_controller; }
    Proxy::Gateway *gateway() const { return m_gateway.get(); }
    SessionTableModel *sessionModel() const { return m_sessionModel; }
    HealthTreeModel *healthModel() const { return m_healthModel; }
    EventLogModel *eventModel() const { return m_eventModel; }
    TimeoutWarningsModel *timeoutModel() const { return m_timeoutModel; }
    ElementEditor *editor() const { return m_editor; }
    FramesWidget *framesWidget() const { return m_frames; }
    SessionsWidget *sessionsWidget() const { return m_sessions; }
    TopologyView *topology() const { return m_topology; }
    ProblemsModel *problemsModel() const { return m_problemsModel; }
    QTreeView *problemsView() const { return m_problemsView; }
    HealthWidget *healthWidget() const { return m_health; }
    // "Map 10.0.0.7 to a Local Port…" on Problems rows, health servers and canvas boxes.
    AddressMapOffer *addressMapOffer() const { return m_mapOffer; }

    // The running gateway's life, as the status bar and the title show it.
    enum class GatewayState { Stopped, Starting, Running, Applying, Stopping, Failed };
    GatewayState gatewayState() const { return m_state; }
    QString gatewayStateText() const; // "Running", "Stopping… 8 s", …
    // True while the gateway serves a document that is no longer open (New/Open answered "keep
    // it running detached").
    bool isGatewayDetached() const { return !m_detachedFrom.isEmpty(); }
    // The editor's configuration differs from the one the running gateway serves.
    bool differsFromRunning() const { return !m_runningDiff.isEmpty(); }
    QStringList runningDifferences() const { return m_runningDiff; }
    // What the last Start anyway left out, "element: reason" each.
    QStringList leftOut() const { return m_leftOut; }

    // Every question the window asks about the running gateway goes through this function:
    // (title, text, button labels) -> index of the chosen button, -1 for cancel/escape. The
    // default shows a QMessageBox; non-interactive windows answer 0. Tests replace it.
    using Question =
        std::function<int(const QString &title, const QString &text, const QStringList &buttons)>;
    void setQuestionHandler(Question question) { m_question = std::move(question); }

    // parametersPath empty: the parameters file last used with this template, if any.
    bool openFile(const QString &path, const QString &parametersPath = {});
    // File > Template Parameters…: opens the parameters editor (window-modal, not blocking); OK
    // evaluates the document again with its values.
    ParametersDialog *editParameters();
    // File > New: asks about unsaved edits and a running gateway first.
    bool newDocument();
    void applyToGateway();
    // Starts the gateway with the current configuration; false with a message on failure.
    bool startGateway(QString *errorString = nullptr);
    void stopGateway();
    bool isGatewayRunning() const;
    // Asks to recover autosaved edits of an earlier session, if any.
    void offerRecovery();
    // Skips dialogs (tests, screenshots): unsaved-changes prompts answer "discard".
    void setNonInteractive(bool on) { m_nonInteractive = on; }
    // Start without asking about configuration errors (the demo).
    void setNonInteractiveStart(bool on) { m_noStartPrompt = on; }
    void showSession(Session::SessionId id);
    void openElement(const ElementRef &ref);

signals:
    void gatewayStarted();
    void gatewayStopped();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createDocks();
    void createStatusBar();
    void createGateway();
    void showEvent(QShowEvent *event) override;
    void connectGateway();
    void readSettings();
    void writeSettings();
    bool maybeSave();
    bool save();
    bool saveAs();
    void open();
    int ask(const QString &title, const QString &text, const QStringList &buttons);
    void logLeftOut(const QStringList &otherErrors);
    void showLeftOut(const QString &heading);
    // Before the document is replaced: stop the running gateway or keep it running detached.
    // False: the user cancelled.
    bool releaseGateway(const QString &action);
    void setState(GatewayState state);
    void updateDifference();
    int drainSeconds() const;
    void applyDefaultLayout();
    void addRecentFile(const QString &path);
    void updateRecentMenu();
    void updateTitle();
    void updateActions();
    void updateStatus();
    void updateProblems();
    void refreshTopology();
    void liveTick();
    void onSessionsAdded(const QList<Session::SessionSnapshot> &sessions);
    void onSessionsUpdated(const QList<Session::SessionSnapshot> &sessions);
    void onSessionsRemoved(const QList<Session::SessionId> &ids);
    void onEvents(const QList<Events::GatewayEvent> &events);
    void onCurrentSessionChanged(Session::SessionId id);
    void openSetting(const QString &name);
    void addElement(ElementKind kind);
    QDockWidget *addDock(const QString &objectName, const QString &title, QWidget *widget,
                         Qt::DockWidgetArea area);

    ConfigController *m_controller;
    AddressMapOffer *m_mapOffer = nullptr;
    std::unique_ptr<Proxy::Gateway> m_gateway;
    SessionTableModel *m_sessionModel;
    HealthTreeModel *m_healthModel;
    EventLogModel *m_eventModel;
    TimeoutWarningsModel *m_timeoutModel;
    ProblemsModel *m_problemsModel;
    ConfigTreeModel *m_treeModel;

    TopologyView *m_topology;
    ElementEditor *m_editor;
    QTreeView *m_elementTree;
    QTreeView *m_problemsView;
    SessionsWidget *m_sessions;
    FramesWidget *m_frames;
    HealthWidget *m_health;
    TimeoutWarningsWidget *m_timeouts;
    EventLogWidget *m_events;
    StatsWidget *m_stats;
    QHash<QString, QDockWidget *> m_docks;

    QLabel *m_listenersLabel;
    QLabel *m_sessionsLabel;
    QLabel *m_rateLabel;
    QLabel *m_healthLabel;
    QLabel *m_configLabel;
    QLabel *m_differsLabel;
    QLabel *m_problemsSummary = nullptr;
    QPushButton *m_problemsParameters = nullptr; // "Edit Parameters…" beside the summary

    QAction *m_newAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_openParametersAction = nullptr;
    QAction *m_parametersAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_saveAsAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_renameAction = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_applyAction = nullptr;
    QAction *m_probeAction = nullptr;
    QAction *m_fitAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_addMenu = nullptr;
    QMenu *m_viewMenu = nullptr;

    QHash<Session::SessionId, qint64> m_lastBytes;
    QHash<QString, QString> m_listenerAddresses;
    bool m_nonInteractive = false;
    bool m_noStartPrompt = false;
    bool m_topologyDirty = true;
    bool m_layoutRestored = false;
    bool m_defaultLayoutDone = false;
    GatewayState m_state = GatewayState::Stopped;
    QString m_failure;         // Failed: why
    qint64 m_stopDeadline = 0; // Stopping: when draining ends (ms since epoch), 0 none
    QString m_detachedFrom;    // the document a detached gateway serves
    QStringList m_runningDiff;
    QStringList m_leftOut;
    Question m_question;
};

} // namespace Gateway::Ui
