target_sources(gateway_core PRIVATE
    tls/backendtls.cpp tls/backendtls.h
    tls/certificatefactory.cpp tls/certificatefactory.h
    tls/certificatestore.cpp tls/certificatestore.h
    tls/clientauth.cpp tls/clientauth.h
    tls/clienthello.cpp tls/clienthello.h
    tls/opensslutil.cpp tls/opensslutil.h
    tls/tlsacceptor.cpp tls/tlsacceptor.h
)
