#include "routing/hostmatch.h"

namespace Gateway::Routing {

namespace {

inline char lowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
}

} // namespace

bool hasWildcard(QByteArrayView pattern)
{
    return pattern.contains('*') || pattern.contains('?');
}

bool hostMatches(QByteArrayView pattern, QByteArrayView host)
{
    // Iterative glob with a single back-track point (the last '*'): linear in practice and never
    // worse than O(pattern * host), with no recursion, whatever the input.
    qsizetype p = 0;
    qsizetype h = 0;
    qsizetype starP = -1;
    qsizetype starH = 0;
    const qsizetype pn = pattern.size();
    const qsizetype hn = host.size();
    while (h < hn) {
        if (p < pn && pattern[p] == '*') {
            starP = p++;
            starH = h;
        } else if (p < pn && (pattern[p] == '?' || lowerAscii(pattern[p]) == lowerAscii(host[h]))) {
            ++p;
            ++h;
        } else if (starP >= 0) {
            p = starP + 1;
            h = ++starH;
        } else {
            return false;
        }
    }
    while (p < pn && pattern[p] == '*')
        ++p;
    return p == pn;
}

QByteArray normalizeHost(QByteArrayView hostHeader)
{
    QByteArrayView v = hostHeader.trimmed();
    if (v.isEmpty())
        return {};
    QByteArrayView name;
    QByteArrayView port;
    if (v.front() == '[') {
        const qsizetype close = v.indexOf(']');
        if (close < 0)
            return {};
        name = v.first(close + 1);
        QByteArrayView rest = v.sliced(close + 1);
        if (!rest.isEmpty()) {
            if (rest.front() != ':')
                return {};
            port = rest.sliced(1);
        }
    } else {
        const qsizetype colon = v.indexOf(':');
        if (colon >= 0) {
            name = v.first(colon);
            port = v.sliced(colon + 1);
        } else {
            name = v;
        }
    }
    for (char c : port) {
        if (c < '0' || c > '9')
            return {};
    }
    if (name.endsWith('.'))
        name.chop(1);
    if (name.isEmpty())
        return {};
    QByteArray out(name.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < name.size(); ++i)
        out[i] = lowerAscii(name[i]);
    return out;
}

} // namespace Gateway::Routing
