#include "healthtreemodel.h"

#include "icons.h"
#include "uiformat.h"

namespace Gateway::Ui {

using Health::HealthState;
using Health::ServerHealth;

struct HealthTreeModel::Node
{
    Node *parent = nullptr;
    int level = -1; // -1 root
    QString name;
    ServerHealth health; // server level only
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
{
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
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            if (server && !h.endpoint.isEmpty() && h.endpoint != h.server)
                return QString(n->name + QStringLiteral(" → ") + h.endpoint);
            return n->name;
        case StateColumn: return healthText(state);
        case LastProbeColumn: return server ? timeText(h.last.timeMs) : QString();
        case LatencyColumn:
            return server && h.last.timeMs > 0 ? tr("%1 ms").arg(h.last.latencyMs) : QString();
        case StatusColumn:
            return server && h.last.httpStatus > 0 ? QString::number(h.last.httpStatus) : QString();
        case DetailColumn:
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
    emit healthChanged();
}

void HealthTreeModel::clear()
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    endResetModel();
    emit healthChanged();
}

int HealthTreeModel::healthyCount() const
{
    int n = 0;
    for (const auto &p : m_root->children)
        for (const auto &s : p->children)
            for (const auto &v : s->children)
                n += v->health.state == HealthState::Healthy;
    return n;
}

int HealthTreeModel::unhealthyCount() const
{
    int n = 0;
    for (const auto &p : m_root->children)
        for (const auto &s : p->children)
            for (const auto &v : s->children)
                n += v->health.state == HealthState::Unhealthy;
    return n;
}

int HealthTreeModel::serverCount() const
{
    int n = 0;
    for (const auto &p : m_root->children)
        for (const auto &s : p->children)
            n += int(s->children.size());
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
