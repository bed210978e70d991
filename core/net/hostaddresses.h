#pragma once

// Picking one address from a name's answers, the same way for probes and for requests.

#include <QHostAddress>
#include <QList>

namespace Gateway::Net {

// IPv4 first (local backends usually listen there), else the first usable address; null if none.
inline QHostAddress preferredAddress(const QList<QHostAddress> &addresses)
{
    for (const QHostAddress &a : addresses) {
        if (a.protocol() == QAbstractSocket::IPv4Protocol)
            return a;
    }
    for (const QHostAddress &a : addresses) {
        if (!a.isNull())
            return a;
    }
    return {};
}

} // namespace Gateway::Net
