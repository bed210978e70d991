#include "mainwindow.h"

#include "addressmapoffer.h"
#include "config/configvalidator.h"
#include "config/startablesubset.h"
#include "configcontroller.h"
#include "configdiff.h"
#include "configelements.h"
#include "configtreemodel.h"
#include "elementeditor.h"
#include "elementform.h"
#include "eventlogmodel.h"
#include "eventlogwidget.h"
#include "events/gatewayevent.h"
#include "frameswidget.h"
#include "frametablemodel.h"
#include "health/healthmonitor.h"
#include "healthtreemodel.h"
#include "healthwidget.h"
#include "icons.h"
#include "parametersdialog.h"
#include "problemsmodel.h"
#include "proxy/gateway.h"
#include "session/sessionregistry.h"
#include "sessionswidget.h"
#include "sessiontablemodel.h"
#include "statswidget.h"
#include "timeoutwarningsmodel.h"
#include "timeoutwarningswidget.h"
#include "topologyview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QShowEvent>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace Gateway::Ui {

using Session::SessionId;
using Session::SessionSnapshot;

namespace {
constexpr int MaxRecentFiles = 8;
const char *const FileFilter = QT_TRANSLATE_NOOP(
    "MainWindow", "Application Gateway templates (*.json);;All files (*)");
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_controller(new ConfigController(this))
    , m_sessionModel(new SessionTableModel(this))
    , m_healthModel(new HealthTreeModel(this))
    , m_eventModel(new EventLogModel(this))
    , m_timeoutModel(new TimeoutWarningsModel(this))
    , m_problemsModel(new ProblemsModel(this))
    , m_treeModel(new ConfigTreeModel(m_controller, this))
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowIcon(Icons::icon(Icons::Name::App));
    setDockNestingEnabled(true);
    setDocumentMode(true);

    m_topology = new TopologyView(this);
    setCentralWidget(m_topology);

    createActions();
    createDocks();
    // Unmapped backend addresses (the validator's list): right-click offers to map them.
    m_mapOffer = new AddressMapOffer(m_controller, this);
    m_mapOffer->attach(m_problemsView, [this](const QPoint &pos) {
        const QString path = m_problemsView->indexAt(pos).data(ProblemsModel::PathRole).toString();
        for (const Config::UnmappedAddress &u : m_mapOffer->unmapped())
            if (!path.isEmpty() && u.paths.contains(path))
                return u.address;
        return QString();
    });
    m_mapOffer->attach(m_health->view(), [this](const QPoint &pos) {
        return m_health->view()->indexAt(pos).data(HealthTreeModel::ServerRole).toString();
    });
    m_mapOffer->attach(m_topology,
                       [this](const QPoint &pos) { return m_topology->serverAddressAt(pos); });
    createMenus();
    createStatusBar();
    createGateway();

    connect(m_controller, &ConfigController::configChanged, this, [this] {
        m_topologyDirty = true;
        QTimer::singleShot(0, this, &MainWindow::refreshTopology);
        updateActions();
        m_sessions->setListeners(elementNames(m_controller->config(), ElementKind::HttpListener));
        updateDifference();
    });
    connect(m_controller, &ConfigController::diagnosticsChanged, this, &MainWindow::updateProblems);
    connect(m_controller, &ConfigController::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_controller, &ConfigController::documentChanged, this, [this] {
        if (m_state == GatewayState::Failed)
            setState(GatewayState::Stopped); // the failure was the previous document's
        updateDifference();
        updateTitle();
        updateProblems();
        m_topology->fitAll();
    });
    connect(m_topology, &TopologyView::elementActivated, this, &MainWindow::openElement);
    connect(m_editor, &ElementEditor::elementChanged, this, [this](const ElementRef &ref) {
        m_topology->selectElement(ref);
        const QModelIndex idx = m_treeModel->indexOf(ref);
        if (idx.isValid() && m_elementTree->currentIndex() != idx)
            m_elementTree->setCurrentIndex(idx);
        updateActions();
    });

    auto *live = new QTimer(this);
    live->setInterval(1000);
    live->setTimerType(Qt::CoarseTimer);
    connect(live, &QTimer::timeout, this, &MainWindow::liveTick);
    live->start();

    readSettings();
    refreshTopology();
    updateProblems();
    updateTitle();
    updateActions();
    updateStatus();
}

MainWindow::~MainWindow()
{
    if (m_gateway && m_gateway->isRunning())
        m_gateway->stopNow();
}

// ---- construction ------------------------------------------------------------------------------

