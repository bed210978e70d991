#include "eventsortmodel.h"

#include "eventlogmodel.h"

namespace Gateway::Ui {

EventSortModel::EventSortModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
}

void EventSortModel::setEventModel(EventLogModel *model)
{
    m_model = model;
    setSourceModel(model);
}

void EventSortModel::setTypePrefix(const QString &prefix)
{
    m_type = prefix;
    invalidateRowsFilter();
}

void EventSortModel::setText(const QString &text)
{
    m_text = text;
    invalidateRowsFilter();
}

bool EventSortModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    if (!m_model)
        return true;
    const Events::GatewayEvent &e = m_model->event(sourceRow);
    if (!m_type.isEmpty()) {
        const QStringList types = m_type.split(QLatin1Char('|'));
        bool match = false;
        for (const QString &t : types)
            match |= e.type.startsWith(t);
        if (!match)
            return false;
    }
    if (m_text.isEmpty())
        return true;
    return e.type.contains(m_text, Qt::CaseInsensitive)
           || EventLogModel::summary(e).contains(m_text, Qt::CaseInsensitive);
}

} // namespace Gateway::Ui
