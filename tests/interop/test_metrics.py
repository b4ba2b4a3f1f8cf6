"""The `secure-server` example's `/metrics`, scraped after known traffic and read with
the reference Prometheus text parser (`prometheus_client`): the official Python `mcp`
client's calls, plus raw requests refused for a missing token, a missing scope and a
spent rate limit, each counted exactly.

Needs the example binaries built (see conftest.py).
"""

from __future__ import annotations

import json

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from prometheus_client.parser import text_string_to_metric_families

from conftest import REQUEST_TIMEOUT, SESSION_TIMEOUT

WRITER = "writer-token-0123456789"
READER = "reader-token-0123456789"
ARGS = ("--bearer-token", f"{WRITER}:math:write", "--bearer-token", f"{READER}:", "--metrics")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> tuple[str, Samples]:
    """GET /metrics: its content type, and every sample by name and labels."""
    response = httpx2.get(url.replace("/mcp", "/metrics"), timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200, response.text
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return response.headers["content-type"], samples


def value(samples: Samples, name: str, method: str, target: str, **extra: str) -> float:
    labels = frozenset({"method": method, "target": target, **extra}.items())
    assert (name, labels) in samples, f"no {name}{dict(labels)} in {sorted(samples)}"
    return samples[(name, labels)]


async def modern_call(http: httpx2.AsyncClient, url: str, token: str | None, name: str, arguments: dict) -> int:
    """A 2026-07-28 `tools/call` POSTed by hand; its HTTP status."""
    headers = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": name,
    }
    if token:
        headers["authorization"] = f"Bearer {token}"
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": name, "arguments": arguments, "_meta": meta}}
    response = await http.post(url, headers=headers, content=json.dumps(body))
    return response.status_code


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_metrics_count_known_traffic_exactly(http_server, mode: str) -> None:
    server = http_server("secure-server", args=ARGS)
    authorized = httpx2.AsyncClient(
        headers={"authorization": f"Bearer {WRITER}"}, timeout=httpx2.Timeout(REQUEST_TIMEOUT)
    )
    with anyio.fail_after(SESSION_TIMEOUT):
        async with authorized, Client(
            streamable_http_client(server.url, http_client=authorized), mode=mode, read_timeout_seconds=REQUEST_TIMEOUT
        ) as client:
            for _ in range(3):
                added = await client.call_tool("add", {"a": 1, "b": 2})
                assert added.is_error is False, added
            divided = await client.call_tool("divide", {"a": 1, "b": 0})
            assert divided.is_error is True, divided
            with pytest.raises(MCPError):
                await client.call_tool("no-such-tool", {})

        async with httpx2.AsyncClient(timeout=httpx2.Timeout(REQUEST_TIMEOUT)) as raw:
            assert await modern_call(raw, server.url, None, "add", {"a": 1, "b": 2}) == 401
            assert await modern_call(raw, server.url, READER, "divide", {"a": 1, "b": 2}) == 403
            # divide allows five calls a second in all: one was spent above.
            statuses = [await modern_call(raw, server.url, WRITER, "divide", {"a": 4, "b": 2}) for _ in range(8)]
    assert set(statuses) <= {200, 429}, statuses
    limited = statuses.count(429)
    assert limited >= 1, statuses

    content_type, samples = scrape(server.url)
    assert content_type.startswith("text/plain; version=0.0.4"), content_type
    call = "tools/call"
    assert value(samples, "mcp_server_requests_total", call, "add") == 3
    assert value(samples, "mcp_server_tool_errors_total", call, "add") == 0
    assert value(samples, "mcp_server_request_duration_seconds_count", call, "add") == 3
    assert value(samples, "mcp_server_requests_total", call, "divide") == 1 + 1 + 8
    assert value(samples, "mcp_server_tool_errors_total", call, "divide") == 1
    assert value(samples, "mcp_server_refusals_total", call, "divide", cause="scope") == 1
    assert value(samples, "mcp_server_refusals_total", call, "divide", cause="rate_limit") == limited
    assert value(samples, "mcp_server_refusals_total", "", "", cause="auth") == 1
    assert value(samples, "mcp_server_errors_total", call, "<unregistered>", code="-32602") == 1
    in_flight = [v for (name, _), v in samples.items() if name == "mcp_server_requests_in_flight"]
    assert in_flight and all(v == 0 for v in in_flight), in_flight
    assert not any("no-such-tool" in dict(labels).get("target", "") for _, labels in samples)
