#include "config/configdocument.h"

#include "config/configwriter.h"
#include "config/jsontext.h"
#include "config/templatereader.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace Gateway::Config {

ConfigDocument ConfigDocument::fromFile(const QString &path, const QString &parametersPath)
{
    ConfigDocument doc;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        doc.m_filePath = path;
        doc.m_parametersPath = parametersPath;
        doc.m_loadDiagnostics.append(
            {Diagnostic::Severity::Error, QString(),
             QStringLiteral("cannot read the file: %1").arg(file.errorString())});
        return doc;
    }
    QByteArray parameters;
    QString parametersError;
    if (!parametersPath.isEmpty()) {
        QFile pf(parametersPath);
        if (pf.open(QIODevice::ReadOnly))
            parameters = pf.readAll();
        else
            parametersError = pf.errorString();
    }
    doc = fromJson(file.readAll(), parameters);
    doc.m_filePath = path;
    doc.m_parametersPath = parametersPath;
    if (!parametersError.isEmpty())
        doc.m_loadDiagnostics.prepend({Diagnostic::Severity::Error, QStringLiteral("parameters"),
                                       QStringLiteral("cannot read the parameters file %1: %2")
                                           .arg(parametersPath, parametersError)});
    return doc;
}

ConfigDocument ConfigDocument::fromJson(const QByteArray &json, const QByteArray &parametersJson,
                                        const QString &sourceName)
{
    Q_UNUSED(sourceName)
    ConfigDocument doc;
    doc.m_originalText = json;
    doc.m_text = json;
    doc.m_parametersText = parametersJson;
    TemplateReader::read(doc, json, parametersJson);
    doc.m_savedModel = doc.m_model;
    return doc;
}

ConfigDocument ConfigDocument::createNew(const QString &gatewayName)
{
    return fromJson(ConfigWriter::newTemplate(gatewayName.isEmpty() ? QStringLiteral("appgw1")
                                                                    : gatewayName));
}

QString ConfigDocument::directory() const
{
    return m_filePath.isEmpty() ? QString() : QFileInfo(m_filePath).absolutePath();
}

void ConfigDocument::reload()
{
    TemplateReader::read(*this, m_text, m_parametersText);
}

void ConfigDocument::setParameters(const QByteArray &parametersJson, const QString &parametersPath)
{
    const bool wasModified = isModified();
    m_parametersText = parametersJson;
    m_parametersPath = parametersPath;
    reload();
    // What the file on disk evaluates to with these values: the baseline isModified() compares to.
    m_savedModel = wasModified ? fromJson(m_originalText, parametersJson).m_model : m_model;
}

void ConfigDocument::setModel(const GatewayConfig &model)
{
    if (model == m_model)
        return;
    Internal::JsonText text(m_text);
    QString error;
    if (!m_loaded || !ConfigWriter(*this).write(text, m_model, model, &error)) {
        m_model = model; // keep the user's edit in memory even if the JSON cannot take it
        return;
    }
    m_text = text.text();
    reload();
}

bool ConfigDocument::renameElement(const QString &collection, const QString &oldName,
                                   const QString &newName)
{
    if (!m_loaded)
        return false;
    Internal::JsonText text(m_text);
    QString error;
    if (!ConfigWriter(*this).rename(text, collection, oldName, newName, &error))
        return false;
    m_text = text.text();
    reload();
    return true;
}

QByteArray ConfigDocument::toJson() const
{
    return m_text;
}

bool ConfigDocument::save(QString *errorString)
{
    if (m_filePath.isEmpty()) {
        if (errorString)
            *errorString = QStringLiteral("the document has no file name; use Save As");
        return false;
    }
    return saveAs(m_filePath, errorString);
}

bool ConfigDocument::saveAs(const QString &path, QString *errorString)
{
    QSaveFile file(path);
    // Unbuffered, so that a short write (disk full, file size limit) shows in write()'s result:
    // buffered, Qt 6.4 can report success for a file that was cut short while flushing.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        if (errorString)
            *errorString = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.write(m_text) != m_text.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        if (errorString)
            *errorString = QStringLiteral("cannot write %1: %2").arg(path, reason);
        return false;
    }
    if (!file.commit()) {
        if (errorString)
            *errorString = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    m_filePath = path;
    m_originalText = m_text;
    m_savedModel = m_model;
    return true;
}

} // namespace Gateway::Config
