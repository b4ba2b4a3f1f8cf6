#!/usr/bin/env bash
# HTTP benchmark: boltmcp's Streamable HTTP server (benches/src/bin/http-server.rs)
# vs rmcp 3.11's StreamableHttpService (the rmcp anchor's rmcp-calculator-http), both on the
# same hyper accept loop with TCP_NODELAY, both serving the calculator's `add`, on
# 127.0.0.1 only, in the same run.
#
# Scenarios (wrk --latency, benches/http/mcp-call.lua as the request; for each,
# RUNS rounds alternating boltmcp, rmcp, boltmcp, rmcp, ... after a warm-up of
# each):
#   stateless  legacy (2025-11-25) tools/call, no sessions, JSON    1 and 64 conns
#   modern     2026-07-28 tools/call (Mcp-Method/Mcp-Name headers,
#              per-request _meta), against the stateless servers    1 and 64 conns
#   session    legacy tools/call in one initialised session         1 conn
#              (boltmcp's and rmcp's default session mode: rmcp answers in SSE)
#   jwt        2026-07-28 tools/call with an HS256 bearer JWT through boltmcp's
#              auth (and its cache of verified tokens) vs the same server without
#              auth, both boltmcp, same run                           64 conns
#   secured    2026-07-28 tools/call through JWT auth, rate limits per
#              caller, per tool and global (1000000/s: never refusing)
#              and the metrics layer (Prometheus, /metrics) vs the bare
#              server, both boltmcp, same run                         64 conns
#   https      2026-07-28 tools/call over HTTPS (TLS 1.3, keep-alive, a
#              self-signed certificate) vs the same server over plain HTTP,
#              both boltmcp, same run                                 64 conns
# Every server and mode is checked once with curl first: the tools/call answer
# must carry the sum. Then memory: fresh session-mode servers, http-sessions opens
# SESSIONS idle sessions on each and prints the VmRSS growth per session.
#
# Prints a table of medians over the runs: req/s, p50 and p99 latency, the
# server's CPU time per request (user + system, from /proc), and boltmcp/rmcp
# throughput. Raw wrk output goes to target/http-bench/.
#
# Usage: benches/run-http.sh   (any cwd)
# Environment:
#   RUNS (3)  DURATION (10s per wrk run)  WARMUP (2s per server and scenario)
#   SESSIONS (10000)  SESSION_CONCURRENCY (16)
#   BOLTMCP_PORT (18081)  RMCP_PORT (18082)   loopback ports to listen on
#   SCENARIOS ("stateless-1 stateless-64 modern-1 modern-64 session-1 jwt-64 secured-64 https-64")
#   SECURED_PORT (18085)  loopback port of the server behind auth, rate limits and metrics
#   JWT_PORT (18083)  loopback port of the server that requires a JWT
#   HTTPS_PORT (18084)  loopback port of the HTTPS server
#   SKIP_MEMORY=1  leave out the per-session memory measurement
set -euo pipefail
shopt -s extglob

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
SESSIONS="${SESSIONS:-10000}"
SESSION_CONCURRENCY="${SESSION_CONCURRENCY:-16}"
BOLTMCP_PORT="${BOLTMCP_PORT:-18081}"
RMCP_PORT="${RMCP_PORT:-18082}"
SCENARIOS="${SCENARIOS:-stateless-1 stateless-64 modern-1 modern-64 session-1 jwt-64 secured-64 https-64}"
JWT_PORT="${JWT_PORT:-18083}"
HTTPS_PORT="${HTTPS_PORT:-18084}"
SECURED_PORT="${SECURED_PORT:-18085}"
JWT_SECRET="run-http.sh benchmark secret, 32 bytes or more"
TARGET="${CARGO_TARGET_DIR:-target}"
ANCHORS="target/anchors"
OUT="$TARGET/http-bench"
LUA="benches/http/mcp-call.lua"
SERVERS=(boltmcp rmcp)

if ! command -v wrk >/dev/null; then
    echo "== installing wrk" >&2
    if ! apt-get install -y wrk >/dev/null; then
        apt-get update >/dev/null
        apt-get install -y wrk >/dev/null
    fi
fi
for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done

echo "== building http-server and http-sessions" >&2
cargo build --release -p boltmcp-benches --bin http-server --bin http-sessions

