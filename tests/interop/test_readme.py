"""The README's Rust path works as pasted.

Every ```rust block in README.md is a complete program. This test builds them all as
binaries of one new crate outside the workspace, whose `[dependencies]` are exactly the
README's ```toml block (its `boltmcp` path pointed at this checkout), as a new user
would. Then it runs the programs that serve stdio (the quick start, the layers) and the
axum one over HTTP, and holds each to what the README says it does.

The crate shares the workspace's `target/` directory and `Cargo.lock`, so it resolves
the same versions and rebuilds only what its own features change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
CRATE = REPO_ROOT / "target" / "readme-crate"
BUILD_TIMEOUT = 900


def fenced_blocks(text: str, language: str) -> list[str]:
    """The bodies of the README's fenced blocks in `language`, in order."""
    pattern = re.compile(r"^```" + re.escape(language) + r"\n(.*?)^```$", re.S | re.M)
    return [match.group(1) for match in pattern.finditer(text)]


def dependencies_block(text: str) -> str:
    blocks = [b for b in fenced_blocks(text, "toml") if b.startswith("[dependencies]")]
    assert len(blocks) == 1, "the README shows exactly one [dependencies] block"
    block = blocks[0]
    assert 'boltmcp = { path = "' in block, "the README shows the boltmcp path dependency"
    local = json.dumps(str(REPO_ROOT / "mcp"))
    return re.sub(r'boltmcp = \{ path = "[^"]*"', f"boltmcp = {{ path = {local}", block)


