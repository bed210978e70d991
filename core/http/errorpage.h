#pragma once

// Gateway-generated error responses, as Azure Application Gateway v2 sends them: the nginx-style
// HTML page of azure-reference.md §8 with `Server: Microsoft-Azure-Application-Gateway/v2`.

#include <QByteArray>

namespace Gateway::Http {

inline constexpr char ServerName[] = "Microsoft-Azure-Application-Gateway/v2";

// The HTML body for `status`, e.g. "<html>\r\n<head><title>502 Bad Gateway</title>...".
QByteArray errorPageBody(int status);

// A complete HTTP/1.1 response (status line, headers, body). keepAlive false adds
// `Connection: close`. extraHeaders are complete field lines ("Name: value\r\n"...), appended
// after the standard ones.
// customBody: a custom error page (customerrorpages.h) to send instead of the default body.
QByteArray errorPageResponse(int status, bool keepAlive, const QByteArray &extraHeaders = {},
                             const QByteArray &customBody = {});

// nginx's "400 The plain HTTP request was sent to HTTPS port" page (always Connection: close).
QByteArray plainHttpToHttpsPortResponse();

// Mutual TLS refused (azure-reference.md §8: every client certificate failure is a 400): nginx's
// "400 No required SSL certificate was sent" when the client sent none, else "400 The SSL
// certificate error". Always Connection: close.
QByteArray clientCertificateErrorResponse(bool missing);

} // namespace Gateway::Http
