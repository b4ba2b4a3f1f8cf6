#!/usr/bin/env bash
# The whole test suite: formatting, clippy with -D warnings, every Rust test (unit,
# integration, schema validation, trybuild UI tests), then interop with real peers
# against the examples: the official Python `mcp` client and the MCP Inspector CLI
# (stdio and HTTP), the official conformance suite (server and client scenarios), the
# reference server-everything and a fastmcp server (for the client).
# The peers are installed first (idempotent: a second run takes a second or two).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== installing the interop peers"
bash scripts/install-test-deps.sh

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo clippy: boltmcp's other feature sets"
cargo clippy -p boltmcp --no-default-features -- -D warnings
cargo clippy -p boltmcp -- -D warnings
cargo clippy -p boltmcp --no-default-features --features macros,schema-validation -- -D warnings
cargo clippy -p boltmcp --no-default-features --features macros,rate-limit -- -D warnings
cargo clippy -p boltmcp --no-default-features --features macros,metrics -- -D warnings
cargo clippy -p boltmcp --no-default-features --features macros,sandbox -- -D warnings
echo "== cargo test"
cargo test --workspace
echo "== interop (real peers)"
cargo build -p boltmcp-examples -p boltmcp-tests --bins
python3 -m pytest tests/interop -q
echo "== the Python package: built with maturin into this Python, then its tests"
python3 -m pip install --quiet --disable-pip-version-check --no-input --root-user-action=ignore ./mcp-python
python3 -m pytest mcp-python/tests -q
echo "== mypy --strict: the Python package and its examples"
python3 -m mypy --strict mcp-python/python/boltmcp mcp-python/examples
