// WebSocket sessions through the in-process gateway (issue 3): real QWebSocket clients and a
// QWebSocketServer backend, Debian's python3-websockets as the non-Qt client and server, raw
// sockets for hand-written frames, a ManualClock for the request timeout. Loopback, port 0.

#include "config/configdocument.h"
#include "events/gatewayevent.h"
#include "fakebackend.h"
#include "net/clock.h"
#include "proxy/gateway.h"
#include "requirement.h"
#include "session/sessionregistry.h"
#include "session/sessiontypes.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

#include <atomic>
#include <memory>
#include <thread>

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Gateway;
using Events::GatewayEvent;
using Session::SessionSnapshot;

namespace {

// respondWith() returns a QStringBuilder of temporaries from its lambda
// (QT_USE_QSTRINGBUILDER): it dangles and crashes the backend thread. Build the QByteArray here.
TestSupport::FakeBackend::Handler respondWith(int status, const QByteArray &body,
                                              const QByteArray &extraHeaders = {})
{
    return [status, body, extraHeaders](const TestSupport::ReceivedRequest &) -> QByteArray {
        QByteArray r = "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Length: ";
        r += QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
        return r;
    };
}

const char *const PythonPath = "/usr/bin/python3";
const QByteArray HandshakeKey = "dGhlIHNhbXBsZSBub25jZQ==";

// ---------------------------------------------------------------------------------------------
// Configuration: an ARM template with one listener (frontend port 80 -> ephemeral), one Basic
// rule, one pool whose members map to test backends, one setting with the request timeout.

QByteArray armConfig(const QList<quint16> &backendPorts, int requestTimeoutSeconds)
{
    QJsonObject addressMap;
    QJsonArray addresses;
    for (int i = 0; i < backendPorts.size(); ++i) {
        const QString ip = QStringLiteral("10.0.1.%1").arg(4 + i);
        addressMap.insert(ip, QStringLiteral("127.0.0.1:%1").arg(backendPorts.at(i)));
        addresses.append(QJsonObject{{QStringLiteral("ipAddress"), ip}});
    }
    const QString gw = QStringLiteral(
        "[resourceId('Microsoft.Network/applicationGateways', 'wsgw')]");
    const auto ref = [](const QString &collection, const QString &name) {
        return QJsonObject{
            {QStringLiteral("id"),
             QStringLiteral(
                 "[resourceId('Microsoft.Network/applicationGateways/%1', 'wsgw', '%2')]")
                 .arg(collection, name)}};
    };
    const QJsonObject properties{
        {QStringLiteral("sku"), QJsonObject{{QStringLiteral("name"), QStringLiteral("Standard_v2")},
                                            {QStringLiteral("tier"), QStringLiteral("Standard_v2")},
                                            {QStringLiteral("capacity"), 1}}},
        {QStringLiteral("gatewayIPConfigurations"),
         QJsonArray{QJsonObject{
             {QStringLiteral("name"), QStringLiteral("ipconfig")},
             {QStringLiteral("properties"),
              QJsonObject{
                  {QStringLiteral("subnet"),
                   QJsonObject{
                       {QStringLiteral("id"),
                        QStringLiteral("/subscriptions/x/resourceGroups/rg/providers/"
                                       "Microsoft.Network/virtualNetworks/v/subnets/s")}}}}}}}},
        {QStringLiteral("frontendIPConfigurations"),
         QJsonArray{QJsonObject{
             {QStringLiteral("name"), QStringLiteral("frontendIp")},
             {QStringLiteral("properties"),
              QJsonObject{
                  {QStringLiteral("publicIPAddress"),
                   QJsonObject{{QStringLiteral("id"),
                                QStringLiteral("/subscriptions/x/resourceGroups/rg/providers/"
                                               "Microsoft.Network/publicIPAddresses/pip")}}}}}}}},
        {QStringLiteral("frontendPorts"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("port_80")},
                                {QStringLiteral("properties"),
                                 QJsonObject{{QStringLiteral("port"), 80}}}}}},
        {QStringLiteral("backendAddressPools"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("wsPool")},
                                {QStringLiteral("properties"),
                                 QJsonObject{{QStringLiteral("backendAddresses"), addresses}}}}}},
        {QStringLiteral("backendHttpSettingsCollection"),
         QJsonArray{QJsonObject{
             {QStringLiteral("name"), QStringLiteral("wsSettings")},
             {QStringLiteral("properties"),
              QJsonObject{{QStringLiteral("port"), 80},
                          {QStringLiteral("protocol"), QStringLiteral("Http")},
                          {QStringLiteral("cookieBasedAffinity"), QStringLiteral("Disabled")},
                          {QStringLiteral("requestTimeout"), requestTimeoutSeconds}}}}}},
        {QStringLiteral("httpListeners"),
         QJsonArray{QJsonObject{
             {QStringLiteral("name"), QStringLiteral("wsListener")},
             {QStringLiteral("properties"),
              QJsonObject{{QStringLiteral("frontendIPConfiguration"),
                           ref(QStringLiteral("frontendIPConfigurations"),
                               QStringLiteral("frontendIp"))},
                          {QStringLiteral("frontendPort"),
                           ref(QStringLiteral("frontendPorts"), QStringLiteral("port_80"))},
                          {QStringLiteral("protocol"), QStringLiteral("Http")}}}}}},
        {QStringLiteral("requestRoutingRules"),
         QJsonArray{QJsonObject{
             {QStringLiteral("name"), QStringLiteral("wsRule")},
             {QStringLiteral("properties"),
              QJsonObject{{QStringLiteral("ruleType"), QStringLiteral("Basic")},
                          {QStringLiteral("priority"), 100},
                          {QStringLiteral("httpListener"),
                           ref(QStringLiteral("httpListeners"), QStringLiteral("wsListener"))},
                          {QStringLiteral("backendAddressPool"),
                           ref(QStringLiteral("backendAddressPools"), QStringLiteral("wsPool"))},
                          {QStringLiteral("backendHttpSettings"),
                           ref(QStringLiteral("backendHttpSettingsCollection"),
                               QStringLiteral("wsSettings"))}}}}}},
    };
    Q_UNUSED(gw);
    const QJsonObject root{
        {QStringLiteral("$schema"),
         QStringLiteral(
             "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#")},
        {QStringLiteral("contentVersion"), QStringLiteral("1.0.0.0")},
        {QStringLiteral("metadata"),
         QJsonObject{{QStringLiteral("localGateway"),
                      QJsonObject{{QStringLiteral("bindAddress"), QStringLiteral("127.0.0.1")},
                                  {QStringLiteral("frontendPortMap"),
                                   QJsonObject{{QStringLiteral("80"), 0}}},
                                  {QStringLiteral("backendAddressMap"), addressMap}}}}},
        {QStringLiteral("resources"),
         QJsonArray{QJsonObject{{QStringLiteral("type"),
                                 QStringLiteral("Microsoft.Network/applicationGateways")},
                                {QStringLiteral("apiVersion"), QStringLiteral("2023-09-01")},
                                {QStringLiteral("name"), QStringLiteral("wsgw")},
                                {QStringLiteral("location"), QStringLiteral("westeurope")},
                                {QStringLiteral("properties"), properties}}}},
    };
    return QJsonDocument(root).toJson();
}

// ---------------------------------------------------------------------------------------------
// The gateway under test, in-process, with a ManualClock and every event collected.

struct GatewayUnderTest
{
    // Declared before the gateway: its destructor still publishes (gateway.stopped, last batches).
    Net::ManualClock clock;
    QList<GatewayEvent> events;
    std::unique_ptr<Proxy::Gateway> gateway;
    quint16 port = 0;

    ~GatewayUnderTest() { gateway.reset(); }

    bool recordFrames = true;

    bool start(const QList<quint16> &backendPorts, int requestTimeoutSeconds, QString *error)
    {
        const auto document = Config::ConfigDocument::fromJson(armConfig(backendPorts,
                                                                         requestTimeoutSeconds));
        if (!document.isLoaded()) {
            *error = QStringLiteral("config did not load");
            return false;
        }
        Proxy::GatewayOptions options;
        options.clock = &clock;
        options.healthProbes = false;
        options.sessionTickMs = 50;
        options.recordFrames = recordFrames;
        gateway = std::make_unique<Proxy::Gateway>(options);
        QObject::connect(gateway->events(), &Events::EventBus::eventsPublished, gateway.get(),
                         [this](const QList<GatewayEvent> &batch) { events += batch; });
        if (!gateway->start(document.model(), error))
            return false;
        if (gateway->listeners().isEmpty()) {
            *error = QStringLiteral("no listener");
            return false;
        }
        port = quint16(gateway->listeners().constFirst().port);
        return port != 0;
    }

