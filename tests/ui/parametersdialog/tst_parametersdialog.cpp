// File › Template Parameters… driven as a user would: a template with required parameters opens
// with "has no value" problems and an Edit Parameters… button beside their summary; the editor
// refuses an out-of-range int, a value outside allowedValues, invalid JSON and a too-short secret
// at the field (OK disabled); OK evaluates the document again and the problems go; Save As writes
// a parameters file `appgw validate` accepts, remembered for the template, with no secret in the
// settings; a Key Vault reference stays read-only; a running gateway is not restarted, the
// "differs from running" marker says the new values wait for Apply.

#include "configcontroller.h"
#include "mainwindow.h"
#include "parametersdialog.h"
#include "problemsmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Gateway::Ui;

namespace {

const char Secret[] = "correct-horse-battery";

bool hasNoValueProblem(const ConfigController &c)
{
    for (const auto &d : c.diagnostics())
        if (d.message.contains(QStringLiteral("has no value")))
            return true;
    return false;
}

QPushButton *okButton(ParametersDialog *dialog)
{
    return dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
}

// Types text into a field as a user does: select what is there, type over it.
void typeInto(QWidget *field, const QString &text)
{
    if (auto *spin = qobject_cast<QSpinBox *>(field))
        spin->selectAll();
    else if (auto *edit = qobject_cast<QLineEdit *>(field))
        edit->selectAll();
    else if (auto *plain = qobject_cast<QPlainTextEdit *>(field))
        plain->selectAll();
    QTest::keyClicks(field, text);
}

} // namespace

class tst_ParametersDialog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void fieldsShowDeclarations();
    void refusesAtTheField();
    void acceptReevaluatesDocument();
    void saveAsWritesFileValidateAccepts();
    void secureValueMaskedAndNotInSettings();
    void keyVaultReferenceReadOnly();
    void runningGatewayWaitsForApply();

private:
    ParametersDialog *openEditor();
    void fillRequired(ParametersDialog *dialog);
    QString writeFile(const QString &name, const QByteArray &content);

    QTemporaryDir m_dir;
    QString m_template;
    QTcpServer m_backend;
    MainWindow *m_window = nullptr;
};

void tst_ParametersDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().remove(QStringLiteral("templateParameters"));
    QVERIFY(m_backend.listen(QHostAddress::LocalHost, 0));
    QFile in(QStringLiteral(APPGW_SOURCE_DIR "/tests/ui/parametersdialog/template.json"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    m_template = writeFile(QStringLiteral("gw.json"),
                           in.readAll().replace("BACKEND_PORT",
                                                QByteArray::number(m_backend.serverPort())));
}

void tst_ParametersDialog::init()
{
    QSettings().remove(QStringLiteral("templateParameters"));
    m_window = new MainWindow;
    m_window->setNonInteractive(true);
    m_window->setQuestionHandler([](const QString &, const QString &, const QStringList &) {
        return 0;
    });
    m_window->show();
}

void tst_ParametersDialog::cleanup()
{
    delete m_window;
    m_window = nullptr;
}

QString tst_ParametersDialog::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(content);
    return path;
}

ParametersDialog *tst_ParametersDialog::openEditor()
{
    // From the problems summary, as the "has no value" summary offers it.
    auto *button = m_window->findChild<QPushButton *>(QStringLiteral("problemsParameters"));
    if (!button || !button->isVisible())
        return m_window->editParameters();
    button->click();
    const auto dialogs = m_window->findChildren<ParametersDialog *>();
    return dialogs.isEmpty() ? nullptr : dialogs.last();
}

void tst_ParametersDialog::fillRequired(ParametersDialog *dialog)
{
    typeInto(dialog->field(QStringLiteral("backendAddress")), QStringLiteral("10.0.1.4"));
    typeInto(dialog->field(QStringLiteral("frontendPort")), QStringLiteral("80"));
    typeInto(dialog->field(QStringLiteral("adminPassword")), QString::fromLatin1(Secret));
}

