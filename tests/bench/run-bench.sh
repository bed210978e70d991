#!/usr/bin/env bash
# The gateway's performance benchmark (product.md §7): the gateway, nginx and HAProxy side by side,
# same backend, same machine, same run, same worker count.
#
#   tests/bench/run-bench.sh [--quick] [--workers "1 2"] [--seconds S] [--rounds R] [--idle N]
#                            [--no-pin] [--build-dir DIR] [--no-build] [--out DIR]
#
# It builds appgw, benchbackend, benchload and benchguilag if needed (in build-bench/ unless
# --build-dir), installs nginx-light, haproxy and wrk with apt-get when they are missing, starts
# one benchbackend (WebSocket echo + HTTP keep-alive 200), then for each worker count starts the
# gateway (appgw run, an ARM template written here), nginx and HAProxy (configurations written
# here) and runs every scenario against the three in turn:
#   small    32-byte WebSocket messages, 50 active sessions ping-ponging: messages/s, p50/p99
#   idle     the same with 4,000 idle sessions opened first and held; RSS before/after / 4,000
#   large    64 KiB WebSocket messages, 8 active sessions: MB/s (payload, one way)
#   http     wrk -c 50 -t 1, keep-alive, GET / : requests/s
#   churn    the same with "Connection: close": a new client connection per request (no target;
#            what a proxy's connection setup and teardown cost)
#   xsmall   the small scenario again with an independent client (Node.js + the `ws` package from
#            npm, tests/bench/crosscheck/wspingpong.mjs) when node and npm are there; --no-crosscheck
#            skips it
# plus the GUI-thread lag probe (benchguilag: the gateway in-process, a 10 ms timer on the main
# thread, 4,000 idle + 50 active sessions flowing). Results: a table on stdout, and
# tests/bench/results/latest.md and latest.json (or --out DIR).
# Each measurement runs --seconds (default 2) and is repeated --rounds times (default 5, --quick 1)
# with the proxies in rotated order; the median round counts. Besides the rates it reports the
# CPU time each proxy used per message and per request (/proc/PID/task/*/schedstat), which moves
# far less between rounds than a rate on a shared machine.
# CPU placement: when the machine has more cores than the worker count, the proxy under test runs
# on its own cores (the last W) and the load generator and backend on the others (taskset), the
# same for all three proxies, so the load does not steal the proxy's core at random. With fewer
# cores (2 workers on a 2-core machine) nothing is pinned. --no-pin turns placement off.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$(cd "$HERE/../.." && pwd)"
BUILD="$SRC/build-bench"
OUT="$HERE/results"
QUICK=0
BUILD_IT=1
CROSSCHECK=1
PIN=1
WORKERS="1 2"
SECONDS_PER_RUN=""
ROUNDS=""
IDLE=4000
ACTIVE=50
LARGE_ACTIVE=8
SMALL=32
LARGE=65536

while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --workers) WORKERS="$2"; shift ;;
        --seconds) SECONDS_PER_RUN="$2"; shift ;;
        --rounds) ROUNDS="$2"; shift ;;
        --idle) IDLE="$2"; shift ;;
        --build-dir) BUILD="$2"; shift ;;
        --no-build) BUILD_IT=0 ;;
        --no-crosscheck) CROSSCHECK=0 ;;
        --no-pin) PIN=0 ;;
        --out) OUT="$2"; shift ;;
        -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
        *) echo "run-bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ -n "$SECONDS_PER_RUN" ]] || SECONDS_PER_RUN=2
# Each measurement is taken ROUNDS times, the proxies in a different order each round, and the
# median round counts (the machine is shared: a round can lose its CPU to something else).
if [[ -z "$ROUNDS" ]]; then
    if [[ $QUICK == 1 ]]; then ROUNDS=1; else ROUNDS=5; fi
fi

log() { echo "run-bench: $*" >&2; }

# --- open files: 4,000 idle sessions are 8,000+ descriptors in a proxy --------------------------
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE="$(ulimit -n)"
if [[ "$NOFILE" != unlimited ]] && (( NOFILE < 2 * IDLE + 1000 )); then
    IDLE=$(( (NOFILE - 1000) / 2 ))
    log "open-file limit is $NOFILE: using $IDLE idle sessions"
