#pragma once

#include "config/gatewayconfig.h"

namespace Gateway::Config {

// Every rule of azure-reference.md that a configuration can break, each message with the JSON
// path of the offending value: dangling and wrong-kind references, duplicate names, port ranges
// (frontend 1–65199), timeout and interval ranges (1–86400), hostName vs hostNames and the
// wildcard rules, path-pattern rules, rule priorities (1–20000, unique), listeners that cannot
// share a port. Warnings: a request timeout not above the typical 20 s ping interval (WebSocket
// clients see 1006), a privileged frontend port with no frontendPortMap entry, a pool whose
// setting has no custom probe while a rule routes to it (the WebSocket-only backend trap).
Diagnostics validate(const GatewayConfig &config);

// Single-purpose checks the editor reuses for inline validation.
bool isValidHostName(const QString &hostName, bool allowWildcards, QString *why = nullptr);
bool isValidPathPattern(const QString &path, QString *why = nullptr);
// Why a backend pool member (an IP address or a host name) cannot work, with the fix; empty when
// it can. "127.0.0.1:9050" is refused: the port belongs in the backend setting (Azure takes it
// as an fqdn and every request gets 502).
QString backendAddressProblem(const QString &address);

// "FILE: json.path: message" lines, as `appgw validate` prints them.
QString formatDiagnostic(const QString &file, const Diagnostic &diagnostic);

} // namespace Gateway::Config
