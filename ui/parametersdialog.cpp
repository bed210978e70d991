#include "parametersdialog.h"

#include "focuswheel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGridLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace Gateway::Ui {

using Config::TemplateParameter;
using Type = TemplateParameter::Type;

namespace {

// An int field whose arrows stay within minValue..maxValue but which takes any whole number
// typed or read from the file, so that an out-of-range one is explained at the field instead of
// being clamped behind the user's back. Its lowest value stands for "unset" (shown as the
// default, or as "required").
class IntField final : public QSpinBox
{
public:
    IntField(int lowest, int highest, int start)
        : m_lowest(lowest), m_highest(highest), m_start(start)
    {
        setFocusPolicy(Qt::StrongFocus);
        setRange(std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    }
    bool isUnset() const { return value() == minimum(); }

    void stepBy(int steps) override
    {
        const qint64 next = isUnset() ? m_start : qint64(value()) + steps;
        setValue(int(std::clamp<qint64>(next, m_lowest, m_highest)));
        selectAll();
    }

protected:
    StepEnabled stepEnabled() const override
    {
        if (isUnset())
            return StepUpEnabled | StepDownEnabled;
        StepEnabled on = StepNone;
        if (value() < m_highest)
            on |= StepUpEnabled;
        if (value() > m_lowest)
            on |= StepDownEnabled;
        return on;
    }
    void wheelEvent(QWheelEvent *event) override
    {
        if (hasFocus())
            QSpinBox::wheelEvent(event);
        else
            event->ignore();
    }

private:
    int m_lowest;
    int m_highest;
    int m_start;
};

QString compact(const QJsonValue &value)
{
    return Config::parameterValueText(value);
}

QString indentedJson(const QJsonValue &value)
{
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented))
            .trimmed();
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented))
            .trimmed();
    return compact(value);
}

QJsonValue entryFor(const QJsonObject &entries, const QString &name)
{
    for (auto it = entries.begin(); it != entries.end(); ++it)
        if (it.key().compare(name, Qt::CaseInsensitive) == 0)
            return it.value();
    return {};
}

QJsonValue memberCi(const QJsonObject &object, const QString &key)
{
    return entryFor(object, key);
}

QString placeholderFor(const TemplateParameter &p)
{
    if (!p.hasDefault())
        return QObject::tr("required: no default");
    return QObject::tr("default: %1").arg(compact(p.defaultValue));
}

} // namespace

