"""The official Python `mcp` client drives the Python calculator over stdio, in both
protocol eras: the handshake (or its absence), the tool list with schemas from type
hints and docstrings, calls, structured results, and a `ToolError`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from conftest import free_port, serving

CALCULATOR = Path(__file__).resolve().parents[1] / "examples" / "calculator.py"

pytestmark = pytest.mark.anyio


async def test_the_calculator_lists_and_calls(mode: str) -> None:
    params = StdioServerParameters(command=sys.executable, args=[str(CALCULATOR)])
    with anyio.fail_after(30):
        async with Client(params, mode=mode, read_timeout_seconds=20) as client:
            listed = await client.list_tools()
            added = await client.call_tool("add", {"a": 5, "b": 3})
            divided = await client.call_tool("divide", {"a": 1, "b": 0})
            wrong = await client.call_tool("add", {"a": "five", "b": 3})

    tools = {tool.name: tool for tool in listed.tools}
    assert set(tools) == {"add", "subtract", "multiply", "divide"}
    add = tools["add"]
    assert add.description == "Adds two numbers."
    assert add.input_schema["properties"]["a"] == {"type": "number", "description": "The first addend."}
    assert add.input_schema["required"] == ["a", "b"]
    assert add.output_schema == {"type": "object", "properties": {"result": {"type": "number"}}, "required": ["result"]}
    assert added.is_error is False
    assert added.structured_content == {"result": 8.0}
    assert divided.is_error is True
    assert divided.content[0].text == "division by zero"
    assert wrong.is_error is True
    assert "`a` must be a number, not a string" in wrong.content[0].text


async def test_the_readme_programs_run_as_pasted(tmp_path: Path) -> None:
    """The README's Python blocks, as written: the server answers the official
    client, and the client prints the sum; `mypy --strict` accepts both."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```$", readme, re.S | re.M)
    assert len(blocks) == 3, "the README shows a server program, a client program and a sandboxed server"
    server_program, client_program = tmp_path / "quick_start.py", tmp_path / "client_flow.py"
    sandboxed_program = tmp_path / "sandboxed.py"
    server_program.write_text(blocks[0])
    client_program.write_text(blocks[1])
    sandboxed_program.write_text(blocks[2])
    programs = [str(server_program), str(client_program), str(sandboxed_program)]
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *programs],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, f"mypy --strict refuses the README's programs:\n{checked.stdout}"
    params = StdioServerParameters(command=sys.executable, args=[str(server_program)])
    with anyio.fail_after(30):
        async with Client(params, read_timeout_seconds=20) as client:
            added = await client.call_tool("add", {"a": 2, "b": 3})
            divided = await client.call_tool("divide", {"a": 1, "b": 0})
    assert added.structured_content == {"result": 5.0}
    assert divided.is_error is True and divided.content[0].text == "division by zero"
    flow = subprocess.run(
        [sys.executable, str(client_program)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert flow.returncode == 0, flow.stderr
    assert flow.stdout.strip() == "8.0"
    sandboxed = StdioServerParameters(command=sys.executable, args=[str(sandboxed_program)])
    with anyio.fail_after(30):
        async with Client(sandboxed, read_timeout_seconds=20) as client:
            inspected = await client.call_tool("inspect", {})
    assert inspected.is_error is False and inspected.structured_content is not None
    if os.geteuid() == 0:
        # A worker started by root runs as a user of its own.
        assert inspected.structured_content["uid"] >= 0x7000_0000


async def test_the_calculator_over_streamable_http_and_ctrl_c(mode: str) -> None:
    """`--http`: the official client in both eras over Streamable HTTP; then Ctrl-C
    (SIGINT) stops the server cleanly."""
    port = free_port()
    with serving(CALCULATOR, "--http", f"127.0.0.1:{port}") as server:
        with anyio.fail_after(30):
            async with Client(
                streamable_http_client(f"http://127.0.0.1:{port}/mcp"), mode=mode, read_timeout_seconds=20
            ) as client:
                added = await client.call_tool("add", {"a": 5, "b": 3})
        assert added.structured_content == {"result": 8.0}
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0


async def test_resources_templates_and_prompts(mode: str) -> None:
    """The notes example: a fixed resource, a template, a prompt, and their errors."""
    notes = Path(__file__).resolve().parents[1] / "examples" / "notes.py"
    params = StdioServerParameters(command=sys.executable, args=[str(notes)])
    with anyio.fail_after(30):
        async with Client(params, mode=mode, read_timeout_seconds=20) as client:
            resources = await client.list_resources()
            templates = await client.list_resource_templates()
            prompts = await client.list_prompts()
            index = await client.read_resource("notes://index")
            first = await client.read_resource("notes://1")
            review = await client.get_prompt("review", {"text": "Hello"})
            with pytest.raises(Exception, match="no note 9"):
                await client.read_resource("notes://9")

    assert [r.uri for r in resources.resources] == ["notes://index"]
    assert [t.uri_template for t in templates.resource_templates] == ["notes://{id}"]
    (prompt,) = prompts.prompts
    assert prompt.name == "review" and prompt.description == "Asks for a review of a text."
    assert [(a.name, a.required, a.description) for a in prompt.arguments] == [
        ("text", True, "What to review."),
        ("tone", False, "How to say it."),
    ]
    assert index.contents[0].text == "[1, 2]" and index.contents[0].mime_type == "application/json"
    assert first.contents[0].text == "Buy milk"
    assert review.messages[0].role == "user"
    assert review.messages[0].content.text == "Review this, in a kind tone:\n\nHello"


async def test_the_notes_example_asks_before_deleting(mode: str) -> None:
    """The official client answers the example's elicitation, in both eras."""
    from mcp import types

    notes = Path(__file__).resolve().parents[1] / "examples" / "notes.py"
    params = StdioServerParameters(command=sys.executable, args=[str(notes)])
    answers = iter([{"confirm": False}, {"confirm": True}])
    asked: list[types.ElicitRequestParams] = []

    async def elicit(context: object, request: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(request)
        return types.ElicitResult(action="accept", content=next(answers))

    with anyio.fail_after(30):
        async with Client(params, mode=mode, read_timeout_seconds=20, elicitation_callback=elicit) as client:
            kept = await client.call_tool("delete_note", {"id": 1})
            deleted = await client.call_tool("delete_note", {"id": 1})
            index = await client.read_resource("notes://index")
    assert kept.content[0].text == "kept note 1"
    assert deleted.content[0].text == "deleted note 1"
    assert index.contents[0].text == "[2]"
    assert asked[0].message == "Delete note 1 ('Buy milk')?"
    assert asked[0].requested_schema["properties"] == {"confirm": {"type": "boolean"}}


async def test_a_tool_reports_progress_and_logs_through_its_context(mode: str) -> None:
    notes = Path(__file__).resolve().parents[1] / "examples" / "notes.py"
    params = StdioServerParameters(command=sys.executable, args=[str(notes)])
    progress: list[tuple[float, float | None, str | None]] = []
    logs: list[object] = []

    async def heard_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async def heard_log(params: object) -> None:
        logs.append(params)

    with anyio.fail_after(30):
        async with Client(
            params, mode=mode, read_timeout_seconds=20, logging_callback=heard_log, log_level="info"
        ) as client:
            tools = await client.list_tools()
            counted = await client.call_tool("count_words", {"id": 2}, progress_callback=heard_progress)

    count = next(t for t in tools.tools if t.name == "count_words")
    assert set(count.input_schema["properties"]) == {"id"}, "the context is not an argument"
    assert counted.structured_content == {"result": 3}
    assert progress == [(0.0, 1.0, "counting"), (1.0, 1.0, "done")]
    assert any(getattr(log, "data", None) == "counting the words of note 2" for log in logs), logs


async def test_tool_policies_and_the_security_rate_limit() -> None:
    """`timeout`, `max_concurrency` and `rate_limit` on the decorator, and the
    `security` settings' per-caller rate limit, enforced by the Rust layers."""
    server = Path(__file__).resolve().parent / "policies_server.py"
    params = StdioServerParameters(command=sys.executable, args=[str(server)])
    with anyio.fail_after(60):
        async with Client(params, read_timeout_seconds=20) as client:
            timed_out = await client.call_tool("slow", {"seconds": 2})
            quick = await client.call_tool("slow", {"seconds": 0})

            started = time.monotonic()
            async with anyio.create_task_group() as group:
                for _ in range(2):
                    group.start_soon(client.call_tool, "single", {"seconds": 0.3})
            together = time.monotonic() - started

            assert (await client.call_tool("scarce", {})).is_error is False
            assert (await client.call_tool("scarce", {})).is_error is False
            with pytest.raises(Exception, match="Too many requests: 2/min for tool scarce"):
                await client.call_tool("scarce", {})

            refused = None
            for _ in range(25):
                try:
                    await client.call_tool("slow", {"seconds": 0})
                except Exception as err:  # the 21st call of the minute
                    refused = err
                    break

    assert timed_out.is_error is True, timed_out
    assert "did not finish within its timeout of 200ms" in timed_out.content[0].text, timed_out
    assert quick.is_error is False
    assert together >= 0.6, f"two calls of a one-at-a-time tool overlapped: {together:.2f} s"
    assert refused is not None and "Too many requests: 20/min for this connection" in str(refused), refused
    assert "retryAfterMs" in repr(refused), refused


async def test_system_exit_in_a_handler_stops_the_server(tmp_path: Path) -> None:
    program = tmp_path / "stopping.py"
    program.write_text(
        "import sys\n"
        "from boltmcp import MCPServer\n"
        "server = MCPServer('stopping')\n"
        "@server.tool()\n"
        "def stop() -> str:\n"
        "    raise SystemExit(0)\n"
        "server.run()\n"
        "print('run returned', file=sys.stderr)\n"
    )
    server = subprocess.Popen(
        [sys.executable, str(program)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert server.stdin is not None and server.stdout is not None
    call = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"stop","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}\n'
    server.stdin.write(call)
    server.stdin.flush()
    try:
        assert server.wait(timeout=10) == 0, "the server stopped on SystemExit"
    finally:
        if server.poll() is None:
            server.kill()
    assert "run returned" in (server.stderr.read() if server.stderr else "")