    QUrl url(const QString &path = QStringLiteral("/chat")) const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(port).arg(path));
    }

    QList<GatewayEvent> eventsOf(const QString &type) const
    {
        QList<GatewayEvent> out;
        for (const auto &e : events)
            if (e.type == type)
                out.append(e);
        return out;
    }

    QList<SessionSnapshot> upgradedSessions() const
    {
        QList<SessionSnapshot> out;
        for (const auto &s : gateway->sessions()->sessions())
            if (s.state == Session::SessionState::Upgraded)
                out.append(s);
        return out;
    }
};

QString dumpEvents(const QList<GatewayEvent> &events)
{
    QString out;
    for (const auto &e : events)
        out += QString::fromUtf8(e.toJsonLine());
    return out;
}

// ---------------------------------------------------------------------------------------------
// A QWebSocketServer backend on the test thread: echoes text and binary, keeps its sockets.

class EchoBackend : public QObject
{
public:
    EchoBackend() : m_server(QStringLiteral("echo"), QWebSocketServer::NonSecureMode)
    {
        m_server.setProxy(QNetworkProxy::NoProxy);
        m_server.setMaxPendingConnections(2000);
        // The TCP side is ours so the accept queue can hold a burst of 1,000 connects (Qt's
        // default backlog of 50 drops SYNs under load, and the gateway's 5 s connect timeout
        // then answers 502 before the kernel's SYN retries get through).
        m_tcp.setProxy(QNetworkProxy::NoProxy);
        m_tcp.setListenBacklogSize(4096);
        m_tcp.setMaxPendingConnections(4096);
        QObject::connect(&m_tcp, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_tcp.nextPendingConnection())
                m_server.handleConnection(socket);
        });
        QObject::connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                m_sockets.append(socket);
                ++accepted;
                requestPaths.append(socket->requestUrl().path());
                QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                                 [this, socket](const QString &m) {
                                     if (echo)
                                         socket->sendTextMessage(m);
                                 });
                QObject::connect(socket, &QWebSocket::binaryMessageReceived, socket,
                                 [this, socket](const QByteArray &m) {
                                     if (echo)
                                         socket->sendBinaryMessage(m);
                                 });
                QObject::connect(socket, &QWebSocket::disconnected, this, [this, socket] {
                    ++disconnected;
                    lastCloseCode = socket->closeCode();
                    lastCloseReason = socket->closeReason();
                    m_sockets.removeAll(socket);
                    socket->deleteLater();
                });
            }
        });
    }
    ~EchoBackend() override
    {
        // The sockets' disconnected() fires while they are destroyed: never into a dead list.
        for (QWebSocket *socket : findChildren<QWebSocket *>())
            QObject::disconnect(socket, nullptr, this, nullptr);
        QObject::disconnect(&m_server, nullptr, this, nullptr);
        qDeleteAll(findChildren<QWebSocket *>(Qt::FindDirectChildrenOnly));
        m_tcp.close();
        m_server.close();
    }
    bool listen() { return m_tcp.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_tcp.serverPort(); }
    QList<QWebSocket *> sockets() const { return m_sockets; }

    bool echo = true;
    int accepted = 0;
    int disconnected = 0;
    int lastCloseCode = -1;
    QString lastCloseReason;
    QStringList requestPaths;

private:
    QList<QWebSocket *> m_sockets;
    QWebSocketServer m_server;
    QTcpServer m_tcp;
};

// The close code as a browser reports it: QWebSocket keeps closeCode() at 1000 when the TCP
// connection just drops; aboutToClose() is emitted only for a closing handshake (a close frame
// sent or received). No handshake before disconnected() means 1006.
int seenCloseCode(const QWebSocket &ws, const QSignalSpy &aboutToClose)
{
    return aboutToClose.isEmpty() ? int(QWebSocketProtocol::CloseCodeAbnormalDisconnection)
                                  : int(ws.closeCode());
}

std::unique_ptr<QWebSocket> newClient()
{
    auto ws = std::make_unique<QWebSocket>();
    ws->setProxy(QNetworkProxy::NoProxy);
    ws->setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
    ws->setMaxAllowedIncomingFrameSize(64 * 1024 * 1024);
    return ws;
}

// ---------------------------------------------------------------------------------------------
// Raw frames (RFC 6455 §5.2) and a raw client that waits by running the event loop.

QByteArray encodeFrame(quint8 opcode, const QByteArray &payload, bool fin = true, bool mask = true)
{
    QByteArray f;
    f.append(char((fin ? 0x80 : 0) | (opcode & 0x0f)));
    const quint8 maskBit = mask ? 0x80 : 0;
    const quint64 n = quint64(payload.size());
    if (n < 126) {
        f.append(char(maskBit | n));
    } else if (n <= 0xffff) {
        f.append(char(maskBit | 126));
        f.append(char(n >> 8));
        f.append(char(n & 0xff));
    } else {
        f.append(char(maskBit | 127));
        for (int i = 7; i >= 0; --i)
            f.append(char((n >> (8 * i)) & 0xff));
    }
    if (!mask)
        return f + payload;
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(key, 4);
    QByteArray masked = payload;
    for (qsizetype i = 0; i < masked.size(); ++i)
        masked[i] = char(masked[i] ^ key[i % 4]);
    return f + masked;
}

struct Frame
{
    quint8 opcode = 0;
    bool fin = false;
    bool masked = false;
    QByteArray payload;
};

// Parses one frame from the front of buf; returns the bytes used, 0 when incomplete.
qsizetype decodeFrame(const QByteArray &buf, Frame *out)
{
    if (buf.size() < 2)
        return 0;
    const auto b = [&](qsizetype i) { return quint8(buf.at(i)); };
    out->fin = b(0) & 0x80;
    out->opcode = b(0) & 0x0f;
    out->masked = b(1) & 0x80;
    quint64 n = b(1) & 0x7f;
    qsizetype pos = 2;
    if (n == 126) {
        if (buf.size() < 4)
            return 0;
        n = (quint64(b(2)) << 8) | b(3);
        pos = 4;
    } else if (n == 127) {
        if (buf.size() < 10)
            return 0;
        n = 0;
        for (int i = 0; i < 8; ++i)
            n = (n << 8) | b(2 + i);
        pos = 10;
    }
    char key[4] = {0, 0, 0, 0};
    if (out->masked) {
        if (buf.size() < pos + 4)
            return 0;
        memcpy(key, buf.constData() + pos, 4);
        pos += 4;
    }
    if (quint64(buf.size() - pos) < n)
        return 0;
    out->payload = buf.mid(pos, qsizetype(n));
    if (out->masked)
        for (qsizetype i = 0; i < out->payload.size(); ++i)
            out->payload[i] = char(out->payload[i] ^ key[i % 4]);
    return pos + qsizetype(n);
}

QByteArray upgradeRequest(const QByteArray &connection = "Upgrade",
                          const QByteArray &version = "HTTP/1.1", const QByteArray &extra = {})
{
    return "GET /chat " + version + "\r\n"
           + "Host: chat.example.com\r\nUpgrade: websocket\r\nConnection: " + connection
           + "\r\nSec-WebSocket-Key: " + HandshakeKey + "\r\nSec-WebSocket-Version: 13\r\n" + extra
           + "\r\n";
}

class RawClient
{
public:
    RawClient() { m_socket.setProxy(QNetworkProxy::NoProxy); }
    bool connectTo(quint16 port)
    {
        QSignalSpy connected(&m_socket, &QTcpSocket::connected);
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return connected.wait(5000);
    }
    void write(const QByteArray &bytes) { m_socket.write(bytes); }
    // Runs the event loop until done(buffer) holds, the peer closed, or the timeout.
    bool waitFor(const std::function<bool(const QByteArray &)> &done, int timeoutMs = 5000)
    {
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            buffer += m_socket.readAll();
            if (done(buffer))
                return true;
            if (m_socket.state() != QAbstractSocket::ConnectedState
                && m_socket.bytesAvailable() == 0)
                return false;
            if (deadline.hasExpired())
                return false;
            QSignalSpy ready(&m_socket, &QTcpSocket::readyRead);
            QSignalSpy gone(&m_socket, &QTcpSocket::disconnected);
            if (m_socket.bytesAvailable() == 0)
                ready.wait(int(std::clamp<qint64>(deadline.remainingTime(), 1, 100)));
        }
    }
    // The response head (through CRLFCRLF), removed from the buffer.
    QByteArray takeHead(int timeoutMs = 5000)
    {
        if (!waitFor([](const QByteArray &b) { return b.contains("\r\n\r\n"); }, timeoutMs))
            return {};
        const qsizetype end = buffer.indexOf("\r\n\r\n") + 4;
        const QByteArray head = buffer.left(end);
        buffer.remove(0, end);
        return head;
    }
    bool takeFrame(Frame *frame, int timeoutMs = 5000)
    {
        if (!waitFor([frame](const QByteArray &b) { return decodeFrame(b, frame) > 0; }, timeoutMs))
            return false;
        buffer.remove(0, decodeFrame(buffer, frame));
        return true;
    }
    bool waitClosed(int timeoutMs = 5000)
    {
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            return true;
        QSignalSpy gone(&m_socket, &QTcpSocket::disconnected);
        return gone.wait(timeoutMs) || m_socket.state() == QAbstractSocket::UnconnectedState;
    }
    QTcpSocket &socket() { return m_socket; }
    QByteArray buffer;

