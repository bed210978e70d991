#pragma once

// What a proxy worker needs to serve one configuration: built once on the main thread, immutable
// afterwards, shared by all workers through std::shared_ptr<const Runtime>. A connection keeps
// the Runtime it started with, so an applied edit never changes a request in flight.

#include "config/gatewayconfig.h"
#include "proxy/gateway.h"
#include "proxy/requeststage.h"

#include <QHash>

#include <memory>
#include <vector>

namespace Gateway::Routing {
class RouteTable;
}
namespace Gateway::Http {
class CustomErrorPages;
}
namespace Gateway::Health {
class HealthTable;
}
namespace Gateway::Net {
class Clock;
}
namespace Gateway::Tls {
class CertificateStore;
}

namespace Gateway::Proxy {

class BackendNameCache;

struct ListenerSocketRuntime
{
    int frontendPort = 0; // Azure's port, used for routing and X-Forwarded-Port
    int localPort = 0;
    bool https = false;
    QString listenerNames;
};

struct Runtime
{
    Config::GatewayConfig config;
    std::shared_ptr<const Routing::RouteTable> routes;
    std::shared_ptr<Health::HealthTable> health;
    GatewayOptions options;
    Net::Clock *clock = nullptr;
    std::shared_ptr<const Tls::CertificateStore> certificates; // tls: Https listeners and backends
    quint64 generation = 0;                                    // bumps on every apply
    // Backend names resolved under this configuration (backendresolver.h): each apply starts
    // with an empty cache, as a PUT clears Azure's DNS cache.
    std::shared_ptr<BackendNameCache> names;
    // The request pipeline's stages, in order (requeststage.h); empty when the configuration has
    // nothing for them to do, so a plain request pays nothing.
    std::vector<std::shared_ptr<const RequestStage>> requestStages;
    std::vector<std::shared_ptr<const ResponseStage>> responseStages;
    // Custom error pages (customErrorConfigurations), fetched or read once per configuration.
    std::shared_ptr<const Http::CustomErrorPages> errorPages;
};

} // namespace Gateway::Proxy
