#include "configcontroller.h"

#include "config/configvalidator.h"
#include "configelements.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUndoCommand>
#include <QUndoStack>
#include <QUuid>

#include <algorithm>

namespace Gateway::Ui {

using Config::ConfigDocument;
using Config::GatewayConfig;

namespace {

class EditCommand final : public QUndoCommand
{
public:
    EditCommand(ConfigController *controller, GatewayConfig before, GatewayConfig after,
                const QString &text, const QString &mergeKey)
        : QUndoCommand(text)
        , m_controller(controller)
        , m_before(std::move(before))
        , m_after(std::move(after))
        , m_mergeKey(mergeKey)
    {
    }
    void undo() override { m_controller->applyModel(m_before); }
    void redo() override { m_controller->applyModel(m_after); }
    int id() const override { return m_mergeKey.isEmpty() ? -1 : 1; }
    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *o = static_cast<const EditCommand *>(other);
        if (o->m_mergeKey != m_mergeKey)
            return false;
        m_after = o->m_after;
        return true;
    }

private:
    ConfigController *m_controller;
    GatewayConfig m_before;
    GatewayConfig m_after;
    QString m_mergeKey;
};

class RenameCommand final : public QUndoCommand
{
public:
    RenameCommand(ConfigController *controller, GatewayConfig before, QString collection,
                  QString oldName, QString newName)
        : QUndoCommand(QObject::tr("Rename %1 to %2").arg(oldName, newName))
        , m_controller(controller)
        , m_before(std::move(before))
        , m_collection(std::move(collection))
        , m_old(std::move(oldName))
        , m_new(std::move(newName))
    {
    }
    void redo() override
    {
        if (m_hasAfter) {
            m_controller->applyRename(m_collection, m_old, m_new);
            m_controller->applyModel(m_after);
        } else {
            m_ok = m_controller->applyRename(m_collection, m_old, m_new);
            m_after = m_controller->config();
            m_hasAfter = true;
        }
    }
    void undo() override
    {
        m_controller->applyRename(m_collection, m_new, m_old);
        m_controller->applyModel(m_before);
    }
    bool ok() const { return m_ok; }

private:
    ConfigController *m_controller;
    GatewayConfig m_before;
    GatewayConfig m_after;
    bool m_hasAfter = false;
    bool m_ok = false;
    QString m_collection;
    QString m_old;
    QString m_new;
};

} // namespace

ConfigController::ConfigController(QObject *parent) : QObject(parent), m_undo(new QUndoStack(this))
{
    m_recoveryId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_recoveryDir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)
                    + QStringLiteral("/recovery");
    m_autosave.setSingleShot(true);
    m_autosave.setInterval(1500);
    connect(&m_autosave, &QTimer::timeout, this, [this] { autosaveNow(); });
    connect(m_undo, &QUndoStack::cleanChanged, this, [this] { afterChange(); });
    m_document = ConfigDocument::createNew();
    revalidate();
}

ConfigController::~ConfigController()
{
    // No autosave here: edits are autosaved 1.5 s after they happen (a crash loses at most
    // that), and a recovery file the user discarded on close must not come back.
    m_autosave.stop();
}

Config::Diagnostics ConfigController::diagnosticsFor(const ElementRef &ref,
                                                     bool includeChildren) const
{
    Config::Diagnostics out;
    const GatewayConfig &c = config();
    for (const Config::Diagnostic &d : m_diagnostics) {
        const ElementRef owner = elementForPath(c, d.path);
        if (owner == ref)
            out.append(d);
        else if (includeChildren && ref.kind == ElementKind::UrlPathMap
                 && owner.kind == ElementKind::PathRule
                 && owner.parent.compare(ref.name, Qt::CaseInsensitive) == 0)
            out.append(d);
    }
    return out;
}

int ConfigController::errorCount() const
{
    return int(std::count_if(m_diagnostics.cbegin(), m_diagnostics.cend(),
                             [](const Config::Diagnostic &d) { return d.isError(); }));
}

int ConfigController::warningCount() const
{
    return int(m_diagnostics.size()) - errorCount();
}

bool ConfigController::isModified() const
{
    return m_document.isModified() || (m_document.filePath().isEmpty() && !m_undo->isClean());
}