private:
    QTcpSocket m_socket;
};

int statusOf(const QByteArray &head)
{
    return head.startsWith("HTTP/1.") ? head.mid(9, 3).toInt() : 0;
}

// ---------------------------------------------------------------------------------------------
// Process metrics (the gateway is in this process).

qint64 rssKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

int openFds()
{
    return int(QDir(QStringLiteral("/proc/self/fd"))
                   .entryList(QDir::NoDotAndDotDot | QDir::System | QDir::Files | QDir::Dirs)
                   .size());
}

// ---------------------------------------------------------------------------------------------
// Python (non-Qt) peers.

QString commonDir()
{
    return QStringLiteral(APPGW_SOURCE_DIR "/tests/common");
}

class PythonServer
{
public:
    ~PythonServer()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.closeWriteChannel();
            m_process.terminate();
            if (!m_process.waitForFinished(5000))
                m_process.kill();
        }
    }
    quint16 start()
    {
        m_process.start(QString::fromLatin1(PythonPath),
                        {commonDir() + QStringLiteral("/ws_echo_server.py"),
                         QStringLiteral("--port"), QStringLiteral("0")});
        if (!m_process.waitForStarted(5000))
            return 0;
        QDeadlineTimer deadline(10000);
        while (!m_process.canReadLine() && !deadline.hasExpired()
               && m_process.state() == QProcess::Running)
            m_process.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())));
        return quint16(m_process.readLine().trimmed().toUInt());
    }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
};

// The same test against either backend implementation: Qt's QWebSocketServer or Python's
// websockets (an independent peer). start() returns the listening port, 0 on failure.
struct EitherBackend
{
    EchoBackend qt;
    PythonServer py;
    quint16 start(bool python)
    {
        if (python)
            return py.start();
        return qt.listen() ? qt.port() : 0;
    }
};

// Runs ws_client.py while the event loop keeps spinning (the backend may live on this thread).
QJsonObject runPythonClient(const QStringList &args, int timeoutMs, int *exitCode,
                            QByteArray *stderrOut = nullptr)
{
    QProcess client;
    QSignalSpy finished(&client, &QProcess::finished);
    client.start(QString::fromLatin1(PythonPath),
                 QStringList{commonDir() + QStringLiteral("/ws_client.py")} + args);
    if (!client.waitForStarted(5000)) {
        *exitCode = -1;
        return {};
    }
    if (!finished.wait(timeoutMs)) {
        client.kill();
        client.waitForFinished(2000);
        *exitCode = -2;
        return {};
    }
    *exitCode = client.exitCode();
    if (stderrOut)
        *stderrOut = client.readAllStandardError();
    return QJsonDocument::fromJson(client.readAllStandardOutput()).object();
}

bool pythonWebSocketsAvailable()
{
    QProcess p;
    p.start(QString::fromLatin1(PythonPath),
            {QStringLiteral("-c"), QStringLiteral("import websockets")});
    return p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// ---------------------------------------------------------------------------------------------
// A backend on its own thread that accepts one upgrade and then floods binary frames as fast as
// the connection takes them; it reports how much the kernel accepted and whether it stalled.

class FloodBackend
{
public:
    explicit FloodBackend(qint64 bytes = 512LL * 1024 * 1024) : target(bytes)
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        ::bind(m_listen, reinterpret_cast<sockaddr *>(&a), sizeof a);
        ::listen(m_listen, 4);
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&a), &len);
        port = ntohs(a.sin_port);
        m_thread = std::thread([this] { run(); });
    }
    ~FloodBackend()
    {
        stop = true;
        ::shutdown(m_listen, SHUT_RDWR);
        if (m_thread.joinable())
            m_thread.join();
        ::close(m_listen);
    }

    quint16 port = 0;
    const qint64 target;
    std::atomic<qint64> pushed{0};
    std::atomic<bool> stalled{false};
    std::atomic<bool> finished{false};
    std::atomic<bool> stop{false};

private:
    void run()
    {
        pollfd lp{m_listen, POLLIN, 0};
        if (::poll(&lp, 1, 10000) <= 0) {
            finished = true;
            return;
        }
        const int fd = ::accept(m_listen, nullptr, nullptr);
        if (fd < 0) {
            finished = true;
            return;
        }
        QByteArray request;
        char buf[4096];
        while (!request.contains("\r\n\r\n")) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0)
                break;
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            request.append(buf, n);
        }
        QByteArray key;
        for (const QByteArray &line : request.split('\n'))
            if (line.toLower().startsWith("sec-websocket-key:"))
                key = line.mid(18).trimmed();
        const QByteArray accept = QCryptographicHash::hash(
                                      QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
                                      QCryptographicHash::Sha1)
                                      .toBase64();
        const QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                    "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                                    + accept + "\r\n\r\n";
        ::send(fd, response.constData(), size_t(response.size()), MSG_NOSIGNAL);
        const QByteArray frame = encodeFrame(0x2, QByteArray(65536, 'x'), true, false);
        qsizetype offset = 0;
        while (!stop && pushed < target) {
            pollfd p{fd, POLLOUT, 0};
            const int r = ::poll(&p, 1, 700); // no progress for 0.7 s: the peer applies backpressure
            if (r == 0) {
                stalled = true;
                break;
            }
            if (r < 0 || (p.revents & (POLLERR | POLLHUP)))
                break;
            const ssize_t n = ::send(fd, frame.constData() + offset, size_t(frame.size() - offset),
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    continue;
                break;
            }
            pushed += n;
            offset = (offset + n) % frame.size();
        }
        finished = true;
        while (!stop) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) > 0) {
                const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n <= 0)
                    break;
            }
        }
        ::close(fd);
    }

    int m_listen = -1;
    std::thread m_thread;
};

} // namespace

class tst_WebSocket : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void echoQtClientQtServer_data();
    void echoQtClientQtServer();
    void echoPythonClientPythonServer();
    void echoPythonClientQtServer();
    void fragmentedMessage();
    void pingPong();
    void closeFromClient();
    void closeFromBackend_data();
    void closeFromBackend();
    void requestTimeoutFires();
    void requestTimeoutFiresPythonClient();
    void requestTimeoutNotFiringWhilePingsFlow();
    void heartbeatWarning();
    void backendForbidsUpgrade();
    void backendDownAtUpgrade();
    void unrequested101Is502();
    void backendDiesMidSession_data();
    void backendDiesMidSession();
    void earlyDataAfterHandshake();
    void firstTunnelBytesWithThe101();
    void upgradeRequestRecognition_data();
    void upgradeRequestRecognition();
    void upgradeHeadersPassUntouched();
    void registrySessionAndFrames();
    void framesCountedButNotRecordedWhenOff();
    void slowReaderReceivesEverything();
    void floodWithoutReaderStaysBounded();
    void thousandSessionsLeakNothing();

private:
    bool m_python = false;
};

void tst_WebSocket::initTestCase()
{
    qRegisterMetaType<QAbstractSocket::SocketError>();
    m_python = QFile::exists(QString::fromLatin1(PythonPath)) && pythonWebSocketsAvailable();
    // 1,000 sessions hold ~3,000 descriptors in this process (client, gateway's two sides).
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 8192) {
        limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 8192);
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// -- Echo, byte-exact --------------------------------------------------------------------------

void tst_WebSocket::echoQtClientQtServer_data()
{
    QTest::addColumn<bool>("binary");
    QTest::addColumn<int>("size");
    for (int size : {0, 125, 126, 65535, 65536, 16 * 1024 * 1024}) {
        QTest::addRow("text %d", size) << false << size;
        QTest::addRow("binary %d", size) << true << size;
    }
}

