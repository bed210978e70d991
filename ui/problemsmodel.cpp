#include "problemsmodel.h"

#include "icons.h"

#include <QHash>
#include <QRegularExpression>

#include <numeric>

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

QString ProblemsModel::causeOf(const Config::Diagnostic &d, QString *nextStep)
{
    static const QRegularExpression noValue(QStringLiteral("parameter '([^']*)' has no value"));
    static const QRegularExpression keyVault(QStringLiteral("parameter '([^']*)' is a Key Vault"));
    QString step;
    QString cause;
    if (const auto m = noValue.match(d.message); m.hasMatch()) {
        cause = tr("parameter '%1' has no value").arg(m.captured(1));
        step = tr("choose a parameters file (File › Open with Parameters…, appgw --parameters) "
                  "or give it a value in File › Template Parameters…");
    } else if (const auto k = keyVault.match(d.message); k.hasMatch()) {
        cause = tr("parameter '%1' is a Key Vault reference").arg(k.captured(1));
        step = tr("give it a literal value in a parameters file");
    } else if (d.standIn == QLatin1String("unmapped address")) {
        cause = tr("a backend address that exists only in Azure is not mapped locally");
        step = tr("right-click it (here, in Backend Health or on the canvas) › Map … to a Local "
                  "Port, or Gateway › Map Unmapped Addresses");
    } else if (d.message.contains(QLatin1String("copy"), Qt::CaseInsensitive)
               && d.message.contains(QLatin1String("loop"), Qt::CaseInsensitive)) {
        cause = tr("this template uses ARM copy loops");
    } else {
        // Same message apart from names and numbers: one cause.
        static const QRegularExpression quoted(QStringLiteral("'[^']*'"));
        static const QRegularExpression number(QStringLiteral("\\b\\d+\\b"));
        cause = QString(d.message)
                    .replace(quoted, QStringLiteral("'…'"))
                    .replace(number, QStringLiteral("#"));
    }
    if (nextStep)
        *nextStep = step;
    return cause;
}

QString ProblemsModel::summary() const
{
    if (m_causes.isEmpty())
        return QString();
    const Cause &top = m_causes.first();
    QString line = tr("%n problem(s)", nullptr, int(m_diagnostics.size()));
    line += m_causes.size() == 1 ? tr(", one cause: ")
                                 : tr(", %1 causes; most: ").arg(m_causes.size());
    line += top.count > 1 ? tr("%1 (%2 places)").arg(top.text).arg(top.count) : top.text;
    if (!top.nextStep.isEmpty())
        line += QStringLiteral(" — ") + top.nextStep;
    return line;
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
    m_causes.clear();
    for (const Config::Diagnostic &d : std::as_const(sorted)) {
        QString step;
        const QString cause = causeOf(d, &step);
        auto it = std::find_if(m_causes.begin(), m_causes.end(),
                               [&cause](const Cause &c) { return c.text == cause; });
        if (it == m_causes.end())
            m_causes.append(Cause{cause, step, 1, d.isError()});
        else
            ++it->count;
    }
    std::stable_sort(m_causes.begin(), m_causes.end(), [](const Cause &a, const Cause &b) {
        return a.error != b.error ? a.error : a.count > b.count;
    });
    // Rows grouped by cause (errors first), each cause in file order.
    QList<int> order(sorted.size());
    std::iota(order.begin(), order.end(), 0);
    QHash<QString, int> rank;
    for (int i = 0; i < m_causes.size(); ++i)
        rank.insert(m_causes.at(i).text, i);
    QList<int> causeRank;
    for (const auto &d : std::as_const(sorted))
        causeRank << rank.value(causeOf(d));
    std::stable_sort(order.begin(), order.end(),
                     [&causeRank](int a, int b) { return causeRank.at(a) < causeRank.at(b); });
    Config::Diagnostics grouped;
    QStringList groupedNames;
    for (int i : order) {
        grouped << sorted.at(i);
        groupedNames << names.value(i);
    }
    sorted = grouped;
    names = groupedNames;
    beginResetModel();
    m_diagnostics = sorted;
    m_elements = names;
    endResetModel();
}

} // namespace Gateway::Ui
