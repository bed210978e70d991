#include "healthwidget.h"

#include "columnfit.h"
#include "healthdelegate.h"
#include "healthtreemodel.h"
#include "icons.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Gateway::Ui {

HealthWidget::HealthWidget(HealthTreeModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_view(new QTreeView(this))
    , m_probe(new QToolButton(this))
    , m_summary(new QLabel(this))
{
    m_probe->setIcon(Icons::icon(Icons::Name::ProbeNow));
    m_probe->setText(tr("Probe now"));
    m_probe->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_probe->setAutoRaise(true);
    m_probe->setToolTip(tr("Probe the selected pool, setting or server now (all when nothing is "
                           "selected); results arrive as usual"));
    m_probe->setObjectName(QStringLiteral("probeNow"));

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(m_probe);
    bar->addStretch(1);
    bar->addWidget(m_summary);

    m_view->setModel(m_model);
    m_view->setItemDelegate(new HealthDelegate(m_view));
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setAlternatingRowColors(true);
    m_view->setObjectName(QStringLiteral("healthView"));
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    m_view->header()->resizeSection(HealthTreeModel::NameColumn, 18 * em);
    m_view->header()->resizeSection(HealthTreeModel::StateColumn, 7 * em);
    m_view->header()->resizeSection(HealthTreeModel::LastProbeColumn, 7 * em);
    m_view->header()->resizeSection(HealthTreeModel::LatencyColumn, 4 * em);
    m_view->header()->resizeSection(HealthTreeModel::StatusColumn, 4 * em);
    m_view->header()->resizeSection(HealthTreeModel::HistoryColumn, 9 * em);
    ColumnFitter::install(m_view);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_probe, &QToolButton::clicked, this, [this] {
        const QModelIndex idx = m_view->currentIndex();
        if (!idx.isValid()) {
            emit probeNowRequested({}, {}, {});
            return;
        }
        emit probeNowRequested(idx.data(HealthTreeModel::PoolRole).toString(),
                               idx.data(HealthTreeModel::SettingRole).toString(),
                               idx.data(HealthTreeModel::ServerRole).toString());
    });
    connect(m_view, &QTreeView::doubleClicked, this, [this](const QModelIndex &idx) {
        emit openPoolRequested(idx.data(HealthTreeModel::PoolRole).toString());
    });
    connect(m_model, &HealthTreeModel::healthChanged, this, &HealthWidget::updateSummary);
    connect(m_model, &QAbstractItemModel::rowsInserted, m_view, [this](const QModelIndex &parent) {
        if (!parent.isValid() || parent.parent().isValid() == false)
            m_view->expandAll();
    });
    connect(m_model, &QAbstractItemModel::modelReset, m_view, &QTreeView::expandAll);
    updateSummary();
}

void HealthWidget::setProbingAvailable(bool available)
{
    m_probe->setEnabled(available);
}

void HealthWidget::updateSummary()
{
    m_summary->setText(tr("%1 healthy · %2 unhealthy · %3 servers")
                           .arg(m_model->healthyCount())
                           .arg(m_model->unhealthyCount())
                           .arg(m_model->serverCount()));
}

} // namespace Gateway::Ui
