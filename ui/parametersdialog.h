#pragma once

// File › Template Parameters…: one typed field per parameter the template declares (core's
// TemplateParameter), filled from the current parameters file or showing the default as a
// placeholder. Each field says at once why a value cannot work (out of range, not allowed,
// invalid JSON, too long) and OK stays disabled until every field can. OK hands back an ARM
// parameters file's content for ConfigController::setParameters; Save As… writes it as a
// standard parameters file and remembers it for the template. Secure values are masked and never
// go to QSettings: only into the file the user saves.

#include "config/templateparameters.h"

#include <QDialog>
#include <QJsonObject>
#include <QList>

#include <optional>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QPushButton;
class QToolButton;

namespace Gateway::Ui {

class ParametersDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParametersDialog)
public:
    // templateJson: the template's text; parametersJson/parametersPath: the parameters file the
    // document was evaluated with (empty: none); templatePath: where Save As remembers the file.
    ParametersDialog(const QByteArray &templateJson, const QByteArray &parametersJson,
                     const QString &parametersPath, const QString &templatePath,
                     QWidget *parent = nullptr);

    // The QSettings key holding the parameters file remembered for a template.
    static QString settingsKey(const QString &templatePath);

    int parameterCount() const { return int(m_rows.size()); }
    // The field of a parameter (QLineEdit, QComboBox, QSpinBox, QCheckBox, QPlainTextEdit), the
    // label under it that says what is wrong (hidden when nothing is), for tests and navigation.
    QWidget *field(const QString &name) const;
    QLabel *errorLabel(const QString &name) const;
    QString fieldError(const QString &name) const;
    QToolButton *showButton(const QString &name) const; // secure parameters only
    // True when every field holds a value its declaration accepts (unset fields with a default,
    // and required ones still empty, do not count against it).
    bool isValid() const;
    bool isChanged() const { return m_changed; }
    QStringList missingRequired() const;

    // The parameters file the fields give: every value set by the file or the user, Key Vault
    // references as they were; defaults stay out (the template supplies them).
    QByteArray parametersJson() const;
    // The file the values are in: the one opened (while unchanged) or saved; empty when the
    // values are only in memory.
    QString parametersPath() const;
    // Writes parametersJson() to path and remembers it for the template.
    bool saveAs(const QString &path, QString *errorString = nullptr);

private:
    struct Row
    {
        Config::TemplateParameter parameter;
        QWidget *field = nullptr;
        QLabel *error = nullptr;
        QToolButton *show = nullptr;
        QToolButton *reset = nullptr;
        QJsonObject keyVaultEntry; // kept as is
        bool set = false;          // the file or the user gave a value
        QString problem;
    };
    QWidget *createField(Row &row, const std::optional<QJsonValue> &value);
    // The field's value; nullopt when unset. *problem: why it cannot work.
    std::optional<QJsonValue> rowValue(const Row &row, QString *problem) const;
    void fieldEdited(int index);
    void resetRow(int index);
    void check(Row &row);
    void updateButtons();
    const Row *row(const QString &name) const;

    QList<Row> m_rows;
    QJsonObject m_undeclared; // entries of the file the template does not declare: kept
    QString m_templatePath;
    QString m_openedPath;
    QString m_savedPath;
    QByteArray m_savedJson;
    bool m_changed = false;
    bool m_loading = false;
    QLabel *m_summary = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_saveAs = nullptr;
};

} // namespace Gateway::Ui
