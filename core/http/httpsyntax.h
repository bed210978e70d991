#pragma once

// Internal byte-class tables and small scanners shared by the HTTP parsers and serializers.
// Not part of the public API (Gateway::Http::Internal).

#include <QByteArray>
#include <QByteArrayView>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

namespace Gateway::Http::Internal {

enum CharClass : std::uint8_t {
    Tchar = 1 << 0,      // token character (RFC 9110 §5.6.2)
    FieldVchar = 1 << 1, // VCHAR / obs-text (a field value byte other than SP and HTAB)
    TargetChar = 1 << 2, // request-target byte accepted by the gateway (visible ASCII but '#')
    MethodChar = 1 << 3, // method byte accepted by the gateway: A-Z '_' '-' (nginx, Azure)
    HexDigit = 1 << 4,
    HostChar = 1 << 5, // reg-name byte accepted by the gateway: ALPHA DIGIT '-' '.' '_' '~'
    Digit = 1 << 6,
    ValueChar = 1 << 7, // any field value byte: SP, HTAB, VCHAR, obs-text
};

constexpr std::array<std::uint8_t, 256> makeCharTable()
{
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        std::uint8_t v = 0;
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        if (alpha || digit)
            v |= Tchar;
        switch (c) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '.':
        case '^':
        case '_':
        case '`':
        case '|':
        case '~': v |= Tchar; break;
        default: break;
        }
        if ((c > 0x20 && c < 0x7f) || c >= 0x80)
            v |= FieldVchar;
        if (c > 0x20 && c < 0x7f && c != '#')
            v |= TargetChar;
        if ((c >= 'A' && c <= 'Z') || c == '_' || c == '-')
            v |= MethodChar;
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            v |= HexDigit;
        if (alpha || digit || c == '-' || c == '.' || c == '_' || c == '~')
            v |= HostChar;
        if (digit)
            v |= Digit;
        if ((v & FieldVchar) || c == ' ' || c == '\t')
            v |= ValueChar;
        t[c] = v;
    }
    return t;
}

inline constexpr std::array<std::uint8_t, 256> CharTable = makeCharTable();

inline bool is(char c, CharClass cls)
{
    return CharTable[static_cast<unsigned char>(c)] & cls;
}

inline bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

inline int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

inline bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (!is(c, Tchar))
            return false;
    }
    return true;
}

inline QByteArrayView trimOws(QByteArrayView s)
{
    qsizetype b = 0;
    qsizetype e = s.size();
    while (b < e && isOws(s[b]))
        ++b;
    while (e > b && isOws(s[e - 1]))
        --e;
    return s.sliced(b, e - b);
}

inline char toLowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
}

inline bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (toLowerAscii(a[i]) != toLowerAscii(b[i]))
            return false;
    }
    return true;
}

// Calls fn(element) for each comma-separated list element, OWS-trimmed (empty ones included).
template<typename Fn>
void forEachListElement(QByteArrayView value, Fn &&fn)
{
    qsizetype start = 0;
    for (;;) {
        const qsizetype comma = value.indexOf(',', start);
        const qsizetype end = comma < 0 ? value.size() : comma;
        fn(trimOws(value.sliced(start, end - start)));
        if (comma < 0)
            break;
        start = comma + 1;
    }
}

