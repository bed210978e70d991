#pragma once

// Gateway-managed cookie affinity (azure-reference.md §3): the `ApplicationGatewayAffinity`
// cookie (or the setting's affinityCookieName) and its `<name>CORS` twin. The value is an opaque
// one-way hash of the (pool, setting, server address) triple: 32 lowercase hex characters,
// stable across restarts for the same server, never an index or a host (reliability-cases B16).

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Gateway::Routing {

struct BackendSettingRuntime;

inline constexpr QByteArrayView DefaultAffinityCookieName = "ApplicationGatewayAffinity";
inline constexpr qsizetype AffinityValueLength = 32;

// SHA-256 over lower-case "pool|setting|address", truncated to 16 bytes, as lowercase hex.
QByteArray affinityCookieValue(const QString &pool, const QString &setting, const QString &address);

// True for exactly 32 characters of [0-9a-f].
bool isAffinityCookieValue(QByteArrayView value);

// The two Set-Cookie header values a response carries when affinity pins a server:
//   "<name>=<value>; Path=/"
//   "<name>CORS=<value>; Path=/; SameSite=None; Secure"
QByteArray affinitySetCookie(const BackendSettingRuntime &setting, QByteArrayView value);
QByteArray affinityCorsSetCookie(const BackendSettingRuntime &setting, QByteArrayView value);

// Calls visit(name, value) for every "name=value" pair of one Cookie header value (pairs split
// on ';', optional whitespace trimmed, a pair without '=' skipped). visit returns false to stop.
template<typename Visitor>
void forEachCookie(QByteArrayView cookieHeader, Visitor &&visit)
{
    qsizetype pos = 0;
    const qsizetype n = cookieHeader.size();
    while (pos < n) {
        qsizetype end = cookieHeader.indexOf(';', pos);
        if (end < 0)
            end = n;
        const QByteArrayView pair = cookieHeader.sliced(pos, end - pos).trimmed();
        pos = end + 1;
        const qsizetype eq = pair.indexOf('=');
        if (eq <= 0)
            continue;
        QByteArrayView value = pair.sliced(eq + 1).trimmed();
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.sliced(1, value.size() - 2);
        if (!visit(pair.first(eq).trimmed(), value))
            return;
    }
}

} // namespace Gateway::Routing
