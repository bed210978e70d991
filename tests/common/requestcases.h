#pragma once

// The byte-level request cases of reliability-cases.md §2 (rows P01–P40, every variant of each
// row, plus Azure's own 400 rules and the WebSocket rows W02–W06) with the gateway's expected
// reaction. Shared by the parser unit tests (tests/core/httprequestparser) and the proxy
// integration tests, which send `bytes` through a real gateway to a fake backend.
//
// Reading a case:
//   outcome == Reject:  the client gets a response with `status`, then the connection closes.
//                       stage == Head: the head is refused, nothing at all reaches the backend.
//                       stage == Body: the head is valid, the body framing is not (chunked
//                       errors). A gateway that buffers the body sends nothing upstream; one that
//                       streams may have sent the head and part of the body, but must abort the
//                       upstream connection: the backend never sees a complete request.
//   outcome == Forward: exactly `requests` clean requests reach the backend (then, if the client
//                       said Connection: close, nothing more). The first one has `method`,
//                       origin-form `target` (absolute-form is reduced to path + query), routing
//                       `host` (lower-case, no port; empty for HTTP/1.0 without Host) and the
//                       decoded `body`. `upgrade` says it is a WebSocket upgrade. None of
//                       `strippedHeaders` may reach the backend.

#include <QByteArray>
#include <QList>

namespace TestSupport {

struct RequestCase
{
    enum class Outcome { Reject, Forward };
    enum class Stage { Head, Body };

    QByteArray id;    // row and variant, e.g. "P01 CL.TE"
    QByteArray bytes; // exactly what the client sends
    Outcome outcome = Outcome::Reject;
    // Reject
    int status = 400;
    Stage stage = Stage::Head;
    // Forward
    int requests = 1;
    QByteArray method;
    QByteArray target;
    QByteArray host;
    QByteArray body;
    bool upgrade = false;
    QList<QByteArray> strippedHeaders;
    QByteArray note; // why, when the reaction is a choice between what the row offers
};

QList<RequestCase> requestCases();

} // namespace TestSupport
