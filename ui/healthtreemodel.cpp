#include "healthtreemodel.h"

#include "icons.h"
#include "net/clock.h"
#include "uiformat.h"

#include <QTimer>

namespace Gateway::Ui {

using Health::HealthState;
using Health::ServerHealth;

struct HealthTreeModel::Node
{
    Node *parent = nullptr;
    int level = -1; // -1 root
    QString name;
    ServerHealth health;        // server level only
    qint64 drainDeadlineMs = 0; // server level: draining until then (0: not draining)
    bool drainOnly = false;     // server level: no longer in its pool, shown while it drains
    std::vector<std::unique_ptr<Node>> children;

    int row() const
    {
        if (!parent)
            return 0;
        for (size_t i = 0; i < parent->children.size(); ++i)
            if (parent->children[i].get() == this)
                return int(i);
        return 0;
    }
    // Aggregate state for pool/setting rows: Unhealthy if any, Healthy if all, else Unknown.
    HealthState state() const
    {
        if (level == ServerLevel)
            return health.state;
        bool anyUnhealthy = false;
        bool allHealthy = !children.empty();
        for (const auto &c : children) {
            if (c->drainOnly)
                continue; // not a member any more: no part of the pool's health
            const HealthState s = c->state();
            anyUnhealthy |= s == HealthState::Unhealthy;
            allHealthy &= s == HealthState::Healthy;
        }
        return anyUnhealthy ? HealthState::Unhealthy
               : allHealthy ? HealthState::Healthy
                            : HealthState::Unknown;
    }
};

HealthTreeModel::HealthTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
    , m_healthy(Icons::icon(Icons::Name::Healthy))
    , m_unhealthy(Icons::icon(Icons::Name::Unhealthy))
    , m_unknown(Icons::icon(Icons::Name::Unknown))
    , m_pool(Icons::icon(Icons::Name::Pool))
    , m_setting(Icons::icon(Icons::Name::Setting))
    , m_countdown(new QTimer(this))
{
    m_countdown->setInterval(1000);
    connect(m_countdown, &QTimer::timeout, this, &HealthTreeModel::refreshDraining);
}

HealthTreeModel::~HealthTreeModel() = default;

HealthTreeModel::Node *HealthTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex HealthTreeModel::indexOf(Node *node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row(), column, node);
}

QModelIndex HealthTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (parent.isValid() && parent.column() != 0)
        return {};
    Node *p = nodeOf(parent);
    if (row >= int(p->children.size()))
        return {};
    return createIndex(row, column, p->children[size_t(row)].get());
}

QModelIndex HealthTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    Node *n = nodeOf(child);
    return indexOf(n->parent);
}

int HealthTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeOf(parent)->children.size());
}

int HealthTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant HealthTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Pool / setting / server");
    case StateColumn: return tr("State");
    case LastProbeColumn: return tr("Last probe");
    case LatencyColumn: return tr("Latency");
    case StatusColumn: return tr("Status");
    case HistoryColumn: return tr("History");
    case DetailColumn: return tr("Details");
    }
    return {};
}

