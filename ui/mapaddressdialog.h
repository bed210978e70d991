#pragma once

// "Map 10.0.0.7 to a local port…": where the local gateway connects instead of an address that
// exists only in Azure. Per address a port (or host:port on this machine) the user types, or the
// bundled demo backend for all of them (started on a free loopback port when the dialog is
// accepted). Entries are checked on OK; a bad one keeps the dialog open with the reason.

#include "config/backendaddressmap.h"

#include <QDialog>

#include <functional>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace Gateway::Ui {

class MapAddressDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MapAddressDialog)
public:
    // Starts the demo backend (once) and returns where it listens ("127.0.0.1:port"); empty with
    // *errorString when it cannot.
    using DemoBackendStarter = std::function<QString(QString *errorString)>;

    // demoStarter empty: the build has no demo backend (the choice is shown, disabled).
    explicit MapAddressDialog(const QList<Config::UnmappedAddress> &addresses,
                              DemoBackendStarter demoStarter = {}, QWidget *parent = nullptr);

    QList<Config::UnmappedAddress> addresses() const { return m_addresses; }
    // What the user typed for an address, and the demo choice (for tests; the widgets are the
    // same ones the user types into).
    void setTyped(const QString &address, const QString &text);
    void setUseDemoBackend(bool on);
    bool usesDemoBackend() const;
    // The reason shown under the entries after a refused OK (empty when none).
    QString errorText() const;
    // After accept(): address -> backendAddressMap value, for each address that is to be mapped.
    QList<QPair<QString, QString>> mappings() const { return m_mappings; }

    void accept() override;

private:
    void updateEnabled();
    void showError(const QString &text, QWidget *focus = nullptr);

    QList<Config::UnmappedAddress> m_addresses;
    DemoBackendStarter m_demoStarter;
    QList<QLineEdit *> m_edits;
    QRadioButton *m_local;
    QRadioButton *m_demo;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    QList<QPair<QString, QString>> m_mappings;
};

} // namespace Gateway::Ui
