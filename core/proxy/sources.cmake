target_sources(gateway_core PRIVATE
    proxy/backendresolver.cpp proxy/backendresolver.h
    proxy/clientconnection.cpp proxy/clientconnection.h
    proxy/errorpageloader.cpp proxy/errorpageloader.h
    proxy/gateway.cpp proxy/gateway.h
    proxy/requeststage.cpp proxy/requeststage.h
    proxy/rewritestage.cpp proxy/rewritestage.h
    proxy/runtime.h
    proxy/worker.cpp proxy/worker.h
)