void MainWindow::createActions()
{
    auto make = [this](Icons::Name icon, const QString &text, const QKeySequence &shortcut,
                       const QString &tip) {
        auto *a = new QAction(Icons::icon(icon), text, this);
        if (!shortcut.isEmpty())
            a->setShortcut(shortcut);
        a->setToolTip(shortcut.isEmpty() ? tip
                                         : QStringLiteral("%1 (%2)").arg(
                                             tip, shortcut.toString(QKeySequence::NativeText)));
        a->setStatusTip(tip);
        return a;
    };
    m_newAction = make(Icons::Name::New, tr("&New"), QKeySequence::New,
                       tr("Start a new gateway template"));
    m_openAction = make(Icons::Name::Open, tr("&Open…"), QKeySequence::Open,
                        tr("Open an ARM template or resource JSON"));
    m_openParametersAction = make(
        Icons::Name::Open, tr("Open with &Parameters…"), QKeySequence(),
        tr("Open an ARM template with a parameters file giving its parameters values"));
    m_parametersAction = make(Icons::Name::Open, tr("Template P&arameters…"), QKeySequence(),
                              tr("Give the template's parameters values (and save them as a "
                                 "parameters file)"));
    m_saveAction = make(Icons::Name::Save, tr("&Save"), QKeySequence::Save,
                        tr("Save the configuration"));
    m_saveAsAction = make(Icons::Name::SaveAs, tr("Save &As…"), QKeySequence::SaveAs,
                          tr("Save under another name"));
    m_quitAction = make(Icons::Name::Stop, tr("&Quit"), QKeySequence::Quit, tr("Quit the console"));
    m_undoAction = m_controller->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setIcon(Icons::icon(Icons::Name::Undo));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = m_controller->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redoAction->setIcon(Icons::icon(Icons::Name::Redo));
    m_redoAction->setShortcuts({QKeySequence::Redo, QKeySequence(Qt::CTRL | Qt::Key_Y)});
    m_duplicateAction = make(Icons::Name::Duplicate, tr("D&uplicate"),
                             QKeySequence(Qt::CTRL | Qt::Key_D),
                             tr("Duplicate the selected element"));
    m_deleteAction = make(Icons::Name::Remove, tr("&Delete"),
                          QKeySequence(Qt::CTRL | Qt::Key_Delete),
                          tr("Delete the selected element; references to it are flagged"));
    m_renameAction = make(Icons::Name::Rename, tr("Re&name…"), QKeySequence(Qt::Key_F2),
                          tr("Rename the selected element; references follow"));
    m_startAction = make(Icons::Name::Start, tr("&Start"), QKeySequence(Qt::Key_F5),
                         tr("Start serving this configuration"));
    m_stopAction = make(Icons::Name::Stop, tr("S&top"), QKeySequence(Qt::SHIFT | Qt::Key_F5),
                        tr("Stop the gateway (sessions close with reason shutdown)"));
    m_applyAction = make(Icons::Name::Apply, tr("&Apply"), QKeySequence(Qt::CTRL | Qt::Key_R),
                         tr("Apply the edited configuration to the running gateway"));
    m_probeAction = make(Icons::Name::ProbeNow, tr("&Probe Now"),
                         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
                         tr("Probe every backend now"));
    m_fitAction = make(Icons::Name::Fit, tr("&Fit Topology"), QKeySequence(Qt::CTRL | Qt::Key_0),
                       tr("Fit the topology canvas to the window"));

    connect(m_newAction, &QAction::triggered, this, &MainWindow::newDocument);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::open);
    connect(m_openParametersAction, &QAction::triggered, this, [this] {
        if (!maybeSave())
            return;
        const QString path = QFileDialog::getOpenFileName(this, tr("Open template"),
                                                          QFileInfo(m_controller->filePath()).path(),
                                                          tr(FileFilter));
        if (path.isEmpty())
            return;
        const QString parameters = QFileDialog::getOpenFileName(
            this, tr("Parameters for %1").arg(QFileInfo(path).fileName()), QFileInfo(path).path(),
            tr("ARM parameters files (*.parameters.json *.json);;All files (*)"));
        if (parameters.isEmpty())
            statusBar()->showMessage(tr("No parameters file chosen; opening without one."), 6000);
        openFile(path, parameters);
    });
    connect(m_parametersAction, &QAction::triggered, this, &MainWindow::editParameters);
    connect(m_saveAction, &QAction::triggered, this, &MainWindow::save);
    connect(m_saveAsAction, &QAction::triggered, this, &MainWindow::saveAs);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    connect(m_duplicateAction, &QAction::triggered, this, [this] {
        const ElementRef copy = m_controller->duplicate(m_editor->element());
        if (copy.isValid())
            openElement(copy);
    });
    connect(m_deleteAction, &QAction::triggered, this, [this] {
        const ElementRef ref = m_editor->element();
        if (m_controller->remove(ref))
            statusBar()->showMessage(
                tr("Deleted %1 %2. References to it are listed under Problems.")
                    .arg(kindLabel(ref.kind).toLower(), ref.name),
                6000);
    });
    connect(m_renameAction, &QAction::triggered, this, [this] {
        const ElementRef ref = m_editor->element();
        if (!ref.isValid() || ref.kind == ElementKind::Count)
            return;
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Rename"),
                                                   tr("New name for %1:").arg(ref.name),
                                                   QLineEdit::Normal, ref.name, &ok);
        if (!ok)
            return;
        QString error;
        if (!m_controller->rename(ref, name, &error))
            QMessageBox::warning(this, tr("Rename"), error);
        else if (ref.kind != ElementKind::Gateway)
            openElement(ElementRef{ref.kind, name.trimmed(), ref.parent});
    });
    connect(m_startAction, &QAction::triggered, this, [this] {
        if (isGatewayRunning()) {
            // F5 on a running gateway answers: what runs, and Apply when the editor differs.
            if (m_state == GatewayState::Stopping) {
                statusBar()->showMessage(tr("The gateway is stopping; start it again once it has "
                                            "stopped, or press Stop again to stop it now."),
                                         8000);
                return;
            }
            const QString serves = isGatewayDetached()
                                       ? tr("The gateway is already running, detached: it serves "
                                            "%1, not the open document.")
                                             .arg(m_detachedFrom)
                                       : tr("The gateway is already running this document.");
            if (!isGatewayDetached() && !differsFromRunning()) {
                statusBar()->showMessage(serves + QLatin1Char(' ')
                                             + tr("The editor and the gateway agree; nothing "
                                                  "to apply."),
                                         8000);
                return;
            }
            const QString what = isGatewayDetached()
                                     ? tr("Apply makes it serve the open document instead.")
                                     : tr("The editor differs from it:\n%1\n\nApply the "
                                          "edits to the running gateway?")
                                           .arg(m_runningDiff.join(QLatin1Char('\n')));
            statusBar()->showMessage(serves + QLatin1Char(' ') + tr("Apply (Ctrl+R) to update it."),
                                     8000);
            if (ask(tr("Start"), serves + QStringLiteral("\n\n") + what,
                    {tr("Not now"), tr("Apply")})
                == 1)
                applyToGateway();
            return;
        }
        QString error;
        if (!startGateway(&error) && !error.isEmpty())
            QMessageBox::critical(this, tr("Start"), error);
    });
    connect(m_stopAction, &QAction::triggered, this, &MainWindow::stopGateway);
    connect(m_applyAction, &QAction::triggered, this, &MainWindow::applyToGateway);
    connect(m_probeAction, &QAction::triggered, this, [this] {
        if (m_gateway && m_gateway->health())
            m_gateway->health()->probeNow();
    });
    connect(m_fitAction, &QAction::triggered, m_topology, &TopologyView::fitAll);
}

QDockWidget *MainWindow::addDock(const QString &objectName, const QString &title, QWidget *widget,
                                 Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(widget);
    dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable
                      | QDockWidget::DockWidgetFloatable);
    addDockWidget(area, dock);
    m_docks.insert(objectName, dock);
    return dock;
}

