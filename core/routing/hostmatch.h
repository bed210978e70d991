#pragma once

// Host-name helpers for listener selection (azure-reference.md §1): Azure's wildcard host names
// (`*` any run of characters, dots included; `?` exactly one character; no regex) compared
// case-insensitively, and a Host-header normaliser for callers that lack a parsed RequestHead.

#include <QByteArray>
#include <QByteArrayView>

namespace Gateway::Routing {

// True when host matches pattern. Both are compared ASCII case-insensitively. A pattern without
// wildcards is an exact comparison. `*` matches zero or more characters (so `*.contoso.com`
// matches `customer1.b2b.contoso.com` but not `contoso.com`), `?` exactly one.
bool hostMatches(QByteArrayView pattern, QByteArrayView host);
bool hasWildcard(QByteArrayView pattern);

// "Example.COM.:80" -> "example.com"; "[::1]:8080" -> "[::1]". Lower-cases, removes the port and
// one trailing dot. Returns a null QByteArray for an empty or obviously malformed value
// (unterminated '[', a ':' inside a name that is not followed by digits only).
QByteArray normalizeHost(QByteArrayView hostHeader);

} // namespace Gateway::Routing
