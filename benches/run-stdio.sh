#!/usr/bin/env bash
# Stdio benchmark: boltmcp's calculator example vs the rmcp anchor vs the
# echo floor (a canned-response server: the cost of the pipes alone) and the
# tokio floor (the same on tokio's current-thread runtime: pipes plus the reactor).
#
# Builds everything in release, then runs mcp-load twice:
#   1. pinned to one core, strictly sequential calls (latency, per-call cost);
#   2. unpinned, 16 calls in flight (throughput under pipelining);
# and then the client mode (mcp-load-client): the same sequential calls to boltmcp's
# calculator made through boltmcp::client, pinned to the same core, so the client's
# own cost per call reads as the difference from run 1's boltmcp figure.
#
# Usage: benches/run-stdio.sh [extra mcp-load args, e.g. --json]   (any cwd)
# Environment:
#   CALLS (20000)  RUNS (5)  PIN (0)  WARMUP (1000)
#   INFLIGHT (16)  CALLS_INFLIGHT (100000: pipelined runs are short otherwise)
#   SKIP_BOLTMCP=1  leave boltmcp out (only to test the tooling itself
#                   before the calculator example exists)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CALLS="${CALLS:-20000}"
RUNS="${RUNS:-5}"
PIN="${PIN:-0}"
INFLIGHT="${INFLIGHT:-16}"
CALLS_INFLIGHT="${CALLS_INFLIGHT:-100000}"
WARMUP="${WARMUP:-1000}"
TARGET="${CARGO_TARGET_DIR:-target}"
ANCHORS="target/anchors"

echo "== building mcp-load and echo-server" >&2
cargo build --release -p boltmcp-benches --bins

echo "== building the rmcp anchor (own workspace, target dir $ANCHORS)" >&2
cargo build --release --locked \
    --manifest-path benches/anchors/rmcp-calculator/Cargo.toml \
    --target-dir "$ANCHORS"

servers=()
if [[ "${SKIP_BOLTMCP:-0}" != 1 ]]; then
    echo "== building boltmcp's calculator example" >&2
    if ! cargo build --release -p boltmcp-examples --bin calculator; then
        echo "error: cannot build boltmcp's calculator example" \
            "(cargo build --release -p boltmcp-examples --bin calculator);" \
            "set SKIP_BOLTMCP=1 to benchmark only rmcp and the echo floor" >&2
        exit 1
    fi
    if [[ ! -x "$TARGET/release/calculator" ]]; then
        echo "error: $TARGET/release/calculator missing after a successful build" >&2
        exit 1
    fi
    servers+=(--server "boltmcp=$TARGET/release/calculator")
fi
servers+=(
    --server "rmcp=$ANCHORS/release/rmcp-calculator"
    --server "echo-floor=$TARGET/release/echo-server"
    --server "tokio-floor=$TARGET/release/tokio-echo-server"
)

load="$TARGET/release/mcp-load"
common=(--runs "$RUNS" --warmup "$WARMUP")
status=0

echo "== pinned to core $PIN, sequential" >&2
"$load" "${common[@]}" --calls "$CALLS" --pin "$PIN" "${servers[@]}" "$@" || status=$?

echo "== unpinned, $INFLIGHT in flight" >&2
"$load" "${common[@]}" --calls "$CALLS_INFLIGHT" --inflight "$INFLIGHT" "${servers[@]}" "$@" || status=$?

if [[ "${SKIP_BOLTMCP:-0}" != 1 ]]; then
    echo "== pinned to core $PIN, sequential, through boltmcp::client" >&2
    taskset -c "$PIN" "$TARGET/release/mcp-load-client" --runs "$RUNS" --warmup "$WARMUP" \
        --calls "$CALLS" -- "$TARGET/release/calculator" || status=$?
fi

exit "$status"
