#include "elementform.h"

#include "configcontroller.h"
#include "configelements.h"
#include "focuswheel.h"
#include "icons.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QWheelEvent>

namespace Gateway::Ui {

using Type = FieldSpec::Type;

ElementForm::ElementForm(ElementKind kind, ConfigController *controller, QWidget *parent)
    : QWidget(parent)
    , m_kind(kind)
    , m_controller(controller)
    , m_layout(new QFormLayout)
    , m_hint(new QLabel(this))
{
    setObjectName(QStringLiteral("form_%1").arg(int(kind)));
    m_hint->setWordWrap(true);
    m_hint->setObjectName(QStringLiteral("hint"));
    m_hint->setTextFormat(Qt::RichText);
    m_hint->hide();
    m_layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_layout->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    m_layout->setRowWrapPolicy(QFormLayout::DontWrapRows);

    const QList<FieldSpec> &specs = fieldsFor(kind);
    m_rows.reserve(specs.size());
    for (const FieldSpec &spec : specs) {
        Row row;
        row.spec = &spec;
        m_rows.append(row);
    }
    for (Row &row : m_rows) {
        auto *cell = new QWidget(this);
        auto *cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        cellLayout->setSpacing(1);
        row.editor = createEditor(row);
        row.editor->setParent(cell);
        row.editor->setToolTip(row.spec->tip);
        row.editor->setObjectName(row.spec->key);
        row.editor->setEnabled(!row.spec->readOnly);
        row.message = new QLabel(cell);
        row.message->setWordWrap(true);
        row.message->setObjectName(row.spec->key + QStringLiteral("#message"));
        row.message->hide();
        cellLayout->addWidget(row.editor);
        cellLayout->addWidget(row.message);
        row.label = new QLabel(row.spec->label + QLatin1Char(':'), this);
        row.label->setToolTip(row.spec->tip);
        row.label->setBuddy(row.editor);
        m_layout->addRow(row.label, cell);
    }

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_hint);
    outer->addLayout(m_layout);
    outer->addStretch(1);
}

QWidget *ElementForm::createEditor(Row &row)
{
    const FieldSpec &spec = *row.spec;
    switch (spec.type) {
    case Type::Text:
    case Type::List: {
        auto *edit = new QLineEdit;
        edit->setPlaceholderText(spec.placeholder);
        connect(edit, &QLineEdit::editingFinished, this, [this, edit] {
            if (Row *r = rowForEditor(edit))
                commit(*r);
        });
        return edit;
    }
    case Type::Integer: {
        auto *spin = new FocusWheel<QSpinBox>;
        spin->setRange(spec.minimum, spec.maximum);
        spin->setKeyboardTracking(false);
        spin->setSpecialValueText(spec.specialValueText);
        spin->setAccelerated(true);
        connect(spin, &QSpinBox::valueChanged, this, [this, spin] {
            if (Row *r = rowForEditor(spin))
                commit(*r);
        });
        return spin;
    }
    case Type::Boolean: {
        auto *check = new QCheckBox;
        connect(check, &QCheckBox::toggled, this, [this, check] {
            if (Row *r = rowForEditor(check))
                commit(*r);
        });
        return check;
    }
    case Type::Choice:
    case Type::Reference: {
        auto *combo = new FocusWheel<QComboBox>;
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(12);
        connect(combo, &QComboBox::activated, this, [this, combo] {
            if (Row *r = rowForEditor(combo))
                commit(*r);
        });
        return combo;
    }
    case Type::Lines:
    case Type::KeyValueLines:
    case Type::Json: {
        auto *text = new QPlainTextEdit;
        text->setPlaceholderText(spec.placeholder);
        text->setTabChangesFocus(true);
        if (spec.type != Type::Lines || spec.key.endsWith(QLatin1String("data")))
            text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        const int lines = spec.type == Type::Json ? 12 : 4;
        text->setFixedHeight(text->fontMetrics().lineSpacing() * lines + 12);
        text->installEventFilter(this);
        return text;
    }
    }
    return new QWidget;
}

bool ElementForm::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::FocusOut) {
        if (Row *r = rowForEditor(watched))
            commit(*r);
    }
    return QWidget::eventFilter(watched, event);
}

