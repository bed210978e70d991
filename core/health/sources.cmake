target_sources(gateway_core PRIVATE
    health/healthtable.cpp health/healthtable.h
    health/healthtypes.h
)
