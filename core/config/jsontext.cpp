#include "config/jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace Gateway::Config::Internal {

const TextMember *TextNode::member(const QString &key) const
{
    const int i = memberIndex(key);
    return i < 0 ? nullptr : &members[size_t(i)];
}

int TextNode::memberIndex(const QString &key) const
{
    for (size_t i = 0; i < members.size(); ++i)
        if (members[i].key == key)
            return int(i);
    for (size_t i = 0; i < members.size(); ++i)
        if (members[i].key.compare(key, Qt::CaseInsensitive) == 0)
            return int(i);
    return -1;
}

TextPath parseTextPath(const QString &path)
{
    TextPath out;
    QString current;
    for (int i = 0; i < path.size(); ++i) {
        const QChar c = path.at(i);
        if (c == QLatin1Char('.')) {
            if (!current.isEmpty())
                out << PathSegment::of(current);
            current.clear();
        } else if (c == QLatin1Char('[')) {
            if (!current.isEmpty())
                out << PathSegment::of(current);
            current.clear();
            const int close = path.indexOf(QLatin1Char(']'), i);
            if (close < 0)
                break;
            out << PathSegment::at(path.mid(i + 1, close - i - 1).toInt());
            i = close;
        } else {
            current += c;
        }
    }
    if (!current.isEmpty())
        out << PathSegment::of(current);
    return out;
}

namespace {

class Scanner
{
public:
    explicit Scanner(const QByteArray &t) : s(t) {}
    const QByteArray &s;
    qsizetype pos = 0;

    void ws()
    {
        while (pos < s.size()
               && (s.at(pos) == ' ' || s.at(pos) == '\t' || s.at(pos) == '\n' || s.at(pos) == '\r'))
            ++pos;
    }

    bool string(QString *out)
    {
        if (pos >= s.size() || s.at(pos) != '"')
            return false;
        const qsizetype start = ++pos;
        bool escaped = false;
        while (pos < s.size() && s.at(pos) != '"') {
            if (s.at(pos) == '\\') {
                escaped = true;
                ++pos;
            }
            ++pos;
        }
        if (pos >= s.size())
            return false;
        const QByteArray raw = s.mid(start, pos - start);
        ++pos;
        if (out) {
            if (escaped)
                *out = QJsonDocument::fromJson("[\"" + raw + "\"]").array().at(0).toString();
            else
                *out = QString::fromUtf8(raw);
        }
        return true;
    }

    bool value(TextNode *node, int depth)
    {
        if (depth > 256)
            return false;
        ws();
        if (pos >= s.size())
            return false;
        node->begin = pos;
        const char c = s.at(pos);
        if (c == '{') {
            node->type = TextNode::Type::Object;
            ++pos;
            ws();
            if (pos < s.size() && s.at(pos) == '}') {
                node->end = ++pos;
                return true;
            }
            while (true) {
                ws();
                TextMember m;
                m.keyBegin = pos;
                if (!string(&m.key))
                    return false;
                m.keyEnd = pos;
                ws();
                if (pos >= s.size() || s.at(pos) != ':')
                    return false;
                ++pos;
                if (!value(&m.value, depth + 1))
                    return false;
                node->members.push_back(std::move(m));
                ws();
                if (pos < s.size() && s.at(pos) == ',') {
                    ++pos;
                    continue;
                }
                if (pos < s.size() && s.at(pos) == '}') {
                    node->end = ++pos;
                    return true;
                }
                return false;
            }
        }
        if (c == '[') {
            node->type = TextNode::Type::Array;
            ++pos;
            ws();
            if (pos < s.size() && s.at(pos) == ']') {
                node->end = ++pos;
                return true;
            }
            while (true) {
                TextNode item;
                if (!value(&item, depth + 1))
                    return false;
                node->items.push_back(std::move(item));
                ws();
                if (pos < s.size() && s.at(pos) == ',') {
                    ++pos;
                    continue;
                }
                if (pos < s.size() && s.at(pos) == ']') {
                    node->end = ++pos;
                    return true;
                }
                return false;
            }
        }
        if (c == '"') {
            node->type = TextNode::Type::String;
            if (!string(nullptr))
                return false;
            node->end = pos;
            return true;
        }
        if (s.mid(pos, 4) == "true" || s.mid(pos, 4) == "null") {
            node->type = s.at(pos) == 't' ? TextNode::Type::Bool : TextNode::Type::Null;
            node->end = pos += 4;
            return true;
        }
        if (s.mid(pos, 5) == "false") {
            node->type = TextNode::Type::Bool;
            node->end = pos += 5;
            return true;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            node->type = TextNode::Type::Number;
            while (pos < s.size()
                   && (strchr("+-.eE", s.at(pos)) || (s.at(pos) >= '0' && s.at(pos) <= '9')))
                ++pos;
            node->end = pos;
            return true;
        }
        return false;
    }
};

QByteArray scalarJson(const QJsonValue &v)
{
    QByteArray a = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    return a.mid(1, a.size() - 2);
}

int keyRank(const QString &key)
{
    static const QStringList order = {
        QStringLiteral("$schema"),  QStringLiteral("contentVersion"), QStringLiteral("name"),
        QStringLiteral("type"),     QStringLiteral("apiVersion"),     QStringLiteral("id"),
        QStringLiteral("location"), QStringLiteral("ruleType"),       QStringLiteral("priority"),
        QStringLiteral("protocol"), QStringLiteral("port"),           QStringLiteral("properties")};
    const int i = order.indexOf(key);
    return i < 0 ? order.size() : i;
}

QStringList orderedKeys(const QJsonObject &o)
{
    QStringList keys = o.keys();
    std::stable_sort(keys.begin(), keys.end(),
                     [](const QString &a, const QString &b) { return keyRank(a) < keyRank(b); });
    return keys;
}

} // namespace

