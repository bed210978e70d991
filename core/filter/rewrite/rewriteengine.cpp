#include "filter/rewrite/rewriteengine.h"

#include "config/gatewayconfig.h"

#include <QRegularExpression>

#include <algorithm>

#include <re2/re2.h>

namespace Gateway::Filter::Rewrite {

namespace {

bool is(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

// Never rewritten: hop-by-hop / upgrade fields (Azure), and the framing the gateway writes itself
// (reliability-cases C03).
bool isProtectedHeader(QByteArrayView name)
{
    return is(name, "Connection") || is(name, "Upgrade") || is(name, "Content-Length")
           || is(name, "Transfer-Encoding");
}

bool hasControlBytes(QByteArrayView value)
{
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f)
            return true;
    }
    return false;
}

enum class Source { Request, Response, Variable, Invalid };

struct VariableRef
{
    Source source = Source::Invalid;
    QByteArray name; // header or server variable name
};

VariableRef parseVariable(const QString &variable)
{
    VariableRef ref;
    const QByteArray v = variable.trimmed().toLatin1();
    if (v.size() > 9 && is(QByteArrayView(v).first(9), "http_req_")) {
        ref.source = Source::Request;
        ref.name = v.mid(9);
    } else if (v.size() > 10 && is(QByteArrayView(v).first(10), "http_resp_")) {
        ref.source = Source::Response;
        ref.name = v.mid(10);
    } else if (v.size() > 4 && is(QByteArrayView(v).first(4), "var_")) {
        ref.source = Source::Variable;
        ref.name = v.mid(4);
    }
    return ref;
}

QByteArray joinedValues(const Http::Headers &headers, QByteArrayView name)
{
    QByteArray out;
    bool first = true;
    for (const Http::Header &h : headers) {
        if (!is(h.name, name))
            continue;
        if (!first)
            out.append(", ");
        out.append(h.value);
        first = false;
    }
    return first ? QByteArray() : out;
}

QByteArray read(const VariableRef &ref, const VariableScope &scope)
{
    switch (ref.source) {
    case Source::Request:
        return scope.request ? joinedValues(scope.request->headers, ref.name) : QByteArray();
    case Source::Response:
        return scope.response ? joinedValues(scope.response->headers, ref.name) : QByteArray();
    case Source::Variable: return serverVariable(ref.name, scope);
    case Source::Invalid: break;
    }
    return {};
}

using Captures = QHash<QString, QList<QByteArray>>;

struct Segment
{
    VariableRef variable; // Invalid: literal text (or a capture when captureOf is set)
    QByteArray text;
    QString captureOf; // condition variable, exactly as written
    int group = -1;
};

struct ValueTemplate
{
    QList<Segment> segments;
    bool readsResponse = false;

    QByteArray expand(const VariableScope &scope, const Captures &captures) const
    {
        QByteArray out;
        for (const Segment &s : segments) {
            if (!s.captureOf.isEmpty()) {
                const QList<QByteArray> groups = captures.value(s.captureOf);
                if (s.group < groups.size())
                    out.append(groups.at(s.group));
            } else if (s.variable.source != Source::Invalid) {
                out.append(read(s.variable, scope));
            } else {
                out.append(s.text);
            }
        }
        return out;
    }
};

ValueTemplate parseTemplate(const QString &value, const QStringList &conditionVariables)
{
    static const QRegularExpression captureRef(QStringLiteral("^(.+)_(\\d+)$"));
    ValueTemplate t;
    const QByteArray bytes = value.toUtf8();
    qsizetype i = 0;
    QByteArray text;
    auto flush = [&] {
        if (!text.isEmpty())
            t.segments.append(Segment{{}, std::exchange(text, QByteArray()), {}, -1});
    };
    while (i < bytes.size()) {
        const qsizetype open = bytes.indexOf('{', i);
        if (open < 0) {
            text.append(bytes.mid(i));
            break;
        }
        text.append(bytes.mid(i, open - i));
        const qsizetype close = bytes.indexOf('}', open + 1);
        if (close < 0) {
            text.append(bytes.mid(open));
            break;
        }
        const QString inner = QString::fromUtf8(bytes.mid(open + 1, close - open - 1));
        const QRegularExpressionMatch m = captureRef.match(inner);
        if (m.hasMatch() && conditionVariables.contains(m.captured(1))) {
            flush();
            t.segments.append(Segment{{}, {}, m.captured(1), m.captured(2).toInt()});
        } else {
            const VariableRef ref = parseVariable(inner);
            if (ref.source == Source::Invalid
                || (ref.source == Source::Variable && !isServerVariable(ref.name))) {
                text.append(bytes.mid(open, close - open + 1)); // not a reference: literal
            } else {
                flush();
                t.readsResponse = t.readsResponse || ref.source == Source::Response
                                  || (ref.source == Source::Variable
                                      && isResponseVariable(ref.name));
                t.segments.append(Segment{ref, {}, {}, -1});
            }
        }
        i = close + 1;
    }
    flush();
    return t;
}

struct Condition
{
    QString variable; // as written (capture references name it)
    VariableRef ref;
    std::unique_ptr<RE2> re;
    bool negate = false;
};

struct HeaderAction
{
    QByteArray name;
    ValueTemplate value;
    bool remove = false;
};

RE2::Options re2Options(bool ignoreCase)
{
    RE2::Options options;
    options.set_case_sensitive(!ignoreCase);
    options.set_log_errors(false);
    options.set_encoding(RE2::Options::EncodingLatin1); // header bytes are matched as bytes
    return options;
}

} // namespace

