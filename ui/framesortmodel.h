#pragma once

// Filters the frames of a session: text, direction, opcode, and ping/pong folding.

#include <QSortFilterProxyModel>

namespace Gateway::Ui {

class FrameTableModel;

class FrameSortModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrameSortModel)
public:
    enum class DirectionFilter { Both, ClientToBackend, BackendToClient };

    explicit FrameSortModel(QObject *parent = nullptr);
    void setFrameModel(FrameTableModel *model);
    void setText(const QString &text);
    void setDirection(DirectionFilter direction);
    void setOpcode(int opcode); // -1: all; 0x1 text etc.
    void setFoldPingPong(bool fold);
    bool foldPingPong() const { return m_fold; }
    int hiddenControlFrames() const; // ping/pong frames folded away

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    FrameTableModel *m_model = nullptr;
    QString m_text;
    DirectionFilter m_direction = DirectionFilter::Both;
    int m_opcode = -1;
    bool m_fold = false;
};

} // namespace Gateway::Ui
