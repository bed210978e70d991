// "Map 10.0.0.7 to a Local Port…" (issue 15 item 4), as a user does it: a template whose backends
// exist only in Azure opens with one warning per unmapped address; right-click on the Problems
// row, the Backend Health server or the canvas box offers the mapping; the dialog takes a port
// (or the bundled demo backend); OK writes metadata.localGateway.backendAddressMap as one
// undoable edit, the problem goes away, and requests through the gateway reach the local server.
// Only loopback is ever contacted (the gateway refuses the 10.x addresses until they are mapped,
// and the unit runs in a network namespace of its own).

#include "addressmapoffer.h"
#include "config/backendaddressmap.h"
#include "configcontroller.h"
#include "fakebackend.h"
#include "healthtreemodel.h"
#include "healthwidget.h"
#include "mainwindow.h"
#include "problemsmodel.h"
#include "proxy/gateway.h"
#include "topologynode.h"
#include "topologyview.h"

#ifdef APPGW_HAVE_DEMO
#include "consoledemo.h"
#endif

#include <QAction>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QRadioButton>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QUndoStack>

using namespace Gateway::Ui;
using TestSupport::FakeBackend;

namespace {

const QString Web = QStringLiteral("10.0.0.7"); // pool "web", routed for every path but /api/*

QStringList unmappedOf(const MainWindow &window)
{
    QStringList out;
    for (const auto &u : window.addressMapOffer()->unmapped())
        out << u.address;
    return out;
}

// The rows of the Problems list that are about address (the validator's warning for it).
int problemRowsFor(MainWindow &window, const QString &address)
{
    int n = 0;
    ProblemsModel *m = window.problemsModel();
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->diagnostic(r).standIn == QLatin1String("unmapped address")
            && m->diagnostic(r).message.startsWith(address + QLatin1Char(' ')))
            ++n;
    return n;
}

QJsonObject documentMap(const MainWindow &window)
{
    const QJsonObject root = QJsonDocument::fromJson(window.controller()->document().toJson())
                                 .object();
    return root.value(QStringLiteral("metadata"))
        .toObject()
        .value(QStringLiteral("localGateway"))
        .toObject()
        .value(QStringLiteral("backendAddressMap"))
        .toObject();
}

void raiseDock(MainWindow &window, const QString &name)
{
    auto *dock = window.findChild<QDockWidget *>(name);
    QVERIFY(dock);
    dock->show();
    dock->raise();
    QCoreApplication::processEvents();
}

// What a right-click at the row of index in view offers.
QStringList offeredAt(MainWindow &window, QTreeView *view, const QModelIndex &index, QMenu *menu,
                      QList<QAction *> *actions = nullptr)
{
    view->scrollTo(index);
    const QPoint pos = view->visualRect(index).center();
    const QList<QAction *> found = window.addressMapOffer()->actionsAt(view, pos, menu);
    if (actions)
        *actions = found;
    QStringList texts;
    for (QAction *a : found)
        texts << a->text();
    return texts;
}

QModelIndex findServer(QAbstractItemModel *model, const QString &server,
                       const QModelIndex &parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex idx = model->index(r, 0, parent);
        if (idx.data(HealthTreeModel::ServerRole).toString() == server)
            return idx;
        if (const QModelIndex below = findServer(model, server, idx); below.isValid())
            return below;
    }
    return {};
}

// Types into the dialog's field for address and presses its OK button, as a user would.
void typeAndAccept(MapAddressDialog *dialog, const QList<QPair<QString, QString>> &typed)
{
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    for (const auto &[address, text] : typed) {
        auto *edit = dialog->findChild<QLineEdit *>(QStringLiteral("target:") + address);
        QVERIFY2(edit, qPrintable(address));
        edit->clear();
        QTest::keyClicks(edit, text);
    }
    auto *box = dialog->findChild<QDialogButtonBox *>();
    QVERIFY(box);
    QTest::mouseClick(box->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

int statusOf(const QByteArray &response)
{
    const QList<QByteArray> words = response.left(response.indexOf("\r\n")).split(' ');
    return words.size() > 1 ? words.at(1).toInt() : 0;
}

// GET through the gateway without blocking this thread (the demo backend runs on it), read
// until the gateway closes the connection.
QByteArray get(quint16 port, const QByteArray &path)
{
    QTcpSocket socket;
    QByteArray response;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                     [&] { response += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.write("GET " + path + " HTTP/1.1\r\nHost: www.contoso.com\r\nConnection: close\r\n\r\n");
    QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; }, 10000);
    return response + socket.readAll();
}

quint16 gatewayPort(const MainWindow &window)
{
    const auto listeners = window.gateway()->listeners();
    return listeners.isEmpty() ? 0 : quint16(listeners.first().port);
}

} // namespace