void tst_WebSocket::echoQtClientQtServer()
{
    QFETCH(bool, binary);
    QFETCH(int, size);
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));

    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy text(ws.get(), &QWebSocket::textMessageReceived);
    QSignalSpy bin(ws.get(), &QWebSocket::binaryMessageReceived);
    ws->open(gw.url());
    QVERIFY(connected.wait(5000));

    QByteArray payload(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        payload[i] = binary ? char((i * 131 + 7) & 0xff) : char('a' + (i * 7) % 26);
    if (binary) {
        ws->sendBinaryMessage(payload);
        QTRY_COMPARE_WITH_TIMEOUT(bin.size(), 1, 20000);
        const QByteArray echo = bin.first().first().toByteArray();
        QCOMPARE(echo.size(), payload.size());
        QVERIFY(echo == payload);
    } else {
        const QString message = QString::fromLatin1(payload);
        ws->sendTextMessage(message);
        QTRY_COMPARE_WITH_TIMEOUT(text.size(), 1, 20000);
        const QString echo = text.first().first().toString();
        QCOMPARE(echo.size(), message.size());
        QVERIFY(echo == message);
    }
    QCOMPARE(text.size() + bin.size(), 1);
    ws->close();
    QTRY_COMPARE(backend.disconnected, 1);
}

void tst_WebSocket::echoPythonClientPythonServer()
{
    APPGW_REQUIRE(m_python, APPGW_PYTHON_WEBSOCKETS_REASON);
    PythonServer server;
    const quint16 backendPort = server.start();
    QVERIFY(backendPort != 0);
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backendPort}, 20, &error), qPrintable(error));
    int exitCode = 0;
    QByteArray stderrText;
    const QJsonObject summary = runPythonClient(
        {gw.url().toString(), QStringLiteral("--sizes"),
         QStringLiteral("0,125,126,65535,65536,16777216"), QStringLiteral("--ping"),
         QStringLiteral("--close-code"), QStringLiteral("4000"), QStringLiteral("--close-reason"),
         QStringLiteral("python done")},
        120000, &exitCode, &stderrText);
    QVERIFY2(exitCode == 0, QByteArray(QJsonDocument(summary).toJson() + stderrText).constData());
    QCOMPARE(summary.value(QStringLiteral("ok")).toBool(), true);
    const QJsonArray messages = summary.value(QStringLiteral("messages")).toArray();
    QCOMPARE(messages.size(), 12);
    for (const auto &m : messages)
        QVERIFY2(m.toObject().value(QStringLiteral("ok")).toBool(),
                 QJsonDocument(m.toObject()).toJson().constData());
    QCOMPARE(summary.value(QStringLiteral("ping")).toObject().value(QStringLiteral("ok")).toBool(),
             true);
    QCOMPARE(summary.value(QStringLiteral("closeCode")).toInt(), 4000);

    QTRY_VERIFY(!gw.eventsOf(QStringLiteral("session.closed")).isEmpty());
    const QJsonObject closed = gw.eventsOf(QStringLiteral("session.closed")).constFirst().fields;
    QCOMPARE(closed.value(QStringLiteral("closedBy")).toString(), QStringLiteral("client"));
    QCOMPARE(closed.value(QStringLiteral("closeCode")).toInt(), 4000);
    QVERIFY(closed.value(QStringLiteral("bytesIn")).toDouble() > 2 * 16777216.0);
    QVERIFY(closed.value(QStringLiteral("bytesOut")).toDouble() > 2 * 16777216.0);
}

void tst_WebSocket::echoPythonClientQtServer()
{
    APPGW_REQUIRE(m_python, APPGW_PYTHON_WEBSOCKETS_REASON);
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    int exitCode = 0;
    QByteArray stderrText;
    const QJsonObject summary = runPythonClient({gw.url().toString(), QStringLiteral("--sizes"),
                                                 QStringLiteral("0,125,126,65535,65536,16777216"),
                                                 QStringLiteral("--ping")},
                                                120000, &exitCode, &stderrText);
    QVERIFY2(exitCode == 0, QByteArray(QJsonDocument(summary).toJson() + stderrText).constData());
    QCOMPARE(summary.value(QStringLiteral("messages")).toArray().size(), 12);
    QCOMPARE(summary.value(QStringLiteral("closeCode")).toInt(), 1000);
    QTRY_COMPARE(backend.disconnected, 1);
    QCOMPARE(backend.lastCloseCode, 1000);
    QCOMPARE(backend.lastCloseReason, QStringLiteral("bye"));
}

// -- Frames -------------------------------------------------------------------------------------

void tst_WebSocket::fragmentedMessage()
{
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));

    RawClient client;
    QVERIFY(client.connectTo(gw.port));
    client.write(upgradeRequest());
    const QByteArray head = client.takeHead();
    QCOMPARE(statusOf(head), 101);
    // "Hello, fragmented world" in three frames with a ping between the fragments (allowed: control
    // frames may be interleaved, RFC 6455 §5.4).
    client.write(encodeFrame(0x1, "Hello, ", false));
    client.write(encodeFrame(0x0, "fragmented ", false));
    client.write(encodeFrame(0x9, "mid-ping"));
    client.write(encodeFrame(0x0, "world", true));
    Frame pong, echo;
    QVERIFY(client.takeFrame(&pong));
    QCOMPARE(pong.opcode, quint8(0xA));
    QCOMPARE(pong.payload, QByteArray("mid-ping"));
    QVERIFY(!pong.masked);
    QVERIFY(client.takeFrame(&echo));
    QCOMPARE(echo.opcode, quint8(0x1));
    QVERIFY(echo.fin);
    QCOMPARE(echo.payload, QByteArray("Hello, fragmented world"));

    // The registry saw the three data frames with their FIN bits and opcodes.
    QTRY_VERIFY(gw.upgradedSessions().size() == 1);
    const auto id = gw.upgradedSessions().constFirst().id;
    QList<Session::FrameRecord> fromClient;
    QTRY_VERIFY((fromClient.clear(), [&] {
        for (const auto &f : gw.gateway->sessions()->frames(id))
            if (f.direction == Session::Direction::ClientToBackend)
                fromClient.append(f);
        return fromClient.size() >= 4;
    }()));
    QCOMPARE(fromClient.at(0).opcode, quint8(0x1));
    QCOMPARE(fromClient.at(0).fin, false);
    QCOMPARE(fromClient.at(0).masked, true);
    QCOMPARE(fromClient.at(0).payloadLength, quint64(7));
    QCOMPARE(fromClient.at(1).opcode, quint8(0x0));
    QCOMPARE(fromClient.at(1).fin, false);
    QCOMPARE(fromClient.at(2).opcode, quint8(0x9));
    QCOMPARE(fromClient.at(3).opcode, quint8(0x0));
    QCOMPARE(fromClient.at(3).fin, true);
    QCOMPARE(fromClient.at(3).preview, QByteArray("world"));
}

void tst_WebSocket::pingPong()
{
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy pong(ws.get(), &QWebSocket::pong);
    ws->open(gw.url());
    QVERIFY(connected.wait(5000));
    ws->ping("are you there");
    QVERIFY(pong.wait(5000));
    QCOMPARE(pong.first().at(1).toByteArray(), QByteArray("are you there"));

    // Server-initiated ping: Qt's client answers it, the backend sees the pong.
    QTRY_COMPARE(backend.sockets().size(), 1);
    QSignalSpy backendPong(backend.sockets().constFirst(), &QWebSocket::pong);
    backend.sockets().constFirst()->ping("server ping");
    QVERIFY(backendPong.wait(5000));
    QCOMPARE(backendPong.first().at(1).toByteArray(), QByteArray("server ping"));

    QTRY_VERIFY(!gw.upgradedSessions().isEmpty());
    const auto id = gw.upgradedSessions().constFirst().id;
    QTRY_VERIFY(gw.gateway->sessions()->frames(id).size() >= 4);
    int pings = 0, pongs = 0;
    for (const auto &f : gw.gateway->sessions()->frames(id)) {
        if (f.opcode == 0x9)
            ++pings;
        if (f.opcode == 0xA)
            ++pongs;
    }
    QCOMPARE(pings, 2);
    QCOMPARE(pongs, 2);
    QTRY_VERIFY(gw.gateway->sessions()->session(id).lastPingMs > 0);
}

// -- Close handshakes --------------------------------------------------------------------------

