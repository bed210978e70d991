#include "session/heartbeattracker.h"

#include <algorithm>

namespace Gateway::Session {

HeartbeatTracker::HeartbeatTracker(int window) : m_window(std::max(1, window)) {}

void HeartbeatTracker::addFrame(const FrameRecord &frame)
{
    if (!frame.invalidReason.isEmpty())
        return;
    switch (frame.opcode) {
    case quint8(Opcode::Ping): addPing(frame.timeMs); break;
    case quint8(Opcode::Pong): addPong(frame.timeMs); break;
    default: addData(frame.timeMs); break;
    }
}

void HeartbeatTracker::addPing(qint64 timeMs)
{
    if (m_pings > 0 && timeMs >= m_lastPingMs)
        push(m_pingIntervals, timeMs - m_lastPingMs, m_window);
    m_lastPingMs = timeMs;
    ++m_pings;
    m_lastActivityMs = std::max(m_lastActivityMs, timeMs);
}

void HeartbeatTracker::addPong(qint64 timeMs)
{
    if (m_pongs > 0 && timeMs >= m_lastPongMs)
        push(m_pongIntervals, timeMs - m_lastPongMs, m_window);
    m_lastPongMs = timeMs;
    ++m_pongs;
    m_lastActivityMs = std::max(m_lastActivityMs, timeMs);
}

void HeartbeatTracker::addData(qint64 timeMs)
{
    m_lastActivityMs = std::max(m_lastActivityMs, timeMs);
}

qint64 HeartbeatTracker::intervalMs() const
{
    // Pongs answer pings within milliseconds; they only tell the heartbeat when nobody pings
    // (some clients send unsolicited pongs as their keep-alive).
    if (!m_pingIntervals.isEmpty())
        return median(m_pingIntervals);
    return median(m_pongIntervals);
}

bool HeartbeatTracker::isWarning(qint64 intervalMs, qint64 timeoutMs)
{
    return intervalMs > 0 && timeoutMs > 0 && intervalMs * 10 >= timeoutMs * 8;
}

void HeartbeatTracker::reset()
{
    *this = HeartbeatTracker(m_window);
}

void HeartbeatTracker::push(QList<qint64> &window, qint64 value, int size)
{
    window.append(value);
    while (window.size() > size)
        window.removeFirst();
}

qint64 HeartbeatTracker::median(const QList<qint64> &window)
{
    if (window.isEmpty())
        return 0;
    QList<qint64> sorted = window;
    std::sort(sorted.begin(), sorted.end());
    const qsizetype mid = sorted.size() / 2;
    if (sorted.size() % 2 == 1)
        return sorted.at(mid);
    return (sorted.at(mid - 1) + sorted.at(mid)) / 2;
}

} // namespace Gateway::Session
