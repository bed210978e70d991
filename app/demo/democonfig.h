#pragma once

// The bundled demo configuration: an ARM deployment template (the app's native file format)
// whose metadata.localGateway maps the Azure addresses and ports onto the in-process demo
// backends. The shape follows azure-reference.md §11 (resourceId() references):
//   listener80 (Azure port 80 -> local gatewayPort)
//   demoRule (PathBasedRouting) -> demoPathMap
//       /api/*     -> apiPool (10.0.2.4 -> demo HTTP server), apiSetting (timeout 30 s)
//       /legacy/*  -> wsOnlyPool (10.0.3.4 -> WebSocket-only server), wsOnlySetting with the
//                     default probe on "/": 404, so unhealthy, so 502 (the seeds' probe trap)
//       default    -> chatPool (10.0.1.4 -> demo chat server), chatSetting: requestTimeout 20 s,
//                     which the 25 s slow pinger exceeds (the seeds' 1006 trap)
//   custom probes chatProbe and apiProbe on /health.

#include <QByteArray>
#include <QtGlobal>

namespace Gateway::Demo {

struct DemoPorts
{
    quint16 gateway = 0; // local port for the Azure listener port 80
    quint16 chat = 0;
    quint16 http = 0;
    quint16 webSocketOnly = 0; // 0: the /legacy path and its pool are left out
};

class DemoConfig
{
public:
    static constexpr int ChatRequestTimeoutSec = 20;
    static constexpr int ApiRequestTimeoutSec = 30;
    static constexpr int ProbeIntervalSec = 5;

    // The template text (indented JSON).
    static QByteArray templateJson(const DemoPorts &ports);

    // `preferred` when it is free on 127.0.0.1, else a free port picked by the system.
    static quint16 pickGatewayPort(quint16 preferred = 8080);
};

} // namespace Gateway::Demo