void tst_WebSocket::closeFromClient()
{
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy disconnected(ws.get(), &QWebSocket::disconnected);
    ws->open(gw.url());
    QVERIFY(connected.wait(5000));
    ws->close(QWebSocketProtocol::CloseCode(4001), QStringLiteral("client says bye"));
    QTRY_COMPARE(backend.disconnected, 1);
    QCOMPARE(backend.lastCloseCode, 4001);
    QCOMPARE(backend.lastCloseReason, QStringLiteral("client says bye"));
    QTRY_COMPARE(disconnected.size(), 1);
    QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.closed")).size(), 1);
    const QJsonObject closed = gw.eventsOf(QStringLiteral("session.closed")).constFirst().fields;
    QCOMPARE(closed.value(QStringLiteral("closedBy")).toString(), QStringLiteral("client"));
    QCOMPARE(closed.value(QStringLiteral("closeCode")).toInt(), 4001);
    QCOMPARE(closed.value(QStringLiteral("setting")).toString(), QStringLiteral("wsSettings"));
    QTRY_COMPARE(gw.gateway->sessions()->openCount(), 0);
}

void tst_WebSocket::closeFromBackend_data()
{
    QTest::addColumn<bool>("python");
    QTest::newRow("QWebSocketServer") << false;
    QTest::newRow("python websockets") << true;
}

void tst_WebSocket::closeFromBackend()
{
    QFETCH(bool, python);
    APPGW_REQUIRE(!python || m_python, APPGW_PYTHON_WEBSOCKETS_REASON);
    EitherBackend backend;
    const quint16 backendPort = backend.start(python);
    QVERIFY(backendPort != 0);
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backendPort}, 20, &error), qPrintable(error));
    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy disconnected(ws.get(), &QWebSocket::disconnected);
    ws->open(gw.url());
    QVERIFY(connected.wait(5000));
    if (python) {
        ws->sendTextMessage(QStringLiteral("close:4002:server says bye"));
    } else {
        QTRY_COMPARE(backend.qt.sockets().size(), 1);
        backend.qt.sockets().constFirst()->close(QWebSocketProtocol::CloseCode(4002),
                                                 QStringLiteral("server says bye"));
    }
    QVERIFY(disconnected.wait(5000));
    QCOMPARE(int(ws->closeCode()), 4002);
    QCOMPARE(ws->closeReason(), QStringLiteral("server says bye"));
    QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.closed")).size(), 1);
    const QJsonObject closed = gw.eventsOf(QStringLiteral("session.closed")).constFirst().fields;
    QCOMPARE(closed.value(QStringLiteral("closedBy")).toString(), QStringLiteral("backend"));
    QCOMPARE(closed.value(QStringLiteral("closeCode")).toInt(), 4002);
}

// -- The request timeout (idle timeout of the session) -----------------------------------------

void tst_WebSocket::requestTimeoutFires()
{
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy disconnected(ws.get(), &QWebSocket::disconnected);
    QSignalSpy text(ws.get(), &QWebSocket::textMessageReceived);
    QSignalSpy aboutToClose(ws.get(), &QWebSocket::aboutToClose);
    ws->open(gw.url());
    QVERIFY(connected.wait(5000));
    ws->sendTextMessage(QStringLiteral("hello"));
    QVERIFY(text.wait(5000));
    QTRY_COMPARE(gw.upgradedSessions().size(), 1);
    QCOMPARE(gw.upgradedSessions().constFirst().timeoutMs, 20000);

    // Just before the timeout: still open.
    gw.clock.advance(19'000);
    QVERIFY(!disconnected.wait(200)); // the worker ran its timers; nothing may happen
    QCOMPARE(disconnected.size(), 0);
    QCOMPARE(backend.disconnected, 0);

    gw.clock.advance(2'000); // 21 s idle > 20 s
    QVERIFY(disconnected.wait(5000));
    // No close frame reached the client: abnormal closure.
    QCOMPARE(seenCloseCode(*ws, aboutToClose),
             int(QWebSocketProtocol::CloseCodeAbnormalDisconnection));
    QTRY_COMPARE(backend.disconnected, 1); // the backend's connection was dropped too

    QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.closed")).size(), 1);
    const QJsonObject closed = gw.eventsOf(QStringLiteral("session.closed")).constFirst().fields;
    QCOMPARE(closed.value(QStringLiteral("reason")).toString(), QStringLiteral("requestTimeout"));
    QCOMPARE(closed.value(QStringLiteral("closedBy")).toString(), QStringLiteral("gateway"));
    QCOMPARE(closed.value(QStringLiteral("closeCode")).toInt(), 1006);
    QCOMPARE(closed.value(QStringLiteral("setting")).toString(), QStringLiteral("wsSettings"));
    QVERIFY2(
        closed.value(QStringLiteral("message")).toString().contains(QStringLiteral("wsSettings")),
        qPrintable(dumpEvents(gw.events)));

    // The access log records the 101 with the whole session as timeTaken.
    QList<GatewayEvent> access;
    QTRY_VERIFY((access = gw.eventsOf(QStringLiteral("access")), !access.isEmpty()));
    const QJsonObject a = access.constLast().fields;
    QCOMPARE(a.value(QStringLiteral("httpStatus")).toInt(), 101);
    QVERIFY2(a.value(QStringLiteral("timeTaken")).toDouble() >= 21.0,
             qPrintable(dumpEvents(access)));

    // The registry ends the session the same way.
    QTRY_COMPARE(gw.gateway->sessions()->openCount(), 0);
    bool found = false;
    for (const auto &s : gw.gateway->sessions()->sessions()) {
        if (!s.webSocket)
            continue;
        found = true;
        QCOMPARE(int(s.state), int(Session::SessionState::Closed));
        QCOMPARE(s.closeReason, QStringLiteral("requestTimeout"));
        QCOMPARE(s.closedBy, QStringLiteral("gateway"));
        QCOMPARE(s.closeCode, 1006);
    }
    QVERIFY(found);
}

void tst_WebSocket::requestTimeoutFiresPythonClient()
{
    APPGW_REQUIRE(m_python, APPGW_PYTHON_WEBSOCKETS_REASON);
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 5, &error), qPrintable(error));
    QProcess client;
    QSignalSpy finished(&client, &QProcess::finished);
    client.start(QString::fromLatin1(PythonPath),
                 {commonDir() + QStringLiteral("/ws_client.py"), gw.url().toString(),
                  QStringLiteral("--sizes"), QStringLiteral("10"), QStringLiteral("--type"),
                  QStringLiteral("text"), QStringLiteral("--wait-close"), QStringLiteral("60"),
                  QStringLiteral("--expect-close-code"), QStringLiteral("1006")});
    QVERIFY(client.waitForStarted(5000));
    // Once the message went both ways the session is idle; 6 s of clock later it is dropped.
    QTRY_VERIFY_WITH_TIMEOUT(!gw.upgradedSessions().isEmpty()
                                 && gw.upgradedSessions().constFirst().framesOut >= 1,
                             10000);
    gw.clock.advance(6'000);
    QVERIFY(finished.wait(20000));
    const QByteArray out = client.readAllStandardOutput();
    QVERIFY2(client.exitCode() == 0, out.constData());
    QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("closeCode")).toInt(), 1006);
    QTRY_COMPARE(backend.disconnected, 1);
}

