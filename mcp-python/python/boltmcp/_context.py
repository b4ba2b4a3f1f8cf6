"""`Context`: what a handler can do within its request. A tool receives it by
declaring a parameter annotated `Context` (under any name); that parameter is not
part of the tool's input schema.

The questions (`elicit`, `sample`, `roots`) work in both eras, as the Rust
`Context`'s do. In the legacy era each is a request to the client and the handler
waits for the answer. In 2026-07-28 the first run of the handler ends at the
question (with `InputRequired`, which the handler must let through), the client
answers on the call's retry, and the retried run gets the answer. A handler that asks
must therefore do nothing before its questions that it cannot do twice.
The `a`-prefixed forms (`await ctx.aelicit(...)`) are for `async def` tools: they
wait in a worker thread instead of the event loop.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from . import _content, _schema
from ._calls import Finished, TaskStarted, respond
from ._errors import InputRequired, ToolError
from ._native import NativeContext
from ._value import Value

if TYPE_CHECKING:
    import asyncio

LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")

T = TypeVar("T")


class Elicited(Value, Generic[T]):
    """The user's answer to `elicit`: `action` is `accept` (with `data`), `decline`
    or `cancel`."""

    __slots__ = ("action", "data")

    def __init__(self, action: Literal["accept", "decline", "cancel"], data: T | None = None) -> None:
        self.action = action
        self.data = data

    @property
    def accepted(self) -> bool:
        """Whether the user submitted the form."""
        return self.action == "accept"


class Sampled(Value):
    """The client's model's answer to `sample`."""

    __slots__ = ("role", "content", "model", "stop_reason")

    def __init__(self, role: str, content: dict[str, Any], model: str, stop_reason: str | None = None) -> None:
        self.role = role
        self.content = content
        self.model = model
        self.stop_reason = stop_reason

    @property
    def text(self) -> str:
        """The answer's text (empty when it is not text)."""
        text = self.content.get("text")
        return text if isinstance(text, str) else ""


class Root(Value):
    """A root the client shares: a `file://` URI and an optional name."""

    __slots__ = ("uri", "name")

    def __init__(self, uri: str, name: str | None = None) -> None:
        self.uri = uri
        self.name = name


class ResourceContents(Value):
    """One item of a resource's contents: `text`, or `blob` bytes."""

    __slots__ = ("uri", "mime_type", "text", "blob")

    def __init__(self, uri: str, mime_type: str | None = None, text: str | None = None, blob: bytes | None = None) -> None:
        self.uri = uri
        self.mime_type = mime_type
        self.text = text
        self.blob = blob


class Principal(Value):
    """The verified caller: who (`subject`), what they may do (`scopes`), who vouched
    for them (`issuer`), and the token's claims."""

    __slots__ = ("subject", "scopes", "issuer", "claims")

    def __init__(self, subject: str, scopes: tuple[str, ...], issuer: str | None, claims: dict[str, Any]) -> None:
        self.subject = subject
        self.scopes = scopes
        self.issuer = issuer
        self.claims = claims