JsonText::JsonText(const QByteArray &text) : m_text(text)
{
    reparse();
    if (m_text.contains("\r\n"))
        m_newline = "\r\n";
    if (m_valid && m_root.type == TextNode::Type::Object && !m_root.members.empty()) {
        const qsizetype firstKey = m_root.members.front().keyBegin;
        if (!onSameLine(m_root.begin, firstKey)) {
            const QByteArray outer = lineIndent(m_root.begin);
            const QByteArray inner = lineIndent(firstKey);
            if (inner.size() > outer.size() && inner.startsWith(outer))
                m_unit = inner.mid(outer.size());
        }
    }
}

void JsonText::reparse()
{
    m_root = TextNode();
    Scanner scanner(m_text);
    if (m_text.startsWith("\xEF\xBB\xBF"))
        scanner.pos = 3;
    m_valid = scanner.value(&m_root, 0);
    if (m_valid) {
        scanner.ws();
        m_valid = scanner.pos == m_text.size();
    }
}

void JsonText::splice(qsizetype begin, qsizetype end, const QByteArray &with)
{
    m_text.replace(begin, end - begin, with);
    reparse();
}

QByteArray JsonText::lineIndent(qsizetype offset) const
{
    qsizetype start = offset;
    while (start > 0 && m_text.at(start - 1) != '\n')
        --start;
    qsizetype e = start;
    while (e < m_text.size() && (m_text.at(e) == ' ' || m_text.at(e) == '\t'))
        ++e;
    return m_text.mid(start, e - start);
}

bool JsonText::onSameLine(qsizetype a, qsizetype b) const
{
    return !m_text.mid(qMin(a, b), qAbs(b - a)).contains('\n');
}

const TextNode *JsonText::find(const TextPath &path) const
{
    if (!m_valid)
        return nullptr;
    const TextNode *node = &m_root;
    for (const PathSegment &seg : path) {
        if (seg.index >= 0) {
            if (node->type != TextNode::Type::Array || size_t(seg.index) >= node->items.size())
                return nullptr;
            node = &node->items[size_t(seg.index)];
        } else {
            if (node->type != TextNode::Type::Object)
                return nullptr;
            const TextMember *m = node->member(seg.key);
            if (!m)
                return nullptr;
            node = &m->value;
        }
    }
    return node;
}

QByteArray JsonText::serialize(const QJsonValue &value, const QByteArray &indent) const
{
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        if (o.isEmpty())
            return "{}";
        QByteArray out = "{";
        const QByteArray inner = indent + m_unit;
        bool first = true;
        for (const QString &key : orderedKeys(o)) {
            out += (first ? QByteArray() : QByteArray(",")) + m_newline + inner + scalarJson(key)
                   + ": " + serialize(o.value(key), inner);
            first = false;
        }
        return out + m_newline + indent + "}";
    }
    if (value.isArray()) {
        const QJsonArray a = value.toArray();
        if (a.isEmpty())
            return "[]";
        const bool scalars = std::all_of(a.begin(), a.end(), [](const QJsonValue &v) {
            return !v.isObject() && !v.isArray();
        });
        if (scalars) {
            QByteArray out = "[";
            for (int i = 0; i < a.size(); ++i)
                out += (i ? ", " : "") + scalarJson(a.at(i));
            return out + "]";
        }
        QByteArray out = "[";
        const QByteArray inner = indent + m_unit;
        for (int i = 0; i < a.size(); ++i)
            out += (i ? QByteArray(",") : QByteArray()) + m_newline + inner
                   + serialize(a.at(i), inner);
        return out + m_newline + indent + "]";
    }
    return scalarJson(value);
}

bool JsonText::replaceRaw(const TextPath &path, const QByteArray &rawJson)
{
    const TextNode *node = find(path);
    if (!node)
        return false;
    splice(node->begin, node->end, rawJson);
    return m_valid;
}