QVariant HealthTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *n = nodeOf(index);
    const bool server = n->level == ServerLevel;
    const ServerHealth &h = n->health;
    const HealthState state = n->state();
    const int drainLeftSec = server && n->drainDeadlineMs > 0
                                 ? int(std::max<qint64>(0, n->drainDeadlineMs - nowMs() + 999)
                                       / 1000)
                                 : -1;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            if (server && !h.endpoint.isEmpty() && h.endpoint != h.server)
                return QString(n->name + QStringLiteral(" → ") + h.endpoint);
            return n->name;
        case StateColumn:
            return drainLeftSec >= 0 ? tr("Draining (%1s)").arg(drainLeftSec) : healthText(state);
        case LastProbeColumn: return server ? timeText(h.last.timeMs) : QString();
        case LatencyColumn:
            return server && h.last.timeMs > 0 ? tr("%1 ms").arg(h.last.latencyMs) : QString();
        case StatusColumn:
            return server && h.last.httpStatus > 0 ? QString::number(h.last.httpStatus) : QString();
        case DetailColumn:
            if (server && n->drainOnly)
                return tr("Removed from the pool by an applied edit: no new requests (except "
                          "those its affinity cookie pins); what is open on it ends when the "
                          "countdown does");
            if (server)
                return h.detail.isEmpty() ? h.last.detail : h.detail;
            if (n->level == SettingLevel && !n->children.empty()) {
                const ServerHealth &first = n->children.front()->health;
                return first.probe.isEmpty() ? tr("default probe %1").arg(first.probeUrl)
                                             : tr("probe %1 %2").arg(first.probe, first.probeUrl);
            }
            return {};
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == NameColumn) {
            if (n->level == PoolLevel)
                return m_pool;
            if (n->level == SettingLevel)
                return m_setting;
        }
        if (index.column() == StateColumn || (index.column() == NameColumn && server)) {
            return state == HealthState::Healthy     ? m_healthy
                   : state == HealthState::Unhealthy ? m_unhealthy
                                                     : m_unknown;
        }
        break;
    case Qt::ToolTipRole:
        if (server && drainLeftSec >= 0)
            return tr("Draining: open requests and WebSocket sessions on this server end in "
                      "%1 s (connectionDraining drainTimeoutInSec, Azure's 30 s when not "
                      "enabled)")
                .arg(drainLeftSec);
        if (server)
            return tr("%1\nProbe: %2\nConsecutive failures: %3")
                .arg(h.detail.isEmpty() ? h.last.detail : h.detail, h.probeUrl)
                .arg(h.consecutiveFailures);
        break;
    case HistoryRole:
        if (server) {
            QVariantList list;
            list.reserve(h.history.size());
            for (const auto &r : h.history)
                list.append(r.success);
            return list;
        }
        break;
    case StateRole: return int(state);
    case LevelRole: return n->level;
    case PoolRole: {
        const Node *p = n;
        while (p && p->level != PoolLevel)
            p = p->parent;
        return p ? p->name : QString();
    }
    case SettingRole:
        if (n->level == SettingLevel)
            return n->name;
        if (server)
            return n->parent->name;
        return QString();
    case ServerRole: return server ? h.server : QString();
    case DrainLeftSecRole: return drainLeftSec;
    }
    return {};
}

HealthTreeModel::Node *HealthTreeModel::child(Node *parent, const QString &name, bool create,
                                              int level)
{
    for (auto &c : parent->children)
        if (c->name == name)
            return c.get();
    if (!create)
        return nullptr;
    const int row = int(parent->children.size());
    beginInsertRows(indexOf(parent), row, row);
    auto node = std::make_unique<Node>();
    node->parent = parent;
    node->level = level;
    node->name = name;
    parent->children.push_back(std::move(node));
    endInsertRows();
    return parent->children.back().get();
}

void HealthTreeModel::updateServer(const ServerHealth &server)
{
    Node *pool = child(m_root.get(), server.pool, true, PoolLevel);
    Node *setting = child(pool, server.setting, true, SettingLevel);
    Node *srv = child(setting, server.server, true, ServerLevel);
    srv->health = server;
    srv->drainOnly = false;
    emit dataChanged(indexOf(srv, 0), indexOf(srv, ColumnCount - 1));
    // aggregate rows
    emit dataChanged(indexOf(setting, 0), indexOf(setting, ColumnCount - 1));
    emit dataChanged(indexOf(pool, 0), indexOf(pool, ColumnCount - 1));
    emit healthChanged();
}

void HealthTreeModel::setServers(const QList<ServerHealth> &servers)
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    endResetModel();
    for (const ServerHealth &s : servers)
        updateServer(s);
    applyDraining();
    emit healthChanged();
}

void HealthTreeModel::clear()
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_draining.clear();
    m_countdown->stop();
    endResetModel();
    emit healthChanged();
}

qint64 HealthTreeModel::nowMs() const
{
    return m_clock ? m_clock->nowMs() : Net::SystemClock::instance()->nowMs();
}

void HealthTreeModel::setClock(const Net::Clock *clock)
{
    disconnect(m_clockConnection);
    m_clock = clock;
    if (m_clock) // a ManualClock's advance() is a countdown tick too
        m_clockConnection = connect(m_clock, &Net::Clock::advanced, this,
                                    &HealthTreeModel::refreshDraining);
}

void HealthTreeModel::followDraining(Proxy::Gateway *gateway)
{
    setClock(gateway->clock());
    connect(gateway, &Proxy::Gateway::drainingChanged, this,
            [this, gateway] { setDraining(gateway->drainingServers()); });
    connect(gateway, &QObject::destroyed, this, [this] {
        setClock(nullptr);
        setDraining({});
    });
    setDraining(gateway->drainingServers());
}

bool HealthTreeModel::isCountingDown() const
{
    return m_countdown->isActive();
}

void HealthTreeModel::setDraining(const QList<Proxy::DrainingServer> &servers)
{
    m_draining = servers;
    applyDraining();
}

