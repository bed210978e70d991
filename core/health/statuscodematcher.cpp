#include "health/statuscodematcher.h"

namespace Gateway::Health {

namespace {

bool parseCode(QStringView text, int *code)
{
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok || value < 100 || value > 599)
        return false;
    *code = value;
    return true;
}

} // namespace

StatusCodeMatcher::StatusCodeMatcher() : m_ranges{{200, 399}}, m_text(QStringLiteral("200-399")) {}

bool StatusCodeMatcher::parse(const QStringList &entries, QString *error)
{
    QList<std::pair<int, int>> ranges;
    QStringList texts;
    for (const QString &entry : entries) {
        const auto parts = QStringView(entry).split(QLatin1Char(','));
        for (QStringView part : parts) {
            part = part.trimmed();
            if (part.isEmpty())
                continue;
            int low = 0;
            int high = 0;
            const qsizetype dash = part.indexOf(QLatin1Char('-'));
            const bool ok = dash < 0 ? (parseCode(part, &low) && (high = low, true))
                                     : (parseCode(part.left(dash), &low)
                                        && parseCode(part.mid(dash + 1), &high) && low <= high);
            if (!ok) {
                if (error)
                    *error = QStringLiteral("Invalid status code or range '%1': use codes 100-599 "
                                            "such as 200, 301,302 or 200-399.")
                                 .arg(part.toString());
                return false;
            }
            ranges.append({low, high});
            texts.append(low == high
                             ? QString::number(low)
                             : QString::number(low) + QLatin1Char('-') + QString::number(high));
        }
    }
    if (ranges.isEmpty()) {
        *this = StatusCodeMatcher();
        return true;
    }
    m_ranges = std::move(ranges);
    m_text = texts.join(QLatin1Char(','));
    return true;
}

StatusCodeMatcher StatusCodeMatcher::fromEntries(const QStringList &entries, bool *ok)
{
    StatusCodeMatcher matcher;
    const bool parsed = matcher.parse(entries);
    if (ok)
        *ok = parsed;
    return matcher;
}

bool StatusCodeMatcher::matches(int status) const
{
    for (const auto &[low, high] : m_ranges) {
        if (status >= low && status <= high)
            return true;
    }
    return false;
}

} // namespace Gateway::Health
