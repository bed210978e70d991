#include "topologyview.h"

#include "config/backendaddressmap.h"
#include "configelements.h"
#include "elementeditor.h"
#include "topologynode.h"

#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QHostAddress>
#include <QPainterPath>
#include <QScrollBar>
#include <QTimer>
#include <QWheelEvent>

namespace Gateway::Ui {

using namespace Config;

namespace {

constexpr qreal ColumnGap = 44;
constexpr qreal RowGap = 14;
constexpr qreal Top = 40;

QString key(const QString &kind, const QString &name)
{
    return kind + QLatin1Char('/') + name.toLower();
}

QColor accentFor(ElementKind kind)
{
    switch (kind) {
    case ElementKind::HttpListener: return QColor(0x2b, 0x6c, 0xb0);
    case ElementKind::RequestRoutingRule: return QColor(0x7b, 0x4d, 0xb8);
    case ElementKind::UrlPathMap: return QColor(0xa0, 0x7c, 0xd8);
    case ElementKind::BackendHttpSettings: return QColor(0x3c, 0x42, 0x4c);
    case ElementKind::BackendAddressPool: return QColor(0x16, 0x8f, 0x8f);
    case ElementKind::RedirectConfiguration: return QColor(0xe0, 0x8e, 0x0b);
    default: return QColor(0x8a, 0x8f, 0x98);
    }
}

} // namespace

TopologyView::TopologyView(QWidget *parent)
    : QGraphicsView(parent), m_scene(new QGraphicsScene(this))
{
    setScene(m_scene);
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setObjectName(QStringLiteral("topologyView"));
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &TopologyView::onSelectionChanged);
}

TopologyView::~TopologyView()
{
    // The scene is a child: it is deleted after this object and must not call back into it.
    disconnect(m_scene, nullptr, this, nullptr);
}

void TopologyView::drawBackground(QPainter *painter, const QRectF &rect)
{
    painter->fillRect(rect, QColor(0xf6, 0xf7, 0xf9));
    painter->setPen(QColor(0x8a, 0x8f, 0x98));
    QFont f = font();
    f.setBold(true);
    f.setCapitalization(QFont::AllUppercase);
    f.setPointSizeF(f.pointSizeF() * 0.8);
    painter->setFont(f);
    for (const auto &[at, title] : std::as_const(m_columns))
        painter->drawText(at, title);
}

