#!/usr/bin/env bash
# Checks that every tracked C++ file (*.cpp, *.h) is formatted as the root .clang-format says.
# Prints the offending files (and how many lines clang-format would change in each) and exits 1;
# exits 0 when everything is formatted, 2 when it cannot run.
#
#   tests/lint/check-format.sh [SOURCE_DIR]      CLANG_FORMAT=clang-format-14 to pick the binary
#
# Fix with: clang-format -i FILE...  (see CODING_GUIDELINES.md)
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
clang_format=${CLANG_FORMAT:-clang-format}
command -v "$clang_format" >/dev/null || { echo "check-format: $clang_format not found" >&2; exit 2; }
[ -f "$root/.clang-format" ] || { echo "check-format: no .clang-format in $root" >&2; exit 2; }
cd "$root"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files -- '*.cpp' '*.h')
else # a source tarball: everything but build trees
    mapfile -t files < <(find . -path './build*' -prune -o -type f \( -name '*.cpp' -o -name '*.h' \) -print | sed 's|^\./||' | sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "check-format: no *.cpp/*.h files found in $root" >&2; exit 2; }

bad=0
for f in "${files[@]}"; do
    [ -f "$f" ] || continue # deleted but not yet committed
    if ! out=$("$clang_format" --style=file --dry-run --Werror "$f" 2>&1); then
        if ! grep -q 'code should be clang-formatted' <<<"$out"; then
            echo "check-format: $clang_format failed on $f:" >&2
            echo "$out" >&2
            exit 2
        fi
        echo "$f: $(grep -c 'code should be clang-formatted' <<<"$out") places need formatting"
        bad=$((bad + 1))
    fi
done

if [ "$bad" -gt 0 ]; then
    echo "check-format: $bad of ${#files[@]} files are not clang-formatted ($("$clang_format" --version | head -n1))." >&2
    echo "Run: clang-format -i <files above>   (or over the whole tree: git ls-files '*.cpp' '*.h' | xargs clang-format -i)" >&2
    exit 1
fi
echo "check-format: all ${#files[@]} files are clang-formatted"
