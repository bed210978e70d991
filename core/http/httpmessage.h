#pragma once

// Sans-IO HTTP/1.1 message types, parsers and serializers. No sockets here: parsers take bytes
// and return results; the proxy feeds them. Strictness follows reliability-cases.md §1–§2: any
// ambiguity that touches framing is an error (the caller answers it and closes), and the gateway
// re-frames every message it forwards (serializeRequestHead / serializeResponseHead never copy
// the peer's framing headers).

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <functional>

namespace Gateway::Http {

struct Header
{
    QByteArray name;  // as received (case kept)
    QByteArray value; // OWS trimmed
};

using Headers = QList<Header>;

// Case-insensitive look-ups over a header list.
QByteArray headerValue(const Headers &headers, QByteArrayView name); // first value or null
int headerCount(const Headers &headers, QByteArrayView name);
bool headerHasToken(const Headers &headers, QByteArrayView name, QByteArrayView token); // list-aware
void removeHeaders(Headers &headers, QByteArrayView name);
// Azure forwards only request fields whose names are letters, digits and '-' (azure-reference.md
// §7); the parser keeps every valid token, the proxy drops the others with this test.
bool isForwardableFieldName(QByteArrayView name);

enum class BodyKind {
    None,          // no body
    ContentLength, // contentLength bytes
    Chunked,       // chunked transfer coding
    UntilClose     // responses only: read until the backend closes
};

struct RequestHead
{
    QByteArray method;
    QByteArray target; // request-target as received
    QByteArray path;   // origin-form path (absolute-form reduced to its path), not decoded
    QByteArray query;  // without the '?', may be empty
    bool hasQuery = false;
    int versionMajor = 1;
    int versionMinor = 1;
    Headers headers;       // every field line, in order (framing fields included, for inspection)
    QByteArray host;       // routing host: lower-cased, port and trailing dot removed; from the
                           // absolute-form authority when present, else the Host header
    QByteArray hostHeader; // the Host value as received (absolute-form: the authority)
    BodyKind bodyKind = BodyKind::None;
    qint64 contentLength = 0;
    bool keepAlive = true;         // false after "Connection: close" or an HTTP/1.0 request
    bool expectContinue = false;   // "Expect: 100-continue" on HTTP/1.1
    bool upgradeWebSocket = false; // GET, HTTP/1.1+, Upgrade: websocket, Connection has "upgrade"
    bool idempotent() const;       // GET HEAD PUT DELETE OPTIONS TRACE
};

struct ResponseHead
{
    int versionMajor = 1;
    int versionMinor = 1;
    int status = 0;
    QByteArray reason;
    Headers headers;
    BodyKind bodyKind = BodyKind::None;
    qint64 contentLength = 0;
    bool keepAlive = true; // false: the backend connection must not be reused after this response
};

// The outcome of a head parse. On Error, status is what the gateway answers (400, 414, 431, 501,
// 505, 417; for responses 502) and the connection is closed after the answer.
struct ParseResult
{
    enum class Status { Incomplete, Complete, Error };
    Status status = Status::Incomplete;
    qsizetype consumed = 0; // bytes of the head (including the final CRLF) when Complete
    int errorStatus = 0;
    QByteArray errorReason; // short, for logs ("duplicate Content-Length")
};

struct ParserLimits
{
    qsizetype maxRequestTarget = 32 * 1024; // Azure: max URL length 32 KB -> 414
    qsizetype maxHeaderSection = 32 * 1024; // Azure: max header size 32 KB -> 431
    int maxHeaderCount = 100;               // -> 431
    qsizetype maxChunkExtensions = 4096;    // per message -> 400
    qsizetype maxTrailerSection = 8192;     // trailers are dropped, but bounded -> 400
};

// Parses a request head from the start of a buffer. Call again with the grown buffer while it
// returns Incomplete (it keeps no state between calls except for what it needs to detect bad
// input early, so incomplete input is waited for, and bad input is refused as soon as it shows).
class RequestParser
{
public:
    explicit RequestParser(ParserLimits limits = {}) : m_limits(limits) {}
    ParseResult parse(QByteArrayView buffer, RequestHead *head);
    void reset() {}
    const ParserLimits &limits() const { return m_limits; }

private:
    ParserLimits m_limits;
};

class ResponseParser
{
public:
    explicit ResponseParser(ParserLimits limits = {}) : m_limits(limits) {}
    // requestMethod decides HEAD/CONNECT framing; a 1xx is Complete with status < 200.
    ParseResult parse(QByteArrayView buffer, QByteArrayView requestMethod, ResponseHead *head);

private:
    ParserLimits m_limits;
};

// Decodes a message body (Content-Length or chunked) incrementally. Payload bytes are handed to
// the sink as views into the input (no copy); chunk framing, extensions and trailers are
// consumed and never passed on.
class BodyDecoder
{
public:
    using Sink = std::function<void(QByteArrayView payload)>;
    struct Result
    {
        qsizetype consumed = 0; // input bytes used (the rest belongs to the next message)
        bool done = false;      // the body is complete
        bool error = false;
        QByteArray errorReason;
    };

