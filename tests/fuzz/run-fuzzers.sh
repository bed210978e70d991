#!/bin/sh
# Builds the libFuzzer targets in their own clang build directory and runs each of them.
#   tests/fuzz/run-fuzzers.sh [seconds per fuzzer, default 60] [build dir, default build-fuzz]
# Exits non-zero when a fuzzer finds a crash or an oracle violation; the reproducer is left in
# the build directory as crash-*/oom-*/timeout-* (replay: <fuzzer binary> <file>).
set -eu
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${2:-$root/build-fuzz}
jobs=${FUZZ_BUILD_JOBS:-2}
fuzzers=${FUZZERS:-"fuzz_request_parser fuzz_response_parser"}

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGATEWAY_BUILD_FUZZERS=ON -DGATEWAY_BUILD_TESTS=OFF -DGATEWAY_BUILD_GUI=OFF \
    -DGATEWAY_PACKAGE=OFF >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j"$jobs" --target fuzz_seeds $fuzzers

mkdir -p "$build/fuzz-corpus/request" "$build/fuzz-corpus/response"
"$build/tests/fuzz/fuzz_seeds" "$build/fuzz-corpus/request"
cp "$here"/corpus/request/* "$build/fuzz-corpus/request/"
cp "$here"/corpus/response/* "$build/fuzz-corpus/response/"

cd "$build"
for fuzzer in $fuzzers; do
    corpus="$build/fuzz-corpus/${fuzzer#fuzz_}"
    corpus="${corpus%_parser}"
    status=0
    "$build/tests/fuzz/$fuzzer" "$corpus" \
        -dict="$here/http.dict" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 || status=$?
    if [ "$status" -ne 0 ]; then
        echo "$fuzzer FAILED (exit $status); reproducers in $build" >&2
        exit "$status"
    fi
    echo "$fuzzer: no crash in ${seconds}s"
done
