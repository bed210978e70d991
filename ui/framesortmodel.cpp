#include "framesortmodel.h"

#include "frametablemodel.h"

namespace Gateway::Ui {

FrameSortModel::FrameSortModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setSortRole(FrameTableModel::SortRole);
}

void FrameSortModel::setFrameModel(FrameTableModel *model)
{
    m_model = model;
    setSourceModel(model);
}

void FrameSortModel::setText(const QString &text)
{
    m_text = text;
    invalidateRowsFilter();
}

void FrameSortModel::setDirection(DirectionFilter direction)
{
    m_direction = direction;
    invalidateRowsFilter();
}

void FrameSortModel::setOpcode(int opcode)
{
    m_opcode = opcode;
    invalidateRowsFilter();
}

void FrameSortModel::setFoldPingPong(bool fold)
{
    m_fold = fold;
    invalidateRowsFilter();
}

int FrameSortModel::hiddenControlFrames() const
{
    if (!m_model || !m_fold)
        return 0;
    int n = 0;
    for (int r = 0; r < m_model->rowCount(); ++r) {
        const quint8 op = m_model->frame(r).opcode;
        if (op == 0x9 || op == 0xA)
            ++n;
    }
    return n;
}

bool FrameSortModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    if (!m_model)
        return true;
    const Session::FrameRecord &f = m_model->frame(sourceRow);
    if (m_fold && (f.opcode == 0x9 || f.opcode == 0xA))
        return false;
    if (m_opcode >= 0 && f.opcode != m_opcode)
        return false;
    if (m_direction == DirectionFilter::ClientToBackend
        && f.direction != Session::Direction::ClientToBackend)
        return false;
    if (m_direction == DirectionFilter::BackendToClient
        && f.direction != Session::Direction::BackendToClient)
        return false;
    if (m_text.isEmpty())
        return true;
    return QString::fromUtf8(f.preview).contains(m_text, Qt::CaseInsensitive)
           || f.closeReason.contains(m_text, Qt::CaseInsensitive);
}

} // namespace Gateway::Ui
