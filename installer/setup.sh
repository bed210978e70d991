#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs the Debian packages the project needs,
# configures and builds it, then (optionally) runs the console demo or the test suite.
#
#   installer/setup.sh                 install + build
#   installer/setup.sh --run [ARGS]    install + build + run the console with its demo (the GUI
#                                      when there is a display, else `appgw demo ARGS` headless,
#                                      e.g. --duration 10)
#   installer/setup.sh --test          install + build + tests (the fuzzers first, then ctest)
#
# installer/fresh-root.sh runs both on a brand-new Debian 12 root (that is what CI does).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$root/build}
mode=${1:-build}
command_line="bash installer/setup.sh${1:+ $*}"
[ $# -gt 0 ] && shift
case "$mode" in
build | --run | --test) ;;
*) echo "usage: installer/setup.sh [--run [demo options]|--test]" >&2; exit 2 ;;
esac

# Build and runtime dependencies. Keep in sync with installer/CMakeLists.txt's
# CPACK_DEBIAN_PACKAGE_DEPENDS and the README. libqt6opengl6-dev: Qt6Charts' CMake config needs
# Qt6OpenGL's, which qt6-base-dev does not ship. dpkg-dev, file: dpkg-shlibdeps for the package. netbase: /etc/hosts, so that "localhost"
# resolves (a minimal Debian root has none).
packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-websockets-dev qt6-charts-dev libqt6opengl6-dev qt6-tools-dev-tools libgl-dev
    libssl-dev liburing-dev libre2-dev netbase dpkg-dev file
)
# Test-only: a non-Qt WebSocket peer, clang + its runtime for the libFuzzer targets, clang-format
# for the lint_format test (tests/lint; on by default), curl (a real TLS client for the mutual TLS
# cases), iproute2 (`ip`, which brings up loopback in the isolated tests' network namespaces).
test_packages=(python3 python3-websockets clang libclang-rt-14-dev clang-format curl iproute2)

want=("${packages[@]}")
[ "$mode" = "--test" ] && want+=("${test_packages[@]}")
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then
            SUDO=(sudo)
        else
            echo "setup: these Debian packages are missing: ${missing[*]}" >&2
            echo "setup: installing them needs root, and sudo is not installed. Either run this" >&2
            echo "       script as root (su -c '$command_line'), or install them" >&2
            echo "       once as root (su -c 'apt-get install ${missing[*]}') and run it again." >&2
            exit 1
        fi
    fi
    echo "setup: installing ${#missing[@]} Debian packages (a few minutes on a fresh machine): ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f "$build/build.ninja" ]; then
    echo "setup: building into $build: about 8 minutes on 2 cores the first time (seconds after)"
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs"

case "$mode" in
--run)
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$build/app/console/appgw-console" ]; then
        exec "$build/app/console/appgw-console" --demo
    fi
    echo "setup: no display: running the headless demo (events as JSON lines; Ctrl-C stops)"
    exec "$build/app/appgw" demo "$@"
    ;;
--test)
    if command -v clang++ >/dev/null && [ "${SKIP_FUZZ:-0}" != 1 ]; then
        echo "setup: fuzzing the HTTP parsers (${FUZZ_SECONDS:-60} s each)"
        # One line per fuzzer (and libFuzzer's report if one fails); pipefail keeps its status.
        "$root/tests/fuzz/run-fuzzers.sh" "${FUZZ_SECONDS:-60}" "$root/build-fuzz" 2>&1 \
            | sed -n '/no crash in\|FAILED\|ERROR:\|SUMMARY:\|Test unit written/p'
    fi
    cd "$build"
    # Everything the tests need is installed above: a test that would skip for a missing
    # requirement (tests/common/requirement.h) fails instead.
    export APPGW_REQUIRE_ALL_TESTS=1
    exec ctest --output-on-failure -j"$jobs" --timeout 900 -LE bench
    ;;
esac
