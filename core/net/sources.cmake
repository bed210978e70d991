target_sources(gateway_core PRIVATE
    net/clock.cpp net/clock.h
)