void TopologyView::setConfig(const GatewayConfig &c, const Diagnostics &diagnostics)
{
    m_config = c;
    m_diagnostics = diagnostics;
    m_rebuilding = true;
    m_scene->clear();
    m_nodes.clear();
    m_columns.clear();

    const QList<UnmappedAddress> unmappedList = unmappedAddresses(diagnostics);
    QList<QList<TopologyNode *>> columns(6);
    auto makeNode = [&](int column, const QString &k, const ElementRef &ref, const QString &title,
                        const QString &subtitle) -> TopologyNode * {
        if (TopologyNode *existing = m_nodes.value(k))
            return existing;
        auto *node = new TopologyNode(ref, elementIcon(ref.kind), accentFor(ref.kind));
        node->setTitle(title);
        node->setSubtitle(subtitle);
        m_scene->addItem(node);
        m_nodes.insert(k, node);
        columns[column].append(node);
        return node;
    };
    struct Edge
    {
        TopologyNode *from;
        TopologyNode *to;
        QString label;
        bool dashed;
    };
    QList<Edge> edges;
    auto addEdge = [&](TopologyNode *a, TopologyNode *b, const QString &label = {},
                       bool dashed = false) {
        if (!a || !b)
            return;
        for (const Edge &e : edges)
            if (e.from == a && e.to == b)
                return;
        edges.append({a, b, label, dashed});
    };

    auto settingNode = [&](const QString &name) -> TopologyNode * {
        if (name.isEmpty())
            return nullptr;
        const BackendHttpSettings *s = findElement(c.backendHttpSettingsCollection, name);
        QString sub =
            s ? tr("%1 :%2 · timeout %3 s").arg(s->protocol).arg(s->port).arg(s->requestTimeout)
              : tr("missing");
        if (s && s->cookieBasedAffinity.compare(QLatin1String("Enabled"), Qt::CaseInsensitive) == 0)
            sub += tr(" · affinity");
        return makeNode(3, key(QStringLiteral("setting"), name),
                        ElementRef{ElementKind::BackendHttpSettings, name, {}}, name, sub);
    };
    auto poolNode = [&](const QString &name) -> TopologyNode * {
        if (name.isEmpty())
            return nullptr;
        const BackendAddressPool *p = findElement(c.backendAddressPools, name);
        TopologyNode *node = makeNode(4, key(QStringLiteral("pool"), name),
                                      ElementRef{ElementKind::BackendAddressPool, name, {}}, name,
                                      p ? tr("%n member(s)", nullptr,
                                             int(p->backendAddresses.size()))
                                        : tr("missing"));
        if (p) {
            for (const BackendAddress &a : p->backendAddresses) {
                const QString address = a.address();
                const QString mapped = c.localGateway.backendAddressMap.value(address);
                // The validator decides what is unmapped (Config::unmappedAddresses).
                const bool unmapped = std::any_of(
                    unmappedList.cbegin(), unmappedList.cend(), [&](const auto &u) {
                        return u.address.compare(address.trimmed(), Qt::CaseInsensitive) == 0;
                    });
                TopologyNode *server = makeNode(
                    5, QStringLiteral("server/%1/%2").arg(name.toLower(), address.toLower()),
                    ElementRef{ElementKind::BackendAddressPool, name, {}},
                    address.isEmpty() ? tr("(no address)") : address,
                    !mapped.isEmpty() ? tr("→ %1").arg(mapped)
                    : unmapped        ? tr("not mapped locally")
                    : QHostAddress(address).isLoopback()
                            || address.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0
                        ? tr("local server")
                        : tr("reached directly"));
                if (unmapped && mapped.isEmpty())
                    server->setToolTip(tr("%1\nnot mapped locally: right-click to map it to a "
                                          "local port or the demo backend")
                                           .arg(address));
                addEdge(node, server);
            }
        }
        return node;
    };
    auto route = [&](TopologyNode *from, const QString &pool, const QString &setting,
                     const QString &label) {
        TopologyNode *s = settingNode(setting);
        TopologyNode *p = poolNode(pool);
        addEdge(from, s ? s : p, label);
        if (s && p)
            addEdge(s, p);
    };

    for (const HttpListener &l : c.httpListeners) {
        const FrontendPort *port = findElement(c.frontendPorts, l.frontendPort.name);
        // The local address first: it is the one number a user needs, and what elides is the
        // end of the line (Azure's port and host names stay in the tooltip).
        const QString azure = QStringLiteral("%1 :%2").arg(l.protocol).arg(port ? port->port : 0);
        QString local = m_addresses.value(l.name.toLower());
        if (local.isEmpty())
            local = m_addresses.value(l.name);
        QString sub = azure;
        if (!local.isEmpty())
            sub = local + QStringLiteral(" ← ") + azure;
        else if (port && c.localGateway.frontendPortMap.contains(port->port))
            sub = QStringLiteral(":%1 ← %2")
                      .arg(c.localGateway.frontendPortMap.value(port->port))
                      .arg(azure);
        if (!l.hostName.isEmpty())
            sub += QStringLiteral(" · ") + l.hostName;
        else if (!l.hostNames.isEmpty())
            sub += QStringLiteral(" · ") + l.hostNames.join(QLatin1Char(','));
        makeNode(0, key(QStringLiteral("listener"), l.name),
                 ElementRef{ElementKind::HttpListener, l.name, {}}, l.name, sub);
    }
    QList<const RequestRoutingRule *> rules;
    for (const RequestRoutingRule &r : c.requestRoutingRules)
        rules.append(&r);
    std::stable_sort(rules.begin(), rules.end(), [](auto *a, auto *b) {
        return (a->priority ? a->priority : 1 << 30) < (b->priority ? b->priority : 1 << 30);
    });
    for (const RequestRoutingRule *r : std::as_const(rules)) {
        const QString sub = QStringLiteral("%1%2").arg(
            r->ruleType, r->priority ? tr(" · priority %1").arg(r->priority) : QString());
        TopologyNode *rule = makeNode(1, key(QStringLiteral("rule"), r->name),
                                      ElementRef{ElementKind::RequestRoutingRule, r->name, {}},
                                      r->name, sub);
        addEdge(m_nodes.value(key(QStringLiteral("listener"), r->httpListener.name)), rule);
        if (r->redirectConfiguration.isSet()) {
            const RedirectConfiguration *rd = findElement(c.redirectConfigurations,
                                                          r->redirectConfiguration.name);
            TopologyNode *n = makeNode(
                2, key(QStringLiteral("redirect"), r->redirectConfiguration.name),
                ElementRef{ElementKind::RedirectConfiguration, r->redirectConfiguration.name, {}},
                r->redirectConfiguration.name,
                rd ? tr("%1 → %2").arg(rd->redirectType, rd->targetUrl.isEmpty()
                                                             ? rd->targetListener.name
                                                             : rd->targetUrl)
                   : tr("missing"));
            addEdge(rule, n);
        } else if (r->ruleType.compare(QLatin1String("PathBasedRouting"), Qt::CaseInsensitive)
                   == 0) {
            const UrlPathMap *m = findElement(c.urlPathMaps, r->urlPathMap.name);
            TopologyNode *mapNode = makeNode(
                2, key(QStringLiteral("map"), r->urlPathMap.name),
                ElementRef{ElementKind::UrlPathMap, r->urlPathMap.name, {}}, r->urlPathMap.name,
                m ? tr("%n path rule(s)", nullptr, int(m->pathRules.size())) : tr("missing"));
            addEdge(rule, mapNode);
            if (m) {
                for (const PathRule &p : m->pathRules)
                    route(mapNode, p.backendAddressPool.name, p.backendHttpSettings.name,
                          p.paths.join(QLatin1Char(' ')));
                route(mapNode, m->defaultBackendAddressPool.name,
                      m->defaultBackendHttpSettings.name, tr("default"));
            }
        } else {
            route(rule, r->backendAddressPool.name, r->backendHttpSettings.name, {});
        }
    }
    // Elements no rule reaches still appear, so they can be selected.
    for (const BackendHttpSettings &s : c.backendHttpSettingsCollection)
        settingNode(s.name);
    for (const BackendAddressPool &p : c.backendAddressPools)
        poolNode(p.name);

    // Layout: columns left to right, or rows top to bottom, whichever fits the view better.
    const QStringList titles = {tr("Listeners"), tr("Rules"), tr("Path maps"),
                                tr("Settings"),  tr("Pools"), tr("Servers")};
    int longest = 1;
    for (const auto &col : std::as_const(columns))
        longest = std::max(longest, int(col.size()));
    const qreal hW = columns.size() * (TopologyNode::Width + ColumnGap);
    const qreal hH = Top + longest * (TopologyNode::Height + RowGap);
    const qreal vW = 110 + longest * (TopologyNode::Width + 24);
    const qreal vH = columns.size() * (TopologyNode::Height + 44);
    const qreal viewW = std::max(100, viewport()->width());
    const qreal viewH = std::max(100, viewport()->height());
    m_vertical = std::min(viewW / vW, viewH / vH) > std::min(viewW / hW, viewH / hH) * 1.1;
    for (int col = 0; col < columns.size(); ++col) {
        for (int i = 0; i < columns[col].size(); ++i) {
            TopologyNode *n = columns[col][i];
            n->setVertical(m_vertical);
            if (m_vertical)
                n->setPos(110 + i * (TopologyNode::Width + 24),
                          12 + col * (TopologyNode::Height + 44));
            else
                n->setPos(12 + col * (TopologyNode::Width + ColumnGap),
                          Top + i * (TopologyNode::Height + RowGap));
        }
        if (m_vertical)
            m_columns.append({QPointF(4, 12 + col * (TopologyNode::Height + 44)
                                             + TopologyNode::Height / 2 + 4),
                              titles.at(col)});
        else
            m_columns.append({QPointF(16 + col * (TopologyNode::Width + ColumnGap), 22),
                              titles.at(col)});
    }

    for (const Edge &e : std::as_const(edges)) {
        const QPointF a = e.from->outPort();
        const QPointF b = e.to->inPort();
        QPainterPath path(a);
        if (m_vertical) {
            const qreal dy = std::max<qreal>(20, (b.y() - a.y()) / 2);
            path.cubicTo(a + QPointF(0, dy), b - QPointF(0, dy), b);
        } else {
            const qreal dx = std::max<qreal>(40, (b.x() - a.x()) / 2);
            path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b);
        }
        auto *item = m_scene->addPath(path, QPen(QColor(0x9a, 0xa3, 0xb0), 1.4));
        item->setZValue(-1);
        // arrow head
        QPolygonF head;
        if (m_vertical)
            head << b << b + QPointF(-4, -7) << b + QPointF(4, -7);
        else
            head << b << b + QPointF(-7, -4) << b + QPointF(-7, 4);
        auto *h = m_scene->addPolygon(head, QPen(Qt::NoPen), QColor(0x9a, 0xa3, 0xb0));
        h->setZValue(-1);
        if (!e.label.isEmpty()) {
            auto *label = m_scene->addSimpleText(e.label);
            QFont f = font();
            f.setPointSizeF(f.pointSizeF() * 0.8);
            label->setFont(f);
            label->setBrush(QColor(0x6b, 0x4d, 0x98));
            const QPointF mid = path.pointAtPercent(0.55);
            label->setPos(m_vertical ? mid + QPointF(6, -8)
                                     : mid + QPointF(-label->boundingRect().width() / 2, -16));
            label->setZValue(-0.5);
        }
    }

    // Diagnostics outlines
    QHash<TopologyNode *, int> severity;
    for (const Diagnostic &d : diagnostics) {
        const ElementRef owner = elementForPath(c, d.path);
        for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
            if (it.value()->ref() == owner && !it.key().startsWith(QLatin1String("server/"))) {
                int &s = severity[it.value()];
                s = std::max(s, d.isError() ? 2 : 1);
            }
        }
    }
    for (auto it = severity.cbegin(); it != severity.cend(); ++it)
        it.key()->setProblem(it.value());

    const QRectF bounds = m_scene->itemsBoundingRect().adjusted(m_vertical ? -110 : -10,
                                                                m_vertical ? -10 : -40, 30, 30);
    m_scene->setSceneRect(bounds.united(QRectF(0, 0, 10, 10)));
    setSessionCounts(m_counts);
    setServerStates(m_states);
    m_rebuilding = false;
    selectElement(m_selected);
    if (!m_fitted && !m_nodes.isEmpty()) {
        m_fitted = true;
        fitAll();
    }
    viewport()->update();
}