void tst_ParametersDialog::fieldsShowDeclarations()
{
    QVERIFY(m_window->openFile(m_template));
    ParametersDialog *dialog = openEditor();
    QVERIFY(dialog);
    QCOMPARE(dialog->parameterCount(), 8);
    // One typed field per ARM type.
    QVERIFY(qobject_cast<QLineEdit *>(dialog->field(QStringLiteral("backendAddress"))));
    QVERIFY(qobject_cast<QSpinBox *>(dialog->field(QStringLiteral("frontendPort"))));
    QVERIFY(qobject_cast<QComboBox *>(dialog->field(QStringLiteral("skuName"))));
    QVERIFY(qobject_cast<QCheckBox *>(dialog->field(QStringLiteral("drainEnabled"))));
    QVERIFY(qobject_cast<QPlainTextEdit *>(dialog->field(QStringLiteral("probePaths"))));
    // Defaults are placeholders; an unset parameter without a default is marked required.
    auto *timeout = qobject_cast<QSpinBox *>(dialog->field(QStringLiteral("requestTimeout")));
    QCOMPARE(timeout->text(), QStringLiteral("default: 30"));
    auto *address = qobject_cast<QLineEdit *>(dialog->field(QStringLiteral("backendAddress")));
    QVERIFY(address->placeholderText().contains(QStringLiteral("required")));
    QVERIFY(dialog->errorLabel(QStringLiteral("backendAddress"))->isVisibleTo(dialog));
    QVERIFY(dialog->errorLabel(QStringLiteral("backendAddress"))
                ->text()
                .contains(QStringLiteral("Required")));
    QVERIFY(qobject_cast<QPlainTextEdit *>(dialog->field(QStringLiteral("probePaths")))
                ->placeholderText()
                .contains(QStringLiteral("/health")));
    QCOMPARE(dialog->missingRequired(),
             (QStringList{"backendAddress", "frontendPort", "adminPassword"}));
    // The description from metadata is shown.
    bool described = false;
    for (QLabel *l : dialog->findChildren<QLabel *>())
        described = described || l->text().contains(QStringLiteral("IP address of the backend"));
    QVERIFY(described);
    // Nothing given yet: the file holds no values.
    QVERIFY(Gateway::Config::parametersFileEntries(dialog->parametersJson()).isEmpty());

    // Its arrows stay within minValue..maxValue: up from the default starts at the default.
    timeout->stepUp();
    QCOMPARE(timeout->value(), 30);
    timeout->setValue(86400);
    timeout->stepUp();
    QCOMPARE(timeout->value(), 86400);
    auto *port = qobject_cast<QSpinBox *>(dialog->field(QStringLiteral("frontendPort")));
    port->stepDown();
    QCOMPARE(port->value(), 1);
    port->stepDown();
    QCOMPARE(port->value(), 1);
    // A value typed outside the range is kept (and explained), not clamped.
    typeInto(port, QStringLiteral("70000"));
    QCOMPARE(port->value(), 70000);
    QVERIFY(!dialog->isValid());
}

void tst_ParametersDialog::refusesAtTheField()
{
    QVERIFY(m_window->openFile(m_template));
    ParametersDialog *dialog = openEditor();
    QVERIFY(dialog);
    fillRequired(dialog);
    QVERIFY2(dialog->isValid(), qPrintable(dialog->fieldError(QStringLiteral("adminPassword"))));
    QVERIFY(okButton(dialog)->isEnabled());

    // Out of range: typed, explained at the field, OK disabled.
    QWidget *port = dialog->field(QStringLiteral("frontendPort"));
    typeInto(port, QStringLiteral("70000"));
    QVERIFY2(dialog->fieldError(QStringLiteral("frontendPort"))
                 .contains(QStringLiteral("above its maxValue 65535")),
             qPrintable(dialog->fieldError(QStringLiteral("frontendPort"))));
    QVERIFY(dialog->errorLabel(QStringLiteral("frontendPort"))->isVisibleTo(dialog));
    QVERIFY(!okButton(dialog)->isEnabled());
    typeInto(port, QStringLiteral("80"));
    QVERIFY(okButton(dialog)->isEnabled());

    // Not one of the allowedValues.
    QWidget *count = dialog->field(QStringLiteral("instanceCount"));
    typeInto(count, QStringLiteral("3"));
    QVERIFY2(dialog->fieldError(QStringLiteral("instanceCount"))
                 .contains(QStringLiteral("not one of its allowedValues [1,2,4,8]")),
             qPrintable(dialog->fieldError(QStringLiteral("instanceCount"))));
    QVERIFY(!okButton(dialog)->isEnabled());
    typeInto(count, QStringLiteral("4"));
    QVERIFY(dialog->fieldError(QStringLiteral("instanceCount")).isEmpty());

    // Invalid JSON in an array.
    QWidget *paths = dialog->field(QStringLiteral("probePaths"));
    typeInto(paths, QStringLiteral("[ \"/a\", "));
    QVERIFY2(
        dialog->fieldError(QStringLiteral("probePaths")).contains(QStringLiteral("invalid JSON")),
        qPrintable(dialog->fieldError(QStringLiteral("probePaths"))));
    QVERIFY(!okButton(dialog)->isEnabled());
    typeInto(paths, QStringLiteral("[ \"/a\", \"/b\" ]"));
    QVERIFY(dialog->fieldError(QStringLiteral("probePaths")).isEmpty());

    // minLength of a secure string.
    typeInto(dialog->field(QStringLiteral("adminPassword")), QStringLiteral("short"));
    QVERIFY(dialog->fieldError(QStringLiteral("adminPassword"))
                .contains(QStringLiteral("fewer than its minLength 8")));
    QVERIFY(!okButton(dialog)->isEnabled());
    typeInto(dialog->field(QStringLiteral("adminPassword")), QString::fromLatin1(Secret));
    QVERIFY(okButton(dialog)->isEnabled());

    // A value from a file that allowedValues refuse shows in the combo, marked, with the fix.
    const QString bad = writeFile(QStringLiteral("bad.parameters.json"),
                                  R"({ "parameters": { "skuName": { "value": "Basic" } } })");
    dialog->reject();
    QVERIFY(m_window->openFile(m_template, bad));
    // Offered beside the problems summary for this parameter error too.
    QVERIFY(m_window->findChild<QPushButton *>(QStringLiteral("problemsParameters"))
                ->isVisibleTo(m_window));
    dialog = m_window->editParameters();
    auto *sku = qobject_cast<QComboBox *>(dialog->field(QStringLiteral("skuName")));
    QVERIFY(sku->currentText().contains(QStringLiteral("not allowed")));
    QVERIFY(dialog->fieldError(QStringLiteral("skuName"))
                .contains(QStringLiteral("not one of its allowedValues")));
    QVERIFY(!okButton(dialog)->isEnabled());
    sku->setCurrentIndex(sku->findText(QStringLiteral("WAF_v2")));
    QVERIFY(dialog->fieldError(QStringLiteral("skuName")).isEmpty());
}

