"""The conformance fixture in Python: every tool, resource and prompt the official MCP
conformance suite (`@modelcontextprotocol/conformance`) calls by name, written with
the public decorators only, served over Streamable HTTP at
`http://127.0.0.1:PORT/mcp` for both protocol eras.

    python mcp-python/examples/conformance_server.py --port 3000
    npx @modelcontextprotocol/conformance server --url http://127.0.0.1:3000/mcp
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import time
from typing import Any

from boltmcp import (
    Ask,
    AudioContent,
    Context,
    Elicited,
    EmbeddedResource,
    ImageContent,
    MCPError,
    MCPServer,
    TextContent,
    ToolError,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
WAV = base64.b64decode("UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=")

server = MCPServer(
    name="boltmcp-python-conformance-server",
    version="0.1.0",
    instructions="Fixture server for the official MCP conformance suite.",
)


def form(field: str, kind: str) -> dict[str, Any]:
    return {"type": "object", "properties": {field: {"type": kind}}, "required": [field]}


def said(answer: Elicited[dict[str, Any]]) -> str:
    if answer.action == "accept":
        return f"action=accept, content={json.dumps(answer.data, separators=(',', ':'))}"
    return f"action={answer.action}"


def field(answer: Elicited[dict[str, Any]], name: str) -> str:
    if answer.action != "accept" or answer.data is None:
        return f"({answer.action}d)" if answer.action == "decline" else "(cancelled)"
    value = answer.data.get(name, "")
    return value if isinstance(value, str) else json.dumps(value)


# --- fixed answers (`test_simple_text` first: the suite calls the first listed tool) ---


@server.tool()
def test_simple_text() -> str:
    """Returns a simple text response."""
    return "This is a simple text response for testing."


@server.tool()
def test_image_content() -> ImageContent:
    """Returns an image."""
    return ImageContent(PNG, "image/png")


@server.tool()
def test_audio_content() -> AudioContent:
    """Returns audio."""
    return AudioContent(WAV, "audio/wav")


@server.tool()
def test_embedded_resource() -> EmbeddedResource:
    """Returns an embedded resource."""
    return EmbeddedResource("test://embedded-resource", text="This is an embedded resource content.", mime_type="text/plain")


@server.tool()
def test_multiple_content_types() -> list[TextContent | ImageContent | EmbeddedResource]:
    """Returns text, an image and a resource."""
    return [
        TextContent("Multiple content types test:"),
        ImageContent(PNG, "image/png"),
        EmbeddedResource("test://mixed-content-resource", text='{"test":"data","value":123}', mime_type="application/json"),
    ]


@server.tool()
def test_error_handling() -> str:
    """Always fails, as a tool error."""
    raise ToolError("This tool intentionally returns an error for testing")


@server.tool()
async def test_tool_with_logging(ctx: Context) -> str:
    """Sends three log messages while it runs."""
    for message in ("Tool execution started", "Tool processing data", "Tool execution completed"):
        ctx.info(message)
        await asyncio.sleep(0.05)
    return "Tool with logging executed successfully"


@server.tool()
async def test_tool_with_progress(ctx: Context) -> str:
    """Reports progress 0, 50 and 100 of 100."""
    for progress in (0, 50, 100):
        ctx.progress(progress, 100)
        await asyncio.sleep(0.05)
    return "Progress test completed"


@server.tool()
async def test_reconnection(ctx: Context) -> str:
    """Closes its stream at once and answers on the resumed one."""
    ctx.close_stream(retry_ms=500)
    await asyncio.sleep(0.1)
    return "Reconnection test completed"


@server.tool()
def test_logging_tool(ctx: Context) -> str:
    """Logs one message, which a 2026-07-28 client hears only if it set a log level."""
    ctx.info("test_logging_tool ran")
    return "Logged (if the request asked for logs)"


@server.tool()
def test_trigger_tool_change() -> str:
    """Announces a tool list change to listening clients."""
    server.notify_tools_changed()
    return "tools/list_changed sent"


@server.tool()
def test_trigger_prompt_change() -> str:
    """Announces a prompt list change to listening clients."""
    server.notify_prompts_changed()
    return "prompts/list_changed sent"


JSON_SCHEMA_2020_12: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {
        "address": {
            "$anchor": "addressDef",
            "type": "object",
            "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
        }
    },
    "properties": {
        "name": {"type": "string"},
        "address": {"$ref": "#/$defs/address"},
        "contactMethod": {"type": "string", "enum": ["phone", "email"]},
        "phone": {"type": "string"},
        "email": {"type": "string"},
    },
    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
    "then": {"required": ["phone"]},
    "else": {"required": ["email"]},
    "additionalProperties": False,
}


@server.tool(description="Tool with JSON Schema 2020-12 features", input_schema=JSON_SCHEMA_2020_12)
def json_schema_2020_12_tool(**arguments: Any) -> str:
    return "JSON Schema 2020-12 tool called"


@server.tool(
    input_schema={
        "type": "object",
        "properties": {"value": {"type": "string", "x-mcp-header": "Value"}},
        "required": ["value"],
    }
)
def test_custom_header(value: str) -> str:
    """Echoes `value`, which clients mirror into the Mcp-Param-Value header."""
    return f"value: {value}"


# --- questions to the client --------------------------------------------------------


@server.tool()
def test_sampling(prompt: str, ctx: Context) -> str:
    """Asks the client's model to answer `prompt`."""
    return f"LLM response: {ctx.sample(prompt, max_tokens=100).text}"