struct CompiledRule
{
    QString name;
    int sequence = 0;
    std::vector<Condition> conditions;
    QList<HeaderAction> requestHeaders;
    QList<HeaderAction> responseHeaders;
    bool hasPath = false;
    ValueTemplate path;
    bool hasQuery = false;
    ValueTemplate query;
    bool reroute = false;
    bool decidedOnResponse = false; // a condition reads the response
};

class CompiledRuleSet
{
public:
    QString name;
    std::vector<CompiledRule> rules; // in ruleSequence order

    // Evaluates a rule's conditions; on success fills *captures.
    static bool matches(const CompiledRule &rule, const VariableScope &scope, Captures *captures)
    {
        for (const Condition &c : rule.conditions) {
            if (!c.re)
                return false;
            const QByteArray value = read(c.ref, scope);
            const int groups = c.re->NumberOfCapturingGroups() + 1;
            std::vector<re2::StringPiece> pieces(size_t(std::max(groups, 1)));
            const re2::StringPiece text(value.constData(), size_t(value.size()));
            const bool hit = c.re->Match(text, 0, text.size(), RE2::UNANCHORED, pieces.data(),
                                         groups);
            if (hit == c.negate)
                return false;
            if (hit) {
                QList<QByteArray> list;
                for (const re2::StringPiece &p : pieces)
                    list.append(p.data() ? QByteArray(p.data(), qsizetype(p.size()))
                                         : QByteArray(""));
                captures->insert(c.variable, list);
            }
        }
        return true;
    }
};

namespace {

void applyHeaders(const QString &ruleSet, const CompiledRule &rule,
                  const QList<HeaderAction> &actions, bool request, const VariableScope &scope,
                  const Captures &captures, Http::Headers &headers, Http::RequestHead *requestHead,
                  QList<AppliedRewrite> *applied)
{
    // Values first (they read the head as the rule found it), then the edits.
    QList<QByteArray> values;
    for (const HeaderAction &a : actions)
        values.append(a.remove ? QByteArray() : a.value.expand(scope, captures));
    for (int i = 0; i < actions.size(); ++i) {
        const HeaderAction &a = actions.at(i);
        AppliedRewrite r;
        r.ruleSet = ruleSet;
        r.rule = rule.name;
        r.target = request ? QStringLiteral("requestHeader") : QStringLiteral("responseHeader");
        r.headerName = QString::fromLatin1(a.name);
        const QByteArray before = joinedValues(headers, a.name);
        r.before = before.isNull() ? QString() : QString::fromLatin1(before);
        r.after = r.before;
        if (isProtectedHeader(a.name)) {
            r.note = QStringLiteral("the %1 header is never rewritten").arg(r.headerName);
        } else if (request && a.remove && is(a.name, "Host")) {
            r.note = QStringLiteral("the Host header cannot be deleted");
        } else if (!a.remove && hasControlBytes(values.at(i))) {
            r.note = QStringLiteral("the value holds control characters; not inserted");
        } else if (a.remove) {
            Http::removeHeaders(headers, a.name);
            r.after = QString();
        } else {
            const QByteArray &value = values.at(i);
            qsizetype at = -1;
            for (qsizetype j = 0; j < headers.size(); ++j) {
                if (is(headers.at(j).name, a.name)) {
                    at = j;
                    break;
                }
            }
            Http::removeHeaders(headers, a.name);
            if (at < 0 || at > headers.size())
                headers.append(Http::Header{a.name, value});
            else
                headers.insert(at, Http::Header{a.name, value});
            if (requestHead && is(a.name, "Host")) {
                requestHead->hostHeader = value;
                QByteArray host = value.toLower();
                const qsizetype colon = host.lastIndexOf(':');
                if (colon >= 0 && host.indexOf(']', colon) < 0)
                    host.truncate(colon);
                while (host.endsWith('.'))
                    host.chop(1);
                requestHead->host = host;
            }
            r.after = QString::fromLatin1(value);
        }
        applied->append(r);
    }
}

bool validPath(QByteArrayView path)
{
    if (!path.startsWith('/'))
        return false;
    for (char c : path) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '?' || c == '#')
            return false;
    }
    return true;
}

