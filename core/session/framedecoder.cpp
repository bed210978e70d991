#include "session/framedecoder.h"

#include <QStringDecoder>

#include <algorithm>

namespace Gateway::Session {

namespace {

constexpr qsizetype MaxControlPayload = 125;

bool isControl(quint8 opcode)
{
    return opcode >= 0x8;
}

bool isKnownOpcode(quint8 opcode)
{
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

} // namespace

bool FrameDecoder::isValidCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
           || (code >= 3000 && code <= 4999);
}

namespace {

// The length of a frame header whose first two bytes are known.
qsizetype headerLengthFor(quint8 second)
{
    const quint8 len7 = second & 0x7F;
    const qsizetype extended = len7 == 126 ? 2 : (len7 == 127 ? 8 : 0);
    const qsizetype mask = (second & 0x80) ? 4 : 0;
    return 2 + extended + mask;
}

} // namespace

qsizetype FrameDecoder::headerLength() const
{
    return m_headerSize < 2 ? 2 : headerLengthFor(m_header[1]);
}

int FrameDecoder::captureLimit() const
{
    const int preview = std::max(0, m_previewBytes);
    // A Close frame's code and reason live in its (at most 125-byte) payload.
    if (m_current.opcode == quint8(Opcode::Close))
        return std::max(preview, int(MaxControlPayload));
    return preview;
}

void FrameDecoder::feed(QByteArrayView bytes, qint64 timeMs, const FrameCallback &onFrame)
{
    qsizetype pos = 0;
    const qsizetype size = bytes.size();
    while (!m_failed && pos < size) {
        if (!m_inFrame) {
            const auto *in = reinterpret_cast<const quint8 *>(bytes.data());
            // Fast path: the whole header is in this feed, decode it in place.
            if (m_headerSize == 0 && size - pos >= 2) {
                const qsizetype need = headerLengthFor(in[pos + 1]);
                if (size - pos >= need) {
                    pos += need;
                    beginFrame(in + pos - need, timeMs, onFrame);
                    continue;
                }
            }
            qsizetype need = headerLength();
            while (m_headerSize < need && pos < size) {
                m_header[m_headerSize++] = in[pos++];
                need = headerLength();
            }
            if (m_headerSize < need)
                return; // header split across feeds: wait for the rest
            m_headerSize = 0;
            beginFrame(m_header, timeMs, onFrame);
            continue;
        }

        const quint64 remaining = m_current.payloadLength - m_payloadSeen;
        const auto take = qsizetype(std::min<quint64>(remaining, quint64(size - pos)));
        const int limit = captureLimit();
        if (m_current.preview.size() < limit) {
            const qsizetype copy = std::min<qsizetype>(take, limit - m_current.preview.size());
            const qsizetype start = m_current.preview.size();
            if (start == 0) // one allocation of the final size, no growth steps
                m_current.preview.reserve(qsizetype(std::min<quint64>(quint64(limit),
                                                                      m_current.payloadLength)));
            m_current.preview.append(bytes.data() + pos, copy);
            if (m_current.masked) {
                char *out = m_current.preview.data() + start;
                for (qsizetype i = 0; i < copy; ++i)
                    out[i] = char(quint8(out[i]) ^ m_mask[(m_payloadSeen + quint64(i)) & 3]);
            }
        }
        m_payloadSeen += quint64(take);
        pos += take;
        if (m_payloadSeen == m_current.payloadLength)
            finishFrame(timeMs, onFrame);
    }
}

void FrameDecoder::beginFrame(const quint8 *h, qint64 timeMs, const FrameCallback &onFrame)
{
    m_current = FrameRecord();
    FrameRecord &frame = m_current;
    frame.direction = m_direction;
    frame.fin = h[0] & 0x80;
    frame.rsv1 = h[0] & 0x40;
    frame.rsv2 = h[0] & 0x20;
    frame.rsv3 = h[0] & 0x10;
    frame.opcode = h[0] & 0x0F;
    frame.masked = h[1] & 0x80;
    const quint8 len7 = h[1] & 0x7F;
    qsizetype offset = 2;
    quint64 length = len7;
    if (len7 == 126) {
        length = (quint64(h[2]) << 8) | h[3];
        offset = 4;
    } else if (len7 == 127) {
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | h[2 + i];
        offset = 10;
    }
    frame.payloadLength = length;
    if (frame.masked) {
        for (int i = 0; i < 4; ++i)
            m_mask[i] = h[offset + i];
    } else {
        std::fill(std::begin(m_mask), std::end(m_mask), quint8(0));
    }
    m_payloadSeen = 0;

    // Validation, in the order a reader would notice the problem.
    QString invalid;
    if (!isKnownOpcode(frame.opcode)) {
        invalid = QStringLiteral("reserved opcode 0x%1").arg(QString::number(frame.opcode, 16));
    } else if (len7 == 127 && (length >> 63)) {
        invalid = QStringLiteral("64-bit payload length with the most significant bit set");
    } else if (m_direction == Direction::ClientToBackend && !frame.masked) {
        invalid = QStringLiteral("client frame is not masked");
    } else if (m_direction == Direction::BackendToClient && frame.masked) {
        invalid = QStringLiteral("server frame is masked");
    } else if (isControl(frame.opcode) && length > quint64(MaxControlPayload)) {
        invalid = QStringLiteral("control frame payload of %1 bytes (more than 125)").arg(length);
    } else if (isControl(frame.opcode) && !frame.fin) {
        invalid = QStringLiteral("fragmented control frame");
    } else if (isControl(frame.opcode) && frame.rsv1) {
        invalid = QStringLiteral("RSV1 set on a control frame");
    } else if (frame.opcode == quint8(Opcode::Close) && length == 1) {
        invalid = QStringLiteral("close frame with a 1-byte payload");
    } else if (frame.opcode == quint8(Opcode::Continuation) && !m_inFragmentedMessage) {
        invalid = QStringLiteral("continuation frame without a message to continue");
    } else if ((frame.opcode == quint8(Opcode::Text) || frame.opcode == quint8(Opcode::Binary))
               && m_inFragmentedMessage) {
        invalid = QStringLiteral("new data frame inside a fragmented message");
    }
    if (!invalid.isEmpty()) {
        reportInvalid(invalid, timeMs, onFrame);
        return;
    }

    if (!isControl(frame.opcode)) {
        if (frame.opcode != quint8(Opcode::Continuation))
            m_inFragmentedMessage = !frame.fin;
        else if (frame.fin)
            m_inFragmentedMessage = false;
    }

    m_inFrame = true;
    if (length == 0)
        finishFrame(timeMs, onFrame);
}

void FrameDecoder::finishFrame(qint64 timeMs, const FrameCallback &onFrame)
{
    m_inFrame = false;
    FrameRecord frame = std::move(m_current);
    m_current = FrameRecord();
    frame.timeMs = timeMs;
    if (frame.opcode == quint8(Opcode::Close) && frame.preview.size() >= 2) {
        const auto *p = reinterpret_cast<const quint8 *>(frame.preview.constData());
        frame.closeCode = (int(p[0]) << 8) | p[1];
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        frame.closeReason = utf8.decode(QByteArrayView(frame.preview).sliced(2));
        if (!isValidCloseCode(frame.closeCode)) {
            frame.invalidReason = QStringLiteral("invalid close code %1").arg(frame.closeCode);
        } else if (utf8.hasError()) {
            frame.invalidReason = QStringLiteral("close reason is not valid UTF-8");
        }
    }
    if (frame.preview.size() > std::max(0, m_previewBytes))
        frame.preview.truncate(std::max(0, m_previewBytes));
    ++m_frames;
    if (!frame.invalidReason.isEmpty())
        m_failed = true;
    if (onFrame)
        onFrame(frame);
}

void FrameDecoder::reportInvalid(const QString &reason, qint64 timeMs, const FrameCallback &onFrame)
{
    FrameRecord frame = std::move(m_current);
    m_current = FrameRecord();
    frame.timeMs = timeMs;
    frame.invalidReason = reason;
    m_failed = true;
    m_inFrame = false;
    ++m_frames;
    if (onFrame)
        onFrame(frame);
}

} // namespace Gateway::Session
