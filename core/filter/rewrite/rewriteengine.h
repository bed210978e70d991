#pragma once

// Azure Application Gateway v2 rewrite rule sets (azure-reference.md §6), compiled once per
// configuration and then applied as pure functions over request and response heads: no sockets,
// no routing. The proxy's rewrite stage (core/proxy/rewritestage.h) calls it and handles reroute.
//
//  * rules run in ruleSequence order (ties: configuration order); every condition of a rule must
//    hold (AND); a condition reads `http_req_<Header>`, `http_resp_<Header>` or `var_<server
//    variable>` and matches `pattern` with RE2 (a search, not anchored; `ignoreCase` default
//    true; `negate`); an absent header reads as the empty string;
//  * values mix text with {http_req_X}, {http_resp_X}, {var_X} and capture references
//    {<condition variable>_<n>} (the variable spelled as in the condition, n = 0 the whole
//    match, 1.. the groups); an unknown {...} stays literal text;
//  * a header action sets the header (every field of that name is replaced by one, so rewriting
//    one of several Set-Cookie fields drops the others) or deletes it (empty value); the values
//    of one rule are computed before its actions apply;
//  * Connection and Upgrade are never rewritten, Host is never deleted, Content-Length and
//    Transfer-Encoding are left to the gateway's framing; a value that expands to CR, LF, NUL or
//    another control byte is not inserted (the refusal is listed with a note);
//  * URL actions: modifiedPath / modifiedQueryString (empty in the template: left as it is),
//    reroute asks the caller to re-evaluate the path map.
//
// Request rules are decided once: a rule whose conditions only read the request is evaluated
// while the request is rewritten, and that decision (with its captures) also drives its response
// headers. A rule with a condition on the response (http_resp_*, var_http_status,
// var_sent_bytes) is evaluated when the response head arrives.

#include "filter/rewrite/appliedrewrite.h"
#include "filter/rewrite/servervariables.h"
#include "http/httpmessage.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace Gateway::Config {
struct GatewayConfig;
struct RewriteRuleSet;
} // namespace Gateway::Config

namespace Gateway::Filter::Rewrite {

class CompiledRuleSet;

// The decisions of one rule set for one exchange, carried from the request to its response.
struct RewriteState
{
    QString ruleSet;
    struct Match
    {
        int rule = -1;
        QHash<QString, QList<QByteArray>> captures; // condition variable -> groups (0 = whole)
    };
    QList<Match> requestMatches; // rules decided on the request (only those that matched)
};

struct RequestOutcome
{
    bool pathChanged = false;
    bool queryChanged = false;
    bool reroute = false; // a matching rule asked to re-evaluate the path map
};

class RewriteEngine final
{
public:
    // Compiles every rule set of the configuration. Patterns RE2 refuses make their condition
    // never match; each such problem is added to *problems (the validator reports the same).
    static std::shared_ptr<const RewriteEngine> build(const Config::GatewayConfig &config,
                                                      QStringList *problems = nullptr);
    ~RewriteEngine();
    RewriteEngine(const RewriteEngine &) = delete;
    RewriteEngine &operator=(const RewriteEngine &) = delete;

    bool hasRuleSet(const QString &name) const; // case-insensitive
    bool isEmpty() const;

    // Applies the request side of rule set `ruleSet` to `request` (headers, Host, path, query)
    // and starts `state` for the response. Appends what it did to *applied.
    RequestOutcome rewriteRequest(const QString &ruleSet, Http::RequestHead &request,
                                  const ConnectionVariables &connection, RewriteState *state,
                                  QList<AppliedRewrite> *applied) const;

    // Applies the response side of the rule set recorded in `state` to `response`.
    void rewriteResponse(const RewriteState &state, const Http::RequestHead &request,
                         Http::ResponseHead &response, const ConnectionVariables &connection,
                         QList<AppliedRewrite> *applied) const;

private:
    RewriteEngine();
    const CompiledRuleSet *find(const QString &name) const;
    QHash<QString, std::shared_ptr<CompiledRuleSet>> m_sets; // lower-case name
};

// Checks a condition pattern with RE2's own parser; an empty string when RE2 accepts it, else
// RE2's message (for the validator).
QString patternError(const QString &pattern, bool ignoreCase);

} // namespace Gateway::Filter::Rewrite
