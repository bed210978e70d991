#pragma once

// What differs between two configurations, element by element, in the words the editor uses
// ("chatSettings · requestTimeout: 20 → 5"). The console compares the editor's configuration with
// the one the running gateway serves: the "differs from running" marker, its tooltip, and what
// Apply reports it changed.

#include "config/gatewayconfig.h"

#include <QString>
#include <QStringList>

namespace Gateway::Ui {

struct ConfigChange
{
    QString collection; // ARM collection ("backendHttpSettingsCollection"); empty: the gateway
    QString element;    // element name; empty for gateway-level properties
    QString property;   // dotted path below the element ("requestTimeout"); empty: whole element
    QString before;     // compact JSON; empty when the element was added
    QString after;      // compact JSON; empty when the element was removed

    QString text() const; // one line for the tooltip / status bar / event log
};

// Changes that turn `from` into `to` (an empty list: they serve the same).
QList<ConfigChange> configChanges(const Config::GatewayConfig &from,
                                  const Config::GatewayConfig &to);
// At most `limit` lines of text() and "… and N more".
QStringList configChangeLines(const QList<ConfigChange> &changes, int limit = 12);

} // namespace Gateway::Ui
