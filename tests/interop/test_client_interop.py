"""boltmcp's client against real servers, through the `client-tour` example (which
lists and calls every tool, reads every resource and gets every prompt, and prints a
JSON report):

* the official reference server `@modelcontextprotocol/server-everything` (npm), over
  stdio and over Streamable HTTP (it speaks the legacy era: the client's
  `server/discover` probe falls back to `initialize`);
* a fastmcp (PyPI) server over stdio, in both eras (fastmcp speaks 2026-07-28).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import INTEROP_DIR, NODE, NODE_MODULES, SUBPROCESS_TIMEOUT, server_binary

EVERYTHING = NODE_MODULES / "@modelcontextprotocol" / "server-everything" / "dist" / "index.js"
FASTMCP_SERVER = INTEROP_DIR / "servers" / "fastmcp_server.py"
# server-everything tools that fail on this machine for reasons of their own, as tool
# errors (isError), not protocol errors: one downloads a file from the internet, the
# other runs a research simulation that needs a task-capable client.
EVERYTHING_TOOL_ERRORS = {"gzip-file-as-resource", "simulate-research-query"}


def tour(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [str(server_binary("client-tour")), *args],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr[-5000:]}"
    return json.loads(proc.stdout)


def check_everything(report: dict[str, Any]) -> None:
    assert report["server"] == "mcp-servers/everything", report
    tools = {t["name"]: t for t in report["tools"]}
    assert {"echo", "get-sum", "get-tiny-image", "trigger-sampling-request", "trigger-elicitation-request",
            "get-roots-list", "trigger-long-running-operation"} <= set(tools), sorted(tools)
    for name, tool in tools.items():
        assert tool["ok"], f"{name}: {tool}"
        assert tool.get("isError", False) == (name in EVERYTHING_TOOL_ERRORS), f"{name}: {tool}"
    assert tools["echo"]["text"] == "Echo: test", tools["echo"]
    assert "sampled answer" in tools["trigger-sampling-request"]["text"], tools["trigger-sampling-request"]
    assert "file:///tmp" in tools["get-roots-list"]["text"], tools["get-roots-list"]
    assert report["resources"] and all(r["ok"] for r in report["resources"]), report["resources"]
    assert report["templates"] >= 1
    assert report["prompts"] and all(p["ok"] for p in report["prompts"]), report["prompts"]


def everything_argv() -> list[str]:
    if not EVERYTHING.is_file():
        pytest.fail(f"{EVERYTHING} is missing: run scripts/install-test-deps.sh", pytrace=False)
    return [str(NODE), str(EVERYTHING)]


@pytest.mark.parametrize("era", ["auto", "legacy"])
def test_server_everything_over_stdio(era: str) -> None:
    report = tour("--era", era, "--", *everything_argv(), "stdio")
    assert report["era"].startswith("Legacy"), report["era"]
    check_everything(report)


@pytest.mark.parametrize("era", ["auto", "legacy"])
def test_server_everything_over_http(era: str, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "everything.log").open("w")
    server = subprocess.Popen(
        [*everything_argv(), "streamableHttp"],
        env=dict(os.environ, PORT=str(port)),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "everything.log").read_text()
                time.sleep(0.05)
        report = tour("--era", era, "--http", f"http://127.0.0.1:{port}/mcp")
    finally:
        server.kill()
        server.wait(timeout=10)
    assert report["era"].startswith("Legacy"), report["era"]
    check_everything(report)


@pytest.mark.parametrize(("era", "expected"), [("auto", "Modern"), ("legacy", "Legacy")])
def test_fastmcp_over_stdio(era: str, expected: str) -> None:
    report = tour("--era", era, "--", "python3", str(FASTMCP_SERVER))
    assert report["era"].startswith(expected), report["era"]
    assert report["server"] == "fastmcp-fixture"
    tools = {t["name"]: t for t in report["tools"]}
    assert set(tools) == {"add", "shout"}, tools
    assert all(t["ok"] and not t.get("isError") for t in tools.values()), tools
    assert tools["add"]["text"] == "2", tools["add"]
    assert tools["shout"]["text"] == "TEST", tools["shout"]
    assert [r["uri"] for r in report["resources"]] == ["data://greeting"] and report["resources"][0]["ok"]
    assert report["templates"] == 1
    assert [p["name"] for p in report["prompts"]] == ["summarize"] and report["prompts"][0]["ok"]
