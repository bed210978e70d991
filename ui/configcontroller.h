#pragma once

// The editor's model over core's ConfigDocument (house-style 24: widgets never hold config
// state). Every change goes through an undo command holding before/after GatewayConfig
// snapshots; after each change the configuration is validated and diagnostics are published.
// Unsaved edits are autosaved to a recovery file so nothing typed is lost.

#include "config/configdocument.h"
#include "elementref.h"

#include <QObject>
#include <QTimer>

class QUndoStack;

namespace Gateway::Ui {

class ConfigController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigController)
public:
    explicit ConfigController(QObject *parent = nullptr);
    ~ConfigController() override;

    const Config::ConfigDocument &document() const { return m_document; }
    const Config::GatewayConfig &config() const { return m_document.model(); }
    const Config::Diagnostics &diagnostics() const { return m_diagnostics; }
    Config::Diagnostics diagnosticsFor(const ElementRef &ref, bool includeChildren = true) const;
    int errorCount() const;
    int warningCount() const;
    QUndoStack *undoStack() const { return m_undo; }
    bool isModified() const;
    QString filePath() const { return m_document.filePath(); }
    QString displayName() const;

    // Documents
    void newDocument(const QString &gatewayName = QStringLiteral("appgw1"));
    // parametersPath: an ARM parameters file giving the template's parameters their values.
    bool open(const QString &path, QString *errorString = nullptr,
              const QString &parametersPath = {});
    // Evaluates the document again with other parameter values (an ARM parameters file's
    // content; path: where it is saved, empty when only in memory). The undo history is cleared:
    // its steps hold models evaluated with the old values.
    void setParameters(const QByteArray &parametersJson, const QString &parametersPath = {});
    // e.g. the demo's; name: what the title calls a document without a file ("Demo gateway").
    void setDocument(const Config::ConfigDocument &document, const QString &name = {});
    bool save(QString *errorString = nullptr);
    bool saveAs(const QString &path, QString *errorString = nullptr);

    // Edits (each one undoable). mergeKey: consecutive edits with the same non-empty key merge
    // into one undo step (typing in one field).
    void edit(const Config::GatewayConfig &after, const QString &text, const QString &mergeKey = {});
    bool rename(const ElementRef &ref, const QString &newName, QString *errorString = nullptr);
    ElementRef add(ElementKind kind, const QString &parent = {});
    ElementRef duplicate(const ElementRef &ref);
    bool remove(const ElementRef &ref);

    // Applied by the undo commands; not for direct use.
    void applyModel(const Config::GatewayConfig &model);
    bool applyRename(const QString &collection, const QString &oldName, const QString &newName);

    // Recovery
    void setRecoveryDirectory(const QString &directory);
    QString recoveryDirectory() const { return m_recoveryDir; }
    QString recoveryFile() const;
    void setAutosaveDelay(int ms) { m_autosave.setInterval(ms); }
    bool autosaveNow();
    void discardRecovery();
    static QStringList pendingRecoveries(const QString &directory);
    // Original path ("" for untitled) and time of a recovery file.
    static QString recoveryOriginalPath(const QString &recoveryFile);
    bool recover(const QString &recoveryFile, QString *errorString = nullptr);

signals:
    void documentChanged(); // a new/opened/recovered document
    void configChanged();   // any model change (edits, undo, redo)
    void diagnosticsChanged();
    void modifiedChanged(bool modified);
    void elementRenamed(const Gateway::Ui::ElementRef &ref, const QString &newName);
    void elementAdded(const Gateway::Ui::ElementRef &ref);

private:
    void revalidate();
    void afterChange();
    void resetDocument(const Config::ConfigDocument &document, const QString &name = {});

    Config::ConfigDocument m_document;
    Config::Diagnostics m_diagnostics;
    QUndoStack *m_undo;
    QString m_recoveryDir;
    QString m_recoveryId;
    QString m_untitledName; // the title of a document without a file (setDocument's name)
    QTimer m_autosave;
    bool m_lastModified = false;
};

} // namespace Gateway::Ui
