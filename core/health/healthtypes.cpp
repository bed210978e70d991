#include "health/healthtypes.h"

namespace Gateway::Health {

QString toString(HealthState state)
{
    switch (state) {
    case HealthState::Healthy: return QStringLiteral("Healthy");
    case HealthState::Unhealthy: return QStringLiteral("Unhealthy");
    case HealthState::Unknown: break;
    }
    return QStringLiteral("Unknown");
}

namespace Messages {

// Azure's backend-health "Details" texts, word for word (azure-reference.md §4).

QString success(int status)
{
    return QStringLiteral("Success. Received %1 status code").arg(status);
}

QString timeout()
{
    return QStringLiteral("Time taken by the backend to respond to application gateway's health "
                          "probe is more than the timeout threshold in the probe setting.");
}

QString dns()
{
    return QStringLiteral("Application Gateway could not create a probe for this backend. This "
                          "usually happens when the FQDN of the backend has not been entered "
                          "correctly.");
}

QString connect()
{
    return QStringLiteral("Application Gateway could not connect to the backend. Check that the "
                          "backend responds on the port used for the probe. Also check whether "
                          "any NSG/UDR/Firewall is blocking access to the Ip and port of this "
                          "backend.");
}

QString statusMismatch(const QString &expected, int received)
{
    return QStringLiteral("Status code of the backend's HTTP response did not match the probe "
                          "setting. Expected:%1 Received:%2.")
        .arg(expected)
        .arg(received);
}

QString bodyMismatch(const QString &body)
{
    return QStringLiteral("Body of the backend's HTTP response did not match the probe setting. "
                          "Received response body doesn't contain %1.")
        .arg(body);
}

QString commonNameMismatch()
{
    return QStringLiteral("The Common Name of the leaf certificate presented by the backend server "
                          "does not match the Probe or Backend Setting hostname of the application "
                          "gateway.");
}

QString expired()
{
    return QStringLiteral("Backend certificate is invalid. Current date is not within the "
                          "\"Valid from\" and \"Valid to\" date range on the certificate.");
}

QString untrustedRoot()
{
    return QStringLiteral("The root certificate of the server certificate used by the backend "
                          "doesn't match the trusted root certificate added to the application "
                          "gateway. Ensure that you add the correct root certificate to whitelist "
                          "the backend");
}

QString notAllowlisted()
{
    // Azure v1's words, then which list the local run compared with.
    return QStringLiteral("Backend server certificate is not whitelisted with Application Gateway. "
                          "The certificate the backend presented is none of the backend "
                          "setting's authenticationCertificates.");
}

QString unknown()
{
    return QStringLiteral(
        "The backend health status could not be retrieved. This happens when an "
        "NSG/UDR/Firewall on the application gateway subnet is blocking traffic "
        "on ports 65503-65534 in case of v1 SKU, and ports 65200-65535 in case of "
        "the v2 SKU or if the FQDN configured in the backend pool could not be "
        "resolved to an IP address. To learn more visit - "
        "https://aka.ms/UnknownBackendHealth.");
}

} // namespace Messages

} // namespace Gateway::Health
