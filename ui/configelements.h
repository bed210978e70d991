#pragma once

// Pure functions over Config::GatewayConfig that the editor needs: list, find, add with sensible
// defaults, duplicate and remove elements by ElementRef, and map JSON paths to elements.

#include "config/gatewayconfig.h"
#include "elementref.h"

#include <QList>
#include <QStringList>

namespace Gateway::Ui {

QStringList elementNames(const Config::GatewayConfig &config, ElementKind kind,
                         const QString &parent = {});
QList<ElementRef> allElements(const Config::GatewayConfig &config);
bool elementExists(const Config::GatewayConfig &config, const ElementRef &ref);
// The JSON path of the element ("resources[2].properties.httpListeners[0]"), computed from its
// position when the element is new and has no jsonPath yet.
QString elementJsonPath(const Config::GatewayConfig &config, const ElementRef &ref);
// The element a diagnostic path belongs to (longest match); Gateway when none.
ElementRef elementForPath(const Config::GatewayConfig &config, const QString &path);
// True when path is the element's path or below it.
bool pathIsUnder(const QString &path, const QString &elementPath);

QString uniqueName(const Config::GatewayConfig &config, ElementKind kind, const QString &parent,
                   const QString &prefix);
// Adds a new element with defaults that make it valid where possible (references to the first
// existing target). Returns its ref (invalid when the kind cannot be added).
ElementRef addElement(Config::GatewayConfig &config, ElementKind kind, const QString &parent = {});
ElementRef duplicateElement(Config::GatewayConfig &config, const ElementRef &ref);
bool removeElement(Config::GatewayConfig &config, const ElementRef &ref);
// Renames in the model only, with every reference following (the editor uses
// ConfigDocument::renameElement, which does this and the JSON; this is its model-side twin for
// previews and tests).
bool renameElementInModel(Config::GatewayConfig &config, const ElementRef &ref,
                          const QString &newName);

// Lookups by name, case-insensitive; nullptr when absent.
template<typename T>
T *findElement(QList<T> &list, const QString &name)
{
    for (T &e : list)
        if (e.name.compare(name, Qt::CaseInsensitive) == 0)
            return &e;
    return nullptr;
}
template<typename T>
const T *findElement(const QList<T> &list, const QString &name)
{
    for (const T &e : list)
        if (e.name.compare(name, Qt::CaseInsensitive) == 0)
            return &e;
    return nullptr;
}

} // namespace Gateway::Ui
