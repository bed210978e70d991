#include "sessionswidget.h"

#include "columnfit.h"
#include "icons.h"
#include "sessiondelegate.h"
#include "sessionsortmodel.h"
#include "sessiontablemodel.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Gateway::Ui {

SessionsWidget::SessionsWidget(SessionTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_sort(new SessionSortModel(this))
    , m_view(new QTreeView(this))
    , m_search(new QLineEdit(this))
    , m_state(new QComboBox(this))
    , m_listener(new QComboBox(this))
    , m_pause(new QToolButton(this))
    , m_counts(new QLabel(this))
    , m_repaint(new QTimer(this))
{
    m_sort->setSessionModel(model);

    m_search->setPlaceholderText(tr("Filter sessions: id, client, listener, rule, server, path…"));
    m_search->setClearButtonEnabled(true);
    m_search->setObjectName(QStringLiteral("sessionFilter"));
    m_state->addItem(tr("All sessions"), int(SessionSortModel::StateFilter::All));
    m_state->addItem(tr("Open"), int(SessionSortModel::StateFilter::Open));
    m_state->addItem(tr("WebSocket"), int(SessionSortModel::StateFilter::WebSocket));
    m_state->addItem(tr("HTTP"), int(SessionSortModel::StateFilter::Http));
    m_state->addItem(tr("Closed"), int(SessionSortModel::StateFilter::Closed));
    m_state->addItem(tr("Closed by timeout"), int(SessionSortModel::StateFilter::ClosedByTimeout));
    m_state->addItem(tr("Timeout warnings"), int(SessionSortModel::StateFilter::Warnings));
    m_state->setToolTip(tr("Show sessions in this state"));
    m_listener->addItem(tr("All listeners"), QString());
    m_listener->setToolTip(tr("Show sessions of this listener"));
    m_listener->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_pause->setCheckable(true);
    m_pause->setIcon(Icons::icon(Icons::Name::Pause));
    m_pause->setText(tr("Pause"));
    m_pause->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_pause->setToolTip(tr("Hold live updates so the table stands still (nothing is lost)"));
    m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_pause->setAutoRaise(true);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_state);
    bar->addWidget(m_listener);
    bar->addWidget(m_pause);
    bar->addWidget(m_counts);

    m_view->setModel(m_sort);
    m_view->setItemDelegate(new SessionDelegate(m_view));
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SessionTableModel::IdColumn, Qt::DescendingOrder);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setObjectName(QStringLiteral("sessionsView"));
    auto *header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    const int widths[SessionTableModel::ColumnCount] = {7, 13, 9, 9, 16, 14, 6, 7, 7, 6, 6, 8, 10};
    for (int c = 0; c < SessionTableModel::ColumnCount; ++c)
        header->resizeSection(c, widths[c] * em);
    ColumnFitter::install(m_view);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_search, &QLineEdit::textChanged, m_sort, &SessionSortModel::setText);
    connect(m_state, &QComboBox::currentIndexChanged, this, [this] {
        m_sort->setStateFilter(SessionSortModel::StateFilter(m_state->currentData().toInt()));
        updateCounts();
    });
    connect(m_listener, &QComboBox::currentIndexChanged, this, [this] {
        m_sort->setListener(m_listener->currentData().toString());
        updateCounts();
    });
    connect(m_pause, &QToolButton::toggled, this, [this](bool on) {
        m_model->setPaused(on);
        updateCounts();
    });
    connect(m_model, &SessionTableModel::countsChanged, this, &SessionsWidget::updateCounts);
    connect(m_sort, &QAbstractItemModel::rowsInserted, this, &SessionsWidget::updateCounts);
    connect(m_sort, &QAbstractItemModel::rowsRemoved, this, &SessionsWidget::updateCounts);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &SessionsWidget::onCurrentChanged);
    connect(m_view, &QTreeView::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex idx = m_view->indexAt(pos);
        if (!idx.isValid())
            return;
        const auto id = idx.data(SessionTableModel::SessionIdRole).toULongLong();
        QMenu menu(this);
        QAction *close = menu.addAction(Icons::icon(Icons::Name::Remove), tr("Close session"));
        close->setEnabled(
            !idx.siblingAtColumn(0).data(SessionTableModel::ClosedByTimeoutRole).toBool());
        QAction *chosen = menu.exec(m_view->viewport()->mapToGlobal(pos));
        if (chosen == close)
            emit closeSessionRequested(id);
    });

    // Age and countdown move with time: repaint what is visible, once a second. No per-row work.
    m_repaint->setInterval(1000);
    m_repaint->setTimerType(Qt::CoarseTimer);
    connect(m_repaint, &QTimer::timeout, m_view->viewport(), qOverload<>(&QWidget::update));
    m_repaint->start();
    updateCounts();
}

void SessionsWidget::setListeners(const QStringList &listeners)
{
    const QString current = m_listener->currentData().toString();
    QSignalBlocker blocker(m_listener);
    m_listener->clear();
    m_listener->addItem(tr("All listeners"), QString());
    for (const QString &l : listeners)
        m_listener->addItem(Icons::icon(Icons::Name::Listener), l, l);
    const int idx = m_listener->findData(current);
    m_listener->setCurrentIndex(idx < 0 ? 0 : idx);
    m_sort->setListener(m_listener->currentData().toString());
}

void SessionsWidget::setPaused(bool paused)
{
    m_pause->setChecked(paused);
}

bool SessionsWidget::isPaused() const
{
    return m_pause->isChecked();
}

void SessionsWidget::selectSession(Session::SessionId id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return;
    const QModelIndex idx = m_sort->mapFromSource(m_model->index(row, 0));
    if (!idx.isValid())
        return;
    m_view->setCurrentIndex(idx);
    m_view->scrollTo(idx);
}

Session::SessionId SessionsWidget::currentSession() const
{
    return m_current;
}

void SessionsWidget::onCurrentChanged()
{
    const QModelIndex idx = m_view->currentIndex();
    const Session::SessionId id = idx.isValid()
                                      ? idx.data(SessionTableModel::SessionIdRole).toULongLong()
                                      : 0;
    if (id == m_current)
        return;
    m_current = id;
    emit currentSessionChanged(id);
}

void SessionsWidget::updateCounts()
{
    const int shown = m_sort->rowCount();
    const int total = m_model->rowCount();
    QString text = tr("%1 open · %2 shown of %3").arg(m_model->openCount()).arg(shown).arg(total);
    if (m_model->isPaused())
        text += tr(" · paused");
    m_counts->setText(text);
}

void SessionsWidget::saveState(const QString &key) const
{
    QSettings settings;
    settings.setValue(key + QStringLiteral("/header"), m_view->header()->saveState());
}

void SessionsWidget::restoreState(const QString &key)
{
    QSettings settings;
    const QByteArray state = settings.value(key + QStringLiteral("/header")).toByteArray();
    if (!state.isEmpty())
        m_view->header()->restoreState(state);
}

} // namespace Gateway::Ui
