#pragma once

// One form per element kind, built from its FieldSpec list (elementfields.h). The form shows the
// values of the element it is pointed at, commits each field through the ConfigController (one
// undoable step), and shows the validator's messages for that element next to each field, or in
// the hint label when they belong to no field. It never keeps config state of its own.

#include "config/gatewayconfig.h"
#include "elementfields.h"
#include "elementref.h"

#include <QWidget>

class QFormLayout;
class QLabel;

namespace Gateway::Ui {

class ConfigController;

class ElementForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ElementForm)
public:
    ElementForm(ElementKind kind, ConfigController *controller, QWidget *parent = nullptr);

    ElementKind kind() const { return m_kind; }
    ElementRef element() const { return m_ref; }
    void setElement(const ElementRef &ref);

    // Reads the values and the diagnostics again (after a model change).
    void refresh();
    void updateWidgets();  // enable/disable from state
    void updateMessages(); // the validator's messages at their fields

    // For navigation and tests.
    QWidget *editorFor(const QString &key) const;
    QLabel *messageLabelFor(const QString &key) const;
    QLabel *hintLabel() const { return m_hint; }
    bool focusPath(const QString &diagnosticPath);

private:
    struct Row
    {
        const FieldSpec *spec = nullptr;
        QWidget *editor = nullptr;
        QLabel *label = nullptr;
        QLabel *message = nullptr;
        QString parseError;
    };
    QWidget *createEditor(Row &row);
    void load(Row &row);
    void commit(Row &row);
    QVariant editorValue(const Row &row) const;
    Row *rowForEditor(QObject *editor);
    bool eventFilter(QObject *watched, QEvent *event) override;

    ElementKind m_kind;
    ConfigController *m_controller;
    ElementRef m_ref;
    QList<Row> m_rows;
    QFormLayout *m_layout;
    QLabel *m_hint;
    bool m_loading = false;
};

} // namespace Gateway::Ui
