#include "columnfit.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QHelpEvent>
#include <QToolTip>
#include <QTreeView>

namespace Gateway::Ui {

ColumnFitter *ColumnFitter::install(QTreeView *view)
{
    return new ColumnFitter(view);
}

ColumnFitter::ColumnFitter(QTreeView *view) : QObject(view), m_view(view)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(300);
    connect(&m_timer, &QTimer::timeout, this, &ColumnFitter::fitNow);
    QAbstractItemModel *model = view->model();
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(model, signal, this, &ColumnFitter::schedule);
    connect(model, &QAbstractItemModel::modelReset, this, &ColumnFitter::schedule);
    connect(model, &QAbstractItemModel::layoutChanged, this, &ColumnFitter::schedule);
    connect(model, &QAbstractItemModel::dataChanged, this, &ColumnFitter::schedule);
    connect(view->header(), &QHeaderView::sectionResized, this, [this](int column) {
        if (!m_fitting && m_view->header()->isVisible() && m_view->isVisible()
            && m_view->header()->underMouse())
            m_userSized.insert(column); // dragged by hand: the user's width stays
    });
    view->viewport()->installEventFilter(this);
}

void ColumnFitter::schedule()
{
    if (!m_timer.isActive())
        m_timer.start();
}

void ColumnFitter::fitNow()
{
    QHeaderView *header = m_view->header();
    const int count = header->count();
    m_fitting = true;
    for (int c = 0; c < count; ++c) {
        if (header->isSectionHidden(c) || m_userSized.contains(c))
            continue;
        if (header->stretchLastSection() && header->visualIndex(c) == count - 1)
            continue;
        const int needed = std::max(static_cast<QAbstractItemView *>(m_view)->sizeHintForColumn(c),
                                    header->sectionSizeHint(c));
        if (needed > header->sectionSize(c))
            header->resizeSection(c, needed);
    }
    m_fitting = false;
}

bool ColumnFitter::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::ToolTip && watched == m_view->viewport()) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QModelIndex index = m_view->indexAt(help->pos());
        if (index.isValid() && !index.data(Qt::ToolTipRole).isValid()) {
            const QString text = index.data(Qt::DisplayRole).toString();
            const int shown = m_view->visualRect(index).width();
            if (!text.isEmpty() && m_view->sizeHintForIndex(index).width() > shown) {
                QToolTip::showText(help->globalPos(), text, m_view->viewport());
                return true;
            }
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace Gateway::Ui
