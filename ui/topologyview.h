#pragma once

// The topology canvas: listener → rule → path map → backend setting → pool → servers, drawn from
// the configuration, and the navigator of the editor (click an element to edit it). Live
// overlays: health colours on servers, open-session counts on listeners, rules and servers,
// error/warning outlines from the validator.

#include "config/gatewayconfig.h"
#include "elementref.h"
#include "health/healthtypes.h"

#include <QGraphicsView>
#include <QHash>

class QGraphicsScene;

namespace Gateway::Ui {

class TopologyNode;

class TopologyView final : public QGraphicsView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TopologyView)
public:
    explicit TopologyView(QWidget *parent = nullptr);
    ~TopologyView() override;

    // Rebuilds the scene (keeps the selection and live overlays).
    void setConfig(const Config::GatewayConfig &config, const Config::Diagnostics &diagnostics);
    // Local addresses per listener name ("127.0.0.1:8080"), shown under the listener.
    void setListenerAddresses(const QHash<QString, QString> &addresses);
    // key: "listener/<name>", "rule/<name>", "server/<pool>/<address>" (lower case)
    void setSessionCounts(const QHash<QString, int> &counts);
    // key: "<pool>/<address>" (lower case)
    void setServerStates(const QHash<QString, Health::HealthState> &states);
    void selectElement(const ElementRef &ref);

    int nodeCount() const { return int(m_nodes.size()); }
    TopologyNode *node(const QString &key) const { return m_nodes.value(key); }
    QStringList nodeKeys() const { return m_nodes.keys(); }
    // The backend address of the server box at pos (viewport coordinates), "" for none.
    QString serverAddressAt(const QPoint &pos) const;

public slots:
    void fitAll();
    void zoomIn();
    void zoomOut();

signals:
    void elementActivated(const Gateway::Ui::ElementRef &ref);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void drawBackground(QPainter *painter, const QRectF &rect) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void onSelectionChanged();

    QGraphicsScene *m_scene;
    QHash<QString, TopologyNode *> m_nodes;
    QHash<QString, QString> m_addresses;
    QHash<QString, int> m_counts;
    QHash<QString, Health::HealthState> m_states;
    QList<QPair<QPointF, QString>> m_columns;
    Config::GatewayConfig m_config;
    Config::Diagnostics m_diagnostics;
    bool m_vertical = false;
    bool m_relayoutPending = false;
    ElementRef m_selected;
    bool m_rebuilding = false;
    bool m_fitted = false;
};

} // namespace Gateway::Ui