class tst_AddressMap : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init();
    void cleanup();
    void mapFromProblemsUndoAndStart();
    void mapAllFromHealthWhileRunningThenApply();
    void entriesOutsideThisMachineAreRefused();
    void demoBackend();

private:
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_AddressMap::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    const QString path = m_dir->filePath(QStringLiteral("unmapped.json"));
    QVERIFY(QFile::copy(QStringLiteral(APPGW_SOURCE_DIR "/tests/data/unmapped-backends.json"),
                        path));
    m_window = std::make_unique<MainWindow>();
    m_window->setNonInteractive(true);
    m_window->resize(1400, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY(m_window->openFile(path));
    QCOMPARE(unmappedOf(*m_window), (QStringList{Web, QStringLiteral("10.0.0.8"),
                                                 QStringLiteral("api.contoso.internal")}));
    QCOMPARE(problemRowsFor(*m_window, Web), 1);
}

void tst_AddressMap::cleanup()
{
    if (m_window && m_window->isGatewayRunning()) {
        m_window->stopGateway();
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->isGatewayRunning(), 15000);
    }
    m_window.reset();
    m_dir.reset();
}

void tst_AddressMap::mapFromProblemsUndoAndStart()
{
    MainWindow &window = *m_window;
    FakeBackend backend;
    backend.setHandler(FakeBackend::respondWith(200, "local web server"));
    const QString target = QStringLiteral("127.0.0.1:%1").arg(backend.port());

    // Right-click on the Problems row of 10.0.0.7.
    raiseDock(window, QStringLiteral("problemsDock"));
    QTreeView *problems = window.problemsView();
    int row = -1;
    for (int r = 0; r < window.problemsModel()->rowCount(); ++r)
        if (window.problemsModel()->diagnostic(r).message.startsWith(Web + QLatin1Char(' ')))
            row = r;
    QVERIFY(row >= 0);
    QMenu menu;
    QList<QAction *> actions;
    const QStringList offered = offeredAt(window, problems, window.problemsModel()->index(row, 1),
                                          &menu, &actions);
    QCOMPARE(offered, (QStringList{QStringLiteral("Map 10.0.0.7 to a Local Port…"),
                                   QStringLiteral("Map All 3 Unmapped Addresses…")}));
    // The summary above the list names the way out.
    QVERIFY2(window.problemsModel()->summary().contains(QStringLiteral("Map … to a Local Port")),
             qPrintable(window.problemsModel()->summary()));
    actions.first()->trigger();
    MapAddressDialog *dialog = window.addressMapOffer()->currentDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->addresses().size(), 1);
    typeAndAccept(dialog, {{Web, QString::number(backend.port())}});
    QTRY_VERIFY(!window.addressMapOffer()->currentDialog());

    // The entry, with the key the validator asked for, in the model and in the document's JSON.
    QCOMPARE(window.controller()->config().localGateway.backendAddressMap,
             (QMap<QString, QString>{{Web, target}}));
    QCOMPARE(documentMap(window).value(Web).toString(), target);
    // The problem is gone (the other two addresses stay), on the canvas too.
    QCOMPARE(problemRowsFor(window, Web), 0);
    QCOMPARE(unmappedOf(window),
             (QStringList{QStringLiteral("10.0.0.8"), QStringLiteral("api.contoso.internal")}));
    QTRY_VERIFY(window.topology()->node(QStringLiteral("server/web/10.0.0.7")));
    QTRY_COMPARE(window.topology()->node(QStringLiteral("server/web/10.0.0.7"))->subtitle(),
                 QStringLiteral("→ ") + target);

    // One undo step takes it back; redo puts it back.
    QUndoStack *undo = window.controller()->undoStack();
    QCOMPARE(undo->undoText(), QStringLiteral("Map 10.0.0.7 to ") + target);
    undo->undo();
    QVERIFY(window.controller()->config().localGateway.backendAddressMap.isEmpty());
    QVERIFY(!documentMap(window).contains(Web));
    QCOMPARE(problemRowsFor(window, Web), 1);
    QCOMPARE(unmappedOf(window).size(), 3);
    undo->redo();
    QCOMPARE(documentMap(window).value(Web).toString(), target);
    QCOMPARE(problemRowsFor(window, Web), 0);

    // Start: a request through the gateway reaches the local server.
    QString error;
    QVERIFY2(window.startGateway(&error), qPrintable(error));
    QCOMPARE(window.gateway()->listeners().size(), 1);
    const QByteArray response = get(gatewayPort(window), "/");
    QCOMPARE(statusOf(response), 200);
    QVERIFY(response.endsWith("local web server"));
    QVERIFY(!backend.requests().isEmpty());
}

