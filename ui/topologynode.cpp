#include "topologynode.h"

#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionGraphicsItem>

namespace Gateway::Ui {

TopologyNode::TopologyNode(const ElementRef &ref, const QIcon &icon, const QColor &accent,
                           QGraphicsItem *parent)
    : QGraphicsObject(parent), m_ref(ref), m_icon(icon), m_accent(accent)
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setCursor(Qt::PointingHandCursor);
}

void TopologyNode::setTitle(const QString &title)
{
    m_title = title;
    update();
}

void TopologyNode::setSubtitle(const QString &subtitle)
{
    m_subtitle = subtitle;
    setToolTip(m_title + QLatin1Char('\n') + subtitle);
    update();
}

void TopologyNode::setCount(int count)
{
    if (m_count == count)
        return;
    m_count = count;
    update();
}

void TopologyNode::setHealth(Health::HealthState state, bool show)
{
    if (m_health == state && m_showHealth == show)
        return;
    m_health = state;
    m_showHealth = show;
    update();
}

void TopologyNode::setProblem(int severity)
{
    if (m_problem == severity)
        return;
    m_problem = severity;
    update();
}

QRectF TopologyNode::boundingRect() const
{
    return QRectF(-4, -10, Width + 14, Height + 14);
}

void TopologyNode::paint(QPainter *p, const QStyleOptionGraphicsItem *option, QWidget *)
{
    p->setRenderHint(QPainter::Antialiasing);
    const QRectF r(0, 0, Width, Height);
    const bool selected = option->state & QStyle::State_Selected;
    const bool hover = option->state & QStyle::State_MouseOver;

    // shadow
    p->setPen(Qt::NoPen);
    p->setBrush(QColor(0, 0, 0, 22));
    p->drawRoundedRect(r.translated(1.5, 2), 6, 6);

    QColor border = QColor(0xc5, 0xcc, 0xd6);
    qreal borderWidth = 1;
    if (m_problem == 2) {
        border = QColor(0xd0, 0x3b, 0x2f);
        borderWidth = 2;
    } else if (m_problem == 1) {
        border = QColor(0xe0, 0x8e, 0x0b);
        borderWidth = 2;
    }
    if (selected) {
        border = QColor(0x2b, 0x6c, 0xb0);
        borderWidth = 2.5;
    }
    p->setPen(QPen(border, borderWidth));
    p->setBrush(hover ? QColor(0xf4, 0xf8, 0xfd) : Qt::white);
    p->drawRoundedRect(r, 6, 6);

    // accent stripe
    QPainterPath stripe;
    stripe.addRoundedRect(QRectF(0, 0, 10, Height), 6, 6);
    QPainterPath clip;
    clip.addRect(QRectF(0, 0, 5, Height));
    p->setPen(Qt::NoPen);
    p->setBrush(m_accent);
    p->drawPath(stripe.intersected(clip));

    // health
    qreal textLeft = 32;
    if (m_showHealth) {
        QColor c = m_health == Health::HealthState::Healthy     ? QColor(0x2e, 0x9e, 0x4f)
                   : m_health == Health::HealthState::Unhealthy ? QColor(0xd0, 0x3b, 0x2f)
                                                                : QColor(0x9a, 0xa0, 0xa8);
        p->setBrush(c);
        p->setPen(QPen(c.darker(130), 1));
        p->drawEllipse(QPointF(19, Height / 2), 7, 7);
    } else {
        m_icon.paint(p, QRect(11, int(Height / 2) - 9, 18, 18));
    }

    // text
    QFont f = option->fontMetrics.height() > 0 ? QFont() : QFont();
    QFont bold = f;
    bold.setBold(true);
    p->setFont(bold);
    p->setPen(QColor(0x1f, 0x29, 0x37));
    const QFontMetricsF fm(bold);
    const qreal textWidth = Width - textLeft - (m_count > 0 ? 30 : 8);
    p->drawText(QRectF(textLeft, 7, textWidth, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                fm.elidedText(m_title, Qt::ElideRight, textWidth));
    QFont small = f;
    small.setPointSizeF(f.pointSizeF() * 0.85);
    p->setFont(small);
    p->setPen(QColor(0x5b, 0x64, 0x70));
    const QFontMetricsF sfm(small);
    p->drawText(QRectF(textLeft, Height - 7 - sfm.height(), Width - textLeft - 8, sfm.height()),
                Qt::AlignLeft | Qt::AlignVCenter,
                sfm.elidedText(m_subtitle, Qt::ElideRight, Width - textLeft - 8));

    // session count badge
    if (m_count > 0) {
        const QString text = m_count > 9999 ? QStringLiteral("9999+") : QString::number(m_count);
        QFont bf = f;
        bf.setBold(true);
        bf.setPointSizeF(f.pointSizeF() * 0.8);
        const QFontMetricsF bfm(bf);
        const qreal w = std::max<qreal>(20, bfm.horizontalAdvance(text) + 10);
        const QRectF badge(Width - w + 6, -8, w, 18);
        p->setPen(Qt::NoPen);
        p->setBrush(QColor(0x2b, 0x6c, 0xb0));
        p->drawRoundedRect(badge, 9, 9);
        p->setFont(bf);
        p->setPen(Qt::white);
        p->drawText(badge, Qt::AlignCenter, text);
    }
}

} // namespace Gateway::Ui
