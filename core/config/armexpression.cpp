#include "config/armexpression.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QUrl>
#include <QUuid>

#include <algorithm>
#include <cmath>

namespace Gateway::Config::Internal {

QJsonValue valueCi(const QJsonObject &object, const QString &key, QString *actualKey)
{
    auto it = object.constFind(key);
    if (it != object.constEnd()) {
        if (actualKey)
            *actualKey = it.key();
        return it.value();
    }
    for (it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.key().compare(key, Qt::CaseInsensitive) == 0) {
            if (actualKey)
                *actualKey = it.key();
            return it.value();
        }
    }
    if (actualKey)
        actualKey->clear();
    return QJsonValue(QJsonValue::Undefined);
}

QString uniqueString(const QStringList &parts)
{
    const QByteArray hash = QCryptographicHash::hash(parts.join(QLatin1Char('-')).toUtf8(),
                                                     QCryptographicHash::Sha256);
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    QString out;
    quint64 bits = 0;
    for (int i = 0; i < 8; ++i)
        bits = (bits << 8) | quint8(hash.at(i));
    for (int i = 0; i < 13; ++i) {
        out += QLatin1Char(alphabet[bits & 31]);
        bits >>= 5;
    }
    return out;
}

static QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("bool");
    case QJsonValue::Double: return QStringLiteral("number");
    case QJsonValue::String: return QStringLiteral("string");
    case QJsonValue::Array: return QStringLiteral("array");
    case QJsonValue::Object: return QStringLiteral("object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

static QString toText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String: return v.toString();
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("True") : QStringLiteral("False");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (std::floor(d) == d && std::abs(d) < 9e15)
            return QString::number(qint64(d));
        return QString::number(d);
    }
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    default: return QString();
    }
}

// Recursive-descent parser that evaluates as it parses.
class ExpressionParser
{
public:
    ExpressionParser(ArmEvaluator *evaluator, const QString &text) : m_ev(evaluator), m_s(text) {}

