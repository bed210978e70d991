#include "requestcases.h"

namespace TestSupport {

namespace {

using Outcome = RequestCase::Outcome;
using Stage = RequestCase::Stage;

// A literal with embedded NULs kept.
template<qsizetype N>
QByteArray B(const char (&s)[N])
{
    return QByteArray(s, N - 1);
}

const QByteArray H = "Host: a\r\n";

class Table
{
public:
    QList<RequestCase> cases;

    RequestCase &reject(const QByteArray &id, const QByteArray &bytes, int status = 400,
                        Stage stage = Stage::Head)
    {
        RequestCase c;
        c.id = id;
        c.bytes = bytes;
        c.outcome = Outcome::Reject;
        c.status = status;
        c.stage = stage;
        cases.append(c);
        return cases.last();
    }
    RequestCase &rejectBody(const QByteArray &id, const QByteArray &bytes, int status = 400)
    {
        return reject(id, bytes, status, Stage::Body);
    }
    RequestCase &forward(const QByteArray &id, const QByteArray &bytes, const QByteArray &method,
                         const QByteArray &target, const QByteArray &body = {},
                         const QByteArray &host = "a", int requests = 1)
    {
        RequestCase c;
        c.id = id;
        c.bytes = bytes;
        c.outcome = Outcome::Forward;
        c.status = 0;
        c.method = method;
        c.target = target;
        c.body = body;
        c.host = host;
        c.requests = requests;
        cases.append(c);
        return cases.last();
    }
};

// "POST / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n" + body
QByteArray post(const QByteArray &fields, const QByteArray &body = {})
{
    return "POST / HTTP/1.1\r\n" + H + fields + "\r\n" + body;
}

QByteArray chunkedPost(const QByteArray &body)
{
    return post("Transfer-Encoding: chunked\r\n", body);
}

QByteArray get(const QByteArray &fields)
{
    return "GET / HTTP/1.1\r\n" + H + fields + "\r\n";
}

QByteArray manyHeaders(int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += "X-H" + QByteArray::number(i) + ": v\r\n";
    return out;
}

// A GET whose header section (field lines + final CRLF) is exactly `size` bytes.
QByteArray getWithSectionSize(qsizetype size)
{
    const qsizetype fixed = H.size() + QByteArray("X-Pad: \r\n").size() + 2;
    return "GET / HTTP/1.1\r\n" + H + "X-Pad: " + QByteArray(size - fixed, 'p') + "\r\n\r\n";
}

QByteArray getTarget(qsizetype length)
{
    return "GET /" + QByteArray(length - 1, 'a') + " HTTP/1.1\r\n" + H + "\r\n";
}

void requestSmuggling(Table &t)
{
    t.reject("P01 CL.TE", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"))
        .note = "400 (the row's first choice; nginx, Envoy)";
    t.reject("P02 TE.CL with a smuggled GET",
             post("Transfer-Encoding: chunked\r\nContent-Length: 31\r\n",
                  "0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"));
    t.reject("P03 duplicate Content-Length 1 then 0",
             post("Content-Length: 1\r\nContent-Length: 0\r\n", "Z"));
    t.reject("P03 duplicate Content-Length 0 then 1",
             post("Content-Length: 0\r\nContent-Length: 1\r\n", "Z"));
    t.reject("P04 Content-Length list with empty member", post("Content-Length: 0,\r\n"));
    t.reject("P04 Content-Length list of different values",
             post("Content-Length: 5, 10\r\n", "hello"));
    t.reject("P04 Content-Length identical twice",
             post("Content-Length: 0\r\nContent-Length: 0\r\n"))
        .note = "every duplicate is refused (nginx)";
    t.reject("P05 empty Content-Length", post("Content-Length: \r\n"));
    t.reject("P05 empty Content-Length then 43",
             post("Content-Length: \r\nContent-Length: 43\r\n"));
    for (const char *v : {"+10", "-48", "0x10", "1_0", "1Z", "1 0", "abc"}) {
        t.reject("P06 Content-Length " + QByteArray(v),
                 post("Content-Length: " + QByteArray(v) + "\r\n", "0123456789"));
    }
    t.forward("P06 Content-Length 010 is decimal ten",
              post("Content-Length: 010\r\n", "0123456789"), "POST", "/", "0123456789");
    t.reject("P07 Content-Length overflow", post("Content-Length: 99999999999999999999999\r\n"));
    t.reject("P07 Content-Length negative overflow",
             post("Content-Length: -123456789123456789123456789\r\n"));
    t.reject("P08 Transfer-Encoding twice",
             post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"));
    t.reject("P08 chunked, chunked", post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"));
    t.reject("P09 Transfer-Encoding identity", post("Transfer-Encoding: identity\r\n", "0\r\n\r\n"),
             501);
    t.reject("P09 gzip, chunked", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501);
    t.reject("P09 chunked, identity", post("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n"),
             501);
    t.reject("P10 chunked, gzip (chunked not final)",
             post("Transfer-Encoding: chunked, gzip\r\n", "0\r\n\r\n"));

    const QList<QByteArray> obfuscated = {"xchunked",
                                          "\"chunked\"",
                                          "chunk",
                                          ",chunked",
                                          "chunked\x0b",
                                          B("\xa0"
                                            "chunked"
                                            "\xa0"),
                                          B("\xff"
                                            "chunked"
                                            "\xff"),
                                          B("ch\x96"
                                            "nked")};
    for (const QByteArray &v : obfuscated) {
        t.reject("P11 Transfer-Encoding: " + v.toPercentEncoding(" ,\""),
                 post("Transfer-Encoding: " + v + "\r\n", "0\r\n\r\n"))
            .note = "the value must be exactly chunked";
    }
    t.reject("P11 Transfer_Encoding (underscore name)",
             post("Transfer_Encoding: chunked\r\n", "0\r\n\r\n"))
        .note = "a valid but foreign field name: the POST then has no length (Azure: POST without "
                "Content-Length is 400)";
    t.reject("P11 Transfer Encoding (space in name)",
             post("Transfer Encoding: chunked\r\n", "0\r\n\r\n"));
    t.forward("P11 TrAnSFer-EnCODinG: cHuNkeD is valid",
              post("TrAnSFer-EnCODinG: cHuNkeD\r\n", "5\r\nhello\r\n0\r\n\r\n"), "POST", "/",
              "hello")
        .note =
        "the gateway re-frames the body; the received Transfer-Encoding value is never copied";
    t.reject("P12 Transfer-Encoding in HTTP/1.0",
             "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    t.reject("P13 space before colon in Content-Length", post("Content-Length : 34\r\n"));
    t.reject("P13 space before colon in Transfer-Encoding",
             post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n"));
    t.reject("P13 tabs around colon", post("Transfer-Encoding\t:\tchunked\r\n", "0\r\n\r\n"));
}

void fieldSyntax(Table &t)
{
    t.reject("P14 obs-fold", get("X: a\r\n b\r\n"));
    t.reject("P14 obs-fold of Transfer-Encoding",
             post("Transfer-Encoding:\r\n chunked\r\n", "0\r\n\r\n"));
    t.reject("P14 field name broken over two lines",
             post("Transfer-\r\nEncoding: chunked\r\n", "0\r\n\r\n"));
    t.reject("P15 tab before the first field line",
             "GET / HTTP/1.1\r\n\tContent-Length: 1\r\n" + H + "\r\nX");
    t.reject("P15 space before the first field line (HTTP/1.0)",
             "GET / HTTP/1.0\r\n foo: x\r\n\r\n");

    const QList<QByteArray> badNames = {"X-Invalid[]: t",
                                        B("foo\x02: x"),
                                        ":foo: x",
                                        B("\xef"
                                          "oo: bar"),
                                        B("Content-Length\x85: 10"),
                                        B("\x00\x01\"(),/;<=>?@[]{}: v")};
    for (const QByteArray &line : badNames)
        t.reject("P16 field name " + line.toPercentEncoding(" :-"), get(line + "\r\n"));
    t.forward("P16 x_foo and x.foo are valid tokens", get("x_foo: 1\r\nx.foo: 2\r\n"), "GET", "/")
        .note = "kept by the parser; the proxy drops names with bytes other than letters, digits "
                "and '-' as Azure does";
    t.cases.last().strippedHeaders = {"x_foo", "x.foo"};

    t.reject("P17 empty field name", get(": ignored\r\n"));
    t.reject("P17 empty name swallowing the next line", get(":\r\nI: am chopped off\r\n"));
    t.reject("P18 line without a colon", post("Content-Length 10\r\n", "0123456789"));
    t.reject("P18 LF inside a field name", get("Te\nst: test\r\n"));
    t.reject("P19 bare CR in a value", get("Header: va\rlue\r\n"));
    t.reject("P19 bare CR smuggling a field", get("Visible: :/\rSmuggled: :)\r\n"));
    t.reject("P19 bare CR smuggling Transfer-Encoding",
             post("X:X\rTransfer-Encoding: chunked\r\n", "0\r\n\r\n"));
    t.reject("P20 NUL in a value", get(B("Test: test\x00"
                                         "DROPPED\r\n")));
    t.reject("P20 NUL in Host", B("GET / HTTP/1.1\r\nHost: google.com\x00.kallus.org\r\n\r\n"));
    t.reject("P20 BEL in a value", get("X-Bad: test\x07\r\n"));
    t.forward("P20 obs-text kept byte-exact", get(B("X-Obs: caf\xe9 \xa0\xff\x85 end\r\n")), "GET",
              "/")
        .note = "obs-text (0x80-0xFF) is legal in values and forwarded unchanged";
    t.reject("P21 bare LF line endings", "GET / HTTP/1.1\nHost: a\n\n");
    t.reject("P21 bare CR ending the head",
             "GET / HTTP/1.1\r\nHost: a\r\n\rZGET /evil: HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P21 bare CR before a field line", "GET / HTTP/1.1\r\n\rSome-Header: Test\r\n\r\n");
}

void chunkedBodies(Table &t)
{
    for (const char *size :
         {"Z", "0x5", "+5", "-0x0", "0_2e", " 5", "5 ", "1these-bytes-never-get-validated"}) {
        t.rejectBody("P22 chunk size \"" + QByteArray(size) + "\"",
                     chunkedPost(QByteArray(size) + "\r\nhello\r\n0\r\n\r\n"));
    }
    t.rejectBody("P23 chunk size overflow",
                 chunkedPost("FFFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"));
    t.rejectBody("P24 runaway chunk", chunkedPost("4\r\nSEE-THIS\r\n0\r\n\r\n"));
    t.rejectBody("P24 LF only after chunk data", chunkedPost("a\r\n0123456789\n0\r\n\r\n"));
    t.forward("P24 trailer that looks like a request line",
              chunkedPost("0\r\nX:POST / HTTP/1.1\r\n\r\n"), "POST", "/", "")
        .note =
        "X:POST / HTTP/1.1 is a valid trailer field; trailers are validated and dropped, so "
        "nothing is smuggled (the row's 400 is for servers that skip two bytes after the "
        "last chunk)";
    t.rejectBody("P25 bare CR after the chunk size",
                 chunkedPost("5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\n"));
    t.rejectBody("P25 bare CR after an extension", chunkedPost("41;a=b\r\rXXX\r\n0\r\n\r\n"));
    t.rejectBody("P25 bare CR before an extension", chunkedPost("2\r\r;a\r\nxx\r\n0\r\n\r\n"));
    t.rejectBody("P25 bare semicolon", chunkedPost("5;\r\nhello\r\n0\r\n\r\n"));
    t.rejectBody("P25 control byte in an extension", chunkedPost("5;a\x01"
                                                                 "b\r\nhello\r\n0\r\n\r\n"));
    t.forward("P25 valid extensions",
              chunkedPost("5;name=value;q=\"x y\"\r\nhello\r\n0;last\r\n\r\n"), "POST", "/",
              "hello");
    t.rejectBody("P26 100000-byte chunk extension",
                 chunkedPost("1;" + QByteArray(100000, 'a') + "\r\nZ\r\n0\r\n\r\n"))
        .note = "the chunk-extension budget is 4 KiB per message";
    t.forward(
         "P27 framing fields in trailers are dropped",
         chunkedPost(
             "5\r\nhello\r\n0\r\nContent-Length: 5\r\nHost: evil\r\nTransfer-Encoding: x\r\n\r\n"),
         "POST", "/", "hello")
        .note = "trailers are validated, bounded (8 KiB) and dropped, never merged into the head";
    t.rejectBody("P27 trailer section over 8 KiB",
                 chunkedPost("0\r\nX-Big: " + QByteArray(9000, 'b') + "\r\n\r\n"));
}

void requestLine(Table &t)
{
    t.forward("P28 9000-byte request-target", getTarget(9000), "GET", "/" + QByteArray(8999, 'a'))
        .note = "Azure's URL limit is 32 KB, so 9000 bytes pass";
    t.forward("P28 request-target of exactly 32768 bytes", getTarget(32768), "GET",
              "/" + QByteArray(32767, 'a'));
    t.reject("P28 request-target of 32769 bytes", getTarget(32769), 414);
    t.reject("P29 method of 1000 G", QByteArray(1000, 'G') + " / HTTP/1.1\r\n" + H + "\r\n", 501)
        .note = "longer than any method (32 bytes max) -> 501, RFC 9112 §3";
    t.reject("P29 method with delimiters", "G=\":<>(e),[T];?\" /get HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P29 NUL method", B("\x00 / HTTP/1.1\r\nHost: a\r\n\r\n"));
    t.reject("P29 GET123 (Azure: invalid method)", "GET123 / HTTP/1.1\r\n" + H + "\r\n")
        .note = "methods are A-Z, '_' and '-' (nginx, Azure)";
    t.forward("P29 unknown method PROPFIND is forwarded", "PROPFIND /d HTTP/1.1\r\n" + H + "\r\n",
              "PROPFIND", "/d");
    for (const char *v : {"HTTP/1.32", "HTTP/4294967295.255", "HTTP/\r\r1.1", "http/1.1", "HTTP/1",
                          "HTTP/01.1", "HTTP/0.3", "HTTP/1.1 "}) {
        t.reject("P30 version " + QByteArray(v).toPercentEncoding("/."),
                 "GET / " + QByteArray(v) + "\r\n" + H + "\r\n");
    }
    t.reject("P30 version HTTP/9.9", "GET / HTTP/9.9\r\n" + H + "\r\n", 505);
    t.reject("P30 version HTTP/2.0", "GET / HTTP/2.0\r\n" + H + "\r\n", 505);
    t.forward("P30 HTTP/1.2 is served as 1.1", "GET / HTTP/1.2\r\n" + H + "\r\n", "GET", "/");
    t.reject("P31 HTTP/0.9 request", "GET /\r\n\r\n");
    t.reject("P31 HTTP/0.9 request with a space", "GET / \r\n\r\n");
    t.reject("P32 LF inside the request-line", "GET /\nHTTP/1.1\r\n" + H + "\r\n");
    t.reject("P32 two targets", "GET / / HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P32 tab separator", "GET\t/ HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P32 double spaces", "GET  /  HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P33 control byte in target", "GET /\x02 HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P33 target !", "GET ! HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P33 GET *", "GET * HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P33 OPTIONS */test", "OPTIONS */test HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P33 relative target", "GET admin HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P33 authority-form with GET", "GET haproxy.org:80 HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P33 CONNECT /", "CONNECT / HTTP/1.1\r\n" + H + "\r\n")
        .note = "CONNECT needs an authority-form target: 400 (nginx \"connect no port\")";
    t.reject("P33 CONNECT is refused", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 405);
    t.reject("P33 truncated percent-encoding", "GET /foo% HTTP/1.1\r\n" + H + "\r\n");
    t.reject("P33 non-ASCII target (Azure)", B("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n"));
    t.forward("P33 OPTIONS *", "OPTIONS * HTTP/1.1\r\n" + H + "\r\n", "OPTIONS", "*");
}

void hosts(Table &t)
{
    t.reject("P34 no Host", "GET / HTTP/1.1\r\n\r\n");
    t.reject("P34 two Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    t.reject("P34 Host list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n");
    for (const QByteArray &host :
         {QByteArray("example.com/\\:552"), QByteArray("..examp-LE.com"),
          QByteArray("1.2.3.4:9000:80"), QByteArray("[abcd::1"), QByteArray("localhost\x02"),
          QByteArray("1.2.3.4:98777"), QByteArray("")}) {
        t.reject("P34 Host " + host.toPercentEncoding(":.[]-"),
                 "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }
    t.forward("P34 HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", "GET", "/", {}, {})
        .note = "allowed; routed by the default listener; upstream gets a generated Host";
    t.forward("P34 Host normalisation", "GET / HTTP/1.1\r\nHost: Example.COM.:80\r\n\r\n", "GET",
              "/", {}, "example.com");
    t.forward("P34 IPv6 Host", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "GET", "/", {},
              "[::1]");
    t.forward("P35 absolute-form wins over Host",
              "GET http://h:8080/x?y=1 HTTP/1.1\r\nHost: other\r\n\r\n", "GET", "/x?y=1", {}, "h")
        .note = "routed on the target's authority; Host is regenerated upstream";
    t.reject("P35 userinfo in absolute-form", "GET http://user:pw@h/ HTTP/1.1\r\nHost: h\r\n\r\n");
    t.reject("P35 fragment in absolute-form", "GET http://h#frag HTTP/1.1\r\nHost: h\r\n\r\n");
}

void semantics(Table &t)
{
    t.forward("P36 Expect: 100-continue with the body sent at once",
              post("Content-Length: 5\r\nExpect: 100-continue\r\n", "hello"), "POST", "/", "hello");
    t.forward("P36 Expect: 100-Continue (case-insensitive)",
              post("Content-Length: 5\r\nExpect: 100-Continue\r\n", "hello"), "POST", "/", "hello");
    t.reject("P36 unknown expectation", post("Content-Length: 5\r\nExpect: foo\r\n", "hello"), 417);
    t.forward("P36 Expect is ignored on HTTP/1.0",
              "POST / HTTP/1.0\r\nContent-Length: 5\r\nExpect: foo\r\n\r\nhello", "POST", "/",
              "hello", {})
        .note = "no 100 and no 417 for HTTP/1.0; the ignored Expect is not sent upstream as 1.1";
    t.cases.last().strippedHeaders = {"Expect"};
    t.forward("P37 GET with a body", get("Content-Length: 10\r\n") + "1234567890", "GET", "/",
              "1234567890")
        .note = "the body is forwarded with its length, never parsed as a request";
    t.forward("P37 GET with a body, then a second request",
              get("Content-Length: 10\r\n") + "1234567890" + get({}), "GET", "/", "1234567890", "a",
              2);
    t.forward("P38 two requests in one write", get({}) + get({}), "GET", "/", {}, "a", 2);
    QByteArray hundred;
    for (int i = 0; i < 100; ++i)
        hundred += get({});
    t.forward("P38 100 requests in one write", hundred, "GET", "/", {}, "a", 100);
    t.forward("P38 nothing is parsed after Connection: close",
              get("Connection: close\r\n") + "Invalid\r\n\r\n", "GET", "/");
    t.forward("P38 a body that looks like a request",
              post("Content-Length: 0\r\n") + post("Content-Length: 34\r\n")
                  + "GET /smuggle HTTP/1.1\r\nHost: a\r\n\r\n",
              "POST", "/", {}, "a", 2)
        .note = "the second POST's 34-byte body is \"GET /smuggle ...\", never a third request";
    t.forward("P39 one 16 KiB field", get("X-Big: " + QByteArray(16 * 1024, 'v') + "\r\n"), "GET",
              "/")
        .note = "under Azure's 32 KB header limit";
    t.forward("P39 100 fields", get(manyHeaders(99)), "GET", "/")
        .note = "Host + 99 = 100, the limit";
    t.reject("P39 101 fields", get(manyHeaders(100)), 431);
    t.reject("P39 200 fields", get(manyHeaders(199)), 431);
    t.forward("P39 header section of exactly 32768 bytes", getWithSectionSize(32768), "GET", "/");
    t.reject("P39 header section of 32769 bytes", getWithSectionSize(32769), 431);
    t.reject("P39 64 KiB header section", get("X-Big: " + QByteArray(64 * 1024, 'v') + "\r\n"), 431);
    t.forward("P40 hop-by-hop fields are stripped",
              get("Connection: close, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\n"
                  "Proxy-Connection: x\r\nTE: trailers, gzip\r\nUpgrade: foo\r\n"),
              "GET", "/")
        .strippedHeaders = {"X-Secret", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade"};
}

void azureRules(Table &t)
{
    t.reject("Azure POST without Content-Length", post({}));
    t.reject("Azure PUT without Content-Length", "PUT / HTTP/1.1\r\n" + H + "\r\n");
    t.reject("Azure duplicate Authorization",
             get("Authorization: Basic YTpi\r\nAuthorization: Basic Yzpk\r\n"));
    t.reject("Azure two colons in Host", "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n");
    t.reject("Azure non-ASCII field name", get(B("X-Caf\xc3\xa9: 1\r\n")));
    t.forward("Azure POST with Content-Length: 0", post("Content-Length: 0\r\n"), "POST", "/");
    t.forward("Azure POST on HTTP/1.0 without a length", "POST / HTTP/1.0\r\n\r\n", "POST", "/", {},
              {})
        .note = "an HTTP/1.0 request without Content-Length has no body (upstream, as HTTP/1.1, it "
                "needs Content-Length: 0 and a Host)";
}

void webSockets(Table &t)
{
    const QByteArray key =
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    auto ws = [&](const QByteArray &fields,
                  const QByteArray &start = "GET /ws HTTP/1.1") -> QByteArray {
        return start + "\r\n" + H + fields + "\r\n";
    };
    t.forward("W01 upgrade", ws("Connection: Upgrade\r\nUpgrade: websocket\r\n" + key), "GET", "/ws")
        .upgrade = true;
    t.forward("W02 Connection: keep-alive, Upgrade",
              ws("Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n" + key), "GET", "/ws")
        .upgrade = true;
    t.forward("W02 connection: UPGRADE", ws("connection: UPGRADE\r\nUpgrade: websocket\r\n" + key),
              "GET", "/ws")
        .upgrade = true;
    t.forward("W02 Upgrade: Websocket", ws("Connection: Upgrade\r\nUpgrade: Websocket\r\n" + key),
              "GET", "/ws")
        .upgrade = true;
    t.forward("W03 Upgrade without Connection: Upgrade", ws("Upgrade: websocket\r\n" + key), "GET",
              "/ws")
        .strippedHeaders = {"Upgrade"};
    t.reject("W04 upgrade without Sec-WebSocket-Key",
             ws("Connection: Upgrade\r\nUpgrade: websocket\r\n"));
    t.reject("W04 two Upgrade fields",
             ws("Connection: Upgrade\r\nUpgrade: proto1, websocket, proto2\r\nUpgrade: proto3\r\n"
                + key));
    t.forward("W05 upgrade on HTTP/1.0 is ignored",
              ws("Connection: Upgrade\r\nUpgrade: websocket\r\n" + key, "GET /ws HTTP/1.0"), "GET",
              "/ws")
        .strippedHeaders = {"Upgrade"};
    t.forward("W06 POST with upgrade fields is plain HTTP",
              ws("Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n" + key,
                 "POST /ws HTTP/1.1"),
              "POST", "/ws")
        .strippedHeaders = {"Upgrade"};
}

} // namespace

QList<RequestCase> requestCases()
{
    static const QList<RequestCase> cases = [] {
        Table t;
        requestSmuggling(t);
        fieldSyntax(t);
        chunkedBodies(t);
        requestLine(t);
        hosts(t);
        semantics(t);
        azureRules(t);
        webSockets(t);
        return t.cases;
    }();
    return cases;
}

} // namespace TestSupport
