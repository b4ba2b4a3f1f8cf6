"""`MCPClient`, synchronous and async, over stdio, Streamable HTTP and in-process, in
both eras: against the Python examples, the Rust calculator, and a fastmcp server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from boltmcp import (
    Context,
    Elicited,
    ImageContent,
    MCPClient,
    MCPError,
    MCPServer,
    Root,
    SamplingRequest,
    TextContent,
    ToolError,
    dev_token,
)
from conftest import free_port, serving

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TESTS = Path(__file__).resolve().parent
REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("BOLTMCP_BIN_DIR") or REPO / "target" / "debug")


def calculator(**options: Any) -> MCPClient:
    client = MCPClient(timeout=20, **options)
    return client.connect_stdio(sys.executable, [str(EXAMPLES / "calculator.py")])


def test_the_client_flow_prints_the_sum() -> None:
    shown = subprocess.run([sys.executable, str(EXAMPLES / "client.py")], capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[-1] == "8.0"
    assert "tools: add, subtract, multiply, divide" in shown.stdout


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_sync_calls_over_stdio(mode: str) -> None:
    with calculator(mode=mode) as client:
        assert client.era == ("2026-07-28" if mode == "2026-07-28" else "2025-11-25")
        assert client.server_info["name"] == "calculator"
        tools = {tool.name: tool for tool in client.list_tools()}
        added = client.call_tool("add", {"a": 5, "b": 3})
        failed = client.call_tool("divide", {"a": 1, "b": 0})
        with pytest.raises(MCPError) as unknown:
            client.call_tool("nope", {})
    assert tools["add"].description == "Adds two numbers."
    assert tools["add"].output_schema is not None
    assert added.data == 8.0 and str(added) == "8.0" and not added.is_error
    assert added.structured_content == {"result": 8.0}
    assert failed.is_error and str(failed) == "division by zero" and failed.data is None
    assert unknown.value.code is not None and "nope" in str(unknown.value)


def test_a_closed_client_says_so() -> None:
    client = calculator()
    client.close()
    with pytest.raises(MCPError, match="not connected"):
        client.call_tool("add", {"a": 1, "b": 2})


ENDINGS: list[str] = []


def make_server() -> MCPServer:
    server = MCPServer(name="inline", version="2.0", instructions="Be nice.")

    @server.tool()
    def echo(text: str) -> dict[str, str]:
        """Echoes."""
        return {"echo": text}

    @server.tool()
    def pixel() -> ImageContent:
        """An image."""
        return ImageContent(b"\x89PNG\r\n\x1a\nxx", "image/png")

    @server.tool()
    def slow(seconds: float, ctx: Context) -> str:
        """Sleeps, reporting progress."""
        ctx.progress(0, 1, "start")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not ctx.cancelled:
            time.sleep(0.01)
        ctx.progress(1, 1, "end")
        ENDINGS.append("cancelled" if ctx.cancelled else "slept")
        return ENDINGS[-1]

    @server.tool()
    async def nap(seconds: float) -> str:
        """Sleeps on the event loop."""
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            ENDINGS.append("nap cancelled")
            raise
        return "rested"

    @server.tool()
    def ask(ctx: Context) -> str:
        """Asks the client everything it can."""
        name = ctx.elicit("Name?", {"type": "object", "properties": {"name": {"type": "string"}}})
        sampled = ctx.sample("Say hi", max_tokens=5)
        roots = ctx.roots()
        return f"{name.data} / {sampled.text} / {[r.uri for r in roots]}"

    @server.resource("mem://greeting")
    def greeting() -> str:
        """A greeting."""
        return "hello"

    @server.prompt()
    def review(code: str) -> str:
        """Reviews code."""
        return f"Review: {code}"

    return server


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_in_memory_with_every_kind_of_request(mode: str) -> None:
    server = make_server()
    heard: list[tuple[float, float | None, str | None]] = []
    asked: list[Any] = []

    def on_elicit(message: str, schema: dict[str, Any]) -> dict[str, Any]:
        asked.append((message, schema))
        return {"name": "Ada"}

    def on_sample(request: SamplingRequest) -> str:
        asked.append(request)
        return "hi!"

    with MCPClient.connect_in_memory(
        server, mode=mode, on_elicit=on_elicit, on_sample=on_sample, on_roots=lambda: [Root("file:///w", "w")]
    ) as client:
        assert client.instructions == "Be nice."
        echoed = client.call_tool("echo", {"text": "x"})
        pixel = client.call_tool("pixel")
        slept = client.call_tool("slow", {"seconds": 0.05}, progress=lambda p, t, m: heard.append((p, t, m)))
        answered = client.call_tool("ask")
        contents = client.read_resource("mem://greeting")
        (prompt,) = client.list_prompts()
        got = client.get_prompt("review", {"code": "x = 1"})
        assert [r.uri for r in client.list_resources()] == ["mem://greeting"]
    assert echoed.data == {"echo": "x"}
    (image,) = pixel.content
    assert isinstance(image, ImageContent) and image.data.startswith(b"\x89PNG")
    assert slept.data == "slept"
    # Every report was heard before the call returned.
    assert heard == [(0.0, 1.0, "start"), (1.0, 1.0, "end")]
    assert answered.data == "{'name': 'Ada'} / hi! / ['file:///w']"
    assert asked[0] == ("Name?", {"type": "object", "properties": {"name": {"type": "string"}}})
    assert isinstance(asked[1], SamplingRequest) and asked[1].max_tokens == 5
    assert contents[0].text == "hello"
    assert prompt.name == "review" and prompt.arguments[0].name == "code"
    assert isinstance(got.messages[0].content, TextContent) and got.messages[0].content.text == "Review: x = 1"


@pytest.mark.parametrize(("mode", "unasked"), [("2026-07-28", []), ("legacy", ["at info"])])
def test_set_log_level_asks_for_logs_in_both_eras(mode: str, unasked: list[str]) -> None:
    """2026-07-28 has no `logging/setLevel`: the level rides in each later request's
    `_meta`, and a request that does not ask hears no logs. Legacy starts at info."""
    server = MCPServer("chatty")

    @server.tool()
    def chatty(ctx: Context) -> str:
        ctx.info("at info")
        ctx.debug("at debug")
        return "said"

    heard: list[str] = []

    def logs_of_a_call(expected: int) -> list[str]:
        heard.clear()
        assert client.call_tool("chatty").data == "said"
        deadline = time.monotonic() + (5 if expected else 0.2)
        while len(heard) < max(expected, 1) and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(heard)

    on_notification = lambda method, params: heard.append(params["data"]) if method == "notifications/message" else None  # noqa: E731
    with MCPClient.connect_in_memory(server, mode=mode, on_notification=on_notification) as client:
        assert logs_of_a_call(len(unasked)) == unasked
        client.set_log_level("debug")
        assert logs_of_a_call(2) == ["at info", "at debug"]
        client.set_log_level("warning")
        assert logs_of_a_call(0) == []


def test_a_call_past_its_timeout_raises_and_the_server_goes_on() -> None:
    with MCPClient.connect_in_memory(make_server()) as client:
        started = time.monotonic()
        with pytest.raises(MCPError):
            client.call_tool("slow", {"seconds": 10}, timeout=0.3)
        assert time.monotonic() - started < 5
        assert client.call_tool("echo", {"text": "still here"}).data == {"echo": "still here"}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_async_calls_run_together(mode: str) -> None:
    async with MCPClient.connect_stdio(sys.executable, [str(EXAMPLES / "calculator.py")], mode=mode) as client:
        results = await asyncio.gather(*(client.call_tool("add", {"a": i, "b": 1}) for i in range(50)))
        tools = await client.list_tools()
    assert [r.data for r in results] == [float(i + 1) for i in range(50)]
    assert len(tools) == 4


@pytest.mark.anyio
async def test_blocking_handlers_do_not_hold_up_the_calls_behind_them() -> None:
    """Three plain handlers sleeping outside Python run side by side on the handler
    threads (one stands by while the others are blocked)."""
    async with MCPClient.connect_in_memory(make_server()) as client:
        started = time.monotonic()
        slept = await asyncio.gather(*(client.call_tool("slow", {"seconds": 0.6}) for _ in range(3)))
        together = time.monotonic() - started
    assert [r.data for r in slept] == ["slept"] * 3
    assert together < 1.5, f"the three blocking calls ran one after another ({together:.2f} s)"


@pytest.mark.anyio
async def test_async_answerers_run_on_the_callers_loop() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def on_elicit(message: str, schema: dict[str, Any]) -> Elicited[dict[str, Any]]:
        loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0)
        return Elicited("accept", {"name": "Bo"})

    async def on_sample(request: SamplingRequest) -> str:
        return "yo"

    async with MCPClient.connect_in_memory(make_server(), on_elicit=on_elicit, on_sample=on_sample, on_roots=lambda: ["file:///r"]) as client:
        answered = await client.call_tool("ask")
    assert answered.data == "{'name': 'Bo'} / yo / ['file:///r']"
    assert loops == [asyncio.get_running_loop()]


@pytest.mark.anyio
async def test_cancelling_an_async_call_cancels_it_on_the_server() -> None:
    server = make_server()
    async with MCPClient.connect_in_memory(server) as client:
        call = asyncio.ensure_future(client.call_tool("slow", {"seconds": 30}))
        await asyncio.sleep(0.3)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        deadline = time.monotonic() + 5
        while "cancelled" not in ENDINGS and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert "cancelled" in ENDINGS, "the server's handler saw the cancellation"
        napping = asyncio.ensure_future(client.call_tool("nap", {"seconds": 30}))
        await asyncio.sleep(0.3)
        napping.cancel()
        deadline = time.monotonic() + 5
        while "nap cancelled" not in ENDINGS and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert "nap cancelled" in ENDINGS, "the async handler's task was cancelled"
        many = await asyncio.gather(*(client.call_tool("nap", {"seconds": 0.2}) for _ in range(20)))
        assert [r.data for r in many] == ["rested"] * 20
        assert (await client.call_tool("echo", {"text": "on"})).data == {"echo": "on"}


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_the_rust_calculator_over_http(mode: str) -> None:
    binary = BIN_DIR / "calculator-http"
    if not binary.is_file():
        pytest.fail(f"{binary} is missing: build it with `cargo build -p boltmcp-examples`")
    port = free_port()
    server = subprocess.Popen([str(binary), f"127.0.0.1:{port}"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with MCPClient.connect_http(f"http://127.0.0.1:{port}/mcp", mode=mode) as client:
                    added = client.call_tool("add", {"a": 2, "b": 40})
                break
            except MCPError:
                assert time.monotonic() < deadline and server.poll() is None, "the Rust calculator did not serve"
                time.sleep(0.1)
    finally:
        server.kill()
        server.wait()
    assert added.data == 42 or added.data == 42.0


def test_a_fastmcp_server_over_stdio() -> None:
    fastmcp_server = REPO / "tests" / "interop" / "servers" / "fastmcp_server.py"
    with MCPClient(timeout=30).connect_stdio(sys.executable, [str(fastmcp_server)]) as client:
        tools = {tool.name: tool for tool in client.list_tools()}
        added = client.call_tool("add", {"a": 2, "b": 3})
        shouted = client.call_tool("shout", {"text": "hey"})
        greeting = client.read_resource("data://greeting")
        item = client.read_resource("data://items/7")
        templates = client.list_resource_templates()
    assert {"add", "shout"} <= set(tools)
    assert tools["add"].input_schema["properties"]["a"]["type"] == "integer"
    assert added.data == 5 and str(added) == "5"
    assert shouted.text == "HEY"
    assert greeting[0].text == "hello from fastmcp" and item[0].text == "item 7"
    assert [t.uri_template for t in templates] == ["data://items/{item_id}"]


def test_headers_carry_a_token_over_http() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    secret = "client-test-secret-of-32-bytes!!"
    os.environ["BOLTMCP_HS256_SECRET"] = secret
    try:
        with serving(EXAMPLES / "secure_server.py", f"127.0.0.1:{port}", "--issuer", "https://i.test"):
            bearer = dev_token(secret, issuer="https://i.test", audience=url, scopes=["math:write"])
            with MCPClient.connect_http(url, {"Authorization": f"Bearer {bearer}"}) as client:
                divided = client.call_tool("divide", {"a": 1, "b": 4})
                who = client.call_tool("whoami")
            with pytest.raises(MCPError) as refused:
                MCPClient().connect_http(url)
    finally:
        del os.environ["BOLTMCP_HS256_SECRET"]
    assert divided.data == 0.25
    assert who.data == {"subject": "developer", "scopes": ["math:write"]}
    assert refused.value.status == 401


def test_tool_errors_and_protocol_errors_differ() -> None:
    server = MCPServer(name="e")

    @server.tool()
    def fail() -> str:
        """Fails."""
        raise ToolError("nope")

    with MCPClient.connect_in_memory(server) as client:
        failed = client.call_tool("fail")
        with pytest.raises(MCPError) as wrong:
            client.read_resource("mem://none")
    assert failed.is_error and failed.text == "nope"
    assert wrong.value.code is not None


PROGRESS_THEN_EXIT = """
import sys

from boltmcp import Context, MCPClient, MCPServer

server = MCPServer("reports")


@server.tool()
def work(ctx: Context) -> int:
    ctx.progress(0, 1, "start")
    ctx.progress(1, 1, "end")
    return 1


with MCPClient.connect_stdio(sys.executable, [sys.argv[1]]) as client:
    for _ in range(20):
        heard = []
        client.call_tool("work", progress=lambda p, t, m: heard.append(m))
        assert heard == ["start", "end"], heard
print("all heard")
"""


def test_progress_is_heard_before_the_answer_and_the_interpreter_exits_cleanly(tmp_path: Path) -> None:
    """Each call's reports reach its callback before the call returns, and none is
    left to a handler thread when the interpreter exits (which used to abort it)."""
    server = tmp_path / "server.py"
    server.write_text(PROGRESS_THEN_EXIT.split("\n\nwith ")[0] + "\n\nserver.run()\n")
    client = tmp_path / "client.py"
    client.write_text(PROGRESS_THEN_EXIT)
    done = subprocess.run([sys.executable, str(client), str(server)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "all heard" in done.stdout, done.stderr
    assert "FATAL" not in done.stderr