QString ConfigController::displayName() const
{
    if (!m_document.filePath().isEmpty())
        return QFileInfo(m_document.filePath()).fileName();
    return m_untitledName.isEmpty() ? tr("Untitled") : m_untitledName;
}

void ConfigController::resetDocument(const ConfigDocument &document, const QString &name)
{
    m_untitledName = name;
    discardRecovery();
    m_recoveryId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_document = document;
    m_undo->clear();
    m_undo->setClean();
    revalidate();
    emit documentChanged();
    emit configChanged();
    afterChange();
}

void ConfigController::newDocument(const QString &gatewayName)
{
    resetDocument(ConfigDocument::createNew(gatewayName));
}

bool ConfigController::open(const QString &path, QString *errorString, const QString &parametersPath)
{
    ConfigDocument doc = ConfigDocument::fromFile(path, parametersPath);
    if (!doc.isLoaded()) {
        if (errorString) {
            QStringList lines;
            for (const auto &d : doc.loadDiagnostics())
                lines << Config::formatDiagnostic(path, d);
            *errorString = lines.isEmpty() ? tr("%1 could not be read.").arg(path)
                                           : lines.join(QLatin1Char('\n'));
        }
        return false;
    }
    resetDocument(doc);
    return true;
}

void ConfigController::setParameters(const QByteArray &parametersJson, const QString &parametersPath)
{
    m_document.setParameters(parametersJson, parametersPath);
    m_undo->clear();
    revalidate();
    emit configChanged();
    afterChange();
}

void ConfigController::setDocument(const ConfigDocument &document, const QString &name)
{
    resetDocument(document, name);
}

bool ConfigController::save(QString *errorString)
{
    if (m_document.filePath().isEmpty()) {
        if (errorString)
            *errorString = tr("The document has no file yet; use Save As.");
        return false;
    }
    if (!m_document.save(errorString))
        return false;
    m_undo->setClean();
    discardRecovery();
    afterChange();
    return true;
}

bool ConfigController::saveAs(const QString &path, QString *errorString)
{
    if (!m_document.saveAs(path, errorString))
        return false;
    discardRecovery();
    m_undo->setClean();
    afterChange();
    emit documentChanged();
    return true;
}

void ConfigController::edit(const GatewayConfig &after, const QString &text, const QString &mergeKey)
{
    if (after == config())
        return;
    m_undo->push(new EditCommand(this, config(), after, text, mergeKey));
}

bool ConfigController::rename(const ElementRef &ref, const QString &newName, QString *errorString)
{
    const QString name = newName.trimmed();
    if (name.isEmpty()) {
        if (errorString)
            *errorString = tr("A name cannot be empty.");
        return false;
    }
    if (name == ref.name)
        return true;
    if (name.compare(ref.name, Qt::CaseInsensitive) != 0
        && elementNames(config(), ref.kind, ref.parent).contains(name, Qt::CaseInsensitive)) {
        if (errorString)
            *errorString = tr("Another %1 is already called %2.")
                               .arg(kindLabel(ref.kind).toLower(), name);
        return false;
    }
    if (ref.kind == ElementKind::Gateway) {
        GatewayConfig after = config();
        after.name = name;
        edit(after, tr("Rename gateway to %1").arg(name));
        return true;
    }
    auto *command = new RenameCommand(this, config(), collectionName(ref.kind, ref.parent),
                                      ref.name, name);
    m_undo->push(command);
    if (!command->ok()) {
        // The document refused (unknown element): drop the no-op step.
        m_undo->undo();
        if (errorString)
            *errorString = tr("%1 could not be renamed.").arg(ref.name);
        return false;
    }
    emit elementRenamed(ref, name);
    return true;
}

ElementRef ConfigController::add(ElementKind kind, const QString &parent)
{
    GatewayConfig after = config();
    const ElementRef ref = addElement(after, kind, parent);
    if (!ref.isValid() || ref.kind == ElementKind::Gateway)
        return {};
    edit(after, tr("Add %1 %2").arg(kindLabel(kind).toLower(), ref.name));
    emit elementAdded(ref);
    return ref;
}

ElementRef ConfigController::duplicate(const ElementRef &ref)
{
    GatewayConfig after = config();
    const ElementRef copy = duplicateElement(after, ref);
    if (!copy.isValid() || copy.kind == ElementKind::Gateway || copy.name.isEmpty())
        return {};
    edit(after, tr("Duplicate %1").arg(ref.name));
    emit elementAdded(copy);
    return copy;
}