void tst_ParametersDialog::acceptReevaluatesDocument()
{
    QVERIFY(m_window->openFile(m_template));
    ConfigController *c = m_window->controller();
    QVERIFY(hasNoValueProblem(*c));
    auto *button = m_window->findChild<QPushButton *>(QStringLiteral("problemsParameters"));
    QVERIFY(button->isVisibleTo(m_window));
    QVERIFY(m_window->problemsModel()->summary().contains(QStringLiteral("Template Parameters")));

    ParametersDialog *dialog = openEditor();
    fillRequired(dialog);
    typeInto(dialog->field(QStringLiteral("requestTimeout")), QStringLiteral("45"));
    okButton(dialog)->click();
    QVERIFY(!hasNoValueProblem(*c));
    QCOMPARE(c->errorCount(), 0);
    QVERIFY(!button->isVisibleTo(m_window));
    QCOMPARE(c->config().backendHttpSettingsCollection.value(0).requestTimeout, 45);
    QCOMPARE(c->config().frontendPorts.value(0).port, 80);
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("evaluated again")),
             qPrintable(m_window->statusBar()->currentMessage()));
    // The template file is not edited by new parameter values.
    QVERIFY(!c->isModified());
    QVERIFY(c->document().parametersPath().isEmpty()); // in memory until saved
    // The editor opens again with the values given.
    dialog = m_window->editParameters();
    QCOMPARE(qobject_cast<QLineEdit *>(dialog->field(QStringLiteral("backendAddress")))->text(),
             QStringLiteral("10.0.1.4"));
    QVERIFY(dialog->missingRequired().isEmpty());
    dialog->reject();
}

void tst_ParametersDialog::saveAsWritesFileValidateAccepts()
{
    QVERIFY(m_window->openFile(m_template));
    ParametersDialog *dialog = openEditor();
    fillRequired(dialog);
    typeInto(dialog->field(QStringLiteral("instanceCount")), QStringLiteral("2"));
    const QString file = m_dir.filePath(QStringLiteral("gw.parameters.json"));
    QString error;
    QVERIFY2(dialog->saveAs(file, &error), qPrintable(error));
    QCOMPARE(dialog->parametersPath(), file);

    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    QVERIFY(root.value(QStringLiteral("$schema"))
                .toString()
                .contains(QStringLiteral("deploymentParameters.json")));
    QCOMPARE(root.value(QStringLiteral("contentVersion")).toString(), QStringLiteral("1.0.0.0"));
    const QJsonObject parameters = root.value(QStringLiteral("parameters")).toObject();
    QCOMPARE(
        parameters.value(QStringLiteral("frontendPort")).toObject().value(QStringLiteral("value")),
        QJsonValue(80));
    QVERIFY(!parameters.contains(QStringLiteral("requestTimeout"))); // default: left to the template

    // The built CLI accepts the template with this file.
    QProcess appgw;
    appgw.start(QStringLiteral(APPGW_BINARY_DIR "/app/appgw"),
                {QStringLiteral("validate"), m_template, QStringLiteral("--parameters"), file});
    QVERIFY(appgw.waitForFinished(60000));
    QVERIFY2(appgw.exitCode() == 0,
             QByteArray(appgw.readAllStandardOutput() + appgw.readAllStandardError()).constData());
    // ... and without it, refuses it.
    appgw.start(QStringLiteral(APPGW_BINARY_DIR "/app/appgw"),
                {QStringLiteral("validate"), m_template});
    QVERIFY(appgw.waitForFinished(60000));
    QVERIFY(appgw.exitCode() != 0);

    // Remembered for the template: opening it again takes the file.
    okButton(dialog)->click();
    QCOMPARE(m_window->controller()->document().parametersPath(), file);
    QVERIFY(m_window->openFile(m_template));
    QCOMPARE(m_window->controller()->document().parametersPath(), file);
    QCOMPARE(m_window->controller()->errorCount(), 0);
}

