"""Schemas from type hints and docstrings, and the conversions they imply."""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal, Optional, TypedDict

import pytest
from boltmcp import Field, MCPServer, ToolError
from boltmcp._tool import Tool, invoker as tool_invoker


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    """A point."""

    x: float
    y: float = 0.0


class Options(TypedDict, total=False):
    verbose: bool


class Opaque:
    """Nothing JSON can say."""


def described(
    count: Annotated[int, Field(description="How many.")],
    name: str,
    color: Color = Color.RED,
    mode: Literal["fast", "slow"] = "fast",
    where: Optional[Point] = None,
    tags: list[str] | None = None,
    options: Options | None = None,
) -> dict[str, int]:
    """Does a thing.

    Args:
        name: Who asks.
        count: Overridden by the annotation.
    """
    return {"count": count}



def invoker(fn: Callable[..., Any]) -> Callable[..., str]:
    """The native side's view of `fn` as a tool (with no resources to read)."""
    invoke = tool_invoker(Tool(fn, None, None, None, None), lambda uri: [])
    return lambda arguments: str(invoke(arguments))

def test_the_input_schema_follows_the_hints_and_the_docstring() -> None:
    tool = Tool(described, None, None, None, None)
    schema = tool.description["inputSchema"]
    assert tool.description["description"] == "Does a thing."
    assert schema["required"] == ["count", "name"]
    props = schema["properties"]
    assert props["count"] == {"type": "integer", "description": "How many."}
    assert props["name"] == {"type": "string", "description": "Who asks."}
    assert props["color"] == {"enum": ["red", "blue"], "type": "string"}
    assert props["mode"] == {"enum": ["fast", "slow"], "type": "string", "default": "fast"}
    assert props["where"]["anyOf"][1] == {"type": "null"}
    point = props["where"]["anyOf"][0]
    assert point["properties"] == {"x": {"type": "number"}, "y": {"type": "number", "default": 0.0}}
    assert point["required"] == ["x"]
    assert props["tags"]["anyOf"][0] == {"type": "array", "items": {"type": "string"}}
    assert props["options"]["anyOf"][0]["properties"] == {"verbose": {"type": "boolean"}}
    assert tool.description["outputSchema"] == {"type": "object", "additionalProperties": {"type": "integer"}}


def test_arguments_are_checked_and_converted() -> None:
    seen = {}

    def record(where: Point, color: Color, ratio: float) -> str:
        seen.update(where=where, color=color, ratio=ratio)
        return "ok"

    invoke = invoker(record)
    answer = invoke(json.dumps({"where": {"x": 1, "y": 2}, "color": "blue", "ratio": 3}))
    assert answer == "Tok"
    assert seen == {"where": Point(1, 2), "color": Color.BLUE, "ratio": 3.0}
    assert isinstance(seen["ratio"], float)
    wrong = invoke(json.dumps({"where": {"x": 1}, "color": "blue", "ratio": "3", "extra": 1}))
    assert wrong.startswith("E")
    assert "`extra` is not a parameter" in wrong and "`ratio` must be a number, not a string" in wrong
    assert invoke(json.dumps({"where": {"x": 1}, "color": "blue", "ratio": True})).startswith("E")


def test_results_failures_and_structured_output() -> None:
    def add(a: float, b: float) -> float:
        return a + b

    def fail() -> str:
        raise ToolError("no such thing")

    def crash() -> str:
        raise KeyError("k")

    def nothing() -> None:
        return None

    def table() -> dict[str, float]:
        return {"pi": 3.14}

    assert invoker(add)('{"a": 1, "b": 2}') == 'S{"result": 3.0}'
    assert invoker(table)("{}") == 'S{"pi": 3.14}'
    assert invoker(nothing)("{}") == 'R{"content":[]}'
    assert invoker(fail)("{}") == "Eno such thing"
    assert invoker(crash)("{}") == "EKeyError: 'k'"


def test_async_handlers_run_on_the_package_loop() -> None:
    async def later(n: int) -> int:
        return n * 2

    assert invoker(later)('{"n": 21}') == 'S{"result": 42}'


def test_decorator_forms() -> None:
    server = MCPServer("forms")

    @server.tool
    def bare() -> None: ...

    @server.tool()
    def called() -> None: ...

    @server.tool("renamed", title="Renamed")
    def original() -> None: ...

    assert set(server._tools) == {"bare", "called", "renamed"}
    assert server._tools["renamed"].description["title"] == "Renamed"
    assert server.remove_tool("bare") is True
    assert server.remove_tool("bare") is False


def test_an_unsupported_type_is_refused_at_decoration() -> None:
    server = MCPServer("refuses")

    with pytest.raises(TypeError, match="no JSON Schema"):

        @server.tool
        def uses(thing: Opaque) -> None: ...
