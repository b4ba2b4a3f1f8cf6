"""Resources, resource templates and prompts: decorated functions looked at once, and
called per request through `respond` (so they may be `async def`, take a `Context`,
and raise `MCPError`)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from . import _content, _docstring, _schema, _signature
from ._calls import respond, wait_for
from ._context import Context, ResourceContents
from ._errors import ToolError

_TEMPLATE_VARIABLE = re.compile(r"\{[+#./;?&]?([^}]+)\}")

Read = Callable[[str], list[ResourceContents]]


def _context_param(params: list[_signature.Parameter], hints: dict[str, Any]) -> str | None:
    return next((p.name for p in params if hints.get(p.name) is Context), None)


class Resource:
    """A decorated resource function: a fixed URI, or a URI template whose variables
    are the function's parameters."""

    def __init__(self, fn: Callable[..., Any], uri: str, name: str | None, title: str | None, description: str | None, mime_type: str | None) -> None:
        self.fn = fn
        self.uri = uri
        self.mime_type = mime_type
        self.is_async = _signature.is_async(fn)
        summary, _ = _docstring.parse(fn.__doc__)
        variables = [v.strip() for group in _TEMPLATE_VARIABLE.findall(uri) for v in group.split(",")]
        self.is_template = bool(variables)
        self.pattern = template_pattern(uri) if self.is_template else None
        hints = _schema.hints_of(fn)
        params = _signature.parameters(fn)
        self.context_param = _context_param(params, hints)
        self.params = {p.name: hints.get(p.name, str) for p in params if p.name != self.context_param}
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

    def call(self, values: dict[str, Any], context: Context | None) -> Any:
        """Calls the function with the template's `values` (and the context)."""
        kwargs = {name: _schema.convert(_typed(values.get(name), hint), hint) for name, hint in self.params.items()}
        if self.context_param is not None:
            kwargs[self.context_param] = context
        return self.fn(**kwargs)

    def contents(self, uri: str, value: Any) -> dict[str, Any]:
        """A returned value as the contents at `uri`: text, a blob, or JSON."""
        if isinstance(value, (bytes, bytearray)):
            blob = base64.b64encode(bytes(value)).decode("ascii")
            return {"uri": uri, "mimeType": self.mime_type or "application/octet-stream", "blob": blob}
        if isinstance(value, str):
            return {"uri": uri, "mimeType": self.mime_type or "text/plain", "text": value}
        return {"uri": uri, "mimeType": self.mime_type or "application/json", "text": json.dumps(_schema.to_json(value))}

    def read_here(self, uri: str, values: dict[str, Any]) -> dict[str, Any]:
        """Reads it in this thread (`Context.read_resource`): no context is given."""
        value = self.call(values, None)
        if isinstance(value, Awaitable):
            value = wait_for(value)
        return self.contents(uri, value)

    def invoker(self, read: Read) -> Callable[..., Any]:
        """The resource as the native side calls it: `invoke(payload, context, done)`."""

        def invoke(payload: str, native_context: Any = None, done: Callable[[str], None] | None = None) -> Any:
            request = json.loads(payload)
            uri = request["uri"]
            context = None if native_context is None else Context(native_context, read, None)

            def answer(value: Any) -> str:
                return "R" + json.dumps({"contents": [self.contents(uri, value)]})

            return respond(lambda: self.call(request.get("variables") or {}, context), answer, done)

        return invoke


def template_pattern(template: str) -> re.Pattern[str]:
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
    """A URI variable or prompt argument (always a string) as the value its hint
    expects."""
    if isinstance(text, str) and hint in (int, float):
        try:
            return hint(text)
        except ValueError:
            raise ToolError(f"{text!r} is not {'an integer' if hint is int else 'a number'}") from None
    return text


class Prompt:
    """A decorated prompt function: its parameters are the prompt's arguments."""

    def __init__(self, fn: Callable[..., Any], name: str | None, title: str | None, description: str | None) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.is_async = _signature.is_async(fn)
        summary, param_docs = _docstring.parse(fn.__doc__)
        hints = _schema.hints_of(fn)
        params = _signature.parameters(fn)
        self.context_param = _context_param(params, hints)
        self.params: dict[str, Any] = {}
        self.required: set[str] = set()
        arguments = []
        for param in params:
            if param.name == self.context_param:
                continue
            self.params[param.name] = hints.get(param.name, str)
            if param.default is _signature.EMPTY:
                self.required.add(param.name)
            argument: dict[str, Any] = {"name": param.name, "required": param.default is _signature.EMPTY}
            if param.name in param_docs:
                argument["description"] = param_docs[param.name]
            arguments.append(argument)
        self.description: dict[str, Any] = {"name": self.name, "arguments": arguments}
        if title:
            self.description["title"] = title
        if description or summary:
            self.description["description"] = description or summary

    def call(self, arguments: str, context: Context | None) -> Any:
        values = json.loads(arguments) if arguments else {}
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            raise ToolError(f"unknown arguments: {', '.join(unknown)}")
        kwargs = {name: _typed(value, self.params[name]) for name, value in values.items()}
        missing = sorted(self.required - set(kwargs))
        if missing:
            raise ToolError(f"invalid arguments: missing {', '.join(missing)}")
        if self.context_param is not None:
            kwargs[self.context_param] = context
        return self.fn(**kwargs)

    @staticmethod
    def answer(value: Any) -> str:
        if isinstance(value, str):
            return "T" + value
        return "R" + json.dumps({"messages": [_content.message(item) for item in value]})

    def invoker(self, read: Read) -> Callable[..., Any]:
        """The prompt as the native side calls it: `invoke(arguments, context, done)`."""

        def invoke(arguments: str, native_context: Any = None, done: Callable[[str], None] | None = None) -> Any:
            context = None if native_context is None else Context(native_context, read, None)
            return respond(lambda: self.call(arguments, context), self.answer, done)

        return invoke
