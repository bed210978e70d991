#pragma once

// Passive RFC 6455 frame decoder. The tunnel hands it a read-only view of the bytes it has just
// relayed in one direction; it never changes them and never influences the relay. It keeps only
// a small header buffer and a bounded payload preview, so memory per session is bounded whatever
// the frame sizes. Invalid frames are recorded (FrameRecord::invalidReason) and decoding stops
// for that direction (the bytes still flow; the gateway never acts on them).

#include "session/sessiontypes.h"

#include <QByteArrayView>

#include <functional>

namespace Gateway::Session {

class FrameDecoder
{
public:
    using FrameCallback = std::function<void(const FrameRecord &frame)>;

    explicit FrameDecoder(Direction direction, int previewBytes = 256)
        : m_direction(direction), m_previewBytes(previewBytes)
    {
    }

    // Feed relayed bytes (split at any offset); each frame is reported exactly once, when the
    // last byte of its payload has passed (so a 16 MiB frame is reported once, at its end, and
    // timeMs -- the time of the feed that completed it -- is its completion time). An invalid
    // frame is reported as soon as its header shows the problem (its close payload, for a bad
    // close code), and nothing more is decoded in this direction.
    void feed(QByteArrayView bytes, qint64 timeMs, const FrameCallback &onFrame);

    bool failed() const { return m_failed; }
    quint64 framesSeen() const { return m_frames; }
    bool inFragmentedMessage() const { return m_inFragmentedMessage; }

    // RFC 6455 §7.4 plus the IANA registry: 1000-1003, 1007-1014 and 3000-4999 may appear in a
    // Close frame; 1004-1006, 1015 and everything else may not.
    static bool isValidCloseCode(int code);

private:
    qsizetype headerLength() const;
    void beginFrame(const quint8 *header, qint64 timeMs, const FrameCallback &onFrame);
    void finishFrame(qint64 timeMs, const FrameCallback &onFrame);
    void reportInvalid(const QString &reason, qint64 timeMs, const FrameCallback &onFrame);
    int captureLimit() const;

    Direction m_direction;
    int m_previewBytes;
    bool m_failed = false;
    quint64 m_frames = 0;
    // decoder state
    quint8 m_header[14] = {}; // partial frame header (at most 14 bytes), no allocation
    qsizetype m_headerSize = 0;
    FrameRecord m_current;
    quint64 m_payloadSeen = 0;
    quint8 m_mask[4] = {0, 0, 0, 0};
    bool m_inFrame = false;
    bool m_inFragmentedMessage = false;
};

} // namespace Gateway::Session
