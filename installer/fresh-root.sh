#!/usr/bin/env bash
# Proves that the README's two commands work on a brand-new Debian 12 machine and that the Debian
# package installs clean. This is what CI runs (.ci/run); run it by hand before resolving any
# change to installer/ or to the dependency list:
#
#   sudo installer/fresh-root.sh           (root: mmdebstrap --mode=root, chroot, mount)
#
# Steps, each in a root that has never seen the project:
#   1. mmdebstrap makes a minimal Debian 12 root (Debian's "apt" variant: no /etc/hosts, no
#      sudo, no compiler); it is unpacked twice, as root A and root B.
#   2. root A, as an unprivileged user: setup.sh must stop with its "needs root or sudo" advice.
#   3. root A, as root: the README's first command, headless (`setup.sh --run --duration 10`).
#   4. root A: the Debian package is built and checked with lintian (errors fail).
#   5. root B: `apt-get install ./appgw-console_*.deb`, then `appgw --version`, `appgw validate`
#      on every installed example, `appgw demo --duration 10`, and `man appgw` shows every
#      subcommand `appgw --help` lists.
#   6. root A: the README's test command (`setup.sh --test`); ctest's summary is printed last and
#      its status is this script's status.
# proc, sys and dev are mounted into a root only while it runs and unmounted at the end,
# whatever happens. Environment: FUZZ_SECONDS (passed to setup.sh --test), FRESH_ROOT_KEEP=1
# keeps the roots (their path is printed; the next run removes them), DEBIAN_MIRROR (default deb.debian.org).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/.." && pwd)
shared=$(cd "$checkout/../shared" 2>/dev/null && pwd || true)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org}

