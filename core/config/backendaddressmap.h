#pragma once

// Mapping backend addresses that exist only in Azure (10.0.0.7, a placeholder for a web app's
// host name) to servers on this machine, for every front end: the console's "Map … to a local
// port" offer, and `appgw` if it wants one. The list of unmapped addresses is the validator's
// (Diagnostic::standIn "unmapped address"); nothing here decides again what is unmapped.

#include "gatewayconfig.h"

namespace Gateway::Config {

struct UnmappedAddress
{
    QString address;   // the backendAddressMap key to add, as the template spells it
    QString reason;    // the validator's message
    QStringList paths; // JSON paths of the pool members that name it, in file order
};

// The unmapped addresses the validator reported in diagnostics, one entry per address (compared
// case-insensitively, as the map's keys are), in the order they were first reported.
QList<UnmappedAddress> unmappedAddresses(const Diagnostics &diagnostics);

// What a user typed as the local server for an address: a port ("9001" gives "127.0.0.1:9001")
// or host:port on this machine (127.0.0.0/8, [::1] or localhost), returned as the map value.
// Empty, with *why, for anything else (a server on another machine is mapped in the
// configuration itself, on purpose).
QString localBackendTarget(const QString &typed, QString *why = nullptr);

// Sets backendAddressMap[address] = target; a key that differs only in case is replaced, so the
// map never holds two entries for one address.
void mapBackendAddress(LocalGateway &local, const QString &address, const QString &target);

} // namespace Gateway::Config
