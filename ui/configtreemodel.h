#pragma once

// The element navigator: collections (Listeners, Backend pools, ...) with their elements, path
// rules under their URL path map. A read-only view of ConfigController's configuration, rebuilt
// (one reset) when the configuration changes; error/warning icons from the diagnostics.

#include "elementref.h"

#include <QAbstractItemModel>
#include <QHash>

namespace Gateway::Ui {

class ConfigController;

class ConfigTreeModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigTreeModel)
public:
    enum Role { ElementRefRole = Qt::UserRole + 1, KindRole, IsCollectionRole };

    explicit ConfigTreeModel(ConfigController *controller, QObject *parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    QModelIndex indexOf(const ElementRef &ref) const;
    ElementRef refAt(const QModelIndex &index) const;

public slots:
    void rebuild();

private:
    struct Item
    {
        ElementRef ref;
        bool collection = false;
        int parent = -1; // index into m_items, -1: top level
        QList<int> children;
        int errors = 0;
        int warnings = 0;
    };
    ConfigController *m_controller;
    QList<Item> m_items;
    QList<int> m_top;
};

} // namespace Gateway::Ui
