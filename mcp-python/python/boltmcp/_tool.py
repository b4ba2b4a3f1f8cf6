"""Tools: a decorated function looked at once (its parameters' type hints become the
`inputSchema`, its return annotation the `outputSchema`, its docstring the
descriptions), and what runs per call: the arguments' JSON checked against the
parameters' JSON types and converted to the declared Python types, the function
called, and its value turned into the result's JSON."""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from typing import Any

from . import _content, _docstring, _schema, _signature
from ._calls import respond
from ._context import Context, ResourceContents
from ._errors import ToolError
from ._value import Value

_JSON_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "null": (type(None),)}
_TYPE_NOUNS = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean", "null": "null"}


class Param(Value):
    """One parameter, with what its calls need worked out once."""

    __slots__ = ("name", "hint", "required", "json_types", "accepts", "refuses_bool", "converter")

    def __init__(
        self,
        name: str,
        hint: Any,
        required: bool,
        json_types: tuple[str, ...],
        accepts: tuple[type, ...] | None,
        refuses_bool: bool,
        converter: Callable[[Any], Any] | None,
    ) -> None:
        self.name = name
        self.hint = hint
        self.required = required
        self.json_types = json_types
        # The Python types its JSON value may have (None: any), and whether a bool is
        # refused although `bool` is an `int`.
        self.accepts = accepts
        self.refuses_bool = refuses_bool
        # Turns the JSON value into the declared type (None: it already is one).
        self.converter = converter


def param_of(name: str, hint: Any, required: bool, json_types: tuple[str, ...]) -> Param:
    known = bool(json_types) and all(t in _JSON_TYPES for t in json_types)
    accepts = tuple(k for t in json_types for k in _JSON_TYPES[t]) if known else None
    refuses_bool = known and "boolean" not in json_types
    converter: Callable[[Any], Any] | None
    if hint is float:
        converter = float
    elif hint in (int, str, bool, Any):
        converter = None
    else:
        converter = lambda value, hint=hint: _schema.convert(value, hint)  # noqa: E731
    return Param(name, hint, required, json_types, accepts, refuses_bool, converter)