class Context:
    """The request's context: progress reports, log messages, cancellation, the
    questions to the client, and reading the server's own resources."""

    __slots__ = ("_finish", "_native", "_read")

    def __init__(
        self,
        native: NativeContext,
        read: Callable[[str], list[ResourceContents]],
        finish: Callable[[Any], str] | None,
    ) -> None:
        self._native = native
        self._read = read
        # How the tool's value becomes its answer (for `as_task`); None outside tools.
        self._finish = finish

    def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        """Reports progress, when the client asked for it; values must grow."""
        self._native.progress(float(progress), None if total is None else float(total), message)

    def log(self, level: str, data: Any, logger: str | None = None) -> None:
        """Sends a log message (any JSON data) at `level`, if the client asked to
        hear that level: one of debug, info, notice, warning, error, critical,
        alert, emergency."""
        if level not in LEVELS:
            raise ValueError(f"{level!r} is not a log level: one of {', '.join(LEVELS)}")
        self._native.log(level, json.dumps(data), logger)

    def debug(self, message: str) -> None:
        """Logs at debug."""
        self.log("debug", message)

    def info(self, message: str) -> None:
        """Logs at info."""
        self.log("info", message)

    def warning(self, message: str) -> None:
        """Logs at warning."""
        self.log("warning", message)

    def error(self, message: str) -> None:
        """Logs at error."""
        self.log("error", message)

    @property
    def cancelled(self) -> bool:
        """Whether the client cancelled the request (a long handler can stop early)."""
        return self._native.is_cancelled()

    @property
    def principal(self) -> Principal | None:
        """The verified caller, when the server has `auth` (over stdio: the holder of
        the token in `BOLTMCP_TOKEN`); `None` otherwise."""
        described = self._native.principal()
        if described is None:
            return None
        caller = json.loads(described)
        return Principal(caller["subject"], tuple(caller["scopes"]), caller["issuer"], caller["claims"])

    @property
    def client_capabilities(self) -> dict[str, Any]:
        """What the client declared it can do (`elicitation`, `sampling`, `roots`, ...)."""
        return dict(json.loads(self._native.client_capabilities()))

    def close_stream(self, retry_ms: int = 1000) -> bool:
        """Over Streamable HTTP, lets go of the request's stream now; the client comes
        back after `retry_ms` for the rest of the answer (SEP-1699). Whether there was
        a stream to let go of."""
        return self._native.close_stream(retry_ms)

    @overload
    def elicit(self, message: str, schema: type[T], *, key: str | None = None) -> Elicited[T]: ...

    @overload
    def elicit(self, message: str, schema: dict[str, Any], *, key: str | None = None) -> Elicited[dict[str, Any]]: ...

    def elicit(self, message: str, schema: Any, *, key: str | None = None) -> Elicited[Any]:
        """Asks the user to fill in a form shaped like `schema`: a dataclass, a
        `TypedDict` or a pydantic model of strings, numbers, booleans and enums (the
        answer comes back as one), or a `requestedSchema` dict written by hand (the
        answer comes back as a dict). A client without form elicitation is an error.
        `key` names the question in 2026-07-28 (`inputRequests`), for clients that
        expect a particular one."""
        answer: Elicited[Any] = self.ask(Ask.elicit(message, schema, key=key))[0]
        return answer

    def sample(self, messages: str | Sequence[Any], *, key: str | None = None, **options: Any) -> Sampled:
        """Asks the client's model for a completion of `messages` (a string, or a
        list of strings, `(role, content)` pairs and protocol dicts); the options
        are `Ask.sample`'s."""
        answer: Sampled = self.ask(Ask.sample(messages, key=key, **options))[0]
        return answer

    def roots(self, *, key: str | None = None) -> list[Root]:
        """The client's roots. A client without the `roots` capability is an error."""
        answer: list[Root] = self.ask(Ask.roots(key=key))[0]
        return answer

    def ask(self, *questions: Question) -> tuple[Any, ...]:
        """Asks several questions at once (`Ask.elicit`, `Ask.sample`, `Ask.roots`):
        in 2026-07-28 they travel in one round, in the legacy era they are sent
        together. Their answers, in order."""
        described = [q.described for q in questions]
        answers = _answer(self._native.ask(json.dumps(described)))
        return tuple(q.read(a) for q, a in zip(questions, answers))

    def as_task(self, work: Callable[[Context], Any]) -> Any:
        """Goes on with `work(context)` as a task when the client can take one (a
        2026-07-28 client of the tasks extension): the call is answered at once with
        the task, and what `work` returns becomes its result. Otherwise `work` runs
        now. Return what this returns: `return ctx.as_task(lambda ctx: ...)`."""
        finish = self._finish
        if finish is None:
            raise TypeError("as_task is for tools")
        read = self._read

        def run(native: NativeContext) -> str:
            return str(respond(lambda: work(Context(native, read, finish)), finish, None))

        tagged = self._native.as_task(run)
        if tagged == "K":
            raise TaskStarted()
        return Finished(tagged)

    def read_resource(self, uri: str) -> list[ResourceContents]:
        """Reads one of this server's own resources (or a template's match)."""
        return self._read(uri)

    async def aelicit(self, message: str, schema: Any, *, key: str | None = None) -> Elicited[Any]:
        """`elicit` for `async def` handlers."""
        import asyncio

        return await asyncio.to_thread(lambda: self.elicit(message, schema, key=key))

    async def asample(self, messages: str | Sequence[Any], **options: Any) -> Sampled:
        """`sample` for `async def` handlers."""
        import asyncio

        return await asyncio.to_thread(lambda: self.sample(messages, **options))

    async def aroots(self, *, key: str | None = None) -> list[Root]:
        """`roots` for `async def` handlers."""
        import asyncio

        return await asyncio.to_thread(lambda: self.roots(key=key))

    async def aask(self, *questions: Question) -> tuple[Any, ...]:
        """`ask` for `async def` handlers."""
        import asyncio

        return await asyncio.to_thread(self.ask, *questions)

    async def aread_resource(self, uri: str) -> list[ResourceContents]:
        """`read_resource` for `async def` handlers."""
        import asyncio

        return await asyncio.to_thread(self._read, uri)


class Question(Value):
    """One question to the client, made by `Ask`."""

    __slots__ = ("described", "read")

    def __init__(self, described: dict[str, Any], read: Callable[[Any], Any]) -> None:
        self.described = described
        self.read = read


