"""The `security` settings over Streamable HTTP, on `examples/secure_server.py`: a bad
or missing token is 401 with the challenge, a missing scope 403, a caller past the
rate limit 429; a good token reaches the tools, and `Context.principal` names it. The
official client connects with the token; `--dev` prints a token that works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx2 as httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from boltmcp import dev_token
from conftest import free_port, serving

SERVER = Path(__file__).resolve().parents[1] / "examples" / "secure_server.py"
SECRET = "test-secret-of-thirty-two-bytes!"
ISSUER = "https://issuer.test"

pytestmark = pytest.mark.anyio


def token(url: str, *scopes: str, secret: str = SECRET, issuer: str = ISSUER, audience: str | None = None) -> str:
    return dev_token(secret, issuer=issuer, audience=audience or url, scopes=scopes, subject="ada")


def call(url: str, bearer: str | None, tool: str, arguments: dict[str, Any]) -> httpx.Response:
    """A 2026-07-28 `tools/call`, as raw HTTP."""
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/call",
        "Mcp-Name": tool,
    }
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments, "_meta": meta}}
    return httpx.post(url, json=body, headers=headers, timeout=10)


@pytest.fixture
def secure_url() -> Any:
    port = free_port()
    os.environ["BOLTMCP_HS256_SECRET"] = SECRET
    try:
        with serving(SERVER, f"127.0.0.1:{port}", "--issuer", ISSUER, "--rate-limit", "8/minute"):
            yield f"http://127.0.0.1:{port}/mcp"
    finally:
        del os.environ["BOLTMCP_HS256_SECRET"]


def test_refusals_carry_their_http_status(secure_url: str) -> None:
    missing = call(secure_url, None, "add", {"a": 1, "b": 2})
    assert missing.status_code == 401
    challenge = missing.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and "resource_metadata=" in challenge

    forged = call(secure_url, token(secure_url, secret="another-secret-of-32-bytes-long!"), "add", {"a": 1, "b": 2})
    assert forged.status_code == 401 and 'error="invalid_token"' in forged.headers["www-authenticate"]
    elsewhere = call(secure_url, token(secure_url, audience="http://elsewhere/mcp"), "add", {"a": 1, "b": 2})
    assert elsewhere.status_code == 401
    untrusted = call(secure_url, token(secure_url, issuer="https://evil.test"), "add", {"a": 1, "b": 2})
    assert untrusted.status_code == 401

    plain = token(secure_url)
    added = call(secure_url, plain, "add", {"a": 1, "b": 2})
    assert added.status_code == 200 and '"structuredContent":{"result":3.0}' in added.text.replace(" ", "")
    forbidden = call(secure_url, plain, "divide", {"a": 1, "b": 2})
    assert forbidden.status_code == 403
    assert 'error="insufficient_scope"' in forbidden.headers["www-authenticate"]
    assert "math:write" in forbidden.headers["www-authenticate"]
    allowed = call(secure_url, token(secure_url, "math:write"), "divide", {"a": 1, "b": 2})
    assert allowed.status_code == 200 and "0.5" in allowed.text

    metadata = httpx.get(secure_url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp"), timeout=10)
    assert metadata.status_code == 200 and metadata.json()["resource"] == secure_url


def test_a_caller_past_the_rate_limit_gets_429(secure_url: str) -> None:
    bearer = token(secure_url)
    statuses = [call(secure_url, bearer, "add", {"a": 1, "b": 1}).status_code for _ in range(10)]
    assert statuses[:8] == [200] * 8 and statuses[8] == 429, statuses
    refused = call(secure_url, bearer, "add", {"a": 1, "b": 1})
    assert int(refused.headers["retry-after"]) >= 1
    other = call(secure_url, token(secure_url, "math:write"), "add", {"a": 1, "b": 1})
    assert other.status_code == 429, "tokens of one subject share the caller's budget"


async def test_the_official_client_with_a_token(secure_url: str, mode: str) -> None:
    bearer = token(secure_url, "secrets:read")
    http = httpx.AsyncClient(headers={"Authorization": f"Bearer {bearer}"}, timeout=20)
    with anyio.fail_after(30):
        async with http, Client(streamable_http_client(secure_url, http_client=http), mode=mode) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            who = await client.call_tool("whoami", {})
            note = await client.read_resource("secrets://door")
    assert tools == {"add", "whoami"}, "tools the caller may not use are hidden"
    assert who.structured_content == {"subject": "ada", "scopes": ["secrets:read"]}
    assert note.contents[0].text == "the secret of door"


def test_dev_mode_prints_a_working_token() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with serving(SERVER, f"127.0.0.1:{port}", "--dev", stdout=subprocess.PIPE) as server:
        assert server.stdout is not None
        line = server.stdout.readline().strip()
        assert line.startswith("TOKEN=")
        assert "curl -s " + url in server.stdout.readline()
        divided = call(url, line.removeprefix("TOKEN="), "divide", {"a": 9, "b": 3})
    assert divided.status_code == 200 and "3.0" in divided.text


def test_settings_are_checked_when_the_server_is_made() -> None:
    from boltmcp import MCPServer

    with pytest.raises(ValueError, match="unknown 'jtw'"):
        MCPServer("x", security={"auth": {"jtw": {}}})
    with pytest.raises(ValueError, match="give 'issuer'"):
        MCPServer("x", security={"auth": {"jwt": {"secret": SECRET}}})
    with pytest.raises(ValueError, match="give the key"):
        MCPServer("x", security={"auth": {"jwt": {"issuer": ISSUER}}})
    with pytest.raises(ValueError, match="needs a way to verify tokens"):
        MCPServer("x", security={"auth": {}})


STDIO_SERVER = """
from boltmcp import Context, MCPServer

