#include "session/sessiontypes.h"

namespace Gateway::Session {

QString toString(SessionState state)
{
    switch (state) {
    case SessionState::ReadingRequest: return QStringLiteral("reading request");
    case SessionState::WaitingForBackend: return QStringLiteral("waiting for backend");
    case SessionState::Streaming: return QStringLiteral("streaming");
    case SessionState::Upgraded: return QStringLiteral("upgraded");
    case SessionState::Closing: return QStringLiteral("closing");
    case SessionState::Closed: return QStringLiteral("closed");
    }
    return QStringLiteral("unknown");
}

QString opcodeName(quint8 opcode)
{
    switch (opcode) {
    case 0x0: return QStringLiteral("continuation");
    case 0x1: return QStringLiteral("text");
    case 0x2: return QStringLiteral("binary");
    case 0x8: return QStringLiteral("close");
    case 0x9: return QStringLiteral("ping");
    case 0xA: return QStringLiteral("pong");
    default: return QStringLiteral("reserved 0x") + QString::number(opcode, 16).toUpper();
    }
}

} // namespace Gateway::Session
