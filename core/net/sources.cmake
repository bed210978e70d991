target_sources(gateway_core PRIVATE
    net/clock.cpp net/clock.h
    net/epolleventdispatcher.cpp net/epolleventdispatcher.h
    net/filelimit.cpp net/filelimit.h
    net/hostaddresses.h
    net/sslstream.cpp net/sslstream.h
    net/stream.h
    net/tcpstream.cpp net/tcpstream.h
    net/uringloop.cpp net/uringloop.h
)
