// BodyDecoder: incremental Content-Length and chunked decoding (RFC 9112 §6.3, §7.1;
// reliability-cases.md P22–P27). Payload is handed out as views into the input; only trailer
// lines (bounded, then dropped) are ever copied.

#include "httpmessage.h"
#include "httpsyntax.h"

#include <limits>

namespace Gateway::Http {

using namespace Internal;

namespace {

// Positions inside a chunk-ext (RFC 9112 §7.1.1):
// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
enum ExtState : quint8 {
    AfterSizeWs, // BWS after the size: only more BWS or ';'
    BeforeName,  // after ';'
    Name,
    AfterNameWs,
    BeforeValue, // after '='
    TokenValue,
    Quoted,
    QuotedEscape,
    AfterQuoted,
    AfterValueWs,
};

constexpr int MaxSizeDigits = 32; // leading zeros included; 16 significant digits overflow anyway

bool isQdtext(unsigned char c)
{
    return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b)
           || (c >= 0x5d && c <= 0x7e) || c >= 0x80;
}

bool validTrailerLine(QByteArrayView line) // without the CRLF
{
    qsizetype i = 0;
    while (i < line.size() && is(line[i], Tchar))
        ++i;
    if (i == 0 || i >= line.size() || line[i] != ':')
        return false;
    for (++i; i < line.size(); ++i) {
        if (!is(line[i], ValueChar))
            return false;
    }
    return true;
}

} // namespace

BodyDecoder::BodyDecoder(BodyKind kind, qint64 contentLength, ParserLimits limits)
    : m_kind(kind)
    , m_remaining(kind == BodyKind::ContentLength ? contentLength : 0)
    , m_limits(limits)
{
    if (kind == BodyKind::None || (kind == BodyKind::ContentLength && contentLength <= 0))
        m_state = State::Done;
}

bool BodyDecoder::isDone() const
{
    // A default-constructed decoder (BodyKind::None) has no body to wait for.
    return (m_state == State::Done || m_kind == BodyKind::None) && !m_failed;
}

qint64 BodyDecoder::remaining() const
{
    if (m_kind == BodyKind::ContentLength)
        return m_remaining;
    return isDone() ? 0 : -1; // unknown for chunked and close-delimited bodies
}