// 1*DIGIT with an overflow guard. Returns -1 when invalid or too large.
inline qint64 parseDecimal(QByteArrayView s)
{
    if (s.isEmpty())
        return -1;
    qint64 v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return -1;
        const int d = c - '0';
        if (v > (std::numeric_limits<qint64>::max() - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    return v;
}

// Host header / authority validation (RFC 9112 §3.2, nginx ngx_http_validate_host). On success
// *normalized is the routing host: lower-cased, port and one trailing dot removed.
// requirePort: authority-form (CONNECT) needs "host:port".
bool validateHost(QByteArrayView value, QByteArray *normalized, bool requirePort = false);

// A QByteArray for a field name or method as received. Common names come from a table of
// static literals (copies of those never allocate); others are copied.
QByteArray internFieldName(QByteArrayView name);
QByteArray internMethod(QByteArrayView method);

// Result of scanning field lines (shared by the request and response parsers).
struct FieldLine
{
    qsizetype nameBegin;
    qsizetype nameEnd;
    qsizetype valueBegin; // OWS trimmed
    qsizetype valueEnd;
};

enum class ScanStatus { Incomplete, Complete, Bad, TooLarge, TooMany };

struct FieldScan
{
    ScanStatus status = ScanStatus::Incomplete;
    qsizetype end = 0; // Complete: index just past the final CRLF
    const char *reason = "";
};

// Scans field lines from `pos` until the empty line. `limitEnd` is the first buffer index that
// would make the section too large; `maxCount` bounds the number of lines. Lines are appended to
// `lines` (a container with push_back), so nothing is allocated per byte.
template<typename Lines>
FieldScan scanFieldLines(QByteArrayView buf, qsizetype pos, qsizetype limitEnd, int maxCount,
                         Lines *lines)
{
    const char *d = buf.data();
    const qsizetype n = buf.size();
    const qsizetype scanEnd = n < limitEnd ? n : limitEnd;
    // Every check below is made at one byte position and depends only on earlier bytes, so a
    // prefix of a message gives either Incomplete or the same verdict as the whole message.
    auto past = [&](qsizetype i) {
        return FieldScan{i >= limitEnd ? ScanStatus::TooLarge : ScanStatus::Incomplete, 0,
                         "header section too large"};
    };
    auto bad = [](const char *why) { return FieldScan{ScanStatus::Bad, 0, why}; };
    int count = 0;
    for (;;) {
        if (pos >= scanEnd)
            return past(pos);
        const char c = d[pos];
        if (c == '\r') {
            if (pos + 1 >= scanEnd)
                return past(pos + 1);
            if (d[pos + 1] != '\n')
                return bad("bare CR");
            return FieldScan{ScanStatus::Complete, pos + 2, ""};
        }
        if (c == '\n')
            return bad("bare LF");
        if (isOws(c))
            return bad("whitespace at the start of a field line (obs-fold)");
        if (count == maxCount)
            return FieldScan{ScanStatus::TooMany, 0, "too many header fields"};
        qsizetype i = pos;
        while (i < scanEnd && (CharTable[static_cast<unsigned char>(d[i])] & Tchar))
            ++i;
        if (i >= scanEnd)
            return past(i);
        if (d[i] != ':') {
            if (isOws(d[i]))
                return bad("whitespace between field name and colon");
            if (d[i] == '\r' || d[i] == '\n')
                return bad("field line without a colon");
            return bad("invalid byte in field name");
        }
        if (i == pos)
            return bad("empty field name");
        const qsizetype nameEnd = i;
        ++i;
        const qsizetype valueStart = i;
        // Eight bytes at a time while none is a control byte (< 0x20 or 0x7f); the byte loop
        // below then classifies the rest exactly (HTAB is allowed, CR ends the value).
        while (i + 8 <= scanEnd) {
            std::uint64_t x;
            std::memcpy(&x, d + i, 8);
            const std::uint64_t below20 = (x - 0x2020202020202020ull) & ~x & 0x8080808080808080ull;
            const std::uint64_t y = x ^ 0x7f7f7f7f7f7f7f7full;
            const std::uint64_t del = (y - 0x0101010101010101ull) & ~y & 0x8080808080808080ull;
            if (below20 | del)
                break;
            i += 8;
        }
        while (i < scanEnd && (CharTable[static_cast<unsigned char>(d[i])] & ValueChar))
            ++i;
        if (i >= scanEnd)
            return past(i);
        if (d[i] != '\r')
            return bad(d[i] == '\n' ? "bare LF" : "control byte in field value");
        if (i + 1 >= scanEnd)
            return past(i + 1);
        if (d[i + 1] != '\n')
            return bad("bare CR in field value");
        qsizetype vb = valueStart;
        qsizetype ve = i;
        while (vb < ve && isOws(d[vb]))
            ++vb;
        while (ve > vb && isOws(d[ve - 1]))
            --ve;
        lines->push_back(FieldLine{pos, nameEnd, vb, ve});
        ++count;
        pos = i + 2;
    }
}

} // namespace Gateway::Http::Internal
