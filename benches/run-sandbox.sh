#!/usr/bin/env bash
# Sandbox benchmark: a sandboxed `tools/call` round trip on a warm pool (the example's
# `fib` with n = 1: the worker's own cost, not fib's), and the unsandboxed `add` of the
# same server beside the calculator example, all through mcp-load pinned to one core
# and strictly sequential, as the README's stdio rows are.
#
# Usage: benches/run-sandbox.sh   (any cwd; the Python rows need `pip install ./mcp-python`)
# Environment: CALLS (20000)  RUNS (3)  PIN (0)  WARMUP (1000)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CALLS="${CALLS:-20000}"
RUNS="${RUNS:-3}"
PIN="${PIN:-0}"
WARMUP="${WARMUP:-1000}"
TARGET="${CARGO_TARGET_DIR:-target}"

echo "== building mcp-load and the examples" >&2
cargo build --release -p boltmcp-benches --bin mcp-load
cargo build --release -p boltmcp-examples --bin sandbox-server --bin calculator

load="$TARGET/release/mcp-load"
common=(--runs "$RUNS" --warmup "$WARMUP" --calls "$CALLS" --pin "$PIN")

echo "== add: the calculator, and the sandbox server with its pool running" >&2
"$load" "${common[@]}" \
    --server "calculator=$TARGET/release/calculator" \
    --server "sandbox-server=$TARGET/release/sandbox-server"

echo "== fib(1), sandboxed: a round trip through a warm worker" >&2
"$load" "${common[@]}" --tool fib --arguments '{"n":1}' \
    --server "sandboxed-fib=$TARGET/release/sandbox-server"

# The Python package's sandboxed tools, when it is installed (`pip install ./mcp-python`):
# the same round trip through a warm worker that is the interpreter running the script.
if python3 -c 'import boltmcp' 2>/dev/null; then
    echo "== Python: add in process, and fib(1) sandboxed (examples/sandboxed.py)" >&2
    "$load" "${common[@]}" --server "python-add=python3 mcp-python/examples/sandboxed.py"
    "$load" "${common[@]}" --tool fib --arguments '{"n":1}' \
        --server "python-sandboxed-fib=python3 mcp-python/examples/sandboxed.py"
fi
