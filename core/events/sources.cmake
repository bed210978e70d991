target_sources(gateway_core PRIVATE
    events/gatewayevent.cpp events/gatewayevent.h
)
