#!/usr/bin/env bash
# Python benchmark: the Python calculator on boltmcp (mcp-python) against the anchors
# in the same run, the official SDK's `MCPServer` (`mcp`) and fastmcp. Three rows:
#
#   sync   `add` as a plain function, on stdio: mcp-load pinned to one core, strictly
#          sequential, as the README's other stdio rows (also: start to the
#          `initialize` answer, and peak RSS). A fourth "server", floor.py, is the
#          interpreter answering with canned lines: the floor under any start.
#   async  `add` as an `async def`, same setup, against `mcp` with an async `add`
#   http   2026-07-28 `tools/call` of `add` over Streamable HTTP, 64 connections (wrk,
#          benches/http/mcp-call.lua, as benches/run-http.sh), against `mcp` served
#          by its own Streamable HTTP app on uvicorn (stateless, JSON answers)
#
# The ratios print at the end. Needs the package installed (`pip install
# ./mcp-python`) and the anchors (`pip install -r tests/interop/requirements.txt`,
# which scripts/test.sh runs).
#
# Usage: benches/run-python.sh   (any cwd)
# Environment: CALLS (5000: the anchors answer about 1,000 calls a second)
#              RUNS (5)  PIN (0)  WARMUP (500)  PYTHON (python3)
#              DURATION (10s per wrk run)  ROWS ("sync async http")
#              BOLTMCP_PORT (18091)  MCP_PORT (18092)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CALLS="${CALLS:-5000}"
RUNS="${RUNS:-5}"
PIN="${PIN:-0}"
WARMUP="${WARMUP:-500}"
DURATION="${DURATION:-10s}"
ROWS="${ROWS:-sync async http}"
BOLTMCP_PORT="${BOLTMCP_PORT:-18091}"
MCP_PORT="${MCP_PORT:-18092}"
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/python-bench"
# The interpreter by its real path: a version manager's shim (pyenv's is a shell
# script) would add its own start-up to every server's.
PYTHON="$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')"
mkdir -p "$OUT"
# Cached bytecode as an installed package has it: with writing it turned off (as a
# sandbox may set), a source file copied over an installed one is compiled again by
# every start: two runs here minutes apart, with and without, started in 94 and 65 ms.
unset PYTHONDONTWRITEBYTECODE

wants() { [[ " $ROWS " == *" $1 "* ]]; }

echo "== building mcp-load" >&2
cargo build --release -p boltmcp-benches --bin mcp-load

load() {
    "$TARGET/release/mcp-load" --runs "$RUNS" --warmup "$WARMUP" --calls "$CALLS" --pin "$PIN" "$@"
}

if wants sync; then
    echo "== sync add on stdio" >&2
    load --server "boltmcp-python=$PYTHON mcp-python/examples/calculator.py" \
        --server "mcp=$PYTHON benches/anchors/python/mcp_calculator.py" \
        --server "fastmcp=$PYTHON benches/anchors/python/fastmcp_calculator.py" \
        --server "floor=$PYTHON benches/anchors/python/floor.py" | tee "$OUT/sync.txt"
fi

if wants async; then
    echo "== async add on stdio" >&2
    load --server "boltmcp-python-async=$PYTHON mcp-python/examples/async_calculator.py" \
        --server "mcp-async=$PYTHON benches/anchors/python/mcp_async_calculator.py" | tee "$OUT/async.txt"
fi

if wants http; then
    command -v wrk >/dev/null || { echo "error: wrk is required (apt-get install wrk)" >&2; exit 1; }
    echo "== 2026-07-28 tools/call over Streamable HTTP, 64 connections" >&2
    pids=()
    trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
    "$PYTHON" mcp-python/examples/calculator.py --http "127.0.0.1:$BOLTMCP_PORT" 2>"$OUT/boltmcp.stderr" &
    pids+=($!)
    "$PYTHON" benches/anchors/python/mcp_calculator_http.py "$MCP_PORT" 2>"$OUT/mcp.stderr" &
    pids+=($!)
    for port in "$BOLTMCP_PORT" "$MCP_PORT"; do
        for _ in $(seq 100); do
            curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/mcp" && break
            sleep 0.1
        done
    done
    : >"$OUT/http.txt"
    for round in $(seq "$RUNS"); do
        for name in boltmcp-python mcp; do
            port=$BOLTMCP_PORT
            [[ $name == mcp ]] && port=$MCP_PORT
            line=$(MCP_ERA=modern wrk -t2 -c64 -d"$DURATION" --latency -s benches/http/mcp-call.lua \
                "http://127.0.0.1:$port/mcp" | grep '^WRK ')
            read -r _ rps p50 p99 errors non2xx requests <<<"$line"
            if [[ $errors != 0 || $non2xx != 0 ]]; then
                echo "error: $name: $errors socket errors, $non2xx non-2xx answers" >&2
                exit 1
            fi
            printf 'run %d/%d  %-16s %10.0f req/s  p50 %8.0f µs  p99 %8.0f µs  (%d requests)\n' \
                "$round" "$RUNS" "$name" "$rps" "$p50" "$p99" "$requests" | tee -a "$OUT/http.txt"
        done
    done
    kill "${pids[@]}" 2>/dev/null || true
fi

echo
echo "== ratios (medians over $RUNS runs)"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# A server's median from mcp-load's table: column 2 is calls/s, column 7 start ms.
summary() { awk -v name="$2" -v col="${3:-2}" '$1 == name && $2 ~ /^[0-9]/ {print $col}' "$OUT/$1.txt"; }
ratio() { awk -v a="$2" -v b="$3" -v label="$1" 'BEGIN {printf "%-40s %8.0f / %8.0f = %6.1fx\n", label, a, b, a / b}'; }
if wants sync; then
    ratio "sync stdio: boltmcp-python / mcp" "$(summary sync boltmcp-python)" "$(summary sync mcp)"
    ratio "sync stdio: boltmcp-python / fastmcp" "$(summary sync boltmcp-python)" "$(summary sync fastmcp)"
    awk -v ours="$(summary sync boltmcp-python 7)" -v floor="$(summary sync floor 7)" \
        -v mcp="$(summary sync mcp 7)" -v fastmcp="$(summary sync fastmcp 7)" 'BEGIN {
        printf "start to initialize, ms (medians): boltmcp-python %.1f, the interpreter alone %.1f (difference %.1f); mcp %.0f; fastmcp %.0f\n",
            ours, floor, ours - floor, mcp, fastmcp }'
fi
if wants async; then
    ratio "async stdio: boltmcp-python / mcp" "$(summary async boltmcp-python-async)" "$(summary async mcp-async)"
fi
if wants http; then
    ours=$(awk '$3 == "boltmcp-python" {print $4}' "$OUT/http.txt" | median)
    theirs=$(awk '$3 == "mcp" {print $4}' "$OUT/http.txt" | median)
    ratio "http, 64 connections: boltmcp-python / mcp" "$ours" "$theirs"
fi