bool validQuery(QByteArrayView query)
{
    for (char c : query) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '#')
            return false;
    }
    return true;
}

} // namespace

RewriteEngine::RewriteEngine() = default;
RewriteEngine::~RewriteEngine() = default;

std::shared_ptr<const RewriteEngine> RewriteEngine::build(const Config::GatewayConfig &config,
                                                          QStringList *problems)
{
    std::shared_ptr<RewriteEngine> engine(new RewriteEngine);
    for (const Config::RewriteRuleSet &set : config.rewriteRuleSets) {
        auto compiled = std::make_shared<CompiledRuleSet>();
        compiled->name = set.name;
        QList<int> order;
        for (int i = 0; i < set.rewriteRules.size(); ++i)
            order.append(i);
        std::stable_sort(order.begin(), order.end(), [&set](int a, int b) {
            return set.rewriteRules.at(a).ruleSequence < set.rewriteRules.at(b).ruleSequence;
        });
        for (int index : std::as_const(order)) {
            const Config::RewriteRule &rule = set.rewriteRules.at(index);
            CompiledRule cr;
            cr.name = rule.name;
            cr.sequence = rule.ruleSequence;
            QStringList conditionVariables;
            for (const Config::RewriteCondition &c : rule.conditions) {
                Condition cond;
                cond.variable = c.variable.trimmed();
                cond.ref = parseVariable(c.variable);
                cond.negate = c.negate;
                conditionVariables.append(cond.variable);
                const QByteArray pattern = c.pattern.toUtf8();
                auto re = std::make_unique<RE2>(re2::StringPiece(pattern.constData(),
                                                                 size_t(pattern.size())),
                                                re2Options(c.ignoreCase));
                const bool knownVariable = cond.ref.source != Source::Invalid
                                           && (cond.ref.source != Source::Variable
                                               || isServerVariable(cond.ref.name));
                if (!re->ok()) {
                    if (problems)
                        problems->append(QStringLiteral("rewrite rule '%1' of '%2': pattern '%3' "
                                                        "is not valid RE2 (%4); the rule never "
                                                        "applies")
                                             .arg(rule.name, set.name, c.pattern,
                                                  QString::fromStdString(re->error())));
                } else if (!knownVariable) {
                    if (problems)
                        problems->append(QStringLiteral("rewrite rule '%1' of '%2': unknown "
                                                        "condition variable '%3'; the rule never "
                                                        "applies")
                                             .arg(rule.name, set.name, c.variable));
                } else {
                    cond.re = std::move(re);
                }
                cr.decidedOnResponse = cr.decidedOnResponse || cond.ref.source == Source::Response
                                       || (cond.ref.source == Source::Variable
                                           && isResponseVariable(cond.ref.name));
                cr.conditions.push_back(std::move(cond));
            }
            auto actions = [&conditionVariables](const QList<Config::HeaderConfiguration> &list) {
                QList<HeaderAction> out;
                for (const Config::HeaderConfiguration &h : list) {
                    HeaderAction a;
                    a.name = h.headerName.trimmed().toLatin1();
                    a.remove = h.headerValue.isEmpty();
                    a.value = parseTemplate(h.headerValue, conditionVariables);
                    out.append(a);
                }
                return out;
            };
            cr.requestHeaders = actions(rule.requestHeaderConfigurations);
            cr.responseHeaders = actions(rule.responseHeaderConfigurations);
            if (rule.urlConfiguration.present) {
                cr.hasPath = !rule.urlConfiguration.modifiedPath.isEmpty();
                cr.path = parseTemplate(rule.urlConfiguration.modifiedPath, conditionVariables);
                cr.hasQuery = !rule.urlConfiguration.modifiedQueryString.isEmpty();
                cr.query = parseTemplate(rule.urlConfiguration.modifiedQueryString,
                                         conditionVariables);
                cr.reroute = rule.urlConfiguration.reroute;
            }
            compiled->rules.push_back(std::move(cr));
        }
        engine->m_sets.insert(set.name.toLower(), compiled);
    }
    return engine;
}