ElementForm::Row *ElementForm::rowForEditor(QObject *editor)
{
    for (Row &r : m_rows)
        if (r.editor == editor)
            return &r;
    return nullptr;
}

void ElementForm::setElement(const ElementRef &ref)
{
    m_ref = ref;
    for (Row &r : m_rows)
        r.parseError.clear();
    refresh();
}

void ElementForm::refresh()
{
    m_loading = true;
    for (Row &row : m_rows)
        load(row);
    m_loading = false;
    updateWidgets();
    updateMessages();
}

void ElementForm::load(Row &row)
{
    const Config::GatewayConfig &config = m_controller->config();
    const QVariant value = row.spec->get ? row.spec->get(config, m_ref) : QVariant();
    QSignalBlocker blocker(row.editor);
    switch (row.spec->type) {
    case Type::Text: {
        auto *edit = static_cast<QLineEdit *>(row.editor);
        if (edit->text() != value.toString())
            edit->setText(value.toString());
        break;
    }
    case Type::List: {
        auto *edit = static_cast<QLineEdit *>(row.editor);
        const QString text = joinList(value.toStringList());
        if (splitList(edit->text()) != value.toStringList())
            edit->setText(text);
        break;
    }
    case Type::Integer: static_cast<QSpinBox *>(row.editor)->setValue(value.toInt()); break;
    case Type::Boolean: static_cast<QCheckBox *>(row.editor)->setChecked(value.toBool()); break;
    case Type::Choice: {
        auto *combo = static_cast<QComboBox *>(row.editor);
        combo->clear();
        for (const QString &c : row.spec->choices)
            combo->addItem(c.isEmpty() ? tr("(not set)") : c, c);
        int idx = combo->findData(value.toString(), Qt::UserRole, Qt::MatchFixedString);
        if (idx < 0) {
            combo->addItem(value.toString(), value.toString());
            idx = combo->count() - 1;
        }
        combo->setCurrentIndex(idx);
        break;
    }
    case Type::Reference: {
        auto *combo = static_cast<QComboBox *>(row.editor);
        combo->clear();
        combo->addItem(tr("(none)"), QString());
        const QString current = value.toString();
        if (row.spec->refKind != ElementKind::Count) {
            for (const QString &n : elementNames(config, row.spec->refKind))
                combo->addItem(n, n);
        }
        int idx = combo->findData(current, Qt::UserRole, Qt::MatchFixedString);
        if (idx < 0 && !current.isEmpty()) {
            combo->addItem(Icons::icon(Icons::Name::Error), tr("%1 (missing)").arg(current),
                           current);
            idx = combo->count() - 1;
        }
        combo->setCurrentIndex(std::max(0, idx));
        break;
    }
    case Type::Lines:
    case Type::KeyValueLines:
    case Type::Json: {
        auto *text = static_cast<QPlainTextEdit *>(row.editor);
        if (row.parseError.isEmpty() && text->toPlainText() != value.toString())
            text->setPlainText(value.toString());
        break;
    }
    }
}

QVariant ElementForm::editorValue(const Row &row) const
{
    switch (row.spec->type) {
    case Type::Text: return static_cast<QLineEdit *>(row.editor)->text().trimmed();
    case Type::List: return splitList(static_cast<QLineEdit *>(row.editor)->text());
    case Type::Integer: return static_cast<QSpinBox *>(row.editor)->value();
    case Type::Boolean: return static_cast<QCheckBox *>(row.editor)->isChecked();
    case Type::Choice:
    case Type::Reference: return static_cast<QComboBox *>(row.editor)->currentData();
    case Type::Lines:
    case Type::KeyValueLines:
    case Type::Json: return static_cast<QPlainTextEdit *>(row.editor)->toPlainText();
    }
    return {};
}

void ElementForm::commit(Row &row)
{
    if (m_loading || !row.spec->set || row.spec->readOnly || !m_ref.isValid())
        return;
    Config::GatewayConfig after = m_controller->config();
    const QString error = row.spec->set(after, m_ref, editorValue(row));
    if (error != row.parseError) {
        row.parseError = error;
        updateMessages();
    }
    if (!error.isEmpty())
        return; // the text stays as typed; nothing else is blocked
    const QString what = m_ref.name.isEmpty() ? row.spec->label
                                              : m_ref.name + QLatin1Char('.') + row.spec->label;
    m_controller->edit(
        after, tr("Edit %1").arg(what),
        QStringLiteral("%1/%2/%3/%4").arg(int(m_kind)).arg(m_ref.parent, m_ref.name, row.spec->key));
}