fi

# --- tools ---------------------------------------------------------------------------------------
need_install=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_install+=(nginx-light)
command -v haproxy >/dev/null 2>&1 || [[ -x /usr/sbin/haproxy ]] || need_install+=(haproxy)
command -v wrk >/dev/null 2>&1 || need_install+=(wrk)
if (( ${#need_install[@]} )); then
    log "installing ${need_install[*]} with apt-get"
    SUDO=""
    [[ $(id -u) == 0 ]] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_install[@]}"
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
WRK="$(command -v wrk)"
# Debian starts the packaged services on install: they are not ours, we only use the binaries.

# --- build ---------------------------------------------------------------------------------------
if [[ $BUILD_IT == 1 ]]; then
    if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
        log "configuring $BUILD"
        cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
              -DGATEWAY_BUILD_GUI=OFF -DGATEWAY_PACKAGE=OFF >/dev/null
    fi
    log "building appgw and the benchmark tools"
    cmake --build "$BUILD" --target appgw benchbackend benchload benchguilag >/dev/null
fi
APPGW="$BUILD/app/appgw"
BACKEND="$BUILD/tests/bench/benchbackend"
LOAD="$BUILD/tests/bench/benchload"
GUILAG="$BUILD/tests/bench/benchguilag"
for tool in "$APPGW" "$BACKEND" "$LOAD"; do
    [[ -x "$tool" ]] || { log "missing $tool (build it, or drop --no-build)"; exit 1; }
done

# --- the independent WebSocket client (cross-check) ---------------------------------------------
XCHECK=""
if [[ $CROSSCHECK == 1 ]] && command -v node >/dev/null && command -v npm >/dev/null; then
    XDIR="$BUILD/crosscheck"
    if [[ ! -d "$XDIR/node_modules/ws" ]]; then
        mkdir -p "$XDIR"
        log "installing the ws package from npm into $XDIR (for the cross-check)"
        npm install --silent --no-audit --no-fund --prefix "$XDIR" ws@8 >/dev/null 2>&1 || true
    fi
    if [[ -d "$XDIR/node_modules/ws" ]]; then
        cp "$HERE/crosscheck/wspingpong.mjs" "$XDIR/"
        XCHECK="$XDIR/wspingpong.mjs"
    else
        log "no ws package (npm unreachable?): skipping the cross-check"
    fi
fi

WORK="$(mktemp -d /tmp/appgw-bench.XXXXXX)"
chmod 755 "$WORK"
RAW="$WORK/raw.jsonl"
: > "$RAW"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$LOAD" free-port; }
wait_port() { # port [seconds] [pid]
    local deadline=$(( SECONDS + ${2:-10} ))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        (( SECONDS < deadline )) || return 1
        [[ -z "${3:-}" ]] || kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
    done
}
stop_pid() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
# pids of a process and its children (nginx master + workers), comma-separated
family() { local kids; kids="$(pgrep -d, -P "$1" || true)"; echo "$1${kids:+,$kids}"; }

# --- CPU placement -------------------------------------------------------------------------------
NCPU="$(nproc)"
ALL_CPUS="0-$(( NCPU - 1 ))"
PROXY_CPUS=""
LOAD_CPUS=""
ON_PROXY=() # command prefixes: taskset, or nothing when not pinned (taskset execs the command,
ON_LOAD=()  # so $! is the proxy's own pid)
place() { # workers: sets PROXY_CPUS / LOAD_CPUS (empty: not pinned)
    PROXY_CPUS=""
    LOAD_CPUS=""
    ON_PROXY=()
    ON_LOAD=()
    if [[ $PIN == 1 ]] && command -v taskset >/dev/null && (( NCPU > $1 )); then
        PROXY_CPUS="$(( NCPU - $1 ))-$(( NCPU - 1 ))"
        LOAD_CPUS="0-$(( NCPU - $1 - 1 ))"
        ON_PROXY=(taskset -c "$PROXY_CPUS")
        ON_LOAD=(taskset -c "$LOAD_CPUS")
    fi
}

# --- the backend ---------------------------------------------------------------------------------
BACKEND_PORT="$(free_port)"
"$BACKEND" --port "$BACKEND_PORT" 2>"$WORK/backend.log" &
BACKEND_PID=$!
PIDS+=("$BACKEND_PID")
wait_port "$BACKEND_PORT" || { log "the backend did not start: $(cat "$WORK/backend.log")"; exit 1; }

# --- proxy configurations ------------------------------------------------------------------------
write_gateway() { # dir port workers
    cat > "$1/gateway.json" <<EOF
{
  "\$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": {
    "description": "Benchmark: one HTTP listener, one pool with the bench backend, requestTimeout 3600 s so idle sessions stay open.",
    "localGateway": {
      "bindAddress": "127.0.0.1",
      "frontendPortMap": { "80": $2 },
      "backendAddressMap": { "10.0.1.4": "127.0.0.1:$BACKEND_PORT" }
    }
  },
  "resources": [
    {
      "type": "Microsoft.Network/applicationGateways",
      "apiVersion": "2023-09-01",
      "name": "bench-appgw",
      "location": "westeurope",
      "properties": {
        "sku": { "name": "Standard_v2", "tier": "Standard_v2", "capacity": 2 },
        "gatewayIPConfigurations": [ { "name": "ipconfig", "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'bench-vnet', 'appgw-subnet')]" } } } ],
        "frontendIPConfigurations": [ { "name": "frontendIp", "properties": { "publicIPAddress": { "id": "[resourceId('Microsoft.Network/publicIPAddresses', 'bench-pip')]" } } } ],
        "frontendPorts": [ { "name": "port_80", "properties": { "port": 80 } } ],
        "backendAddressPools": [ { "name": "benchPool", "properties": { "backendAddresses": [ { "ipAddress": "10.0.1.4" } ] } } ],
        "backendHttpSettingsCollection": [ { "name": "benchSettings", "properties": { "port": 80, "protocol": "Http", "cookieBasedAffinity": "Disabled", "requestTimeout": 3600 } } ],
        "httpListeners": [ { "name": "benchListener", "properties": {
            "frontendIPConfiguration": { "id": "[resourceId('Microsoft.Network/applicationGateways/frontendIPConfigurations', 'bench-appgw', 'frontendIp')]" },
            "frontendPort": { "id": "[resourceId('Microsoft.Network/applicationGateways/frontendPorts', 'bench-appgw', 'port_80')]" },
            "protocol": "Http" } } ],
        "requestRoutingRules": [ { "name": "benchRule", "properties": { "ruleType": "Basic", "priority": 100,
            "httpListener": { "id": "[resourceId('Microsoft.Network/applicationGateways/httpListeners', 'bench-appgw', 'benchListener')]" },
            "backendAddressPool": { "id": "[resourceId('Microsoft.Network/applicationGateways/backendAddressPools', 'bench-appgw', 'benchPool')]" },
            "backendHttpSettings": { "id": "[resourceId('Microsoft.Network/applicationGateways/backendHttpSettingsCollection', 'bench-appgw', 'benchSettings')]" } } } ]
      }
    }
  ]
}
EOF
}