bool ConfigController::remove(const ElementRef &ref)
{
    GatewayConfig after = config();
    if (!removeElement(after, ref))
        return false;
    edit(after, tr("Delete %1 %2").arg(kindLabel(ref.kind).toLower(), ref.name));
    return true;
}

void ConfigController::applyModel(const GatewayConfig &model)
{
    m_document.setModel(model);
    revalidate();
    emit configChanged();
    afterChange();
}

bool ConfigController::applyRename(const QString &collection, const QString &oldName,
                                   const QString &newName)
{
    const bool ok = m_document.renameElement(collection, oldName, newName);
    revalidate();
    emit configChanged();
    afterChange();
    return ok;
}

void ConfigController::revalidate()
{
    Config::Diagnostics all = m_document.loadDiagnostics();
    const Config::Diagnostics more = Config::validate(m_document.model());
    for (const auto &d : more)
        if (!all.contains(d))
            all.append(d);
    if (all != m_diagnostics) {
        m_diagnostics = all;
        emit diagnosticsChanged();
    }
}

void ConfigController::afterChange()
{
    const bool modified = isModified();
    if (modified)
        m_autosave.start();
    if (modified != m_lastModified) {
        m_lastModified = modified;
        emit modifiedChanged(modified);
    }
}

// ---- recovery ------------------------------------------------------------------------------

void ConfigController::setRecoveryDirectory(const QString &directory)
{
    m_recoveryDir = directory;
}

QString ConfigController::recoveryFile() const
{
    return m_recoveryDir + QStringLiteral("/%1.appgw-recovery.json").arg(m_recoveryId);
}

bool ConfigController::autosaveNow()
{
    m_autosave.stop();
    if (!isModified())
        return false;
    QDir().mkpath(m_recoveryDir);
    QJsonObject wrapper;
    wrapper.insert(QStringLiteral("originalPath"), m_document.filePath());
    wrapper.insert(QStringLiteral("savedAt"),
                   QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    wrapper.insert(QStringLiteral("content"), QString::fromUtf8(m_document.toJson()));
    QSaveFile file(recoveryFile());
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(QJsonDocument(wrapper).toJson(QJsonDocument::Indented));
    return file.commit();
}

void ConfigController::discardRecovery()
{
    m_autosave.stop();
    QFile::remove(recoveryFile());
}

QStringList ConfigController::pendingRecoveries(const QString &directory)
{
    QStringList files;
    const QFileInfoList infos = QDir(directory).entryInfoList(
        {QStringLiteral("*.appgw-recovery.json")}, QDir::Files, QDir::Time);
    for (const QFileInfo &info : infos)
        files << info.absoluteFilePath();
    return files;
}

QString ConfigController::recoveryOriginalPath(const QString &recoveryFile)
{
    QFile file(recoveryFile);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll())
        .object()
        .value(QStringLiteral("originalPath"))
        .toString();
}

bool ConfigController::recover(const QString &recoveryFilePath, QString *errorString)
{
    QFile file(recoveryFilePath);
    if (!file.open(QIODevice::ReadOnly)) {
        if (errorString)
            *errorString = file.errorString();
        return false;
    }
    const QJsonObject wrapper = QJsonDocument::fromJson(file.readAll()).object();
    file.close();
    const QString original = wrapper.value(QStringLiteral("originalPath")).toString();
    const QByteArray content = wrapper.value(QStringLiteral("content")).toString().toUtf8();
    const ConfigDocument recovered = ConfigDocument::fromJson(
        content, {}, original.isEmpty() ? QStringLiteral("<recovered>") : original);
    if (!recovered.isLoaded()) {
        if (errorString)
            *errorString = tr("The recovery file is not readable.");
        return false;
    }
    ConfigDocument base = !original.isEmpty() && QFileInfo::exists(original)
                              ? ConfigDocument::fromFile(original)
                              : ConfigDocument();
    if (base.isLoaded()) {
        resetDocument(base);
        edit(recovered.model(), tr("Recovered unsaved edits"));
    } else {
        resetDocument(ConfigDocument::createNew(recovered.model().name));
        edit(recovered.model(), tr("Recovered unsaved edits"));
    }
    QFile::remove(recoveryFilePath);
    autosaveNow(); // under this session's own recovery name
    return true;
}

} // namespace Gateway::Ui
