#pragma once

// Small display helpers shared by the ui models: they format values lazily, in data().

#include "health/healthtypes.h"
#include "session/sessiontypes.h"

#include <QString>

namespace Gateway::Ui {

QString stateText(Session::SessionState state);
QString opcodeText(quint8 opcode);
QString healthText(Health::HealthState state);
QString bytesText(qint64 bytes);
QString durationText(qint64 ms);       // "4 s", "2 min 05 s", "1 h 02 min"
QString timeText(qint64 msSinceEpoch); // local "hh:mm:ss.zzz"
QString hexDump(const QByteArray &data, int maxBytes = 4096);
QString prettyJson(const QByteArray &data, bool *ok = nullptr);

// The seeds' explanation for a session closed by the request timeout.
QString timeoutExplanation(const Session::SessionSnapshot &session);
// "observed ping interval Xs is within 80 % of the 20 s request timeout"
QString heartbeatWarningText(const Session::SessionSnapshot &session);

} // namespace Gateway::Ui
