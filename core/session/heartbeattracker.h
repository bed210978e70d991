#pragma once

// Observes a WebSocket session's heartbeat: fed the frames the passive decoder reports (either
// direction), it estimates the ping interval (the median of the last few gaps between successive
// pings, from whichever side pings; unsolicited pongs count when nobody pings) and says whether
// that interval comes within 80 % of a request timeout -- the seeds' 1006 trap: Azure's request
// timeout also applies to the WebSocket session, so a heartbeat slower than the timeout gets the
// connection dropped. Pure: no clock, no timers; times come with the frames.

#include "session/sessiontypes.h"

#include <QList>

namespace Gateway::Session {

class HeartbeatTracker
{
public:
    explicit HeartbeatTracker(int window = 5);

    // Dispatches on the opcode: ping, pong, or data (everything else counts as activity only).
    void addFrame(const FrameRecord &frame);
    void addPing(qint64 timeMs);
    void addPong(qint64 timeMs);
    void addData(qint64 timeMs);

    // Observed heartbeat interval in ms; 0 until two pings (or two pongs) have been seen.
    qint64 intervalMs() const;
    qint64 lastPingMs() const { return m_lastPingMs; }
    qint64 lastPongMs() const { return m_lastPongMs; }
    qint64 lastActivityMs() const { return m_lastActivityMs; }
    int pingCount() const { return m_pings; }

    // True when the observed interval is known and >= 80 % of timeoutMs (timeoutMs > 0).
    bool isWarning(qint64 timeoutMs) const { return isWarning(intervalMs(), timeoutMs); }
    static bool isWarning(qint64 intervalMs, qint64 timeoutMs);

    void reset();

private:
    static void push(QList<qint64> &window, qint64 value, int size);
    static qint64 median(const QList<qint64> &window);

    int m_window;
    QList<qint64> m_pingIntervals;
    QList<qint64> m_pongIntervals;
    qint64 m_lastPingMs = 0;
    qint64 m_lastPongMs = 0;
    qint64 m_lastActivityMs = 0;
    int m_pings = 0;
    int m_pongs = 0;
};

} // namespace Gateway::Session