void tst_WebSocket::requestTimeoutNotFiringWhilePingsFlow()
{
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy disconnected(ws.get(), &QWebSocket::disconnected);
    QSignalSpy pong(ws.get(), &QWebSocket::pong);
    QSignalSpy aboutToClose(ws.get(), &QWebSocket::aboutToClose);
    ws->open(gw.url());
    QVERIFY(connected.wait(5000));
    QTRY_COMPARE(gw.upgradedSessions().size(), 1);
    // 6 x 15 s = 90 s of clock with a ping every 15 s (< 20 s): the session stays.
    for (int i = 0; i < 6; ++i) {
        gw.clock.advance(15'000);
        ws->ping(QByteArray::number(i));
        QTRY_COMPARE(pong.size(), i + 1);
    }
    QVERIFY(!disconnected.wait(200));
    QCOMPARE(backend.disconnected, 0);
    QVERIFY2(gw.eventsOf(QStringLiteral("session.closed")).isEmpty(),
             qPrintable(dumpEvents(gw.events)));
    QCOMPARE(ws->state(), QAbstractSocket::ConnectedState);
    // A ping from the backend side resets it too.
    QTRY_COMPARE(backend.sockets().size(), 1);
    QSignalSpy backendPong(backend.sockets().constFirst(), &QWebSocket::pong);
    gw.clock.advance(15'000);
    backend.sockets().constFirst()->ping("b");
    QVERIFY(backendPong.wait(5000));
    gw.clock.advance(15'000);
    QVERIFY(!disconnected.wait(200));
    // And when the pings stop, it fires.
    gw.clock.advance(6'000);
    QVERIFY(disconnected.wait(5000));
    QCOMPARE(seenCloseCode(*ws, aboutToClose), 1006);
}

void tst_WebSocket::heartbeatWarning()
{
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy pong(ws.get(), &QWebSocket::pong);
    ws->open(gw.url());
    QVERIFY(connected.wait(5000));
    QTRY_COMPARE(gw.upgradedSessions().size(), 1);
    const auto id = gw.upgradedSessions().constFirst().id;

    // Pings every 10 s: 50 % of the timeout, no warning.
    for (int i = 0; i < 3; ++i) {
        if (i > 0)
            gw.clock.advance(10'000);
        ws->ping("hb");
        QTRY_COMPARE(pong.size(), i + 1);
    }
    QTRY_VERIFY(gw.gateway->sessions()->session(id).heartbeatIntervalMs == 10'000);
    QVERIFY(gw.eventsOf(QStringLiteral("session.warning")).isEmpty());
    QVERIFY(!gw.gateway->sessions()->session(id).heartbeatWarning);

    // Pings every 17 s: 85 % of the 20 s timeout -> session.warning and the registry flag.
    for (int i = 0; i < 4; ++i) {
        gw.clock.advance(17'000);
        ws->ping("hb");
        QTRY_COMPARE(pong.size(), 4 + i);
    }
    QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.warning")).size(), 1);
    const QJsonObject w = gw.eventsOf(QStringLiteral("session.warning")).constFirst().fields;
    QCOMPARE(w.value(QStringLiteral("setting")).toString(), QStringLiteral("wsSettings"));
    QCOMPARE(w.value(QStringLiteral("requestTimeoutMs")).toInt(), 20000);
    QVERIFY(w.value(QStringLiteral("heartbeatIntervalMs")).toInt() >= 16000);
    QTRY_VERIFY(gw.gateway->sessions()->session(id).heartbeatWarning);
    QVERIFY(gw.gateway->sessions()->session(id).heartbeatIntervalMs >= 16000);
    QCOMPARE(ws->state(), QAbstractSocket::ConnectedState);
}

// -- Handshake failures ------------------------------------------------------------------------

void tst_WebSocket::backendForbidsUpgrade()
{
    TestSupport::FakeBackend backend;
    backend.setHandler(respondWith(403, "Forbidden here", "Content-Type: text/plain\r\n"));
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));

    // A QWebSocket client sees the handshake fail.
    auto ws = newClient();
    QSignalSpy errorSpy(ws.get(), QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    ws->open(gw.url());
    QTRY_VERIFY(!errorSpy.isEmpty());
    QCOMPARE(connected.size(), 0);

    // A raw client sees the 403 relayed as HTTP, and the connection stays HTTP.
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(QHostAddress::LocalHost, gw.port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(upgradeRequest());
    const QByteArray response = TestSupport::readResponse(socket);
    QCOMPARE(statusOf(response), 403);
    QVERIFY(response.endsWith("Forbidden here"));
    QVERIFY(!response.toLower().contains("upgrade: websocket"));
    socket.write("GET /plain HTTP/1.1\r\nHost: chat.example.com\r\n\r\n");
    const QByteArray second = TestSupport::readResponse(socket);
    QCOMPARE(statusOf(second), 403);
    QCOMPARE(backend.requests().constLast().requestLine(), QByteArray("GET /plain HTTP/1.1"));
    QTest::qWait(100);
    QVERIFY2(gw.eventsOf(QStringLiteral("session.upgraded")).isEmpty(),
             qPrintable(dumpEvents(gw.events)));
}

void tst_WebSocket::backendDownAtUpgrade()
{
    quint16 deadPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        deadPort = probe.serverPort();
    }
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({deadPort}, 20, &error), qPrintable(error));
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(QHostAddress::LocalHost, gw.port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(upgradeRequest());
    const QByteArray response = TestSupport::readResponse(socket);
    QCOMPARE(statusOf(response), 502);

    auto ws = newClient();
    QSignalSpy errorSpy(ws.get(), QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
    ws->open(gw.url());
    QTRY_VERIFY(!errorSpy.isEmpty()); // (the 502 is keep-alive: QWebSocket may stay Connecting)
    QVERIFY(gw.eventsOf(QStringLiteral("session.upgraded")).isEmpty());
}

void tst_WebSocket::unrequested101Is502()
{
    TestSupport::FakeBackend backend;
    backend.setHandler([](const TestSupport::ReceivedRequest &) {
        return QByteArray(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    });
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    bool closed = false;
    const QByteArray response = TestSupport::exchange(
        gw.port, "GET /plain HTTP/1.1\r\nHost: chat.example.com\r\n\r\n", 10000, &closed);
    QCOMPARE(statusOf(response), 502);
    QVERIFY(!response.contains("101"));
    QVERIFY(gw.eventsOf(QStringLiteral("session.upgraded")).isEmpty());
}

void tst_WebSocket::backendDiesMidSession_data()
{
    QTest::addColumn<bool>("python");
    QTest::newRow("QWebSocketServer abort") << false;
    QTest::newRow("python transport.abort") << true;
}

void tst_WebSocket::backendDiesMidSession()
{
    QFETCH(bool, python);
    APPGW_REQUIRE(!python || m_python, APPGW_PYTHON_WEBSOCKETS_REASON);
    EitherBackend backend;
    const quint16 backendPort = backend.start(python);
    QVERIFY(backendPort != 0);
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backendPort}, 20, &error), qPrintable(error));
    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy disconnected(ws.get(), &QWebSocket::disconnected);
    QSignalSpy text(ws.get(), &QWebSocket::textMessageReceived);
    QSignalSpy aboutToClose(ws.get(), &QWebSocket::aboutToClose);
    ws->open(gw.url());
    QVERIFY(connected.wait(5000));
    ws->sendTextMessage(QStringLiteral("before"));
    QVERIFY(text.wait(5000));
    if (python) {
        ws->sendTextMessage(QStringLiteral("drop"));
    } else {
        QTRY_COMPARE(backend.qt.sockets().size(), 1);
        backend.qt.sockets().constFirst()->abort();
    }
    QVERIFY(disconnected.wait(5000));
    QCOMPARE(seenCloseCode(*ws, aboutToClose), 1006);
    QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.closed")).size(), 1);
    const QJsonObject closed = gw.eventsOf(QStringLiteral("session.closed")).constFirst().fields;
    QCOMPARE(closed.value(QStringLiteral("closedBy")).toString(), QStringLiteral("backend"));
    QCOMPARE(closed.value(QStringLiteral("closeCode")).toInt(), 1006);
    QTRY_COMPARE(gw.gateway->sessions()->openCount(), 0);
}

void tst_WebSocket::earlyDataAfterHandshake()
{
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    RawClient client;
    QVERIFY(client.connectTo(gw.port));
    // The handshake and two frames in one write, before the 101 came back.
    client.write(upgradeRequest() + encodeFrame(0x1, "early bird")
                 + encodeFrame(0x2, QByteArray(300, '\x7f')));
    QCOMPARE(statusOf(client.takeHead()), 101);
    Frame a, b;
    QVERIFY(client.takeFrame(&a));
    QCOMPARE(a.opcode, quint8(0x1));
    QCOMPARE(a.payload, QByteArray("early bird"));
    QVERIFY(client.takeFrame(&b));
    QCOMPARE(b.opcode, quint8(0x2));
    QCOMPARE(b.payload, QByteArray(300, '\x7f'));
}

void tst_WebSocket::firstTunnelBytesWithThe101()
{
    // The backend's first frame in the same packet as its 101: the bytes after the head are the
    // tunnel's first, relayed at once (not parsed as a body, not waited for), and the tunnel
    // then carries the client's frames too.
    TestSupport::FakeBackend backend;
    const QByteArray greeting = encodeFrame(0x1, "hello from the backend", true, false);
    backend.setHandler([greeting](const TestSupport::ReceivedRequest &) {
        QByteArray r = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n";
        r += "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
        r += greeting;
        return r;
    });
    RawClient client;
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    QVERIFY(client.connectTo(gw.port));
    client.write(upgradeRequest());
    QCOMPARE(statusOf(client.takeHead()), 101);
    Frame first;
    QVERIFY(client.takeFrame(&first));
    QCOMPARE(first.opcode, quint8(0x1));
    QCOMPARE(first.payload, QByteArray("hello from the backend"));
    const QByteArray reply = encodeFrame(0x1, "hello from the client");
    client.write(reply);
    QTRY_VERIFY(backend.allBytes().endsWith(reply));
    QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.upgraded")).size(), 1);
}

void tst_WebSocket::upgradeRequestRecognition_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("upgrade");
    const QByteArray tail = "Sec-WebSocket-Key: " + HandshakeKey
                            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    QTest::newRow("Connection: Upgrade") << upgradeRequest() << true;
    QTest::newRow("Connection: keep-alive, Upgrade")
        << upgradeRequest("keep-alive, Upgrade") << true;
    QTest::newRow("Connection: upgrade (lower case), Upgrade: WebSocket") << QByteArray(
        "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\nConnection: upgrade\r\n" + tail)
                                                                          << true;
    QTest::newRow("Upgrade without Connection upgrade")
        << QByteArray("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n" + tail) << false;
    QTest::newRow("Upgrade with Connection: keep-alive") << QByteArray(
        "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n" + tail)
                                                         << false;
    QTest::newRow("HTTP/1.0 upgrade") << upgradeRequest("Upgrade", "HTTP/1.0") << false;
    QTest::newRow("POST upgrade") << QByteArray(
        "POST /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\nContent-Length: 0\r\n"
        + tail) << false;
}

void tst_WebSocket::upgradeRequestRecognition()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, upgrade);
    // The fake backend answers every request with a 101 when asked to upgrade, else 200: the
    // gateway must forward an upgrade only for a real upgrade request.
    TestSupport::FakeBackend backend;
    backend.setHandler([](const TestSupport::ReceivedRequest &r) {
        if (r.header("Upgrade").toLower() == "websocket") {
            const QByteArray accept = QCryptographicHash::hash(
                                          QByteArray(r.header("Sec-WebSocket-Key")
                                                     + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
                                          QCryptographicHash::Sha1)
                                          .toBase64();
            return QByteArray(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: "
                + accept + "\r\n\r\n");
        }
        return QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain");
    });
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(QHostAddress::LocalHost, gw.port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(request);
    const QByteArray response = TestSupport::readResponse(socket);
    QCOMPARE(backend.requests().size(), 1);
    const TestSupport::ReceivedRequest forwarded = backend.requests().constFirst();
    if (upgrade) {
        QCOMPARE(statusOf(response), 101);
        QCOMPARE(forwarded.header("Upgrade").toLower(), QByteArray("websocket"));
        QVERIFY(forwarded.header("Connection").toLower().contains("upgrade"));
        QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.upgraded")).size(), 1);
    } else {
        QCOMPARE(statusOf(response), 200);
        QVERIFY2(forwarded.header("Upgrade").isEmpty(), forwarded.head.constData());
        QVERIFY2(!forwarded.header("Connection").toLower().contains("upgrade"),
                 forwarded.head.constData());
        QTest::qWait(100);
        QVERIFY(gw.eventsOf(QStringLiteral("session.upgraded")).isEmpty());
    }
}

void tst_WebSocket::upgradeHeadersPassUntouched()
{
    TestSupport::FakeBackend backend;
    backend.setHandler(respondWith(403, "no"));
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 20, &error), qPrintable(error));
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(QHostAddress::LocalHost, gw.port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(upgradeRequest(
        "keep-alive, Upgrade", "HTTP/1.1",
        "Origin: http://chat.example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
    QCOMPARE(statusOf(TestSupport::readResponse(socket)), 403);
    QCOMPARE(backend.requests().size(), 1);
    const auto r = backend.requests().constFirst();
    QCOMPARE(r.requestLine(), QByteArray("GET /chat HTTP/1.1"));
    QCOMPARE(r.header("Sec-WebSocket-Key"), HandshakeKey);
    QCOMPARE(r.header("Sec-WebSocket-Version"), QByteArray("13"));
    QCOMPARE(r.header("Sec-WebSocket-Protocol"), QByteArray("chat, superchat"));
    QCOMPARE(r.header("Sec-WebSocket-Extensions"),
             QByteArray("permessage-deflate; client_max_window_bits"));
    QCOMPARE(r.header("Origin"), QByteArray("http://chat.example.com"));
    QCOMPARE(r.header("Upgrade").toLower(), QByteArray("websocket"));
    QVERIFY(r.header("Connection").toLower().contains("upgrade"));
    QVERIFY2(!r.header("Connection").toLower().contains("keep-alive"), r.head.constData());
}

// -- The registry --------------------------------------------------------------------------------

void tst_WebSocket::framesCountedButNotRecordedWhenOff()
{
    // appgw run keeps no frame records (nothing displays them), but still counts frames and
    // reports the close code the client saw.
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    gw.recordFrames = false;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 30, &error), qPrintable(error));
    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy text(ws.get(), &QWebSocket::textMessageReceived);
    ws->open(gw.url());
    QVERIFY(connected.wait(5000));
    ws->sendTextMessage(QStringLiteral("one"));
    QVERIFY(text.wait(5000));
    ws->sendTextMessage(QStringLiteral("two"));
    QTRY_COMPARE(text.size(), 2);
    QTRY_COMPARE(gw.upgradedSessions().size(), 1);
    QTRY_COMPARE(gw.upgradedSessions().constFirst().framesOut, 2);
    const SessionSnapshot s = gw.upgradedSessions().constFirst();
    QCOMPARE(s.framesIn, 2);
    ws->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("bye"));
    QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.closed")).size(), 1);
    const auto closed = gw.eventsOf(QStringLiteral("session.closed")).constFirst().fields;
    QCOMPARE(closed.value(QStringLiteral("framesIn")).toInt(), 3);     // two texts and the close
    QCOMPARE(closed.value(QStringLiteral("closeCode")).toInt(), 1001); // the echoed close frame
    QCOMPARE(gw.gateway->sessions()->frames(s.id).size(), 0);
}

void tst_WebSocket::registrySessionAndFrames()
{
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 30, &error), qPrintable(error));
    auto ws = newClient();
    QSignalSpy connected(ws.get(), &QWebSocket::connected);
    QSignalSpy text(ws.get(), &QWebSocket::textMessageReceived);
    QSignalSpy bin(ws.get(), &QWebSocket::binaryMessageReceived);
    ws->open(gw.url(QStringLiteral("/chat/room1")));
    QVERIFY(connected.wait(5000));
    ws->sendTextMessage(QStringLiteral("registry preview text"));
    QVERIFY(text.wait(5000));
    ws->sendBinaryMessage(QByteArray(70000, 'B'));
    QVERIFY(bin.wait(5000));

    QTRY_COMPARE(gw.upgradedSessions().size(), 1);
    QTRY_VERIFY(gw.upgradedSessions().constFirst().framesOut >= 2);
    const SessionSnapshot s = gw.upgradedSessions().constFirst();
    QVERIFY(s.webSocket);
    QCOMPARE(s.listener, QStringLiteral("wsListener"));
    QCOMPARE(s.rule, QStringLiteral("wsRule"));
    QCOMPARE(s.pool, QStringLiteral("wsPool"));
    QCOMPARE(s.setting, QStringLiteral("wsSettings"));
    QCOMPARE(s.server, QStringLiteral("10.0.1.4"));
    QCOMPARE(s.serverEndpoint, QStringLiteral("127.0.0.1:%1").arg(backend.port()));
    QCOMPARE(s.path, QStringLiteral("/chat/room1"));
    QVERIFY(s.clientAddress.startsWith(QStringLiteral("127.0.0.1:")));
    QCOMPARE(s.timeoutMs, 30000);
    QCOMPARE(s.timeoutDeadlineMs, gw.clock.nowMs() + 30000);
    QCOMPARE(s.framesIn, 2);
    QCOMPARE(s.framesOut, 2);
    QVERIFY(s.bytesIn > 70000);
    QVERIFY(s.bytesOut > 70000);
    QCOMPARE(gw.gateway->sessions()->openCount(), 1);

    QList<Session::FrameRecord> frames;
    QTRY_VERIFY((frames = gw.gateway->sessions()->frames(s.id), frames.size() >= 4));
    const Session::FrameRecord &first = frames.at(0);
    QVERIFY(first.direction == Session::Direction::ClientToBackend);
    QCOMPARE(first.opcode, quint8(0x1));
    QVERIFY(first.masked);
    QCOMPARE(first.payloadLength, quint64(21));
    QCOMPARE(first.preview, QByteArray("registry preview text"));
    const Session::FrameRecord &echo = frames.at(1);
    QVERIFY(echo.direction == Session::Direction::BackendToClient);
    QVERIFY(!echo.masked);
    QCOMPARE(echo.preview, QByteArray("registry preview text"));
    const Session::FrameRecord &big = frames.at(2);
    QCOMPARE(big.opcode, quint8(0x2));
    QCOMPARE(big.payloadLength, quint64(70000));
    QVERIFY(big.preview.size() > 0 && big.preview.size() < 70000); // bounded preview
    QVERIFY(big.preview == QByteArray(big.preview.size(), 'B'));

    QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.upgraded")).size(), 1);
    const QJsonObject up = gw.eventsOf(QStringLiteral("session.upgraded")).constFirst().fields;
    QCOMPARE(up.value(QStringLiteral("sessionId")).toString(), QString::number(s.id));
    QCOMPARE(up.value(QStringLiteral("setting")).toString(), QStringLiteral("wsSettings"));

    ws->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("leaving"));
    QTRY_COMPARE(gw.gateway->sessions()->openCount(), 0);
    const SessionSnapshot end = gw.gateway->sessions()->session(s.id);
    QCOMPARE(int(end.state), int(Session::SessionState::Closed));
    QCOMPARE(end.closedBy, QStringLiteral("client"));
    QCOMPARE(end.closeCode, 1001);
    bool sawClose = false;
    for (const auto &f : gw.gateway->sessions()->frames(s.id))
        if (f.opcode == 0x8 && f.direction == Session::Direction::ClientToBackend) {
            sawClose = true;
            QCOMPARE(f.closeCode, 1001);
            QCOMPARE(f.closeReason, QStringLiteral("leaving"));
        }
    QVERIFY(sawClose);
}

