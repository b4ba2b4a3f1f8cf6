"""`MCPServer`: decorated Python functions served by boltmcp's Rust runtime.

A decorated function is looked at once: its parameters' type hints become the
tool's `inputSchema`, its return annotation the `outputSchema`, its docstring the
description (and, from an `Args:` section, each parameter's). What runs per call is
small: the arguments' JSON is parsed, checked against the parameters' JSON types and
converted to the declared Python types, the function is called, and its value is
turned into the result's JSON.
"""

from __future__ import annotations

import base64
import dataclasses
import inspect
import json
import re
import threading
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from . import _content, _docstring, _schema, _security
from ._context import Context, ResourceContents, contents_from_json
from ._errors import InputRequired, ToolError
from ._native import NativeServer

F = TypeVar("F", bound=Callable[..., Any])

_JSON_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "null": (type(None),)}
_TYPE_NOUNS = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean", "null": "null"}


@dataclasses.dataclass(frozen=True)
class _Param:
    """One parameter, with what its calls need worked out once."""

    name: str
    hint: Any
    required: bool
    json_types: tuple[str, ...]
    # The Python types its JSON value may have (None: any), and whether a bool is
    # refused although `bool` is an `int`.
    accepts: tuple[type, ...] | None
    refuses_bool: bool
    # Turns the JSON value into the declared type (None: it already is one).
    converter: Callable[[Any], Any] | None


def _param(name: str, hint: Any, required: bool, json_types: tuple[str, ...]) -> _Param:
    known = bool(json_types) and all(t in _JSON_TYPES for t in json_types)
    accepts = tuple(k for t in json_types for k in _JSON_TYPES[t]) if known else None
    refuses_bool = known and "boolean" not in json_types
    converter: Callable[[Any], Any] | None
    if hint is float:
        converter = float
    elif hint in (int, str, bool, Any) or hint is inspect.Parameter.empty:
        converter = None
    else:
        converter = lambda value, hint=hint: _schema.convert(value, hint)  # noqa: E731
    return _Param(name, hint, required, json_types, accepts, refuses_bool, converter)


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


