#!/usr/bin/env bash
# Fails if a built binary needs Qt Gui or Qt Widgets (house style rule 1: the headless CLI and the
# core never depend on them). Reads the binary's own NEEDED entries (readelf -d) and, when ldd is
# there, everything it loads transitively.
#
#   tests/lint/check-no-gui-libs.sh BINARY                 exit 0 when BINARY needs neither
#   tests/lint/check-no-gui-libs.sh --expect-gui BINARY    the reverse: proves the check can see them
set -euo pipefail

expect_gui=0
if [ "${1:-}" = "--expect-gui" ]; then
    expect_gui=1
    shift
fi
bin=${1:?usage: check-no-gui-libs.sh [--expect-gui] BINARY}
[ -f "$bin" ] || { echo "check-no-gui-libs: no such file: $bin" >&2; exit 2; }
command -v readelf >/dev/null || { echo "check-no-gui-libs: readelf not found (binutils)" >&2; exit 2; }

pattern='libQt6(Gui|Widgets)[.]so'
dynamic=$(readelf -d "$bin" 2>&1) || { echo "check-no-gui-libs: $bin: not an ELF file: $dynamic" >&2; exit 2; }
needed=$(printf '%s\n' "$dynamic" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || { echo "check-no-gui-libs: $bin has no NEEDED entries: not a dynamic ELF?" >&2; exit 2; }
loaded=""
if command -v ldd >/dev/null; then
    loaded=$(ldd "$bin") || { echo "check-no-gui-libs: ldd failed on $bin" >&2; exit 2; }
fi
found=$({
    printf '%s\n' "$needed" | grep -E "$pattern" | sed 's/^/  NEEDED /'
    printf '%s\n' "$loaded" | grep -E "$pattern" | sed 's/^[[:space:]]*/  ldd    /'
} || true)

if [ "$expect_gui" = 1 ]; then
    if [ -n "$found" ]; then
        echo "ok: $bin needs Qt Gui/Widgets, as expected:"
        printf '%s\n' "$found"
        exit 0
    fi
    echo "FAIL: $bin was expected to need Qt Gui/Widgets, but the check found neither" >&2
    exit 1
fi
if [ -n "$found" ]; then
    echo "FAIL: $bin needs Qt Gui/Widgets; the headless CLI must not (house style rule 1):" >&2
    printf '%s\n' "$found" >&2
    exit 1
fi
echo "ok: $bin needs neither libQt6Gui nor libQt6Widgets ($(printf '%s\n' "$needed" | grep -c .) NEEDED entries checked)"
