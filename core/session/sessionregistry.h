#pragma once

// The live session registry, on the thread that owns it (the GUI or the CLI main thread).
// Proxy workers send it batches of value snapshots on a coarse tick (house-style.md §Live
// sessions table); it merges them and re-emits batched signals for views. Closed sessions are
// kept for a while (bounded) so a view can show why they ended.

#include "session/sessiontypes.h"

#include <QHash>
#include <QList>
#include <QObject>

namespace Gateway::Session {

// One worker's changes since its last tick.
struct SessionBatch
{
    QList<SessionSnapshot> opened;  // new sessions
    QList<SessionSnapshot> updated; // sessions whose values changed (full snapshots)
    QList<SessionClosed> closed;    // sessions that ended (final snapshot + last frames)
    QHash<SessionId, QList<FrameRecord>> frames; // new frames per session
};

class SessionRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionRegistry)
public:
    explicit SessionRegistry(QObject *parent = nullptr);

    void setClosedRetention(int maxClosedSessions) { m_maxClosed = maxClosedSessions; }
    void setFramesPerSession(int maxFrames) { m_maxFrames = maxFrames; }

    QList<SessionSnapshot> sessions() const; // open and retained closed ones
    bool contains(SessionId id) const { return m_sessions.contains(id); }
    SessionSnapshot session(SessionId id) const { return m_sessions.value(id); }
    QList<FrameRecord> frames(SessionId id) const { return m_frames.value(id); }
    int openCount() const { return m_openCount; }

public slots:
    void applyBatch(const Gateway::Session::SessionBatch &batch);
    void clearClosed();

signals:
    void sessionsAdded(const QList<Gateway::Session::SessionSnapshot> &sessions);
    void sessionsUpdated(const QList<Gateway::Session::SessionSnapshot> &sessions);
    void sessionsRemoved(const QList<Gateway::Session::SessionId> &ids);
    void framesAppended(Gateway::Session::SessionId id,
                        const QList<Gateway::Session::FrameRecord> &frames);

private:
    QHash<SessionId, SessionSnapshot> m_sessions;
    QHash<SessionId, QList<FrameRecord>> m_frames;
    QList<SessionId> m_closedOrder;
    int m_openCount = 0;
    int m_maxClosed = 1000;
    int m_maxFrames = 500;
};

} // namespace Gateway::Session

Q_DECLARE_METATYPE(Gateway::Session::SessionBatch)
