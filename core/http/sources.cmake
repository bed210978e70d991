target_sources(gateway_core PRIVATE
    http/bodydecoder.cpp
    http/customerrorpages.cpp http/customerrorpages.h
    http/errorpage.cpp http/errorpage.h
    http/httpmessage.cpp http/httpmessage.h
    http/httpsyntax.h
    http/requestparser.cpp
    http/responseparser.cpp
)
