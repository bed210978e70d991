#include "configtreemodel.h"

#include "configcontroller.h"
#include "configelements.h"
#include "elementeditor.h"
#include "icons.h"

namespace Gateway::Ui {

ConfigTreeModel::ConfigTreeModel(ConfigController *controller, QObject *parent)
    : QAbstractItemModel(parent), m_controller(controller)
{
    connect(controller, &ConfigController::configChanged, this, &ConfigTreeModel::rebuild);
    connect(controller, &ConfigController::diagnosticsChanged, this, &ConfigTreeModel::rebuild);
    rebuild();
}

void ConfigTreeModel::rebuild()
{
    beginResetModel();
    m_items.clear();
    m_top.clear();
    const Config::GatewayConfig &c = m_controller->config();
    auto addItem = [this](const ElementRef &ref, bool collection, int parent) {
        Item item;
        item.ref = ref;
        item.collection = collection;
        item.parent = parent;
        m_items.append(item);
        const int id = int(m_items.size()) - 1;
        if (parent < 0)
            m_top.append(id);
        else
            m_items[parent].children.append(id);
        return id;
    };
    addItem(ElementRef{ElementKind::Gateway, {}, {}}, false, -1);
    for (ElementKind kind : CollectionKinds) {
        const int coll = addItem(ElementRef{kind, {}, {}}, true, -1);
        for (const QString &name : elementNames(c, kind)) {
            const int el = addItem(ElementRef{kind, name, {}}, false, coll);
            if (kind == ElementKind::UrlPathMap)
                for (const QString &rule : elementNames(c, ElementKind::PathRule, name))
                    addItem(ElementRef{ElementKind::PathRule, rule, name}, false, el);
        }
    }
    // diagnostics per element, O(diagnostics * elements) on small configs
    for (const Config::Diagnostic &d : m_controller->diagnostics()) {
        const ElementRef owner = elementForPath(c, d.path);
        for (Item &item : m_items) {
            if (!item.collection && item.ref == owner) {
                (d.isError() ? item.errors : item.warnings)++;
                break;
            }
        }
    }
    endResetModel();
}

QModelIndex ConfigTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0)
        return {};
    const QList<int> &list = parent.isValid() ? m_items.at(int(parent.internalId())).children
                                              : m_top;
    if (row >= list.size())
        return {};
    return createIndex(row, column, quintptr(list.at(row)));
}

QModelIndex ConfigTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const int p = m_items.at(int(child.internalId())).parent;
    if (p < 0)
        return {};
    const int pp = m_items.at(p).parent;
    const QList<int> &siblings = pp < 0 ? m_top : m_items.at(pp).children;
    return createIndex(int(siblings.indexOf(p)), 0, quintptr(p));
}

int ConfigTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_top.size());
    if (parent.column() != 0)
        return 0;
    return int(m_items.at(int(parent.internalId())).children.size());
}

int ConfigTreeModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant ConfigTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Item &item = m_items.at(int(index.internalId()));
    switch (role) {
    case Qt::DisplayRole:
        if (item.collection)
            return QStringLiteral("%1 (%2)")
                .arg(kindPluralLabel(item.ref.kind))
                .arg(item.children.size());
        if (item.ref.kind == ElementKind::Gateway)
            return tr("Gateway %1").arg(m_controller->config().name);
        return item.ref.name;
    case Qt::DecorationRole:
        if (item.errors > 0)
            return Icons::icon(Icons::Name::Error);
        if (item.warnings > 0)
            return Icons::icon(Icons::Name::Warning);
        return elementIcon(item.ref.kind);
    case Qt::ToolTipRole:
        if (item.errors || item.warnings)
            return tr("%1 errors, %2 warnings").arg(item.errors).arg(item.warnings);
        return kindLabel(item.ref.kind);
    case ElementRefRole: return QVariant::fromValue(item.ref);
    case KindRole: return int(item.ref.kind);
    case IsCollectionRole: return item.collection;
    }
    return {};
}

QModelIndex ConfigTreeModel::indexOf(const ElementRef &ref) const
{
    for (int i = 0; i < m_items.size(); ++i) {
        const Item &item = m_items.at(i);
        if (item.collection || !(item.ref == ref))
            continue;
        const QList<int> &siblings = item.parent < 0 ? m_top : m_items.at(item.parent).children;
        return createIndex(int(siblings.indexOf(i)), 0, quintptr(i));
    }
    return {};
}

ElementRef ConfigTreeModel::refAt(const QModelIndex &index) const
{
    return index.isValid() ? m_items.at(int(index.internalId())).ref : ElementRef{};
}

} // namespace Gateway::Ui