@server.tool()
def test_elicitation(message: str, ctx: Context) -> str:
    """Asks the user for a username and an email address."""
    schema = {
        "type": "object",
        "properties": {
            "username": {"type": "string", "description": "User's response"},
            "email": {"type": "string", "description": "User's email address"},
        },
        "required": ["username", "email"],
    }
    return f"User response: {said(ctx.elicit(message, schema))}"


@server.tool()
def test_elicitation_sep1034_defaults(ctx: Context) -> str:
    """Asks for a form whose fields have defaults (SEP-1034)."""
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "User name", "default": "John Doe"},
            "age": {"type": "integer", "description": "User age", "default": 30},
            "score": {"type": "number", "description": "User score", "default": 95.5},
            "status": {
                "type": "string",
                "description": "User status",
                "enum": ["active", "inactive", "pending"],
                "default": "active",
            },
            "verified": {"type": "boolean", "description": "Verification status", "default": True},
        },
        "required": [],
    }
    answer = ctx.elicit("Please review and update the form fields with defaults", schema)
    return f"Elicitation completed: {said(answer)}"


def _options(values: list[str], titles: list[str]) -> list[dict[str, str]]:
    return [{"const": v, "title": t} for v, t in zip(values, titles)]


@server.tool()
def test_elicitation_sep1330_enums(ctx: Context) -> str:
    """Asks for a form with every enum shape (SEP-1330)."""
    values = ["value1", "value2", "value3"]
    schema = {
        "type": "object",
        "properties": {
            "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
            "titledSingle": {"type": "string", "oneOf": _options(values, ["First Option", "Second Option", "Third Option"])},
            "legacyEnum": {
                "type": "string",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"],
            },
            "untitledMulti": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "items": {"type": "string", "enum": ["option1", "option2", "option3"]},
            },
            "titledMulti": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "items": {"anyOf": _options(values, ["First Choice", "Second Choice", "Third Choice"])},
            },
        },
        "required": [],
    }
    return f"Elicitation completed: {said(ctx.elicit('Please choose from the options', schema))}"


@server.tool()
def test_missing_capability(ctx: Context) -> str:
    """Needs the client's sampling capability, and says so when it is missing."""
    if "sampling" not in ctx.client_capabilities:
        raise MCPError(
            "Missing required client capability",
            code=-32021,
            data={"requiredCapabilities": {"sampling": {}}},
        )
    return "Success"