class _Tool:
    """A decorated function, looked at once, and called per request."""

    def __init__(self, fn: Callable[..., Any], name: str | None, title: str | None, description: str | None, annotations: dict[str, Any] | None) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.is_async = inspect.iscoroutinefunction(fn)
        summary, param_docs = _docstring.parse(fn.__doc__)
        try:
            hints = typing.get_type_hints(fn, include_extras=True)
        except NameError as err:
            raise TypeError(
                f"cannot read the type hints of {fn.__qualname__}: {err} "
                "(a type defined inside a function cannot be named by a string annotation)"
            ) from err
        builder = _schema.SchemaBuilder()
        properties: dict[str, Any] = {}
        required: list[str] = []
        self.params: list[_Param] = []
        self.context_param: str | None = None
        for param in inspect.signature(fn).parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            hint = hints.get(param.name, Any)
            if hint is Context:
                self.context_param = param.name
                continue
            schema = dict(builder.schema(hint))
            if param.name in param_docs and "description" not in schema:
                schema["description"] = param_docs[param.name]
            has_default = param.default is not param.empty
            if has_default and _schema.is_json(param.default):
                schema["default"] = param.default
            properties[param.name] = schema
            if not has_default:
                required.append(param.name)
            kinds = schema.get("type")
            json_types = tuple(kinds) if isinstance(kinds, list) else ((kinds,) if isinstance(kinds, str) else ())
            self.params.append(_param(param.name, hint, not has_default, json_types))
        input_schema: dict[str, Any] = {"type": "object", "properties": properties}
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
        returned = hints.get("return", inspect.Signature.empty)
        output = self._output_schema(returned, builder)
        if output is not None:
            self.description["outputSchema"] = output
        if builder.defs:
            input_schema["$defs"] = builder.defs
            if output is not None:
                output["$defs"] = builder.defs

    def _output_schema(self, returned: Any, builder: _schema.SchemaBuilder) -> dict[str, Any] | None:
        if returned in (inspect.Signature.empty, None, type(None), str, Any, object) or _returns_content(returned):
            return None
        schema = builder.schema(returned)
        if schema.get("type") == "object":
            return schema
        self.wraps_result = True
        return {"type": "object", "properties": {"result": schema}, "required": ["result"]}

    def bind(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments for one call; a `ToolError` naming what is wrong."""
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
            known = {p.name for p in self.params}
            problems.extend(f"`{extra}` is not a parameter" for extra in sorted(set(arguments) - known))
        if problems:
            raise ToolError("invalid arguments: " + "; ".join(problems))
        return kwargs

    def answer(self, value: Any) -> str:
        """The answer for a returned value, in the form the native side reads: `T`
        and a text, `S` and structured content's JSON, or `R` and a whole result's."""
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
        return "S" + json.dumps(structured, allow_nan=False)


def _returns_content(hint: Any) -> bool:
    """Whether a return annotation names content (blocks or bytes), not data."""
    if hint in (bytes, bytearray, *_content.CONTENT_TYPES) or hint == _content.ContentBlock:
        return True
    args = typing.get_args(hint)
    if typing.get_origin(hint) is list and args:
        return _returns_content(args[0])
    return bool(args) and typing.get_origin(hint) in (typing.Union, types.UnionType) and all(_returns_content(a) for a in args)


def _failed(err: Exception) -> str:
    """The error answer for a handler that raised `err`: a `ToolError`'s message as it
    is, any other exception's after its type's name. (`KeyboardInterrupt` and
    `SystemExit` are not `Exception`s: they go through and stop the server.)"""
    return "E" + (str(err) if isinstance(err, ToolError) else f"{type(err).__name__}: {err}")


class _EventLoop:
    """The one asyncio event loop the package runs async handlers on, in a thread."""

    _loop: Any = None
    _lock = threading.Lock()

    @classmethod
    def get(cls) -> Any:
        """The loop, started on first use (asyncio is imported only then)."""
        import asyncio

        with cls._lock:
            if cls._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="boltmcp-asyncio", daemon=True).start()
                cls._loop = loop
            return cls._loop


def _invoker(tool: _Tool, read: Callable[[str], list[ResourceContents]]) -> Callable[..., str]:
    def invoke(arguments: str, native_context: Any = None) -> str:
        try:
            parsed = json.loads(arguments) if arguments else {}
            if not isinstance(parsed, dict):
                raise ToolError("invalid arguments: they must be an object")
            kwargs = tool.bind(parsed)
            if tool.context_param is not None:
                kwargs[tool.context_param] = Context(native_context, read)
            value = _await(tool.fn(**kwargs)) if tool.is_async else tool.fn(**kwargs)
            return tool.answer(value)
        except InputRequired:
            return "I"
        except Exception as err:  # a failing tool is an isError result, not a crash
            return _failed(err)

    return invoke


_TEMPLATE_VARIABLE = re.compile(r"\{[+#./;?&]?([^}]+)\}")


class _Resource:
    """A decorated resource function: a fixed URI, or a URI template whose variables
    are the function's parameters."""

    def __init__(self, fn: Callable[..., Any], uri: str, name: str | None, title: str | None, description: str | None, mime_type: str | None) -> None:
        self.fn = fn
        self.uri = uri
        self.mime_type = mime_type
        summary, _ = _docstring.parse(fn.__doc__)
        variables = [v.strip() for group in _TEMPLATE_VARIABLE.findall(uri) for v in group.split(",")]
        self.is_template = bool(variables)
        self.pattern = _template_pattern(uri) if self.is_template else None
        hints = _hints(fn)
        self.params = {p: hints.get(p, str) for p in inspect.signature(fn).parameters}
        unknown = set(self.params) - set(variables)
        if unknown:
            raise TypeError(f"{fn.__qualname__}: parameters {sorted(unknown)} are not variables of {uri!r}")
        key = "uriTemplate" if self.is_template else "uri"
        self.description: dict[str, Any] = {key: uri, "name": name or fn.__name__}
        if title:
            self.description["title"] = title
        if description or summary:
            self.description["description"] = description or summary
        if mime_type:
            self.description["mimeType"] = mime_type

    def read(self, uri: str, variables: str) -> str:
        try:
            values = json.loads(variables) if variables else {}
            return "R" + json.dumps({"contents": [self.contents(uri, values)]})
        except Exception as err:  # a failing read is an error answer, not a crash
            return _failed(err)

    def contents(self, uri: str, values: dict[str, Any]) -> dict[str, Any]:
        """The contents at `uri`, whose template variables are `values`."""
        kwargs = {name: _schema.convert(_typed(values.get(name), hint), hint) for name, hint in self.params.items()}
        value = self.fn(**kwargs)
        if inspect.isawaitable(value):
            value = _await(value)
        return self._contents(uri, value)

    def _contents(self, uri: str, value: Any) -> dict[str, Any]:
        if isinstance(value, (bytes, bytearray)):
            blob = base64.b64encode(bytes(value)).decode("ascii")
            return {"uri": uri, "mimeType": self.mime_type or "application/octet-stream", "blob": blob}
        if isinstance(value, str):
            return {"uri": uri, "mimeType": self.mime_type or "text/plain", "text": value}
        return {"uri": uri, "mimeType": self.mime_type or "application/json", "text": json.dumps(_schema.to_json(value))}


def _template_pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching the URIs of a template (RFC 6570 level 1 and
    `{+var}`), its groups named by the variables."""
    parts = []
    position = 0
    for match in _TEMPLATE_VARIABLE.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        names = [v.strip() for v in match.group(1).split(",")]
        wide = match.group(0).startswith("{+")
        parts.append(",".join(f"(?P<{n}>{'.+' if wide else '[^/,?#]+'})" for n in names))
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts) + r"\Z")


def _typed(text: Any, hint: Any) -> Any:
    """A URI variable (always a string) as the JSON value its hint expects."""
    if isinstance(text, str) and hint in (int, float):
        try:
            return hint(text)
        except ValueError:
            raise ToolError(f"{text!r} is not {'an integer' if hint is int else 'a number'}") from None
    return text


class _Prompt:
    """A decorated prompt function: its parameters are the prompt's arguments."""

    def __init__(self, fn: Callable[..., Any], name: str | None, title: str | None, description: str | None) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        summary, param_docs = _docstring.parse(fn.__doc__)
        hints = _hints(fn)
        self.params: dict[str, Any] = {}
        arguments = []
        for param in inspect.signature(fn).parameters.values():
            self.params[param.name] = hints.get(param.name, str)
            argument: dict[str, Any] = {"name": param.name, "required": param.default is param.empty}
            if param.name in param_docs:
                argument["description"] = param_docs[param.name]
            arguments.append(argument)
        self.description: dict[str, Any] = {"name": self.name, "arguments": arguments}
        if title:
            self.description["title"] = title
        if description or summary:
            self.description["description"] = description or summary

    def get(self, arguments: str) -> str:
        try:
            values = json.loads(arguments) if arguments else {}
            unknown = sorted(set(values) - set(self.params))
            if unknown:
                raise ToolError(f"unknown arguments: {', '.join(unknown)}")
            kwargs = {name: _typed(value, self.params[name]) for name, value in values.items()}
            value = self.fn(**kwargs)
            if inspect.isawaitable(value):
                value = _await(value)
            if isinstance(value, str):
                return "T" + value
            return "R" + json.dumps({"messages": [_content.message(item) for item in value]})
        except TypeError as err:
            return f"Einvalid arguments: {err}"
        except Exception as err:  # a failing prompt is an error answer, not a crash
            return _failed(err)


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except NameError as err:
        raise TypeError(f"cannot read the type hints of {fn.__qualname__}: {err}") from err


def _await(awaitable: Any) -> Any:
    import asyncio

    return asyncio.run_coroutine_threadsafe(awaitable, _EventLoop.get()).result()


class MCPServer:
    """An MCP server: decorate functions with `@server.tool`, then `server.run()`."""

    def __init__(
        self,
        name: str,
        version: str = "0.1.0",
        instructions: str | None = None,
        security: dict[str, Any] | None = None,
    ) -> None:
        """`security` takes `auth` (who may call: JWTs or static tokens, checked by
        the Rust auth layer; over HTTP a bad token is answered 401 and a missing
        scope 403) and `rate_limit` (`{"max_requests": 100, "per": "minute"}` or
        `"100/minute"`: every caller's own budget, refused past it with a JSON-RPC
        error carrying `retryAfterMs`, or HTTP 429 with `Retry-After`). See
        `boltmcp._security` for every key."""
        self.name = name
        self.version = version
        settings = security or {}
        self._native = NativeServer(
            name, version, instructions, _security.rate_limit(settings), _security.auth(settings)
        )
        self._tools: dict[str, _Tool] = {}
        self._resources: dict[str, _Resource] = {}

    @overload
    def tool(self, fn: F, /) -> F: ...

    @overload
    def tool(
        self,
        name: str | None = None,
        /,
        *,
        title: str | None = None,
        description: str | None = None,
        annotations: dict[str, Any] | None = None,
        timeout: float | None = None,
        max_concurrency: int | None = None,
        rate_limit: str | None = None,
        scopes: Sequence[str] = (),
    ) -> Callable[[F], F]: ...

    def tool(
        self,
        fn_or_name: Any = None,
        /,
        *,
        title: str | None = None,
        description: str | None = None,
        annotations: dict[str, Any] | None = None,
        timeout: float | None = None,
        max_concurrency: int | None = None,
        rate_limit: str | None = None,
        scopes: Sequence[str] = (),
    ) -> Any:
        """Registers a function as a tool: `@server.tool`, `@server.tool()` or
        `@server.tool("name", title=..., description=..., annotations=...)`.

        The policies the Rust `#[tool(...)]` declares: `timeout` (seconds; past it
        the call is answered with an `isError` result), `max_concurrency` (calls
        beyond it wait in a bounded queue), `rate_limit` (`"10/s"`, `"100/minute"`:
        the calls all callers together may make), `scopes` (the OAuth scopes a
        caller must hold, with the `security` settings' `auth`)."""
        if callable(fn_or_name):
            self.add_tool(fn_or_name)
            return fn_or_name

        def register(fn: F) -> F:
            self.add_tool(
                fn,
                name=fn_or_name,
                title=title,
                description=description,
                annotations=annotations,
                timeout=timeout,
                max_concurrency=max_concurrency,
                rate_limit=rate_limit,
                scopes=scopes,
            )
            return fn

        return register

    def add_tool(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        annotations: dict[str, Any] | None = None,
        timeout: float | None = None,
        max_concurrency: int | None = None,
        rate_limit: str | None = None,
        scopes: Sequence[str] = (),
    ) -> None:
        """Registers `fn` as a tool, before or while the server runs (clients hear
        `notifications/tools/list_changed`); the options are `tool`'s."""
        tool = _Tool(fn, name, title, description, annotations)
        self._native.add_tool(
            json.dumps(tool.description),
            _invoker(tool, self._read_resource),
            tool.context_param is not None,
            timeout,
            max_concurrency,
            rate_limit,
            list(scopes),
        )
        self._tools[tool.name] = tool

    def remove_tool(self, name: str) -> bool:
        """Removes the tool `name`; whether there was one."""
        self._tools.pop(name, None)
        return self._native.remove_tool(name)

    def resource(
        self,
        uri: str,
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        mime_type: str | None = None,
        scopes: Sequence[str] = (),
    ) -> Callable[[F], F]:
        """Registers a function as the resource at `uri`, or as a template
        (`users://{id}/profile`: the function's parameters are its variables). It
        returns the contents: `str` (text), `bytes` (a blob), or JSON data. Only
        callers holding every one of `scopes` may read it."""

        def register(fn: F) -> F:
            self.add_resource(fn, uri, name=name, title=title, description=description, mime_type=mime_type, scopes=scopes)
            return fn

        return register

    def add_resource(
        self,
        fn: Callable[..., Any],
        uri: str,
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        mime_type: str | None = None,
        scopes: Sequence[str] = (),
    ) -> None:
        """Registers `fn` as the resource (or template) at `uri`, before or while the
        server runs."""
        resource = _Resource(fn, uri, name, title, description, mime_type)
        self._native.add_resource(json.dumps(resource.description), resource.read, list(scopes))
        self._resources[uri] = resource

    def remove_resource(self, uri: str) -> bool:
        """Removes the resource (or template) `uri`; whether there was one."""
        self._resources.pop(uri, None)
        return self._native.remove_resource(uri)

    def _read_resource(self, uri: str) -> list[ResourceContents]:
        """Reads one of the server's resources, or a template's match (`Context.read_resource`)."""
        resource = self._resources.get(uri)
        values: dict[str, Any] = {}
        if resource is None or resource.is_template:
            for candidate in self._resources.values():
                match = candidate.pattern.match(uri) if candidate.pattern is not None else None
                if match is not None:
                    resource, values = candidate, match.groupdict()
                    break
            else:
                raise ToolError(f"no resource {uri!r}")
        return contents_from_json([resource.contents(uri, values)])

    @overload
    def prompt(self, fn: F, /) -> F: ...

    @overload
    def prompt(
        self,
        name: str | None = None,
        /,
        *,
        title: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] = (),
    ) -> Callable[[F], F]: ...

    def prompt(
        self,
        name: Any = None,
        /,
        *,
        title: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] = (),
    ) -> Any:
        """Registers a function as a prompt: `@server.prompt`, `@server.prompt()` or
        `@server.prompt("name", ...)`. Its parameters are the prompt's arguments; it
        returns a `str` (one user message) or a list of messages (strings, `(role,
        text)` pairs, or dicts in the protocol's shape)."""
        if callable(name):
            self.add_prompt(name)
            return name

        def register(fn: F) -> F:
            self.add_prompt(fn, name=name, title=title, description=description, scopes=scopes)
            return fn

        return register

    def add_prompt(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] = (),
    ) -> None:
        """Registers `fn` as a prompt, before or while the server runs; only callers
        holding every one of `scopes` may get it."""
        prompt = _Prompt(fn, name, title, description)
        self._native.add_prompt(json.dumps(prompt.description), prompt.get, list(scopes))

    def remove_prompt(self, name: str) -> bool:
        """Removes the prompt `name`; whether there was one."""
        return self._native.remove_prompt(name)

    def run(self, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000) -> None:
        """Serves stdio until the client closes it, or Streamable HTTP at
        `http://HOST:PORT/mcp` (`transport="http"`, loopback by default); Ctrl-C stops
        either cleanly."""
        if transport not in ("stdio", "http"):
            raise ValueError(f"unknown transport {transport!r}: 'stdio' or 'http'")
        try:
            if transport == "stdio":
                self._native.run_stdio()
            else:
                self._native.run_http(host, port)
        except KeyboardInterrupt:
            # Ctrl-C: the runtime heard it too and has already stopped serving cleanly.
            pass
