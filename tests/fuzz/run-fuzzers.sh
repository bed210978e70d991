#!/bin/sh
# Builds the libFuzzer targets in their own clang build directory and runs them.
#   tests/fuzz/run-fuzzers.sh [seconds per fuzzer, default 60] [build dir, default build-fuzz]
# Exits non-zero when a fuzzer finds a crash or an oracle violation (the reproducer is left in
# the build directory as crash-*/oom-*/timeout-*).
set -eu
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${2:-$root/build-fuzz}
jobs=${FUZZ_BUILD_JOBS:-2}

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGATEWAY_BUILD_FUZZERS=ON -DGATEWAY_BUILD_TESTS=OFF -DGATEWAY_BUILD_GUI=OFF \
    -DGATEWAY_PACKAGE=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_request_parser fuzz_seeds

corpus="$build/fuzz-corpus/request"
mkdir -p "$corpus"
"$build/tests/fuzz/fuzz_seeds" "$corpus"
cp "$here"/corpus/request/* "$corpus"/ 2>/dev/null || true

status=0
cd "$build"
"$build/tests/fuzz/fuzz_request_parser" "$corpus" \
    -dict="$here/http.dict" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 || status=$?
if [ "$status" -ne 0 ]; then
    echo "fuzz_request_parser FAILED (exit $status); reproducers in $build" >&2
    exit "$status"
fi
echo "fuzz_request_parser: no crash in ${seconds}s"
