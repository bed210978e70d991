#include "sessiondelegate.h"

#include "sessiontablemodel.h"

#include <QApplication>
#include <QPainter>

namespace Gateway::Ui {

SessionDelegate::SessionDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

QColor SessionDelegate::barColor(double fraction)
{
    if (fraction < 0.2)
        return QColor(0xd0, 0x3b, 0x2f);
    if (fraction < 0.5)
        return QColor(0xe0, 0x8e, 0x0b);
    return QColor(0x2e, 0x9e, 0x4f);
}

void SessionDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    const bool timedOut = index.data(SessionTableModel::ClosedByTimeoutRole).toBool();
    if (timedOut && !(option.state & QStyle::State_Selected))
        painter->fillRect(option.rect, QColor(0xd0, 0x3b, 0x2f, 28));

    if (index.column() != SessionTableModel::TimeoutLeftColumn) {
        QStyleOptionViewItem opt = option;
        if (timedOut && index.column() == SessionTableModel::StateColumn)
            opt.palette.setColor(QPalette::Text, QColor(0xb0, 0x2a, 0x20));
        QStyledItemDelegate::paint(painter, opt, index);
        return;
    }

    // Background and selection from the style, then the bar and the text.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const double fraction = index.data(SessionTableModel::TimeoutFractionRole).toDouble();
    const QRect r = option.rect.adjusted(3, 3, -3, -3);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    if (fraction >= 0) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(option.palette.color(QPalette::Mid).lighter(160));
        painter->drawRoundedRect(r, 2, 2);
        QRectF bar = r;
        bar.setWidth(r.width() * fraction);
        painter->setBrush(barColor(fraction));
        painter->drawRoundedRect(bar, 2, 2);
        painter->setPen(fraction < 0.5 ? Qt::white : QColor(0x10, 0x30, 0x18));
        if (fraction < 0.5 && bar.width() < r.width() / 2.0)
            painter->setPen(option.palette.color(QPalette::Text));
    } else {
        painter->setPen(timedOut ? QColor(0xb0, 0x2a, 0x20) : option.palette.color(QPalette::Text));
    }
    painter->drawText(r, Qt::AlignCenter, text);
    painter->restore();
}

} // namespace Gateway::Ui
