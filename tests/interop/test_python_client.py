"""The official Python `mcp` client (2.3.0) against boltmcp's example servers, over stdio.

Each test runs in both protocol eras the client offers:
  * "legacy": the `initialize` handshake (the client offers 2025-11-25);
  * "2026-07-28": no handshake; every request carries the version in `_meta`.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from conftest import REQUEST_TIMEOUT, SESSION_TIMEOUT, WireTap

pytestmark = pytest.mark.anyio

MODES = ["legacy", "2026-07-28"]
EXPECTED_VERSION = {"legacy": "2025-11-25", "2026-07-28": "2026-07-28"}
WELCOME = {"id": 1, "title": "welcome", "body": "Hello from boltmcp"}


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


def open_client(wiretap: WireTap, mode: str) -> Client:
    argv = wiretap.argv()
    return Client(
        StdioServerParameters(command=argv[0], args=argv[1:]),
        mode=mode,
        read_timeout_seconds=REQUEST_TIMEOUT,
    )


def only_text(content: list[Any]) -> str:
    """The text of a result holding exactly one text block."""
    assert len(content) == 1, f"expected one content block, got {content!r}"
    block = content[0]
    assert block.type == "text", f"expected a text block, got {block!r}"
    return block.text


def assert_structured_number(result: Any, expected: float) -> None:
    """A calculator result: structuredContent {"result": n} and a text block with that JSON."""
    assert result.is_error is False, f"tool reported an error: {result!r}"
    assert result.structured_content == {"result": expected}, result
    assert json.loads(only_text(result.content)) == {"result": expected}, result


# --- calculator -----------------------------------------------------------------------


async def test_calculator_handshake_and_list_tools(tap, mode: str) -> None:
    with anyio.fail_after(SESSION_TIMEOUT):
        async with open_client(tap("calculator"), mode) as client:
            version = client.protocol_version
            listed = await client.list_tools()

    assert version == EXPECTED_VERSION[mode]

    tools = {tool.name: tool for tool in listed.tools}
    assert set(tools) == {"add", "subtract", "multiply", "divide"}
    assert listed.next_cursor is None
    for tool in tools.values():
        schema = tool.input_schema
        assert schema["type"] == "object", (tool.name, schema)
        assert set(schema["properties"]) == {"a", "b"}, (tool.name, schema)
        assert sorted(schema["required"]) == ["a", "b"], (tool.name, schema)
        for arg in ("a", "b"):
            assert schema["properties"][arg]["type"] == "number", (tool.name, arg, schema)
        assert tool.description, f"{tool.name} has no description"


async def test_calculator_call_add(tap, mode: str) -> None:
    with anyio.fail_after(SESSION_TIMEOUT):
        async with open_client(tap("calculator"), mode) as client:
            result = await client.call_tool("add", {"a": 2, "b": 3})
    assert_structured_number(result, 5)


async def test_calculator_every_operation(tap, mode: str) -> None:
    with anyio.fail_after(SESSION_TIMEOUT):
        async with open_client(tap("calculator"), mode) as client:
            results = {
                name: await client.call_tool(name, {"a": 7, "b": 2})
                for name in ("add", "subtract", "multiply", "divide")
            }
            fractional = await client.call_tool("add", {"a": 0.25, "b": -1.5})
    assert_structured_number(results["add"], 9)
    assert_structured_number(results["subtract"], 5)
    assert_structured_number(results["multiply"], 14)
    assert_structured_number(results["divide"], 3.5)
    assert_structured_number(fractional, -1.25)


async def test_calculator_divide_by_zero_is_tool_error(tap, mode: str) -> None:
    with anyio.fail_after(SESSION_TIMEOUT):
        async with open_client(tap("calculator"), mode) as client:
            result = await client.call_tool("divide", {"a": 1, "b": 0})
            # The session is still usable after a tool error.
            after = await client.call_tool("multiply", {"a": 3, "b": 4})
    assert result.is_error is True, result
    assert "division by zero" in only_text(result.content).lower(), result
    assert_structured_number(after, 12)


# --- notes ------------------------------------------------------------------------------


async def test_notes_list_resources_and_templates(tap, mode: str) -> None:
    with anyio.fail_after(SESSION_TIMEOUT):
        async with open_client(tap("notes"), mode) as client:
            resources = await client.list_resources()
            templates = await client.list_resource_templates()

    by_uri = {r.uri: r for r in resources.resources}
    assert "notes://all" in by_uri, resources
    assert by_uri["notes://all"].mime_type == "application/json", by_uri["notes://all"]
    assert by_uri["notes://all"].name, by_uri["notes://all"]

    by_template = {t.uri_template: t for t in templates.resource_templates}
    assert "notes://{id}" in by_template, templates
    assert by_template["notes://{id}"].name, by_template["notes://{id}"]


async def test_notes_read_resources(tap, mode: str) -> None:
    with anyio.fail_after(SESSION_TIMEOUT):
        async with open_client(tap("notes"), mode) as client:
            everything = await client.read_resource("notes://all")
            first = await client.read_resource("notes://1")

    assert len(everything.contents) == 1, everything
    all_contents = everything.contents[0]
    assert all_contents.uri == "notes://all"
    assert all_contents.mime_type == "application/json"
    assert json.loads(all_contents.text) == [WELCOME]

    assert len(first.contents) == 1, first
    assert first.contents[0].uri == "notes://1"
    assert first.contents[0].text == "Hello from boltmcp"


async def test_notes_prompts(tap, mode: str) -> None:
    with anyio.fail_after(SESSION_TIMEOUT):
        async with open_client(tap("notes"), mode) as client:
            prompts = await client.list_prompts()
            plain = await client.get_prompt("summarize")
            styled = await client.get_prompt("summarize", {"style": "three haiku"})

    by_name = {p.name: p for p in prompts.prompts}
    assert "summarize" in by_name, prompts
    arguments = {a.name: a for a in by_name["summarize"].arguments or []}
    assert set(arguments) == {"style"}, by_name["summarize"]
    assert not arguments["style"].required, arguments["style"]

    for result in (plain, styled):
        assert len(result.messages) == 1, result
        message = result.messages[0]
        assert message.role == "user", message
        assert message.content.type == "text", message
        assert "Summarize" in message.content.text, message
        assert "Hello from boltmcp" in message.content.text, message
    assert "three haiku" in styled.messages[0].content.text, styled


async def test_notes_add_note_then_read_it(tap, mode: str) -> None:
    body = f"written by the Python client in {mode} mode"
    # Assertions stay outside the session: one raised inside it surfaces wrapped in the
    # client's task-group ExceptionGroup.
    with anyio.fail_after(SESSION_TIMEOUT):
        async with open_client(tap("notes"), mode) as client:
            added = await client.call_tool("add_note", {"title": "interop", "body": body})
            structured = added.structured_content
            note_id = structured.get("result") if isinstance(structured, dict) else None
            via_template = (
                await client.read_resource(f"notes://{note_id}") if isinstance(note_id, int) else None
            )
            listed = await client.call_tool("list_notes", {})

    assert added.is_error is False, added
    assert structured == {"result": 2}, added
    assert json.loads(only_text(added.content)) == {"result": 2}, added

    assert via_template is not None
    assert len(via_template.contents) == 1, via_template
    assert via_template.contents[0].uri == "notes://2", via_template
    assert via_template.contents[0].text == body, via_template

    assert listed.is_error is False, listed
    assert listed.structured_content == {
        "result": [WELCOME, {"id": 2, "title": "interop", "body": body}]
    }, listed