void MainWindow::createDocks()
{
    // Elements (navigator)
    m_elementTree = new QTreeView(this);
    m_elementTree->setModel(m_treeModel);
    m_elementTree->setHeaderHidden(true);
    m_elementTree->setUniformRowHeights(true);
    m_elementTree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_elementTree->setObjectName(QStringLiteral("elementTree"));
    connect(m_treeModel, &QAbstractItemModel::modelReset, m_elementTree, [this] {
        m_elementTree->expandToDepth(0);
        const QModelIndex idx = m_treeModel->indexOf(m_editor->element());
        if (idx.isValid())
            m_elementTree->setCurrentIndex(idx);
    });
    connect(m_elementTree, &QTreeView::clicked, this, [this](const QModelIndex &idx) {
        if (!idx.data(ConfigTreeModel::IsCollectionRole).toBool())
            openElement(m_treeModel->refAt(idx));
    });
    connect(m_elementTree, &QTreeView::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex idx = m_elementTree->indexAt(pos);
        if (!idx.isValid())
            return;
        const ElementRef ref = m_treeModel->refAt(idx);
        QMenu menu(this);
        const bool collection = idx.data(ConfigTreeModel::IsCollectionRole).toBool();
        if (ref.kind != ElementKind::Gateway) {
            QAction *add = menu.addAction(Icons::icon(Icons::Name::Add),
                                          tr("Add %1").arg(kindLabel(ref.kind).toLower()));
            connect(add, &QAction::triggered, this, [this, ref] { addElement(ref.kind); });
        }
        if (ref.kind == ElementKind::UrlPathMap && !collection) {
            QAction *addRule = menu.addAction(Icons::icon(Icons::Name::Add), tr("Add path rule"));
            connect(addRule, &QAction::triggered, this, [this, ref] {
                const ElementRef r = m_controller->add(ElementKind::PathRule, ref.name);
                if (r.isValid())
                    openElement(r);
            });
        }
        if (!collection) {
            openElement(ref);
            menu.addSeparator();
            menu.addAction(m_renameAction);
            menu.addAction(m_duplicateAction);
            menu.addAction(m_deleteAction);
        }
        menu.exec(m_elementTree->viewport()->mapToGlobal(pos));
    });
    addDock(QStringLiteral("elementsDock"), tr("Elements"), m_elementTree, Qt::LeftDockWidgetArea);

    // Properties (form editor)
    m_editor = new ElementEditor(m_controller, this);
    addDock(QStringLiteral("propertiesDock"), tr("Properties"), m_editor, Qt::RightDockWidgetArea);

    // Problems
    m_problemsView = new QTreeView(this);
    m_problemsView->setModel(m_problemsModel);
    m_problemsView->setRootIsDecorated(false);
    m_problemsView->setUniformRowHeights(true);
    m_problemsView->setAllColumnsShowFocus(true);
    m_problemsView->setObjectName(QStringLiteral("problemsView"));
    m_problemsView->header()->resizeSection(ProblemsModel::SeverityColumn, 90);
    m_problemsView->header()->resizeSection(ProblemsModel::MessageColumn, 520);
    connect(m_problemsView, &QTreeView::doubleClicked, this, [this](const QModelIndex &idx) {
        const QString path = idx.data(ProblemsModel::PathRole).toString();
        m_editor->focusPath(path);
        if (QDockWidget *d = m_docks.value(QStringLiteral("propertiesDock"))) {
            d->show();
            d->raise();
        }
    });

    // Live views
    m_sessions = new SessionsWidget(m_sessionModel, this);
    connect(m_sessions, &SessionsWidget::currentSessionChanged, this,
            &MainWindow::onCurrentSessionChanged);
    connect(m_sessions, &SessionsWidget::closeSessionRequested, this, [this](SessionId id) {
        if (m_gateway)
            m_gateway->closeSession(id);
    });
    m_frames = new FramesWidget(this);
    connect(m_frames, &FramesWidget::openSettingRequested, this, &MainWindow::openSetting);
    m_health = new HealthWidget(m_healthModel, this);
    connect(m_health, &HealthWidget::probeNowRequested, this,
            [this](const QString &pool, const QString &setting, const QString &server) {
                if (m_gateway && m_gateway->health())
                    m_gateway->health()->probeNow(pool, setting, server);
            });
    connect(m_health, &HealthWidget::openPoolRequested, this, [this](const QString &pool) {
        openElement(ElementRef{ElementKind::BackendAddressPool, pool, {}});
    });
    m_timeouts = new TimeoutWarningsWidget(m_timeoutModel, this);
    connect(m_timeouts, &TimeoutWarningsWidget::openSettingRequested, this,
            &MainWindow::openSetting);
    connect(m_timeouts, &TimeoutWarningsWidget::showSessionRequested, this,
            &MainWindow::showSession);
    m_events = new EventLogWidget(m_eventModel, this);
    m_stats = new StatsWidget(this);

    QDockWidget *sessions = addDock(QStringLiteral("sessionsDock"), tr("Live Sessions"), m_sessions,
                                    Qt::BottomDockWidgetArea);
    QDockWidget *frames = addDock(QStringLiteral("framesDock"), tr("Frames"), m_frames,
                                  Qt::BottomDockWidgetArea);
    // The problems, grouped by cause, under a one-line summary with the next step.
    auto *problemsPane = new QWidget(this);
    auto *problemsLayout = new QVBoxLayout(problemsPane);
    problemsLayout->setContentsMargins(0, 0, 0, 0);
    problemsLayout->setSpacing(2);
    m_problemsSummary = new QLabel(problemsPane);
    m_problemsSummary->setObjectName(QStringLiteral("problemsSummary"));
    m_problemsSummary->setWordWrap(true);
    m_problemsSummary->setContentsMargins(6, 4, 6, 2);
    m_problemsSummary->hide();
    m_problemsParameters = new QPushButton(tr("Edit Parameters…"), problemsPane);
    m_problemsParameters->setObjectName(QStringLiteral("problemsParameters"));
    m_problemsParameters->setToolTip(tr("Give the template's parameters values"));
    m_problemsParameters->hide();
    connect(m_problemsParameters, &QPushButton::clicked, this, &MainWindow::editParameters);
    auto *summaryRow = new QHBoxLayout;
    summaryRow->addWidget(m_problemsSummary, 1);
    summaryRow->addWidget(m_problemsParameters, 0, Qt::AlignTop);
    problemsLayout->addLayout(summaryRow);
    problemsLayout->addWidget(m_problemsView, 1);
    QDockWidget *problems = addDock(QStringLiteral("problemsDock"), tr("Problems"), problemsPane,
                                    Qt::BottomDockWidgetArea);
    QDockWidget *timeouts = addDock(QStringLiteral("timeoutsDock"), tr("Timeout Warnings"),
                                    m_timeouts, Qt::BottomDockWidgetArea);
    QDockWidget *events = addDock(QStringLiteral("eventsDock"), tr("Log"), m_events,
                                  Qt::BottomDockWidgetArea);
    QDockWidget *health = addDock(QStringLiteral("healthDock"), tr("Backend Health"), m_health,
                                  Qt::RightDockWidgetArea);
    QDockWidget *stats = addDock(QStringLiteral("chartsDock"), tr("Charts"), m_stats,
                                 Qt::RightDockWidgetArea);

    // Default layout: sessions | frames side by side at the bottom, with problems, timeout
    // warnings and the log tabbed under frames; properties above health and charts on the right.
    splitDockWidget(sessions, frames, Qt::Horizontal);
    tabifyDockWidget(frames, timeouts);
    tabifyDockWidget(timeouts, events);
    tabifyDockWidget(events, problems);
    frames->raise();
    QDockWidget *properties = m_docks.value(QStringLiteral("propertiesDock"));
    splitDockWidget(properties, health, Qt::Vertical);
    tabifyDockWidget(health, stats);
    health->raise();
}

void MainWindow::applyDefaultLayout()
{
    // Sized to the window the first time it shows (no saved layout): the Properties dock gets a
    // third of the width so its forms are not cramped at 1366 px, the canvas keeps the middle and
    // the live views about 40 % of the height.
    const int w = width();
    const int h = height();
    QDockWidget *properties = m_docks.value(QStringLiteral("propertiesDock"));
    QDockWidget *health = m_docks.value(QStringLiteral("healthDock"));
    QDockWidget *sessions = m_docks.value(QStringLiteral("sessionsDock"));
    QDockWidget *frames = m_docks.value(QStringLiteral("framesDock"));
    resizeDocks({m_docks.value(QStringLiteral("elementsDock")), properties},
                {std::clamp(w / 8, 170, 240), std::clamp(w * 30 / 100, 400, 620)}, Qt::Horizontal);
    resizeDocks({sessions}, {std::clamp(h * 38 / 100, 240, 440)}, Qt::Vertical);
    resizeDocks({sessions, frames}, {w / 2, w / 2}, Qt::Horizontal);
    resizeDocks({properties, health}, {h * 68 / 100, h * 32 / 100}, Qt::Vertical);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_layoutRestored && !m_defaultLayoutDone) {
        m_defaultLayoutDone = true;
        applyDefaultLayout();
    }
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    file->addAction(m_openParametersAction);
    file->addAction(m_parametersAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(m_saveAction);
    file->addAction(m_saveAsAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);
    edit->addSeparator();
    m_addMenu = edit->addMenu(Icons::icon(Icons::Name::Add), tr("&Add"));
    for (ElementKind kind : CollectionKinds) {
        QAction *a = m_addMenu->addAction(elementIcon(kind), kindLabel(kind));
        connect(a, &QAction::triggered, this, [this, kind] { addElement(kind); });
    }
    QAction *addPathRule = m_addMenu->addAction(elementIcon(ElementKind::PathRule),
                                                tr("Path rule (in the selected map)"));
    connect(addPathRule, &QAction::triggered, this, [this] {
        const ElementRef cur = m_editor->element();
        const QString map = cur.kind == ElementKind::UrlPathMap ? cur.name
                            : cur.kind == ElementKind::PathRule ? cur.parent
                                                                : QString();
        if (map.isEmpty()) {
            statusBar()->showMessage(tr("Select a URL path map first."), 4000);
            return;
        }
        const ElementRef r = m_controller->add(ElementKind::PathRule, map);
        if (r.isValid())
            openElement(r);
    });
    edit->addAction(m_renameAction);
    edit->addAction(m_duplicateAction);
    edit->addAction(m_deleteAction);

    QMenu *gateway = menuBar()->addMenu(tr("&Gateway"));
    gateway->addAction(m_startAction);
    gateway->addAction(m_stopAction);
    gateway->addAction(m_applyAction);
    gateway->addSeparator();
    gateway->addAction(m_probeAction);
    gateway->addAction(m_mapOffer->mapAllAction());

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->addAction(m_fitAction);
    QAction *zoomIn = m_viewMenu->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, m_topology,
                                            &TopologyView::zoomIn);
    Q_UNUSED(zoomIn);
    m_viewMenu->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, m_topology,
                          &TopologyView::zoomOut);
    m_viewMenu->addSeparator();
    const QStringList order = {QStringLiteral("elementsDock"), QStringLiteral("propertiesDock"),
                               QStringLiteral("problemsDock"), QStringLiteral("sessionsDock"),
                               QStringLiteral("framesDock"),   QStringLiteral("healthDock"),
                               QStringLiteral("timeoutsDock"), QStringLiteral("eventsDock"),
                               QStringLiteral("chartsDock")};
    int n = 1;
    for (const QString &name : order) {
        QDockWidget *dock = m_docks.value(name);
        QAction *toggle = dock->toggleViewAction();
        toggle->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_0 + n++)));
        m_viewMenu->addAction(toggle);
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(
            this, tr("About Application Gateway Console"),
            tr("<h3>Application Gateway Console %1</h3>"
               "<p>Runs an Azure Application Gateway configuration (an ARM template) "
               "locally, with native WebSocket support, and shows sessions, frames, "
               "probe status and timeout warnings live.</p>")
                .arg(QStringLiteral(GATEWAY_VERSION)));
    });

    auto *tb = addToolBar(tr("Main"));
    tb->setObjectName(QStringLiteral("mainToolBar"));
    tb->setIconSize(QSize(20, 20));
    tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tb->addAction(m_newAction);
    tb->addAction(m_openAction);
    tb->addAction(m_saveAction);
    tb->addSeparator();
    tb->addAction(m_undoAction);
    tb->addAction(m_redoAction);
    tb->addSeparator();
    auto *addButton = m_addMenu->menuAction();
    tb->addAction(addButton);
    tb->addAction(m_duplicateAction);
    tb->addAction(m_deleteAction);
    tb->addSeparator();
    tb->addAction(m_startAction);
    tb->addAction(m_stopAction);
    tb->addAction(m_applyAction);
    tb->addAction(m_probeAction);
    tb->addSeparator();
    tb->addAction(m_fitAction);
    for (QAction *a : {m_undoAction, m_redoAction, m_duplicateAction, m_deleteAction, m_fitAction,
                       m_newAction, m_openAction, m_saveAction})
        if (QWidget *w = tb->widgetForAction(a))
            if (auto *button = qobject_cast<QToolButton *>(w))
                button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    // The whole Add button opens its menu (its action has nothing to do by itself).
    if (auto *button = qobject_cast<QToolButton *>(tb->widgetForAction(addButton))) {
        button->setPopupMode(QToolButton::InstantPopup);
        button->setObjectName(QStringLiteral("addButton"));
    }
    updateRecentMenu();
}

