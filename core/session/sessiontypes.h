#pragma once

// Value types that cross threads: the proxy workers publish them, the registry (main thread)
// merges them, the GUI and the event stream read them. Never pointers into a worker.

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Gateway::Session {

using SessionId = quint64;

enum class SessionState { ReadingRequest, WaitingForBackend, Streaming, Upgraded, Closing, Closed };
QString toString(SessionState state);

enum class Direction { ClientToBackend, BackendToClient };

enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA
};
QString opcodeName(quint8 opcode);

// One WebSocket frame as the passive decoder saw it.
struct FrameRecord
{
    qint64 timeMs = 0; // ms since epoch (gateway clock)
    Direction direction = Direction::ClientToBackend;
    quint8 opcode = 0;
    bool fin = true;
    bool masked = false;
    bool rsv1 = false; // permessage-deflate: compressed
    bool rsv2 = false;
    bool rsv3 = false;
    quint64 payloadLength = 0;
    QByteArray preview; // first bytes of the (unmasked) payload, bounded
    int closeCode = -1; // for Close frames with a code
    QString closeReason;
    QString invalidReason; // non-empty: the frame broke RFC 6455 (recorded, never acted on)
};

struct SessionSnapshot
{
    SessionId id = 0;
    QString listener;
    QString rule;
    QString pool;
    QString setting;
    QString server;         // backend address as configured (before backendAddressMap)
    QString serverEndpoint; // where the gateway connected (after backendAddressMap)
    QString clientAddress;  // ip:port
    QString path;
    QString subprotocol;
    bool webSocket = false;
    SessionState state = SessionState::ReadingRequest;
    qint64 startMs = 0;
    qint64 lastActivityMs = 0;
    qint64 bytesIn = 0;           // client -> gateway
    qint64 bytesOut = 0;          // gateway -> client
    qint64 framesIn = 0;          // client -> backend frames
    qint64 framesOut = 0;         // backend -> client frames
    qint64 requests = 0;          // HTTP requests served on this connection
    int timeoutMs = 0;            // the request timeout that applies (0: none)
    qint64 timeoutDeadlineMs = 0; // when it fires unless traffic flows (0: not armed)
    qint64 lastPingMs = 0;
    qint64 heartbeatIntervalMs = 0; // observed ping (or pong) interval, 0 until known
    bool heartbeatWarning = false;  // heartbeat interval within 80 % of the timeout
    bool backendUnhealthy = false;  // its server turned unhealthy while the session was open
    // Its server was removed from its pool by an applied edit: the open request or session ends
    // at this time with reason "draining" (0: not draining).
    qint64 drainDeadlineMs = 0;
    QStringList rewrites; // the last request's rewrites (rule set/rule target: before -> after)
    // Set once closed:
    int closeCode = 0;   // as the client saw it: the close frame's code, 1006 when none
    QString closedBy;    // client | backend | gateway
    QString closeReason; // requestTimeout | backendUnhealthy | shutdown | draining | ...
    qint64 endMs = 0;
};

struct SessionClosed
{
    SessionSnapshot snapshot;
    QList<FrameRecord> lastFrames;
};

} // namespace Gateway::Session

// Plain aggregates of Qt value types (QString, QByteArray, QList): safe to move in memory, so
// QList grows its per-tick batches (thousands of snapshots under connection churn) with a
// realloc instead of copying every element.
Q_DECLARE_TYPEINFO(Gateway::Session::FrameRecord, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(Gateway::Session::SessionSnapshot, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(Gateway::Session::SessionClosed, Q_RELOCATABLE_TYPE);

Q_DECLARE_METATYPE(Gateway::Session::SessionSnapshot)
Q_DECLARE_METATYPE(Gateway::Session::FrameRecord)
