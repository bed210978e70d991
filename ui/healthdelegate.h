#pragma once

// Paints the probe history of a server as a strip of coloured ticks (green success, red failure),
// most recent on the right.

#include <QStyledItemDelegate>

namespace Gateway::Ui {

class HealthDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthDelegate)
public:
    explicit HealthDelegate(QObject *parent = nullptr);
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace Gateway::Ui
