#include "healthdelegate.h"

#include "healthtreemodel.h"

#include <QApplication>
#include <QPainter>

namespace Gateway::Ui {

HealthDelegate::HealthDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

QSize HealthDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() == HealthTreeModel::HistoryColumn)
        s.setWidth(std::max(s.width(), 20 * 6));
    return s;
}

void HealthDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                           const QModelIndex &index) const
{
    if (index.column() != HealthTreeModel::HistoryColumn) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QVariantList history = index.data(HealthTreeModel::HistoryRole).toList();
    if (history.isEmpty())
        return;
    const QRect r = option.rect.adjusted(3, 3, -3, -3);
    const int tick = 4;
    const int gap = 2;
    const int fit = std::max(1, r.width() / (tick + gap));
    const int first = std::max(0, int(history.size()) - fit);
    painter->save();
    int x = r.right() - (int(history.size()) - first) * (tick + gap) + gap;
    for (int i = first; i < history.size(); ++i) {
        const bool ok = history.at(i).toBool();
        painter->fillRect(QRect(x, r.top(), tick, r.height()),
                          ok ? QColor(0x2e, 0x9e, 0x4f) : QColor(0xd0, 0x3b, 0x2f));
        x += tick + gap;
    }
    painter->restore();
}

} // namespace Gateway::Ui