bool JsonText::replaceValue(const TextPath &path, const QJsonValue &value)
{
    const TextNode *node = find(path);
    if (!node)
        return false;
    splice(node->begin, node->end, serialize(value, lineIndent(node->begin)));
    return m_valid;
}

bool JsonText::setMember(const TextPath &objectPath, const QString &key, const QJsonValue &value)
{
    const TextNode *obj = find(objectPath);
    if (!obj || obj->type != TextNode::Type::Object)
        return false;
    if (const TextMember *m = obj->member(key)) {
        splice(m->value.begin, m->value.end, serialize(value, lineIndent(m->keyBegin)));
        return m_valid;
    }
    if (obj->members.empty()) {
        const QByteArray ind = lineIndent(obj->begin);
        const QByteArray inner = ind + m_unit;
        splice(obj->begin + 1, obj->end - 1,
               m_newline + inner + scalarJson(key) + ": " + serialize(value, inner) + m_newline
                   + ind);
        return m_valid;
    }
    const TextMember &last = obj->members.back();
    if (onSameLine(obj->begin, last.keyBegin)) {
        const QByteArray compact = value.isObject() || value.isArray()
                                       ? QJsonDocument(value.isObject()
                                                           ? QJsonDocument(value.toObject())
                                                           : QJsonDocument(value.toArray()))
                                             .toJson(QJsonDocument::Compact)
                                       : scalarJson(value);
        splice(last.value.end, last.value.end, ", " + scalarJson(key) + ": " + compact);
        return m_valid;
    }
    const QByteArray ind = lineIndent(last.keyBegin);
    splice(last.value.end, last.value.end,
           "," + m_newline + ind + scalarJson(key) + ": " + serialize(value, ind));
    return m_valid;
}

bool JsonText::removeMember(const TextPath &objectPath, const QString &key)
{
    const TextNode *obj = find(objectPath);
    if (!obj || obj->type != TextNode::Type::Object)
        return false;
    const int i = obj->memberIndex(key);
    if (i < 0)
        return true;
    if (obj->members.size() == 1)
        splice(obj->begin + 1, obj->end - 1, QByteArray());
    else if (i > 0)
        splice(obj->members[size_t(i - 1)].value.end, obj->members[size_t(i)].value.end,
               QByteArray());
    else
        splice(obj->members[0].keyBegin, obj->members[1].keyBegin, QByteArray());
    return m_valid;
}

bool JsonText::renameMember(const TextPath &objectPath, const QString &key, const QString &newKey)
{
    const TextNode *obj = find(objectPath);
    if (!obj || obj->type != TextNode::Type::Object)
        return false;
    const TextMember *m = obj->member(key);
    if (!m)
        return false;
    splice(m->keyBegin, m->keyEnd, scalarJson(newKey));
    return m_valid;
}

bool JsonText::appendItem(const TextPath &arrayPath, const QJsonValue &value)
{
    const TextNode *arr = find(arrayPath);
    if (!arr || arr->type != TextNode::Type::Array)
        return false;
    if (arr->items.empty()) {
        const QByteArray ind = lineIndent(arr->begin);
        const QByteArray inner = ind + m_unit;
        splice(arr->begin + 1, arr->end - 1,
               m_newline + inner + serialize(value, inner) + m_newline + ind);
        return m_valid;
    }
    const TextNode &last = arr->items.back();
    if (onSameLine(arr->begin, last.begin)) {
        splice(last.end, last.end, ", " + serialize(value, lineIndent(last.begin)));
        return m_valid;
    }
    const QByteArray ind = lineIndent(last.begin);
    splice(last.end, last.end, "," + m_newline + ind + serialize(value, ind));
    return m_valid;
}

bool JsonText::removeItem(const TextPath &arrayPath, int index)
{
    const TextNode *arr = find(arrayPath);
    if (!arr || arr->type != TextNode::Type::Array || index < 0
        || size_t(index) >= arr->items.size())
        return false;
    if (arr->items.size() == 1)
        splice(arr->begin + 1, arr->end - 1, QByteArray());
    else if (index > 0)
        splice(arr->items[size_t(index - 1)].end, arr->items[size_t(index)].end, QByteArray());
    else
        splice(arr->items[0].begin, arr->items[1].begin, QByteArray());
    return m_valid;
}

bool JsonText::ensureObject(const TextPath &path)
{
    for (int i = 0; i < path.size(); ++i) {
        const TextPath prefix = path.mid(0, i + 1);
        const TextNode *node = find(prefix);
        if (node) {
            if (node->type != TextNode::Type::Object && i == path.size() - 1)
                return false;
            continue;
        }
        if (path.at(i).index >= 0)
            return false;
        if (!setMember(path.mid(0, i), path.at(i).key, QJsonObject()))
            return false;
    }
    const TextNode *node = find(path);
    return node && node->type == TextNode::Type::Object;
}

} // namespace Gateway::Config::Internal
