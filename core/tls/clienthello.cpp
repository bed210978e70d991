#include "tls/clienthello.h"

namespace Gateway::Tls {

namespace {

// A bounds-checked reader over a byte range.
struct Reader
{
    const unsigned char *p;
    qsizetype left;
    bool ok = true;

    quint32 take(int n)
    {
        if (!ok || left < n) {
            ok = false;
            return 0;
        }
        quint32 v = 0;
        for (int i = 0; i < n; ++i)
            v = (v << 8) | p[i];
        p += n;
        left -= n;
        return v;
    }
    Reader sub(qsizetype n)
    {
        if (!ok || left < n) {
            ok = false;
            return Reader{p, 0, false};
        }
        Reader r{p, n};
        p += n;
        left -= n;
        return r;
    }
};

} // namespace

ClientHelloInfo parseClientHello(QByteArrayView bytes)
{
    using S = ClientHelloInfo::Status;
    ClientHelloInfo info;
    if (bytes.isEmpty())
        return info;
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
    if (data[0] != 0x16) {
        info.status = S::NotTls;
        return info;
    }
    if (bytes.size() < 5)
        return info; // NeedMore
    // Record header: type, version (3, x), length.
    if (data[1] != 0x03) {
        info.status = S::Invalid;
        return info;
    }
    const qsizetype recordLength = (qsizetype(data[3]) << 8) | data[4];
    if (recordLength < 4 || recordLength > 16384) {
        info.status = S::Invalid;
        return info;
    }
    // The ClientHello may span records in theory; we only read the first one (as nginx does for
    // its SNI callback input in practice: browsers send it in one record).
    const qsizetype available = std::min(bytes.size() - 5, recordLength);
    Reader record{data + 5, available};
    if (record.left < 4)
        return info;
    if (record.p[0] != 0x01) { // handshake type client_hello
        info.status = S::Invalid;
        return info;
    }
    record.take(1);
    const qsizetype helloLength = record.take(3);
    if (helloLength > recordLength - 4) {
        // A hello that spans records: we cannot read it; proceed without SNI.
        info.status = S::Complete;
        return info;
    }
    if (record.left < helloLength)
        return info; // NeedMore
    Reader hello = record.sub(helloLength);
    hello.take(2);            // client_version
    hello.sub(32);            // random
    hello.sub(hello.take(1)); // session_id
    hello.sub(hello.take(2)); // cipher_suites
    hello.sub(hello.take(1)); // compression_methods
    if (!hello.ok) {
        info.status = S::Invalid;
        return info;
    }
    info.status = S::Complete;
    if (hello.left == 0)
        return info; // no extensions
    Reader extensions = hello.sub(hello.take(2));
    while (extensions.ok && extensions.left >= 4) {
        const quint32 type = extensions.take(2);
        Reader ext = extensions.sub(extensions.take(2));
        if (!ext.ok)
            break;
        if (type != 0) // server_name
            continue;
        Reader list = ext.sub(ext.take(2));
        while (list.ok && list.left >= 3) {
            const quint32 nameType = list.take(1);
            Reader name = list.sub(list.take(2));
            if (!name.ok)
                break;
            if (nameType != 0) // host_name
                continue;
            QString host = QString::fromLatin1(reinterpret_cast<const char *>(name.p), name.left)
                               .toLower();
            if (host.endsWith(QLatin1Char('.')))
                host.chop(1);
            // Only a plausible DNS name (RFC 6066: no IP literals, ASCII).
            bool plausible = !host.isEmpty() && host.size() <= 253;
            for (QChar c : std::as_const(host))
                plausible = plausible
                            && (c.isLetterOrNumber() || c == QLatin1Char('-')
                                || c == QLatin1Char('.') || c == QLatin1Char('_'))
                            && c.unicode() < 128;
            if (plausible)
                info.serverName = host;
            return info;
        }
        break;
    }
    return info;
}

} // namespace Gateway::Tls