void MainWindow::createStatusBar()
{
    m_listenersLabel = new QLabel(this);
    m_sessionsLabel = new QLabel(this);
    m_rateLabel = new QLabel(this);
    m_healthLabel = new QLabel(this);
    m_configLabel = new QLabel(this);
    m_differsLabel = new QLabel(this);
    m_differsLabel->setObjectName(QStringLiteral("differsStatus"));
    m_differsLabel->setText(tr("≠ Differs from running"));
    m_differsLabel->setStyleSheet(QStringLiteral("color:#a15c00; font-weight:bold"));
    m_differsLabel->hide();
    m_listenersLabel->setObjectName(QStringLiteral("listenersStatus"));
    m_sessionsLabel->setObjectName(QStringLiteral("sessionsStatus"));
    m_healthLabel->setObjectName(QStringLiteral("healthStatus"));
    statusBar()->addPermanentWidget(m_listenersLabel, 1);
    statusBar()->addPermanentWidget(m_differsLabel);
    statusBar()->addPermanentWidget(m_sessionsLabel);
    statusBar()->addPermanentWidget(m_rateLabel);
    statusBar()->addPermanentWidget(m_healthLabel);
    statusBar()->addPermanentWidget(m_configLabel);
}

// ---- gateway ---------------------------------------------------------------------------------

void MainWindow::createGateway()
{
    Proxy::GatewayOptions options;
    options.workers = 2;
    options.configDirectory = m_controller->document().directory();
    m_gateway = std::make_unique<Proxy::Gateway>(options);
    connectGateway();
}

void MainWindow::connectGateway()
{
    Proxy::Gateway *g = m_gateway.get();
    Session::SessionRegistry *registry = g->sessions();
    connect(registry, &Session::SessionRegistry::sessionsAdded, this, &MainWindow::onSessionsAdded);
    connect(registry, &Session::SessionRegistry::sessionsUpdated, this,
            &MainWindow::onSessionsUpdated);
    connect(registry, &Session::SessionRegistry::sessionsRemoved, this,
            &MainWindow::onSessionsRemoved);
    connect(registry, &Session::SessionRegistry::framesAppended, m_frames->model(),
            [this](SessionId id, const QList<Session::FrameRecord> &frames) {
                m_frames->model()->appendFrames(id, frames);
            });
    connect(g->events(), &Events::EventBus::eventsPublished, this, &MainWindow::onEvents);
    m_healthModel->followDraining(g); // "Draining (Ns)" rows and countdown
    if (Health::HealthMonitor *health = g->health()) {
        connect(health, &Health::HealthMonitor::probeCompleted, m_healthModel,
                &HealthTreeModel::updateServer);
        connect(health, &Health::HealthMonitor::healthChanged, m_healthModel,
                [this](const Health::ServerHealth &server) { m_healthModel->updateServer(server); });
    }
    connect(g, &Proxy::Gateway::started, this, [this] {
        updateActions();
        updateStatus();
        emit gatewayStarted();
    });
    connect(g, &Proxy::Gateway::stopped, this, [this] {
        const bool wasStopping = m_state == GatewayState::Stopping;
        m_detachedFrom.clear();
        m_stopDeadline = 0;
        if (m_state != GatewayState::Failed)
            setState(GatewayState::Stopped);
        if (wasStopping)
            statusBar()->showMessage(tr("Gateway stopped."), 6000);
        updateDifference();
        m_listenerAddresses.clear();
        updateActions();
        updateStatus();
        refreshTopology();
        emit gatewayStopped();
    });
    connect(g, &Proxy::Gateway::errorOccurred, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Gateway: %1").arg(message), 10000);
        m_eventModel->appendEvents({Events::GatewayEvent{
            QDateTime::currentMSecsSinceEpoch(), QStringLiteral("gateway.error"),
            QJsonObject{{QStringLiteral("message"), message}}}});
    });
}

bool MainWindow::isGatewayRunning() const
{
    return m_gateway && m_gateway->isRunning();
}