def _json_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class Tool:
    """A decorated function, looked at once, and called per request."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str | None,
        title: str | None,
        description: str | None,
        annotations: dict[str, Any] | None,
        input_schema: dict[str, Any] | None = None,
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.is_async = _signature.is_async(fn)
        summary, param_docs = _docstring.parse(fn.__doc__)
        hints = _schema.hints_of(fn)
        builder = _schema.SchemaBuilder()
        properties: dict[str, Any] = {}
        required: list[str] = []
        self.params: list[Param] = []
        self.context_param: str | None = None
        # With a hand-written input schema, the arguments are passed as they come.
        self.takes_all = False
        self.given_schema = input_schema is not None
        for param in _signature.parameters(fn):
            if param.kind == _signature.VAR_KEYWORD:
                self.takes_all = True
            if param.is_variadic:
                continue
            hint = hints.get(param.name, Any)
            if hint is Context:
                self.context_param = param.name
                continue
            schema = dict(builder.schema(hint))
            if param.name in param_docs and "description" not in schema:
                schema["description"] = param_docs[param.name]
            has_default = param.default is not _signature.EMPTY
            if has_default and _schema.is_json(param.default):
                schema["default"] = param.default
            properties[param.name] = schema
            if not has_default:
                required.append(param.name)
            kinds = schema.get("type")
            json_types = tuple(kinds) if isinstance(kinds, list) else ((kinds,) if isinstance(kinds, str) else ())
            self.params.append(param_of(param.name, hint, not has_default, json_types))
        self.names = frozenset(p.name for p in self.params)
        if input_schema is None:
            input_schema = {"type": "object", "properties": properties}
            if required:
                input_schema["required"] = required
        self.description: dict[str, Any] = {"name": self.name, "inputSchema": input_schema}
        if description or summary:
            self.description["description"] = description or summary
        if title:
            self.description["title"] = title
        if annotations:
            self.description["annotations"] = annotations
        self.wraps_result = False
        returned = hints.get("return", Any)
        output = self._output_schema(returned, builder)
        if output is not None:
            self.description["outputSchema"] = output
        if builder.defs and not self.given_schema:
            input_schema["$defs"] = builder.defs
            if output is not None:
                output["$defs"] = builder.defs

    def _output_schema(self, returned: Any, builder: _schema.SchemaBuilder) -> dict[str, Any] | None:
        if returned in (None, type(None), str, Any, object) or returns_content(returned):
            return None
        schema = builder.schema(returned)
        if schema.get("type") == "object":
            return schema
        self.wraps_result = True
        return {"type": "object", "properties": {"result": schema}, "required": ["result"]}

    def bind(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments for one call; a `ToolError` naming what is wrong."""
        if self.given_schema:
            return {k: v for k, v in arguments.items() if self.takes_all or k in self.names}
        kwargs: dict[str, Any] = {}
        problems: list[str] = []
        for param in self.params:
            if param.name not in arguments:
                if param.required:
                    problems.append(f"`{param.name}` is missing")
                continue
            value = arguments[param.name]
            if param.accepts is not None and (
                not isinstance(value, param.accepts) or (param.refuses_bool and value.__class__ is bool)
            ):
                expected = " or ".join(_TYPE_NOUNS[t] for t in param.json_types)
                problems.append(f"`{param.name}` must be {expected}, not {_json_name(value)}")
                continue
            if param.converter is None:
                kwargs[param.name] = value
                continue
            try:
                kwargs[param.name] = param.converter(value)
            except (TypeError, ValueError) as err:
                problems.append(f"`{param.name}`: {err}")
        if len(kwargs) + len(problems) < len(arguments):
            problems.extend(f"`{extra}` is not a parameter" for extra in sorted(set(arguments) - self.names))
        if problems:
            raise ToolError("invalid arguments: " + "; ".join(problems))
        return kwargs

    def answer(self, value: Any) -> str:
        """The answer for a returned value, in the form the native side reads: `T`
        and a text, `S` and structured content's JSON, or `R` and a whole result's."""
        if self.wraps_result:
            kind = value.__class__
            # A number needs no encoder: its repr is its JSON (when it is finite).
            if kind is int or (kind is float and value - value == 0):
                return f'S{{"result": {value!r}}}'
        if not self.wraps_result:
            if value is None:
                return 'R{"content":[]}'
            if isinstance(value, str):
                return "T" + value
            if _content.is_content(value):
                blocks = value if isinstance(value, list) else [value]
                return "R" + json.dumps({"content": [_content.block(b) for b in blocks]})
            data = _schema.to_json(value)
            structured = data if isinstance(data, dict) else {"result": data}
        else:
            data = value if value.__class__ in (int, float, bool, str) else _schema.to_json(value)
            structured = {"result": data}
        return "S" + _encode(structured)


# Encodes structured content; NaN and infinities are refused, as JSON has none.
_encode = json.JSONEncoder(allow_nan=False).encode


def returns_content(hint: Any) -> bool:
    """Whether a return annotation names content (blocks or bytes), not data."""
    if hint in (bytes, bytearray, *_content.CONTENT_TYPES) or hint == _content.ContentBlock:
        return True
    args = typing.get_args(hint)
    if typing.get_origin(hint) is list and args:
        return returns_content(args[0])
    return bool(args) and typing.get_origin(hint) in (typing.Union, types.UnionType) and all(returns_content(a) for a in args)


def invoker(tool: Tool, read: Callable[[str], list[ResourceContents]]) -> Callable[..., Any]:
    """The tool as the native side calls it: `invoke(arguments, context, done)`."""

    def call(arguments: str, native_context: Any) -> Any:
        parsed = json.loads(arguments) if arguments else {}
        if not isinstance(parsed, dict):
            raise ToolError("invalid arguments: they must be an object")
        kwargs = tool.bind(parsed)
        if tool.context_param is not None:
            kwargs[tool.context_param] = Context(native_context, read, tool.answer)
        return tool.fn(**kwargs)

    def invoke(arguments: str, native_context: Any = None, done: Callable[[str], None] | None = None) -> Any:
        return respond(lambda: call(arguments, native_context), tool.answer, done)

    return invoke
