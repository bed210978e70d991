// The whole window over a running gateway: a WebSocket client through the gateway to a loopback
// backend; the session, its frames, the probe state, the events and the request-timeout close
// (client sees 1006) show up in the window's models.

#include "configcontroller.h"
#include "eventlogmodel.h"
#include "frameswidget.h"
#include "frametablemodel.h"
#include "healthtreemodel.h"
#include "mainwindow.h"
#include "proxy/gateway.h"
#include "sessionswidget.h"
#include "sessiontablemodel.h"
#include "timeoutwarningsmodel.h"

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Gateway::Ui;

namespace {

// HTTP 200 for probes, WebSocket echo for upgrades, on one loopback port.
class EchoBackend : public QObject
{
public:
    EchoBackend() : m_ws(QStringLiteral("echo"), QWebSocketServer::NonSecureMode)
    {
        m_tcp.listen(QHostAddress::LocalHost, 0);
        connect(&m_tcp, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_tcp.nextPendingConnection())
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
        });
        connect(&m_ws, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *ws = m_ws.nextPendingConnection())
                connect(ws, &QWebSocket::textMessageReceived, ws, [ws](const QString &m) {
                    ws->sendTextMessage(QStringLiteral("echo: ") + m);
                });
        });
    }
    quint16 port() const { return m_tcp.serverPort(); }

private:
    void onRead(QTcpSocket *s)
    {
        const QByteArray head = s->peek(8192);
        if (!head.contains("\r\n\r\n"))
            return;
        if (head.toLower().contains("upgrade: websocket")) {
            disconnect(s, &QTcpSocket::readyRead, this, nullptr);
            m_ws.handleConnection(s);
            return;
        }
        s->read(head.indexOf("\r\n\r\n") + 4);
        s->write("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Type: text/plain\r\n\r\nhealthy");
    }
    QTcpServer m_tcp;
    QWebSocketServer m_ws;
};

QByteArray configFor(quint16 backendPort)
{
    QFile f(QStringLiteral(APPGW_SOURCE_DIR "/tests/ui/mainwindow/gateway.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().replace("BACKEND_PORT", QByteArray::number(backendPort));
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void liveSessionFramesHealthAndTimeout();
};

void tst_MainWindow::liveSessionFramesHealthAndTimeout()
{
    EchoBackend backend;
    QVERIFY(backend.port() > 0);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("gw.json"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(configFor(backend.port()));
    }
    MainWindow window;
    window.setNonInteractive(true);
    window.show();
    QVERIFY(window.openFile(path));
    QString error;
    QVERIFY2(window.startGateway(&error), qPrintable(error));
    QVERIFY(window.isGatewayRunning());
    const auto listeners = window.gateway()->listeners();
    QCOMPARE(listeners.size(), 1);
    const int port = listeners.first().port;
    QVERIFY(port > 0);

    // Probe state
    QTRY_VERIFY_WITH_TIMEOUT(window.healthModel()->healthyCount() >= 1, 15000);

    // A WebSocket session with frames
    QWebSocket client;
    QSignalSpy connected(&client, &QWebSocket::connected);
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&client, &QWebSocket::disconnected);
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/chat").arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);
    client.sendTextMessage(QStringLiteral("hello"));
    QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 10000);
    QCOMPARE(received.at(0).at(0).toString(), QStringLiteral("echo: hello"));

    SessionTableModel *sessions = window.sessionModel();
    QTRY_VERIFY_WITH_TIMEOUT(sessions->rowCount() >= 1, 10000);
    int row = -1;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int r = 0; r < sessions->rowCount(); ++r)
                if (sessions->session(r).webSocket) {
                    row = r;
                    return true;
                }
            return false;
        }(),
        10000);
    const auto id = sessions->session(row).id;
    QCOMPARE(sessions->session(row).listener, QStringLiteral("listener1"));
    window.sessionsWidget()->selectSession(id);
    QTRY_VERIFY_WITH_TIMEOUT(window.framesWidget()->model()->rowCount() >= 2, 10000);
    QCOMPARE(window.framesWidget()->model()->sessionId(), id);
    QVERIFY(window.framesWidget()->routingText().contains(QStringLiteral("setting1")));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int r = 0; r < window.eventModel()->rowCount(); ++r)
                if (window.eventModel()->event(r).type == QLatin1String("session.upgraded"))
                    return true;
            return false;
        }(),
        10000);

    // Idle for longer than the 2 s request timeout: the gateway closes both sides without a close
    // frame; the client sees 1006; the window lists it with the explanation.
    QTRY_VERIFY_WITH_TIMEOUT(window.timeoutModel()->closedByTimeoutCount() >= 1, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 10000);
    // No close frame reached the client (QWebSocket reports the dropped connection as an error);
    // the gateway records the close code the client saw as 1006.
    QCOMPARE(client.error(), QAbstractSocket::RemoteHostClosedError);
    QTRY_VERIFY_WITH_TIMEOUT(sessions->rowOf(id) >= 0
                                 && sessions->session(sessions->rowOf(id)).state
                                        == Gateway::Session::SessionState::Closed,
                             10000);
    const auto closed = sessions->session(sessions->rowOf(id));
    QCOMPARE(closed.closeCode, 1006);
    QCOMPARE(closed.closeReason, QStringLiteral("requestTimeout"));
    QCOMPARE(closed.closedBy, QStringLiteral("gateway"));
    const QString explanation =
        window.timeoutModel()->index(0, 0).data(TimeoutWarningsModel::ExplanationRole).toString();
    QVERIFY(explanation.contains(QStringLiteral("client saw close code 1006")));
    QCOMPARE(window.timeoutModel()->index(0, 0).data(TimeoutWarningsModel::SettingRole).toString(),
             QStringLiteral("setting1"));

    window.stopGateway();
    QTRY_VERIFY_WITH_TIMEOUT(!window.isGatewayRunning(), 15000);
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
