#include "elementeditor.h"

#include "configcontroller.h"
#include "configelements.h"
#include "elementform.h"
#include "icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace Gateway::Ui {

namespace {
Icons::Name iconFor(ElementKind kind)
{
    switch (kind) {
    case ElementKind::Gateway: return Icons::Name::Gateway;
    case ElementKind::FrontendIPConfiguration: return Icons::Name::Frontend;
    case ElementKind::FrontendPort: return Icons::Name::Port;
    case ElementKind::SslCertificate:
    case ElementKind::TrustedRootCertificate: return Icons::Name::Certificate;
    case ElementKind::HttpListener: return Icons::Name::Listener;
    case ElementKind::BackendAddressPool: return Icons::Name::Pool;
    case ElementKind::BackendHttpSettings: return Icons::Name::Setting;
    case ElementKind::Probe: return Icons::Name::Probe;
    case ElementKind::RequestRoutingRule: return Icons::Name::Rule;
    case ElementKind::UrlPathMap:
    case ElementKind::PathRule: return Icons::Name::PathMap;
    case ElementKind::RedirectConfiguration: return Icons::Name::Redirect;
    case ElementKind::RewriteRuleSet: return Icons::Name::Rewrite;
    case ElementKind::Count: break;
    }
    return Icons::Name::Gateway;
}
} // namespace

QIcon elementIcon(ElementKind kind)
{
    return Icons::icon(iconFor(kind));
}