// -- Resources -----------------------------------------------------------------------------------

// A blocking POSIX client with a tiny receive buffer: sends the handshake, reads the 101 head.
// Returns the socket (or -1) and any bytes that came after the head.
int slowClient(quint16 port, QByteArray *afterHead)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    const int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const QByteArray request = upgradeRequest();
    if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0
        || ::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL)
               != ssize_t(request.size())) {
        ::close(fd);
        return -1;
    }
    QByteArray head;
    char buf[512];
    while (!head.contains("\r\n\r\n")) {
        pollfd p{fd, POLLIN, 0};
        const ssize_t n = ::poll(&p, 1, 5000) > 0 ? ::recv(fd, buf, sizeof buf, 0) : -1;
        if (n <= 0) {
            ::close(fd);
            return -1;
        }
        head.append(buf, n);
    }
    const qsizetype end = head.indexOf("\r\n\r\n") + 4;
    if (statusOf(head) != 101) {
        ::close(fd);
        return -1;
    }
    *afterHead = head.mid(end);
    return fd;
}

void tst_WebSocket::slowReaderReceivesEverything()
{
    // The backend writes until backpressure stops it, then stops; the client reads nothing until then,
    // then everything. Backpressure pauses reading the backend; once the client drains, the
    // gateway must resume and relay the rest even though no new data (no new epoll edge) comes.
    FloodBackend backend(64LL * 1024 * 1024); // more than every socket buffer on the way holds
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port}, 300, &error), qPrintable(error));
    QByteArray early;
    const int fd = slowClient(gw.port, &early);
    QVERIFY(fd >= 0);
    auto closeFd = qScopeGuard([fd] { ::close(fd); });
    QTRY_VERIFY_WITH_TIMEOUT(backend.finished.load(), 30000);
    const qint64 pushed = backend.pushed.load();
    QVERIFY(pushed > 0);
    qint64 received = early.size();
    char buf[65536];
    while (received < pushed) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 3000) <= 0)
            break; // nothing for 3 s: the gateway stalled
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        received += n;
    }
    QVERIFY2(received == pushed,
             qPrintable(QStringLiteral("client received %1 of the %2 bytes the backend sent "
                                       "(stalled=%3)")
                            .arg(received)
                            .arg(pushed)
                            .arg(backend.stalled.load())));
}