void TopologyView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_relayoutPending || m_nodes.isEmpty())
        return;
    m_relayoutPending = true;
    QTimer::singleShot(50, this, [this] {
        m_relayoutPending = false;
        setConfig(m_config, m_diagnostics);
        fitAll();
    });
}

void TopologyView::setListenerAddresses(const QHash<QString, QString> &addresses)
{
    m_addresses.clear();
    for (auto it = addresses.cbegin(); it != addresses.cend(); ++it)
        m_addresses.insert(it.key().toLower(), it.value());
}

void TopologyView::setSessionCounts(const QHash<QString, int> &counts)
{
    m_counts = counts;
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        const QString &k = it.key();
        if (k.startsWith(QLatin1String("listener/")) || k.startsWith(QLatin1String("rule/"))
            || k.startsWith(QLatin1String("server/")))
            it.value()->setCount(counts.value(k));
    }
}

void TopologyView::setServerStates(const QHash<QString, Health::HealthState> &states)
{
    m_states = states;
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        if (!it.key().startsWith(QLatin1String("server/")))
            continue;
        const QString poolServer = it.key().mid(7);
        it.value()->setHealth(states.value(poolServer, Health::HealthState::Unknown), true);
    }
}

void TopologyView::selectElement(const ElementRef &ref)
{
    m_selected = ref;
    const bool was = m_rebuilding;
    m_rebuilding = true;
    m_scene->clearSelection();
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        if (it.value()->ref() == ref && !it.key().startsWith(QLatin1String("server/")))
            it.value()->setSelected(true);
    }
    m_rebuilding = was;
}

