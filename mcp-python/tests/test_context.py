"""`Context`'s questions to the client (elicitation, sampling, roots), reading the
server's own resources, and content-block results, driven by the official Python
client in both eras over stdio and Streamable HTTP."""

from __future__ import annotations

import base64
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters, types
from mcp.client.streamable_http import streamable_http_client

from conftest import free_port, serving

SERVER = Path(__file__).resolve().parent / "asking_server.py"

pytestmark = pytest.mark.anyio


class Answers:
    """The client's side: it answers each question and remembers what it was asked."""

    def __init__(self, elicited: list[dict[str, Any] | None]) -> None:
        self.elicited = list(elicited)
        self.forms: list[types.ElicitRequestParams] = []
        self.samplings: list[types.CreateMessageRequestParams] = []

    async def elicit(self, context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.forms.append(params)
        content = self.elicited.pop(0)
        if content is None:
            return types.ElicitResult(action="decline")
        return types.ElicitResult(action="accept", content=content)

    async def sample(self, context: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        self.samplings.append(params)
        prompt = params.messages[0].content
        text = prompt.text if isinstance(prompt, types.TextContent) else "?"
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=f"short({len(text)})"),
            model="tiny-1",
            stop_reason="endTurn",
        )

    async def roots(self, context: Any) -> types.ListRootsResult:
        return types.ListRootsResult(roots=[types.Root(uri="file:///work/project", name="project")])


@asynccontextmanager
async def connect(mode: str, transport: str, answers: Answers) -> AsyncIterator[Client]:
    callbacks: dict[str, Any] = {
        "elicitation_callback": answers.elicit,
        "sampling_callback": answers.sample,
        "list_roots_callback": answers.roots,
    }
    if transport == "stdio":
        params = StdioServerParameters(command=sys.executable, args=[str(SERVER)])
        async with Client(params, mode=mode, read_timeout_seconds=20, **callbacks) as client:
            yield client
    else:
        port = free_port()
        with serving(SERVER, "--http", str(port)):
            url = f"http://127.0.0.1:{port}/mcp"
            async with Client(streamable_http_client(url), mode=mode, read_timeout_seconds=20, **callbacks) as client:
                yield client


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def text(result: types.CallToolResult) -> str:
    assert not result.is_error, result
    first = result.content[0]
    assert isinstance(first, types.TextContent)
    return first.text


async def test_elicitation_into_a_dataclass(mode: str, transport: str) -> None:
    answers = Answers([{"name": "Ada", "guests": 3, "seating": "outside"}, None])
    with anyio.fail_after(40):
        async with connect(mode, transport, answers) as client:
            booked = await client.call_tool("book", {})
            declined = await client.call_tool("book", {})
    assert text(booked) == "Ada x3 outside note=None"
    assert text(declined) == "no booking (decline)"
    form = answers.forms[0]
    assert form.message == "Who is coming?"
    schema = form.requested_schema
    assert schema["properties"]["guests"] == {"type": "integer"}
    assert schema["properties"]["seating"]["enum"] == ["inside", "outside"]
    assert schema["properties"]["note"]["type"] == "string", "Optional is a plain, optional field"
    assert schema["required"] == ["name", "guests"]


async def test_two_questions_in_one_call_and_a_broad_except(mode: str) -> None:
    answers = Answers([{"name": "Ada"}, {"sure": True}, {"name": "Bob"}])
    with anyio.fail_after(40):
        async with connect(mode, "stdio", answers) as client:
            confirmed = await client.call_tool("confirm", {})
            swallowed = await client.call_tool("swallow", {})
    assert text(confirmed) == "{'name': 'Ada'} {'sure': True}"
    assert text(swallowed) == "{'name': 'Bob'}", "InputRequired went through `except Exception`"


async def test_sampling_from_sync_and_async_tools(mode: str, transport: str) -> None:
    answers = Answers([])
    with anyio.fail_after(40):
        async with connect(mode, transport, answers) as client:
            summary = await client.call_tool("summarize", {"text": "hello"})
            summary_async = await client.call_tool("summarize_async", {"text": "hello there"})
    assert text(summary) == "tiny-1: short(16)"
    assert text(summary_async) == "tiny-1: short(22)"
    first = answers.samplings[0]
    assert first.system_prompt == "Be brief." and first.max_tokens == 50


async def test_roots(mode: str) -> None:
    with anyio.fail_after(40):
        async with connect(mode, "stdio", Answers([])) as client:
            listed = await client.call_tool("where", {})
    assert listed.structured_content == {"result": ["project=file:///work/project"]}


async def test_a_client_without_the_capability_gets_a_clear_answer(mode: str) -> None:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)])
    with anyio.fail_after(40):
        async with Client(params, mode=mode, read_timeout_seconds=20) as client:
            try:
                result = await client.call_tool("where", {})
                message = str(result.content[0])
                assert result.is_error, result
            except Exception as err:  # 2026-07-28: an error naming the missing capability
                message = f"{err} {getattr(err, 'data', None)}"
                assert "Missing required client capability" in message
    assert "roots" in message, message


async def test_reading_the_servers_own_resources(mode: str) -> None:
    with anyio.fail_after(40):
        async with connect(mode, "stdio", Answers([])) as client:
            quoted = await client.call_tool("quote", {"topic": "tea"})
    assert text(quoted) == "text/plain: all about tea"


async def test_content_block_results(mode: str) -> None:
    with anyio.fail_after(40):
        async with connect(mode, "stdio", Answers([])) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            picture = await client.call_tool("picture", {})
            blocks = await client.call_tool("blocks", {})
            beep = await client.call_tool("beep", {})
            unknown = await client.call_tool("unknown_bytes", {})
    assert tools["picture"].output_schema is None and tools["blocks"].output_schema is None
    (image,) = picture.content
    assert isinstance(image, types.ImageContent) and image.mime_type == "image/png"
    assert base64.b64decode(image.data).startswith(b"\x89PNG")
    assert [block.type for block in blocks.content] == ["text", "image", "resource", "resource_link"]
    embedded = blocks.content[2]
    assert isinstance(embedded, types.EmbeddedResource)
    assert isinstance(embedded.resource, types.TextResourceContents) and embedded.resource.text == "x"
    (sound,) = beep.content
    assert isinstance(sound, types.AudioContent) and sound.mime_type == "audio/wav"
    assert unknown.is_error and "Image(data, mime_type)" in str(unknown.content[0])
