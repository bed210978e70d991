#pragma once

// The JSON text of a configuration file with the byte span of every value, so that edits can be
// spliced into the text: an edited value replaces only that value, members keep their order,
// the user's layout, key case and everything not edited stay byte for byte. Internal.

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <vector>

namespace Gateway::Config::Internal {

struct TextMember;

struct TextNode
{
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    qsizetype begin = 0;                                // first byte of the value
    qsizetype end = 0;                                  // one past its last byte
    std::vector<TextMember> members;                    // objects, in file order
    std::vector<TextNode> items;                        // arrays
    const TextMember *member(const QString &key) const; // case-insensitive
    int memberIndex(const QString &key) const;
};

struct TextMember
{
    QString key;
    qsizetype keyBegin = 0; // the opening quote
    qsizetype keyEnd = 0;   // one past the closing quote
    TextNode value;
};

// A path inside the text: object keys (matched case-insensitively) and array indexes.
struct PathSegment
{
    QString key;
    int index = -1;
    static PathSegment of(const QString &k) { return {k, -1}; }
    static PathSegment at(int i) { return {QString(), i}; }
};
using TextPath = QList<PathSegment>;

// "resources[2].properties.httpListeners[0]" -> segments (keys must not contain '.' or '[').
TextPath parseTextPath(const QString &path);

class JsonText
{
public:
    explicit JsonText(const QByteArray &text = {});

    bool isValid() const { return m_valid; }
    const QByteArray &text() const { return m_text; }
    const TextNode *find(const TextPath &path) const;

    bool replaceValue(const TextPath &path, const QJsonValue &value);
    bool replaceRaw(const TextPath &path, const QByteArray &rawJson);
    bool setMember(const TextPath &objectPath, const QString &key,
                   const QJsonValue &value); // replace or insert
    bool removeMember(const TextPath &objectPath, const QString &key);
    bool renameMember(const TextPath &objectPath, const QString &key, const QString &newKey);
    bool appendItem(const TextPath &arrayPath, const QJsonValue &value);
    bool removeItem(const TextPath &arrayPath, int index);
    // Makes every object on the path exist (creating empty objects); false if something else is in the way.
    bool ensureObject(const TextPath &path);

    // Serialises value with the given indentation of its first line's container.
    QByteArray serialize(const QJsonValue &value, const QByteArray &indent) const;

private:
    void reparse();
    void splice(qsizetype begin, qsizetype end, const QByteArray &with);
    QByteArray lineIndent(qsizetype offset) const;
    bool onSameLine(qsizetype a, qsizetype b) const;

    QByteArray m_text;
    TextNode m_root;
    bool m_valid = false;
    QByteArray m_newline = "\n";
    QByteArray m_unit = "  ";
};

} // namespace Gateway::Config::Internal