QString TopologyView::serverAddressAt(const QPoint &pos) const
{
    for (QGraphicsItem *item = itemAt(pos); item; item = item->parentItem()) {
        auto *node = qobject_cast<TopologyNode *>(item->toGraphicsObject());
        if (!node)
            continue;
        const QString k = m_nodes.key(node);
        return k.startsWith(QLatin1String("server/")) ? node->title() : QString();
    }
    return {};
}

void TopologyView::onSelectionChanged()
{
    if (m_rebuilding)
        return;
    const QList<QGraphicsItem *> items = m_scene->selectedItems();
    if (items.isEmpty())
        return;
    if (auto *node = qobject_cast<TopologyNode *>(items.first()->toGraphicsObject())) {
        m_selected = node->ref();
        emit elementActivated(node->ref());
    }
}

void TopologyView::fitAll()
{
    if (m_scene->items().isEmpty())
        return;
    resetTransform();
    const QRectF r = m_scene->sceneRect();
    const qreal sx = viewport()->width() / r.width();
    const qreal sy = viewport()->height() / r.height();
    const qreal s = std::clamp(std::min(sx, sy), 0.55, 1.25);
    scale(s, s);
    if (r.width() * s <= viewport()->width() && r.height() * s <= viewport()->height())
        centerOn(r.center());
    else
        ensureVisible(QRectF(r.topLeft(), QSizeF(1, 1)));
}

void TopologyView::zoomIn()
{
    scale(1.2, 1.2);
}

void TopologyView::zoomOut()
{
    scale(1 / 1.2, 1 / 1.2);
}

void TopologyView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const qreal factor = event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15;
        scale(factor, factor);
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

} // namespace Gateway::Ui
