target_sources(gateway_core PRIVATE
    session/framedecoder.cpp session/framedecoder.h
    session/heartbeattracker.cpp session/heartbeattracker.h
    session/sessionregistry.cpp session/sessionregistry.h
    session/sessiontypes.cpp session/sessiontypes.h
)