BodyDecoder::Result BodyDecoder::feed(QByteArrayView input, const Sink &sink)
{
    Result r;
    if (m_failed) {
        r.error = true;
        r.errorReason = m_failReason;
        return r;
    }
    if (m_state == State::Done || m_kind == BodyKind::None) {
        m_state = State::Done;
        r.done = true;
        return r;
    }
    if (m_kind == BodyKind::UntilClose) {
        if (!input.isEmpty())
            sink(input);
        r.consumed = input.size();
        return r;
    }
    if (m_kind == BodyKind::ContentLength) {
        const qsizetype take = qsizetype(qMin<qint64>(m_remaining, input.size()));
        if (take > 0)
            sink(input.first(take));
        m_remaining -= take;
        r.consumed = take;
        if (m_remaining == 0) {
            m_state = State::Done;
            r.done = true;
        }
        return r;
    }

    const char *d = input.data();
    const qsizetype n = input.size();
    qsizetype i = 0;
    auto fail = [&](const char *why) {
        m_failed = true;
        m_failReason = why;
        r.error = true;
        r.errorReason = m_failReason;
        r.consumed = i;
        return r;
    };

    while (i < n) {
        switch (m_state) {
        case State::Size: {
            const char c = d[i];
            const int v = hexValue(c);
            if (v >= 0) {
                if (++m_sizeDigitCount > MaxSizeDigits)
                    return fail("chunk size too long");
                if (m_chunkSize > (std::numeric_limits<qint64>::max() >> 4))
                    return fail("chunk size overflow");
                m_chunkSize = (m_chunkSize << 4) | v;
                m_sizeDigits = true;
                ++i;
                break;
            }
            if (!m_sizeDigits)
                return fail("invalid chunk size");
            if (c == '\r') {
                m_state = State::SizeLf;
            } else if (c == ';') {
                m_state = State::Extension;
                m_extensionState = BeforeName;
                ++m_extensionBytes;
            } else if (isOws(c)) {
                m_state = State::Extension;
                m_extensionState = AfterSizeWs;
                ++m_extensionBytes;
            } else {
                return fail("invalid chunk size");
            }
            ++i;
            break;
        }
        case State::Extension: {
            const unsigned char c = static_cast<unsigned char>(d[i]);
            if (c == '\r') {
                if (m_extensionState != Name && m_extensionState != TokenValue
                    && m_extensionState != AfterQuoted) {
                    return fail("invalid chunk extension");
                }
                m_state = State::SizeLf;
                ++i;
                break;
            }
            if (++m_extensionBytes > m_limits.maxChunkExtensions)
                return fail("chunk extensions too long");
            const bool ows = c == ' ' || c == '\t';
            const bool tchar = is(char(c), Tchar);
            bool ok = true;
            switch (m_extensionState) {
            case AfterSizeWs:
                ok = ows || c == ';';
                if (c == ';')
                    m_extensionState = BeforeName;
                break;
            case BeforeName:
                ok = ows || tchar;
                if (tchar)
                    m_extensionState = Name;
                break;
            case Name:
            case AfterNameWs:
                if (c == '=')
                    m_extensionState = BeforeValue;
                else if (c == ';')
                    m_extensionState = BeforeName;
                else if (ows)
                    m_extensionState = AfterNameWs;
                else
                    ok = tchar && m_extensionState == Name;
                break;
            case BeforeValue:
                if (tchar)
                    m_extensionState = TokenValue;
                else if (c == '"')
                    m_extensionState = Quoted;
                else
                    ok = ows;
                break;
            case TokenValue:
            case AfterQuoted:
            case AfterValueWs:
                if (c == ';')
                    m_extensionState = BeforeName;
                else if (ows)
                    m_extensionState = AfterValueWs;
                else
                    ok = tchar && m_extensionState == TokenValue;
                break;
            case Quoted:
                if (c == '"')
                    m_extensionState = AfterQuoted;
                else if (c == '\\')
                    m_extensionState = QuotedEscape;
                else
                    ok = isQdtext(c);
                break;
            case QuotedEscape:
                ok = c == '\t' || c == ' ' || (c > 0x20 && c != 0x7f);
                m_extensionState = Quoted;
                break;
            default: ok = false; break;
            }
            if (!ok)
                return fail("invalid chunk extension");
            ++i;
            break;
        }
        case State::SizeLf:
            if (d[i] != '\n')
                return fail("bare CR in chunk size line");
            ++i;
            if (m_chunkSize == 0) {
                m_state = State::Trailer;
                m_trailerLine.clear();
            } else {
                m_state = State::Data;
            }
            break;
        case State::Data: {
            const qsizetype take = qsizetype(qMin<qint64>(m_chunkSize, n - i));
            sink(QByteArrayView(d + i, take));
            m_chunkSize -= take;
            i += take;
            if (m_chunkSize == 0)
                m_state = State::DataCr;
            break;
        }
        case State::DataCr:
            if (d[i] != '\r')
                return fail("chunk data not followed by CRLF");
            m_state = State::DataLf;
            ++i;
            break;
        case State::DataLf:
            if (d[i] != '\n')
                return fail("chunk data not followed by CRLF");
            m_state = State::Size;
            m_chunkSize = 0;
            m_sizeDigits = false;
            m_sizeDigitCount = 0;
            ++i;
            break;
        case State::Trailer: {
            const void *lf = memchr(d + i, '\n', size_t(n - i));
            const qsizetype end = lf ? static_cast<const char *>(lf) - d + 1 : n;
            m_trailerBytes += end - i;
            if (m_trailerBytes > m_limits.maxTrailerSection)
                return fail("trailer section too large");
            m_trailerLine.append(d + i, end - i);
            i = end;
            if (!lf)
                break;
            const QByteArrayView line = m_trailerLine;
            if (line.size() < 2 || line[line.size() - 2] != '\r')
                return fail("bare LF in trailer section");
            const QByteArrayView field = line.first(line.size() - 2);
            if (field.isEmpty()) {
                m_state = State::Done;
                m_trailerLine = QByteArray();
                r.consumed = i;
                r.done = true;
                return r;
            }
            if (!validTrailerLine(field))
                return fail("invalid trailer field");
            m_trailerLine.clear(); // dropped: trailers are never forwarded nor merged
            break;
        }
        case State::Done:
            r.consumed = i;
            r.done = true;
            return r;
        }
    }
    r.consumed = i;
    return r;
}

} // namespace Gateway::Http