ElementEditor::ElementEditor(ConfigController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_icon(new QLabel(this))
    , m_kind(new QLabel(this))
    , m_name(new QLineEdit(this))
    , m_nameError(new QLabel(this))
    , m_duplicate(new QToolButton(this))
    , m_delete(new QToolButton(this))
    , m_stack(new QStackedWidget(this))
    , m_empty(new QLabel(tr("Select an element on the canvas or in the element list to edit it."),
                         this))
{
    static_cast<QLabel *>(m_empty)->setWordWrap(true);
    static_cast<QLabel *>(m_empty)->setAlignment(Qt::AlignCenter);
    QFont bold = m_kind->font();
    bold.setBold(true);
    m_kind->setFont(bold);
    m_name->setObjectName(QStringLiteral("elementName"));
    m_name->setToolTip(tr("The element's name. Renaming updates every reference to it."));
    m_nameError->setStyleSheet(QStringLiteral("color:#b02a20"));
    m_nameError->setWordWrap(true);
    m_nameError->hide();
    m_duplicate->setIcon(Icons::icon(Icons::Name::Duplicate));
    m_duplicate->setToolTip(tr("Duplicate this element"));
    m_duplicate->setAutoRaise(true);
    m_delete->setIcon(Icons::icon(Icons::Name::Remove));
    m_delete->setToolTip(tr("Delete this element (references to it are flagged)"));
    m_delete->setAutoRaise(true);

    auto *header = new QHBoxLayout;
    header->setContentsMargins(6, 6, 6, 2);
    header->addWidget(m_icon);
    header->addWidget(m_kind);
    header->addWidget(m_name, 1);
    header->addWidget(m_duplicate);
    header->addWidget(m_delete);

    m_stack->addWidget(m_empty);
    for (int k = 0; k < int(ElementKind::Count); ++k) {
        auto *form = new ElementForm(ElementKind(k), controller);
        auto *scroll = new QScrollArea(m_stack);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        form->setContentsMargins(6, 2, 6, 6);
        scroll->setWidget(form);
        m_stack->addWidget(scroll);
        m_forms.append(form);
        m_pages.append(scroll);
    }

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(header);
    layout->addWidget(m_nameError);
    layout->addWidget(m_stack, 1);
    m_nameError->setContentsMargins(8, 0, 8, 2);

    connect(m_name, &QLineEdit::editingFinished, this, &ElementEditor::commitName);
    connect(m_duplicate, &QToolButton::clicked, this, [this] {
        const ElementRef copy = m_controller->duplicate(m_ref);
        if (copy.isValid())
            setElement(copy);
    });
    connect(m_delete, &QToolButton::clicked, this, [this] {
        if (m_controller->remove(m_ref))
            setElement(ElementRef{ElementKind::Count, {}, {}});
    });
    connect(m_controller, &ConfigController::configChanged, this, &ElementEditor::refresh);
    connect(m_controller, &ConfigController::diagnosticsChanged, this, [this] {
        if (ElementForm *f = currentForm())
            f->updateMessages();
    });
    connect(m_controller, &ConfigController::elementRenamed, this,
            [this](const ElementRef &ref, const QString &newName) {
                if (ref == m_ref) {
                    m_ref.name = newName;
                    refresh();
                } else if (m_ref.kind == ElementKind::PathRule
                           && ref.kind == ElementKind::UrlPathMap
                           && ref.name.compare(m_ref.parent, Qt::CaseInsensitive) == 0) {
                    m_ref.parent = newName;
                    refresh();
                }
            });
    connect(m_controller, &ConfigController::documentChanged, this, [this] {
        setElement(ElementRef{ElementKind::Gateway, {}, {}});
    });
    setElement(ElementRef{ElementKind::Count, {}, {}});
}

ElementForm *ElementEditor::form(ElementKind kind) const
{
    const int k = int(kind);
    return k >= 0 && k < m_forms.size() ? m_forms.at(k) : nullptr;
}

ElementForm *ElementEditor::currentForm() const
{
    const int idx = m_stack->currentIndex() - 1;
    return idx >= 0 && idx < m_forms.size() ? m_forms.at(idx) : nullptr;
}

void ElementEditor::setElement(const ElementRef &ref)
{
    m_ref = ref;
    m_nameError->hide();
    if (ElementForm *f = form(ref.kind))
        f->setElement(ref);
    refresh();
    emit elementChanged(ref);
}

void ElementEditor::refresh()
{
    const bool exists = m_ref.kind != ElementKind::Count
                        && elementExists(m_controller->config(), m_ref);
    if (!exists) {
        m_stack->setCurrentWidget(m_empty);
        m_icon->clear();
        m_kind->setText(tr("No selection"));
        m_name->clear();
        m_name->setEnabled(false);
        m_duplicate->setEnabled(false);
        m_delete->setEnabled(false);
        return;
    }
    const int k = int(m_ref.kind);
    m_stack->setCurrentWidget(m_pages.at(k));
    m_icon->setPixmap(elementIcon(m_ref.kind).pixmap(QSize(20, 20), devicePixelRatioF()));
    m_kind->setText(m_ref.kind == ElementKind::PathRule ? tr("Path rule of %1").arg(m_ref.parent)
                                                        : kindLabel(m_ref.kind));
    const QString name = m_ref.kind == ElementKind::Gateway ? m_controller->config().name
                                                            : m_ref.name;
    if (!m_name->hasFocus() || m_name->text().isEmpty())
        m_name->setText(name);
    m_name->setEnabled(true);
    const bool element = m_ref.kind != ElementKind::Gateway;
    m_duplicate->setEnabled(element);
    m_delete->setEnabled(element);
    m_forms.at(k)->refresh();
}

void ElementEditor::commitName()
{
    const QString name = m_name->text().trimmed();
    const QString current = m_ref.kind == ElementKind::Gateway ? m_controller->config().name
                                                               : m_ref.name;
    if (name == current)
        return;
    QString error;
    if (!m_controller->rename(m_ref, name, &error)) {
        m_nameError->setText(QStringLiteral("✖ ") + error);
        m_nameError->show();
        return;
    }
    m_nameError->hide();
    if (m_ref.kind != ElementKind::Gateway)
        m_ref.name = name;
    refresh();
    emit elementChanged(m_ref);
}

void ElementEditor::focusPath(const QString &diagnosticPath)
{
    const ElementRef ref = elementForPath(m_controller->config(), diagnosticPath);
    setElement(ref);
    if (ElementForm *f = form(ref.kind))
        f->focusPath(diagnosticPath);
}

void ElementEditor::updateWidgets()
{
    if (ElementForm *f = currentForm())
        f->updateWidgets();
}

} // namespace Gateway::Ui