    QJsonValue parseAll(QString *error)
    {
        QJsonValue v = parseExpression();
        skipSpace();
        if (m_error.isEmpty() && m_pos < m_s.size())
            fail(QStringLiteral("unexpected '%1' at position %2").arg(m_s.at(m_pos)).arg(m_pos + 1));
        if (!m_error.isEmpty()) {
            *error = m_error;
            return QJsonValue(QJsonValue::Undefined);
        }
        return v;
    }

private:
    QJsonValue fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
        return QJsonValue(QJsonValue::Undefined);
    }
    bool failed() const { return !m_error.isEmpty(); }

    void skipSpace()
    {
        while (m_pos < m_s.size() && m_s.at(m_pos).isSpace())
            ++m_pos;
    }
    bool take(QChar c)
    {
        skipSpace();
        if (m_pos < m_s.size() && m_s.at(m_pos) == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    QJsonValue parseExpression()
    {
        // Bounded recursion: hostile input like concat(concat(concat(... must not exhaust the stack.
        if (++m_depth > 64)
            return fail(QStringLiteral("the expression is nested too deeply"));
        QJsonValue v = parseExpressionBody();
        --m_depth;
        return v;
    }

    QJsonValue parseExpressionBody()
    {
        QJsonValue v = parsePrimary();
        while (!failed()) {
            if (take(QLatin1Char('.'))) {
                skipSpace();
                const QString name = identifier();
                if (name.isEmpty())
                    return fail(QStringLiteral("expected a property name after '.'"));
                if (!v.isObject())
                    return fail(
                        QStringLiteral("cannot read property '%1' of a %2").arg(name, typeName(v)));
                const QJsonValue p = valueCi(v.toObject(), name);
                if (p.isUndefined())
                    return fail(QStringLiteral("the object has no property '%1'").arg(name));
                v = p;
            } else if (take(QLatin1Char('['))) {
                const QJsonValue index = parseExpression();
                if (failed())
                    return index;
                if (!take(QLatin1Char(']')))
                    return fail(QStringLiteral("expected ']'"));
                if (v.isArray() && index.isDouble()) {
                    const int i = index.toInt(-1);
                    const QJsonArray a = v.toArray();
                    if (i < 0 || i >= a.size())
                        return fail(
                            QStringLiteral("index %1 is out of range (the array has %2 items)")
                                .arg(i)
                                .arg(a.size()));
                    v = a.at(i);
                } else if (v.isObject() && index.isString()) {
                    const QJsonValue p = valueCi(v.toObject(), index.toString());
                    if (p.isUndefined())
                        return fail(
                            QStringLiteral("the object has no property '%1'").arg(index.toString()));
                    v = p;
                } else {
                    return fail(QStringLiteral("cannot index a %1 with a %2")
                                    .arg(typeName(v), typeName(index)));
                }
            } else {
                break;
            }
        }
        return v;
    }

    QString identifier()
    {
        const int start = m_pos;
        while (m_pos < m_s.size()
               && (m_s.at(m_pos).isLetterOrNumber() || m_s.at(m_pos) == QLatin1Char('_')))
            ++m_pos;
        return m_s.mid(start, m_pos - start);
    }

    QJsonValue parsePrimary()
    {
        skipSpace();
        if (m_pos >= m_s.size())
            return fail(QStringLiteral("unexpected end of expression"));
        const QChar c = m_s.at(m_pos);
        if (c == QLatin1Char('\'')) {
            ++m_pos;
            QString out;
            while (true) {
                if (m_pos >= m_s.size())
                    return fail(QStringLiteral("unterminated string literal"));
                const QChar d = m_s.at(m_pos++);
                if (d == QLatin1Char('\'')) {
                    if (m_pos < m_s.size() && m_s.at(m_pos) == QLatin1Char('\'')) {
                        out += QLatin1Char('\'');
                        ++m_pos;
                        continue;
                    }
                    break;
                }
                out += d;
            }
            return out;
        }
        if (c.isDigit() || c == QLatin1Char('-')) {
            const int start = m_pos++;
            while (m_pos < m_s.size()
                   && (m_s.at(m_pos).isDigit() || m_s.at(m_pos) == QLatin1Char('.')))
                ++m_pos;
            bool ok = false;
            const double d = m_s.mid(start, m_pos - start).toDouble(&ok);
            if (!ok)
                return fail(QStringLiteral("bad number '%1'").arg(m_s.mid(start, m_pos - start)));
            return d;
        }
        if (c.isLetter() || c == QLatin1Char('_')) {
            const QString name = identifier();
            if (!take(QLatin1Char('('))) {
                const QString lower = name.toLower();
                if (lower == QLatin1String("true"))
                    return true;
                if (lower == QLatin1String("false"))
                    return false;
                if (lower == QLatin1String("null"))
                    return QJsonValue(QJsonValue::Null);
                return fail(QStringLiteral("expected '(' after '%1'").arg(name));
            }
            QJsonArray args;
            if (!take(QLatin1Char(')'))) {
                while (true) {
                    const QJsonValue a = parseExpression();
                    if (failed())
                        return a;
                    args.append(a);
                    if (take(QLatin1Char(',')))
                        continue;
                    if (take(QLatin1Char(')')))
                        break;
                    return fail(
                        QStringLiteral("expected ',' or ')' in the arguments of %1()").arg(name));
                }
            }
            return call(name, args);
        }
        return fail(QStringLiteral("unexpected '%1' at position %2").arg(c).arg(m_pos + 1));
    }

    bool needArgs(const QString &fn, const QJsonArray &args, int min, int max = -1)
    {
        if (args.size() < min || (max >= 0 && args.size() > max)) {
            if (max == min)
                fail(QStringLiteral("%1() takes %2 argument(s), got %3")
                         .arg(fn)
                         .arg(min)
                         .arg(args.size()));
            else if (max < 0)
                fail(QStringLiteral("%1() takes at least %2 argument(s), got %3")
                         .arg(fn)
                         .arg(min)
                         .arg(args.size()));
            else
                fail(QStringLiteral("%1() takes %2 to %3 arguments, got %4")
                         .arg(fn)
                         .arg(min)
                         .arg(max)
                         .arg(args.size()));
            return false;
        }
        return true;
    }
    bool needString(const QString &fn, const QJsonValue &v, QString *out)
    {
        if (!v.isString()) {
            fail(QStringLiteral("%1() expects a string, got a %2").arg(fn, typeName(v)));
            return false;
        }
        *out = v.toString();
        return true;
    }
    bool needInt(const QString &fn, const QJsonValue &v, qint64 *out)
    {
        if (v.isDouble()) {
            *out = qint64(v.toDouble());
            return true;
        }
        fail(QStringLiteral("%1() expects an integer, got a %2").arg(fn, typeName(v)));
        return false;
    }

    static bool jsonEquals(const QJsonValue &a, const QJsonValue &b)
    {
        if (a.isString() && b.isString())
            return a.toString() == b.toString();
        return a == b;
    }

    static bool isEmptyValue(const QJsonValue &v)
    {
        switch (v.type()) {
        case QJsonValue::String: return v.toString().isEmpty();
        case QJsonValue::Array: return v.toArray().isEmpty();
        case QJsonValue::Object: return v.toObject().isEmpty();
        case QJsonValue::Null: return true;
        default: return false;
        }
    }

    QJsonValue resourceId(const QString &fn, const QJsonArray &args, bool subscriptionLevel)
    {
        if (!needArgs(fn, args, 2))
            return {};
        QStringList texts;
        for (const QJsonValue &a : args) {
            if (!a.isString())
                return fail(
                    QStringLiteral("%1() expects string arguments, got a %2").arg(fn, typeName(a)));
            texts << a.toString();
        }
        if (texts.at(0).startsWith(QLatin1Char('/'))) {
            // Seen in quickstarts: resourceId(variables('gatewayId'), '/frontendPorts/port1'), a full id
            // followed by child segments; ARM joins them.
            QString id = texts.at(0);
            for (int i = 1; i < texts.size(); ++i) {
                while (id.endsWith(QLatin1Char('/')))
                    id.chop(1);
                id += (texts.at(i).startsWith(QLatin1Char('/')) ? QString() : QStringLiteral("/"))
                      + texts.at(i);
            }
            return id;
        }
        int typeIndex = -1;
        for (int i = 0; i < texts.size() && i < 3; ++i) {
            if (texts.at(i).contains(QLatin1Char('/')) && texts.at(i).contains(QLatin1Char('.'))) {
                typeIndex = i;
                break;
            }
        }
        if (typeIndex < 0)
            return fail(
                QStringLiteral("%1(): no resource type (like "
                               "'Microsoft.Network/applicationGateways') among the arguments")
                    .arg(fn));
        QString subscription = QLatin1String(LocalSubscriptionId);
        QString group = QLatin1String(LocalResourceGroup);
        if (typeIndex == 1) {
            if (subscriptionLevel)
                subscription = texts.at(0);
            else
                group = texts.at(0);
        } else if (typeIndex == 2) {
            subscription = texts.at(0);
            group = texts.at(1);
        }
        QString type = texts.at(typeIndex);
        while (type.endsWith(QLatin1Char('/')))
            type.chop(1);
        const QStringList typeParts = type.split(QLatin1Char('/'));
        const QStringList names = texts.mid(typeIndex + 1);
        if (typeParts.size() - 1 != names.size())
            return fail(QStringLiteral("%1(): resource type '%2' needs %3 name(s), got %4")
                            .arg(fn, type)
                            .arg(typeParts.size() - 1)
                            .arg(names.size()));
        QString id = QStringLiteral("/subscriptions/") + subscription;
        if (!subscriptionLevel)
            id += QStringLiteral("/resourceGroups/") + group;
        id += QStringLiteral("/providers/") + typeParts.at(0);
        for (int i = 0; i < names.size(); ++i)
            id += QLatin1Char('/') + typeParts.at(i + 1) + QLatin1Char('/') + names.at(i);
        return id;
    }

    QJsonValue call(const QString &name, const QJsonArray &args)
    {
        const QString fn = name.toLower();
        QString s, t;
        qint64 n = 0, m = 0;
        if (fn == QLatin1String("parameters") || fn == QLatin1String("variables")) {
            if (!needArgs(name, args, 1, 1) || !needString(name, args.at(0), &s))
                return {};
            QString error;
            const QJsonValue v = fn == QLatin1String("parameters") ? m_ev->parameterValue(s, &error)
                                                                   : m_ev->variableValue(s, &error);
            if (!error.isEmpty())
                return fail(error);
            return v;
        }
        if (fn == QLatin1String("resourceid") || fn == QLatin1String("subscriptionresourceid"))
            return resourceId(name, args, fn == QLatin1String("subscriptionresourceid"));
        if (fn == QLatin1String("resourcegroup")) {
            if (!needArgs(name, args, 0, 0))
                return {};
            QJsonObject rg;
            rg.insert(QStringLiteral("id"), QStringLiteral("/subscriptions/%1/resourceGroups/%2")
                                                .arg(QLatin1String(LocalSubscriptionId),
                                                     QLatin1String(LocalResourceGroup)));
            rg.insert(QStringLiteral("name"), QLatin1String(LocalResourceGroup));
            rg.insert(QStringLiteral("type"), QStringLiteral("Microsoft.Resources/resourceGroups"));
            rg.insert(QStringLiteral("location"), QLatin1String(LocalLocation));
            rg.insert(QStringLiteral("properties"),
                      QJsonObject{
                          {QStringLiteral("provisioningState"), QStringLiteral("Succeeded")}});
            return rg;
        }
        if (fn == QLatin1String("subscription")) {
            if (!needArgs(name, args, 0, 0))
                return {};
            QJsonObject sub;
            sub.insert(QStringLiteral("id"), QString(QStringLiteral("/subscriptions/")
                                                     + QLatin1String(LocalSubscriptionId)));
            sub.insert(QStringLiteral("subscriptionId"), QLatin1String(LocalSubscriptionId));
            sub.insert(QStringLiteral("tenantId"), QLatin1String(LocalSubscriptionId));
            sub.insert(QStringLiteral("displayName"), QStringLiteral("local"));
            return sub;
        }
        if (fn == QLatin1String("deployment")) {
            QJsonObject d;
            d.insert(QStringLiteral("name"), QStringLiteral("local-deployment"));
            d.insert(QStringLiteral("properties"), QJsonObject{});
            return d;
        }
        if (fn == QLatin1String("concat")) {
            if (args.isEmpty())
                return QString();
            if (args.at(0).isArray()) {
                QJsonArray out;
                for (const QJsonValue &a : args) {
                    if (!a.isArray())
                        return fail(
                            QStringLiteral("concat(): cannot mix arrays and a %1").arg(typeName(a)));
                    for (const QJsonValue &x : a.toArray())
                        out.append(x);
                }
                return out;
            }
            QString out;
            for (const QJsonValue &a : args) {
                if (a.isArray() || a.isObject() || a.isUndefined())
                    return fail(QStringLiteral("concat(): cannot concatenate a string and a %1")
                                    .arg(typeName(a)));
                out += toText(a);
            }
            return out;
        }
        if (fn == QLatin1String("format")) {
            if (!needArgs(name, args, 1) || !needString(name, args.at(0), &s))
                return {};
            QString out;
            for (int i = 0; i < s.size(); ++i) {
                const QChar c = s.at(i);
                if (c == QLatin1Char('{') && i + 1 < s.size() && s.at(i + 1) == QLatin1Char('{')) {
                    out += c;
                    ++i;
                } else if (c == QLatin1Char('}') && i + 1 < s.size()
                           && s.at(i + 1) == QLatin1Char('}')) {
                    out += c;
                    ++i;
                } else if (c == QLatin1Char('{')) {
                    const int close = s.indexOf(QLatin1Char('}'), i);
                    if (close < 0)
                        return fail(
                            QStringLiteral("format(): unterminated '{' in the format string"));
                    const QString spec = s.mid(i + 1, close - i - 1).section(QLatin1Char(':'), 0, 0);
                    bool ok = false;
                    const int index = spec.trimmed().toInt(&ok);
                    if (!ok || index < 0 || index + 1 >= args.size())
                        return fail(QStringLiteral("format(): no argument for '{%1}'").arg(spec));
                    out += toText(args.at(index + 1));
                    i = close;
                } else {
                    out += c;
                }
            }
            return out;
        }
        if (fn == QLatin1String("uniquestring")) {
            if (!needArgs(name, args, 1))
                return {};
            QStringList parts;
            for (const QJsonValue &a : args) {
                if (!needString(name, a, &s))
                    return {};
                parts << s;
            }
            return uniqueString(parts);
        }
        if (fn == QLatin1String("guid")) {
            if (!needArgs(name, args, 1))
                return {};
            QStringList parts;
            for (const QJsonValue &a : args) {
                if (!needString(name, a, &s))
                    return {};
                parts << s;
            }
            return QUuid::createUuidV5(QUuid(), parts.join(QLatin1Char('-')))
                .toString(QUuid::WithoutBraces);
        }
        if (fn == QLatin1String("tolower") || fn == QLatin1String("toupper")
            || fn == QLatin1String("trim") || fn == QLatin1String("base64")
            || fn == QLatin1String("base64tostring") || fn == QLatin1String("uricomponent")
            || fn == QLatin1String("uricomponenttostring")) {
            if (!needArgs(name, args, 1, 1) || !needString(name, args.at(0), &s))
                return {};
            if (fn == QLatin1String("tolower"))
                return s.toLower();
            if (fn == QLatin1String("toupper"))
                return s.toUpper();
            if (fn == QLatin1String("trim"))
                return s.trimmed();
            if (fn == QLatin1String("base64"))
                return QString::fromLatin1(s.toUtf8().toBase64());
            if (fn == QLatin1String("uricomponent"))
                return QString::fromLatin1(QUrl::toPercentEncoding(s));
            if (fn == QLatin1String("uricomponenttostring"))
                return QUrl::fromPercentEncoding(s.toUtf8());
            const auto decoded = QByteArray::fromBase64Encoding(
                s.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return fail(QStringLiteral("base64ToString(): the argument is not valid base64"));
            return QString::fromUtf8(*decoded);
        }
        if (fn == QLatin1String("string")) {
            if (!needArgs(name, args, 1, 1))
                return {};
            return toText(args.at(0));
        }
        if (fn == QLatin1String("int")) {
            if (!needArgs(name, args, 1, 1))
                return {};
            if (args.at(0).isDouble())
                return double(qint64(args.at(0).toDouble()));
            bool ok = false;
            const qint64 v = args.at(0).toString().trimmed().toLongLong(&ok);
            if (!args.at(0).isString() || !ok)
                return fail(QStringLiteral("int(): cannot convert '%1' to an integer")
                                .arg(toText(args.at(0))));
            return double(v);
        }
        if (fn == QLatin1String("bool")) {
            if (!needArgs(name, args, 1, 1))
                return {};
            const QJsonValue a = args.at(0);
            if (a.isBool())
                return a;
            if (a.isDouble())
                return a.toDouble() != 0;
            if (a.isString()) {
                const QString v = a.toString().trimmed().toLower();
                if (v == QLatin1String("true") || v == QLatin1String("1"))
                    return true;
                if (v == QLatin1String("false") || v == QLatin1String("0"))
                    return false;
            }
            return fail(QStringLiteral("bool(): cannot convert '%1' to a bool").arg(toText(a)));
        }
        if (fn == QLatin1String("json")) {
            if (!needArgs(name, args, 1, 1) || !needString(name, args.at(0), &s))
                return {};
            QJsonParseError pe;
            const QJsonDocument d = QJsonDocument::fromJson("[" + s.toUtf8() + "]", &pe);
            if (pe.error != QJsonParseError::NoError)
                return fail(QStringLiteral("json(): invalid JSON: %1").arg(pe.errorString()));
            return d.array().at(0);
        }
        if (fn == QLatin1String("if")) {
            if (!needArgs(name, args, 3, 3))
                return {};
            if (!args.at(0).isBool())
                return fail(QStringLiteral("if(): the condition must be a bool, got a %1")
                                .arg(typeName(args.at(0))));
            return args.at(0).toBool() ? args.at(1) : args.at(2);
        }
        if (fn == QLatin1String("equals")) {
            if (!needArgs(name, args, 2, 2))
                return {};
            return jsonEquals(args.at(0), args.at(1));
        }
        if (fn == QLatin1String("not")) {
            if (!needArgs(name, args, 1, 1))
                return {};
            if (!args.at(0).isBool())
                return fail(
                    QStringLiteral("not() expects a bool, got a %1").arg(typeName(args.at(0))));
            return !args.at(0).toBool();
        }
        if (fn == QLatin1String("and") || fn == QLatin1String("or")) {
            if (!needArgs(name, args, 2))
                return {};
            bool result = fn == QLatin1String("and");
            for (const QJsonValue &a : args) {
                if (!a.isBool())
                    return fail(
                        QStringLiteral("%1() expects bools, got a %2").arg(name, typeName(a)));
                result = fn == QLatin1String("and") ? (result && a.toBool())
                                                    : (result || a.toBool());
            }
            return result;
        }
        if (fn == QLatin1String("greater") || fn == QLatin1String("less")
            || fn == QLatin1String("greaterorequals") || fn == QLatin1String("lessorequals")) {
            if (!needArgs(name, args, 2, 2))
                return {};
            int cmp = 0;
            if (args.at(0).isDouble() && args.at(1).isDouble())
                cmp = args.at(0).toDouble() < args.at(1).toDouble()
                          ? -1
                          : (args.at(0).toDouble() > args.at(1).toDouble() ? 1 : 0);
            else if (args.at(0).isString() && args.at(1).isString())
                cmp = args.at(0).toString().compare(args.at(1).toString());
            else
                return fail(QStringLiteral("%1() expects two numbers or two strings").arg(name));
            if (fn == QLatin1String("greater"))
                return cmp > 0;
            if (fn == QLatin1String("less"))
                return cmp < 0;
            if (fn == QLatin1String("greaterorequals"))
                return cmp >= 0;
            return cmp <= 0;
        }
        if (fn == QLatin1String("empty")) {
            if (!needArgs(name, args, 1, 1))
                return {};
            return isEmptyValue(args.at(0));
        }
        if (fn == QLatin1String("length")) {
            if (!needArgs(name, args, 1, 1))
                return {};
            const QJsonValue a = args.at(0);
            if (a.isString())
                return double(a.toString().size());
            if (a.isArray())
                return double(a.toArray().size());
            if (a.isObject())
                return double(a.toObject().size());
            return fail(QStringLiteral("length() expects a string, array or object, got a %1")
                            .arg(typeName(a)));
        }
        if (fn == QLatin1String("replace")) {
            if (!needArgs(name, args, 3, 3) || !needString(name, args.at(0), &s)
                || !needString(name, args.at(1), &t))
                return {};
            QString r;
            if (!needString(name, args.at(2), &r))
                return {};
            return s.replace(t, r);
        }
        if (fn == QLatin1String("contains")) {
            if (!needArgs(name, args, 2, 2))
                return {};
            const QJsonValue c = args.at(0);
            if (c.isString())
                return c.toString().contains(toText(args.at(1)));
            if (c.isArray()) {
                for (const QJsonValue &x : c.toArray())
                    if (jsonEquals(x, args.at(1)))
                        return true;
                return false;
            }
            if (c.isObject())
                return c.toObject().contains(toText(args.at(1)));
            return fail(QStringLiteral("contains() expects a string, array or object"));
        }
        if (fn == QLatin1String("startswith") || fn == QLatin1String("endswith")
            || fn == QLatin1String("indexof") || fn == QLatin1String("lastindexof")) {
            if (!needArgs(name, args, 2, 2) || !needString(name, args.at(0), &s)
                || !needString(name, args.at(1), &t))
                return {};
            if (fn == QLatin1String("startswith"))
                return s.startsWith(t, Qt::CaseInsensitive);
            if (fn == QLatin1String("endswith"))
                return s.endsWith(t, Qt::CaseInsensitive);
            if (fn == QLatin1String("indexof"))
                return double(s.indexOf(t, 0, Qt::CaseInsensitive));
            return double(s.lastIndexOf(t, -1, Qt::CaseInsensitive));
        }
        if (fn == QLatin1String("substring")) {
            if (!needArgs(name, args, 2, 3) || !needString(name, args.at(0), &s)
                || !needInt(name, args.at(1), &n))
                return {};
            m = s.size() - n;
            if (args.size() == 3 && !needInt(name, args.at(2), &m))
                return {};
            if (n < 0 || m < 0 || n + m > s.size())
                return fail(QStringLiteral("substring(): index and length are out of range"));
            return s.mid(n, m);
        }
        if (fn == QLatin1String("padleft")) {
            if (!needArgs(name, args, 2, 3) || !needInt(name, args.at(1), &n))
                return {};
            s = toText(args.at(0));
            const QString pad = args.size() == 3 ? toText(args.at(2)) : QStringLiteral(" ");
            while (s.size() < n && !pad.isEmpty())
                s.prepend(pad.at(0));
            return s;
        }
        if (fn == QLatin1String("split")) {
            if (!needArgs(name, args, 2, 2) || !needString(name, args.at(0), &s))
                return {};
            QStringList delimiters;
            if (args.at(1).isArray()) {
                for (const QJsonValue &d : args.at(1).toArray())
                    delimiters << d.toString();
            } else if (!needString(name, args.at(1), &t)) {
                return {};
            } else {
                delimiters << t;
            }
            QStringList parts{s};
            for (const QString &d : std::as_const(delimiters)) {
                QStringList next;
                for (const QString &p : std::as_const(parts))
                    next << (d.isEmpty() ? QStringList{p} : p.split(d));
                parts = next;
            }
            return QJsonArray::fromStringList(parts);
        }
        if (fn == QLatin1String("join")) {
            if (!needArgs(name, args, 2, 2) || !args.at(0).isArray()
                || !needString(name, args.at(1), &t))
                return failed() ? QJsonValue()
                                : fail(QStringLiteral("join() expects an array and a string"));
            QStringList parts;
            for (const QJsonValue &x : args.at(0).toArray())
                parts << toText(x);
            return parts.join(t);
        }
        if (fn == QLatin1String("first") || fn == QLatin1String("last")) {
            if (!needArgs(name, args, 1, 1))
                return {};
            const QJsonValue a = args.at(0);
            if (a.isString())
                return a.toString().isEmpty()
                           ? QString()
                           : QString(fn == QLatin1String("first") ? a.toString().front()
                                                                  : a.toString().back());
            if (a.isArray()) {
                const QJsonArray arr = a.toArray();
                if (arr.isEmpty())
                    return QJsonValue(QJsonValue::Null);
                return fn == QLatin1String("first") ? arr.first() : arr.last();
            }
            return fail(QStringLiteral("%1() expects a string or an array").arg(name));
        }
        if (fn == QLatin1String("take") || fn == QLatin1String("skip")) {
            if (!needArgs(name, args, 2, 2) || !needInt(name, args.at(1), &n))
                return {};
            n = qMax<qint64>(0, n);
            const QJsonValue a = args.at(0);
            if (a.isString())
                return fn == QLatin1String("take") ? a.toString().left(n) : a.toString().mid(n);
            if (a.isArray()) {
                QJsonArray out;
                const QJsonArray arr = a.toArray();
                for (int i = 0; i < arr.size(); ++i)
                    if ((fn == QLatin1String("take")) == (i < n))
                        out.append(arr.at(i));
                return out;
            }
            return fail(QStringLiteral("%1() expects a string or an array").arg(name));
        }
        if (fn == QLatin1String("createarray") || fn == QLatin1String("array")) {
            if (fn == QLatin1String("array") && args.size() == 1 && args.at(0).isArray())
                return args.at(0);
            QJsonArray out;
            for (const QJsonValue &a : args)
                out.append(a);
            return out;
        }
        if (fn == QLatin1String("createobject")) {
            if (args.size() % 2)
                return fail(QStringLiteral("createObject() takes key/value pairs"));
            QJsonObject out;
            for (int i = 0; i < args.size(); i += 2) {
                if (!needString(name, args.at(i), &s))
                    return {};
                out.insert(s, args.at(i + 1));
            }
            return out;
        }
        if (fn == QLatin1String("union")) {
            if (!needArgs(name, args, 1))
                return {};
            if (args.at(0).isObject()) {
                QJsonObject out;
                for (const QJsonValue &a : args) {
                    const QJsonObject o = a.toObject();
                    for (auto it = o.begin(); it != o.end(); ++it)
                        out.insert(it.key(), it.value());
                }
                return out;
            }
            QJsonArray out;
            for (const QJsonValue &a : args)
                for (const QJsonValue &x : a.toArray())
                    if (!out.contains(x))
                        out.append(x);
            return out;
        }
        if (fn == QLatin1String("coalesce")) {
            for (const QJsonValue &a : args)
                if (!a.isNull())
                    return a;
            return QJsonValue(QJsonValue::Null);
        }
        if (fn == QLatin1String("add") || fn == QLatin1String("sub") || fn == QLatin1String("mul")
            || fn == QLatin1String("div") || fn == QLatin1String("mod")) {
            if (!needArgs(name, args, 2, 2) || !needInt(name, args.at(0), &n)
                || !needInt(name, args.at(1), &m))
                return {};
            if ((fn == QLatin1String("div") || fn == QLatin1String("mod")) && m == 0)
                return fail(QStringLiteral("%1(): division by zero").arg(name));
            if (fn == QLatin1String("add"))
                return double(n + m);
            if (fn == QLatin1String("sub"))
                return double(n - m);
            if (fn == QLatin1String("mul"))
                return double(n * m);
            if (fn == QLatin1String("div"))
                return double(n / m);
            return double(n % m);
        }
        if (fn == QLatin1String("min") || fn == QLatin1String("max")) {
            QList<double> values;
            for (const QJsonValue &a : args) {
                if (a.isArray()) {
                    for (const QJsonValue &x : a.toArray())
                        values << x.toDouble();
                } else {
                    values << a.toDouble();
                }
            }
            if (values.isEmpty())
                return fail(QStringLiteral("%1() needs at least one number").arg(name));
            return fn == QLatin1String("min") ? *std::min_element(values.begin(), values.end())
                                              : *std::max_element(values.begin(), values.end());
        }
        if (fn == QLatin1String("true") || fn == QLatin1String("false"))
            return fn == QLatin1String("true");
        if (fn == QLatin1String("null"))
            return QJsonValue(QJsonValue::Null);
        if (fn == QLatin1String("reference") || fn == QLatin1String("list")
            || fn == QLatin1String("listkeys") || fn == QLatin1String("newguid")
            || fn == QLatin1String("utcnow"))
            return fail(
                QStringLiteral("%1() cannot be evaluated locally (it needs a deployment in Azure)")
                    .arg(name));
        return fail(QStringLiteral("unknown template function '%1'").arg(name));
    }

    ArmEvaluator *m_ev;
    QString m_s;
    int m_pos = 0;
    int m_depth = 0;
    QString m_error;
};

ArmEvaluator::ArmEvaluator(const QJsonObject &templateRoot, const QJsonObject &parameterValues)
    : m_parameterDeclarations(valueCi(templateRoot, QStringLiteral("parameters")).toObject())
    , m_parameterValues(parameterValues)
    , m_variables(valueCi(templateRoot, QStringLiteral("variables")).toObject())
{
}

bool ArmEvaluator::isExpression(const QString &text)
{
    return text.size() >= 2 && text.startsWith(QLatin1Char('['))
           && !text.startsWith(QLatin1String("[[")) && text.endsWith(QLatin1Char(']'));
}

QJsonValue ArmEvaluator::evaluateString(const QString &text, QString *error)
{
    if (text.startsWith(QLatin1String("[[")))
        return text.mid(1);
    if (!isExpression(text))
        return text;
    ExpressionParser parser(this, text.mid(1, text.size() - 2));
    return parser.parseAll(error);
}

static QString camelCase(const QString &key)
{
    if (key.isEmpty() || !key.at(0).isUpper())
        return key;
    if (key == key.toUpper())
        return key.toLower(); // "ID" -> "id"
    return key.at(0).toLower() + key.mid(1);
}

QStringList ArmEvaluator::undeclaredParameters() const
{
    QStringList out;
    for (auto it = m_parameterValues.begin(); it != m_parameterValues.end(); ++it)
        if (valueCi(m_parameterDeclarations, it.key()).isUndefined())
            out << it.key();
    return out;
}

QJsonValue ArmEvaluator::evaluateTree(const QJsonValue &value, const QString &path,
                                      Diagnostics *diagnostics, bool canonicalKeys)
{
    switch (value.type()) {
    case QJsonValue::String: {
        QString error;
        const QJsonValue v = evaluateString(value.toString(), &error);
        if (!error.isEmpty()) {
            if (diagnostics)
                diagnostics->append(
                    {Diagnostic::Severity::Error, path,
                     QStringLiteral("cannot evaluate %1: %2").arg(value.toString(), error)});
            return QJsonValue(QJsonValue::Null);
        }
        return v;
    }
    case QJsonValue::Array: {
        QJsonArray out;
        const QJsonArray in = value.toArray();
        for (int i = 0; i < in.size(); ++i)
            out.append(evaluateTree(in.at(i),
                                    path + QLatin1Char('[') + QString::number(i) + QLatin1Char(']'),
                                    diagnostics, canonicalKeys));
        return out;
    }
    case QJsonValue::Object: {
        QJsonObject out;
        const QJsonObject in = value.toObject();
        for (auto it = in.begin(); it != in.end(); ++it) {
            const QString key = canonicalKeys ? camelCase(it.key()) : it.key();
            out.insert(it.key(), evaluateTree(it.value(),
                                              path.isEmpty() ? key : path + QLatin1Char('.') + key,
                                              diagnostics, canonicalKeys));
        }
        return out;
    }
    default: return value;
    }
}

static bool matchesDeclaredType(const QString &type, const QJsonValue &v)
{
    const QString t = type.toLower();
    if (t == QLatin1String("string") || t == QLatin1String("securestring"))
        return v.isString();
    if (t == QLatin1String("int"))
        return v.isDouble() && std::floor(v.toDouble()) == v.toDouble();
    if (t == QLatin1String("bool"))
        return v.isBool();
    if (t == QLatin1String("array"))
        return v.isArray();
    if (t == QLatin1String("object") || t == QLatin1String("secureobject"))
        return v.isObject();
    return true;
}

QJsonValue ArmEvaluator::parameterValue(const QString &name, QString *error)
{
    const QString key = name.toLower();
    if (m_parameterCache.contains(key))
        return m_parameterCache.value(key);
    QString declaredName;
    const QJsonValue declaration = valueCi(m_parameterDeclarations, name, &declaredName);
    if (!declaration.isObject()) {
        *error = QStringLiteral("the template declares no parameter '%1'").arg(name);
        return {};
    }
    const QJsonObject decl = declaration.toObject();
    const QString type = valueCi(decl, QStringLiteral("type")).toString();
    QJsonValue value;
    const QJsonValue given = valueCi(m_parameterValues, name);
    if (given.isObject() && !valueCi(given.toObject(), QStringLiteral("value")).isUndefined()) {
        value = valueCi(given.toObject(), QStringLiteral("value"));
    } else if (given.isObject()
               && !valueCi(given.toObject(), QStringLiteral("reference")).isUndefined()) {
        *error = QStringLiteral("parameter '%1' is a Key Vault reference, which cannot be resolved "
                                "locally; give it a value")
                     .arg(declaredName);
        return {};
    } else {
        const QJsonValue def = valueCi(decl, QStringLiteral("defaultValue"));
        if (def.isUndefined()) {
            *error =
                QStringLiteral(
                    "parameter '%1' has no value (no defaultValue and none in the parameters file)")
                    .arg(declaredName);
            return {};
        }
        const QString guard = QStringLiteral("p:") + key;
        if (m_evaluating.contains(guard)) {
            *error = QStringLiteral("parameter '%1' refers to itself").arg(declaredName);
            return {};
        }
        m_evaluating.insert(guard);
        Diagnostics inner;
        value = evaluateTree(def, QStringLiteral("parameters.%1.defaultValue").arg(declaredName),
                             &inner);
        m_evaluating.remove(guard);
        if (!inner.isEmpty()) {
            *error = QStringLiteral("the defaultValue of parameter '%1': %2")
                         .arg(declaredName, inner.first().message);
            return {};
        }
    }
    if (!type.isEmpty() && !matchesDeclaredType(type, value)) {
        *error = QStringLiteral("parameter '%1' is declared as %2 but its value is a %3")
                     .arg(declaredName, type, typeName(value));
        return {};
    }
    const QJsonValue allowed = valueCi(decl, QStringLiteral("allowedValues"));
    if (allowed.isArray() && !allowed.toArray().isEmpty() && !allowed.toArray().contains(value)) {
        *error = QStringLiteral(
                     "parameter '%1' has the value %2, which is not one of its allowedValues %3")
                     .arg(declaredName, toText(value), toText(allowed));
        return {};
    }
    m_parameterCache.insert(key, value);
    return value;
}

QJsonValue ArmEvaluator::variableValue(const QString &name, QString *error)
{
    const QString key = name.toLower();
    if (m_variableCache.contains(key))
        return m_variableCache.value(key);
    QString declaredName;
    const QJsonValue raw = valueCi(m_variables, name, &declaredName);
    if (raw.isUndefined()) {
        *error = QStringLiteral("the template declares no variable '%1'").arg(name);
        return {};
    }
    const QString guard = QStringLiteral("v:") + key;
    if (m_evaluating.size() > 64) {
        *error = QStringLiteral("variables and parameters refer to each other too deeply");
        return {};
    }
    if (m_evaluating.contains(guard)) {
        *error = QStringLiteral("variable '%1' refers to itself").arg(declaredName);
        return {};
    }
    m_evaluating.insert(guard);
    Diagnostics inner;
    const QJsonValue value = evaluateTree(raw, QStringLiteral("variables.") + declaredName, &inner);
    m_evaluating.remove(guard);
    if (!inner.isEmpty()) {
        *error = QStringLiteral("variable '%1': %2").arg(declaredName, inner.first().message);
        return {};
    }
    m_variableCache.insert(key, value);
    return value;
}

} // namespace Gateway::Config::Internal
