"""Real clients against boltmcp's calculator over Streamable HTTP (the `calculator-http` example).

* the official Python `mcp` client (2.3.0), in both eras: "legacy" (`initialize`, an
  `Mcp-Session-Id` session) and "2026-07-28" (stateless POSTs with the metadata headers);
* the official Inspector CLI (2.12.0) with `--transport http`, in both eras;
* over HTTPS (`--tls-cert`/`--tls-key`, a CA the test makes): the official Python client
  in both eras, trusting the test CA, and boltmcp's own `client-tour --ca-cert`.

The server logs the era it decided for each POST; each test checks the client really
spoke the era it was pinned to.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from conftest import REQUEST_TIMEOUT, SESSION_TIMEOUT, SUBPROCESS_TIMEOUT, server_binary

MODES = {"legacy": "Legacy", "2026-07-28": "Modern"}
EXPECTED_VERSION = {"legacy": "2025-11-25", "2026-07-28": "2026-07-28"}


@pytest.fixture(params=list(MODES))
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.mark.anyio
async def test_python_client_lists_and_calls_tools(http_server, mode: str) -> None:
    server = http_server("calculator-http")
    with anyio.fail_after(SESSION_TIMEOUT):
        async with Client(server.url, mode=mode, read_timeout_seconds=REQUEST_TIMEOUT) as client:
            version = client.protocol_version
            listed = await client.list_tools()
            added = await client.call_tool("add", {"a": 5, "b": 3})
            divided = await client.call_tool("divide", {"a": 1, "b": 0})
    assert version == EXPECTED_VERSION[mode]
    assert {tool.name for tool in listed.tools} == {"add", "subtract", "multiply", "divide"}
    assert added.is_error is False, added
    assert added.structured_content == {"result": 8.0}, added
    assert divided.is_error is True, divided
    assert server.eras() == {MODES[mode]}, server.transcript()


@pytest.mark.anyio
async def test_python_clients_of_both_eras_share_one_endpoint(http_server) -> None:
    server = http_server("calculator-http")
    with anyio.fail_after(SESSION_TIMEOUT):
        async with Client(server.url, mode="legacy", read_timeout_seconds=REQUEST_TIMEOUT) as old:
            async with Client(server.url, mode="2026-07-28", read_timeout_seconds=REQUEST_TIMEOUT) as new:
                a = await old.call_tool("multiply", {"a": 6, "b": 7})
                b = await new.call_tool("subtract", {"a": 6, "b": 7})
    assert a.structured_content == {"result": 42.0}, a
    assert b.structured_content == {"result": -1.0}, b
    assert server.eras() == {"Legacy", "Modern"}, server.transcript()


@pytest.mark.anyio
async def test_python_client_over_https_with_the_test_ca(http_server, test_pki: Path, mode: str) -> None:
    server = http_server("calculator-http", pki=test_pki)
    assert server.url.startswith("https://")
    trust = ssl.create_default_context(cafile=str(test_pki / "ca.pem"))
    http = httpx2.AsyncClient(verify=trust, timeout=httpx2.Timeout(REQUEST_TIMEOUT))
    with anyio.fail_after(SESSION_TIMEOUT):
        async with http, Client(
            streamable_http_client(server.url, http_client=http), mode=mode, read_timeout_seconds=REQUEST_TIMEOUT
        ) as client:
            version = client.protocol_version
            added = await client.call_tool("add", {"a": 5, "b": 3})
    assert version == EXPECTED_VERSION[mode]
    assert added.structured_content == {"result": 8.0}, added
    assert server.eras() == {MODES[mode]}, server.transcript()


@pytest.mark.anyio
async def test_python_client_refuses_a_server_it_does_not_trust(http_server, test_pki: Path) -> None:
    server = http_server("calculator-http", pki=test_pki)
    http = httpx2.AsyncClient(timeout=httpx2.Timeout(REQUEST_TIMEOUT))  # the public roots only
    with anyio.fail_after(SESSION_TIMEOUT), pytest.raises(Exception) as refused:
        async with http, Client(streamable_http_client(server.url, http_client=http), mode="2026-07-28") as client:
            await client.list_tools()
    assert "CERTIFICATE_VERIFY_FAILED" in repr(refused.value) or "certificate" in repr(refused.value).lower()


def test_client_tour_trusts_a_private_ca(http_server, test_pki: Path) -> None:
    server = http_server("calculator-http", pki=test_pki)
    tour = [str(server_binary("client-tour")), "--http", server.url]
    refused = subprocess.run(tour, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
    assert refused.returncode != 0
    assert "unknown issuer" in refused.stderr, refused.stderr
    done = subprocess.run(
        tour + ["--ca-cert", str(test_pki / "ca.pem")], capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {tool["name"] for tool in report["tools"]} == {"add", "subtract", "multiply", "divide"}, report


ERAS = {"legacy": "Legacy", "modern": "Modern"}


@pytest.fixture(params=list(ERAS))
def era(request: pytest.FixtureRequest) -> str:
    return request.param


def run_inspector(inspector: list[str], url: str, era: str, tmp_path: Path, *method_args: str) -> dict[str, Any]:
    argv = [*inspector, url, "--transport", "http", *method_args, "--protocol-era", era, "--format", "json"]
    env = dict(os.environ)
    env["MCP_CATALOG_PATH"] = str(tmp_path / "inspector-catalog.json")
    env["MCP_CLIENT_CONFIG_PATH"] = str(tmp_path / "inspector-client.json")
    proc = subprocess.run(
        argv, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, stdin=subprocess.DEVNULL, env=env
    )
    detail = f"argv: {argv}\nexit: {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert proc.returncode == 0, detail
    output = json.loads(proc.stdout)
    assert "result" in output, detail
    return output["result"]


def test_inspector_lists_and_calls_tools(inspector, http_server, era: str, tmp_path: Path) -> None:
    server = http_server("calculator-http")
    listed = run_inspector(inspector, server.url, era, tmp_path, "--method", "tools/list")
    assert {tool["name"] for tool in listed["tools"]} == {"add", "subtract", "multiply", "divide"}, listed
    called = run_inspector(
        inspector, server.url, era, tmp_path,
        "--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=2", "--tool-arg", "b=40",
    )
    assert called.get("isError") in (None, False), called
    assert called["structuredContent"] == {"result": 42.0}, called
    assert server.eras() == {ERAS[era]}, server.transcript()