write_nginx() { # dir port workers
    mkdir -p "$1/nginx"
    cat > "$1/nginx/nginx.conf" <<EOF
worker_processes $3;
worker_rlimit_nofile $NOFILE;
daemon off;
pid $1/nginx/nginx.pid;
error_log $1/nginx/error.log warn;
events {
    worker_connections $(( 2 * IDLE + 2000 ));
    use epoll;
}
http {
    access_log off;
    client_body_temp_path $1/nginx/body;
    proxy_temp_path $1/nginx/proxy;
    fastcgi_temp_path $1/nginx/fastcgi;
    uwsgi_temp_path $1/nginx/uwsgi;
    scgi_temp_path $1/nginx/scgi;
    keepalive_requests 1000000;
    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        ''      '';
    }
    upstream bench_backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$2 backlog=4096;
        location / {
            proxy_pass http://bench_backend;
            proxy_http_version 1.1;
            proxy_set_header Host \$host;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }
    }
}
EOF
}

write_haproxy() { # dir port workers
    cat > "$1/haproxy.cfg" <<EOF
global
    nbthread $3
    maxconn $(( IDLE + 1000 ))
defaults
    mode http
    option http-keep-alive
    http-reuse always
    timeout connect 5s
    timeout client 3600s
    timeout server 3600s
    timeout tunnel 3600s
    timeout http-keep-alive 75s
    maxconn $(( IDLE + 1000 ))
frontend bench
    bind 127.0.0.1:$2
    default_backend bench_backend
backend bench_backend
    server backend1 127.0.0.1:$BACKEND_PORT maxconn $(( 2 * IDLE + 2000 ))
EOF
}