bool MainWindow::startGateway(QString *errorString)
{
    if (isGatewayRunning())
        return true;
    const Config::Diagnostics diagnostics = m_controller->diagnostics();
    Config::StartableSubset subset;
    subset.config = m_controller->config();
    if (Config::hasErrors(diagnostics)) {
        // Start anyway: only what is valid runs, and what was left out is listed.
        subset = Config::startableSubset(m_controller->config(), diagnostics);
        if (!m_nonInteractive && !m_noStartPrompt) {
            const auto answer = QMessageBox::warning(
                this, tr("Start"),
                tr("The configuration has %n error(s). Start anyway? Only what is valid starts: "
                   "%1 element(s) with errors or broken references are left out and listed.",
                   nullptr, m_controller->errorCount())
                    .arg(subset.leftOut.size()),
                QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
            if (answer != QMessageBox::Yes)
                return false;
        }
    }
    m_leftOut.clear();
    for (const Config::LeftOut &out : std::as_const(subset.leftOut))
        m_leftOut << tr("%1: %2").arg(out.element, out.reason);
    if (Config::hasErrors(diagnostics) && subset.usableListeners() == 0) {
        m_failure = tr("nothing to start: no listener is usable (%n element(s) left out, see the "
                       "event log)",
                       nullptr, int(m_leftOut.size()));
        setState(GatewayState::Failed);
        logLeftOut(subset.otherErrors);
        statusBar()->showMessage(tr("Not started: no listener is usable. Fix the errors in the "
                                    "Problems list, then press F5 again."),
                                 15000);
        if (errorString)
            *errorString = m_failure + QStringLiteral("\n\n") + m_leftOut.join(u'\n');
        showLeftOut(tr("Not started: no listener is usable. Left out:"));
        updateActions();
        updateStatus();
        return false;
    }
    // A fresh gateway per run, so its options follow the document (certificate directory).
    m_gateway.reset();
    m_sessionModel->clear();
    m_timeoutModel->clear();
    m_healthModel->clear();
    m_lastBytes.clear();
    m_frames->clearSession();
    createGateway();
    m_detachedFrom.clear();
    setState(GatewayState::Starting);
    QString error;
    if (!m_gateway->start(subset.config, &error)) {
        // Say what to do next, not only what went wrong.
        const QString next =
            error.contains(QLatin1String("in use"), Qt::CaseInsensitive)
                ? tr("Stop what uses that port, or map the frontend port to a free local port "
                     "(gateway settings: localGateway.frontendPortMap), then press F5 again.")
                : tr("Fix it in the Properties (the Problems list shows where), then press F5 "
                     "again.");
        m_failure = error;
        setState(GatewayState::Failed);
        statusBar()->showMessage(tr("Could not start: %1 %2").arg(error, next), 15000);
        if (errorString)
            *errorString = error + QStringLiteral("\n\n") + next;
        updateActions();
        return false;
    }
    setState(GatewayState::Running);
    m_listenerAddresses.clear();
    for (const Proxy::ListenerInfo &l : m_gateway->listeners()) {
        const QString address = QStringLiteral("%1:%2").arg(l.address).arg(l.port);
        for (const QString &name : l.name.split(QLatin1Char(','), Qt::SkipEmptyParts))
            m_listenerAddresses.insert(name.trimmed(), address);
    }
    if (Health::HealthMonitor *health = m_gateway->health())
        m_healthModel->setServers(health->servers());
    m_topology->setListenerAddresses(m_listenerAddresses);
    refreshTopology();
    updateActions();
    updateStatus();
    const int listeners = m_gateway->listeners().size();
    if (!m_leftOut.isEmpty() || !subset.otherErrors.isEmpty()) {
        logLeftOut(subset.otherErrors);
        statusBar()->showMessage(tr("Started what is valid: %n element(s) left out: %1", nullptr,
                                    int(m_leftOut.size()))
                                     .arg(m_leftOut.join(QStringLiteral("; "))),
                                 20000);
        if (!m_leftOut.isEmpty())
            showLeftOut(tr("Started what is valid. Left out:"));
    } else {
        statusBar()->showMessage(listeners == 0
                                     ? tr("Gateway started with no listener: nothing accepts "
                                          "connections. Add an HTTP listener or fix its errors "
                                          "(Problems).")
                                     : tr("Gateway started."),
                                 listeners == 0 ? 15000 : 4000);
    }
    updateDifference();
    emit gatewayStarted();
    return true;
}

void MainWindow::logLeftOut(const QStringList &otherErrors)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<Events::GatewayEvent> events;
    for (const QString &line : std::as_const(m_leftOut))
        events.append({now, QStringLiteral("gateway.leftOut"),
                       QJsonObject{{QStringLiteral("message"), line}}});
    for (const QString &line : otherErrors)
        events.append({now, QStringLiteral("gateway.startedDespite"),
                       QJsonObject{{QStringLiteral("message"), line}}});
    m_eventModel->appendEvents(events);
}

void MainWindow::showLeftOut(const QString &heading)
{
    if (m_nonInteractive || m_leftOut.isEmpty())
        return;
    auto *box = new QMessageBox(QMessageBox::Information, tr("Start anyway"), heading,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("leftOutMessage"));
    box->setInformativeText(QStringLiteral("• ") + m_leftOut.join(QStringLiteral("\n• ")));
    box->open();
}

int MainWindow::drainSeconds() const
{
    if (!m_gateway)
        return 0;
    int seconds = 0;
    for (const Config::BackendHttpSettings &s : m_gateway->config().backendHttpSettingsCollection)
        if (s.connectionDraining.enabled)
            seconds = std::max(seconds, s.connectionDraining.drainTimeoutInSec);
    return seconds;
}

void MainWindow::stopGateway()
{
    if (!isGatewayRunning()) {
        statusBar()->showMessage(tr("The gateway is not running."), 4000);
        return;
    }
    if (m_state == GatewayState::Stopping) {
        // A second Stop while draining: close the remaining sessions now.
        statusBar()->showMessage(tr("Stopping now: open sessions close with reason shutdown."),
                                 6000);
        m_gateway->stopNow();
        return;
    }
    // Open sessions (WebSocket tunnels) get the backend settings' connection-draining time before
    // they are closed, as Azure drains them; the countdown shows in the status bar and a second
    // Stop ends it at once.
    const int open = m_sessionModel->openCount();
    const int drain = open > 0 ? drainSeconds() : 0;
    m_stopDeadline = drain > 0 ? QDateTime::currentMSecsSinceEpoch() + qint64(drain) * 1000 : 0;
    setState(GatewayState::Stopping);
    m_gateway->stop();
    statusBar()->showMessage(
        drain > 0 ? tr("Stopping: %n open session(s) drain for up to %1 s (connectionDraining). "
                       "Press Stop again to close them now.",
                       nullptr, open)
                        .arg(drain)
                  : tr("Stopping: in-flight requests finish, then the gateway stops."),
        8000);
    updateActions();
}

void MainWindow::applyToGateway()
{
    if (!isGatewayRunning()) {
        statusBar()->showMessage(
            tr("The gateway is not running: nothing to apply. Start (F5) runs this configuration."),
            6000);
        return;
    }
    if (m_state == GatewayState::Stopping) {
        statusBar()->showMessage(tr("The gateway is stopping; nothing was applied."), 6000);
        return;
    }
    const QList<ConfigChange> changes = configChanges(m_gateway->config(), m_controller->config());
    if (changes.isEmpty() && !isGatewayDetached()) {
        statusBar()->showMessage(
            tr("Nothing to apply: the running gateway already serves this configuration."), 6000);
        return;
    }
    const int open = m_sessionModel->openCount();
    QString error;
    setState(GatewayState::Applying);
    const bool ok = m_gateway->apply(m_controller->config(), &error);
    setState(GatewayState::Running);
    if (!ok) {
        const QString text =
            tr("The configuration was not applied: %1. The gateway keeps serving the previous "
               "configuration; fix the cause and apply again.")
                .arg(error);
        statusBar()->showMessage(text, 15000);
        m_eventModel->appendEvents({Events::GatewayEvent{
            QDateTime::currentMSecsSinceEpoch(), QStringLiteral("gateway.applyFailed"),
            QJsonObject{{QStringLiteral("message"), text}}}});
        if (!m_nonInteractive)
            QMessageBox::warning(this, tr("Apply"), text);
        return;
    }
    const bool wasDetached = isGatewayDetached();
    m_detachedFrom.clear();
    if (Health::HealthMonitor *health = m_gateway->health())
        m_healthModel->setServers(health->servers());
    m_listenerAddresses.clear();
    for (const Proxy::ListenerInfo &l : m_gateway->listeners()) {
        const QString address = QStringLiteral("%1:%2").arg(l.address).arg(l.port);
        for (const QString &name : l.name.split(QLatin1Char(','), Qt::SkipEmptyParts))
            m_listenerAddresses.insert(name.trimmed(), address);
    }
    refreshTopology();

    // What changed, and what it did to the sessions already open: they keep the runtime (timeouts,
    // backend, rule) they started with; only new sessions use the applied configuration.
    QStringList what;
    for (const ConfigChange &c : changes)
        what << c.text();
    QString summary = wasDetached
                          ? tr("Applied: the running gateway now serves %1.")
                                .arg(m_controller->displayName())
                          : tr("Applied %n change(s): %1.", nullptr, int(changes.size()))
                                .arg(configChangeLines(changes, 3).join(QStringLiteral("; ")));
    QString sessions;
    if (open > 0) {
        QStringList kept;
        for (const ConfigChange &c : changes)
            if (c.collection == QLatin1String("backendHttpSettingsCollection")
                && !c.property.isEmpty())
                kept << QStringLiteral("%1 %2").arg(c.property, c.before);
        sessions = kept.isEmpty()
                       ? tr("%n open session(s) kept; they continue with the configuration they "
                            "started with, new sessions use the applied one.",
                            nullptr, open)
                       : tr("%n open session(s) kept; they still use the settings they started "
                            "with (%1), new sessions use the applied ones.",
                            nullptr, open)
                             .arg(kept.join(QStringLiteral(", ")));
    }
    const QString message = sessions.isEmpty() ? summary : summary + QLatin1Char(' ') + sessions;
    statusBar()->showMessage(message, 15000);
    m_eventModel->appendEvents({Events::GatewayEvent{
        QDateTime::currentMSecsSinceEpoch(), QStringLiteral("gateway.applied"),
        QJsonObject{{QStringLiteral("message"), message},
                    {QStringLiteral("changes"), QJsonArray::fromStringList(what)},
                    {QStringLiteral("openSessionsKept"), open}}}});
    updateDifference();
    updateActions();
}