void tst_AddressMap::mapAllFromHealthWhileRunningThenApply()
{
    MainWindow &window = *m_window;
    FakeBackend web;
    web.setHandler(FakeBackend::respondWith(200, "web"));
    FakeBackend api;
    api.setHandler(FakeBackend::respondWith(200, "api"));

    QString error;
    QVERIFY2(window.startGateway(&error), qPrintable(error));
    quint16 port = gatewayPort(window);
    // Not mapped: refused (502), never contacted; health Unknown with the reason.
    QCOMPARE(statusOf(get(port, "/")), 502);

    raiseDock(window, QStringLiteral("healthDock"));
    QTreeView *health = window.healthWidget()->view();
    QModelIndex server;
    QTRY_VERIFY((server = findServer(health->model(), Web)).isValid());
    QCOMPARE(server.data(HealthTreeModel::StateRole).toInt(),
             int(Gateway::Health::HealthState::Unknown));
    QMenu menu;
    QList<QAction *> actions;
    QCOMPARE(offeredAt(window, health, server, &menu, &actions),
             (QStringList{QStringLiteral("Map 10.0.0.7 to a Local Port…"),
                          QStringLiteral("Map All 3 Unmapped Addresses…")}));
    // The pool row offers nothing (it is not an address).
    QMenu poolMenu;
    QVERIFY(offeredAt(window, health,
                      server.parent().parent().isValid() ? server.parent().parent()
                                                         : server.parent(),
                      &poolMenu)
                .isEmpty());

    // The canvas box of 10.0.0.7 offers the same.
    TopologyView *canvas = window.topology();
    TopologyNode *box = nullptr;
    QTRY_VERIFY((box = canvas->node(QStringLiteral("server/web/10.0.0.7"))));
    QCOMPARE(box->subtitle(), QStringLiteral("not mapped locally"));
    canvas->centerOn(box);
    QMenu canvasMenu;
    const QPoint at = canvas->mapFromScene(box->sceneBoundingRect().center());
    const QList<QAction *> canvasActions = window.addressMapOffer()->actionsAt(canvas, at,
                                                                               &canvasMenu);
    QCOMPARE(canvasActions.size(), 2);
    QCOMPARE(canvasActions.first()->text(), QStringLiteral("Map 10.0.0.7 to a Local Port…"));

    // Map all: one dialog, a field per address; 10.0.0.8 and the name both to the api server.
    actions.at(1)->trigger();
    MapAddressDialog *dialog = window.addressMapOffer()->currentDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->addresses().size(), 3);
    typeAndAccept(dialog, {{Web, QStringLiteral("127.0.0.1:%1").arg(web.port())},
                           {QStringLiteral("10.0.0.8"), QString::number(api.port())},
                           {QStringLiteral("api.contoso.internal"), QString::number(api.port())}});
    QTRY_VERIFY(!window.addressMapOffer()->currentDialog());
    QVERIFY(unmappedOf(window).isEmpty());
    QVERIFY(!window.addressMapOffer()->mapAllAction()->isEnabled());
    QCOMPARE(documentMap(window).size(), 3);
    QCOMPARE(window.controller()->undoStack()->undoText(), QStringLiteral("Map 3 addresses"));

    // The running gateway still serves the old configuration until Apply.
    QTRY_VERIFY(window.differsFromRunning());
    QCOMPARE(statusOf(get(port, "/")), 502);
    window.applyToGateway();
    QTRY_VERIFY(!window.differsFromRunning());
    port = gatewayPort(window); // frontendPortMap 80: 0 binds a free port on each apply
    const QByteArray root = get(port, "/");
    QCOMPARE(statusOf(root), 200);
    QVERIFY(root.endsWith("web"));
    for (int i = 0; i < 2; ++i) { // round robin over 10.0.0.8 and api.contoso.internal
        const QByteArray r = get(port, "/api/items");
        QCOMPARE(statusOf(r), 200);
        QVERIFY(r.endsWith("api"));
    }
    QCOMPARE(api.requests().size() >= 2, true);
    // Health follows: the mapped server is probed and healthy.
    QTRY_VERIFY_WITH_TIMEOUT(findServer(health->model(), Web).data(HealthTreeModel::StateRole).toInt()
                                 == int(Gateway::Health::HealthState::Healthy),
                             15000);
}