@server.tool()
def test_streaming_elicitation(ctx: Context) -> str:
    """Asks a question mid-call: an input request in 2026-07-28, never a request on the stream."""
    answer = ctx.elicit("Continue?", form("ok", "boolean"), key="confirm")
    return f"Elicitation completed: {said(answer)}"


# --- 2026-07-28 input rounds (`basic/patterns/mrtr`) -----------------------------------


def ask_name(ctx: Context) -> str:
    return field(ctx.elicit("What is your name?", form("name", "string"), key="user_name"), "name")


@server.tool()
def test_input_required_result_elicitation(ctx: Context) -> str:
    """Asks the user's name, then greets them."""
    return f"Hello, {ask_name(ctx)}!"


@server.tool()
def test_input_required_result_sampling(ctx: Context) -> str:
    """Asks the client's model a question."""
    sampled = ctx.sample("What is the capital of France?", max_tokens=100, key="capital_question")
    return f"The model said: {sampled.text}"


@server.tool()
def test_input_required_result_list_roots(ctx: Context) -> str:
    """Asks the client for its roots."""
    return f"Found {len(ctx.roots(key='client_roots'))} root(s)"


@server.tool()
def test_input_required_result_request_state(ctx: Context) -> str:
    """Asks for confirmation, carrying state across the round."""
    answer = ctx.elicit("Please confirm", form("ok", "boolean"), key="confirm")
    return f"state-ok: confirmed={field(answer, 'ok')}"


@server.tool()
def test_input_required_result_multiple_inputs(ctx: Context) -> str:
    """Asks three things at once."""
    name, greeting, roots = ctx.ask(
        Ask.elicit("What is your name?", form("name", "string"), key="user_name"),
        Ask.sample("Generate a greeting", max_tokens=50, key="greeting"),
        Ask.roots(key="client_roots"),
    )
    return f"{greeting.text} {field(name, 'name')}; {len(roots)} root(s)"


@server.tool()
def test_input_required_result_multi_round(ctx: Context) -> str:
    """Asks two questions, one round each."""
    name = ctx.elicit("Step 1: What is your name?", form("name", "string"), key="step1")
    color = ctx.elicit("Step 2: What is your favorite color?", form("color", "string"), key="step2")
    return f"{field(name, 'name')} likes {field(color, 'color')}"


@server.tool()
def test_input_required_result_tampered_state(ctx: Context) -> str:
    """Asks for confirmation; tampered requestState is refused."""
    return f"confirmed={field(ctx.elicit('Please confirm', form('ok', 'boolean'), key='confirm'), 'ok')}"


@server.tool()
def test_input_required_result_capabilities(ctx: Context) -> str:
    """Asks only what the client declared it can answer."""
    capabilities = ctx.client_capabilities
    answers = []
    if "elicitation" in capabilities:
        answers.append(ask_name(ctx))
    if "sampling" in capabilities:
        answers.append(ctx.sample("Say hello", max_tokens=20, key="sample_request").text)
    if "roots" in capabilities:
        answers.append(f"{len(ctx.roots(key='roots_request'))} root(s)")
    return "; ".join(answers)


@server.prompt()
def test_input_required_result_prompt(ctx: Context) -> str:
    """A prompt that asks the user for context first."""
    answer = ctx.elicit("What context should the prompt use?", form("context", "string"), key="user_context")
    return f"Use this context: {field(answer, 'context')}"


# --- tasks (the `io.modelcontextprotocol/tasks` extension) ---------------------------


@server.tool()
def greet(name: str) -> str:
    """Greets by name, at once (never a task)."""
    return f"Hello, {name}!"


