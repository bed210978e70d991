target_sources(gateway_core PRIVATE
    routing/affinity.cpp routing/affinity.h
    routing/backendruntime.h
    routing/backendselector.cpp routing/backendselector.h
    routing/hostmatch.cpp routing/hostmatch.h
    routing/routeresult.cpp routing/routeresult.h
    routing/routetable.cpp routing/routetable.h
)