const CompiledRuleSet *RewriteEngine::find(const QString &name) const
{
    const auto it = m_sets.constFind(name.toLower());
    return it == m_sets.constEnd() ? nullptr : it->get();
}

bool RewriteEngine::hasRuleSet(const QString &name) const
{
    return find(name) != nullptr;
}

bool RewriteEngine::isEmpty() const
{
    return m_sets.isEmpty();
}

RequestOutcome RewriteEngine::rewriteRequest(const QString &ruleSet, Http::RequestHead &request,
                                             const ConnectionVariables &connection,
                                             RewriteState *state,
                                             QList<AppliedRewrite> *applied) const
{
    RequestOutcome outcome;
    state->ruleSet = ruleSet;
    state->requestMatches.clear();
    const CompiledRuleSet *set = find(ruleSet);
    if (!set)
        return outcome;
    state->ruleSet = set->name;
    const VariableScope scope{&connection, &request, nullptr, 0};
    for (int i = 0; i < int(set->rules.size()); ++i) {
        const CompiledRule &rule = set->rules.at(size_t(i));
        if (rule.decidedOnResponse)
            continue;
        Captures captures;
        if (!CompiledRuleSet::matches(rule, scope, &captures))
            continue;
        state->requestMatches.append(RewriteState::Match{i, captures});
        const QByteArray newPath = rule.hasPath ? rule.path.expand(scope, captures) : QByteArray();
        QByteArray newQuery = rule.hasQuery ? rule.query.expand(scope, captures) : QByteArray();
        if (newQuery.startsWith('?'))
            newQuery.remove(0, 1);
        applyHeaders(set->name, rule, rule.requestHeaders, true, scope, captures, request.headers,
                     &request, applied);
        if (rule.hasPath) {
            AppliedRewrite r{set->name,
                             rule.name,
                             QStringLiteral("urlPath"),
                             {},
                             QString::fromLatin1(request.path),
                             QString::fromLatin1(newPath),
                             {}};
            if (validPath(newPath)) {
                outcome.pathChanged = outcome.pathChanged || newPath != request.path;
                request.path = newPath;
            } else {
                r.after = r.before;
                r.note = QStringLiteral("'%1' is not a valid path; not applied")
                             .arg(QString::fromLatin1(newPath));
            }
            applied->append(r);
        }
        if (rule.hasQuery) {
            AppliedRewrite r{set->name,
                             rule.name,
                             QStringLiteral("queryString"),
                             {},
                             request.hasQuery ? QString::fromLatin1(request.query) : QString(),
                             QString::fromLatin1(newQuery),
                             {}};
            if (validQuery(newQuery)) {
                outcome.queryChanged = outcome.queryChanged || newQuery != request.query
                                       || request.hasQuery == newQuery.isEmpty();
                request.query = newQuery;
                request.hasQuery = !newQuery.isEmpty();
                if (newQuery.isEmpty())
                    r.after = QString();
            } else {
                r.after = r.before;
                r.note = QStringLiteral("'%1' is not a valid query string; not applied")
                             .arg(QString::fromLatin1(newQuery));
            }
            applied->append(r);
        }
        if (rule.reroute)
            outcome.reroute = true;
    }
    return outcome;
}

void RewriteEngine::rewriteResponse(const RewriteState &state, const Http::RequestHead &request,
                                    Http::ResponseHead &response,
                                    const ConnectionVariables &connection,
                                    QList<AppliedRewrite> *applied) const
{
    const CompiledRuleSet *set = find(state.ruleSet);
    if (!set)
        return;
    const VariableScope scope{&connection, &request, &response, 0};
    for (int i = 0; i < int(set->rules.size()); ++i) {
        const CompiledRule &rule = set->rules.at(size_t(i));
        if (rule.responseHeaders.isEmpty())
            continue;
        Captures captures;
        if (rule.decidedOnResponse) {
            if (!CompiledRuleSet::matches(rule, scope, &captures))
                continue;
        } else {
            const auto it = std::find_if(state.requestMatches.cbegin(), state.requestMatches.cend(),
                                         [i](const RewriteState::Match &m) { return m.rule == i; });
            if (it == state.requestMatches.cend())
                continue;
            captures = it->captures;
        }
        applyHeaders(set->name, rule, rule.responseHeaders, false, scope, captures,
                     response.headers, nullptr, applied);
    }
}

QString patternError(const QString &pattern, bool ignoreCase)
{
    const QByteArray bytes = pattern.toUtf8();
    const RE2 re(re2::StringPiece(bytes.constData(), size_t(bytes.size())), re2Options(ignoreCase));
    return re.ok() ? QString() : QString::fromStdString(re.error());
}

} // namespace Gateway::Filter::Rewrite