@server.tool(task="optional")
async def slow_compute(seconds: float = 0, label: str = "") -> str:
    """Sleeps `seconds`, then answers; a task for clients that take one."""
    await asyncio.sleep(min(max(seconds, 0), 3600))
    shown = int(seconds) if float(seconds).is_integer() else seconds
    return f"slow_compute({label}) done after {shown}s"


@server.tool(task="required")
async def failing_job() -> str:
    """Always fails as a tool error; only runs as a task."""
    await asyncio.sleep(0.3)
    raise ToolError("failing_job failed, as it always does")


@server.tool(task="optional")
async def protocol_error_job() -> str:
    """Always fails with a JSON-RPC error."""
    await asyncio.sleep(0.1)
    raise MCPError("Internal error: protocol_error_job broke", code=-32603)


@server.tool(task="required")
def confirm_delete(ctx: Context, filename: str = "") -> str:
    """Asks for confirmation from inside a task, then answers."""
    answer = ctx.elicit(f"Delete {filename}?", form("confirm", "boolean"), key="confirm")
    return f"Deleted {filename}" if answer.accepted else f"Kept {filename}"


@server.tool(task="required")
def multi_input(ctx: Context) -> str:
    """Asks two questions at once from inside a task."""
    value = {"type": "object", "properties": {"value": {"type": "string"}}}
    first, second = ctx.ask(
        Ask.elicit("First value?", value, key="input-a"),
        Ask.elicit("Second value?", value, key="input-b"),
    )
    return f"answered: {str(first.accepted).lower()} and {str(second.accepted).lower()}"


@server.tool()
def test_tool_with_task(ctx: Context) -> Any:
    """Asks a name in the call itself, then finishes as a task."""
    answer = ctx.elicit("What is your name?", form("name", "string"), key="user_name")
    name = str((answer.data or {}).get("name", "")) if answer.accepted else "stranger"

    def finish(task: Context) -> str:
        time.sleep(0.1)
        return f"Hello, {name}! (async)"

    return ctx.as_task(finish)


# --- resources -------------------------------------------------------------------------


@server.resource("test://static-text", name="Static Text Resource", mime_type="text/plain")
def static_text() -> str:
    """A static text resource."""
    return "This is the content of the static text resource."


@server.resource("test://static-binary", name="Static Binary Resource", mime_type="image/png")
def static_binary() -> bytes:
    """A static binary resource (a PNG image)."""
    return PNG


@server.resource("test://watched-resource", name="Watched Resource", mime_type="text/plain")
def watched() -> str:
    """A resource clients can subscribe to."""
    return "Watched resource content"


@server.resource("test://template/{id}/data", name="Dynamic Resource", mime_type="application/json")
def template(id: str) -> str:
    """A resource template with an id."""
    return json.dumps({"id": id, "templateTest": True, "data": f"Data for ID: {id}"})


# --- prompts ---------------------------------------------------------------------------


@server.prompt()
def test_simple_prompt() -> str:
    """A prompt without arguments."""
    return "This is a simple prompt for testing."


@server.prompt(completions={"arg1": ["test1", "test2", "testValue1"], "arg2": ["value1", "value2", "testValue2"]})
def test_prompt_with_arguments(arg1: str, arg2: str) -> str:
    """A prompt with two required arguments."""
    return f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"


@server.prompt()
def test_prompt_with_embedded_resource(resourceUri: str) -> list[tuple[str, Any]]:  # noqa: N803 (the suite's name)
    """A prompt holding an embedded resource."""
    embedded = EmbeddedResource(resourceUri, text="Embedded resource content for testing.", mime_type="text/plain")
    return [("user", embedded), ("user", "Please process the embedded resource above.")]


@server.prompt()
def test_prompt_with_image() -> list[tuple[str, Any]]:
    """A prompt holding an image."""
    return [("user", ImageContent(PNG, "image/png")), ("user", "Please analyze the image above.")]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=3000)
    server.run(transport="http", port=parser.parse_args().port)