ParametersDialog::ParametersDialog(const QByteArray &templateJson, const QByteArray &parametersJson,
                                   const QString &parametersPath, const QString &templatePath,
                                   QWidget *parent)
    : QDialog(parent), m_templatePath(templatePath), m_openedPath(parametersPath)
{
    setObjectName(QStringLiteral("parametersDialog"));
    const QString templateName = templatePath.isEmpty() ? tr("this template")
                                                        : QFileInfo(templatePath).fileName();
    setWindowTitle(tr("Template Parameters — %1").arg(templateName));

    const QJsonObject entries = Config::parametersFileEntries(parametersJson);
    const QList<TemplateParameter> declared = Config::templateParameters(templateJson);

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(this);
    intro->setWordWrap(true);
    intro->setText(
        parametersPath.isEmpty()
            ? tr("The parameters %1 declares. Empty fields use the default shown in grey. OK "
                 "evaluates the template again with these values; they stay in memory until "
                 "Save As… writes them to a parameters file.")
                  .arg(templateName)
            : tr("The parameters %1 declares, with the values of %2. Empty fields use the default "
                 "shown in grey. OK evaluates the template again with these values; Save As… "
                 "writes them to a parameters file.")
                  .arg(templateName, QFileInfo(parametersPath).fileName()));
    layout->addWidget(intro);

    bool anySecure = false;
    for (const TemplateParameter &p : declared)
        anySecure = anySecure || p.isSecure();
    if (anySecure) {
        auto *secure = new QLabel(this);
        secure->setObjectName(QStringLiteral("secureNote"));
        secure->setWordWrap(true);
        secure->setText(tr("Secure values (securestring, secureObject) are masked and never stored "
                           "in the console's settings: they are written only to the parameters "
                           "file you choose with Save As…, in clear text, like any ARM "
                           "parameters file."));
        secure->setStyleSheet(QStringLiteral("color:#a15c00"));
        layout->addWidget(secure);
    }

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *form = new QWidget(scroll);
    auto *grid = new QGridLayout(form);
    grid->setColumnStretch(1, 1);
    grid->setVerticalSpacing(2);
    scroll->setWidget(form);
    layout->addWidget(scroll, 1);

    if (declared.isEmpty()) {
        auto *none = new QLabel(tr("%1 declares no parameters.").arg(templateName), form);
        grid->addWidget(none, 0, 0, 1, 3);
    }

    m_loading = true;
    int gridRow = 0;
    for (const TemplateParameter &p : declared) {
        Row row;
        row.parameter = p;
        const QJsonValue entry = entryFor(entries, p.name);
        std::optional<QJsonValue> value;
        if (Config::isKeyVaultReference(entry))
            row.keyVaultEntry = entry.toObject();
        else if (entry.isObject()
                 && !memberCi(entry.toObject(), QStringLiteral("value")).isUndefined())
            value = memberCi(entry.toObject(), QStringLiteral("value"));
        row.set = value.has_value();

        auto *name = new QLabel(form);
        name->setText(QStringLiteral("<b>%1</b><br><span style='color:gray'>%2%3</span>")
                          .arg(p.name.toHtmlEscaped(), p.typeName.toHtmlEscaped(),
                               p.hasDefault() || !row.keyVaultEntry.isEmpty() ? QString()
                                                                              : tr(" · required")));
        name->setTextFormat(Qt::RichText);
        name->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        row.field = createField(row, value);
        if (!row.show) // a secure field's line edit has the name, not its wrapper
            row.field->setObjectName(p.name);
        name->setBuddy(row.field);

        row.reset = new QToolButton(form);
        row.reset->setText(p.hasDefault() ? tr("Use default") : tr("Clear"));
        row.reset->setToolTip(p.hasDefault()
                                  ? tr("Leave %1 out of the parameters file: the template's "
                                       "default applies")
                                  : tr("Leave %1 out of the parameters file").arg(p.name));
        row.reset->setEnabled(row.keyVaultEntry.isEmpty());

        QStringList facts;
        if (!p.description.isEmpty())
            facts << p.description.toHtmlEscaped();
        if (p.hasDefault())
            facts << tr("default %1").arg(compact(p.defaultValue).toHtmlEscaped());
        if (!p.allowedValues.isEmpty()) {
            QStringList allowed;
            for (const QJsonValue &v : p.allowedValues)
                allowed << compact(v).toHtmlEscaped();
            facts << tr("allowed: %1").arg(allowed.join(QStringLiteral(", ")));
        }
        if (p.minValue || p.maxValue)
            facts << tr("range %1 … %2")
                         .arg(p.minValue ? compact(*p.minValue) : QStringLiteral("−∞"),
                              p.maxValue ? compact(*p.maxValue) : QStringLiteral("∞"));
        if (p.minLength || p.maxLength)
            facts << tr("length %1 … %2")
                         .arg(p.minLength ? QString::number(*p.minLength) : QStringLiteral("0"),
                              p.maxLength ? QString::number(*p.maxLength) : QStringLiteral("∞"));
        auto *hint = new QLabel(QStringLiteral("<span style='color:gray'>%1</span>")
                                    .arg(facts.join(QStringLiteral(" · "))),
                                form);
        hint->setWordWrap(true);
        hint->setTextFormat(Qt::RichText);
        hint->setVisible(!facts.isEmpty());

        row.error = new QLabel(form);
        row.error->setObjectName(p.name + QStringLiteral("Error"));
        row.error->setWordWrap(true);
        row.error->hide();

        grid->addWidget(name, gridRow, 0, 3, 1);
        grid->addWidget(row.field, gridRow, 1);
        grid->addWidget(row.reset, gridRow, 2, Qt::AlignTop);
        grid->addWidget(hint, gridRow + 1, 1, 1, 2);
        grid->addWidget(row.error, gridRow + 2, 1, 1, 2);
        grid->setRowMinimumHeight(gridRow + 2, 6);
        gridRow += 3;
        m_rows.append(row);
    }
    grid->setRowStretch(gridRow, 1);
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &r = m_rows[i];
        connect(r.reset, &QToolButton::clicked, this, [this, i] { resetRow(i); });
        if (auto *e = qobject_cast<QLineEdit *>(field(r.parameter.name)))
            connect(e, &QLineEdit::textEdited, this, [this, i] { fieldEdited(i); });
        else if (auto *c = qobject_cast<QComboBox *>(r.field))
            connect(c, &QComboBox::currentIndexChanged, this, [this, i] { fieldEdited(i); });
        else if (auto *s = qobject_cast<QSpinBox *>(r.field)) // every keystroke, in range or not
            connect(s->findChild<QLineEdit *>(), &QLineEdit::textChanged, this,
                    [this, i] { fieldEdited(i); });
        else if (auto *b = qobject_cast<QCheckBox *>(r.field))
            connect(b, &QCheckBox::toggled, this, [this, i] { fieldEdited(i); });
        else if (auto *t = qobject_cast<QPlainTextEdit *>(r.field))
            connect(t, &QPlainTextEdit::textChanged, this, [this, i] { fieldEdited(i); });
        check(r);
    }
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        const bool declaredHere = std::any_of(
            declared.begin(), declared.end(), [&it](const TemplateParameter &p) {
                return p.name.compare(it.key(), Qt::CaseInsensitive) == 0;
            });
        if (!declaredHere)
            m_undeclared.insert(it.key(), it.value());
    }
    m_loading = false;

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("parametersSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_saveAs = m_buttons->addButton(tr("Save As…"), QDialogButtonBox::ActionRole);
    m_saveAs->setToolTip(tr("Write these values to an ARM parameters file, remembered for "
                            "this template"));
    m_buttons->button(QDialogButtonBox::Ok)
        ->setToolTip(tr("Evaluate the template again with these values"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_saveAs, &QPushButton::clicked, this, [this] {
        const QFileInfo info(m_templatePath);
        QString suggestion = m_savedPath.isEmpty() ? m_openedPath : m_savedPath;
        if (suggestion.isEmpty() && !m_templatePath.isEmpty())
            suggestion = info.absolutePath() + QLatin1Char('/') + info.completeBaseName()
                         + QStringLiteral(".parameters.json");
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save parameters"), suggestion,
            tr("ARM parameters files (*.parameters.json *.json);;All files (*)"));
        if (path.isEmpty())
            return;
        QString error;
        if (!saveAs(path, &error))
            QMessageBox::warning(this, tr("Save parameters"), error);
    });
    updateButtons();

    QSize size(820, 640);
    if (const QScreen *s = screen())
        size = size.boundedTo(s->availableSize() * 0.9);
    resize(size);
}

