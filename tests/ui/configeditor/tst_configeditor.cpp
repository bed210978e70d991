// The editor end to end over a real ConfigDocument: a field edited through the form changes the
// model and the saved file; invalid values show their error where they are and block nothing
// else; undo/redo; rename keeps references; add/duplicate/delete; autosave recovery.

#include "config/configdocument.h"
#include "config/configvalidator.h"
#include "configcontroller.h"
#include "configelements.h"
#include "configtreemodel.h"
#include "elementeditor.h"
#include "elementform.h"
#include "problemsmodel.h"
#include "topologynode.h"
#include "topologyview.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace Gateway::Ui;
using namespace Gateway::Config;

namespace {

QByteArray templateJson()
{
    QFile f(QStringLiteral(APPGW_SOURCE_DIR "/tests/ui/configeditor/gateway.json"));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

template<typename W>
W *editorOf(ElementEditor &editor, ElementKind kind, const QString &key)
{
    ElementForm *form = editor.form(kind);
    return form ? qobject_cast<W *>(form->editorFor(key)) : nullptr;
}

QString messageOf(ElementEditor &editor, ElementKind kind, const QString &key)
{
    QLabel *label = editor.form(kind)->messageLabelFor(key);
    return label && !label->isHidden() ? label->text() : QString();
}

} // namespace

class tst_ConfigEditor : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void editThroughFormChangesModelAndFile();
    void timeoutWarningShownAtTheField();
    void invalidValueShowsErrorAndBlocksNothingElse();
    void undoRedo();
    void renameKeepsReferences();
    void addDuplicateDelete();
    void recoveryKeepsUnsavedEdits();
    void navigatorAndProblemsModels();
    void topologyShowsTheChain();

private:
    QTemporaryDir m_dir;
    QString m_path;
};