class Ask:
    """Questions for `Context.ask`, to ask several at once."""

    @staticmethod
    def elicit(message: str, schema: Any, *, key: str | None = None) -> Question:
        """A form (see `Context.elicit`)."""
        hint = None if isinstance(schema, dict) else schema
        requested = schema if hint is None else elicitation_schema(hint)

        def read(answer: dict[str, Any]) -> Elicited[Any]:
            action = answer.get("action")
            if action != "accept":
                return Elicited("decline" if action == "decline" else "cancel")
            content = answer.get("content") or {}
            try:
                data = content if hint is None else _schema.convert(content, hint)
            except (TypeError, ValueError) as err:
                raise ToolError(f"the user's answer does not fit the form: {err}") from err
            return Elicited("accept", data)

        return Question({"kind": "elicit", "key": key, "message": message, "schema": requested}, read)

    @staticmethod
    def sample(
        messages: str | Sequence[Any],
        *,
        key: str | None = None,
        system_prompt: str | None = None,
        max_tokens: int = 1000,
        temperature: float | None = None,
        stop_sequences: list[str] | None = None,
        model_preferences: dict[str, Any] | None = None,
        include_context: Literal["none", "thisServer", "allServers"] | None = None,
    ) -> Question:
        """A completion from the client's model (see `Context.sample`)."""
        items = [messages] if isinstance(messages, str) else list(messages)
        params: dict[str, Any] = {"messages": [_content.message(m) for m in items], "maxTokens": max_tokens}
        optional = {
            "systemPrompt": system_prompt,
            "temperature": temperature,
            "stopSequences": stop_sequences,
            "modelPreferences": model_preferences,
            "includeContext": include_context,
        }
        params.update({k: v for k, v in optional.items() if v is not None})

        def read(answer: dict[str, Any]) -> Sampled:
            content = answer.get("content")
            if isinstance(content, list):  # a tool-using answer's blocks: keep the first
                content = content[0] if content else {}
            return Sampled(answer.get("role", "assistant"), content or {}, answer.get("model", ""), answer.get("stopReason"))

        return Question({"kind": "sample", "key": key, "params": params}, read)

    @staticmethod
    def roots(*, key: str | None = None) -> Question:
        """The client's roots (see `Context.roots`)."""
        return Question({"kind": "roots", "key": key}, lambda answer: [Root(r["uri"], r.get("name")) for r in answer])


def _answer(tagged: str) -> Any:
    """A question's answer from the native side: `A` and JSON, `I` (the client is
    asked on the retry), or `E` and why there is none."""
    tag, body = tagged[:1], tagged[1:]
    if tag == "A":
        return json.loads(body)
    if tag == "I":
        raise InputRequired()
    raise ToolError(body)


def elicitation_schema(hint: Any) -> dict[str, Any]:
    """A form's `requestedSchema` from a flat type: its properties are primitives or
    enums (2025-11-25 `client/elicitation` §Requested Schema); `Optional` fields
    are simply not required."""
    schema = _schema.SchemaBuilder().schema(hint)
    if schema.get("type") != "object" or "properties" not in schema:
        raise TypeError(f"an elicitation form must be a dataclass, TypedDict or pydantic model, not {hint!r}")
    properties = {}
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        kinds = prop.get("type")
        if isinstance(kinds, list):
            rest = [k for k in kinds if k != "null"]
            if len(rest) != 1:
                raise TypeError(f"the form field {name!r} must have one type, not {kinds}")
            prop["type"] = rest[0]
        if "anyOf" in prop:
            options = [o for o in prop["anyOf"] if o.get("type") != "null"]
            if len(options) != 1:
                raise TypeError(f"the form field {name!r} must have one type")
            prop = {**{k: v for k, v in prop.items() if k != "anyOf"}, **options[0]}
        if prop.get("type") not in ("string", "number", "integer", "boolean") and "enum" not in prop:
            raise TypeError(f"the form field {name!r} must be a string, number, boolean or enum")
        properties[name] = prop
    form: dict[str, Any] = {"type": "object", "properties": properties}
    if schema.get("required"):
        form["required"] = schema["required"]
    return form


def contents_from_json(items: list[dict[str, Any]]) -> list[ResourceContents]:
    """`ResourceContents` from the protocol's JSON."""
    out = []
    for item in items:
        blob = item.get("blob")
        out.append(
            ResourceContents(
                item.get("uri", ""),
                item.get("mimeType"),
                item.get("text"),
                base64.b64decode(blob) if isinstance(blob, str) else None,
            )
        )
    return out


__all__ = ["Ask", "Context", "Elicited", "Principal", "Question", "ResourceContents", "Root", "Sampled"]