say() { printf '\n=== fresh-root: %s\n' "$*"; }
die() { printf 'fresh-root: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (it makes Debian roots and chroots into them): sudo $0"
command -v mmdebstrap >/dev/null || die "needs mmdebstrap: apt-get install mmdebstrap"
[ -n "$shared" ] || die "needs ../shared beside the checkout ($checkout/../shared)"

# Roots an earlier run left behind (killed, or FRESH_ROOT_KEEP=1): unmount what is still mounted
# in them, deepest first, then remove them. A kept root lives until the next run.
for stale in /var/tmp/appgw-fresh.*; do
    [ -d "$stale" ] || continue
    # A run still going (its pid file names a live process) keeps its roots.
    pid=$(cat "$stale/pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && continue
    { grep -o " $stale/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do
        umount "$m" 2>/dev/null || umount -l "$m" || true
    done
    if grep -q " $stale/" /proc/mounts; then
        echo "fresh-root: $stale still has mounts; left in place" >&2
    else
        rm -rf --one-file-system "$stale"
    fi
done

work=$(mktemp -d /var/tmp/appgw-fresh.XXXXXX)
echo $$ >"$work/pid"
mounted=()

unmount_all() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
    done
    mounted=()
}
cleanup() {
    unmount_all
    # Never delete through a mount that is still there (it would be the host's /dev or /proc).
    if grep -q " $work/" /proc/mounts; then
        echo "fresh-root: something is still mounted under $work; left in place" >&2
    elif [ "${FRESH_ROOT_KEEP:-0}" = 1 ]; then
        echo "fresh-root: roots kept in $work" >&2
    else
        rm -rf --one-file-system "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_into() { # root: proc, sys, dev, dev/pts, dev/shm, each unmounted by cleanup
    local r=$1
    mount -t proc proc "$r/proc" && mounted+=("$r/proc")
    mount -t sysfs sysfs "$r/sys" && mounted+=("$r/sys")
    mount --bind /dev "$r/dev" && mounted+=("$r/dev")
    mount --bind /dev/pts "$r/dev/pts" && mounted+=("$r/dev/pts")
    mount -t tmpfs -o mode=1777 shm "$r/dev/shm" && mounted+=("$r/dev/shm")
}
# Runs a command in a root with a clean environment (no DISPLAY: the headless paths).
in_root() {
    local r=$1
    shift
    chroot "$r" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        FUZZ_SECONDS="${FUZZ_SECONDS:-60}" "$@"
}

started=$(date +%s)
say "making a minimal Debian 12 root with mmdebstrap"
mmdebstrap --quiet --variant=apt --mode=root bookworm "$work/base.tar" \
    "deb $mirror/debian bookworm main" \
    "deb $mirror/debian bookworm-updates main" \
    "deb $mirror/debian-security bookworm-security main"
for r in a b; do
    mkdir "$work/$r"
    tar -xf "$work/base.tar" -C "$work/$r"
    # The network of this machine (apt needs a resolver); /etc/hosts stays absent, as on a
    # minimal install: setup.sh must bring what the tests need.
    cp -L /etc/resolv.conf "$work/$r/etc/resolv.conf"
done
rm -f "$work/base.tar"
A=$work/a
B=$work/b

# The checkout as git sees it (tracked and untracked-but-not-ignored files: no build trees),
# and ../shared beside it, as on the developer's machine.
mkdir -p "$A/src/main"
if git -C "$checkout" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$checkout" ls-files -z --cached --others --exclude-standard \
        | (cd "$checkout" && tar --null -T - -cf -) | tar -xf - -C "$A/src/main"
else
    tar -C "$checkout" --exclude='./build*' -cf - . | tar -xf - -C "$A/src/main"
fi
cp -a "$shared" "$A/src/shared"
chmod -R a+rX "$A/src"

mount_into "$A"
say "root A, as a user without root and without sudo: setup.sh must say what to do"
out=$(in_root "$A" /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups \
    /bin/bash /src/main/installer/setup.sh 2>&1) && die "setup.sh as an unprivileged user without sudo did not stop: $out"
grep -q "sudo is not installed" <<<"$out" || die "setup.sh without sudo gave no advice: $out"
echo "$out"

say "root A: the README's first command, headless (installer/setup.sh --run --duration 10)"
in_root "$A" /bin/bash -c 'cd /src/main && bash installer/setup.sh --run --duration 10 >/tmp/demo.jsonl'
events=$(grep -c '"type"' "$A/tmp/demo.jsonl" || true)
[ "$events" -gt 0 ] || die "the headless demo printed no events"
echo "fresh-root: the headless demo printed $events events in 10 s"

say "root A: the Debian package, and lintian"
in_root "$A" /bin/bash -c 'cd /src/main/build && cmake --build . --target package >/dev/null'
deb=$(cd "$A/src/main/build" && ls appgw-console_*.deb)
in_root "$A" /bin/bash -c 'apt-get install -y -qq --no-install-recommends lintian >/dev/null'
in_root "$A" lintian --fail-on error --tag-display-limit 0 "/src/main/build/$deb"
echo "fresh-root: lintian: no errors in $deb"

say "root B: apt-get install ./$deb on another fresh root"
mount_into "$B"
cp "$A/src/main/build/$deb" "$B/tmp/"
in_root "$B" /bin/bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./tmp/$deb man-db >/dev/null"
# The checks run in a network namespace of their own (only loopback): nothing else on the host
# can hold the demo's port, and nothing the examples name can be contacted.
unshare -n /bin/sh -c 'ip link set lo up && exec "$0" "$@"' \
    chroot "$B" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -eu -o pipefail -c '
    appgw --version
    for f in /usr/share/appgw-console/examples/*.json; do
        appgw validate "$f"
        echo "appgw validate $f: ok"
    done
    appgw demo --duration 10 >/tmp/demo.jsonl
    n=$(grep -c "\"type\"" /tmp/demo.jsonl)
    echo "appgw demo --duration 10: $n events"
    [ "$n" -gt 0 ]
    LANG=C MANWIDTH=400 man -P cat appgw 2>/dev/null | col -b >/tmp/man.txt
    # Every subcommand and option --help lists is in the man page.
    appgw --help | grep -o -- "^  [a-z][a-z ]*[a-z]\|--[a-z-]*" | sed "s/^ *//" | sort -u |
        while IFS= read -r word; do
            grep -qF -- "$word" /tmp/man.txt || { echo "man appgw does not mention \"$word\" (appgw --help does)"; exit 1; }
        done
    echo "man appgw: every subcommand and option of appgw --help is there"
    test -f /usr/share/doc/appgw-console/copyright
'
unmount_all
mount_into "$A"

say "root A: the README's test command (installer/setup.sh --test); $(( ($(date +%s) - started) / 60 )) min so far"
status=0
in_root "$A" /bin/bash -c 'cd /src/main && bash installer/setup.sh --test' || status=$?
trap - EXIT
cleanup >&2
exit "$status"