server = MCPServer("s", security={"auth": {"tokens": {"good": ["admin"]}}})


@server.tool()
def hello() -> str:
    \"\"\"Anyone.\"\"\"
    return "hello"


@server.tool(scopes=["admin"])
def reset(ctx: Context) -> str:
    \"\"\"Admins only.\"\"\"
    caller = ctx.principal
    return f"reset by {caller.subject if caller else None}"


server.run()
"""


@pytest.mark.anyio
async def test_a_stdio_server_runs_as_the_holder_of_its_token(tmp_path: Path) -> None:
    from mcp import StdioServerParameters

    program = tmp_path / "stdio_secure.py"
    program.write_text(STDIO_SERVER)
    with anyio.fail_after(30):
        params = StdioServerParameters(command=sys.executable, args=[str(program)], env={**os.environ, "BOLTMCP_TOKEN": "good"})
        async with Client(params, read_timeout_seconds=20) as client:
            admin_tools = {t.name for t in (await client.list_tools()).tools}
            reset = await client.call_tool("reset", {})
        env = {k: v for k, v in os.environ.items() if k != "BOLTMCP_TOKEN"}
        params = StdioServerParameters(command=sys.executable, args=[str(program)], env=env)
        async with Client(params, read_timeout_seconds=20) as client:
            anonymous_tools = {t.name for t in (await client.list_tools()).tools}
            with pytest.raises(Exception):
                await client.call_tool("reset", {})
    assert admin_tools == {"hello", "reset"} and anonymous_tools == {"hello"}
    assert reset.content[0].text == "reset by static-token-1"


def test_a_stdio_server_verifies_its_token_at_start(tmp_path: Path) -> None:
    """Over stdio the caller is the holder of `BOLTMCP_TOKEN`; a bad one stops the start."""
    program = tmp_path / "stdio_secure.py"
    program.write_text(STDIO_SERVER)
    refused = subprocess.run(
        [sys.executable, str(program)],
        env={**os.environ, "BOLTMCP_TOKEN": "bad"},
        input="",
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert refused.returncode != 0 and "BOLTMCP_TOKEN" in refused.stderr