    BodyDecoder() = default;
    BodyDecoder(BodyKind kind, qint64 contentLength, ParserLimits limits = {});
    Result feed(QByteArrayView input, const Sink &sink);
    bool isDone() const;
    qint64 remaining() const; // for ContentLength

private:
    enum class State { Size, Extension, SizeLf, Data, DataCr, DataLf, Trailer, Done };
    BodyKind m_kind = BodyKind::None;
    qint64 m_remaining = 0;
    State m_state = State::Size;
    qint64 m_chunkSize = 0;
    bool m_sizeDigits = false;
    qsizetype m_extensionBytes = 0;
    qsizetype m_trailerBytes = 0;
    QByteArray m_trailerLine;
    ParserLimits m_limits;
    // Added by the implementation: position inside a chunk-ext, digit count, sticky failure.
    quint8 m_extensionState = 0;
    int m_sizeDigitCount = 0;
    bool m_failed = false;
    QByteArray m_failReason;
};

// Serializers. The caller decides the framing it sends: ContentLength (with contentLength),
// Chunked, or None. Hop-by-hop fields (Connection and what it names, Keep-Alive,
// Proxy-Connection, TE, Transfer-Encoding, Upgrade, Content-Length) are never copied from the
// input head; extra fields are appended after the kept ones. With upgradeWebSocket the head
// carries "Connection: Upgrade" and "Upgrade: websocket" and keepAlive is not expressed (an
// upgraded upstream connection is never reused). Fields whose name is not a token or whose value
// holds CR, LF, NUL or another control byte are never emitted.
QByteArray serializeRequestHead(const QByteArray &method, const QByteArray &target,
                                const Headers &headers, BodyKind framing, qint64 contentLength,
                                bool upgradeWebSocket, bool keepAlive = true);
QByteArray serializeResponseHead(int status, const QByteArray &reason, const Headers &headers,
                                 BodyKind framing, qint64 contentLength, bool keepAlive,
                                 bool upgrade = false);
// Removes hop-by-hop fields (and every field named by Connection) from a header list.
void stripHopByHop(Headers &headers);

// Building blocks of the two serializers, for a proxy that writes a forwarded head straight into
// one buffer (no intermediate header list): start line, fields, then appendHeadEnd.
void appendRequestLine(QByteArray &out, QByteArrayView method, QByteArrayView target);
void appendStatusLine(QByteArray &out, int status, const QByteArray &reason);
void appendField(QByteArray &out, QByteArrayView name, QByteArrayView value); // unsafe: dropped
// The end-to-end fields of `headers`: hop-by-hop fields, Content-Length, fields named by
// Connection and unsafe fields are dropped; so is every field for which skip returns true.
void appendEndToEndFields(QByteArray &out, const Headers &headers,
                          const std::function<bool(const Header &)> &skip = {});
// Framing (Content-Length or Transfer-Encoding), Connection, and the empty line.
void appendHeadEnd(QByteArray &out, BodyKind framing, qint64 contentLength, bool upgrade,
                   bool keepAlive);
qsizetype estimateHeadSize(const Headers &headers);
QByteArray chunkHeader(qsizetype size); // "1a2b\r\n"
inline constexpr QByteArrayView ChunkTrailerCrlf = "\r\n";
inline constexpr QByteArrayView LastChunk = "0\r\n\r\n";

QByteArray reasonPhrase(int status);

} // namespace Gateway::Http
