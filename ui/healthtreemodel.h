#pragma once

// Backend health as a tree: pool → backend setting → server, with state, last probe, latency,
// status code, Azure's detail message and the recent history. A server the gateway drains
// (Gateway::drainingServers(), azure-reference.md §3) shows "Draining (Ns)", counting down; one
// an applied edit removed from its pool stays as a row until its drain deadline.

#include "health/healthtypes.h"
#include "proxy/gateway.h"

#include <QAbstractItemModel>
#include <QIcon>
#include <QList>
#include <QMetaObject>

#include <memory>
#include <vector>

class QTimer;

namespace Gateway::Ui {

class HealthTreeModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthTreeModel)
public:
    enum Column {
        NameColumn,
        StateColumn,
        LastProbeColumn,
        LatencyColumn,
        StatusColumn,
        HistoryColumn,
        DetailColumn,
        ColumnCount
    };
    enum Role {
        HistoryRole = Qt::UserRole + 1,
        StateRole,
        PoolRole,
        SettingRole,
        ServerRole,
        LevelRole,
        DrainLeftSecRole // int: seconds until the drain deadline, -1 when not draining
    };
    enum Level { PoolLevel, SettingLevel, ServerLevel };

    explicit HealthTreeModel(QObject *parent = nullptr);
    ~HealthTreeModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // Aggregates for the status bar and the canvas.
    int healthyCount() const;
    int unhealthyCount() const;
    int serverCount() const;
    // Worst state of a server over every setting it is probed with (pool + address).
    Health::HealthState serverState(const QString &pool, const QString &server) const;
    const Health::ServerHealth *find(const QString &pool, const QString &setting,
                                     const QString &server) const;

    // Draining: the servers and their deadlines, measured by clock (Gateway::clock(); nullptr:
    // the system clock). While something drains a 1 s timer refreshes the countdown, and a
    // ManualClock's advanced() does too; nothing runs otherwise.
    void setClock(const Net::Clock *clock);
    void setDraining(const QList<Gateway::Proxy::DrainingServer> &servers);
    // Follows gateway->drainingChanged() with gateway->clock().
    void followDraining(Gateway::Proxy::Gateway *gateway);
    bool isCountingDown() const;

public slots:
    void setServers(const QList<Gateway::Health::ServerHealth> &servers); // full replace
    void updateServer(const Gateway::Health::ServerHealth &server);       // insert or update
    void clear();

signals:
    void healthChanged();

private:
    struct Node;
    Node *nodeOf(const QModelIndex &index) const;
    QModelIndex indexOf(Node *node, int column = 0) const;
    Node *child(Node *parent, const QString &name, bool create, int level);
    qint64 nowMs() const;
    void refreshDraining(); // countdown tick: repaint, forget passed deadlines
    void applyDraining();   // mark the nodes of m_draining, add rows for removed servers
    void removeDrainOnlyNodes();

    std::unique_ptr<Node> m_root;
    QList<Proxy::DrainingServer> m_draining;
    const Net::Clock *m_clock = nullptr;
    QMetaObject::Connection m_clockConnection;
    QTimer *m_countdown = nullptr;
    QIcon m_healthy;
    QIcon m_unhealthy;
    QIcon m_unknown;
    QIcon m_pool;
    QIcon m_setting;
};

} // namespace Gateway::Ui