void tst_WebSocket::floodWithoutReaderStaysBounded()
{
    FloodBackend backend;
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port}, 300, &error), qPrintable(error));
    const qint64 before = rssKiB();
    QVERIFY(before > 0);

    // A client with a tiny receive buffer that reads the 101 and then never reads again.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    const int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(gw.port);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a), 0);
    const QByteArray request = upgradeRequest();
    QCOMPARE(::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL),
             ssize_t(request.size()));
    QByteArray head;
    char buf[512];
    while (!head.contains("\r\n\r\n")) {
        pollfd p{fd, POLLIN, 0};
        QVERIFY(::poll(&p, 1, 5000) > 0);
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        QVERIFY(n > 0);
        head.append(buf, n);
    }
    QCOMPARE(statusOf(head), 101);

    qint64 peak = before;
    QTRY_VERIFY_WITH_TIMEOUT((peak = std::max(peak, rssKiB()), backend.finished.load()), 60000);
    peak = std::max(peak, rssKiB());
    const qint64 growthMiB = (peak - before) / 1024;
    qInfo("backend pushed %lld MiB, stalled=%d, gateway RSS growth %lld MiB",
          backend.pushed.load() / (1024 * 1024), int(backend.stalled.load()), growthMiB);
    QVERIFY2(growthMiB < 64,
             qPrintable(QStringLiteral("RSS grew by %1 MiB while the backend pushed %2 MiB")
                            .arg(growthMiB)
                            .arg(backend.pushed.load() / (1024 * 1024))));
    QVERIFY2(backend.stalled, "the backend never felt backpressure");
    ::close(fd);
    QTRY_COMPARE(gw.gateway->sessions()->openCount(), 0);
}

void tst_WebSocket::thousandSessionsLeakNothing()
{
    EchoBackend backend;
    QVERIFY(backend.listen());
    GatewayUnderTest gw;
    QString error;
    QVERIFY2(gw.start({backend.port()}, 60, &error), qPrintable(error));
    gw.gateway->sessions()->setClosedRetention(0);

    const auto round = [&](int count) -> bool {
        std::vector<std::unique_ptr<QWebSocket>> clients;
        int connectedCount = 0, echoed = 0, gone = 0;
        for (int i = 0; i < count; ++i) {
            auto ws = newClient();
            QObject::connect(ws.get(), &QWebSocket::connected, ws.get(),
                             [&connectedCount, w = ws.get(), i] {
                                 ++connectedCount;
                                 w->sendTextMessage(QString::number(i));
                             });
            QObject::connect(ws.get(), &QWebSocket::textMessageReceived, ws.get(),
                             [&echoed, i](const QString &m) { echoed += m == QString::number(i); });
            QObject::connect(ws.get(), &QWebSocket::disconnected, ws.get(), [&gone] { ++gone; });
            ws->open(gw.url());
            clients.push_back(std::move(ws));
        }
        [&] { QTRY_COMPARE_WITH_TIMEOUT(echoed, count, 60000); }();
        if (echoed != count)
            return false;
        [&] { QTRY_COMPARE_WITH_TIMEOUT(gw.gateway->sessions()->openCount(), count, 10000); }();
        if (gw.gateway->sessions()->openCount() != count)
            return false;
        for (auto &ws : clients)
            ws->close();
        [&] { QTRY_COMPARE_WITH_TIMEOUT(gone, count, 60000); }();
        clients.clear();
        [&] { QTRY_COMPARE_WITH_TIMEOUT(backend.sockets().size(), 0, 20000); }();
        [&] { QTRY_COMPARE_WITH_TIMEOUT(gw.gateway->sessions()->openCount(), 0, 20000); }();
        return gone == count && gw.gateway->sessions()->openCount() == 0;
    };

    QVERIFY(round(50)); // warm-up: thread-local buffers, lazily created pools
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    const int fdsBefore = openFds();
    malloc_trim(0); // freed heap goes back to the system, so RSS shows what is still held
    const qint64 rssBefore = rssKiB();

    QVERIFY(round(1000));
    QCOMPARE(backend.accepted, 1050);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QTRY_COMPARE_WITH_TIMEOUT(openFds(), fdsBefore, 10000);
    malloc_trim(0);
    const qint64 growthMiB = (rssKiB() - rssBefore) / 1024;
    qInfo("fds %d -> %d, RSS growth after 1000 sessions: %lld MiB", fdsBefore, openFds(), growthMiB);
    QVERIFY2(growthMiB < 32, qPrintable(QStringLiteral("RSS grew by %1 MiB").arg(growthMiB)));
    QTRY_COMPARE(gw.eventsOf(QStringLiteral("session.closed")).size(), 1050);
}

QTEST_GUILESS_MAIN(tst_WebSocket)
#include "tst_websocket.moc"
