#include "frametablemodel.h"

#include "icons.h"
#include "uiformat.h"

namespace Gateway::Ui {

using Session::Direction;
using Session::FrameRecord;

FrameTableModel::FrameTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_in(Icons::icon(Icons::Name::ArrowIn))
    , m_out(Icons::icon(Icons::Name::ArrowOut))
{
}

int FrameTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_frames.size());
}

int FrameTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FrameTableModel::flagsText(const FrameRecord &f)
{
    QStringList flags;
    if (f.fin)
        flags << QStringLiteral("FIN");
    if (f.rsv1)
        flags << QStringLiteral("RSV1 compressed");
    if (f.rsv2)
        flags << QStringLiteral("RSV2");
    if (f.rsv3)
        flags << QStringLiteral("RSV3");
    if (f.masked)
        flags << QStringLiteral("masked");
    if (!f.invalidReason.isEmpty())
        flags << QStringLiteral("invalid");
    return flags.join(QStringLiteral(" · "));
}

QString FrameTableModel::previewText(const FrameRecord &f)
{
    if (f.opcode == 0x8) {
        if (f.closeCode < 0)
            return QStringLiteral("close (no code)");
        return f.closeReason.isEmpty()
                   ? QStringLiteral("close %1").arg(f.closeCode)
                   : QStringLiteral("close %1 “%2”").arg(f.closeCode).arg(f.closeReason);
    }
    if (f.opcode == 0x2 || f.rsv1) {
        QString hex;
        const int n = std::min<int>(int(f.preview.size()), 24);
        for (int i = 0; i < n; ++i)
            hex += QStringLiteral("%1 ").arg(quint8(f.preview.at(i)), 2, 16, QLatin1Char('0'));
        return hex.trimmed() + (f.preview.size() > n ? QStringLiteral(" …") : QString());
    }
    QString text = QString::fromUtf8(f.preview.left(200));
    text.replace(QLatin1Char('\n'), QChar(0x21b5));
    text.replace(QLatin1Char('\r'), QString());
    return text;
}

QVariant FrameTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_frames.size())
        return {};
    const FrameRecord &f = m_frames.at(index.row());
    const bool in = f.direction == Direction::ClientToBackend;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case DirectionColumn: return in ? tr("to backend") : tr("to client");
        case OpcodeColumn: return opcodeText(f.opcode);
        case SizeColumn: return bytesText(qint64(f.payloadLength));
        case TimeColumn: return timeText(f.timeMs);
        case FlagsColumn: return flagsText(f);
        case PreviewColumn: return previewText(f);
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == DirectionColumn)
            return in ? m_in : m_out;
        if (index.column() == OpcodeColumn && !f.invalidReason.isEmpty())
            return Icons::icon(Icons::Name::Warning);
        break;
    case Qt::ToolTipRole:
        if (!f.invalidReason.isEmpty())
            return tr("This frame breaks RFC 6455: %1 (relayed unchanged)").arg(f.invalidReason);
        if (index.column() == FlagsColumn && f.rsv1)
            return tr("RSV1 set: the payload is compressed (permessage-deflate)");
        break;
    case Qt::ForegroundRole:
        if (f.opcode == 0x9 || f.opcode == 0xA)
            return QColor(0x80, 0x86, 0x90);
        if (f.opcode == 0x8)
            return QColor(0xb0, 0x2a, 0x20);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case OpcodeRole: return int(f.opcode);
    case DirectionRole: return int(f.direction);
    case SortRole:
        switch (index.column()) {
        case SizeColumn: return qulonglong(f.payloadLength);
        case TimeColumn: return f.timeMs;
        case OpcodeColumn: return int(f.opcode);
        default: return data(index, Qt::DisplayRole);
        }
    }
    return {};
}

QVariant FrameTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case DirectionColumn: return tr("Direction");
    case OpcodeColumn: return tr("Opcode");
    case SizeColumn: return tr("Size");
    case TimeColumn: return tr("Time");
    case FlagsColumn: return tr("Flags");
    case PreviewColumn: return tr("Preview");
    }
    return {};
}

void FrameTableModel::setFrames(Session::SessionId id, const QList<FrameRecord> &frames)
{
    beginResetModel();
    m_session = id;
    m_frames = frames.size() > m_max ? frames.mid(frames.size() - m_max) : frames;
    endResetModel();
}

void FrameTableModel::appendFrames(Session::SessionId id, const QList<FrameRecord> &frames)
{
    if (id != m_session || frames.isEmpty())
        return;
    QList<FrameRecord> incoming = frames;
    if (incoming.size() > m_max)
        incoming = incoming.mid(incoming.size() - m_max);
    const int overflow = int(m_frames.size() + incoming.size()) - m_max;
    if (overflow > 0) {
        beginRemoveRows({}, 0, overflow - 1);
        m_frames.remove(0, overflow);
        endRemoveRows();
    }
    const int first = int(m_frames.size());
    beginInsertRows({}, first, first + int(incoming.size()) - 1);
    m_frames.append(incoming);
    endInsertRows();
}

void FrameTableModel::clear()
{
    setFrames(0, {});
}

} // namespace Gateway::Ui
