#pragma once

// Azure Application Gateway's server variables (azure-reference.md §6), as rewrite conditions
// and values read them (`var_<name>`): what comes from the connection is gathered once per
// request in ConnectionVariables; the rest is read from the request and response heads.

#include "http/httpmessage.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QStringList>

namespace Gateway::Filter::Rewrite {

struct ConnectionVariables
{
    QByteArray clientIp; // without port
    int clientPort = 0;
    int serverPort = 0; // the frontend port the request arrived on
    bool https = false;
    QByteArray sslProtocol;      // "TLSv1.3"; empty on plain HTTP
    QByteArray cipher;           // the negotiated cipher (ciphers_used)
    QByteArray ciphersSupported; // the client's offer, ':'-separated, when known
    qint64 tcpRttUs = -1;        // client_tcp_rtt in microseconds; -1: unknown
    // The request as received, before any rewrite.
    QByteArray originalPath;
    QByteArray originalQuery;
    bool originalHasQuery = false;
    QByteArray incomingForwardedFor; // the client's X-Forwarded-For values, joined with ", "
    qint64 receivedBytes = 0;
    // Mutual TLS (sslProfiles with clientAuthConfiguration), from the connection's verified
    // client certificate (Net::Stream::clientCertificate). On a listener without client
    // authentication, verification is "NONE" and the certificate fields are empty, as on Azure.
    QByteArray clientCertificate; // PEM
    QByteArray clientCertificateStartDate;
    QByteArray clientCertificateEndDate;
    QByteArray clientCertificateFingerprint;
    QByteArray clientCertificateIssuer;
    QByteArray clientCertificateSerial;
    QByteArray clientCertificateSubject;
    QByteArray clientCertificateVerification = QByteArrayLiteral("NONE");
};

// What a server variable is read from.
struct VariableScope
{
    const ConnectionVariables *connection = nullptr;
    const Http::RequestHead *request = nullptr;   // the request as it is now (after rewrites)
    const Http::ResponseHead *response = nullptr; // null while the request is rewritten
    qint64 sentBytes = 0;
};

// Every name Azure documents (cookie_<name> stands for the prefix), for validation and docs.
const QStringList &serverVariableNames();
bool isServerVariable(QByteArrayView name); // exact names plus cookie_<name>
// Variables that only exist once the backend answered (http_status, sent_bytes).
bool isResponseVariable(QByteArrayView name);

// The value of server variable `name` (case-insensitive), empty when it has none.
QByteArray serverVariable(QByteArrayView name, const VariableScope &scope);

} // namespace Gateway::Filter::Rewrite
