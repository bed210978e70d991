#pragma once

// Paints the timeout countdown bar of the live sessions table: green, amber under 50 %, red
// under 20 %; rows the gateway closed by timeout are marked.

#include <QStyledItemDelegate>

namespace Gateway::Ui {

class SessionDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionDelegate)
public:
    explicit SessionDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;

    static QColor barColor(double fraction);
};

} // namespace Gateway::Ui