# The rmcp anchor is needed unless only scenarios of boltmcp against itself run.
if [[ -n ${SCENARIOS//@(jwt-64|secured-64|https-64| )/} || "${SKIP_MEMORY:-0}" != 1 ]]; then
    echo "== building the rmcp anchor (own workspace, target dir $ANCHORS)" >&2
    cargo build --release --locked \
        --manifest-path benches/anchors/rmcp-calculator/Cargo.toml \
        --target-dir "$ANCHORS"
fi

mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/*.stderr "$OUT"/*.initialize
RESULTS="$OUT/results.txt"
: >"$RESULTS"

declare -A PORT=([boltmcp]="$BOLTMCP_PORT" [rmcp]="$RMCP_PORT" [boltmcp-jwt]="$JWT_PORT"
    [boltmcp-https]="$HTTPS_PORT" [boltmcp-secured]="$SECURED_PORT")
declare -A PID=()

url_of() {
    local scheme=http
    [[ $1 == boltmcp-https ]] && scheme=https
    echo "$scheme://127.0.0.1:${PORT[$1]}/mcp"
}

# start_server NAME stateless|session
start_server() {
    local name=$1 mode=$2 flag=() port=${PORT[$1]}
    if curl -sk -o /dev/null --max-time 1 "$(url_of "$name")"; then
        echo "error: something already listens on 127.0.0.1:$port" >&2
        exit 1
    fi
    [[ $mode == stateless ]] && flag=(--stateless)
    case $name in
        boltmcp) "$TARGET/release/http-server" --addr "127.0.0.1:$port" "${flag[@]}" \
                     2>>"$OUT/$name.stderr" & ;;
        rmcp) "$ANCHORS/release/rmcp-calculator-http" "127.0.0.1:$port" "${flag[@]}" \
                  2>>"$OUT/$name.stderr" & ;;
        boltmcp-jwt) "$TARGET/release/http-server" --addr "127.0.0.1:$port" "${flag[@]}" \
                         --jwt-secret "$JWT_SECRET" 2>>"$OUT/$name.stderr" & ;;
        boltmcp-secured) "$TARGET/release/http-server" --addr "127.0.0.1:$port" "${flag[@]}" \
                             --jwt-secret "$JWT_SECRET" --rate-limit 1000000/s --metrics \
                             2>>"$OUT/$name.stderr" & ;;
        boltmcp-https) "$TARGET/release/http-server" --addr "127.0.0.1:$port" "${flag[@]}" \
                           --tls-self-signed 2>>"$OUT/$name.stderr" & ;;
    esac
    PID[$name]=$!
    for _ in $(seq 100); do
        if curl -sk -o /dev/null --max-time 1 "$(url_of "$name")"; then
            return 0
        fi
        kill -0 "${PID[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: $name ($mode) did not start on 127.0.0.1:$port; see $OUT/$name.stderr" >&2
    exit 1
}

stop_servers() {
    local name
    for name in "${!PID[@]}"; do
        kill "${PID[$name]}" 2>/dev/null || true
        wait "${PID[$name]}" 2>/dev/null || true
        unset "PID[$name]"
    done
}
trap stop_servers EXIT

LEGACY_HEADERS=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
CALL='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'
MODERN_CALL='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
INITIALIZE='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"run-http.sh","version":"0.1.0"}}}'

# expect_sum NAME WHAT BODY: the tools/call answer carries 1 + 2.
expect_sum() {
    if [[ $3 != *'"structuredContent":{"result":3'* ]]; then
        echo "error: $1 $2: tools/call answer without the sum: $3" >&2
        exit 1
    fi
    echo "   ok  $1 $2: ${3:0:160}" >&2
}

check_stateless() {
    local name=$1 body
    body=$(curl -sS --fail-with-body -X POST "$(url_of "$name")" "${LEGACY_HEADERS[@]}" \
        -H 'MCP-Protocol-Version: 2025-11-25' -d "$CALL")
    expect_sum "$name" "stateless legacy" "$body"
    body=$(curl -sS --fail-with-body -X POST "$(url_of "$name")" "${LEGACY_HEADERS[@]}" \
        -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H 'Mcp-Name: add' \
        -d "$MODERN_CALL")
    expect_sum "$name" "modern (2026-07-28)" "$body"
}

# open_session NAME: initialize + notifications/initialized; prints the session id.
open_session() {
    local name=$1 headers id body
    headers=$(curl -sS --fail-with-body -X POST "$(url_of "$name")" "${LEGACY_HEADERS[@]}" \
        -d "$INITIALIZE" -D - -o "$OUT/$name.initialize")
    id=$(printf '%s\n' "$headers" | tr -d '\r' | awk -F': ' 'tolower($1) == "mcp-session-id" { print $2 }')
    if [[ -z $id ]]; then
        echo "error: $name: initialize answered without Mcp-Session-Id:" >&2
        printf '%s\n' "$headers" >&2
        cat "$OUT/$name.initialize" >&2
        exit 1
    fi
    curl -sS --fail-with-body -X POST "$(url_of "$name")" "${LEGACY_HEADERS[@]}" \
        -H "Mcp-Session-Id: $id" -H 'MCP-Protocol-Version: 2025-11-25' \
        -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' >/dev/null
    body=$(curl -sS --fail-with-body -X POST "$(url_of "$name")" "${LEGACY_HEADERS[@]}" \
        -H "Mcp-Session-Id: $id" -H 'MCP-Protocol-Version: 2025-11-25' -d "$CALL")
    expect_sum "$name" "session $id" "$(printf '%s' "$body" | tr '\n' ' ')"
    echo "$id"
}

# cpu_ticks PID: user + system clock ticks of a process so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS_PER_S=$(getconf CLK_TCK)

# bench warm|timed SCENARIO NAME CONNS [ENV=VALUE...]: one wrk run (WARMUP or
# DURATION long); a timed one appends a result line.
bench() {
    local kind=$1 scenario=$2 name=$3 conns=$4 duration=$DURATION threads=1
    local log line ticks0 ticks1 rps p50 p99 sock status requests cpu_us
    shift 4
    [[ $kind == warm ]] && duration=$WARMUP
    ((conns > 1)) && threads=2
    log="$OUT/$scenario.$name.log"
    ticks0=$(cpu_ticks "${PID[$name]}")
    env "$@" wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$LUA" \
        "$(url_of "$name")" >"$log.tmp" 2>&1 || { cat "$log.tmp" >&2; exit 1; }
    ticks1=$(cpu_ticks "${PID[$name]}")
    cat "$log.tmp" >>"$log"
    line=$(grep '^WRK ' "$log.tmp") || { cat "$log.tmp" >&2; exit 1; }
    rm -f "$log.tmp"
    [[ $kind == warm ]] && return 0
    # WRK rps p50 p99 socket_errors status_errors requests
    read -r _ rps p50 p99 sock status requests <<<"$line"
    cpu_us=$(awk -v t=$((ticks1 - ticks0)) -v hz="$TICKS_PER_S" -v n="$requests" \
        'BEGIN { printf "%.1f", n ? t / hz * 1e6 / n : 0 }')
    echo "$scenario $name $rps $p50 $p99 $cpu_us $((sock + status))" >>"$RESULTS"
    printf '   %-13s %-8s %10.0f req/s  p50 %8.1f µs  p99 %8.1f µs  cpu %6.1f µs/req  errors %d\n' \
        "$scenario" "$name" "$rps" "$p50" "$p99" "$cpu_us" "$((sock + status))" >&2
}

# run_scenario SCENARIO CONNS [ENV=VALUE...] (per server: SESSION_<name> in env)
run_scenario() {
    local scenario=$1 conns=$2 name run extra
    shift 2
    echo "== $scenario: $conns connection(s), $RUNS x $DURATION per server" >&2
    for name in "${SERVERS[@]}"; do
        extra=()
        [[ $scenario == session-* ]] && extra=(MCP_SESSION_ID="${SESSION[$name]}")
        bench warm "$scenario" "$name" "$conns" "$@" "${extra[@]}"
    done
    for run in $(seq "$RUNS"); do
        for name in "${SERVERS[@]}"; do
            extra=()
            [[ $scenario == session-* ]] && extra=(MCP_SESSION_ID="${SESSION[$name]}")
            bench timed "$scenario" "$name" "$conns" "$@" "${extra[@]}"
        done
    done
}

wants() { [[ " $SCENARIOS " == *" $1 "* ]]; }

declare -A SESSION=()

if wants stateless-1 || wants stateless-64 || wants modern-1 || wants modern-64; then
    echo "== stateless servers" >&2
    for name in "${SERVERS[@]}"; do
        start_server "$name" stateless
        check_stateless "$name"
    done
    wants stateless-1 && run_scenario stateless-1 1 MCP_ERA=legacy
    wants stateless-64 && run_scenario stateless-64 64 MCP_ERA=legacy
    wants modern-1 && run_scenario modern-1 1 MCP_ERA=modern
    wants modern-64 && run_scenario modern-64 64 MCP_ERA=modern
    stop_servers
fi

if wants session-1; then
    echo "== session-mode servers" >&2
    for name in "${SERVERS[@]}"; do
        start_server "$name" session
        SESSION[$name]=$(open_session "$name")
    done
    run_scenario session-1 1 MCP_ERA=legacy
    stop_servers
fi

if wants jwt-64; then
    echo "== boltmcp with and without JWT auth (stateless)" >&2
    JWT_TOKEN=$("$TARGET/release/http-server" --addr "127.0.0.1:$JWT_PORT" \
        --jwt-secret "$JWT_SECRET" --mint-token)
    start_server boltmcp stateless
    start_server boltmcp-jwt stateless
    body=$(curl -sS --fail-with-body -X POST "$(url_of boltmcp-jwt)" "${LEGACY_HEADERS[@]}" \
        -H "Authorization: Bearer $JWT_TOKEN" -H 'MCP-Protocol-Version: 2026-07-28' \
        -H 'Mcp-Method: tools/call' -H 'Mcp-Name: add' -d "$MODERN_CALL")
    expect_sum boltmcp-jwt "modern with a JWT" "$body"
    status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$(url_of boltmcp-jwt)" \
        "${LEGACY_HEADERS[@]}" -H 'MCP-Protocol-Version: 2026-07-28' \
        -H 'Mcp-Method: tools/call' -H 'Mcp-Name: add' -d "$MODERN_CALL")
    [[ $status == 401 ]] || { echo "error: boltmcp-jwt answered $status without a token" >&2; exit 1; }
    SAVED_SERVERS=("${SERVERS[@]}")
    SERVERS=(boltmcp boltmcp-jwt)
    run_scenario jwt-64 64 MCP_ERA=modern MCP_TOKEN="$JWT_TOKEN"
    SERVERS=("${SAVED_SERVERS[@]}")
    stop_servers
fi

if wants secured-64; then
    echo "== boltmcp behind JWT auth, rate limits and metrics, and bare (stateless)" >&2
    SECURED_TOKEN=$("$TARGET/release/http-server" --addr "127.0.0.1:$SECURED_PORT" \
        --jwt-secret "$JWT_SECRET" --mint-token)
    start_server boltmcp stateless
    start_server boltmcp-secured stateless
    body=$(curl -sS --fail-with-body -X POST "$(url_of boltmcp-secured)" "${LEGACY_HEADERS[@]}" \
        -H "Authorization: Bearer $SECURED_TOKEN" -H 'MCP-Protocol-Version: 2026-07-28' \
        -H 'Mcp-Method: tools/call' -H 'Mcp-Name: add' -d "$MODERN_CALL")
    expect_sum boltmcp-secured "modern through auth and rate limits" "$body"
    SAVED_SERVERS=("${SERVERS[@]}")
    SERVERS=(boltmcp boltmcp-secured)
    run_scenario secured-64 64 MCP_ERA=modern MCP_TOKEN="$SECURED_TOKEN"
    # The metrics layer really recorded the run.
    recorded=$(curl -sS "http://127.0.0.1:$SECURED_PORT/metrics" |
        awk '/^mcp_server_requests_total\{method="tools\/call",target="add"\}/ { print $2 }')
    if ! awk -v n="${recorded:-0}" 'BEGIN { exit !(n > 1000) }'; then
        echo "boltmcp-secured: /metrics shows ${recorded:-no} tools/call requests for add" >&2
        exit 1
    fi
    echo "   /metrics: $recorded tools/call requests recorded" >&2
    SERVERS=("${SAVED_SERVERS[@]}")
    stop_servers
fi

if wants https-64; then
    echo "== boltmcp over HTTPS and over plain HTTP (stateless)" >&2
    start_server boltmcp stateless
    start_server boltmcp-https stateless
    body=$(curl -sSk --fail-with-body --tlsv1.3 -X POST "$(url_of boltmcp-https)" "${LEGACY_HEADERS[@]}" \
        -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H 'Mcp-Name: add' \
        -d "$MODERN_CALL")
    expect_sum boltmcp-https "modern over TLS 1.3" "$body"
    SAVED_SERVERS=("${SERVERS[@]}")
    SERVERS=(boltmcp boltmcp-https)
    run_scenario https-64 64 MCP_ERA=modern
    SERVERS=("${SAVED_SERVERS[@]}")
    stop_servers
fi

MEMORY="$OUT/memory.txt"
: >"$MEMORY"
if [[ "${SKIP_MEMORY:-0}" != 1 ]]; then
    echo "== memory per idle legacy session ($SESSIONS sessions, fresh session-mode servers)" >&2
    for name in "${SERVERS[@]}"; do
        start_server "$name" session
        "$TARGET/release/http-sessions" --url "$(url_of "$name")" --pid "${PID[$name]}" \
            --sessions "$SESSIONS" --concurrency "$SESSION_CONCURRENCY" --name "$name" \
            | tee -a "$MEMORY" >&2
        stop_servers
    done
fi

# The table: medians over runs.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
column_of() { awk -v s="$1" -v n="$2" -v c="$3" '$1 == s && $2 == n { print $c }' "$RESULTS"; }

echo
echo "HTTP benchmark: medians of $RUNS x $DURATION wrk runs per server; $(nproc) cores shared by wrk and the server"
printf '%-13s %-11s %10s %10s %10s %12s %7s %14s\n' \
    scenario server req/s "p50 µs" "p99 µs" "cpu µs/req" errors "boltmcp/rmcp"
declare -A RPS=()
for scenario in $SCENARIOS; do
    RPS=()
    for name in "${SERVERS[@]}" boltmcp-jwt boltmcp-secured boltmcp-https; do
        [[ -n $(column_of "$scenario" "$name" 3) ]] || continue
        RPS[$name]=$(column_of "$scenario" "$name" 3 | median)
        printf '%-13s %-11s %10.0f %10.1f %10.1f %12.1f %7d' "$scenario" "$name" \
            "${RPS[$name]}" \
            "$(column_of "$scenario" "$name" 4 | median)" \
            "$(column_of "$scenario" "$name" 5 | median)" \
            "$(column_of "$scenario" "$name" 6 | median)" \
            "$(column_of "$scenario" "$name" 7 | awk '{ s += $1 } END { print s + 0 }')"
        if [[ $name == rmcp && -n ${RPS[boltmcp]:-} ]]; then
            printf ' %13.2fx' "$(awk -v a="${RPS[boltmcp]}" -v b="${RPS[rmcp]}" 'BEGIN { print b ? a / b : 0 }')"
        fi
        if [[ $name == boltmcp-jwt && -n ${RPS[boltmcp]:-} ]]; then
            printf '  with JWT: %.2fx of without' "$(awk -v a="${RPS[boltmcp-jwt]}" -v b="${RPS[boltmcp]}" 'BEGIN { print b ? a / b : 0 }')"
        fi
        if [[ $name == boltmcp-secured && -n ${RPS[boltmcp]:-} ]]; then
            printf '  secured: %.2fx of bare' "$(awk -v a="${RPS[boltmcp-secured]}" -v b="${RPS[boltmcp]}" 'BEGIN { print b ? a / b : 0 }')"
        fi
        if [[ $name == boltmcp-https && -n ${RPS[boltmcp]:-} ]]; then
            printf '  over TLS: %.2fx of plain' "$(awk -v a="${RPS[boltmcp-https]}" -v b="${RPS[boltmcp]}" 'BEGIN { print b ? a / b : 0 }')"
        fi
        echo
    done
done
if [[ -s $MEMORY ]]; then
    echo
    echo "Memory per idle legacy session (VmRSS growth / sessions, after a warm-up of 200):"
    cat "$MEMORY"
fi

status=0
if awk '$7 != 0 { bad = 1 } END { exit !bad }' "$RESULTS"; then
    echo "warning: some wrk runs saw socket errors or non-2xx responses; see $OUT/*.log" >&2
    status=2
fi
exit "$status"
