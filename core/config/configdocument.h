#pragma once

// A configuration file as the user wrote it: an ARM deployment template holding one
// Microsoft.Network/applicationGateways resource, a bare resource object (as
// `az network application-gateway show` prints it), optionally with an ARM parameters file.
//
// ConfigDocument keeps the original JSON (parameters, variables, expressions) and the evaluated
// typed model. Editing means: take model(), change it, setModel(); save() then writes back only
// what changed, into the original JSON, atomically (QSaveFile). Load -> save -> load gives an
// equal model, and saving an unchanged document reproduces the file's content.

#include "config/gatewayconfig.h"

#include <QJsonDocument>
#include <QString>

namespace Gateway::Config {

class ConfigDocument
{
public:
    enum class Kind { Template, BareResource };

    ConfigDocument() = default;

    // Reads and evaluates. Never throws, never crashes on bad input: problems (unreadable file,
    // invalid JSON, an expression it cannot evaluate, a missing parameter value) go to
    // diagnostics() as errors with their JSON path, and as much of the model as possible is kept.
    static ConfigDocument fromFile(const QString &path, const QString &parametersPath = {});
    static ConfigDocument fromJson(const QByteArray &json, const QByteArray &parametersJson = {},
                                   const QString &sourceName = QStringLiteral("<memory>"));

    // A new, empty gateway template (used by "File > New" in the console).
    static ConfigDocument createNew(const QString &gatewayName = QStringLiteral("appgw1"));

    bool isLoaded() const { return m_loaded; } // false when the file or its JSON is unusable
    Kind kind() const { return m_kind; }
    QString filePath() const { return m_filePath; }
    QString parametersPath() const { return m_parametersPath; }
    // The parameters file's content the model was evaluated with (empty: none).
    QByteArray parametersJson() const { return m_parametersText; }
    // Evaluates the template again with other parameter values (an ARM parameters file's
    // content, e.g. from the console's parameters editor; path: the file it came from or was
    // saved to, empty when it lives only in memory). Edits made since the last save stay; the
    // template's text is not touched, so a document that was unmodified stays unmodified.
    void setParameters(const QByteArray &parametersJson, const QString &parametersPath = {});
    QString directory() const; // folder of the file; relative certificate paths start here

    const GatewayConfig &model() const { return m_model; }
    // Replaces the model. Renames are recorded by setModel's caller through renameElement()
    // before or after; setModel itself compares by position and name.
    void setModel(const GatewayConfig &model);

    // Renames an element and every reference to it (references follow), in the model and in
    // the JSON. collection is the ARM collection name ("backendAddressPools", ...).
    bool renameElement(const QString &collection, const QString &oldName, const QString &newName);

    // Problems found while reading (JSON, expressions, parameters). Validation proper is
    // validate() in configvalidator.h; diagnostics() + validate(model()) is the whole picture.
    const Diagnostics &loadDiagnostics() const { return m_loadDiagnostics; }

    // The JSON that save() would write.
    QByteArray toJson() const;

    // Atomic save (QSaveFile). On failure the old file is intact and errorString says why.
    bool save(QString *errorString = nullptr);
    bool saveAs(const QString &path, QString *errorString = nullptr);

    bool isModified() const { return m_model != m_savedModel; }

private:
    bool m_loaded = false;
    Kind m_kind = Kind::Template;
    QString m_filePath;
    QString m_parametersPath;
    QByteArray m_originalText;   // the file's bytes as read
    QByteArray m_text;           // what save() writes: m_originalText with the edits spliced in
    QByteArray m_parametersText; // the parameters file's bytes, if any
    QJsonDocument m_document;    // the original JSON tree (expressions kept)
    QJsonDocument m_parameters;  // parameters file, if any
    GatewayConfig m_model;       // evaluated model, possibly edited
    GatewayConfig m_loadedModel; // the model as evaluated from m_document
    GatewayConfig m_savedModel;  // the model at the last load or save
    Diagnostics m_loadDiagnostics;

    void reload();

    friend class ConfigWriter;
    friend class TemplateReader;
};

} // namespace Gateway::Config
