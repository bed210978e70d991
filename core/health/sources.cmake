target_sources(gateway_core PRIVATE
    health/healthtable.cpp health/healthtable.h
    health/healthtypes.cpp health/healthtypes.h
    health/healthprobe.h
    health/healthtransition.cpp health/healthtransition.h
    health/statuscodematcher.cpp health/statuscodematcher.h
    health/healthmonitor.cpp health/healthmonitor.h
    health/http/httpprobe.cpp health/http/httpprobe.h
)