QString ParametersDialog::settingsKey(const QString &templatePath)
{
    return QStringLiteral("templateParameters/")
           + QString::fromLatin1(QFileInfo(templatePath).absoluteFilePath().toUtf8().toHex());
}

QWidget *ParametersDialog::createField(Row &row, const std::optional<QJsonValue> &value)
{
    const TemplateParameter &p = row.parameter;
    if (!row.keyVaultEntry.isEmpty()) {
        auto *e = new QLineEdit;
        e->setReadOnly(true);
        e->setText(tr("Key Vault reference %1 (stand-in used locally)")
                       .arg(Config::keyVaultReferenceText(row.keyVaultEntry)));
        e->setToolTip(tr("Only Azure can read the secret; the local run uses a placeholder. Save "
                         "As… keeps the reference as it is."));
        return e;
    }
    if (!p.allowedValues.isEmpty() && p.type != Type::Int && p.type != Type::Bool) {
        auto *c = new FocusWheel<QComboBox>;
        c->addItem(p.hasDefault() ? tr("(default: %1)").arg(compact(p.defaultValue))
                                  : tr("(required: choose a value)"));
        for (const QJsonValue &v : p.allowedValues)
            c->addItem(compact(v), v.toVariant());
        if (value) {
            int index = -1;
            for (int i = 1; i < c->count(); ++i)
                if (QJsonValue::fromVariant(c->itemData(i)) == *value)
                    index = i;
            if (index < 0) {
                c->addItem(tr("%1 (not allowed)").arg(compact(*value)), value->toVariant());
                index = c->count() - 1;
            }
            c->setCurrentIndex(index);
        }
        return c;
    }
    switch (p.type) {
    case Type::Int: {
        const double lowest = double(std::numeric_limits<int>::min()) + 1;
        const double highest = double(std::numeric_limits<int>::max());
        const int lo = int(std::clamp(p.minValue.value_or(lowest), lowest, highest));
        const int hi = std::max(lo, int(std::clamp(p.maxValue.value_or(highest), lowest, highest)));
        const double start = p.defaultValue.isDouble() ? p.defaultValue.toDouble() : 0.0;
        auto *s = new IntField(lo, hi, int(std::clamp(start, double(lo), double(hi))));
        s->setSpecialValueText(placeholderFor(p));
        s->setValue(value && value->isDouble() ? int(std::clamp(value->toDouble(), lowest, highest))
                                               : s->minimum());
        return s;
    }
    case Type::Bool: {
        auto *b = new QCheckBox;
        const bool on = value ? value->toBool() : p.defaultValue.toBool();
        b->setChecked(on);
        b->setText(placeholderFor(p));
        return b;
    }
    case Type::Array:
    case Type::Object: {
        auto *t = new QPlainTextEdit;
        t->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        t->setTabChangesFocus(true);
        t->setPlaceholderText(p.hasDefault()
                                  ? tr("default:\n%1").arg(indentedJson(p.defaultValue))
                                  : tr("required: no default (JSON %1)").arg(p.typeName));
        t->setFixedHeight(t->fontMetrics().lineSpacing() * 5 + 12);
        if (value)
            t->setPlainText(indentedJson(*value));
        return t;
    }
    default: break;
    }
    // string, securestring, secureObject (masked JSON), and types this console does not know.
    auto *e = new QLineEdit;
    e->setPlaceholderText(placeholderFor(p));
    if (value)
        e->setText(p.type == Type::SecureObject || p.type == Type::Other
                       ? QString::fromUtf8(
                             QJsonDocument(QJsonArray{*value}).toJson(QJsonDocument::Compact))
                             .mid(1)
                             .chopped(1)
                       : compact(*value));
    if (p.isSecure()) {
        e->setEchoMode(QLineEdit::Password);
        auto *wrap = new QWidget;
        row.show = new QToolButton(wrap);
        row.show->setObjectName(p.name + QStringLiteral("Show"));
        row.show->setText(tr("Show"));
        row.show->setCheckable(true);
        row.show->setCursor(Qt::ArrowCursor);
        row.show->setToolTip(tr("Show or hide the value"));
        auto *h = new QHBoxLayout(wrap);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(e, 1);
        h->addWidget(row.show);
        connect(row.show, &QToolButton::toggled, e,
                [e](bool on) { e->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password); });
        e->setObjectName(p.name);
        return wrap;
    }
    return e;
}

