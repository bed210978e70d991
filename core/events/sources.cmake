target_sources(gateway_core PRIVATE
    events/gatewayevent.cpp events/gatewayevent.h
    events/jsonlineswriter.cpp events/jsonlineswriter.h
)