declare -A PORT PID
start_proxies() { # workers
    local w=$1 dir="$WORK/w$1"
    mkdir -p "$dir"
    chmod 755 "$dir"
    PORT[gateway]="$(free_port)"
    write_gateway "$dir" "${PORT[gateway]}" "$w"
    "${ON_PROXY[@]}" "$APPGW" run "$dir/gateway.json" --workers "$w" 2>"$dir/gateway.log" &
    PID[gateway]=$!
    PIDS+=("${PID[gateway]}")
    PORT[nginx]="$(free_port)"
    write_nginx "$dir" "${PORT[nginx]}" "$w"
    "${ON_PROXY[@]}" "$NGINX" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" 2>>"$dir/nginx/error.log" &
    PID[nginx]=$!
    PIDS+=("${PID[nginx]}")
    PORT[haproxy]="$(free_port)"
    write_haproxy "$dir" "${PORT[haproxy]}" "$w"
    "${ON_PROXY[@]}" "$HAPROXY" -f "$dir/haproxy.cfg" -db 2>"$dir/haproxy.log" &
    PID[haproxy]=$!
    PIDS+=("${PID[haproxy]}")
    for p in gateway nginx haproxy; do
        if ! wait_port "${PORT[$p]}" 15 "${PID[$p]}"; then
            log "$p did not start; its log:"
            cat "$dir/$p.log" "$dir/nginx/error.log" 2>/dev/null | tail -20 >&2
            exit 1
        fi
    done
    sleep 0.5 # let nginx fork its workers
}

stop_proxies() {
    for p in gateway nginx haproxy; do stop_pid "${PID[$p]}"; done
}

ROUND=1
record() { # workers proxy scenario json
    printf '{"workers":%s,"proxy":"%s","scenario":"%s","round":%s,"result":%s}\n' "$1" "$2" "$3" "$ROUND" "$4" >> "$RAW"
}

run_ws() { # workers proxy scenario args...
    local w=$1 p=$2 s=$3
    shift 3
    local out
    out="$("${ON_LOAD[@]}" "$LOAD" ws --port "${PORT[$p]}" --seconds "$SECONDS_PER_RUN" --label "$p" \
               --cpu-pids "$(family "${PID[$p]}")" "$@" 2>>"$WORK/load.log")" \
        || log "$p $s: the load generator reported an error (see below)"
    [[ -n "$out" ]] || out='{"error":"no output"}'
    record "$w" "$p" "$s" "$out"
    log "  w=$w $s $p: $out"
}

run_xcheck() { # workers proxy
    local w=$1 p=$2 out
    out="$("${ON_LOAD[@]}" node "$XCHECK" "${PORT[$p]}" "$ACTIVE" "$SECONDS_PER_RUN" "$SMALL" 2>>"$WORK/load.log")" \
        || out='{"error":"the Node.js client failed"}'
    out="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps({"msgsPerSec": d["perSecond"]} if "perSecond" in d else d))' "$out")"
    record "$w" "$p" xsmall "$out"
    log "  w=$w xsmall $p: $out"
}