const ParametersDialog::Row *ParametersDialog::row(const QString &name) const
{
    for (const Row &r : m_rows)
        if (r.parameter.name.compare(name, Qt::CaseInsensitive) == 0)
            return &r;
    return nullptr;
}

QWidget *ParametersDialog::field(const QString &name) const
{
    const Row *r = row(name);
    if (!r)
        return nullptr;
    if (r->show) // secure: the line edit inside the wrapper
        return r->field->findChild<QLineEdit *>();
    return r->field;
}

QLabel *ParametersDialog::errorLabel(const QString &name) const
{
    const Row *r = row(name);
    return r ? r->error : nullptr;
}

QString ParametersDialog::fieldError(const QString &name) const
{
    const Row *r = row(name);
    return r ? r->problem : QString();
}

QToolButton *ParametersDialog::showButton(const QString &name) const
{
    const Row *r = row(name);
    return r ? r->show : nullptr;
}

std::optional<QJsonValue> ParametersDialog::rowValue(const Row &row, QString *problem) const
{
    problem->clear();
    if (!row.keyVaultEntry.isEmpty() || !row.set)
        return std::nullopt;
    const TemplateParameter &p = row.parameter;
    QJsonValue value;
    if (auto *c = qobject_cast<QComboBox *>(row.field)) {
        value = QJsonValue::fromVariant(c->currentData());
    } else if (auto *s = qobject_cast<QSpinBox *>(row.field)) {
        bool ok = false;
        const qlonglong n = s->text().trimmed().toLongLong(&ok);
        if (!ok) {
            *problem = tr("%1 is not a whole number").arg(s->text());
            return std::nullopt;
        }
        value = double(n);
    } else if (auto *b = qobject_cast<QCheckBox *>(row.field)) {
        value = b->isChecked();
    } else if (auto *t = qobject_cast<QPlainTextEdit *>(row.field)) {
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(t->toPlainText().toUtf8(), &pe);
        if (pe.error != QJsonParseError::NoError) {
            *problem = tr("invalid JSON: %1 at character %2; an %3 is written like %4")
                           .arg(pe.errorString())
                           .arg(pe.offset + 1)
                           .arg(p.typeName, p.type == Type::Array
                                                ? QStringLiteral("[ \"a\", 1 ]")
                                                : QStringLiteral("{ \"key\": \"value\" }"));
            return std::nullopt;
        }
        value = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    } else if (auto *e = qobject_cast<QLineEdit *>(field(p.name))) {
        if (p.type == Type::SecureObject || p.type == Type::Other) {
            QJsonParseError pe;
            const QByteArray text = "[" + e->text().toUtf8() + "]";
            const QJsonDocument doc = QJsonDocument::fromJson(text, &pe);
            if (pe.error == QJsonParseError::NoError && doc.array().size() == 1)
                value = doc.array().first();
            else if (p.type == Type::Other)
                value = e->text();
            else {
                *problem = tr("invalid JSON: %1").arg(pe.errorString());
                return std::nullopt;
            }
        } else {
            value = e->text();
        }
    }
    *problem = p.problemWith(value);
    return value;
}

