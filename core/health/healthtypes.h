#pragma once

// Backend health as Application Gateway reports it (azure-reference.md §4), in value types the
// GUI, the event stream and `appgw health` share.

#include <QList>
#include <QMetaType>
#include <QString>

namespace Gateway::Health {

enum class HealthState { Unknown, Healthy, Unhealthy };
QString toString(HealthState state); // "Unknown" | "Healthy" | "Unhealthy"

struct ProbeResult
{
    qint64 timeMs = 0;
    int latencyMs = 0;
    int httpStatus = 0; // 0 when no HTTP response arrived
    bool success = false;
    QString detail; // Azure's wording ("Success. Received 200 status code", or the failure)
    bool unresolved = false; // the address could not be resolved: the server's state becomes Unknown
    QString address;         // the IP address the probe connected to (empty when it got none)
    bool lastKnownAddress = false; // the name did not resolve; the last address that did was used
};

struct ServerHealth
{
    QString pool;
    QString setting;
    QString server;   // address as configured (ip or fqdn)
    QString endpoint; // where probes connect (after backendAddressMap), "host:port"
    QString probe;    // custom probe name, empty for the default probe
    QString probeUrl; // e.g. "http://127.0.0.1:80/"
    HealthState state = HealthState::Unknown;
    QString detail; // healthProbeLog: last result's detail
    int consecutiveFailures = 0;
    ProbeResult last;
    QList<ProbeResult> history; // most recent last, bounded
};

// The detail messages, word for word.
namespace Messages {
QString success(int status); // "Success. Received 200 status code"
QString timeout();
QString dns();
QString connect();
QString statusMismatch(const QString &expected, int received);
QString bodyMismatch(const QString &body);
QString commonNameMismatch();
QString expired();
QString untrustedRoot();
// v1 authenticationCertificates: the backend's leaf is none of the listed certificates.
QString notAllowlisted();
QString unknown();
} // namespace Messages

} // namespace Gateway::Health

Q_DECLARE_METATYPE(Gateway::Health::ServerHealth)
Q_DECLARE_METATYPE(Gateway::Health::ProbeResult)
