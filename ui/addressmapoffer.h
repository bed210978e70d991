#pragma once

// The console's offer to map addresses that exist only in Azure (issue 15 item 4): wherever an
// unmapped address shows (a Problems row, the Backend Health server that is Unknown because of
// it, the canvas box that says "not mapped locally"), a right-click offers "Map 10.0.0.7 to a
// Local Port…" and, with several, "Map All Unmapped Addresses…"; the Gateway menu has the latter
// too. The dialog's result is one undoable edit of metadata.localGateway.backendAddressMap, so
// the problem goes away at once and a running gateway shows the usual "differs from running".
// Which addresses are unmapped is the validator's verdict (Config::unmappedAddresses).

#include "mapaddressdialog.h"

#include <QHash>
#include <QObject>
#include <QPointer>

class QAbstractScrollArea;
class QAction;
class QPoint;
class QWidget;

namespace Gateway::Ui {

class ConfigController;

class AddressMapOffer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AddressMapOffer)
public:
    // The address shown at a point of an attached widget's viewport ("" for none).
    using AddressAt = std::function<QString(const QPoint &pos)>;

    // dialogParent: the window the dialog belongs to (also this object's parent).
    explicit AddressMapOffer(ConfigController *controller, QWidget *dialogParent);

    // The bundled demo backend, when the front end has one (appgw-console installs it).
    void setDemoBackendStarter(MapAddressDialog::DemoBackendStarter starter);

    QList<Config::UnmappedAddress> unmapped() const;

    // Right-click in widget offers the actions for the address there, if it is unmapped.
    void attach(QAbstractScrollArea *widget, AddressAt addressAt);
    // The actions that right-click shows at pos (viewport coordinates), parented to parent;
    // empty when nothing unmapped is there.
    QList<QAction *> actionsAt(QAbstractScrollArea *widget, const QPoint &pos, QObject *parent);
    // "Map Unmapped Addresses…" for a menu: enabled while there are any.
    QAction *mapAllAction() const { return m_mapAll; }

    // Opens the dialog (window-modal, returns at once) for these addresses (those still
    // unmapped); its OK becomes one undoable edit. nullptr when none of them is unmapped.
    MapAddressDialog *offer(const QStringList &addresses);
    MapAddressDialog *offerAll();
    MapAddressDialog *currentDialog() const { return m_dialog; }

signals:
    // After the edit: the addresses now mapped.
    void mapped(const QStringList &addresses);

private:
    void apply(const QList<QPair<QString, QString>> &mappings);
    void updateAction();

    ConfigController *m_controller;
    QWidget *m_dialogParent;
    MapAddressDialog::DemoBackendStarter m_demoStarter;
    QHash<QAbstractScrollArea *, AddressAt> m_widgets;
    QAction *m_mapAll;
    QPointer<MapAddressDialog> m_dialog;
};

} // namespace Gateway::Ui
