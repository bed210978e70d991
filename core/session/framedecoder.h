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
        : m_direction(direction), m_previewBytes(previewBytes) {}

    // Feed relayed bytes; frames are reported when their header is complete *and* their payload
    // has been seen (for the preview and close code), or at once for large frames once the
    // preview is filled and the rest has passed. timeMs stamps completed frames.
    void feed(QByteArrayView bytes, qint64 timeMs, const FrameCallback &onFrame);

    bool failed() const { return m_failed; }
    quint64 framesSeen() const { return m_frames; }

private:
    Direction m_direction;
    int m_previewBytes;
    bool m_failed = false;
    quint64 m_frames = 0;
    // decoder state
    QByteArray m_header;      // partial frame header (at most 14 bytes)
    FrameRecord m_current;
    quint64 m_payloadSeen = 0;
    quint8 m_mask[4] = {0, 0, 0, 0};
    bool m_inFrame = false;
    bool m_inFragmentedMessage = false;
};

} // namespace Gateway::Session
