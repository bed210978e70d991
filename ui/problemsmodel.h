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

    // The problems grouped by cause, most frequent first: "parameter 'x' has no value" for 51
    // references to one undefined parameter. summary() is the one line shown above the list,
    // with the next step for the biggest cause.
    struct Cause
    {
        QString text;     // the cause in one line
        QString nextStep; // what to do about it (may be empty)
        int count = 0;
        bool error = false;
    };
    QList<Cause> causes() const { return m_causes; }
    QString summary() const;
    static QString causeOf(const Config::Diagnostic &diagnostic, QString *nextStep = nullptr);

private:
    Config::Diagnostics m_diagnostics;
    QStringList m_elements;
    QList<Cause> m_causes;
    QIcon m_error;
    QIcon m_warning;
};

} // namespace Gateway::Ui
