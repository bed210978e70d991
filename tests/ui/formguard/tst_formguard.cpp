// The form refuses what cannot work and never changes on a stray wheel: a combo box or spin box
// under the pointer ignores the wheel unless it has the focus; a pool address typed as host:port
// is refused at the field with the fix, and the validator (`appgw validate`) says the same.

#include "config/configvalidator.h"
#include "configcontroller.h"
#include "elementeditor.h"
#include "elementform.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QUndoStack>
#include <QWheelEvent>

using namespace Gateway::Ui;
using namespace Gateway::Config;

namespace {

void wheel(QWidget *w)
{
    const QPointF pos(w->width() / 2.0, w->height() / 2.0);
    QWheelEvent event(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, -120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(w, &event);
}

} // namespace

class tst_FormGuard : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init();
    void wheelWithoutFocusChangesNothing();
    void hostPortInPoolRefusedAtTheField();
    void validatorRefusesHostPort_data();
    void validatorRefusesHostPort();

private:
    ConfigController *m_controller = nullptr;
};

void tst_FormGuard::init()
{
    delete m_controller;
    m_controller = new ConfigController(this);
    QFile f(QStringLiteral(APPGW_SOURCE_DIR "/tests/ui/configeditor/gateway.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    m_controller->setDocument(ConfigDocument::fromJson(f.readAll()));
    QVERIFY(m_controller->config().backendAddressPools.size() == 1);
}

void tst_FormGuard::wheelWithoutFocusChangesNothing()
{
    ElementEditor editor(m_controller);
    editor.resize(500, 700);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    editor.setElement(ElementRef{ElementKind::Gateway, {}, {}});
    auto *policy = qobject_cast<QComboBox *>(
        editor.form(ElementKind::Gateway)
            ->editorFor(QStringLiteral("properties.sslPolicy.policyName")));
    QVERIFY(policy);
    editor.setElement(ElementRef{ElementKind::BackendHttpSettings, QStringLiteral("setting1"), {}});
    auto *timeout = qobject_cast<QSpinBox *>(
        editor.form(ElementKind::BackendHttpSettings)
            ->editorFor(QStringLiteral("properties.requestTimeout")));
    QVERIFY(timeout);
    const int steps = m_controller->undoStack()->count();
    const int before = timeout->value();
    QVERIFY(!timeout->hasFocus());
    wheel(timeout);
    QCOMPARE(timeout->value(), before);
    editor.setElement(ElementRef{ElementKind::Gateway, {}, {}});
    const int index = policy->currentIndex();
    QVERIFY(!policy->hasFocus());
    wheel(policy);
    QCOMPARE(policy->currentIndex(), index);
    QCOMPARE(m_controller->undoStack()->count(), steps);

    // With the focus the wheel is the field's again.
    editor.activateWindow();
    if (!QTest::qWaitForWindowActive(&editor))
        QSKIP("no active window on this platform; the focused case is not testable here");
    editor.setElement(ElementRef{ElementKind::BackendHttpSettings, QStringLiteral("setting1"), {}});
    timeout->setFocus();
    QTRY_VERIFY(timeout->hasFocus());
    wheel(timeout);
    QVERIFY(timeout->value() != before);
}

void tst_FormGuard::hostPortInPoolRefusedAtTheField()
{
    ElementEditor editor(m_controller);
    editor.setElement(ElementRef{ElementKind::BackendAddressPool, QStringLiteral("pool1"), {}});
    const QString key = QStringLiteral("properties.backendAddresses");
    auto *addresses = qobject_cast<QPlainTextEdit *>(
        editor.form(ElementKind::BackendAddressPool)->editorFor(key));
    QVERIFY(addresses);
    const auto before = m_controller->config().backendAddressPools.at(0).backendAddresses;
    addresses->setPlainText(QStringLiteral("127.0.0.1:9050"));
    QEvent focusOut(QEvent::FocusOut);
    QCoreApplication::sendEvent(addresses, &focusOut);
    QCOMPARE(m_controller->config().backendAddressPools.at(0).backendAddresses, before);
    QLabel *message = editor.form(ElementKind::BackendAddressPool)->messageLabelFor(key);
    QVERIFY(message && !message->isHidden());
    QVERIFY2(message->text().contains(QStringLiteral("the port belongs in the backend setting")),
             qPrintable(message->text()));
    QVERIFY(addresses->property("invalid").toBool());

    // The fix is taken.
    addresses->setPlainText(QStringLiteral("127.0.0.1"));
    QCoreApplication::sendEvent(addresses, &focusOut);
    QCOMPARE(m_controller->config().backendAddressPools.at(0).backendAddresses.at(0).ipAddress,
             QStringLiteral("127.0.0.1"));
    QVERIFY(message->isHidden());
}

void tst_FormGuard::validatorRefusesHostPort_data()
{
    QTest::addColumn<QString>("fqdn");
    QTest::addColumn<QString>("expected"); // empty: accepted
    QTest::newRow("ip:port") << "127.0.0.1:9050"
                             << "the port belongs in the backend setting";
    QTest::newRow("name:port") << "app.internal:8080"
                               << "the port belongs in the backend setting";
    QTest::newRow("scheme") << "http://app.internal"
                            << "has a scheme";
    QTest::newRow("path") << "app.internal/api"
                          << "has a path";
    QTest::newRow("space") << "app internal"
                           << "has the character";
    QTest::newRow("name") << "app.contoso.internal"
                          << "";
}

void tst_FormGuard::validatorRefusesHostPort()
{
    QFETCH(QString, fqdn);
    QFETCH(QString, expected);
    GatewayConfig config = m_controller->config();
    config.backendAddressPools[0].backendAddresses = {BackendAddress{{}, fqdn}};
    QString found;
    for (const Diagnostic &d : validate(config))
        if (d.isError() && d.path.contains(QStringLiteral("backendAddresses[0]")))
            found = formatDiagnostic(QStringLiteral("gw.json"), d);
    if (expected.isEmpty())
        QVERIFY2(found.isEmpty(), qPrintable(found));
    else
        QVERIFY2(found.contains(expected), qPrintable(found));
}

QTEST_MAIN(tst_FormGuard)
#include "tst_formguard.moc"
