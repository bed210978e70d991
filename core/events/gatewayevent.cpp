#include "events/gatewayevent.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMetaObject>
#include <QThread>
#include <QTimeZone>

namespace Gateway::Events {

QByteArray GatewayEvent::toJsonLine() const
{
    // ts and type first, then the fields; QJsonObject keeps fields sorted by key.
    QByteArray line;
    line.reserve(256);
    line += "{\"ts\":\"";
    line += QDateTime::fromMSecsSinceEpoch(tsMs, Qt::UTC).toString(Qt::ISODateWithMs).toLatin1();
    line += "\",\"type\":";
    line += QJsonDocument(QJsonObject{{QStringLiteral("t"), type}})
                .toJson(QJsonDocument::Compact)
                .mid(5)
                .chopped(1); // the quoted, escaped type string
    if (!fields.isEmpty()) {
        const QByteArray body = QJsonDocument(fields).toJson(QJsonDocument::Compact);
        line += ',';
        line += QByteArrayView(body).sliced(1, body.size() - 2);
    }
    line += "}\n";
    return line;
}

EventBus::EventBus(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<GatewayEvent>();
    qRegisterMetaType<QList<GatewayEvent>>();
}

void EventBus::publish(const GatewayEvent &event)
{
    publish(QList<GatewayEvent>{event});
}

void EventBus::publish(const QList<GatewayEvent> &events)
{
    if (events.isEmpty())
        return;
    if (thread() == QThread::currentThread()) {
        emit eventsPublished(events);
        return;
    }
    QMetaObject::invokeMethod(
        this, [this, events] { emit eventsPublished(events); }, Qt::QueuedConnection);
}

} // namespace Gateway::Events
