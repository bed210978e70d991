#include "addressmapoffer.h"

#include "configcontroller.h"

#include <QAbstractScrollArea>
#include <QAction>
#include <QMenu>

namespace Gateway::Ui {

AddressMapOffer::AddressMapOffer(ConfigController *controller, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_controller(controller)
    , m_dialogParent(dialogParent)
    , m_mapAll(new QAction(tr("&Map Unmapped Addresses…"), this))
{
    m_mapAll->setObjectName(QStringLiteral("mapUnmappedAddresses"));
    m_mapAll->setStatusTip(tr("Choose local servers for the backend addresses that exist only in "
                              "Azure (metadata.localGateway.backendAddressMap)"));
    connect(m_mapAll, &QAction::triggered, this, [this] { offerAll(); });
    connect(m_controller, &ConfigController::diagnosticsChanged, this,
            &AddressMapOffer::updateAction);
    updateAction();
}

void AddressMapOffer::setDemoBackendStarter(MapAddressDialog::DemoBackendStarter starter)
{
    m_demoStarter = std::move(starter);
}

QList<Config::UnmappedAddress> AddressMapOffer::unmapped() const
{
    return Config::unmappedAddresses(m_controller->diagnostics());
}

void AddressMapOffer::updateAction()
{
    const int n = int(unmapped().size());
    m_mapAll->setEnabled(n > 0);
    m_mapAll->setText(n > 0 ? tr("&Map Unmapped Addresses (%1)…").arg(n)
                            : tr("&Map Unmapped Addresses…"));
}

void AddressMapOffer::attach(QAbstractScrollArea *widget, AddressAt addressAt)
{
    m_widgets.insert(widget, std::move(addressAt));
    widget->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(widget, &QWidget::customContextMenuRequested, this, [this, widget](const QPoint &pos) {
        QMenu menu(widget);
        const QList<QAction *> actions = actionsAt(widget, pos, &menu);
        if (actions.isEmpty())
            return;
        menu.addActions(actions);
        menu.exec(widget->viewport()->mapToGlobal(pos));
    });
    connect(widget, &QObject::destroyed, this, [this, widget] { m_widgets.remove(widget); });
}

QList<QAction *> AddressMapOffer::actionsAt(QAbstractScrollArea *widget, const QPoint &pos,
                                            QObject *parent)
{
    const AddressAt addressAt = m_widgets.value(widget);
    const QString address = addressAt ? addressAt(pos) : QString();
    if (address.isEmpty())
        return {};
    const QList<Config::UnmappedAddress> all = unmapped();
    const auto it = std::find_if(all.cbegin(), all.cend(), [&address](const auto &u) {
        return u.address.compare(address, Qt::CaseInsensitive) == 0;
    });
    if (it == all.cend())
        return {};
    QList<QAction *> out;
    auto *one = new QAction(tr("Map %1 to a Local Port…").arg(it->address), parent);
    one->setObjectName(QStringLiteral("mapAddress"));
    const QString key = it->address;
    connect(one, &QAction::triggered, this, [this, key] { offer({key}); });
    out << one;
    if (all.size() > 1) {
        auto *each = new QAction(tr("Map All %1 Unmapped Addresses…").arg(all.size()), parent);
        each->setObjectName(QStringLiteral("mapAllAddresses"));
        connect(each, &QAction::triggered, this, [this] { offerAll(); });
        out << each;
    }
    return out;
}

MapAddressDialog *AddressMapOffer::offerAll()
{
    QStringList addresses;
    for (const Config::UnmappedAddress &u : unmapped())
        addresses << u.address;
    return offer(addresses);
}

MapAddressDialog *AddressMapOffer::offer(const QStringList &addresses)
{
    QList<Config::UnmappedAddress> chosen;
    for (const Config::UnmappedAddress &u : unmapped())
        if (addresses.contains(u.address, Qt::CaseInsensitive))
            chosen << u;
    if (chosen.isEmpty())
        return nullptr;
    if (m_dialog)
        m_dialog->reject(); // one offer at a time: the newer question wins
    auto *dialog = new MapAddressDialog(chosen, m_demoStarter, m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { apply(dialog->mappings()); });
    m_dialog = dialog;
    dialog->open();
    return dialog;
}

void AddressMapOffer::apply(const QList<QPair<QString, QString>> &mappings)
{
    if (mappings.isEmpty())
        return;
    Config::GatewayConfig after = m_controller->config();
    QStringList addresses;
    for (const auto &m : mappings) {
        Config::mapBackendAddress(after.localGateway, m.first, m.second);
        addresses << m.first;
    }
    const QString text = mappings.size() == 1
                             ? tr("Map %1 to %2").arg(mappings.first().first, mappings.first().second)
                             : tr("Map %1 addresses").arg(mappings.size());
    m_controller->edit(after, text);
    emit mapped(addresses);
}

} // namespace Gateway::Ui
