#pragma once

// The event stream (product.md §5): everything the GUI shows, the core also emits as events.
// `appgw run --events` writes them as JSON lines: ts (ISO 8601, ms), type, then the fields.

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

namespace Gateway::Events {

struct GatewayEvent
{
    qint64 tsMs = 0;
    QString type; // gateway.started | gateway.stopped | access | session.upgraded |
                  // session.closed | session.warning | probe | backend.health | config.warning |
                  // listener.acceptPaused | listener.acceptResumed
    QJsonObject fields;            // in insertion order when serialised by toJsonLine
    QByteArray toJsonLine() const; // {"ts":"...","type":"...",...}\n
};

// Collects events from every thread and re-emits them on its own thread, in batches.
class EventBus final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventBus)
public:
    explicit EventBus(QObject *parent = nullptr);
    // Thread-safe: may be called from any thread; delivery is queued to the bus's thread.
    void publish(const GatewayEvent &event);
    void publish(const QList<GatewayEvent> &events);

signals:
    void eventsPublished(const QList<Gateway::Events::GatewayEvent> &events);
};

} // namespace Gateway::Events

Q_DECLARE_METATYPE(Gateway::Events::GatewayEvent)
