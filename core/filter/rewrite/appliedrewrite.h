#pragma once

// One rewrite the gateway applied (or refused) to a request or response: what the access event's
// `rewritesApplied` field lists and the console's session details show (rule set, rule, target,
// before and after).

#include <QJsonArray>
#include <QList>
#include <QString>

namespace Gateway::Filter::Rewrite {

struct AppliedRewrite
{
    QString ruleSet;
    QString rule;
    // requestHeader | responseHeader | urlPath | queryString | reroute
    QString target;
    QString headerName; // for header targets
    QString before;     // null: the header was absent
    QString after;      // null: the header was deleted
    QString note;       // set when the action was not applied, with the reason
    bool operator==(const AppliedRewrite &) const = default;

    // "RWRule1 requestHeader Accept-Charset: (absent) -> utf-8"
    QString describe() const;
};

// The access event's `rewritesApplied` array: one object per entry, with the members above
// (`headerName`, `before`, `after` and `note` only when they apply).
QJsonArray toJson(const QList<AppliedRewrite> &rewrites);

} // namespace Gateway::Filter::Rewrite
