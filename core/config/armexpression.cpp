#include "config/armexpression.h"

#include "config/templateparameters.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QTimeZone>
#include <QUrl>
#include <QUuid>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace Gateway::Config::Internal {

namespace {

const QString PlaceholderKey = QStringLiteral("$armLocalPlaceholder");

} // namespace

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

QJsonValue ArmEvaluator::placeholder(const QString &text)
{
    return QJsonObject{{PlaceholderKey, text}};
}

QString ArmEvaluator::placeholderText(const QJsonValue &value)
{
    if (!value.isObject())
        return {};
    const QJsonObject o = value.toObject();
    if (o.size() != 1)
        return {};
    return o.value(PlaceholderKey).toString();
}

QString jsonTypeName(const QJsonValue &v)
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

static QString numberText(double d)
{
    if (std::floor(d) == d && std::abs(d) < 9e15)
        return QString::number(qint64(d));
    return QString::number(d);
}

// ---------------------------------------------------------------------------------------------
// Dates (.NET format strings, as ARM's utcNow and dateTimeAdd take them)

static QString dotnetFormat(const QDateTime &t, QString format)
{
    if (format.isEmpty())
        format = QStringLiteral("yyyyMMddTHHmmssZ");
    if (format.size() == 1) { // standard format strings
        switch (format.at(0).unicode()) {
        case 'd': format = QStringLiteral("M/d/yyyy"); break;
        case 'D': format = QStringLiteral("dddd, MMMM d, yyyy"); break;
        case 't': format = QStringLiteral("h:mm tt"); break;
        case 'T': format = QStringLiteral("h:mm:ss tt"); break;
        case 'g': format = QStringLiteral("M/d/yyyy h:mm tt"); break;
        case 'G': format = QStringLiteral("M/d/yyyy h:mm:ss tt"); break;
        case 'u': format = QStringLiteral("yyyy-MM-dd HH:mm:ssZ"); break;
        case 's': format = QStringLiteral("yyyy-MM-ddTHH:mm:ss"); break;
        case 'o':
        case 'O': format = QStringLiteral("yyyy-MM-ddTHH:mm:ss.fffffffZ"); break;
        case 'r':
        case 'R': format = QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"); break;
        default: break;
        }
    }
    static const char *const days[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    QString out;
    const QDate d = t.date();
    const QTime tm = t.time();
    for (int i = 0; i < format.size();) {
        const QChar c = format.at(i);
        int n = 1;
        while (i + n < format.size() && format.at(i + n) == c)
            ++n;
        auto pad = [](int v, int width) { return QString::number(v).rightJustified(width, u'0'); };
        // MMMM/dddd: the full name; MMM/ddd: its first three letters; else the number, padded.
        auto nameOrNumber = [&](const char *const names[], int nameIndex, int number) {
            if (n >= 3)
                return QString(QLatin1String(names[nameIndex - 1])).left(n == 3 ? 3 : -1);
            return pad(number, n);
        };
        switch (c.unicode()) {
        case 'y':
            out += n == 2 ? pad(d.year() % 100, 2) : pad(d.year(), qMax(n, 1) == 1 ? 1 : n);
            break;
        case 'M': out += nameOrNumber(months, d.month(), d.month()); break;
        case 'd': out += nameOrNumber(days, d.dayOfWeek(), d.day()); break;
        case 'H': out += pad(tm.hour(), qMin(n, 2)); break;
        case 'h': out += pad(tm.hour() % 12 == 0 ? 12 : tm.hour() % 12, qMin(n, 2)); break;
        case 'm': out += pad(tm.minute(), qMin(n, 2)); break;
        case 's': out += pad(tm.second(), qMin(n, 2)); break;
        case 'f':
        case 'F': out += pad(tm.msec(), 3).leftJustified(n, u'0').left(n); break;
        case 't':
            out += (tm.hour() < 12 ? QStringLiteral("AM") : QStringLiteral("PM")).left(n);
            break;
        case 'K':
        case 'z': out += QStringLiteral("+00:00"); break;
        case '\'':
        case '"': {
            const int close = format.indexOf(c, i + 1);
            out += format.mid(i + 1, close < 0 ? -1 : close - i - 1);
            i = close < 0 ? int(format.size()) : close + 1;
            continue;
        }
        case '\\':
            if (i + 1 < format.size())
                out += format.at(i + 1);
            i += 2;
            continue;
        default: out += QString(n, c); break;
        }
        i += n;
    }
    return out;
}

static QDateTime parseDateTime(const QString &text)
{
    QString s = text.trimmed();
    s.replace(QLatin1Char(' '), QLatin1Char('T'));
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(s, Qt::ISODate);
    if (!t.isValid()) {
        const QDate d = QDate::fromString(text.trimmed(), Qt::ISODate);
        if (d.isValid())
            t = QDateTime(d, QTime(0, 0), QTimeZone::utc());
    }
    if (t.isValid() && t.timeSpec() == Qt::LocalTime)
        t = QDateTime(t.date(), t.time(), QTimeZone::utc());
    return t.toUTC();
}

// ISO 8601 duration; ARM counts P1Y as 365 days and P1M as 30 days. Returns false if invalid.
static bool parseDuration(const QString &text, qint64 *ms)
{
    QString s = text.trimmed().toUpper();
    bool negative = false;
    if (s.startsWith(QLatin1Char('-'))) {
        negative = true;
        s.remove(0, 1);
    }
    if (!s.startsWith(QLatin1Char('P')) || s.size() < 3)
        return false;
    double total = 0;
    bool inTime = false;
    QString number;
    for (int i = 1; i < s.size(); ++i) {
        const QChar c = s.at(i);
        if (c == QLatin1Char('T')) {
            inTime = true;
            continue;
        }
        if (c.isDigit() || c == QLatin1Char('.') || c == QLatin1Char(',')) {
            number += c == QLatin1Char(',') ? QLatin1Char('.') : c;
            continue;
        }
        bool ok = false;
        const double v = number.toDouble(&ok);
        if (!ok)
            return false;
        number.clear();
        const double day = 86400000.0;
        switch (c.unicode()) {
        case 'Y': total += v * 365 * day; break;
        case 'W': total += v * 7 * day; break;
        case 'D': total += v * day; break;
        case 'H': total += v * 3600000.0; break;
        case 'M': total += inTime ? v * 60000.0 : v * 30 * day; break;
        case 'S': total += v * 1000.0; break;
        default: return false;
        }
    }
    if (!number.isEmpty())
        return false;
    *ms = qint64(negative ? -total : total);
    return true;
}

// ---------------------------------------------------------------------------------------------
// CIDR (parseCidr, cidrSubnet, cidrHost)

struct Cidr
{
    QHostAddress network;
    int prefix = 0;
    bool v4 = true;
};

static bool parseCidrText(const QString &text, Cidr *out, QString *error)
{
    const auto parsed = QHostAddress::parseSubnet(text.trimmed());
    if (parsed.first.isNull() || parsed.second < 0) {
        *error = QStringLiteral("'%1' is not in CIDR notation").arg(text);
        return false;
    }
    out->network = parsed.first;
    out->prefix = parsed.second;
    out->v4 = parsed.first.protocol() == QAbstractSocket::IPv4Protocol;
    return true;
}

using Bytes16 = std::array<quint8, 16>;

static Bytes16 toBytes(const QHostAddress &a, bool v4)
{
    Bytes16 b{};
    if (v4) {
        const quint32 x = a.toIPv4Address();
        for (int i = 0; i < 4; ++i)
            b[size_t(i)] = quint8(x >> (24 - 8 * i));
    } else {
        const Q_IPV6ADDR x = a.toIPv6Address();
        for (int i = 0; i < 16; ++i)
            b[size_t(i)] = x[i];
    }
    return b;
}

static QHostAddress fromBytes(const Bytes16 &b, bool v4)
{
    if (v4)
        return QHostAddress((quint32(b[0]) << 24) | (quint32(b[1]) << 16) | (quint32(b[2]) << 8)
                            | quint32(b[3]));
    Q_IPV6ADDR x;
    for (int i = 0; i < 16; ++i)
        x[i] = b[size_t(i)];
    return QHostAddress(x);
}

// Sets (or clears) the bits after prefix; adds value (big-endian) at the bit position `at`.
static Bytes16 withHostBits(Bytes16 b, int bytes, int prefix, bool ones)
{
    for (int bit = prefix; bit < bytes * 8; ++bit) {
        const quint8 mask = quint8(0x80 >> (bit % 8));
        if (ones)
            b[size_t(bit / 8)] |= mask;
        else
            b[size_t(bit / 8)] &= quint8(~mask);
    }
    return b;
}

static Bytes16 addAt(Bytes16 b, int bytes, int lowBit, quint64 value)
{
    // lowBit: bit index (from the left) of the least significant bit of the field.
    int carry = 0;
    for (int bit = lowBit; bit >= 0 && (value || carry); --bit) {
        const int v = (value & 1) + carry + ((b[size_t(bit / 8)] >> (7 - bit % 8)) & 1);
        value >>= 1;
        const quint8 mask = quint8(0x80 >> (bit % 8));
        if (v & 1)
            b[size_t(bit / 8)] |= mask;
        else
            b[size_t(bit / 8)] &= quint8(~mask);
        carry = v >> 1;
    }
    Q_UNUSED(bytes);
    return b;
}

static QString v6Text(const QHostAddress &a)
{
    return a.toString().toLower();
}

// ---------------------------------------------------------------------------------------------
// The expression tree

struct Node
{
    enum class Kind { Literal, Call, Member, Index };
    Kind kind = Kind::Literal;
    QJsonValue value;           // Literal
    QString name;               // Call: function name; Member: property name
    std::vector<Node> children; // Call: arguments; Member: [object]; Index: [object, index]
};

class Parser
{
public:
    explicit Parser(const QString &text) : m_s(text) {}

    bool parse(Node *out, QString *error)
    {
        *out = expression();
        skipSpace();
        if (m_error.isEmpty() && m_pos < m_s.size())
            fail(QStringLiteral("unexpected '%1' at position %2").arg(m_s.at(m_pos)).arg(m_pos + 1));
        if (!m_error.isEmpty()) {
            *error = m_error;
            return false;
        }
        return true;
    }

private:
    Node fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
        return {};
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
    QString identifier()
    {
        const int start = m_pos;
        while (m_pos < m_s.size()
               && (m_s.at(m_pos).isLetterOrNumber() || m_s.at(m_pos) == QLatin1Char('_')))
            ++m_pos;
        return m_s.mid(start, m_pos - start);
    }

    Node expression()
    {
        // Bounded recursion: hostile input like concat(concat(concat(... must not exhaust the stack.
        if (++m_depth > 64)
            return fail(QStringLiteral("the expression is nested too deeply"));
        Node n = primary();
        while (!failed()) {
            if (take(QLatin1Char('.'))) {
                skipSpace();
                const QString name = identifier();
                if (name.isEmpty())
                    return fail(QStringLiteral("expected a property name after '.'"));
                Node m;
                m.kind = Node::Kind::Member;
                m.name = name;
                m.children.push_back(std::move(n));
                n = std::move(m);
            } else if (take(QLatin1Char('['))) {
                Node index = expression();
                if (failed())
                    return {};
                if (!take(QLatin1Char(']')))
                    return fail(QStringLiteral("expected ']'"));
                Node m;
                m.kind = Node::Kind::Index;
                m.children.push_back(std::move(n));
                m.children.push_back(std::move(index));
                n = std::move(m);
            } else {
                break;
            }
        }
        --m_depth;
        return n;
    }

    Node primary()
    {
        skipSpace();
        if (m_pos >= m_s.size())
            return fail(QStringLiteral("unexpected end of expression"));
        const QChar c = m_s.at(m_pos);
        Node n;
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
            n.value = out;
            return n;
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
            n.value = d;
            return n;
        }
        if (c.isLetter() || c == QLatin1Char('_')) {
            const QString name = identifier();
            if (!take(QLatin1Char('('))) {
                const QString lower = name.toLower();
                if (lower == QLatin1String("true"))
                    n.value = true;
                else if (lower == QLatin1String("false"))
                    n.value = false;
                else if (lower == QLatin1String("null"))
                    n.value = QJsonValue(QJsonValue::Null);
                else
                    return fail(QStringLiteral("expected '(' after '%1'").arg(name));
                return n;
            }
            n.kind = Node::Kind::Call;
            n.name = name;
            if (!take(QLatin1Char(')'))) {
                while (true) {
                    Node a = expression();
                    if (failed())
                        return {};
                    n.children.push_back(std::move(a));
                    if (take(QLatin1Char(',')))
                        continue;
                    if (take(QLatin1Char(')')))
                        break;
                    return fail(
                        QStringLiteral("expected ',' or ')' in the arguments of %1()").arg(name));
                }
            }
            return n;
        }
        return fail(QStringLiteral("unexpected '%1' at position %2").arg(c).arg(m_pos + 1));
    }

    QString m_s;
    int m_pos = 0;
    int m_depth = 0;
    QString m_error;
};

