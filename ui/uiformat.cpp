#include "uiformat.h"

#include "session/sessiontypes.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLocale>

namespace Gateway::Ui {

QString stateText(Session::SessionState state)
{
    using Session::SessionState;
    switch (state) {
    case SessionState::ReadingRequest: return QStringLiteral("Reading request");
    case SessionState::WaitingForBackend: return QStringLiteral("Waiting for backend");
    case SessionState::Streaming: return QStringLiteral("Streaming");
    case SessionState::Upgraded: return QStringLiteral("WebSocket");
    case SessionState::Closing: return QStringLiteral("Closing");
    case SessionState::Closed: return QStringLiteral("Closed");
    }
    return QStringLiteral("?");
}

QString opcodeText(quint8 opcode)
{
    return Session::opcodeName(opcode); // one naming for the core's events and the console
}

QString healthText(Health::HealthState state)
{
    switch (state) {
    case Health::HealthState::Healthy: return QStringLiteral("Healthy");
    case Health::HealthState::Unhealthy: return QStringLiteral("Unhealthy");
    case Health::HealthState::Unknown: break;
    }
    return QStringLiteral("Unknown");
}

QString bytesText(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    if (bytes < 1024LL * 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(double(bytes) / (1024.0 * 1024.0 * 1024.0), 0, 'f', 2);
}

QString durationText(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString timeText(qint64 msSinceEpoch)
{
    if (msSinceEpoch <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(QStringLiteral("hh:mm:ss.zzz"));
}

QString hexDump(const QByteArray &data, int maxBytes)
{
    QString out;
    const int n = std::min<int>(data.size(), maxBytes);
    out.reserve(n * 4 + (n / 16 + 1) * 12);
    for (int off = 0; off < n; off += 16) {
        out += QStringLiteral("%1  ").arg(off, 6, 16, QLatin1Char('0'));
        QString ascii;
        for (int i = 0; i < 16; ++i) {
            if (off + i < n) {
                const auto b = quint8(data.at(off + i));
                out += QStringLiteral("%1 ").arg(b, 2, 16, QLatin1Char('0'));
                ascii += (b >= 0x20 && b < 0x7f) ? QChar(b) : QLatin1Char('.');
            } else {
                out += QStringLiteral("   ");
            }
            if (i == 7)
                out += QLatin1Char(' ');
        }
        out += QStringLiteral(" ") + ascii + QLatin1Char('\n');
    }
    if (data.size() > n)
        out += QStringLiteral("… %1 more bytes\n").arg(data.size() - n);
    return out;
}

QString prettyJson(const QByteArray &data, bool *ok)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(data, &error);
    const bool good = error.error == QJsonParseError::NoError && !doc.isNull();
    if (ok)
        *ok = good;
    if (!good)
        return {};
    // Re-indent the text as sent instead of writing the parsed document: QJsonObject sorts its
    // keys, and a frame's JSON reads in the order its sender wrote it.
    const QString text = QString::fromUtf8(data);
    QString out;
    out.reserve(text.size() * 2);
    int depth = 0;
    auto newline = [&out, &depth] {
        out += QLatin1Char('\n');
        out += QString(depth * 4, QLatin1Char(' '));
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar ch = text.at(i);
        if (ch == QLatin1Char('"')) {
            const qsizetype start = i++;
            while (i < text.size() && text.at(i) != QLatin1Char('"'))
                i += text.at(i) == QLatin1Char('\\') ? 2 : 1;
            out += QStringView(text).mid(start, i - start + 1);
        } else if (ch == QLatin1Char('{') || ch == QLatin1Char('[')) {
            // Empty containers stay on one line: {} []
            qsizetype j = i + 1;
            while (j < text.size() && text.at(j).isSpace())
                ++j;
            const QChar close = ch == QLatin1Char('{') ? QLatin1Char('}') : QLatin1Char(']');
            if (j < text.size() && text.at(j) == close) {
                out += ch;
                out += close;
                i = j;
                continue;
            }
            out += ch;
            ++depth;
            newline();
        } else if (ch == QLatin1Char('}') || ch == QLatin1Char(']')) {
            --depth;
            newline();
            out += ch;
        } else if (ch == QLatin1Char(',')) {
            out += ch;
            newline();
        } else if (ch == QLatin1Char(':')) {
            out += QStringLiteral(": ");
        } else if (!ch.isSpace()) {
            out += ch;
        }
    }
    return out + QLatin1Char('\n');
}

QString timeoutExplanation(const Session::SessionSnapshot &s)
{
    qint64 idleMs = s.endMs > 0 && s.lastActivityMs > 0 ? s.endMs - s.lastActivityMs : 0;
    if (idleMs <= 0)
        idleMs = s.timeoutMs;
    const qint64 idle = (idleMs + 500) / 1000;
    return QStringLiteral(
               "The backend setting's request timeout also applies to WebSocket sessions. "
               "The session was idle for %1 s, so Application Gateway closed both connections "
               "without a close frame; the client saw close code 1006. Raise the request "
               "timeout above the client's ping interval.")
        .arg(idle);
}

QString heartbeatWarningText(const Session::SessionSnapshot &s)
{
    const double ping = double(s.heartbeatIntervalMs) / 1000.0;
    return QStringLiteral("observed ping interval %1s is within 80 % of the %2 s request timeout")
        .arg(ping, 0, 'f', ping < 10 ? 1 : 0)
        .arg(s.timeoutMs / 1000);
}

} // namespace Gateway::Ui