run_http() { # workers proxy scenario [wrk args...]
    local w=$1 p=$2 s=$3 text json pids cpu0 cpu1
    shift 3
    pids="$(family "${PID[$p]}")"
    cpu0="$("$LOAD" cpu-ns "$pids")"
    text="$("${ON_LOAD[@]}" "$WRK" -c 50 -t 1 -d "${SECONDS_PER_RUN}s" --latency "$@" "http://127.0.0.1:${PORT[$p]}/" 2>&1 || true)"
    cpu1="$("$LOAD" cpu-ns "$pids")"
    json="$(python3 "$HERE/report.py" wrk --cpu-ns "$(( cpu1 - cpu0 ))" <<<"$text")"
    record "$w" "$p" "$s" "$json"
    log "  w=$w $s $p: $json"
}

order() { # round -> the three proxies, rotated
    local all=(gateway nginx haproxy) i=$(( ($1 - 1) % 3 ))
    echo "${all[@]:i} ${all[@]:0:i}"
}
for w in $WORKERS; do
    place "$w"
    # The backend follows the load generator (all CPUs when nothing is pinned).
    taskset -a -p -c "${LOAD_CPUS:-$ALL_CPUS}" "$BACKEND_PID" >/dev/null 2>&1 || true
    ROUND=1
    record "$w" all placement "{\"proxyCpus\":\"${PROXY_CPUS:-$ALL_CPUS}\",\"loadCpus\":\"${LOAD_CPUS:-$ALL_CPUS}\",\"pinned\":$([[ -n $PROXY_CPUS ]] && echo true || echo false)}"
    log "worker count $w: starting the gateway, nginx and HAProxy (proxy CPUs ${PROXY_CPUS:-all}, load CPUs ${LOAD_CPUS:-all})"
    start_proxies "$w"
    # idle first: its memory figure is taken on freshly started proxies.
    scenarios="idle small large http churn"
    [[ -z "$XCHECK" ]] || scenarios="$scenarios xsmall"
    for scenario in $scenarios; do
        for ROUND in $(seq "$ROUNDS"); do
            for p in $(order "$ROUND"); do
                case $scenario in
                    small) run_ws "$w" "$p" small --active "$ACTIVE" --size "$SMALL" ;;
                    idle) run_ws "$w" "$p" idle --active "$ACTIVE" --size "$SMALL" --idle "$IDLE" \
                              --rss-pids "$(family "${PID[$p]}")" ;;
                    large) run_ws "$w" "$p" large --active "$LARGE_ACTIVE" --size "$LARGE" ;;
                    http) run_http "$w" "$p" http ;;
                    churn) run_http "$w" "$p" churn -H "Connection: close" ;;
                    xsmall) run_xcheck "$w" "$p" ;;
                esac
            done
        done
    done
    ROUND=1
    stop_proxies
done

# GUI-thread lag: the gateway in-process (1 worker), a 10 ms timer on the main thread.
if [[ -x "$GUILAG" ]]; then
    taskset -a -p -c "$ALL_CPUS" "$BACKEND_PID" >/dev/null 2>&1 || true
    log "GUI-thread lag probe ($IDLE idle + $ACTIVE active sessions)"
    out="$("$GUILAG" --backend-port "$BACKEND_PORT" --load "$LOAD" --idle "$IDLE" --active "$ACTIVE" \
            --seconds "$SECONDS_PER_RUN" 2>>"$WORK/guilag.log")" || out='{"error":"benchguilag failed"}'
    record 1 gateway guilag "$out"
    log "  guilag: $out"
fi

if [[ -s "$WORK/load.log" ]]; then
    log "load generator messages:"
    tail -5 "$WORK/load.log" >&2
fi

mkdir -p "$OUT"
python3 "$HERE/report.py" report --raw "$RAW" --md "$OUT/latest.md" --json "$OUT/latest.json" \
    --seconds "$SECONDS_PER_RUN" --rounds "$ROUNDS" --idle "$IDLE" --active "$ACTIVE" --quick "$QUICK"
cat "$OUT/latest.md"
log "written $OUT/latest.md and $OUT/latest.json (raw records: $RAW)"