@pytest.fixture(scope="module")
def programs() -> dict[str, Path]:
    """Builds every README program; maps a short name to its binary."""
    text = README.read_text()
    snippets = fenced_blocks(text, "rust")
    assert snippets, "the README has Rust examples"
    if CRATE.exists():
        shutil.rmtree(CRATE)
    (CRATE / "src" / "bin").mkdir(parents=True)
    names = []
    for index, snippet in enumerate(snippets):
        assert "fn main" in snippet, (
            f"README Rust block {index + 1} is not a complete program:\n{snippet}"
        )
        name = f"readme{index + 1}"
        (CRATE / "src" / "bin" / f"{name}.rs").write_text(snippet)
        names.append(name)
    manifest = (
        '[package]\nname = "readme-crate"\nversion = "0.0.0"\nedition = "2024"\n'
        "publish = false\n\n[workspace]\n\n" + dependencies_block(text)
    )
    (CRATE / "Cargo.toml").write_text(manifest)
    shutil.copy(REPO_ROOT / "Cargo.lock", CRATE / "Cargo.lock")
    env = dict(os.environ, CARGO_TARGET_DIR=str(REPO_ROOT / "target"))
    build = subprocess.run(
        ["cargo", "build", "--quiet", "--bins"],
        cwd=CRATE,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    assert build.returncode == 0, f"the README's programs do not compile:\n{build.stderr}"
    binaries = {name: REPO_ROOT / "target" / "debug" / name for name in names}
    by_role: dict[str, Path] = {}
    for name, snippet in zip(names, snippets):
        if "JwtVerifier" in snippet:
            by_role["auth"] = binaries[name]
        elif "sandbox::init" in snippet:
            by_role["sandbox"] = binaries[name]
        elif "Prometheus" in snippet:
            by_role["metrics"] = binaries[name]
        elif "serve_stdio_blocking" in snippet and "divide_tool" in snippet:
            by_role["quick_start"] = binaries[name]
        elif "TimeoutLayer" in snippet:
            by_role["layers"] = binaries[name]
        elif "route_service" in snippet:
            by_role["axum"] = binaries[name]
        elif "Client::connect_stdio" in snippet:
            by_role["client"] = binaries[name]
    assert set(by_role) == {"quick_start", "layers", "axum", "client", "auth", "metrics", "sandbox"}, by_role
    return by_role


def stdio_exchange(binary: Path, messages: list[dict]) -> list[dict]:
    """Sends `messages` to a stdio server, closes its input, returns what it wrote."""
    lines = "".join(json.dumps(m) + "\n" for m in messages)
    done = subprocess.run(
        [binary], input=lines, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "readme", "version": "1"},
    },
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def call(id_: int, name: str, arguments: dict) -> dict:
    return {
        "jsonrpc": "2.0",
        "id": id_,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


def test_the_quick_start_serves_its_tools_and_explains_bad_arguments(programs):
    out = stdio_exchange(
        programs["quick_start"],
        [INITIALIZE, INITIALIZED, call(2, "add", {"a": 2, "b": 3}), call(3, "divide", {"a": 1})],
    )
    by_id = {m["id"]: m for m in out if "id" in m}
    assert by_id[1]["result"]["capabilities"] == {"tools": {"listChanged": True}, "logging": {}}
    assert by_id[2]["result"]["structuredContent"] == {"result": 5.0}
    assert by_id[3]["result"]["isError"] is True
    assert by_id[3]["result"]["content"][0]["text"] == (
        'Invalid arguments: missing required argument "b" (a number)'
    )


def test_the_layers_example_answers_through_tower_timeout(programs):
    out = stdio_exchange(
        programs["layers"], [INITIALIZE, INITIALIZED, call(2, "add", {"a": 2, "b": 3})]
    )
    by_id = {m["id"]: m for m in out if "id" in m}
    assert "result" in by_id[1], by_id[1]
    assert by_id[2]["result"]["structuredContent"] == {"result": 5.0}, by_id[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, body: dict, origin: str | None) -> tuple[int, dict, str]:
    headers = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
    }
    if origin:
        headers["origin"] = origin
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def wait_for(url: str) -> None:
    """Waits until something answers `url` over HTTP (any status)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing answered {url}"
            time.sleep(0.1)


def test_the_axum_example_admits_the_page_origin_with_cors_and_refuses_others(programs):
    port = free_port()
    server = subprocess.Popen(
        [programs["axum"], f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        wait_for(f"http://127.0.0.1:{port}/health")
        status, headers, body = post(url, INITIALIZE, "https://app.example.com")
        assert status == 200, body
        lowered = {k.lower(): v for k, v in headers.items()}
        assert lowered["access-control-allow-origin"] == "https://app.example.com"
        assert "mcp-session-id" in lowered["access-control-expose-headers"].lower()
        assert "mcp-session-id" in lowered
        status, _, _ = post(url, INITIALIZE, "https://evil.example.net")
        assert status == 403, "a page from another origin is refused"
    finally:
        server.kill()
        server.wait()


def test_the_auth_example_challenges_then_serves_the_operator_token(programs):
    port = free_port()
    env = dict(os.environ, JWT_SECRET="a README secret of at least 32 bytes!!", OPS_TOKEN="ops-token-42")
    server = subprocess.Popen(
        [programs["auth"], f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/.well-known/oauth-protected-resource/mcp")
        status, headers, body = post(f"{base}/mcp", INITIALIZE, None)
        assert status == 401, body
        challenge = {k.lower(): v for k, v in headers.items()}["www-authenticate"]
        assert challenge == (
            f'Bearer scope="math:write", resource_metadata="{base}'
            '/.well-known/oauth-protected-resource/mcp"'
        )
        request = urllib.request.Request(
            f"{base}/mcp",
            data=json.dumps(INITIALIZE).encode(),
            headers={
                "content-type": "application/json",
                "accept": "application/json, text/event-stream",
                "authorization": "Bearer ops-token-42",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        with urllib.request.urlopen(
            f"{base}/.well-known/oauth-protected-resource/mcp", timeout=10
        ) as response:
            document = json.loads(response.read())
        assert document["resource"] == f"{base}/mcp"
        assert document["scopes_supported"] == ["math:write"]
    finally:
        server.kill()
        server.wait()


def test_the_metrics_example_counts_what_it_served(programs):
    from prometheus_client.parser import text_string_to_metric_families

    port = free_port()
    server = subprocess.Popen(
        [programs["metrics"], f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/metrics")
        status, headers, body = post(f"{base}/mcp", INITIALIZE, None)
        assert status == 200, body
        session = {k.lower(): v for k, v in headers.items()}["mcp-session-id"]
        for id_ in (2, 3):
            request = urllib.request.Request(
                f"{base}/mcp",
                data=json.dumps(call(id_, "add", {"a": 2, "b": 3})).encode(),
                headers={
                    "content-type": "application/json",
                    "accept": "application/json, text/event-stream",
                    "mcp-session-id": session,
                    "mcp-protocol-version": "2025-11-25",
                },
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
                assert '"result":5.0' in response.read().decode()
        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
            text = response.read().decode()
        samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }
        add = (("method", "tools/call"), ("target", "add"))
        assert samples[("mcp_server_requests_total", add)] == 2, text
        assert samples[("mcp_server_request_duration_seconds_count", add)] == 2, text
        initialize = (("method", "initialize"), ("target", ""))
        assert samples[("mcp_server_requests_total", initialize)] == 1, text
    finally:
        server.kill()
        server.wait()


def test_the_sandbox_example_answers_from_its_workers(programs):
    """The sandboxed tool answers from a worker; the command runs `wc -l` in a sandbox."""
    answers = stdio_exchange(
        programs["sandbox"],
        [
            INITIALIZE,
            INITIALIZED,
            call(2, "word_count", {"text": "one two three"}),
            call(3, "line_count", {"text": "a\nb\n"}),
        ],
    )
    by_id = {answer.get("id"): answer for answer in answers}
    words = by_id[2]["result"]
    assert words.get("isError") is not True, words
    assert words["structuredContent"] == {"result": 3}, words
    lines = by_id[3]["result"]
    assert lines.get("isError") is not True, lines
    assert lines["content"][0]["text"] == "2", lines
