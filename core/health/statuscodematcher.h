#pragma once

// A probe's match.statusCodes: single codes ("200"), comma lists ("301,302") and ranges
// ("200-399"), in any combination of list entries. Default: 200-399 (the default probe).

#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace Gateway::Health {

class StatusCodeMatcher
{
public:
    StatusCodeMatcher(); // 200-399

    // Parses the ARM list; an empty list gives the default. false (and *error) on a bad entry,
    // leaving *this unchanged.
    bool parse(const QStringList &entries, QString *error = nullptr);
    static StatusCodeMatcher fromEntries(const QStringList &entries, bool *ok = nullptr);

    bool matches(int status) const;
    // As Azure prints it after "Expected:", e.g. "200-399" or "200,301-302".
    QString expectedText() const { return m_text; }

    bool operator==(const StatusCodeMatcher &o) const { return m_ranges == o.m_ranges; }

private:
    QList<std::pair<int, int>> m_ranges;
    QString m_text;
};

} // namespace Gateway::Health
