#pragma once

// A test that needs something from the machine rather than from the project (Debian's
// python3-websockets for a second, independent WebSocket implementation; a Qt TLS backend)
// skips with the reason when it is missing, so a developer without it still gets a useful run.
// With APPGW_REQUIRE_ALL_TESTS set (installer/setup.sh --test, hence CI, sets it; everything is
// installed there) a missing requirement FAILS instead: a skip can never hide a broken feature
// in CI.

#include <QtGlobal>
#include <QtTest>

#define APPGW_REQUIRE(condition, reason) \
    do { \
        if (!(condition)) { \
            if (qEnvironmentVariableIsSet("APPGW_REQUIRE_ALL_TESTS")) \
                QFAIL(reason " (required: APPGW_REQUIRE_ALL_TESTS is set)"); \
            QSKIP(reason); \
        } \
    } while (false)

#define APPGW_PYTHON_WEBSOCKETS_REASON \
    "needs Debian's python3-websockets (apt-get install python3-websockets): this test checks " \
    "the gateway against a second, independent WebSocket implementation"
#define APPGW_TLS_REASON \
    "needs a Qt TLS backend (the OpenSSL plugin of libqt6network6): this test probes an HTTPS " \
    "backend"

#include <QHostInfo>

namespace TestRequirement {
// A minimal Debian root has no /etc/hosts (Debian's netbase brings it), so "localhost" may not
// resolve there; tests where the name itself is the point (resolution, SNI, a certificate
// issued to localhost) require it, the others connect to 127.0.0.1.
inline bool localhostResolves()
{
    const QHostInfo info = QHostInfo::fromName(QStringLiteral("localhost"));
    return info.error() == QHostInfo::NoError && !info.addresses().isEmpty();
}
} // namespace TestRequirement

#define APPGW_LOCALHOST_REASON \
    "needs the name \"localhost\" to resolve (/etc/hosts, from Debian's netbase: apt-get " \
    "install netbase): this test checks name resolution or a certificate issued to localhost"
#define APPGW_REQUIRE_LOCALHOST() \
    APPGW_REQUIRE(TestRequirement::localhostResolves(), APPGW_LOCALHOST_REASON)