// Evaluates a parsed expression. Only `if` (and the logical functions) decide which arguments
// are evaluated; lambdas are evaluated per item by the function that takes them.
class ExpressionEvaluator
{
public:
    explicit ExpressionEvaluator(ArmEvaluator *evaluator) : m_ev(evaluator) {}

    QJsonValue run(const Node &root, QString *error)
    {
        QJsonValue v = eval(root);
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

    // Text of a value where a string is needed; a placeholder becomes its name (and is noted).
    QString text(const QJsonValue &v)
    {
        const QString p = ArmEvaluator::placeholderText(v);
        if (!p.isEmpty()) {
            m_ev->noteStandIn(p);
            return p;
        }
        switch (v.type()) {
        case QJsonValue::String: return v.toString();
        case QJsonValue::Bool: return v.toBool() ? QStringLiteral("True") : QStringLiteral("False");
        case QJsonValue::Double: return numberText(v.toDouble());
        case QJsonValue::Array:
            return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
        case QJsonValue::Object:
            return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
        default: return QString();
        }
    }

    QJsonValue eval(const Node &n)
    {
        if (failed())
            return {};
        switch (n.kind) {
        case Node::Kind::Literal: return n.value;
        case Node::Kind::Member: {
            const QJsonValue v = eval(n.children.at(0));
            if (failed())
                return {};
            const QString p = ArmEvaluator::placeholderText(v);
            if (!p.isEmpty())
                return ArmEvaluator::placeholder(p + QLatin1Char('.') + n.name);
            if (!v.isObject())
                return fail(QStringLiteral("cannot read property '%1' of a %2")
                                .arg(n.name, jsonTypeName(v)));
            const QJsonValue m = valueCi(v.toObject(), n.name);
            if (m.isUndefined())
                return fail(QStringLiteral("The language expression property '%1' doesn't exist, "
                                           "available properties are '%2'.")
                                .arg(n.name, v.toObject().keys().join(QStringLiteral(", "))));
            return m;
        }
        case Node::Kind::Index: {
            const QJsonValue v = eval(n.children.at(0));
            const QJsonValue index = eval(n.children.at(1));
            if (failed())
                return {};
            const QString p = ArmEvaluator::placeholderText(v);
            if (!p.isEmpty())
                return ArmEvaluator::placeholder(
                    p
                    + (index.isString() ? QStringLiteral("['%1']").arg(index.toString())
                                        : QStringLiteral("[%1]").arg(text(index))));
            if (v.isArray() && index.isDouble()) {
                const int i = index.toInt(-1);
                const QJsonArray a = v.toArray();
                if (i < 0 || i >= a.size())
                    return fail(QStringLiteral("The language expression array index '%1' is out "
                                               "of bounds (the array has %2 items)")
                                    .arg(i)
                                    .arg(a.size()));
                return a.at(i);
            }
            if (v.isObject() && index.isString()) {
                const QJsonValue m = valueCi(v.toObject(), index.toString());
                if (m.isUndefined())
                    return fail(QStringLiteral("The language expression property '%1' doesn't "
                                               "exist")
                                    .arg(index.toString()));
                return m;
            }
            return fail(QStringLiteral("cannot index a %1 with a %2")
                            .arg(jsonTypeName(v), jsonTypeName(index)));
        }
        case Node::Kind::Call: return call(n);
        }
        return {};
    }

    // --- argument helpers ------------------------------------------------------------------

    bool needArgs(const QString &fn, int count, int min, int max = -1)
    {
        if (count < min || (max >= 0 && count > max)) {
            if (max == min)
                fail(QStringLiteral("%1() takes %2 argument(s), got %3").arg(fn).arg(min).arg(count));
            else if (max < 0)
                fail(QStringLiteral("%1() takes at least %2 argument(s), got %3")
                         .arg(fn)
                         .arg(min)
                         .arg(count));
            else
                fail(QStringLiteral("%1() takes %2 to %3 arguments, got %4")
                         .arg(fn)
                         .arg(min)
                         .arg(max)
                         .arg(count));
            return false;
        }
        return true;
    }
    bool needString(const QString &fn, const QJsonValue &v, QString *out)
    {
        if (!ArmEvaluator::placeholderText(v).isEmpty()) {
            *out = text(v);
            return true;
        }
        if (!v.isString()) {
            fail(QStringLiteral("%1() expects a string, got a %2").arg(fn, jsonTypeName(v)));
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
        fail(QStringLiteral("%1() expects an integer, got a %2").arg(fn, jsonTypeName(v)));
        return false;
    }
    bool needArray(const QString &fn, const QJsonValue &v, QJsonArray *out)
    {
        if (!v.isArray()) {
            fail(QStringLiteral("%1() expects an array, got a %2").arg(fn, jsonTypeName(v)));
            return false;
        }
        *out = v.toArray();
        return true;
    }
    bool needObject(const QString &fn, const QJsonValue &v, QJsonObject *out)
    {
        if (!v.isObject() || !ArmEvaluator::placeholderText(v).isEmpty()) {
            fail(QStringLiteral("%1() expects an object, got a %2").arg(fn, jsonTypeName(v)));
            return false;
        }
        *out = v.toObject();
        return true;
    }

    static bool jsonEquals(const QJsonValue &a, const QJsonValue &b) { return a == b; }

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

    // A short name for a resource id or name in a placeholder: "sites/web1".
    static QString shortResource(const QString &id)
    {
        const QStringList parts = id.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        if (parts.size() >= 2 && id.startsWith(QLatin1Char('/')))
            return parts.at(parts.size() - 2) + QLatin1Char('/') + parts.last();
        return id;
    }

    // --- lambdas ---------------------------------------------------------------------------

    static bool isLambda(const Node &n)
    {
        return n.kind == Node::Kind::Call
               && n.name.compare(QLatin1String("lambda"), Qt::CaseInsensitive) == 0;
    }

    bool lambdaParams(const QString &fn, const Node &n, int min, int max, QStringList *names)
    {
        if (!isLambda(n)) {
            fail(QStringLiteral("%1() expects a lambda function, e.g. lambda('x', ...)").arg(fn));
            return false;
        }
        const int count = int(n.children.size()) - 1;
        if (count < min || count > max) {
            fail(QStringLiteral("the lambda given to %1() takes %2 to %3 variables, got %4")
                     .arg(fn)
                     .arg(min)
                     .arg(max)
                     .arg(qMax(count, 0)));
            return false;
        }
        for (int i = 0; i < count; ++i) {
            const Node &p = n.children.at(size_t(i));
            if (p.kind != Node::Kind::Literal || !p.value.isString()) {
                fail(QStringLiteral("lambda() variable names must be string literals"));
                return false;
            }
            names->append(p.value.toString());
        }
        return true;
    }

    QJsonValue invoke(const Node &lambda, const QStringList &names, const QJsonArray &values)
    {
        QHash<QString, QJsonValue> scope;
        for (int i = 0; i < names.size() && i < values.size(); ++i)
            scope.insert(names.at(i).toLower(), values.at(i));
        m_lambdaScopes.append(scope);
        const QJsonValue v = eval(lambda.children.back());
        m_lambdaScopes.removeLast();
        return v;
    }

    QJsonValue lambdaFunction(const QString &name, const QString &fn, const Node &n)
    {
        const auto &a = n.children;
        if (fn == QLatin1String("reduce")) {
            if (!needArgs(name, int(a.size()), 3, 3))
                return {};
        } else if (fn == QLatin1String("toobject")) {
            if (!needArgs(name, int(a.size()), 2, 3))
                return {};
        } else if (!needArgs(name, int(a.size()), 2, 2)) {
            return {};
        }
        const QJsonValue input = eval(a.at(0));
        if (failed())
            return {};
        QStringList names;
        if (fn == QLatin1String("mapvalues")) {
            QJsonObject o;
            if (!needObject(name, input, &o) || !lambdaParams(name, a.at(1), 1, 1, &names))
                return {};
            QJsonObject out;
            for (auto it = o.begin(); it != o.end() && !failed(); ++it)
                out.insert(it.key(), invoke(a.at(1), names, {it.value()}));
            return out;
        }
        QJsonArray items;
        if (!needArray(name, input, &items))
            return {};
        if (fn == QLatin1String("filter") || fn == QLatin1String("map")) {
            if (!lambdaParams(name, a.at(1), 1, 2, &names))
                return {};
            QJsonArray out;
            for (int i = 0; i < items.size() && !failed(); ++i) {
                const QJsonValue r = invoke(a.at(1), names, {items.at(i), i});
                if (fn == QLatin1String("map")) {
                    out.append(r);
                } else if (!r.isBool()) {
                    return fail(QStringLiteral("the lambda given to filter() must return a bool, "
                                               "got a %1")
                                    .arg(jsonTypeName(r)));
                } else if (r.toBool()) {
                    out.append(items.at(i));
                }
            }
            return out;
        }
        if (fn == QLatin1String("reduce")) {
            QJsonValue acc = eval(a.at(1));
            if (failed() || !lambdaParams(name, a.at(2), 2, 3, &names))
                return {};
            for (int i = 0; i < items.size() && !failed(); ++i)
                acc = invoke(a.at(2), names, {acc, items.at(i), i});
            return acc;
        }
        if (fn == QLatin1String("sort")) {
            if (!lambdaParams(name, a.at(1), 2, 2, &names))
                return {};
            std::vector<QJsonValue> v(items.begin(), items.end());
            std::stable_sort(v.begin(), v.end(), [&](const QJsonValue &x, const QJsonValue &y) {
                if (failed())
                    return false;
                const QJsonValue r = invoke(a.at(1), names, {x, y});
                if (!r.isBool()) {
                    fail(QStringLiteral("the lambda given to sort() must return a bool"));
                    return false;
                }
                return r.toBool();
            });
            QJsonArray out;
            for (const QJsonValue &x : v)
                out.append(x);
            return out;
        }
        if (fn == QLatin1String("groupby")) {
            if (!lambdaParams(name, a.at(1), 1, 1, &names))
                return {};
            QJsonObject out;
            for (const QJsonValue &x : std::as_const(items)) {
                const QJsonValue k = invoke(a.at(1), names, {x});
                if (failed())
                    return {};
                if (!k.isString())
                    return fail(
                        QStringLiteral("the lambda given to groupBy() must return a string"));
                QJsonArray group = out.value(k.toString()).toArray();
                group.append(x);
                out.insert(k.toString(), group);
            }
            return out;
        }
        // toObject(array, keyLambda, [valueLambda])
        QStringList valueNames;
        if (!lambdaParams(name, a.at(1), 1, 1, &names)
            || (a.size() == 3 && !lambdaParams(name, a.at(2), 1, 1, &valueNames)))
            return {};
        QJsonObject out;
        for (const QJsonValue &x : std::as_const(items)) {
            const QJsonValue k = invoke(a.at(1), names, {x});
            if (failed())
                return {};
            if (!k.isString())
                return fail(
                    QStringLiteral("the key lambda given to toObject() must return a string"));
            out.insert(k.toString(), a.size() == 3 ? invoke(a.at(2), valueNames, {x}) : x);
        }
        return out;
    }

    // --- resource ids --------------------------------------------------------------------

    QJsonValue resourceId(const QString &fn, const QJsonArray &args, bool subscriptionLevel,
                          bool tenantLevel = false)
    {
        if (!needArgs(fn, int(args.size()), 2))
            return {};
        QStringList texts;
        for (const QJsonValue &a : args) {
            if (!a.isString() && ArmEvaluator::placeholderText(a).isEmpty())
                return fail(QStringLiteral("%1() expects string arguments, got a %2")
                                .arg(fn, jsonTypeName(a)));
            texts << text(a);
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
        QString id;
        if (!tenantLevel)
            id = QStringLiteral("/subscriptions/") + subscription;
        if (!subscriptionLevel && !tenantLevel)
            id += QStringLiteral("/resourceGroups/") + group;
        id += QStringLiteral("/providers/") + typeParts.at(0);
        for (int i = 0; i < names.size(); ++i)
            id += QLatin1Char('/') + typeParts.at(i + 1) + QLatin1Char('/') + names.at(i);
        return id;
    }

    // --- the functions ---------------------------------------------------------------------

    QJsonValue call(const Node &n)
    {
        const QString &name = n.name;
        const QString fn = name.toLower();

        // Special forms: they decide which arguments are evaluated.
        if (fn == QLatin1String("if")) {
            if (!needArgs(name, int(n.children.size()), 3, 3))
                return {};
            const QJsonValue c = eval(n.children.at(0));
            if (failed())
                return {};
            if (!c.isBool())
                return fail(QStringLiteral("if(): the condition must be a bool, got a %1")
                                .arg(jsonTypeName(c)));
            return eval(n.children.at(c.toBool() ? 1 : 2));
        }
        if (fn == QLatin1String("and") || fn == QLatin1String("or")) {
            if (!needArgs(name, int(n.children.size()), 2))
                return {};
            const bool isAnd = fn == QLatin1String("and");
            for (const Node &child : n.children) {
                const QJsonValue a = eval(child);
                if (failed())
                    return {};
                if (!a.isBool())
                    return fail(
                        QStringLiteral("%1() expects bools, got a %2").arg(name, jsonTypeName(a)));
                if (a.toBool() != isAnd)
                    return !isAnd;
            }
            return isAnd;
        }
        if (fn == QLatin1String("filter") || fn == QLatin1String("map")
            || fn == QLatin1String("reduce") || fn == QLatin1String("sort")
            || fn == QLatin1String("toobject") || fn == QLatin1String("groupby")
            || fn == QLatin1String("mapvalues"))
            return lambdaFunction(name, fn, n);
        if (fn == QLatin1String("lambda"))
            return fail(QStringLiteral("lambda() can only be an argument of filter, map, reduce, "
                                       "sort, toObject, groupBy or mapValues"));

        QJsonArray args;
        for (const Node &child : n.children) {
            args.append(eval(child));
            if (failed())
                return {};
        }
        return callEager(name, fn, args);
    }

    QJsonValue callEager(const QString &name, const QString &fn, const QJsonArray &args)
    {
        QString s, t;
        qint64 n = 0, m = 0;
        const int count = int(args.size());
        if (fn == QLatin1String("parameters") || fn == QLatin1String("variables")) {
            if (!needArgs(name, count, 1, 1) || !needString(name, args.at(0), &s))
                return {};
            QString error;
            const QJsonValue v = fn == QLatin1String("parameters") ? m_ev->parameterValue(s, &error)
                                                                   : m_ev->variableValue(s, &error);
            if (!error.isEmpty())
                return fail(error);
            return v;
        }
        if (fn == QLatin1String("lambdavariables")) {
            if (!needArgs(name, count, 1, 1) || !needString(name, args.at(0), &s))
                return {};
            for (int i = int(m_lambdaScopes.size()) - 1; i >= 0; --i) {
                const auto it = m_lambdaScopes.at(i).constFind(s.toLower());
                if (it != m_lambdaScopes.at(i).constEnd())
                    return *it;
            }
            return fail(
                QStringLiteral("lambdaVariables('%1'): no lambda variable of that name").arg(s));
        }
        if (fn == QLatin1String("copyindex")) {
            if (!needArgs(name, count, 0, 2))
                return {};
            QString loop;
            qint64 offset = 0;
            if (count == 2) {
                if (!needString(name, args.at(0), &loop) || !needInt(name, args.at(1), &offset))
                    return {};
            } else if (count == 1) {
                if (args.at(0).isString())
                    loop = args.at(0).toString();
                else if (!needInt(name, args.at(0), &offset))
                    return {};
            }
            const auto &loops = m_ev->m_loops;
            for (int i = int(loops.size()) - 1; i >= 0; --i) {
                if (loop.isEmpty() || loops.at(i).name.compare(loop, Qt::CaseInsensitive) == 0)
                    return double(loops.at(i).index + offset);
            }
            if (!loop.isEmpty())
                return fail(QStringLiteral("The template function 'copyIndex' refers to a copy "
                                           "loop '%1' that does not contain it")
                                .arg(loop));
            return fail(QStringLiteral("The template function 'copyIndex' is not expected at this "
                                       "location (it needs a copy loop)"));
        }
        if (fn == QLatin1String("utcnow") || fn == QLatin1String("newguid")) {
            if (!m_ev->m_inParameterDefault)
                return fail(QStringLiteral("The template function '%1' is not expected at this "
                                           "location. The function can only be used with "
                                           "parameter default value.")
                                .arg(name));
            if (fn == QLatin1String("newguid")) {
                if (!needArgs(name, count, 0, 0))
                    return {};
                return QUuid::createUuid().toString(QUuid::WithoutBraces);
            }
            if (!needArgs(name, count, 0, 1))
                return {};
            if (count == 1 && !needString(name, args.at(0), &s))
                return {};
            return dotnetFormat(m_ev->m_now, s);
        }
        if (fn == QLatin1String("datetimeadd")) {
            if (!needArgs(name, count, 2, 3) || !needString(name, args.at(0), &s)
                || !needString(name, args.at(1), &t))
                return {};
            const QDateTime base = parseDateTime(s);
            if (!base.isValid())
                return fail(QStringLiteral("dateTimeAdd(): '%1' is not an ISO 8601 date").arg(s));
            qint64 ms = 0;
            if (!parseDuration(t, &ms))
                return fail(QStringLiteral("dateTimeAdd(): '%1' is not an ISO 8601 duration").arg(t));
            QString format = QStringLiteral("yyyy-MM-ddTHH:mm:ssZ");
            if (count == 3 && !needString(name, args.at(2), &format))
                return {};
            return dotnetFormat(base.addMSecs(ms), format);
        }
        if (fn == QLatin1String("datetimefromepoch")) {
            if (!needArgs(name, count, 1, 1) || !needInt(name, args.at(0), &n))
                return {};
            return dotnetFormat(QDateTime::fromSecsSinceEpoch(n, QTimeZone::utc()),
                                QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
        }
        if (fn == QLatin1String("datetimetoepoch")) {
            if (!needArgs(name, count, 1, 1) || !needString(name, args.at(0), &s))
                return {};
            const QDateTime d = parseDateTime(s);
            if (!d.isValid())
                return fail(QStringLiteral("dateTimeToEpoch(): '%1' is not an ISO 8601 date").arg(s));
            return double(d.toSecsSinceEpoch());
        }
        if (fn == QLatin1String("resourceid") || fn == QLatin1String("subscriptionresourceid"))
            return resourceId(name, args, fn == QLatin1String("subscriptionresourceid"));
        if (fn == QLatin1String("tenantresourceid"))
            return resourceId(name, args, true, true);
        if (fn == QLatin1String("extensionresourceid")) {
            if (!needArgs(name, count, 3) || !needString(name, args.at(0), &s))
                return {};
            QJsonArray rest;
            for (int i = 1; i < count; ++i)
                rest.append(args.at(i));
            const QJsonValue id = resourceId(name, rest, true, true);
            if (failed())
                return {};
            return QString(s + id.toString());
        }
        if (fn == QLatin1String("managementgroupresourceid")) {
            const QJsonValue rest = resourceId(name, args, true, true);
            if (failed())
                return {};
            return QString(QStringLiteral("/providers/Microsoft.Management/managementGroups/local")
                           + rest.toString());
        }
        if (fn == QLatin1String("resourcegroup")) {
            if (!needArgs(name, count, 0, 0))
                return {};
            QJsonObject rg;
            rg.insert(QStringLiteral("id"), QStringLiteral("/subscriptions/%1/resourceGroups/%2")
                                                .arg(QLatin1String(LocalSubscriptionId),
                                                     QLatin1String(LocalResourceGroup)));
            rg.insert(QStringLiteral("name"), QLatin1String(LocalResourceGroup));
            rg.insert(QStringLiteral("type"), QStringLiteral("Microsoft.Resources/resourceGroups"));
            rg.insert(QStringLiteral("location"), QLatin1String(LocalLocation));
            rg.insert(QStringLiteral("tags"), QJsonObject{});
            rg.insert(QStringLiteral("properties"),
                      QJsonObject{
                          {QStringLiteral("provisioningState"), QStringLiteral("Succeeded")}});
            return rg;
        }
        if (fn == QLatin1String("subscription")) {
            if (!needArgs(name, count, 0, 0))
                return {};
            QJsonObject sub;
            sub.insert(QStringLiteral("id"), QString(QStringLiteral("/subscriptions/")
                                                     + QLatin1String(LocalSubscriptionId)));
            sub.insert(QStringLiteral("subscriptionId"), QLatin1String(LocalSubscriptionId));
            sub.insert(QStringLiteral("tenantId"), QLatin1String(LocalSubscriptionId));
            sub.insert(QStringLiteral("displayName"), QStringLiteral("local"));
            return sub;
        }
        if (fn == QLatin1String("tenant")) {
            return QJsonObject{{QStringLiteral("countryCode"), QStringLiteral("US")},
                               {QStringLiteral("displayName"), QStringLiteral("local")},
                               {QStringLiteral("id"), QString(QStringLiteral("/tenants/")
                                                              + QLatin1String(LocalSubscriptionId))},
                               {QStringLiteral("tenantId"), QLatin1String(LocalSubscriptionId)}};
        }
        if (fn == QLatin1String("managementgroup")) {
            return QJsonObject{
                {QStringLiteral("id"),
                 QStringLiteral("/providers/Microsoft.Management/managementGroups/local")},
                {QStringLiteral("name"), QStringLiteral("local")},
                {QStringLiteral("type"), QStringLiteral("/providers/Microsoft.Management/"
                                                        "managementGroups")}};
        }
        if (fn == QLatin1String("deployment")) {
            QJsonObject d;
            d.insert(QStringLiteral("name"), m_ev->m_deploymentName);
            d.insert(QStringLiteral("location"), QLatin1String(LocalLocation));
            d.insert(QStringLiteral("properties"),
                     QJsonObject{
                         {QStringLiteral("template"), QJsonObject{{QStringLiteral("contentVersion"),
                                                                   QStringLiteral("1.0.0.0")}}},
                         {QStringLiteral("templateLink"),
                          QJsonObject{{QStringLiteral("uri"), QString()}}},
                         {QStringLiteral("mode"), QStringLiteral("Incremental")},
                         {QStringLiteral("provisioningState"), QStringLiteral("Accepted")}});
            return d;
        }
        if (fn == QLatin1String("environment")) {
            // Azure's public cloud, as environment() returns it there.
            return QJsonObject{
                {QStringLiteral("name"), QStringLiteral("AzureCloud")},
                {QStringLiteral("gallery"), QStringLiteral("https://gallery.azure.com/")},
                {QStringLiteral("graph"), QStringLiteral("https://graph.windows.net/")},
                {QStringLiteral("portal"), QStringLiteral("https://portal.azure.com")},
                {QStringLiteral("resourceManager"),
                 QStringLiteral("https://management.azure.com/")},
                {QStringLiteral("authentication"),
                 QJsonObject{{QStringLiteral("loginEndpoint"),
                              QStringLiteral("https://login.microsoftonline.com/")},
                             {QStringLiteral("audiences"),
                              QJsonArray{QStringLiteral("https://management.core.windows.net/"),
                                         QStringLiteral("https://management.azure.com/")}},
                             {QStringLiteral("tenant"), QStringLiteral("common")},
                             {QStringLiteral("identityProvider"), QStringLiteral("AAD")}}},
                {QStringLiteral("suffixes"),
                 QJsonObject{{QStringLiteral("acrLoginServer"), QStringLiteral(".azurecr.io")},
                             {QStringLiteral("azureDatalakeAnalyticsCatalogAndJob"),
                              QStringLiteral("azuredatalakeanalytics.net")},
                             {QStringLiteral("azureDatalakeStoreFileSystem"),
                              QStringLiteral("azuredatalakestore.net")},
                             {QStringLiteral("keyvaultDns"), QStringLiteral(".vault.azure.net")},
                             {QStringLiteral("sqlServerHostname"),
                              QStringLiteral(".database.windows.net")},
                             {QStringLiteral("storage"), QStringLiteral("core.windows.net")}}}};
        }
        if (fn == QLatin1String("reference") || fn.startsWith(QLatin1String("list"))) {
            // Only Azure knows these values: a placeholder named after the expression.
            if (!needArgs(name, count, 1))
                return {};
            if (!needString(name, args.at(0), &s))
                return {};
            return ArmEvaluator::placeholder(name + QLatin1Char('(') + shortResource(s)
                                             + QLatin1Char(')'));
        }
        if (fn == QLatin1String("pickzones")) {
            if (!needArgs(name, count, 3, 5))
                return {};
            return QJsonArray{}; // no availability zones locally (Azure's answer for a region without)
        }
        if (fn == QLatin1String("providers"))
            return fail(QStringLiteral("providers() needs Azure's resource provider registry; it "
                                       "cannot be evaluated locally"));
        if (fn == QLatin1String("concat")) {
            if (args.isEmpty())
                return QString();
            if (args.at(0).isArray()) {
                QJsonArray out;
                for (const QJsonValue &a : args) {
                    if (!a.isArray())
                        return fail(QStringLiteral("concat(): cannot mix arrays and a %1")
                                        .arg(jsonTypeName(a)));
                    for (const QJsonValue &x : a.toArray())
                        out.append(x);
                }
                return out;
            }
            QString out;
            for (const QJsonValue &a : args) {
                if ((a.isArray() || a.isObject() || a.isUndefined())
                    && ArmEvaluator::placeholderText(a).isEmpty())
                    return fail(QStringLiteral("concat(): cannot concatenate a string and a %1")
                                    .arg(jsonTypeName(a)));
                out += text(a);
            }
            return out;
        }
        if (fn == QLatin1String("format")) {
            if (!needArgs(name, count, 1) || !needString(name, args.at(0), &s))
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
                    const QString item = s.mid(i + 1, close - i - 1);
                    const QString spec = item.section(QLatin1Char(':'), 0, 0);
                    const QString numberFormat = item.section(QLatin1Char(':'), 1);
                    bool ok = false;
                    const int index = spec.trimmed().toInt(&ok);
                    if (!ok || index < 0 || index + 1 >= args.size())
                        return fail(QStringLiteral("format(): no argument for '{%1}'").arg(spec));
                    const QJsonValue arg = args.at(index + 1);
                    if (arg.isDouble() && !numberFormat.isEmpty()) {
                        const QChar kind = numberFormat.at(0).toUpper();
                        const int digits = numberFormat.mid(1).toInt();
                        if (kind == QLatin1Char('N'))
                            out += QLocale(QLocale::English)
                                       .toString(arg.toDouble(), 'f',
                                                 numberFormat.size() > 1 ? digits : 2);
                        else if (kind == QLatin1Char('D'))
                            out += numberText(arg.toDouble()).rightJustified(digits, u'0');
                        else if (kind == QLatin1Char('X'))
                            out += QString::number(qint64(arg.toDouble()), 16)
                                       .rightJustified(digits, u'0');
                        else
                            out += text(arg);
                    } else {
                        out += text(arg);
                    }
                    i = close;
                } else {
                    out += c;
                }
            }
            return out;
        }
        if (fn == QLatin1String("uniquestring") || fn == QLatin1String("guid")) {
            if (!needArgs(name, count, 1))
                return {};
            QStringList parts;
            for (const QJsonValue &a : args) {
                if (!needString(name, a, &s))
                    return {};
                parts << s;
            }
            if (fn == QLatin1String("uniquestring"))
                return uniqueString(parts);
            return QUuid::createUuidV5(
                       QUuid(QStringLiteral("11fb06fb-712d-4ddd-98c7-e71bbd588830")),
                       parts.join(QLatin1Char('-')))
                .toString(QUuid::WithoutBraces);
        }
        if (fn == QLatin1String("tolower") || fn == QLatin1String("toupper")
            || fn == QLatin1String("trim") || fn == QLatin1String("base64")
            || fn == QLatin1String("base64tostring") || fn == QLatin1String("base64tojson")
            || fn == QLatin1String("uricomponent") || fn == QLatin1String("uricomponenttostring")
            || fn == QLatin1String("datauri") || fn == QLatin1String("datauritostring")) {
            if (!needArgs(name, count, 1, 1))
                return {};
            if (fn == QLatin1String("datauri")) {
                s = text(args.at(0));
                return QString(QStringLiteral("data:text/plain;charset=utf8;base64,")
                               + QString::fromLatin1(s.toUtf8().toBase64()));
            }
            if (!needString(name, args.at(0), &s))
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
            if (fn == QLatin1String("datauritostring")) {
                const int comma = s.indexOf(QLatin1Char(','));
                if (!s.startsWith(QLatin1String("data:")) || comma < 0)
                    return fail(QStringLiteral("dataUriToString(): '%1' is not a data URI").arg(s));
                const QString meta = s.mid(5, comma - 5);
                const QString payload = s.mid(comma + 1);
                if (meta.endsWith(QLatin1String(";base64")))
                    return QString::fromUtf8(QByteArray::fromBase64(payload.toLatin1()));
                return QUrl::fromPercentEncoding(payload.toUtf8());
            }
            const auto decoded = QByteArray::fromBase64Encoding(
                s.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return fail(QStringLiteral("%1(): the argument is not valid base64").arg(name));
            if (fn == QLatin1String("base64tojson")) {
                QJsonParseError pe;
                const QJsonDocument d = QJsonDocument::fromJson("[" + *decoded + "]", &pe);
                if (pe.error != QJsonParseError::NoError)
                    return fail(
                        QStringLiteral("base64ToJson(): invalid JSON: %1").arg(pe.errorString()));
                return d.array().at(0);
            }
            return QString::fromUtf8(*decoded);
        }
        if (fn == QLatin1String("uri")) {
            if (!needArgs(name, count, 2, 2) || !needString(name, args.at(0), &s)
                || !needString(name, args.at(1), &t))
                return {};
            return QUrl(s).resolved(QUrl(t)).toString();
        }
        if (fn == QLatin1String("string")) {
            if (!needArgs(name, count, 1, 1))
                return {};
            return text(args.at(0));
        }
        if (fn == QLatin1String("int") || fn == QLatin1String("float")) {
            if (!needArgs(name, count, 1, 1))
                return {};
            const bool isInt = fn == QLatin1String("int");
            if (args.at(0).isDouble())
                return isInt ? double(qint64(args.at(0).toDouble())) : args.at(0).toDouble();
            bool ok = false;
            const QString v = args.at(0).toString().trimmed();
            const double d = isInt ? double(v.toLongLong(&ok)) : v.toDouble(&ok);
            if (!args.at(0).isString() || !ok)
                return fail(QStringLiteral("%1(): cannot convert '%2' to a number")
                                .arg(name, text(args.at(0))));
            return d;
        }
        if (fn == QLatin1String("bool")) {
            if (!needArgs(name, count, 1, 1))
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
            return fail(QStringLiteral("bool(): cannot convert '%1' to a bool").arg(text(a)));
        }
        if (fn == QLatin1String("json")) {
            if (!needArgs(name, count, 1, 1) || !needString(name, args.at(0), &s))
                return {};
            QJsonParseError pe;
            const QJsonDocument d = QJsonDocument::fromJson("[" + s.toUtf8() + "]", &pe);
            if (pe.error != QJsonParseError::NoError)
                return fail(QStringLiteral("json(): invalid JSON: %1").arg(pe.errorString()));
            return d.array().at(0);
        }
        if (fn == QLatin1String("equals")) {
            if (!needArgs(name, count, 2, 2))
                return {};
            return jsonEquals(args.at(0), args.at(1));
        }
        if (fn == QLatin1String("not")) {
            if (!needArgs(name, count, 1, 1))
                return {};
            if (!args.at(0).isBool())
                return fail(
                    QStringLiteral("not() expects a bool, got a %1").arg(jsonTypeName(args.at(0))));
            return !args.at(0).toBool();
        }
        if (fn == QLatin1String("greater") || fn == QLatin1String("less")
            || fn == QLatin1String("greaterorequals") || fn == QLatin1String("lessorequals")) {
            if (!needArgs(name, count, 2, 2))
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
        if (fn == QLatin1String("true") || fn == QLatin1String("false"))
            return fn == QLatin1String("true");
        if (fn == QLatin1String("null"))
            return QJsonValue(QJsonValue::Null);
        if (fn == QLatin1String("coalesce")) {
            for (const QJsonValue &a : args)
                if (!a.isNull())
                    return a;
            return QJsonValue(QJsonValue::Null);
        }
        if (fn == QLatin1String("empty")) {
            if (!needArgs(name, count, 1, 1))
                return {};
            return isEmptyValue(args.at(0));
        }
        if (fn == QLatin1String("length")) {
            if (!needArgs(name, count, 1, 1))
                return {};
            const QJsonValue a = args.at(0);
            if (a.isString())
                return double(a.toString().size());
            if (a.isArray())
                return double(a.toArray().size());
            if (a.isObject())
                return double(a.toObject().size());
            return fail(QStringLiteral("length() expects a string, array or object, got a %1")
                            .arg(jsonTypeName(a)));
        }
        if (fn == QLatin1String("replace")) {
            if (!needArgs(name, count, 3, 3) || !needString(name, args.at(0), &s)
                || !needString(name, args.at(1), &t))
                return {};
            QString r;
            if (!needString(name, args.at(2), &r))
                return {};
            return s.replace(t, r);
        }
        if (fn == QLatin1String("contains")) {
            if (!needArgs(name, count, 2, 2))
                return {};
            const QJsonValue c = args.at(0);
            if (c.isString())
                return c.toString().contains(text(args.at(1)));
            if (c.isArray()) {
                for (const QJsonValue &x : c.toArray())
                    if (jsonEquals(x, args.at(1)))
                        return true;
                return false;
            }
            if (c.isObject()) // property names are case-insensitive
                return !valueCi(c.toObject(), text(args.at(1))).isUndefined();
            return fail(QStringLiteral("contains() expects a string, array or object"));
        }
        if (fn == QLatin1String("startswith") || fn == QLatin1String("endswith")
            || fn == QLatin1String("indexof") || fn == QLatin1String("lastindexof")) {
            if (!needArgs(name, count, 2, 2))
                return {};
            if (args.at(0).isArray()) { // indexOf(array, item): exact match
                const QJsonArray arr = args.at(0).toArray();
                if (fn == QLatin1String("indexof")) {
                    for (int i = 0; i < arr.size(); ++i)
                        if (jsonEquals(arr.at(i), args.at(1)))
                            return double(i);
                    return -1.0;
                }
                if (fn == QLatin1String("lastindexof")) {
                    for (int i = int(arr.size()) - 1; i >= 0; --i)
                        if (jsonEquals(arr.at(i), args.at(1)))
                            return double(i);
                    return -1.0;
                }
            }
            if (!needString(name, args.at(0), &s) || !needString(name, args.at(1), &t))
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
            if (!needArgs(name, count, 2, 3) || !needString(name, args.at(0), &s)
                || !needInt(name, args.at(1), &n))
                return {};
            m = s.size() - n;
            if (count == 3 && !needInt(name, args.at(2), &m))
                return {};
            if (n < 0 || m < 0 || n + m > s.size())
                return fail(QStringLiteral("substring(): The index and length parameters must "
                                           "refer to a location within the string"));
            return s.mid(n, m);
        }
        if (fn == QLatin1String("padleft")) {
            if (!needArgs(name, count, 2, 3) || !needInt(name, args.at(1), &n))
                return {};
            s = text(args.at(0));
            const QString pad = count == 3 ? text(args.at(2)) : QStringLiteral(" ");
            while (s.size() < n && !pad.isEmpty())
                s.prepend(pad.at(0));
            return s;
        }
        if (fn == QLatin1String("split")) {
            if (!needArgs(name, count, 2, 2) || !needString(name, args.at(0), &s))
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
            QJsonArray arr;
            if (!needArgs(name, count, 2, 2) || !needArray(name, args.at(0), &arr)
                || !needString(name, args.at(1), &t))
                return {};
            QStringList parts;
            for (const QJsonValue &x : std::as_const(arr))
                parts << text(x);
            return parts.join(t);
        }
        if (fn == QLatin1String("first") || fn == QLatin1String("last")) {
            if (!needArgs(name, count, 1, 1))
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
            if (!needArgs(name, count, 2, 2) || !needInt(name, args.at(1), &n))
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
            if (fn == QLatin1String("array") && count == 1 && args.at(0).isArray())
                return args.at(0);
            QJsonArray out;
            for (const QJsonValue &a : args)
                out.append(a);
            return out;
        }
        if (fn == QLatin1String("createobject")) {
            if (count % 2)
                return fail(QStringLiteral("createObject() takes key/value pairs"));
            QJsonObject out;
            for (int i = 0; i < count; i += 2) {
                if (!needString(name, args.at(i), &s))
                    return {};
                out.insert(s, args.at(i + 1));
            }
            return out;
        }
        if (fn == QLatin1String("range")) {
            if (!needArgs(name, count, 2, 2) || !needInt(name, args.at(0), &n)
                || !needInt(name, args.at(1), &m))
                return {};
            if (m < 0 || m > 10000)
                return fail(QStringLiteral("range(): the count must be between 0 and 10000"));
            QJsonArray out;
            for (qint64 i = 0; i < m; ++i)
                out.append(double(n + i));
            return out;
        }
        if (fn == QLatin1String("flatten")) {
            QJsonArray arr;
            if (!needArgs(name, count, 1, 1) || !needArray(name, args.at(0), &arr))
                return {};
            QJsonArray out;
            for (const QJsonValue &x : std::as_const(arr)) {
                if (!x.isArray())
                    return fail(QStringLiteral("flatten() expects an array of arrays"));
                for (const QJsonValue &y : x.toArray())
                    out.append(y);
            }
            return out;
        }
        if (fn == QLatin1String("objectkeys")) {
            QJsonObject o;
            if (!needArgs(name, count, 1, 1) || !needObject(name, args.at(0), &o))
                return {};
            return QJsonArray::fromStringList(o.keys());
        }
        if (fn == QLatin1String("items")) {
            QJsonObject o;
            if (!needArgs(name, count, 1, 1) || !needObject(name, args.at(0), &o))
                return {};
            QStringList keys = o.keys();
            std::sort(keys.begin(), keys.end(), [](const QString &a, const QString &b) {
                return a.compare(b, Qt::CaseInsensitive) < 0;
            });
            QJsonArray out;
            for (const QString &k : std::as_const(keys))
                out.append(QJsonObject{{QStringLiteral("key"), k},
                                       {QStringLiteral("value"), o.value(k)}});
            return out;
        }
        if (fn == QLatin1String("shallowmerge")) {
            QJsonArray arr;
            if (!needArgs(name, count, 1, 1) || !needArray(name, args.at(0), &arr))
                return {};
            QJsonObject out;
            for (const QJsonValue &x : std::as_const(arr)) {
                const QJsonObject o = x.toObject();
                for (auto it = o.begin(); it != o.end(); ++it)
                    out.insert(it.key(), it.value());
            }
            return out;
        }
        if (fn == QLatin1String("tryget")) {
            if (!needArgs(name, count, 2))
                return {};
            QJsonValue v = args.at(0);
            for (int i = 1; i < count; ++i) {
                const QJsonValue k = args.at(i);
                if (v.isObject() && k.isString())
                    v = valueCi(v.toObject(), k.toString());
                else if (v.isArray() && k.isDouble())
                    v = k.toInt(-1) >= 0 && k.toInt(-1) < v.toArray().size()
                            ? v.toArray().at(k.toInt())
                            : QJsonValue(QJsonValue::Undefined);
                else
                    v = QJsonValue(QJsonValue::Undefined);
                if (v.isUndefined())
                    return QJsonValue(QJsonValue::Null);
            }
            return v;
        }
        if (fn == QLatin1String("union") || fn == QLatin1String("intersection")) {
            if (!needArgs(name, count, 2))
                return {};
            if (args.at(0).isObject()) {
                for (const QJsonValue &a : args)
                    if (!a.isObject())
                        return fail(
                            QStringLiteral("%1() expects all objects or all arrays").arg(name));
                if (fn == QLatin1String("union")) {
                    QJsonObject out = args.at(0).toObject();
                    for (int i = 1; i < count; ++i)
                        out = mergeDeep(out, args.at(i).toObject());
                    return out;
                }
                QJsonObject out = args.at(0).toObject();
                for (int i = 1; i < count; ++i) {
                    const QJsonObject o = args.at(i).toObject();
                    for (const QString &k : out.keys())
                        if (!o.contains(k) || o.value(k) != out.value(k))
                            out.remove(k);
                }
                return out;
            }
            for (const QJsonValue &a : args)
                if (!a.isArray())
                    return fail(QStringLiteral("%1() expects all objects or all arrays").arg(name));
            QJsonArray out;
            if (fn == QLatin1String("union")) {
                for (const QJsonValue &a : args)
                    for (const QJsonValue &x : a.toArray())
                        if (!out.contains(x))
                            out.append(x);
                return out;
            }
            for (const QJsonValue &x : args.at(0).toArray()) {
                bool everywhere = !out.contains(x);
                for (int i = 1; i < count && everywhere; ++i)
                    everywhere = args.at(i).toArray().contains(x);
                if (everywhere)
                    out.append(x);
            }
            return out;
        }
        if (fn == QLatin1String("add") || fn == QLatin1String("sub") || fn == QLatin1String("mul")
            || fn == QLatin1String("div") || fn == QLatin1String("mod")) {
            if (!needArgs(name, count, 2, 2) || !needInt(name, args.at(0), &n)
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
        if (fn == QLatin1String("parsecidr") || fn == QLatin1String("cidrsubnet")
            || fn == QLatin1String("cidrhost"))
            return cidr(name, fn, args);
        return fail(QStringLiteral("The template function '%1' is not valid. Please see "
                                   "https://aka.ms/arm-functions for usage details.")
                        .arg(name));
    }

    static QJsonObject mergeDeep(QJsonObject a, const QJsonObject &b)
    {
        for (auto it = b.begin(); it != b.end(); ++it) {
            if (it.value().isObject() && a.value(it.key()).isObject())
                a.insert(it.key(), mergeDeep(a.value(it.key()).toObject(), it.value().toObject()));
            else
                a.insert(it.key(), it.value());
        }
        return a;
    }

    QJsonValue cidr(const QString &name, const QString &fn, const QJsonArray &args)
    {
        QString s, error;
        qint64 a = 0, b = 0;
        Cidr c;
        if (fn == QLatin1String("parsecidr")) {
            if (!needArgs(name, int(args.size()), 1, 1) || !needString(name, args.at(0), &s))
                return {};
        } else if (fn == QLatin1String("cidrsubnet")) {
            if (!needArgs(name, int(args.size()), 3, 3) || !needString(name, args.at(0), &s)
                || !needInt(name, args.at(1), &a) || !needInt(name, args.at(2), &b))
                return {};
        } else if (!needArgs(name, int(args.size()), 2, 2) || !needString(name, args.at(0), &s)
                   || !needInt(name, args.at(1), &a)) {
            return {};
        }
        if (!parseCidrText(s, &c, &error))
            return fail(QStringLiteral("%1(): %2").arg(name, error));
        const int bytes = c.v4 ? 4 : 16;
        const Bytes16 base = withHostBits(toBytes(c.network, c.v4), bytes, c.prefix, false);
        auto addressText = [&](const Bytes16 &x) {
            return c.v4 ? fromBytes(x, true).toString() : v6Text(fromBytes(x, false));
        };
        if (fn == QLatin1String("parsecidr")) {
            Bytes16 mask{};
            mask = withHostBits(mask, bytes, 0, true);
            mask = withHostBits(mask, bytes, c.prefix, false);
            const Bytes16 broadcast = withHostBits(base, bytes, c.prefix, true);
            QJsonObject out{{QStringLiteral("network"), addressText(base)},
                            {QStringLiteral("netmask"), addressText(mask)},
                            {QStringLiteral("cidr"), c.prefix}};
            if (c.v4) {
                out.insert(QStringLiteral("broadcast"), addressText(broadcast));
                const bool tiny = c.prefix >= 31;
                out.insert(QStringLiteral("firstUsable"),
                           addressText(tiny ? base : addAt(base, bytes, bytes * 8 - 1, 1)));
                out.insert(QStringLiteral("lastUsable"),
                           addressText(tiny ? broadcast
                                            : addAt(broadcast, bytes, bytes * 8 - 1,
                                                    (quint64(1) << 32) - 1)));
            } else {
                out.insert(QStringLiteral("firstUsable"), addressText(base));
                out.insert(QStringLiteral("lastUsable"), addressText(broadcast));
            }
            return out;
        }
        if (fn == QLatin1String("cidrsubnet")) {
            if (a < c.prefix || a > bytes * 8)
                return fail(QStringLiteral("cidrSubnet(): the new CIDR %1 must be between %2 and "
                                           "%3")
                                .arg(a)
                                .arg(c.prefix)
                                .arg(bytes * 8));
            if (b < 0 || (a - c.prefix < 63 && b >= (qint64(1) << (a - c.prefix))))
                return fail(QStringLiteral("cidrSubnet(): subnet index %1 is out of range").arg(b));
            const Bytes16 subnet = addAt(base, bytes, int(a) - 1, quint64(b));
            return QString(addressText(subnet) + QLatin1Char('/') + QString::number(a));
        }
        // cidrHost: the host with that index among the usable addresses (index 0 is the first).
        const int hostBits = bytes * 8 - c.prefix;
        const qint64 usable = c.v4 ? (hostBits >= 2 ? (qint64(1) << qMin(hostBits, 62)) - 2 : 0)
                                   : (qint64(1) << qMin(hostBits, 62));
        if (a < 0 || a >= usable)
            return fail(QStringLiteral("cidrHost(): host index %1 is out of range").arg(a));
        return addressText(addAt(base, bytes, bytes * 8 - 1, quint64(a + (c.v4 ? 1 : 0))));
    }

    ArmEvaluator *m_ev;
    QString m_error;
    QList<QHash<QString, QJsonValue>> m_lambdaScopes;
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

void ArmEvaluator::pushLoop(const QString &name, int index)
{
    m_loops.append({name, index});
}

void ArmEvaluator::popLoop()
{
    if (!m_loops.isEmpty())
        m_loops.removeLast();
}

void ArmEvaluator::noteStandIn(const QString &text)
{
    for (const StandIn &s : std::as_const(*m_standIns))
        if (s.path == m_currentPath && s.text == text)
            return;
    m_standIns->append({m_currentPath, text});
}

QJsonValue ArmEvaluator::evaluateString(const QString &text, QString *error)
{
    if (text.startsWith(QLatin1String("[[")))
        return text.mid(1);
    if (!isExpression(text))
        return text;
    Node root;
    Parser parser(text.mid(1, text.size() - 2));
    if (!parser.parse(&root, error))
        return QJsonValue(QJsonValue::Undefined);
    ExpressionEvaluator evaluator(this);
    return evaluator.run(root, error);
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

// A property or variable copy: [{ "name", "count", "input" }, ...]. True when copy has that shape.
static bool isCopyArray(const QJsonValue &copy)
{
    if (!copy.isArray() || copy.toArray().isEmpty())
        return false;
    for (const QJsonValue &c : copy.toArray()) {
        const QJsonObject o = c.toObject();
        if (!c.isObject() || valueCi(o, QStringLiteral("name")).isUndefined()
            || valueCi(o, QStringLiteral("count")).isUndefined())
            return false;
    }
    return true;
}

QJsonValue ArmEvaluator::expandCopy(const QJsonArray &copy, const QString &path,
                                    Diagnostics *diagnostics, bool canonicalKeys, QJsonObject *into)
{
    for (int j = 0; j < copy.size(); ++j) {
        const QJsonObject spec = copy.at(j).toObject();
        const QString specPath = path + QStringLiteral("[%1]").arg(j);
        const QJsonValue nameValue = evaluateTree(valueCi(spec, QStringLiteral("name")),
                                                  specPath + QStringLiteral(".name"), diagnostics);
        const QJsonValue countValue = evaluateTree(valueCi(spec, QStringLiteral("count")),
                                                   specPath + QStringLiteral(".count"),
                                                   diagnostics);
        const QString name = nameValue.toString();
        if (name.isEmpty() || !countValue.isDouble() || countValue.toDouble() < 0
            || countValue.toDouble() > 800) {
            if (diagnostics)
                diagnostics->append({Diagnostic::Severity::Error, specPath,
                                     QStringLiteral("a copy loop needs a name and a count "
                                                    "between 0 and 800")});
            continue;
        }
        const QJsonValue input = valueCi(spec, QStringLiteral("input"));
        QJsonArray out;
        const int count = int(countValue.toDouble());
        for (int i = 0; i < count; ++i) {
            pushLoop(name, i);
            out.append(evaluateTree(input, specPath + QStringLiteral(".input"), diagnostics,
                                    canonicalKeys));
            popLoop();
        }
        into->insert(name, out);
    }
    return *into;
}

QJsonValue ArmEvaluator::evaluateTree(const QJsonValue &value, const QString &path,
                                      Diagnostics *diagnostics, bool canonicalKeys)
{
    switch (value.type()) {
    case QJsonValue::String: {
        QString error;
        const QString previousPath = std::exchange(m_currentPath, path);
        QJsonValue v = evaluateString(value.toString(), &error);
        if (error.isEmpty() && !m_keepPlaceholders) {
            const QString p = placeholderText(v);
            if (!p.isEmpty()) {
                noteStandIn(p);
                v = p;
            }
        }
        m_currentPath = previousPath;
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
            const QString childPath = path.isEmpty() ? key : path + QLatin1Char('.') + key;
            if (it.key().compare(QLatin1String("copy"), Qt::CaseInsensitive) == 0
                && isCopyArray(it.value())) {
                expandCopy(it.value().toArray(), childPath, diagnostics, canonicalKeys, &out);
                continue;
            }
            out.insert(it.key(), evaluateTree(it.value(), childPath, diagnostics, canonicalKeys));
        }
        return out;
    }
    default: return value;
    }
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
               && valueCi(given.toObject(), QStringLiteral("reference")).isObject()) {
        // A Key Vault reference: only Azure can read the secret; a placeholder stands in.
        const QString text = QStringLiteral("keyVault(%1)").arg(keyVaultReferenceText(given));
        const QString previousPath = std::exchange(m_currentPath,
                                                   QStringLiteral("parameters.") + declaredName);
        noteStandIn(text);
        m_currentPath = previousPath;
        value = text;
        if (type.compare(QLatin1String("object"), Qt::CaseInsensitive) == 0
            || type.compare(QLatin1String("secureObject"), Qt::CaseInsensitive) == 0)
            value = placeholder(text);
        m_parameterCache.insert(key, value);
        return value;
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
        ++m_inParameterDefault; // utcNow() and newGuid() are allowed here, and only here
        ++m_keepPlaceholders;
        const QList<Loop> loops = std::exchange(m_loops, {});
        value = evaluateTree(def, QStringLiteral("parameters.%1.defaultValue").arg(declaredName),
                             &inner);
        m_loops = loops;
        --m_keepPlaceholders;
        --m_inParameterDefault;
        m_evaluating.remove(guard);
        if (!inner.isEmpty()) {
            *error = QStringLiteral("the defaultValue of parameter '%1': %2")
                         .arg(declaredName, inner.first().message);
            return {};
        }
    }
    // Placeholders (values only Azure knows) pass: their type is whatever the template needs.
    if (placeholderText(value).isEmpty()) {
        const QString problem = TemplateParameter::fromDeclaration(declaredName, decl)
                                    .problemWith(value);
        if (!problem.isEmpty()) {
            *error = problem;
            return {};
        }
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
    QJsonValue raw = valueCi(m_variables, name, &declaredName);
    QJsonObject copySpec;
    if (raw.isUndefined()) {
        // Variable copy loops: "copy": [{ "name": "x", "count": n, "input": ... }].
        const QJsonValue copy = valueCi(m_variables, QStringLiteral("copy"));
        if (isCopyArray(copy)) {
            const QJsonArray specs = copy.toArray();
            for (int i = 0; i < specs.size(); ++i) {
                const QJsonObject spec = specs.at(i).toObject();
                if (valueCi(spec, QStringLiteral("name")).toString().compare(name, Qt::CaseInsensitive)
                    == 0) {
                    copySpec = spec;
                    declaredName = valueCi(spec, QStringLiteral("name")).toString();
                }
            }
        }
        if (copySpec.isEmpty()) {
            *error = QStringLiteral("the template declares no variable '%1'").arg(name);
            return {};
        }
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
    ++m_keepPlaceholders;
    const QList<Loop> loops = std::exchange(m_loops, {});
    QJsonValue value;
    if (!copySpec.isEmpty()) {
        QJsonObject holder;
        expandCopy(QJsonArray{copySpec}, QStringLiteral("variables.copy"), &inner, false, &holder);
        value = holder.value(declaredName);
    } else {
        value = evaluateTree(raw, QStringLiteral("variables.") + declaredName, &inner);
    }
    m_loops = loops;
    --m_keepPlaceholders;
    m_evaluating.remove(guard);
    if (!inner.isEmpty()) {
        *error = QStringLiteral("variable '%1': %2").arg(declaredName, inner.first().message);
        return {};
    }
    m_variableCache.insert(key, value);
    return value;
}

} // namespace Gateway::Config::Internal