void HealthTreeModel::refreshDraining()
{
    const qint64 now = nowMs();
    if (m_draining.removeIf([now](const Proxy::DrainingServer &e) { return e.deadlineMs <= now; })
        > 0) {
        applyDraining();
        return;
    }
    for (const auto &p : m_root->children)
        for (const auto &s : p->children)
            for (const auto &v : s->children)
                if (v->drainDeadlineMs > 0)
                    emit dataChanged(indexOf(v.get(), StateColumn), indexOf(v.get(), StateColumn));
}

void HealthTreeModel::applyDraining()
{
    for (const auto &p : m_root->children)
        for (const auto &s : p->children)
            for (const auto &v : s->children)
                v->drainDeadlineMs = 0;
    for (const Proxy::DrainingServer &entry : std::as_const(m_draining)) {
        Node *pool = child(m_root.get(), entry.pool, true, PoolLevel);
        Node *setting = child(pool, entry.setting, true, SettingLevel);
        Node *srv = child(setting, entry.server, false, ServerLevel);
        if (!srv) {
            srv = child(setting, entry.server, true, ServerLevel);
            srv->drainOnly = true;
            srv->health.pool = entry.pool;
            srv->health.setting = entry.setting;
            srv->health.server = entry.server;
        }
        srv->drainDeadlineMs = std::max(srv->drainDeadlineMs, entry.deadlineMs);
    }
    removeDrainOnlyNodes();
    for (const auto &p : m_root->children) {
        for (const auto &s : p->children)
            if (!s->children.empty())
                emit dataChanged(indexOf(s->children.front().get(), 0),
                                 indexOf(s->children.back().get(), ColumnCount - 1));
    }
    if (m_draining.isEmpty())
        m_countdown->stop();
    else if (!m_countdown->isActive())
        m_countdown->start();
    emit healthChanged();
}

void HealthTreeModel::removeDrainOnlyNodes()
{
    // Rows that only showed a drain whose deadline passed, then settings and pools left empty.
    const auto prune = [this](Node *parent, auto &&gone) {
        for (int row = int(parent->children.size()) - 1; row >= 0; --row) {
            if (!gone(parent->children[size_t(row)].get()))
                continue;
            beginRemoveRows(indexOf(parent), row, row);
            parent->children.erase(parent->children.begin() + row);
            endRemoveRows();
        }
    };
    for (const auto &p : m_root->children) {
        for (const auto &s : p->children)
            prune(s.get(), [](Node *v) { return v->drainOnly && v->drainDeadlineMs == 0; });
        prune(p.get(), [](Node *s) { return s->children.empty(); });
    }
    prune(m_root.get(), [](Node *p) { return p->children.empty(); });
}

int HealthTreeModel::healthyCount() const
{
    int n = 0;
    for (const auto &p : m_root->children)
        for (const auto &s : p->children)
            for (const auto &v : s->children)
                n += !v->drainOnly && v->health.state == HealthState::Healthy;
    return n;
}

int HealthTreeModel::unhealthyCount() const
{
    int n = 0;
    for (const auto &p : m_root->children)
        for (const auto &s : p->children)
            for (const auto &v : s->children)
                n += !v->drainOnly && v->health.state == HealthState::Unhealthy;
    return n;
}

int HealthTreeModel::serverCount() const
{
    int n = 0;
    for (const auto &p : m_root->children)
        for (const auto &s : p->children)
            for (const auto &v : s->children)
                n += v->drainOnly ? 0 : 1;
    return n;
}

HealthState HealthTreeModel::serverState(const QString &pool, const QString &server) const
{
    bool any = false;
    bool allHealthy = true;
    for (const auto &p : m_root->children) {
        if (p->name.compare(pool, Qt::CaseInsensitive) != 0)
            continue;
        for (const auto &s : p->children)
            for (const auto &v : s->children) {
                if (v->name.compare(server, Qt::CaseInsensitive) != 0)
                    continue;
                any = true;
                if (v->health.state == HealthState::Unhealthy)
                    return HealthState::Unhealthy;
                allHealthy &= v->health.state == HealthState::Healthy;
            }
    }
    return any && allHealthy ? HealthState::Healthy : HealthState::Unknown;
}

const ServerHealth *HealthTreeModel::find(const QString &pool, const QString &setting,
                                          const QString &server) const
{
    for (const auto &p : m_root->children)
        if (p->name == pool)
            for (const auto &s : p->children)
                if (s->name == setting)
                    for (const auto &v : s->children)
                        if (v->name == server)
                            return &v->health;
    return nullptr;
}

} // namespace Gateway::Ui