void tst_AddressMap::entriesOutsideThisMachineAreRefused()
{
    MainWindow &window = *m_window;
    MapAddressDialog *dialog = window.addressMapOffer()->offer({Web});
    QVERIFY(dialog);
    typeAndAccept(dialog, {{Web, QStringLiteral("10.0.0.9:80")}});
    // Still open, with the reason; nothing was written.
    QVERIFY(dialog->isVisible());
    QVERIFY2(dialog->errorText().contains(QLatin1String("not on this machine")),
             qPrintable(dialog->errorText()));
    QVERIFY(window.controller()->config().localGateway.backendAddressMap.isEmpty());
    QCOMPARE(window.controller()->undoStack()->count(), 0);
    typeAndAccept(dialog, {{Web, QStringLiteral("port")}});
    QVERIFY(dialog->isVisible());
    QVERIFY2(dialog->errorText().contains(QLatin1String("not a port")),
             qPrintable(dialog->errorText()));
    dialog->reject();
    QTRY_VERIFY(!window.addressMapOffer()->currentDialog());
    QCOMPARE(unmappedOf(window).size(), 3);
}

void tst_AddressMap::demoBackend()
{
#ifndef APPGW_HAVE_DEMO
    QSKIP("this build has no demo library (app/demo)");
#else
    MainWindow &window = *m_window;
    // Without a starter the choice is there but disabled.
    {
        MapAddressDialog *plain = window.addressMapOffer()->offer({Web});
        QVERIFY(plain);
        QVERIFY(!plain->findChild<QRadioButton *>(QStringLiteral("mapToDemoBackend"))->isEnabled());
        plain->reject();
        QTRY_VERIFY(!window.addressMapOffer()->currentDialog());
    }
    offerDemoBackendForMapping(&window);
    MapAddressDialog *dialog = window.addressMapOffer()->offerAll();
    QVERIFY(dialog);
    auto *demo = dialog->findChild<QRadioButton *>(QStringLiteral("mapToDemoBackend"));
    QVERIFY(demo && demo->isEnabled());
    QTest::mouseClick(demo, Qt::LeftButton, {}, QPoint(4, demo->height() / 2));
    QVERIFY(dialog->usesDemoBackend());
    typeAndAccept(dialog, {});
    QTRY_VERIFY(!window.addressMapOffer()->currentDialog());
    const auto map = window.controller()->config().localGateway.backendAddressMap;
    QCOMPARE(map.size(), 3);
    const QString target = map.value(Web);
    QVERIFY2(target.startsWith(QLatin1String("127.0.0.1:")), qPrintable(target));
    QCOMPARE(map.value(QStringLiteral("10.0.0.8")), target);
    QVERIFY(unmappedOf(window).isEmpty());

    QString error;
    QVERIFY2(window.startGateway(&error), qPrintable(error));
    const QByteArray response = get(gatewayPort(window), "/");
    QCOMPARE(statusOf(response), 200);
    QVERIFY2(response.contains("appgw demo chat backend"), response.constData());
#endif
}

QTEST_MAIN(tst_AddressMap)
#include "tst_addressmap.moc"
