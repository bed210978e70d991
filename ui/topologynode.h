#pragma once

// One box of the topology canvas.

#include "elementref.h"
#include "health/healthtypes.h"

#include <QGraphicsObject>
#include <QIcon>

namespace Gateway::Ui {

class TopologyNode final : public QGraphicsObject
{
    Q_OBJECT
public:
    static constexpr qreal Width = 168;
    static constexpr qreal Height = 48;

    TopologyNode(const ElementRef &ref, const QIcon &icon, const QColor &accent,
                 QGraphicsItem *parent = nullptr);

    ElementRef ref() const { return m_ref; }
    void setTitle(const QString &title);
    void setSubtitle(const QString &subtitle);
    void setCount(int count);
    int count() const { return m_count; }
    void setHealth(Health::HealthState state, bool show);
    Health::HealthState health() const { return m_health; }
    void setProblem(int severity); // 0 none, 1 warning, 2 error
    QString title() const { return m_title; }
    QString subtitle() const { return m_subtitle; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    // Horizontal layout: edges enter on the left and leave on the right; vertical: top/bottom.
    void setVertical(bool vertical) { m_vertical = vertical; }
    QPointF inPort() const
    {
        return pos() + (m_vertical ? QPointF(Width / 2, 0) : QPointF(0, Height / 2));
    }
    QPointF outPort() const
    {
        return pos() + (m_vertical ? QPointF(Width / 2, Height) : QPointF(Width, Height / 2));
    }

private:
    ElementRef m_ref;
    QIcon m_icon;
    QColor m_accent;
    QString m_title;
    QString m_subtitle;
    int m_count = 0;
    Health::HealthState m_health = Health::HealthState::Unknown;
    bool m_showHealth = false;
    int m_problem = 0;
    bool m_vertical = false;
};

} // namespace Gateway::Ui
