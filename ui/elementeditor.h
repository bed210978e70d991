#pragma once

// The form editor: a header (kind, name with rename, duplicate, delete) over a QStackedWidget
// holding one ElementForm per element kind.

#include "elementref.h"

#include <QIcon>
#include <QWidget>

class QLabel;
class QLineEdit;
class QScrollArea;
class QStackedWidget;
class QToolButton;

namespace Gateway::Ui {

class ConfigController;
class ElementForm;

QIcon elementIcon(ElementKind kind);

class ElementEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ElementEditor)
public:
    explicit ElementEditor(ConfigController *controller, QWidget *parent = nullptr);

    ElementRef element() const { return m_ref; }
    ElementForm *form(ElementKind kind) const;
    ElementForm *currentForm() const;
    QLineEdit *nameEdit() const { return m_name; }

public slots:
    void setElement(const Gateway::Ui::ElementRef &ref);
    void focusPath(const QString &diagnosticPath);

signals:
    void elementChanged(const Gateway::Ui::ElementRef &ref);

private:
    void refresh();
    void updateWidgets();
    void commitName();

    ConfigController *m_controller;
    ElementRef m_ref;
    QLabel *m_icon;
    QLabel *m_kind;
    QLineEdit *m_name;
    QLabel *m_nameError;
    QToolButton *m_duplicate;
    QToolButton *m_delete;
    QStackedWidget *m_stack;
    QWidget *m_empty;
    QList<ElementForm *> m_forms;
    QList<QScrollArea *> m_pages;
};

} // namespace Gateway::Ui