void MainWindow::onSessionsAdded(const QList<SessionSnapshot> &sessions)
{
    m_sessionModel->addSessions(sessions);
    m_timeoutModel->considerSessions(sessions);
    qint64 bytes = 0;
    for (const SessionSnapshot &s : sessions) {
        const qint64 total = s.bytesIn + s.bytesOut;
        m_lastBytes.insert(s.id, total);
        bytes += total;
    }
    m_stats->addBytes(bytes);
}

void MainWindow::onSessionsUpdated(const QList<SessionSnapshot> &sessions)
{
    m_sessionModel->updateSessions(sessions);
    m_timeoutModel->considerSessions(sessions);
    qint64 bytes = 0;
    const SessionId current = m_frames->model()->sessionId();
    for (const SessionSnapshot &s : sessions) {
        const qint64 total = s.bytesIn + s.bytesOut;
        qint64 &last = m_lastBytes[s.id];
        bytes += std::max<qint64>(0, total - last);
        last = total;
        if (current != 0 && s.id == current)
            m_frames->updateSession(s, m_controller->config());
    }
    m_stats->addBytes(bytes);
}

void MainWindow::onSessionsRemoved(const QList<SessionId> &ids)
{
    m_sessionModel->removeSessions(ids);
    for (SessionId id : ids)
        m_lastBytes.remove(id);
}

void MainWindow::onEvents(const QList<Events::GatewayEvent> &events)
{
    m_eventModel->appendEvents(events);
    int requests = 0;
    for (const Events::GatewayEvent &e : events)
        if (e.type == QLatin1String("access"))
            ++requests;
    m_stats->addRequests(requests);
}

void MainWindow::onCurrentSessionChanged(SessionId id)
{
    if (id == 0) {
        m_frames->clearSession();
        return;
    }
    SessionSnapshot snapshot;
    QList<Session::FrameRecord> frames;
    Session::SessionRegistry *registry = m_gateway ? m_gateway->sessions() : nullptr;
    if (registry && registry->contains(id)) {
        snapshot = registry->session(id);
        frames = registry->frames(id);
    } else {
        const int row = m_sessionModel->rowOf(id);
        if (row < 0)
            return;
        snapshot = m_sessionModel->session(row);
    }
    m_frames->showSession(snapshot, frames, m_controller->config());
}

void MainWindow::showSession(SessionId id)
{
    if (QDockWidget *d = m_docks.value(QStringLiteral("sessionsDock"))) {
        d->show();
        d->raise();
    }
    m_sessions->selectSession(id);
    if (QDockWidget *d = m_docks.value(QStringLiteral("framesDock"))) {
        d->show();
        d->raise();
    }
}

void MainWindow::liveTick()
{
    // Session counts per listener, rule and server for the canvas: one pass over the rows.
    QHash<QString, int> counts;
    int open = 0;
    for (int row = 0; row < m_sessionModel->rowCount(); ++row) {
        const SessionSnapshot &s = m_sessionModel->session(row);
        if (!SessionTableModel::isOpen(s))
            continue;
        ++open;
        ++counts[QStringLiteral("listener/") + s.listener.toLower()];
        ++counts[QStringLiteral("rule/") + s.rule.toLower()];
        ++counts[QStringLiteral("server/%1/%2").arg(s.pool.toLower(), s.server.toLower())];
    }
    m_topology->setSessionCounts(counts);
    m_stats->setOpenSessions(open);

    QHash<QString, Health::HealthState> states;
    const Config::GatewayConfig &c = m_controller->config();
    for (const auto &pool : c.backendAddressPools)
        for (const auto &a : pool.backendAddresses)
            states.insert(QStringLiteral("%1/%2").arg(pool.name.toLower(), a.address().toLower()),
                          m_healthModel->serverState(pool.name, a.address()));
    m_topology->setServerStates(states);
    if (QDockWidget *d = m_docks.value(QStringLiteral("timeoutsDock"))) {
        const int n = m_timeoutModel->rowCount();
        d->setWindowTitle(n > 0 ? tr("Timeout Warnings (%1)").arg(n) : tr("Timeout Warnings"));
    }
    updateStatus();
    if (m_state == GatewayState::Stopping)
        updateTitle();
}

// ---- config ----------------------------------------------------------------------------------

void MainWindow::refreshTopology()
{
    m_topology->setListenerAddresses(m_listenerAddresses);
    m_topology->setConfig(m_controller->config(), m_controller->diagnostics());
    m_topologyDirty = false;
}

void MainWindow::updateProblems()
{
    const Config::GatewayConfig &c = m_controller->config();
    QStringList names;
    for (const Config::Diagnostic &d : m_controller->diagnostics()) {
        const ElementRef ref = elementForPath(c, d.path);
        names << (ref.kind == ElementKind::Gateway
                      ? tr("gateway")
                      : QStringLiteral("%1 %2").arg(kindLabel(ref.kind), ref.name));
    }
    m_problemsModel->setDiagnostics(m_controller->diagnostics(), names);
    const QString summary = m_problemsModel->summary();
    m_problemsSummary->setText(summary);
    m_problemsSummary->setToolTip(summary);
    m_problemsSummary->setVisible(!summary.isEmpty());
    const QList<ProblemsModel::Cause> causes = m_problemsModel->causes();
    m_problemsParameters->setVisible(
        std::any_of(causes.begin(), causes.end(), [](const ProblemsModel::Cause &c) {
            return c.text.contains(QLatin1String("parameter '"));
        }));
    m_problemsSummary->setStyleSheet(m_controller->errorCount() > 0
                                         ? QStringLiteral("color:#b02a20; font-weight:bold")
                                         : QStringLiteral("color:#a15c00"));
    if (QDockWidget *d = m_docks.value(QStringLiteral("problemsDock")))
        d->setWindowTitle(m_controller->diagnostics().isEmpty()
                              ? tr("Problems")
                              : tr("Problems (%1)").arg(m_controller->diagnostics().size()));
    m_topologyDirty = true;
    QTimer::singleShot(0, this, [this] {
        if (m_topologyDirty)
            refreshTopology();
    });
    updateStatus();
}

void MainWindow::openElement(const ElementRef &ref)
{
    if (!(m_editor->element() == ref) || m_editor->element().kind != ref.kind)
        m_editor->setElement(ref);
    if (QDockWidget *d = m_docks.value(QStringLiteral("propertiesDock"))) {
        d->show();
        d->raise();
    }
}

void MainWindow::openSetting(const QString &name)
{
    openElement(ElementRef{ElementKind::BackendHttpSettings, name, {}});
    if (ElementForm *form = m_editor->currentForm())
        if (QWidget *w = form->editorFor(QStringLiteral("properties.requestTimeout")))
            w->setFocus(Qt::OtherFocusReason);
}

void MainWindow::addElement(ElementKind kind)
{
    const ElementRef ref = m_controller->add(kind);
    if (ref.isValid())
        openElement(ref);
}

QString MainWindow::gatewayStateText() const
{
    switch (m_state) {
    case GatewayState::Stopped: return tr("Stopped");
    case GatewayState::Starting: return tr("Starting…");
    case GatewayState::Running:
        return isGatewayDetached() ? tr("Running detached (%1)").arg(m_detachedFrom)
                                   : tr("Running");
    case GatewayState::Applying: return tr("Applying…");
    case GatewayState::Stopping: {
        if (m_stopDeadline <= 0)
            return tr("Stopping…");
        const qint64 left = std::max<qint64>(
            0, (m_stopDeadline - QDateTime::currentMSecsSinceEpoch() + 999) / 1000);
        return tr("Stopping… sessions drain, %1 s left").arg(left);
    }
    case GatewayState::Failed: return tr("Failed");
    }
    return QString();
}

