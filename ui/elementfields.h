#pragma once

// The fields of every element kind, as the form editor shows them: Azure's property name as the
// label, a tooltip with the meaning, default and range (azure-reference.md), and accessors that
// read and write the value in a GatewayConfig. The forms are built from these descriptions.

#include "config/gatewayconfig.h"
#include "elementref.h"

#include <QList>
#include <QStringList>
#include <QVariant>

#include <functional>

namespace Gateway::Ui {

struct FieldSpec
{
    enum class Type { Text, Integer, Boolean, Choice, Reference, List, Lines, KeyValueLines, Json };

    QString key;   // path below the element, as diagnostics name it: "properties.requestTimeout"
    QString label; // Azure's property name
    QString tip;   // what it means, default, range
    Type type = Type::Text;
    QStringList choices;                        // Choice
    ElementKind refKind = ElementKind::Gateway; // Reference
    int minimum = 0;
    int maximum = 999999;
    QString specialValueText; // Integer: shown for the minimum ("not set")
    QString placeholder;
    bool readOnly = false;
    std::function<QVariant(const Config::GatewayConfig &, const ElementRef &)> get;
    // Returns an error message when the text cannot be taken (unparsable JSON, "80 = x").
    std::function<QString(Config::GatewayConfig &, const ElementRef &, const QVariant &)> set;
    std::function<bool(const Config::GatewayConfig &, const ElementRef &)> enabled; // optional
};

const QList<FieldSpec> &fieldsFor(ElementKind kind);

// Parsing helpers shared with tests.
QStringList splitList(const QString &text); // "a, b,c" -> {a,b,c}
QString joinList(const QStringList &list);

} // namespace Gateway::Ui
