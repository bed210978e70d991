#pragma once

// Reads the server_name (SNI) of a TLS ClientHello from the first bytes of a connection, peeked
// before TLS starts (QSslSocket has no server-side SNI callback; reliability-cases.md T03).
// Bounded and tolerant: garbage gives Invalid, never a crash or an over-read.

#include <QByteArrayView>
#include <QString>

namespace Gateway::Tls {

struct ClientHelloInfo
{
    enum class Status {
        NeedMore, // a prefix of a plausible ClientHello: peek again when more bytes arrive
        NotTls,   // the first byte is not a TLS handshake record (0x16): plain HTTP?
        Invalid,  // a TLS record, but not a ClientHello we can read (let TLS fail it)
        Complete  // parsed; serverName may be empty (no SNI extension)
    };
    Status status = Status::NeedMore;
    QString serverName; // lower-case host_name, without a trailing dot
};

// The largest prefix worth peeking: one TLS record (16 KiB) plus its header.
inline constexpr int MaxClientHelloBytes = 16384 + 5;

ClientHelloInfo parseClientHello(QByteArrayView bytes);

} // namespace Gateway::Tls
