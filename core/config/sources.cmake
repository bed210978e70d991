target_sources(gateway_core PRIVATE
    config/armexpression.cpp config/armexpression.h
    config/backendaddressmap.cpp config/backendaddressmap.h
    config/configdocument.cpp config/configdocument.h
    config/configvalidator.cpp config/configvalidator.h
    config/configwriter.cpp config/configwriter.h
    config/gatewayconfig.cpp config/gatewayconfig.h
    config/jsontext.cpp config/jsontext.h
    config/startablesubset.cpp config/startablesubset.h
    config/sslpolicy.cpp config/sslpolicy.h
    config/templateparameters.cpp config/templateparameters.h
    config/templatereader.cpp config/templatereader.h
)
