#pragma once

// The frames of one WebSocket session, as the passive decoder saw them. Appends come in batches
// (one beginInsertRows each); the list is bounded, oldest frames drop first.

#include "session/sessiontypes.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QList>

namespace Gateway::Ui {

class FrameTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrameTableModel)
public:
    enum Column {
        DirectionColumn,
        OpcodeColumn,
        SizeColumn,
        TimeColumn,
        FlagsColumn,
        PreviewColumn,
        ColumnCount
    };
    enum Role { OpcodeRole = Qt::UserRole + 1, DirectionRole, SortRole };

    explicit FrameTableModel(QObject *parent = nullptr);

    void setMaximumFrames(int max) { m_max = max; }
    Session::SessionId sessionId() const { return m_session; }
    const Session::FrameRecord &frame(int row) const { return m_frames.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString flagsText(const Session::FrameRecord &f);
    static QString previewText(const Session::FrameRecord &f);

public slots:
    // Shows another session's frames (a reset).
    void setFrames(Gateway::Session::SessionId id,
                   const QList<Gateway::Session::FrameRecord> &frames);
    // New frames of the session shown; frames of other sessions are ignored.
    void appendFrames(Gateway::Session::SessionId id,
                      const QList<Gateway::Session::FrameRecord> &frames);
    void clear();

private:
    Session::SessionId m_session = 0;
    QList<Session::FrameRecord> m_frames;
    int m_max = 5000;
    QIcon m_in;
    QIcon m_out;
};

} // namespace Gateway::Ui
