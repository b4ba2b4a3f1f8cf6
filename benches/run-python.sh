#!/usr/bin/env bash
# Python benchmark: the Python calculator on boltmcp (mcp-python) against the anchors
# in the same run, the official SDK's `MCPServer` (`mcp`) and fastmcp, each serving
# `add` on stdio; mcp-load pinned to one core, strictly sequential, as the README's
# other stdio rows. The ratios print at the end.
#
# Needs the package installed (`pip install ./mcp-python`) and the anchors
# (`pip install -r tests/interop/requirements.txt`, which scripts/test.sh runs).
#
# Usage: benches/run-python.sh   (any cwd)
# Environment: CALLS (5000: the anchors answer about 1,000 calls a second)
#              RUNS (3)  PIN (0)  WARMUP (500)  PYTHON (python3)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CALLS="${CALLS:-5000}"
RUNS="${RUNS:-3}"
PIN="${PIN:-0}"
WARMUP="${WARMUP:-500}"
TARGET="${CARGO_TARGET_DIR:-target}"
# The interpreter by its real path: a version manager's shim (pyenv's is a shell
# script) would add its own start-up to every server's.
PYTHON="$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')"

echo "== building mcp-load" >&2
cargo build --release -p boltmcp-benches --bin mcp-load

"$TARGET/release/mcp-load" --runs "$RUNS" --warmup "$WARMUP" --calls "$CALLS" --pin "$PIN" \
    --server "boltmcp-python=$PYTHON mcp-python/examples/calculator.py" \
    --server "mcp=$PYTHON benches/anchors/python/mcp_calculator.py" \
    --server "fastmcp=$PYTHON benches/anchors/python/fastmcp_calculator.py"