void tst_ConfigEditor::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void tst_ConfigEditor::init()
{
    m_path = m_dir.filePath(QStringLiteral("gw-%1.json").arg(QTest::currentTestFunction()));
    QFile f(m_path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    const QByteArray json = templateJson();
    QVERIFY(!json.isEmpty());
    f.write(json);
}

void tst_ConfigEditor::editThroughFormChangesModelAndFile()
{
    ConfigController controller;
    controller.setRecoveryDirectory(m_dir.filePath(QStringLiteral("recovery")));
    QString error;
    QVERIFY2(controller.open(m_path, &error), qPrintable(error));
    for (const Diagnostic &d : controller.diagnostics())
        if (d.isError())
            qWarning("%s: %s", qPrintable(d.path), qPrintable(d.message));
    QVERIFY(!hasErrors(controller.diagnostics()));
    ElementEditor editor(&controller);
    editor.setElement(ElementRef{ElementKind::BackendHttpSettings, QStringLiteral("setting1"), {}});
    auto *timeout = editorOf<QSpinBox>(editor, ElementKind::BackendHttpSettings,
                                       QStringLiteral("properties.requestTimeout"));
    QVERIFY(timeout);
    QCOMPARE(timeout->value(), 60);
    timeout->setValue(45);
    QCOMPARE(controller.config().backendHttpSettingsCollection.at(0).requestTimeout, 45);
    QVERIFY(controller.isModified());

    auto *affinity = editorOf<QComboBox>(editor, ElementKind::BackendHttpSettings,
                                         QStringLiteral("properties.cookieBasedAffinity"));
    auto *cookie = editorOf<QLineEdit>(editor, ElementKind::BackendHttpSettings,
                                       QStringLiteral("properties.affinityCookieName"));
    QVERIFY(affinity && cookie);
    QVERIFY(!cookie->isEnabled()); // updateWidgets: only with affinity enabled
    affinity->setCurrentIndex(affinity->findData(QStringLiteral("Enabled")));
    emit affinity->activated(affinity->currentIndex());
    QCOMPARE(controller.config().backendHttpSettingsCollection.at(0).cookieBasedAffinity,
             QStringLiteral("Enabled"));
    QVERIFY(cookie->isEnabled());

    QVERIFY2(controller.save(&error), qPrintable(error));
    QVERIFY(!controller.isModified());
    const ConfigDocument reread = ConfigDocument::fromFile(m_path);
    QVERIFY(reread.isLoaded());
    QCOMPARE(reread.model().backendHttpSettingsCollection.at(0).requestTimeout, 45);
    QCOMPARE(reread.model().backendHttpSettingsCollection.at(0).cookieBasedAffinity,
             QStringLiteral("Enabled"));
    QCOMPARE(reread.model(), controller.config());
}

void tst_ConfigEditor::timeoutWarningShownAtTheField()
{
    ConfigController controller;
    QVERIFY(controller.open(m_path));
    ElementEditor editor(&controller);
    editor.setElement(ElementRef{ElementKind::BackendHttpSettings, QStringLiteral("setting1"), {}});
    const QString key = QStringLiteral("properties.requestTimeout");
    QVERIFY(messageOf(editor, ElementKind::BackendHttpSettings, key).isEmpty());
    editorOf<QSpinBox>(editor, ElementKind::BackendHttpSettings, key)->setValue(20);
    // The validator warns (request timeout not above the typical 20 s ping interval) and the
    // form shows it next to requestTimeout.
    bool warned = false;
    for (const Diagnostic &d : controller.diagnostics())
        warned |= !d.isError() && d.path.endsWith(QStringLiteral(".requestTimeout"));
    QVERIFY(warned);
    QVERIFY(!messageOf(editor, ElementKind::BackendHttpSettings, key).isEmpty());
    editorOf<QSpinBox>(editor, ElementKind::BackendHttpSettings, key)->setValue(40);
    QVERIFY(messageOf(editor, ElementKind::BackendHttpSettings, key).isEmpty());
}

void tst_ConfigEditor::invalidValueShowsErrorAndBlocksNothingElse()
{
    ConfigController controller;
    QVERIFY(controller.open(m_path));
    ElementEditor editor(&controller);
    editor.setElement(ElementRef{ElementKind::HttpListener, QStringLiteral("listener1"), {}});
    const QString key = QStringLiteral("properties.hostName");
    auto *host = editorOf<QLineEdit>(editor, ElementKind::HttpListener, key);
    QVERIFY(host);
    host->setText(QStringLiteral("bad host!"));
    emit host->editingFinished();
    QCOMPARE(controller.config().httpListeners.at(0).hostName, QStringLiteral("bad host!"));
    QVERIFY(hasErrors(controller.diagnostics()));
    QVERIFY2(!messageOf(editor, ElementKind::HttpListener, key).isEmpty(),
             "error shown at hostName");
    QVERIFY(host->property("invalid").toBool());

    // Other fields and elements still edit.
    auto *protocol = editorOf<QComboBox>(editor, ElementKind::HttpListener,
                                         QStringLiteral("properties.protocol"));
    protocol->setCurrentIndex(protocol->findData(QStringLiteral("Https")));
    emit protocol->activated(protocol->currentIndex());
    QCOMPARE(controller.config().httpListeners.at(0).protocol, QStringLiteral("Https"));
    editor.setElement(ElementRef{ElementKind::Probe, QStringLiteral("probe1"), {}});
    auto *path = editorOf<QLineEdit>(editor, ElementKind::Probe, QStringLiteral("properties.path"));
    path->setText(QStringLiteral("/ready"));
    emit path->editingFinished();
    QCOMPARE(controller.config().probes.at(0).path, QStringLiteral("/ready"));

    // A value the form cannot parse stays as typed with its error; the model is untouched.
    editor.setElement(ElementRef{ElementKind::Gateway, {}, {}});
    auto *ports = editorOf<QPlainTextEdit>(editor, ElementKind::Gateway,
                                           QStringLiteral("metadata.localGateway.frontendPortMap"));
    QVERIFY(ports);
    const auto before = controller.config().localGateway.frontendPortMap;
    ports->setFocus();
    ports->setPlainText(QStringLiteral("80 = eighty"));
    QEvent focusOut(QEvent::FocusOut);
    QCoreApplication::sendEvent(ports, &focusOut);
    QCOMPARE(controller.config().localGateway.frontendPortMap, before);
    QVERIFY(messageOf(editor, ElementKind::Gateway,
                      QStringLiteral("metadata.localGateway.frontendPortMap"))
                .contains(QStringLiteral("port numbers")));
    auto *location = editorOf<QLineEdit>(editor, ElementKind::Gateway, QStringLiteral("location"));
    location->setText(QStringLiteral("northeurope"));
    emit location->editingFinished();
    QCOMPARE(controller.config().location, QStringLiteral("northeurope"));
}

void tst_ConfigEditor::undoRedo()
{
    ConfigController controller;
    QVERIFY(controller.open(m_path));
    ElementEditor editor(&controller);
    editor.setElement(ElementRef{ElementKind::Probe, QStringLiteral("probe1"), {}});
    auto *interval = editorOf<QSpinBox>(editor, ElementKind::Probe,
                                        QStringLiteral("properties.interval"));
    interval->setValue(10);
    interval->setValue(11); // merges with the previous step (same field)
    auto *path = editorOf<QLineEdit>(editor, ElementKind::Probe, QStringLiteral("properties.path"));
    path->setText(QStringLiteral("/live"));
    emit path->editingFinished();
    QCOMPARE(controller.undoStack()->count(), 2);
    controller.undoStack()->undo();
    QCOMPARE(controller.config().probes.at(0).path, QStringLiteral("/health"));
    QCOMPARE(path->text(), QStringLiteral("/health")); // the form follows the model
    controller.undoStack()->undo();
    QCOMPARE(controller.config().probes.at(0).interval, 30);
    QCOMPARE(interval->value(), 30);
    QVERIFY(!controller.isModified());
    controller.undoStack()->redo();
    controller.undoStack()->redo();
    QCOMPARE(controller.config().probes.at(0).interval, 11);
    QCOMPARE(controller.config().probes.at(0).path, QStringLiteral("/live"));
}

void tst_ConfigEditor::renameKeepsReferences()
{
    ConfigController controller;
    QVERIFY(controller.open(m_path));
    ElementEditor editor(&controller);
    editor.setElement(ElementRef{ElementKind::BackendAddressPool, QStringLiteral("pool1"), {}});
    editor.nameEdit()->setText(QStringLiteral("web-pool"));
    emit editor.nameEdit()->editingFinished();
    QCOMPARE(controller.config().backendAddressPools.at(0).name, QStringLiteral("web-pool"));
    QCOMPARE(controller.config().requestRoutingRules.at(0).backendAddressPool.name,
             QStringLiteral("web-pool"));
    QCOMPARE(editor.element().name, QStringLiteral("web-pool"));
    QVERIFY(!hasErrors(controller.diagnostics()));
    QVERIFY(controller.save());
    const ConfigDocument reread = ConfigDocument::fromFile(m_path);
    QCOMPARE(reread.model().requestRoutingRules.at(0).backendAddressPool.name,
             QStringLiteral("web-pool"));
    QVERIFY(!hasErrors(validate(reread.model())));

    // A name already taken is refused with a message; nothing changes.
    QString error;
    QVERIFY(!controller.rename(
                ElementRef{ElementKind::BackendHttpSettings, QStringLiteral("setting1"), {}},
                QStringLiteral("setting1 "), &error)
            || error.isEmpty());
    controller.add(ElementKind::BackendHttpSettings);
    QVERIFY(!controller.rename(
        ElementRef{ElementKind::BackendHttpSettings, QStringLiteral("setting2"), {}},
        QStringLiteral("SETTING1"), &error));
    QVERIFY(!error.isEmpty());

    controller.undoStack()->undo(); // the add
    controller.undoStack()->undo(); // the rename
    QCOMPARE(controller.config().backendAddressPools.at(0).name, QStringLiteral("pool1"));
    QCOMPARE(controller.config().requestRoutingRules.at(0).backendAddressPool.name,
             QStringLiteral("pool1"));
}

void tst_ConfigEditor::addDuplicateDelete()
{
    ConfigController controller;
    QVERIFY(controller.open(m_path));
    const ElementRef listener = controller.add(ElementKind::HttpListener);
    QCOMPARE(listener.name, QStringLiteral("listener2"));
    QCOMPARE(controller.config().httpListeners.size(), 2);
    QCOMPARE(controller.config().httpListeners.at(1).frontendPort.name, QStringLiteral("port80"));
    const ElementRef copy = controller.duplicate(ElementRef{
        ElementKind::RequestRoutingRule, QStringLiteral("rule1"), {}});
    QCOMPARE(copy.name, QStringLiteral("rule1-copy"));
    QCOMPARE(controller.config().requestRoutingRules.at(1).priority, 110);
    // Deleting the pool leaves the rules' references dangling: the validator flags them.
    QVERIFY(controller.remove(ElementRef{
        ElementKind::BackendAddressPool, QStringLiteral("pool1"), {}}));
    QVERIFY(controller.config().backendAddressPools.isEmpty());
    int dangling = 0;
    for (const Diagnostic &d : controller.diagnostics())
        if (d.isError() && d.path.contains(QStringLiteral("requestRoutingRules"))
            && d.path.contains(QStringLiteral("backendAddressPool")))
            ++dangling;
    QVERIFY2(dangling >= 2, qPrintable(QString::number(dangling)));
    ElementEditor editor(&controller);
    editor.setElement(ElementRef{ElementKind::RequestRoutingRule, QStringLiteral("rule1"), {}});
    auto *pool = editorOf<QComboBox>(editor, ElementKind::RequestRoutingRule,
                                     QStringLiteral("properties.backendAddressPool"));
    QVERIFY(pool->currentText().contains(QStringLiteral("missing")));
    QVERIFY(!messageOf(editor, ElementKind::RequestRoutingRule,
                       QStringLiteral("properties.backendAddressPool"))
                 .isEmpty());
    controller.undoStack()->undo();
    QVERIFY(!hasErrors(controller.diagnostics())
            || controller.config().backendAddressPools.size() == 1);
    QCOMPARE(controller.config().backendAddressPools.size(), 1);
}

void tst_ConfigEditor::recoveryKeepsUnsavedEdits()
{
    const QString recovery = m_dir.filePath(QStringLiteral("recovery-test"));
    GatewayConfig edited;
    {
        ConfigController controller;
        controller.setRecoveryDirectory(recovery);
        QVERIFY(controller.open(m_path));
        GatewayConfig c = controller.config();
        c.probes[0].path = QStringLiteral("/typed-but-not-saved");
        controller.edit(c, QStringLiteral("edit"));
        QVERIFY(controller.autosaveNow());
        edited = controller.config();
        // destroyed without saving, as a crash would leave it
    }
    const QStringList pending = ConfigController::pendingRecoveries(recovery);
    QCOMPARE(pending.size(), 1);
    QCOMPARE(ConfigController::recoveryOriginalPath(pending.first()), m_path);
    ConfigController restored;
    restored.setRecoveryDirectory(recovery);
    QString error;
    QVERIFY2(restored.recover(pending.first(), &error), qPrintable(error));
    QCOMPARE(restored.filePath(), m_path);
    QCOMPARE(restored.config().probes.at(0).path, QStringLiteral("/typed-but-not-saved"));
    QVERIFY(restored.isModified());
    QVERIFY(restored.save());
    QVERIFY(ConfigController::pendingRecoveries(recovery).isEmpty());
}

void tst_ConfigEditor::navigatorAndProblemsModels()
{
    ConfigController controller;
    QVERIFY(controller.open(m_path));
    ConfigTreeModel tree(&controller);
    QAbstractItemModelTester treeTester(&tree,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QModelIndex pool = tree.indexOf(ElementRef{
        ElementKind::BackendAddressPool, QStringLiteral("pool1"), {}});
    QVERIFY(pool.isValid());
    QCOMPARE(pool.data().toString(), QStringLiteral("pool1"));
    controller.add(ElementKind::UrlPathMap);
    controller.add(ElementKind::PathRule, QStringLiteral("pathMap1"));
    QVERIFY(tree.indexOf(ElementRef{ElementKind::PathRule, QStringLiteral("pathRule1"),
                                    QStringLiteral("pathMap1")})
                .isValid());

    ProblemsModel problems;
    QAbstractItemModelTester problemsTester(&problems,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    controller.remove(ElementRef{ElementKind::BackendAddressPool, QStringLiteral("pool1"), {}});
    problems.setDiagnostics(controller.diagnostics(), {});
    QVERIFY(problems.rowCount() > 0);
    QVERIFY(problems.index(0, 0).data(ProblemsModel::IsErrorRole).toBool());
    const ElementRef owner = elementForPath(
        controller.config(), problems.index(0, 0).data(ProblemsModel::PathRole).toString());
    QVERIFY(owner.kind != ElementKind::Gateway);
    controller.undoStack()->undo();
    problems.setDiagnostics(controller.diagnostics(), {});
}

void tst_ConfigEditor::topologyShowsTheChain()
{
    ConfigController controller;
    QVERIFY(controller.open(m_path));
    TopologyView view;
    view.resize(1200, 600);
    view.setConfig(controller.config(), controller.diagnostics());
    for (const char *key : {"listener/listener1", "rule/rule1", "setting/setting1", "pool/pool1",
                            "server/pool1/10.0.1.4"})
        QVERIFY2(view.node(QString::fromLatin1(key)), key);
    QCOMPARE(view.node(QStringLiteral("server/pool1/10.0.1.4"))->subtitle(),
             QStringLiteral("→ 127.0.0.1:9001"));
    view.setSessionCounts({{QStringLiteral("listener/listener1"), 3}});
    QCOMPARE(view.node(QStringLiteral("listener/listener1"))->count(), 3);
    view.setServerStates({{QStringLiteral("pool1/10.0.1.4"),
                           Gateway::Health::HealthState::Unhealthy}});
    QVERIFY(view.node(QStringLiteral("server/pool1/10.0.1.4"))->health()
            == Gateway::Health::HealthState::Unhealthy);
    QSignalSpy activated(&view, &TopologyView::elementActivated);
    view.node(QStringLiteral("setting/setting1"))->setSelected(true);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).value<ElementRef>().name, QStringLiteral("setting1"));
}

QTEST_MAIN(tst_ConfigEditor)
#include "tst_configeditor.moc"