void ParametersDialog::check(Row &row)
{
    rowValue(row, &row.problem);
    QString text = row.problem;
    QString color = QStringLiteral("#b02a20");
    if (text.isEmpty() && !row.set && row.keyVaultEntry.isEmpty() && !row.parameter.hasDefault()) {
        text = tr("Required: the template has no default for %1; give it a value here.")
                   .arg(row.parameter.name);
        color = QStringLiteral("#a15c00");
    }
    row.error->setText(text);
    row.error->setStyleSheet(QStringLiteral("color:%1").arg(color));
    row.error->setVisible(!text.isEmpty());
    if (row.reset)
        row.reset->setEnabled(row.keyVaultEntry.isEmpty() && row.set);
    if (auto *b = qobject_cast<QCheckBox *>(row.field))
        b->setText(!row.set ? placeholderFor(row.parameter)
                            : (b->isChecked() ? QStringLiteral("true") : QStringLiteral("false")));
}

void ParametersDialog::fieldEdited(int index)
{
    if (m_loading)
        return;
    Row &r = m_rows[index];
    if (auto *e = qobject_cast<QLineEdit *>(field(r.parameter.name)))
        r.set = !e->text().isEmpty();
    else if (auto *c = qobject_cast<QComboBox *>(r.field))
        r.set = c->currentIndex() > 0;
    else if (auto *s = qobject_cast<QSpinBox *>(r.field))
        r.set = s->text() != s->specialValueText();
    else if (qobject_cast<QCheckBox *>(r.field))
        r.set = true;
    else if (auto *t = qobject_cast<QPlainTextEdit *>(r.field))
        r.set = !t->toPlainText().trimmed().isEmpty();
    m_changed = true;
    check(r);
    updateButtons();
}

