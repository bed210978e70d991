#include "mapaddressdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace Gateway::Ui {

namespace {

// The validator's reason up to its first ';': "10.0.0.7 exists in Azure's virtual network".
QString why(const Config::UnmappedAddress &address)
{
    const qsizetype semicolon = address.reason.indexOf(QLatin1Char(';'));
    return semicolon > 0 ? address.reason.left(semicolon) : address.reason;
}

} // namespace

MapAddressDialog::MapAddressDialog(const QList<Config::UnmappedAddress> &addresses,
                                   DemoBackendStarter demoStarter, QWidget *parent)
    : QDialog(parent)
    , m_addresses(addresses)
    , m_demoStarter(std::move(demoStarter))
    , m_local(new QRadioButton(this))
    , m_demo(new QRadioButton(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("mapAddressDialog"));
    const bool one = m_addresses.size() == 1;
    setWindowTitle(one ? tr("Map %1 to a Local Port").arg(m_addresses.first().address)
                       : tr("Map Unmapped Addresses"));

    auto *intro = new QLabel(this);
    intro->setWordWrap(true);
    intro->setText(
        one ? tr("%1: the local gateway does not contact it. Choose where it connects instead; "
                 "the entry goes into metadata.localGateway.backendAddressMap (Edit › Undo takes "
                 "it back).")
                  .arg(why(m_addresses.first()))
            : tr("%n address(es) of this template exist only in Azure; the local gateway does not "
                 "contact them. Choose where each connects instead (leave a field empty to keep "
                 "it unmapped); the entries go into metadata.localGateway.backendAddressMap.",
                 nullptr, int(m_addresses.size())));

    m_local->setText(one ? tr("A server on this machine, at port:")
                         : tr("Servers on this machine, at these ports:"));
    m_local->setObjectName(QStringLiteral("mapToLocalPort"));
    m_local->setChecked(true);
    m_demo->setText(tr("The bundled demo backend (HTTP and WebSocket, started on a free loopback "
                       "port)"));
    m_demo->setObjectName(QStringLiteral("mapToDemoBackend"));
    m_demo->setEnabled(bool(m_demoStarter));
    if (!m_demoStarter)
        m_demo->setToolTip(tr("This build has no demo backend."));

    auto *form = new QFormLayout;
    form->setContentsMargins(24, 0, 0, 0);
    for (const Config::UnmappedAddress &a : std::as_const(m_addresses)) {
        auto *edit = new QLineEdit(this);
        edit->setObjectName(QStringLiteral("target:") + a.address);
        edit->setPlaceholderText(tr("port, e.g. 9001, or 127.0.0.1:port"));
        edit->setToolTip(a.reason);
        auto *label = new QLabel(a.address, this);
        label->setToolTip(a.reason);
        label->setBuddy(edit);
        form->addRow(label, edit);
        m_edits << edit;
    }

    m_error->setObjectName(QStringLiteral("mapAddressError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color:#b02a20"));
    m_error->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_local);
    layout->addLayout(form);
    layout->addWidget(m_demo);
    layout->addWidget(m_error);
    layout->addStretch(1);
    layout->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setText(one ? tr("Map") : tr("Map All"));

    connect(m_buttons, &QDialogButtonBox::accepted, this, &MapAddressDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &MapAddressDialog::reject);
    connect(m_demo, &QRadioButton::toggled, this, &MapAddressDialog::updateEnabled);
    updateEnabled();
    if (!m_edits.isEmpty())
        m_edits.first()->setFocus();
}

void MapAddressDialog::setTyped(const QString &address, const QString &text)
{
    for (int i = 0; i < m_addresses.size(); ++i)
        if (m_addresses.at(i).address.compare(address, Qt::CaseInsensitive) == 0)
            m_edits.at(i)->setText(text);
}

void MapAddressDialog::setUseDemoBackend(bool on)
{
    (on ? m_demo : m_local)->setChecked(true);
}

bool MapAddressDialog::usesDemoBackend() const
{
    return m_demo->isChecked();
}

QString MapAddressDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void MapAddressDialog::updateEnabled()
{
    for (QLineEdit *edit : std::as_const(m_edits))
        edit->setEnabled(!m_demo->isChecked());
}

void MapAddressDialog::showError(const QString &text, QWidget *focus)
{
    m_error->setText(text);
    m_error->show();
    if (focus)
        focus->setFocus();
}

void MapAddressDialog::accept()
{
    QList<QPair<QString, QString>> mappings;
    if (m_demo->isChecked()) {
        QString error;
        const QString target = m_demoStarter ? m_demoStarter(&error) : QString();
        if (target.isEmpty()) {
            showError(tr("The demo backend did not start: %1")
                          .arg(error.isEmpty() ? tr("this build has no demo backend") : error));
            return;
        }
        for (const Config::UnmappedAddress &a : std::as_const(m_addresses))
            mappings.append({a.address, target});
    } else {
        for (int i = 0; i < m_addresses.size(); ++i) {
            QLineEdit *edit = m_edits.at(i);
            if (edit->text().trimmed().isEmpty() && m_addresses.size() > 1)
                continue; // left unmapped on purpose
            QString error;
            const QString target = Config::localBackendTarget(edit->text(), &error);
            if (target.isEmpty()) {
                showError(QStringLiteral("%1: %2").arg(m_addresses.at(i).address, error), edit);
                return;
            }
            mappings.append({m_addresses.at(i).address, target});
        }
        if (mappings.isEmpty()) {
            showError(tr("Type a port for at least one address, or choose the demo backend."),
                      m_edits.value(0));
            return;
        }
    }
    m_mappings = mappings;
    m_error->hide();
    QDialog::accept();
}

} // namespace Gateway::Ui
