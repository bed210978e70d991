#include "eventlogwidget.h"

#include "columnfit.h"
#include "eventlogmodel.h"
#include "eventsortmodel.h"
#include "icons.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QScrollBar>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Gateway::Ui {

EventLogWidget::EventLogWidget(EventLogModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_sort(new EventSortModel(this))
    , m_view(new QTreeView(this))
    , m_type(new QComboBox(this))
    , m_search(new QLineEdit(this))
    , m_follow(new QToolButton(this))
{
    m_sort->setEventModel(model);
    m_type->addItem(tr("All events"), QString());
    m_type->addItem(tr("Access log"), QStringLiteral("access"));
    m_type->addItem(tr("Sessions"), QStringLiteral("session."));
    m_type->addItem(tr("Probes and health"), QStringLiteral("probe|backend.health"));
    m_type->addItem(tr("Warnings"), QStringLiteral("config.warning|session.warning"));
    m_type->addItem(tr("Gateway"), QStringLiteral("gateway."));
    m_search->setPlaceholderText(tr("Filter events…"));
    m_search->setClearButtonEnabled(true);
    m_follow->setText(tr("Follow"));
    m_follow->setCheckable(true);
    m_follow->setChecked(true);
    m_follow->setAutoRaise(true);
    m_follow->setToolTip(tr("Keep the newest event in view"));

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(m_type);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_follow);

    m_view->setModel(m_sort);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setAlternatingRowColors(true);
    m_view->setObjectName(QStringLiteral("eventLogView"));
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    m_view->header()->resizeSection(EventLogModel::TimeColumn, 7 * em);
    m_view->header()->resizeSection(EventLogModel::TypeColumn, 10 * em);
    ColumnFitter::install(m_view);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_type, &QComboBox::currentIndexChanged, this,
            [this] { m_sort->setTypePrefix(m_type->currentData().toString()); });
    connect(m_search, &QLineEdit::textChanged, m_sort, &EventSortModel::setText);
    // Scroll to the end at most once per event-loop turn, not per row.
    connect(m_sort, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_follow->isChecked())
            QTimer::singleShot(0, m_view, &QTreeView::scrollToBottom);
    });
}

void EventLogWidget::setTypeFilter(const QString &prefix)
{
    const int idx = m_type->findData(prefix);
    if (idx >= 0)
        m_type->setCurrentIndex(idx);
}

} // namespace Gateway::Ui