void MainWindow::setState(GatewayState state)
{
    m_state = state;
    if (state != GatewayState::Failed)
        m_failure.clear();
    if (state != GatewayState::Stopping)
        m_stopDeadline = 0;
    updateStatus();
    updateTitle();
    updateActions();
    // Starting and Applying last as long as a synchronous call: paint them now.
    if (state == GatewayState::Starting || state == GatewayState::Applying)
        m_listenersLabel->repaint();
}

void MainWindow::updateDifference()
{
    QStringList diff;
    if (isGatewayRunning() && !isGatewayDetached())
        diff = configChangeLines(configChanges(m_gateway->config(), m_controller->config()));
    if (diff != m_runningDiff) {
        m_runningDiff = diff;
        updateTitle();
    }
    m_differsLabel->setVisible(!diff.isEmpty());
    m_differsLabel->setToolTip(
        diff.isEmpty()
            ? QString()
            : tr("<p>The editor differs from the configuration the running gateway serves. "
                 "Apply (Ctrl+R) makes the gateway serve the editor's.</p><p>%1</p>")
                  .arg(diff.join(QLatin1Char('\n'))
                           .toHtmlEscaped()
                           .replace(QLatin1Char('\n'), QStringLiteral("<br>"))));
}

int MainWindow::ask(const QString &title, const QString &text, const QStringList &buttons)
{
    if (m_question)
        return m_question(title, text, buttons);
    if (m_nonInteractive)
        return 0;
    QMessageBox box(QMessageBox::Question, title, text, QMessageBox::NoButton, this);
    QList<QAbstractButton *> added;
    for (int i = 0; i < buttons.size(); ++i)
        added << box.addButton(buttons.at(i), i == buttons.size() - 1 && buttons.size() > 1
                                                      && buttons.at(i) == tr("Cancel")
                                                  ? QMessageBox::RejectRole
                                                  : QMessageBox::AcceptRole);
    box.setDefaultButton(qobject_cast<QPushButton *>(added.value(0)));
    box.exec();
    const int index = int(added.indexOf(box.clickedButton()));
    if (index < 0 || (buttons.value(index) == tr("Cancel")))
        return -1;
    return index;
}

bool MainWindow::releaseGateway(const QString &action)
{
    if (!isGatewayRunning() || isGatewayDetached())
        return true;
    const int answer = ask(
        action,
        tr("The gateway is running %1 (%2). Stop it, or keep it running detached from the "
           "editor? A detached gateway keeps serving until you stop it or apply another "
           "document to it.")
            .arg(m_controller->displayName(), gatewayStateText()),
        {tr("Stop the gateway"), tr("Keep it running detached"), tr("Cancel")});
    if (answer == 0) {
        m_gateway->stopNow();
        setState(GatewayState::Stopped);
        statusBar()->showMessage(
            tr("Stopped the gateway that ran %1.").arg(m_controller->displayName()), 6000);
        return true;
    }
    if (answer == 1) {
        m_detachedFrom = m_controller->displayName();
        setState(GatewayState::Running);
        return true;
    }
    return false;
}

void MainWindow::updateTitle()
{
    QString state;
    if (isGatewayRunning() || m_state == GatewayState::Failed)
        state = QStringLiteral(" — ") + gatewayStateText();
    if (!m_runningDiff.isEmpty())
        state += tr(" · differs from running");
    setWindowTitle(QStringLiteral("%1[*]%2 — %3")
                       .arg(m_controller->displayName(), state, tr("Application Gateway Console")));
    setWindowModified(m_controller->isModified());
    setWindowFilePath(m_controller->filePath());
}

void MainWindow::updateActions()
{
    // Start, Stop and Apply stay enabled: each answers in every state (F5 on a running gateway
    // says so and offers Apply; a second Stop while draining stops at once).
    const bool running = isGatewayRunning();
    const bool stopping = m_state == GatewayState::Stopping;
    m_stopAction->setText(stopping ? tr("S&top Now") : tr("S&top"));
    m_stopAction->setStatusTip(stopping ? tr("Close the draining sessions now")
                                        : tr("Stop the gateway (sessions close with reason "
                                             "shutdown)"));
    m_probeAction->setEnabled(running && m_gateway->health());
    m_health->setProbingAvailable(running && m_gateway->health());
    const ElementRef ref = m_editor->element();
    const bool element = ref.kind != ElementKind::Gateway && ref.kind != ElementKind::Count
                         && elementExists(m_controller->config(), ref);
    m_duplicateAction->setEnabled(element);
    m_deleteAction->setEnabled(element);
    m_renameAction->setEnabled(element || ref.kind == ElementKind::Gateway);
}

void MainWindow::updateStatus()
{
    if (m_state == GatewayState::Failed) {
        m_listenersLabel->setText(tr("✖ Failed: %1").arg(m_failure));
        m_listenersLabel->setStyleSheet(QStringLiteral("color:#b02a20"));
    } else if (isGatewayRunning() && m_state != GatewayState::Stopped) {
        QStringList parts;
        for (const Proxy::ListenerInfo &l : m_gateway->listeners())
            parts << QStringLiteral("%1 %2://%3:%4")
                         .arg(l.name, l.protocol.toLower(), l.address)
                         .arg(l.port);
        const bool noListener = parts.isEmpty();
        if (noListener)
            parts << tr("no listener: nothing accepts connections");
        if (!m_leftOut.isEmpty())
            parts << tr("%n left out", nullptr, int(m_leftOut.size()));
        const bool running = m_state == GatewayState::Running && !noListener;
        m_listenersLabel->setText(QStringLiteral("%1 %2 · %3")
                                      .arg(running ? QStringLiteral("●") : QStringLiteral("◌"),
                                           noListener && m_state == GatewayState::Running
                                               ? tr("Running with no listener")
                                               : gatewayStateText(),
                                           parts.join(QStringLiteral(" · "))));
        m_listenersLabel->setStyleSheet(running && !isGatewayDetached() && m_leftOut.isEmpty()
                                            ? QStringLiteral("color:#1f7a3a")
                                            : QStringLiteral("color:#a15c00"));
    } else {
        m_listenersLabel->setText(QStringLiteral("○ ") + gatewayStateText());
        m_listenersLabel->setStyleSheet(QString());
    }
    m_listenersLabel->setToolTip(m_listenersLabel->text());
    m_sessionsLabel->setText(tr("%n open session(s)", nullptr, m_sessionModel->openCount()));
    m_rateLabel->setText(tr("%1 req/s").arg(m_stats->lastRequestsPerSecond(), 0, 'f', 0));
    const int healthy = m_healthModel->healthyCount();
    const int unhealthy = m_healthModel->unhealthyCount();
    m_healthLabel->setText(tr("%1 healthy · %2 unhealthy").arg(healthy).arg(unhealthy));
    m_healthLabel->setStyleSheet(unhealthy > 0 ? QStringLiteral("color:#b02a20") : QString());
    const int errors = m_controller->errorCount();
    const int warnings = m_controller->warningCount();
    m_configLabel->setText(tr("%1 errors · %2 warnings").arg(errors).arg(warnings));
    m_configLabel->setStyleSheet(errors > 0     ? QStringLiteral("color:#b02a20")
                                 : warnings > 0 ? QStringLiteral("color:#a15c00")
                                                : QString());
}

// ---- files -----------------------------------------------------------------------------------