void ParametersDialog::resetRow(int index)
{
    Row &r = m_rows[index];
    m_loading = true;
    if (auto *e = qobject_cast<QLineEdit *>(field(r.parameter.name)))
        e->clear();
    else if (auto *c = qobject_cast<QComboBox *>(r.field))
        c->setCurrentIndex(0);
    else if (auto *s = qobject_cast<QSpinBox *>(r.field))
        s->setValue(s->minimum());
    else if (auto *b = qobject_cast<QCheckBox *>(r.field))
        b->setChecked(r.parameter.defaultValue.toBool());
    else if (auto *t = qobject_cast<QPlainTextEdit *>(r.field))
        t->clear();
    m_loading = false;
    r.set = false;
    m_changed = true;
    check(r);
    updateButtons();
}

bool ParametersDialog::isValid() const
{
    return std::all_of(m_rows.begin(), m_rows.end(),
                       [](const Row &r) { return r.problem.isEmpty(); });
}

QStringList ParametersDialog::missingRequired() const
{
    QStringList out;
    for (const Row &r : m_rows)
        if (!r.set && r.keyVaultEntry.isEmpty() && !r.parameter.hasDefault())
            out << r.parameter.name;
    return out;
}

void ParametersDialog::updateButtons()
{
    QStringList invalid;
    for (const Row &r : std::as_const(m_rows))
        if (!r.problem.isEmpty())
            invalid << r.parameter.name;
    const QStringList missing = missingRequired();
    QString text;
    if (!invalid.isEmpty())
        text = tr("Fix %1 first (the message under each field says how).")
                   .arg(invalid.join(QStringLiteral(", ")));
    else if (!missing.isEmpty())
        text = tr("Still without a value: %1. You can press OK now; the Problems list will "
                  "name them until they have one.")
                   .arg(missing.join(QStringLiteral(", ")));
    if (!m_savedPath.isEmpty())
        text = (text.isEmpty() ? QString() : text + QLatin1Char(' '))
               + (parametersPath() == m_savedPath
                      ? tr("Saved to %1, remembered for this template.").arg(m_savedPath)
                      : tr("Changed since saved to %1.").arg(m_savedPath));
    m_summary->setText(text);
    m_summary->setStyleSheet(invalid.isEmpty() ? QString() : QStringLiteral("color:#b02a20"));
    m_summary->setVisible(!text.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(invalid.isEmpty());
    m_saveAs->setEnabled(invalid.isEmpty());
}

QByteArray ParametersDialog::parametersJson() const
{
    QList<QPair<QString, QJsonObject>> entries;
    for (const Row &r : m_rows) {
        if (!r.keyVaultEntry.isEmpty()) {
            entries.append({r.parameter.name, r.keyVaultEntry});
            continue;
        }
        QString problem;
        const std::optional<QJsonValue> value = rowValue(r, &problem);
        if (value && problem.isEmpty())
            entries.append({r.parameter.name, QJsonObject{{QStringLiteral("value"), *value}}});
    }
    for (auto it = m_undeclared.begin(); it != m_undeclared.end(); ++it)
        entries.append({it.key(), it.value().toObject()});
    return Config::parametersFileJson(entries);
}

QString ParametersDialog::parametersPath() const
{
    if (!m_savedPath.isEmpty() && parametersJson() == m_savedJson)
        return m_savedPath;
    return m_changed ? QString() : m_openedPath;
}

bool ParametersDialog::saveAs(const QString &path, QString *errorString)
{
    const QByteArray json = parametersJson();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() || !file.commit()) {
        if (errorString)
            *errorString = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    m_savedPath = QFileInfo(path).absoluteFilePath();
    m_savedJson = json;
    // Only the file's path goes to the settings, never a value.
    if (!m_templatePath.isEmpty())
        QSettings().setValue(settingsKey(m_templatePath), m_savedPath);
    updateButtons();
    return true;
}

} // namespace Gateway::Ui