void tst_ParametersDialog::secureValueMaskedAndNotInSettings()
{
    QVERIFY(m_window->openFile(m_template));
    ParametersDialog *dialog = openEditor();
    fillRequired(dialog);
    auto *secret = qobject_cast<QLineEdit *>(dialog->field(QStringLiteral("adminPassword")));
    QVERIFY(secret);
    QCOMPARE(secret->echoMode(), QLineEdit::Password);
    QVERIFY(!secret->displayText().contains(QLatin1String(Secret)));
    QToolButton *show = dialog->showButton(QStringLiteral("adminPassword"));
    QVERIFY(show);
    show->click();
    QCOMPARE(secret->echoMode(), QLineEdit::Normal);
    show->click();
    QCOMPARE(secret->echoMode(), QLineEdit::Password);
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("secureNote")));

    const QString file = m_dir.filePath(QStringLiteral("secure.parameters.json"));
    QVERIFY(dialog->saveAs(file));
    okButton(dialog)->click();
    // In the file the user chose (that is where secure values go) ...
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains(Secret));
    // ... and nowhere in the settings: only the file's path.
    QSettings settings;
    settings.sync();
    for (const QString &key : settings.allKeys())
        QVERIFY2(!settings.value(key).toString().contains(QLatin1String(Secret)), qPrintable(key));
    QFile stored(settings.fileName());
    if (stored.open(QIODevice::ReadOnly))
        QVERIFY(!stored.readAll().contains(Secret));
    QCOMPARE(settings.value(ParametersDialog::settingsKey(m_template)).toString(), file);
}

void tst_ParametersDialog::keyVaultReferenceReadOnly()
{
    const QString file = writeFile(QStringLiteral("kv.parameters.json"), R"({
        "parameters": {
          "backendAddress": { "value": "10.0.1.4" },
          "frontendPort": { "value": 80 },
          "adminPassword": { "reference": { "keyVault": { "id":
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/vault1" },
            "secretName": "adminPassword" } } } })");
    QVERIFY(m_window->openFile(m_template, file));
    ParametersDialog *dialog = m_window->editParameters();
    auto *kv = qobject_cast<QLineEdit *>(dialog->field(QStringLiteral("adminPassword")));
    QVERIFY(kv);
    QVERIFY(kv->isReadOnly());
    QVERIFY2(kv->text().contains(QStringLiteral("Key Vault reference vault1/adminPassword")),
             qPrintable(kv->text()));
    QVERIFY(kv->text().contains(QStringLiteral("stand-in used locally")));
    QVERIFY(dialog->isValid());
    QVERIFY(dialog->missingRequired().isEmpty());
    // Kept as a reference in what the editor writes.
    const QJsonObject entries = Gateway::Config::parametersFileEntries(dialog->parametersJson());
    QVERIFY(Gateway::Config::isKeyVaultReference(entries.value(QStringLiteral("adminPassword"))));
    QCOMPARE(dialog->parametersPath(), file); // unchanged: still that file
}

void tst_ParametersDialog::runningGatewayWaitsForApply()
{
    QVERIFY(m_window->openFile(m_template));
    ParametersDialog *dialog = openEditor();
    fillRequired(dialog);
    okButton(dialog)->click();
    QString error;
    QVERIFY2(m_window->startGateway(&error), qPrintable(error));
    QVERIFY(!m_window->differsFromRunning());

    dialog = m_window->editParameters();
    typeInto(dialog->field(QStringLiteral("requestTimeout")), QStringLiteral("45"));
    okButton(dialog)->click();
    // Not restarted silently: still running the old value, and the window says so.
    QVERIFY(m_window->isGatewayRunning());
    QCOMPARE(m_window->gatewayState(), MainWindow::GatewayState::Running);
    QVERIFY(m_window->differsFromRunning());
    QVERIFY2(m_window->runningDifferences().join('\n').contains(QStringLiteral("45")),
             qPrintable(m_window->runningDifferences().join('\n')));
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("Apply")),
             qPrintable(m_window->statusBar()->currentMessage()));
    m_window->applyToGateway();
    QVERIFY(!m_window->differsFromRunning());
    m_window->stopGateway();
    QTRY_VERIFY(!m_window->isGatewayRunning());
}

QTEST_MAIN(tst_ParametersDialog)
#include "tst_parametersdialog.moc"
