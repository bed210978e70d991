#include "icons.h"

#include <QGuiApplication>
#include <QHash>
#include <QIconEngine>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QPixmapCache>

namespace Gateway::Ui::Icons {
namespace {

const QColor Blue(0x2b, 0x6c, 0xb0);
const QColor Green(0x2e, 0x9e, 0x4f);
const QColor Red(0xd0, 0x3b, 0x2f);
const QColor Amber(0xe0, 0x8e, 0x0b);
const QColor Grey(0x8a, 0x8f, 0x98);
const QColor Dark(0x3c, 0x42, 0x4c);
const QColor Purple(0x7b, 0x4d, 0xb8);
const QColor Teal(0x16, 0x8f, 0x8f);

// All drawing happens in a 24x24 logical box.
void draw(QPainter &p, Name name)
{
    auto pen = [&](const QColor &c, qreal w = 2.0) {
        QPen pn(c, w);
        pn.setCapStyle(Qt::RoundCap);
        pn.setJoinStyle(Qt::RoundJoin);
        p.setPen(pn);
    };
    auto disc = [&](const QColor &c, const QPointF &centre, qreal r) {
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawEllipse(centre, r, r);
        p.setBrush(Qt::NoBrush);
    };
    auto doc = [&](const QColor &c) {
        pen(c, 1.6);
        QPainterPath path;
        path.moveTo(6, 3);
        path.lineTo(14, 3);
        path.lineTo(19, 8);
        path.lineTo(19, 21);
        path.lineTo(6, 21);
        path.closeSubpath();
        p.setBrush(QColor(0xf4, 0xf6, 0xfa));
        p.drawPath(path);
        p.setBrush(Qt::NoBrush);
        p.drawLine(QPointF(14, 3), QPointF(14, 8));
        p.drawLine(QPointF(14, 8), QPointF(19, 8));
    };
    auto box = [&](const QColor &c, const QRectF &r, qreal radius = 3) {
        pen(c.darker(130), 1.4);
        p.setBrush(c);
        p.drawRoundedRect(r, radius, radius);
        p.setBrush(Qt::NoBrush);
    };
    auto arrow = [&](const QColor &c, QPointF from, QPointF to) {
        pen(c, 2.2);
        p.drawLine(from, to);
        const QLineF l(to, from);
        QLineF a = l;
        a.setLength(5);
        a.setAngle(l.angle() + 35);
        p.drawLine(a);
        a.setAngle(l.angle() - 35);
        p.drawLine(a);
    };
    switch (name) {
    case Name::App:
    case Name::Gateway:
        box(Blue, QRectF(2, 5, 20, 14), 4);
        arrow(Qt::white, QPointF(5, 12), QPointF(19, 12));
        disc(Qt::white, QPointF(12, 12), 2.2);
        break;
    case Name::New:
        doc(Dark);
        pen(Green, 2);
        p.drawLine(QPointF(12.5, 11), QPointF(12.5, 18));
        p.drawLine(QPointF(9, 14.5), QPointF(16, 14.5));
        break;
    case Name::Open:
        box(QColor(0xf2, 0xc0, 0x4c), QRectF(2, 7, 20, 13), 2);
        pen(QColor(0xb0, 0x84, 0x1c), 1.4);
        p.drawLine(QPointF(3, 7), QPointF(8, 4));
        p.drawLine(QPointF(8, 4), QPointF(11, 7));
        break;
    case Name::Save:
    case Name::SaveAs:
        box(Blue, QRectF(3, 3, 18, 18), 2);
        p.fillRect(QRectF(7, 4, 10, 6), Qt::white);
        p.fillRect(QRectF(7, 14, 10, 6), QColor(0xdd, 0xe6, 0xf2));
        if (name == Name::SaveAs) {
            pen(Amber, 2.4);
            p.drawLine(QPointF(14, 20), QPointF(22, 12));
        }
        break;
    case Name::Undo:
    case Name::Redo: {
        p.save();
        if (name == Name::Redo) {
            p.translate(24, 0);
            p.scale(-1, 1);
        }
        pen(Dark, 2.2);
        QPainterPath path;
        path.moveTo(6, 10);
        path.lineTo(15, 10);
        path.cubicTo(22, 10, 22, 20, 15, 20);
        path.lineTo(9, 20);
        p.drawPath(path);
        p.drawLine(QPointF(6, 10), QPointF(10, 6));
        p.drawLine(QPointF(6, 10), QPointF(10, 14));
        p.restore();
        break;
    }
    case Name::Start: {
        QPainterPath path;
        path.moveTo(6, 4);
        path.lineTo(20, 12);
        path.lineTo(6, 20);
        path.closeSubpath();
        p.setPen(QPen(Green.darker(120), 1.4));
        p.setBrush(Green);
        p.drawPath(path);
        break;
    }
    case Name::Stop: box(Red, QRectF(5, 5, 14, 14), 2); break;
    case Name::Apply:
        pen(Blue, 2.4);
        p.drawArc(QRectF(4, 4, 16, 16), 60 * 16, 280 * 16);
        arrow(Blue, QPointF(15, 6), QPointF(19.5, 5));
        disc(Green, QPointF(12, 12), 2.5);
        break;
    case Name::Add:
        disc(Green, QPointF(12, 12), 9);
        pen(Qt::white, 2.4);
        p.drawLine(QPointF(12, 7), QPointF(12, 17));
        p.drawLine(QPointF(7, 12), QPointF(17, 12));
        break;
    case Name::Remove:
        disc(Red, QPointF(12, 12), 9);
        pen(Qt::white, 2.4);
        p.drawLine(QPointF(8.5, 8.5), QPointF(15.5, 15.5));
        p.drawLine(QPointF(15.5, 8.5), QPointF(8.5, 15.5));
        break;
    case Name::Rename:
        pen(Dark, 1.6);
        p.drawRect(QRectF(2.5, 7.5, 15, 9));
        pen(Amber, 2.6);
        p.drawLine(QPointF(13, 18), QPointF(21, 6));
        pen(Dark, 1.6);
        p.drawLine(QPointF(6, 12), QPointF(10, 12));
        break;
    case Name::Duplicate:
        box(QColor(0xdd, 0xe6, 0xf2), QRectF(3, 3, 12, 12), 2);
        box(QColor(0xb9, 0xd0, 0xee), QRectF(9, 9, 12, 12), 2);
        break;
    case Name::ProbeNow:
    case Name::Probe:
        pen(Teal, 2);
        p.drawEllipse(QRectF(3, 3, 13, 13));
        p.drawLine(QPointF(14, 14), QPointF(21, 21));
        pen(Teal, 1.6);
        p.drawPolyline(QPolygonF({QPointF(5.5, 10), QPointF(8, 10), QPointF(9.5, 6.5),
                                  QPointF(11, 12.5), QPointF(12.5, 9.5), QPointF(14, 9.5)}));
        break;
    case Name::Pause:
        p.fillRect(QRectF(6, 5, 4, 14), Dark);
        p.fillRect(QRectF(14, 5, 4, 14), Dark);
        break;
    case Name::Listener:
        disc(Blue, QPointF(12, 12), 9);
        pen(Qt::white, 1.8);
        p.drawArc(QRectF(7, 7, 10, 10), 0, 360 * 16);
        disc(Qt::white, QPointF(12, 12), 2);
        break;
    case Name::Frontend:
    case Name::Port:
        box(QColor(0x5c, 0x8f, 0xd6), QRectF(3, 6, 18, 12), 3);
        disc(Qt::white, QPointF(8, 12), 1.6);
        disc(Qt::white, QPointF(12, 12), 1.6);
        disc(Qt::white, QPointF(16, 12), 1.6);
        break;
    case Name::Rule:
        box(Purple, QRectF(3, 3, 18, 18), 4);
        arrow(Qt::white, QPointF(7, 12), QPointF(17, 12));
        break;
    case Name::PathMap:
        box(Purple.lighter(125), QRectF(3, 3, 18, 18), 4);
        pen(Qt::white, 1.8);
        p.drawLine(QPointF(7, 12), QPointF(11, 12));
        p.drawLine(QPointF(11, 12), QPointF(17, 7));
        p.drawLine(QPointF(11, 12), QPointF(17, 12));
        p.drawLine(QPointF(11, 12), QPointF(17, 17));
        break;
    case Name::Pool:
        box(Teal, QRectF(3, 3, 18, 5), 1.5);
        box(Teal, QRectF(3, 9.5, 18, 5), 1.5);
        box(Teal, QRectF(3, 16, 18, 5), 1.5);
        break;
    case Name::Setting: {
        p.setPen(Qt::NoPen);
        p.setBrush(Dark);
        QPainterPath gear;
        for (int i = 0; i < 8; ++i) {
            p.save();
            p.translate(12, 12);
            p.rotate(i * 45);
            p.drawRoundedRect(QRectF(-2, -10, 4, 5), 1, 1);
            p.restore();
        }
        p.drawEllipse(QPointF(12, 12), 7, 7);
        p.setBrush(Qt::white);
        p.drawEllipse(QPointF(12, 12), 3, 3);
        p.setBrush(Qt::NoBrush);
        break;
    }
    case Name::Server:
        box(QColor(0x55, 0x5d, 0x69), QRectF(4, 3, 16, 8), 2);
        box(QColor(0x55, 0x5d, 0x69), QRectF(4, 13, 16, 8), 2);
        disc(Green, QPointF(16.5, 7), 1.5);
        disc(Green, QPointF(16.5, 17), 1.5);
        break;
    case Name::Redirect:
        arrow(Amber, QPointF(4, 18), QPointF(4, 10));
        pen(Amber, 2.2);
        p.drawArc(QRectF(4, 4, 14, 12), 0, 180 * 16);
        arrow(Amber, QPointF(18, 10), QPointF(18, 19));
        break;
    case Name::Rewrite:
        pen(Purple, 2);
        p.drawLine(QPointF(4, 7), QPointF(20, 7));
        p.drawLine(QPointF(4, 12), QPointF(14, 12));
        p.drawLine(QPointF(4, 17), QPointF(17, 17));
        pen(Amber, 2.4);
        p.drawLine(QPointF(15, 21), QPointF(21, 12));
        break;
    case Name::Certificate:
        box(QColor(0xf6, 0xf1, 0xde), QRectF(3, 4, 18, 13), 2);
        disc(Amber, QPointF(16, 16), 4);
        pen(Dark, 1.4);
        p.drawLine(QPointF(6, 8), QPointF(16, 8));
        p.drawLine(QPointF(6, 11), QPointF(12, 11));
        break;
    case Name::Warning: {
        QPainterPath tri;
        tri.moveTo(12, 2.5);
        tri.lineTo(22, 20.5);
        tri.lineTo(2, 20.5);
        tri.closeSubpath();
        p.setPen(QPen(Amber.darker(130), 1.2));
        p.setBrush(Amber);
        p.drawPath(tri);
        pen(Qt::white, 2.4);
        p.drawLine(QPointF(12, 8.5), QPointF(12, 13.5));
        disc(Qt::white, QPointF(12, 17.2), 1.4);
        break;
    }
    case Name::Error:
        disc(Red, QPointF(12, 12), 10);
        pen(Qt::white, 2.4);
        p.drawLine(QPointF(8, 8), QPointF(16, 16));
        p.drawLine(QPointF(16, 8), QPointF(8, 16));
        break;
    case Name::Healthy:
        disc(Green, QPointF(12, 12), 9);
        pen(Qt::white, 2.4);
        p.drawPolyline(QPolygonF({QPointF(7.5, 12.5), QPointF(10.5, 15.5), QPointF(16.5, 8.5)}));
        break;
    case Name::Unhealthy:
        disc(Red, QPointF(12, 12), 9);
        pen(Qt::white, 2.6);
        p.drawLine(QPointF(12, 7), QPointF(12, 13));
        disc(Qt::white, QPointF(12, 16.5), 1.5);
        break;
    case Name::Unknown:
        disc(Grey, QPointF(12, 12), 9);
        pen(Qt::white, 2.2);
        p.drawLine(QPointF(8, 12), QPointF(16, 12));
        break;
    case Name::ArrowIn: arrow(Blue, QPointF(3, 12), QPointF(21, 12)); break;
    case Name::ArrowOut: arrow(Green, QPointF(21, 12), QPointF(3, 12)); break;
    case Name::Clock:
        pen(Dark, 2);
        p.drawEllipse(QRectF(3, 3, 18, 18));
        p.drawLine(QPointF(12, 12), QPointF(12, 7));
        p.drawLine(QPointF(12, 12), QPointF(16, 14));
        break;
    case Name::Chart:
        pen(Dark, 1.6);
        p.drawLine(QPointF(3, 3), QPointF(3, 21));
        p.drawLine(QPointF(3, 21), QPointF(21, 21));
        pen(Blue, 2.2);
        p.drawPolyline(QPolygonF({QPointF(5, 17), QPointF(9, 11), QPointF(13, 14), QPointF(20, 5)}));
        break;
    case Name::Log:
        doc(Dark);
        pen(Blue, 1.6);
        p.drawLine(QPointF(8.5, 11), QPointF(16.5, 11));
        p.drawLine(QPointF(8.5, 14), QPointF(16.5, 14));
        p.drawLine(QPointF(8.5, 17), QPointF(14, 17));
        break;
    case Name::Frames:
        for (int i = 0; i < 3; ++i) {
            const qreal y = 4 + i * 6.5;
            p.fillRect(QRectF(i % 2 ? 8 : 3, y, 13, 4.5), i % 2 ? Green : Blue);
        }
        break;
    case Name::Sessions:
        pen(Dark, 1.4);
        for (int i = 0; i < 4; ++i) {
            p.fillRect(QRectF(3, 4 + i * 4.5, 18, 3), i == 1 ? Blue : QColor(0xc3, 0xcb, 0xd6));
        }
        break;
    case Name::Problems:
        disc(Red, QPointF(8, 8), 5);
        {
            QPainterPath tri;
            tri.moveTo(16, 9);
            tri.lineTo(22.5, 21);
            tri.lineTo(9.5, 21);
            tri.closeSubpath();
            p.setPen(Qt::NoPen);
            p.setBrush(Amber);
            p.drawPath(tri);
        }
        break;
    case Name::Topology:
        pen(Grey, 1.6);
        p.drawLine(QPointF(6, 12), QPointF(18, 6));
        p.drawLine(QPointF(6, 12), QPointF(18, 18));
        disc(Blue, QPointF(6, 12), 3.5);
        disc(Teal, QPointF(18, 6), 3.5);
        disc(Purple, QPointF(18, 18), 3.5);
        break;
    case Name::Fit:
        pen(Dark, 2);
        p.drawPolyline(QPolygonF({QPointF(3, 9), QPointF(3, 3), QPointF(9, 3)}));
        p.drawPolyline(QPolygonF({QPointF(15, 3), QPointF(21, 3), QPointF(21, 9)}));
        p.drawPolyline(QPolygonF({QPointF(21, 15), QPointF(21, 21), QPointF(15, 21)}));
        p.drawPolyline(QPolygonF({QPointF(9, 21), QPointF(3, 21), QPointF(3, 15)}));
        break;
    }
}

class PaintedIconEngine final : public QIconEngine
{
public:
    explicit PaintedIconEngine(Name name) : m_name(name) {}

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State) override
    {
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->translate(rect.topLeft());
        const qreal side = std::min(rect.width(), rect.height());
        painter->translate((rect.width() - side) / 2.0, (rect.height() - side) / 2.0);
        painter->scale(side / 24.0, side / 24.0);
        if (mode == QIcon::Disabled)
            painter->setOpacity(0.35);
        draw(*painter, m_name);
        painter->restore();
    }

    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override
    {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize &size, QIcon::Mode mode, QIcon::State state,
                         qreal scale) override
    {
        const QSize px = size * scale;
        const QString key = QStringLiteral("appgw-icon-%1-%2x%3-%4")
                                .arg(int(m_name))
                                .arg(px.width())
                                .arg(px.height())
                                .arg(int(mode));
        QPixmap pm;
        if (QPixmapCache::find(key, &pm))
            return pm;
        pm = QPixmap(px);
        pm.fill(Qt::transparent);
        {
            QPainter painter(&pm);
            paint(&painter, QRect(QPoint(0, 0), px), mode, state);
        }
        pm.setDevicePixelRatio(scale);
        QPixmapCache::insert(key, pm);
        return pm;
    }

    QSize actualSize(const QSize &size, QIcon::Mode, QIcon::State) override { return size; }
    QIconEngine *clone() const override { return new PaintedIconEngine(m_name); }
    QString key() const override { return QStringLiteral("appgw-painted"); }

private:
    Name m_name;
};

} // namespace

QIcon icon(Name name)
{
    static QHash<int, QIcon> cache;
    auto it = cache.find(int(name));
    if (it == cache.end())
        it = cache.insert(int(name), QIcon(new PaintedIconEngine(name)));
    return *it;
}

} // namespace Gateway::Ui::Icons
