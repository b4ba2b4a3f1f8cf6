"""The official MCP Inspector CLI (@modelcontextprotocol/inspector 2.12.0) against
boltmcp's example servers, over stdio.

Each run is one process: the CLI spawns the server, connects, calls one method, prints
the result as one JSON object (`--format json`: `{"result": ...}` on stdout) and exits.
Both protocol eras are pinned with `--protocol-era`: "legacy" (the `initialize`
handshake) and "modern" (2026-07-28: `server/discover`, no fallback).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import SUBPROCESS_TIMEOUT, WireTap

ERAS = ["legacy", "modern"]
WELCOME = {"id": 1, "title": "welcome", "body": "Hello from boltmcp"}

# The CLI's exit codes (clients/cli/build/index.js, EXIT_CODES): 0 OK, 5 TOOL_ERROR.
EXIT_OK = 0
EXIT_TOOL_ERROR = 5


@pytest.fixture(params=ERAS)
def era(request: pytest.FixtureRequest) -> str:
    return request.param


def run_inspector(
    inspector: list[str],
    wiretap: WireTap,
    era: str,
    tmp_path: Path,
    *method_args: str,
    expect_exit: int = EXIT_OK,
) -> dict[str, Any]:
    """Run one CLI method against the tapped server; return the parsed `result`."""
    argv = [
        *inspector,
        *wiretap.argv(),
        *method_args,
        "--protocol-era",
        era,
        "--format",
        "json",
    ]
    env = dict(os.environ)
    # Keep the CLI's catalog and client config out of $HOME.
    env["MCP_CATALOG_PATH"] = str(tmp_path / "inspector-catalog.json")
    env["MCP_CLIENT_CONFIG_PATH"] = str(tmp_path / "inspector-client.json")
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(
            f"Inspector did not finish within {SUBPROCESS_TIMEOUT}s: {argv}\n"
            f"stdout: {e.stdout!r}\nstderr: {e.stderr!r}"
        )
    detail = f"argv: {argv}\nexit: {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert proc.returncode == expect_exit, detail
    try:
        output = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"Inspector stdout is not one JSON object\n{detail}")
    assert "result" in output, detail
    check_era(wiretap, era)
    return output["result"]


def check_era(wiretap: WireTap, era: str) -> None:
    """The CLI really spoke the pinned era on the wire."""
    methods = [json.loads(line).get("method") for line in wiretap.sent() if line.strip()]
    if era == "legacy":
        assert methods[:2] == ["initialize", "notifications/initialized"], methods
        assert "server/discover" not in methods, methods
    else:
        assert methods[0] == "server/discover", methods
        assert "initialize" not in methods, methods


def only_text(content: list[dict[str, Any]]) -> str:
    assert len(content) == 1, content
    assert content[0]["type"] == "text", content
    return content[0]["text"]


# --- calculator -----------------------------------------------------------------------


def test_tools_list(inspector, tap, era, tmp_path) -> None:
    result = run_inspector(inspector, tap("calculator"), era, tmp_path, "--method", "tools/list")
    tools = {tool["name"]: tool for tool in result["tools"]}
    assert set(tools) == {"add", "subtract", "multiply", "divide"}, result
    schema = tools["add"]["inputSchema"]
    assert schema["type"] == "object", schema
    assert set(schema["properties"]) == {"a", "b"}, schema
    assert sorted(schema["required"]) == ["a", "b"], schema


def test_tools_call_add(inspector, tap, era, tmp_path) -> None:
    result = run_inspector(
        inspector,
        tap("calculator"),
        era,
        tmp_path,
        "--method",
        "tools/call",
        "--tool-name",
        "add",
        "--tool-arg",
        "a=2",
        "--tool-arg",
        "b=3",
    )
    assert result.get("isError", False) is False, result
    assert result["structuredContent"] == {"result": 5}, result
    assert json.loads(only_text(result["content"])) == {"result": 5}, result


def test_tools_call_divide_by_zero(inspector, tap, era, tmp_path) -> None:
    result = run_inspector(
        inspector,
        tap("calculator"),
        era,
        tmp_path,
        "--method",
        "tools/call",
        "--tool-name",
        "divide",
        "--tool-arg",
        "a=1",
        "--tool-arg",
        "b=0",
        expect_exit=EXIT_TOOL_ERROR,
    )
    assert result["isError"] is True, result
    assert "division by zero" in only_text(result["content"]).lower(), result


# --- the Python calculator (mcp-python, on the same Rust runtime) ------------------------


def test_python_calculator_tools_list(inspector, tap, era, tmp_path) -> None:
    result = run_inspector(inspector, tap("calculator.py"), era, tmp_path, "--method", "tools/list")
    tools = {tool["name"]: tool for tool in result["tools"]}
    assert set(tools) == {"add", "subtract", "multiply", "divide"}, result
    assert tools["add"]["description"] == "Adds two numbers.", result
    assert tools["add"]["inputSchema"]["properties"]["a"]["type"] == "number", result


def test_python_calculator_tools_call(inspector, tap, era, tmp_path) -> None:
    args = ["--method", "tools/call", "--tool-name", "multiply", "--tool-arg", "a=6", "--tool-arg", "b=7"]
    result = run_inspector(inspector, tap("calculator.py"), era, tmp_path, *args)
    assert result.get("isError", False) is False, result
    assert result["structuredContent"] == {"result": 42}, result
    args = ["--method", "tools/call", "--tool-name", "divide", "--tool-arg", "a=1", "--tool-arg", "b=0"]
    failed = run_inspector(inspector, tap("calculator.py"), era, tmp_path, *args, expect_exit=EXIT_TOOL_ERROR)
    assert only_text(failed["content"]) == "division by zero", failed


# --- notes ------------------------------------------------------------------------------


def test_resources_list(inspector, tap, era, tmp_path) -> None:
    result = run_inspector(inspector, tap("notes"), era, tmp_path, "--method", "resources/list")
    uris = {r["uri"]: r for r in result["resources"]}
    assert "notes://all" in uris, result
    assert uris["notes://all"].get("mimeType") == "application/json", result


def test_resources_read_all(inspector, tap, era, tmp_path) -> None:
    result = run_inspector(
        inspector, tap("notes"), era, tmp_path, "--method", "resources/read", "--uri", "notes://all"
    )
    assert len(result["contents"]) == 1, result
    contents = result["contents"][0]
    assert contents["uri"] == "notes://all", result
    assert contents.get("mimeType") == "application/json", result
    assert json.loads(contents["text"]) == [WELCOME], result


def test_resources_read_template(inspector, tap, era, tmp_path) -> None:
    result = run_inspector(
        inspector, tap("notes"), era, tmp_path, "--method", "resources/read", "--uri", "notes://1"
    )
    assert len(result["contents"]) == 1, result
    assert result["contents"][0]["uri"] == "notes://1", result
    assert result["contents"][0]["text"] == "Hello from boltmcp", result


def test_prompts_list(inspector, tap, era, tmp_path) -> None:
    result = run_inspector(inspector, tap("notes"), era, tmp_path, "--method", "prompts/list")
    prompts = {p["name"]: p for p in result["prompts"]}
    assert "summarize" in prompts, result
    arguments = {a["name"]: a for a in prompts["summarize"].get("arguments", [])}
    assert set(arguments) == {"style"}, result
    assert not arguments["style"].get("required", False), result


def test_prompts_get(inspector, tap, era, tmp_path) -> None:
    result = run_inspector(
        inspector,
        tap("notes"),
        era,
        tmp_path,
        "--method",
        "prompts/get",
        "--prompt-name",
        "summarize",
        "--prompt-args",
        "style=bullet points",
    )
    assert len(result["messages"]) == 1, result
    message = result["messages"][0]
    assert message["role"] == "user", result
    assert message["content"]["type"] == "text", result
    assert "Summarize" in message["content"]["text"], result
    assert "bullet points" in message["content"]["text"], result
    assert "Hello from boltmcp" in message["content"]["text"], result