void ElementForm::updateWidgets()
{
    const Config::GatewayConfig &config = m_controller->config();
    for (Row &row : m_rows) {
        const bool enabled = !row.spec->readOnly
                             && (!row.spec->enabled || row.spec->enabled(config, m_ref));
        row.editor->setEnabled(enabled);
        row.label->setEnabled(enabled);
    }
}

void ElementForm::updateMessages()
{
    const Config::GatewayConfig &config = m_controller->config();
    const QString base = elementJsonPath(config, m_ref);
    const Config::Diagnostics diags = m_controller->diagnosticsFor(m_ref, false);
    QHash<const Row *, QStringList> errors;
    QHash<const Row *, QStringList> warnings;
    QStringList hint;
    for (const Config::Diagnostic &d : diags) {
        QString rel = d.path;
        if (!base.isEmpty() && pathIsUnder(d.path, base))
            rel = d.path.mid(base.size() + 1);
        const Row *best = nullptr;
        for (const Row &row : m_rows) {
            if (pathIsUnder(rel, row.spec->key) || pathIsUnder(d.path, row.spec->key)) {
                if (!best || row.spec->key.size() > best->spec->key.size())
                    best = &row;
            }
        }
        const QString text = d.message.toHtmlEscaped();
        if (best)
            (d.isError() ? errors : warnings)[best].append(text);
        else
            hint << QStringLiteral("<span style='color:%1'>%2 %3</span>")
                        .arg(d.isError() ? QStringLiteral("#b02a20") : QStringLiteral("#a15c00"),
                             d.isError() ? QStringLiteral("&#10006;") : QStringLiteral("&#9888;"),
                             text);
    }
    for (Row &row : m_rows) {
        QStringList lines;
        if (!row.parseError.isEmpty())
            lines << QStringLiteral("<span style='color:#b02a20'>&#10006; %1</span>")
                         .arg(row.parseError.toHtmlEscaped());
        for (const QString &e : errors.value(&row))
            lines << QStringLiteral("<span style='color:#b02a20'>&#10006; %1</span>").arg(e);
        for (const QString &w : warnings.value(&row))
            lines << QStringLiteral("<span style='color:#a15c00'>&#9888; %1</span>").arg(w);
        row.message->setText(lines.join(QStringLiteral("<br>")));
        row.message->setVisible(!lines.isEmpty());
        const bool bad = !row.parseError.isEmpty() || errors.contains(&row);
        row.editor->setProperty("invalid", bad);
        row.editor->setStyleSheet(bad ? QStringLiteral("border: 1px solid #d03b2f;")
                                  : warnings.contains(&row)
                                      ? QStringLiteral("border: 1px solid #e08e0b;")
                                      : QString());
    }
    m_hint->setText(hint.join(QStringLiteral("<br>")));
    m_hint->setVisible(!hint.isEmpty());
}

QWidget *ElementForm::editorFor(const QString &key) const
{
    for (const Row &r : m_rows)
        if (r.spec->key == key || r.spec->label == key)
            return r.editor;
    return nullptr;
}

QLabel *ElementForm::messageLabelFor(const QString &key) const
{
    for (const Row &r : m_rows)
        if (r.spec->key == key || r.spec->label == key)
            return r.message;
    return nullptr;
}

bool ElementForm::focusPath(const QString &diagnosticPath)
{
    const QString base = elementJsonPath(m_controller->config(), m_ref);
    QString rel = diagnosticPath;
    if (!base.isEmpty() && pathIsUnder(diagnosticPath, base))
        rel = diagnosticPath.mid(base.size() + 1);
    for (Row &row : m_rows) {
        if (pathIsUnder(rel, row.spec->key) || pathIsUnder(diagnosticPath, row.spec->key)) {
            row.editor->setFocus(Qt::OtherFocusReason);
            return true;
        }
    }
    return false;
}

} // namespace Gateway::Ui
