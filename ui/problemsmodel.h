#pragma once

// Every diagnostic of the configuration (load problems and the validator's), for the problem
// list dock. Double-click navigates to the element and field.

#include "config/gatewayconfig.h"

#include <QAbstractTableModel>
#include <QIcon>

namespace Gateway::Ui {

class ProblemsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProblemsModel)
public:
    enum Column { SeverityColumn, MessageColumn, ElementColumn, PathColumn, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1, IsErrorRole };

    explicit ProblemsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // Element names for the Element column ("listener1"), computed by the caller.
    void setDiagnostics(const Config::Diagnostics &diagnostics, const QStringList &elementNames);
    const Config::Diagnostic &diagnostic(int row) const { return m_diagnostics.at(row); }

private:
    Config::Diagnostics m_diagnostics;
    QStringList m_elements;
    QIcon m_error;
    QIcon m_warning;
};

} // namespace Gateway::Ui
