#pragma once

#include "gatewayconfig.h"

namespace Gateway::Config {

// "Start anyway": the part of a configuration with errors that can run. An element the validator
// reports an error on is left out, and so is everything that needs it (a listener on a broken or
// missing frontend port or certificate, a rule whose listener, pool, settings, redirect or path
// map is left out or missing). Each left-out element is listed with its reason.
struct LeftOut
{
    QString element; // "httpListeners/listener1"
    QString reason;  // one sentence
};

struct StartableSubset
{
    GatewayConfig config;    // what runs
    QList<LeftOut> leftOut;  // what does not, in file order per collection
    QStringList otherErrors; // errors on no element (the gateway runs despite them)
    int usableListeners() const { return int(config.httpListeners.size()); }
};

StartableSubset startableSubset(const GatewayConfig &config, const Diagnostics &diagnostics);

} // namespace Gateway::Config
