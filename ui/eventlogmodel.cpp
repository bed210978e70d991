#include "eventlogmodel.h"

#include "icons.h"
#include "uiformat.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Gateway::Ui {

using Events::GatewayEvent;

EventLogModel::EventLogModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_warning(Icons::icon(Icons::Name::Warning))
    , m_error(Icons::icon(Icons::Name::Error))
    , m_info(Icons::icon(Icons::Name::Log))
    , m_probe(Icons::icon(Icons::Name::Probe))
    , m_session(Icons::icon(Icons::Name::Frames))
{
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString EventLogModel::summary(const GatewayEvent &e)
{
    const QJsonObject &f = e.fields;
    auto s = [&f](const char *key) { return f.value(QLatin1String(key)).toVariant().toString(); };
    if (e.type == QLatin1String("access")) {
        return QStringLiteral("%1:%2 %3 %4 → %5 · %6 s · %7 / %8 → %9")
            .arg(s("clientIP"), s("clientPort"), s("httpMethod"), s("requestUri"), s("httpStatus"),
                 s("timeTaken"), s("listenerName"), s("ruleName"), s("serverRouted"));
    }
    if (e.type == QLatin1String("session.upgraded")) {
        return QStringLiteral("session %1 upgraded: %2 via %3 / %4 → %5 %6")
            .arg(s("sessionId"), s("path"), s("listener"), s("rule"), s("pool"), s("server"));
    }
    if (e.type == QLatin1String("session.closed")) {
        return QStringLiteral("session %1 closed by %2 (%3), client saw %4, after %5 ms")
            .arg(s("sessionId"), s("closedBy"), s("reason"), s("closeCode"), s("durationMs"));
    }
    if (e.type == QLatin1String("probe")) {
        return QStringLiteral("%1 / %2 / %3: %4 (%5 ms) %6")
            .arg(s("pool"), s("setting"), s("server"), s("result"), s("latencyMs"), s("detail"));
    }
    if (e.type == QLatin1String("backend.health")) {
        return QStringLiteral("%1 / %2 / %3: %4 → %5 · %6")
            .arg(s("pool"), s("setting"), s("server"), s("from"), s("to"), s("detail"));
    }
    if (e.type == QLatin1String("config.warning"))
        return QStringLiteral("%1: %2").arg(s("path"), s("message"));
    if (e.type.startsWith(QLatin1String("gateway."))) {
        QStringList parts;
        const QJsonArray listeners = f.value(QLatin1String("listeners")).toArray();
        for (const auto &l : listeners) {
            const QJsonObject o = l.toObject();
            parts << QStringLiteral("%1 %2:%3")
                         .arg(o.value(QLatin1String("name")).toString(),
                              o.value(QLatin1String("address")).toString(),
                              o.value(QLatin1String("port")).toVariant().toString());
        }
        return parts.isEmpty() ? QString()
                               : tr("listeners: %1").arg(parts.join(QStringLiteral(", ")));
    }
    return QString::fromUtf8(QJsonDocument(f).toJson(QJsonDocument::Compact));
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_events.size())
        return {};
    const GatewayEvent &e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: return timeText(e.tsMs);
        case TypeColumn: return e.type;
        case SummaryColumn: return summary(e);
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == TypeColumn) {
            if (e.type == QLatin1String("config.warning")
                || e.type == QLatin1String("session.warning"))
                return m_warning;
            if (e.type == QLatin1String("probe") || e.type == QLatin1String("backend.health")) {
                const QString result = e.fields.value(QLatin1String("result")).toString()
                                       + e.fields.value(QLatin1String("to")).toString();
                return result.contains(QLatin1String("Unhealthy"), Qt::CaseInsensitive)
                               || result.contains(QLatin1String("fail"), Qt::CaseInsensitive)
                           ? m_error
                           : m_probe;
            }
            if (e.type.startsWith(QLatin1String("session.")))
                return m_session;
            if (e.type == QLatin1String("access")) {
                const int status = e.fields.value(QLatin1String("httpStatus")).toInt();
                return status >= 500 ? m_error : m_info;
            }
            return m_info;
        }
        break;
    case Qt::ToolTipRole:
    case JsonRole: return QString::fromUtf8(e.toJsonLine()).trimmed();
    case TypeRole: return e.type;
    }
    return {};
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time");
    case TypeColumn: return tr("Type");
    case SummaryColumn: return tr("Event");
    }
    return {};
}

void EventLogModel::appendEvents(const QList<GatewayEvent> &events)
{
    if (events.isEmpty())
        return;
    QList<GatewayEvent> incoming = events;
    if (incoming.size() > m_capacity)
        incoming = incoming.mid(incoming.size() - m_capacity);
    const int overflow = int(m_events.size() + incoming.size()) - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, overflow - 1);
        m_events.remove(0, overflow);
        endRemoveRows();
    }
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(incoming.size()) - 1);
    m_events.append(incoming);
    endInsertRows();
}

void EventLogModel::clear()
{
    beginResetModel();
    m_events.clear();
    endResetModel();
}

} // namespace Gateway::Ui