bool MainWindow::maybeSave()
{
    if (!m_controller->isModified())
        return true;
    if (m_nonInteractive) {
        m_controller->discardRecovery();
        return true;
    }
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved changes"),
        tr("%1 has unsaved changes. Save them?").arg(m_controller->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    if (answer == QMessageBox::Discard) {
        m_controller->discardRecovery();
        return true;
    }
    return false;
}

bool MainWindow::save()
{
    if (m_controller->filePath().isEmpty())
        return saveAs();
    QString error;
    if (!m_controller->save(&error)) {
        QMessageBox::critical(this, tr("Save"), tr("Could not save: %1").arg(error));
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(m_controller->filePath()), 4000);
    addRecentFile(m_controller->filePath());
    updateTitle();
    return true;
}

bool MainWindow::saveAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save As"), m_controller->filePath(),
                                                      tr(FileFilter));
    if (path.isEmpty())
        return false;
    QString error;
    if (!m_controller->saveAs(path, &error)) {
        QMessageBox::critical(this, tr("Save As"), tr("Could not save: %1").arg(error));
        return false;
    }
    addRecentFile(path);
    updateTitle();
    return true;
}

void MainWindow::open()
{
    if (!maybeSave() || !releaseGateway(tr("Open")))
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open"),
                                                      QFileInfo(m_controller->filePath()).path(),
                                                      tr(FileFilter));
    if (!path.isEmpty())
        openFile(path);
}

bool MainWindow::openFile(const QString &path, const QString &parametersPath)
{
    if (!releaseGateway(tr("Open")))
        return false;
    // The parameters file is remembered per template.
    QSettings settings;
    const QString key = ParametersDialog::settingsKey(path);
    QString parameters = parametersPath;
    if (parameters.isEmpty()) {
        parameters = settings.value(key).toString();
        if (!parameters.isEmpty() && !QFileInfo::exists(parameters))
            parameters.clear();
    }
    QString error;
    if (!m_controller->open(path, &error, parameters)) {
        if (m_nonInteractive)
            qWarning("%s", qPrintable(error));
        else
            QMessageBox::critical(this, tr("Open"), error);
        return false;
    }
    addRecentFile(path);
    if (!parametersPath.isEmpty())
        settings.setValue(key, QFileInfo(parametersPath).absoluteFilePath());
    updateTitle();
    if (!parameters.isEmpty() && m_controller->errorCount() == 0)
        statusBar()->showMessage(tr("Opened %1 with the parameters of %2.")
                                     .arg(m_controller->displayName(),
                                          QFileInfo(parameters).fileName()),
                                 8000);
    if (m_controller->errorCount() > 0) {
        statusBar()->showMessage(
            tr("Opened %1: %2").arg(m_controller->displayName(), m_problemsModel->summary()), 20000);
        if (QDockWidget *d = m_docks.value(QStringLiteral("problemsDock"))) {
            d->show();
            d->raise();
        }
    }
    return true;
}

ParametersDialog *MainWindow::editParameters()
{
    const Config::ConfigDocument &doc = m_controller->document();
    auto *dialog = new ParametersDialog(doc.toJson(), doc.parametersJson(), doc.parametersPath(),
                                        doc.filePath(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const QString path = dialog->parametersPath();
        if (!dialog->isChanged() && path == m_controller->document().parametersPath()) {
            statusBar()->showMessage(tr("Parameters unchanged."), 5000);
            return;
        }
        const bool hadUndo = m_controller->undoStack()->count() > 0;
        m_controller->setParameters(dialog->parametersJson(), path);
        QString message = tr("Template evaluated again with the new parameter values (%1): %2.")
                              .arg(path.isEmpty() ? tr("in memory; Save As… in the editor "
                                                       "writes them to a file")
                                                  : QFileInfo(path).fileName(),
                                   m_controller->errorCount() == 0 ? tr("no errors")
                                                                   : m_problemsModel->summary());
        if (hadUndo)
            message += tr(" Undo history cleared (its steps hold the old values).");
        if (isGatewayRunning() && differsFromRunning())
            message += tr(" The running gateway still serves the old values: Apply (Ctrl+R) to "
                          "use the new ones.");
        statusBar()->showMessage(message, 15000);
    });
    dialog->open();
    return dialog;
}

bool MainWindow::newDocument()
{
    if (!maybeSave() || !releaseGateway(tr("New")))
        return false;
    m_controller->newDocument();
    statusBar()->showMessage(
        isGatewayDetached()
            ? tr("New gateway template. The gateway of %1 keeps running detached.")
                  .arg(m_detachedFrom)
            : tr("New gateway template: add a listener, a backend pool, a backend setting and a "
                 "rule (Add), then Start (F5)."),
        10000);
    return true;
}

void MainWindow::addRecentFile(const QString &path)
{
    QSettings settings;
    QStringList files = settings.value(QStringLiteral("recentFiles")).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > MaxRecentFiles)
        files.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), files);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    int n = 1;
    for (const QString &f : files) {
        QAction *a = m_recentMenu->addAction(
            QStringLiteral("&%1 %2").arg(n++).arg(QFileInfo(f).fileName()));
        a->setToolTip(f);
        connect(a, &QAction::triggered, this, [this, f] {
            if (maybeSave())
                openFile(f);
        });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::offerRecovery()
{
    const QStringList files = ConfigController::pendingRecoveries(m_controller->recoveryDirectory());
    if (files.isEmpty())
        return;
    const QString file = files.first();
    const QString original = ConfigController::recoveryOriginalPath(file);
    const QString what = original.isEmpty() ? tr("an untitled configuration") : original;
    const auto answer = m_nonInteractive
                            ? QMessageBox::No
                            : QMessageBox::question(
                                this, tr("Recover unsaved edits"),
                                tr("The console closed with unsaved edits to %1. "
                                   "Recover them?")
                                    .arg(what),
                                QMessageBox::Yes | QMessageBox::No | QMessageBox::Discard,
                                QMessageBox::Yes);
    if (answer == QMessageBox::Yes) {
        QString error;
        if (!m_controller->recover(file, &error))
            QMessageBox::warning(this, tr("Recover"), error);
        else
            statusBar()->showMessage(tr("Recovered unsaved edits to %1.").arg(what), 8000);
    } else if (answer == QMessageBox::Discard) {
        for (const QString &f : files)
            QFile::remove(f);
    }
}

// ---- settings --------------------------------------------------------------------------------

void MainWindow::readSettings()
{
    QSettings settings;
    const QByteArray geometry = settings.value(QStringLiteral("mainWindow/geometry")).toByteArray();
    if (geometry.isEmpty()) {
        // 90 % of the screen, within 1200x720 .. 1800x1100.
        const QRect screen = this->screen() ? this->screen()->availableGeometry()
                                            : QRect(0, 0, 1600, 1000);
        resize(std::clamp(screen.width() * 9 / 10, std::min(1200, screen.width()), 1800),
               std::clamp(screen.height() * 9 / 10, std::min(720, screen.height()), 1100));
    } else {
        restoreGeometry(geometry);
    }
    m_layoutRestored = restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray(),
                                    1);
    m_sessions->restoreState(QStringLiteral("sessionsView"));
    for (QSplitter *splitter : findChildren<QSplitter *>()) {
        const QByteArray state =
            settings.value(QStringLiteral("splitters/") + splitter->objectName()).toByteArray();
        if (!splitter->objectName().isEmpty() && !state.isEmpty())
            splitter->restoreState(state);
    }
}

void MainWindow::writeSettings()
{
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState(1));
    m_sessions->saveState(QStringLiteral("sessionsView"));
    for (QSplitter *splitter : findChildren<QSplitter *>())
        if (!splitter->objectName().isEmpty())
            settings.setValue(QStringLiteral("splitters/") + splitter->objectName(),
                              splitter->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    if (isGatewayRunning()) {
        const int answer = ask(tr("Quit"),
                               tr("The gateway is running (%1, %n open session(s)). Quitting "
                                  "stops it and closes its sessions.",
                                  nullptr, m_sessionModel->openCount())
                                   .arg(gatewayStateText()),
                               {tr("Stop and quit"), tr("Cancel")});
        if (answer != 0) {
            event->ignore();
            statusBar()->showMessage(tr("Still running; not quitting."), 4000);
            return;
        }
    }
    writeSettings();
    if (m_gateway && m_gateway->isRunning())
        m_gateway->stopNow();
    event->accept();
}

} // namespace Gateway::Ui
