#pragma once

// Reads a configuration (ARM template, bare resource, parameters file) into a ConfigDocument's
// typed model. Internal to core/config.

#include "config/configdocument.h"

#include <QJsonObject>
#include <QStringList>

namespace Gateway::Config {

class TemplateReader
{
public:
    // Parses json (and parametersJson, if not empty) into doc: kind, JSON trees, model and
    // load diagnostics. Never throws; bad input leaves errors in doc.m_loadDiagnostics.
    static void read(ConfigDocument &doc, const QByteArray &json, const QByteArray &parametersJson);
};

namespace Internal {

// The ARM collections of a gateway that the model knows, in model order.
const QStringList &knownCollections();
// "BackendHttpSettingsList" -> "backendHttpSettingsCollection"; unknown names unchanged.
QString canonicalCollection(const QString &segment);
// Resolves an evaluated id by its trailing collection/name (path rules:
// urlPathMaps/{map}/pathRules/{rule}); tolerates stray `')]"` at the end of literal ids.
Ref refFromId(const QString &id);
// The id without trailing garbage; *garbage receives what was cut.
QString cleanId(const QString &id, QString *garbage = nullptr);

} // namespace Internal
} // namespace Gateway::Config
