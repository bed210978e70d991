#include "filter/rewrite/appliedrewrite.h"

#include <QJsonObject>

namespace Gateway::Filter::Rewrite {

QString AppliedRewrite::describe() const
{
    QString text = ruleSet + QLatin1Char('/') + rule + QLatin1Char(' ') + target;
    if (!headerName.isEmpty())
        text += QLatin1Char(' ') + headerName;
    text += QStringLiteral(": ") + (before.isNull() ? QStringLiteral("(absent)") : before)
            + QStringLiteral(" -> ") + (after.isNull() ? QStringLiteral("(deleted)") : after);
    if (!note.isEmpty())
        text += QStringLiteral(" [") + note + QLatin1Char(']');
    return text;
}

QJsonArray toJson(const QList<AppliedRewrite> &rewrites)
{
    QJsonArray out;
    for (const AppliedRewrite &r : rewrites) {
        QJsonObject o{{QStringLiteral("ruleSet"), r.ruleSet},
                      {QStringLiteral("rule"), r.rule},
                      {QStringLiteral("target"), r.target}};
        if (!r.headerName.isEmpty())
            o.insert(QStringLiteral("headerName"), r.headerName);
        o.insert(QStringLiteral("before"), r.before.isNull() ? QJsonValue() : QJsonValue(r.before));
        o.insert(QStringLiteral("after"), r.after.isNull() ? QJsonValue() : QJsonValue(r.after));
        if (!r.note.isEmpty())
            o.insert(QStringLiteral("note"), r.note);
        out.append(o);
    }
    return out;
}

} // namespace Gateway::Filter::Rewrite
