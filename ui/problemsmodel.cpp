#include "problemsmodel.h"

#include "icons.h"

namespace Gateway::Ui {

ProblemsModel::ProblemsModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_error(Icons::icon(Icons::Name::Error))
    , m_warning(Icons::icon(Icons::Name::Warning))
{
}

int ProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_diagnostics.size());
}

int ProblemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_diagnostics.size())
        return {};
    const Config::Diagnostic &d = m_diagnostics.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeverityColumn: return d.isError() ? tr("Error") : tr("Warning");
        case MessageColumn: return d.message;
        case ElementColumn: return m_elements.value(index.row());
        case PathColumn: return d.path;
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == SeverityColumn)
            return d.isError() ? m_error : m_warning;
        break;
    case Qt::ToolTipRole: return QStringLiteral("%1\n%2").arg(d.path, d.message);
    case PathRole: return d.path;
    case IsErrorRole: return d.isError();
    }
    return {};
}

QVariant ProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeverityColumn: return tr("Severity");
    case MessageColumn: return tr("Message");
    case ElementColumn: return tr("Element");
    case PathColumn: return tr("JSON path");
    }
    return {};
}

void ProblemsModel::setDiagnostics(const Config::Diagnostics &diagnostics,
                                   const QStringList &elementNames)
{
    // Errors first, then warnings, each in file order.
    Config::Diagnostics sorted = diagnostics;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto &a, const auto &b) { return a.isError() && !b.isError(); });
    QStringList names;
    for (const auto &d : sorted)
        names << elementNames.value(int(diagnostics.indexOf(d)));
    if (sorted == m_diagnostics && names == m_elements)
        return;
    beginResetModel();
    m_diagnostics = sorted;
    m_elements = names;
    endResetModel();
}

} // namespace Gateway::Ui
