"""`MCPClient`: boltmcp's Rust client (both eras; stdio, Streamable HTTP, in-process)
from Python, with a synchronous facade and an async one.

    client = MCPClient()
    client.connect_stdio("python", ["server.py"])
    print(client.call_tool("add", {"a": 5, "b": 3}))      # 8.0

    async with MCPClient.connect_stdio("python", ["server.py"]) as client:
        result = await client.call_tool("add", {"a": 5, "b": 3})

The server's questions are answered by the callables given as `on_elicit(message,
schema)`, `on_sample(request)` and `on_roots()` (plain or `async def`); a client
without one does not declare the capability.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Generator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypedDict, TypeVar, cast, overload

from . import _schema
from ._calls import wait_for
from ._context import Elicited, ResourceContents, Root, Sampled
from ._errors import MCPError
from ._native import NativeClient
from ._results import Prompt, PromptResult, Resource, SamplingRequest, Tool, ToolResult, read_contents

if TYPE_CHECKING:
    import asyncio
    from typing_extensions import Unpack

    from ._server import MCPServer

Progress = Callable[[float, "float | None", "str | None"], Any]


class ClientOptions(TypedDict, total=False):
    """`MCPClient`'s options, also taken by `MCPClient.connect_stdio(...)` and its
    siblings when called on the class."""

    mode: Literal["auto", "legacy", "2026-07-28"]
    timeout: float | None
    name: str
    version: str
    on_elicit: Callable[[str, dict[str, Any]], Any]
    on_sample: Callable[[SamplingRequest], Any]
    on_roots: Callable[[], Any]
    on_notification: Callable[[str, dict[str, Any]], Any]


def _settle(answer: str) -> Any:
    """A tagged answer from the native side: `A` and the result's JSON, or `X` and an
    error's, raised as `MCPError`."""
    tag, body = answer[:1], answer[1:]
    if tag == "A":
        return json.loads(body)
    error = json.loads(body)
    raise MCPError(error["message"], error.get("code"), error.get("data"), error.get("status"), error.get("retry_after"))


def _elicit_answer(value: Any) -> dict[str, Any]:
    if value is None:
        return {"action": "decline"}
    if isinstance(value, Elicited):
        answer: dict[str, Any] = {"action": value.action}
        if value.action == "accept":
            answer["content"] = _schema.to_json(value.data) if value.data is not None else {}
        return answer
    return {"action": "accept", "content": _schema.to_json(value)}


def _sample_answer(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"role": "assistant", "content": {"type": "text", "text": value}, "model": "unknown", "stopReason": "endTurn"}
    if isinstance(value, Sampled):
        answer = {"role": value.role, "content": value.content, "model": value.model}
        if value.stop_reason is not None:
            answer["stopReason"] = value.stop_reason
        return answer
    if isinstance(value, dict):
        return value
    raise TypeError(f"on_sample must return a str, a Sampled or a dict, not a {type(value).__name__}")


def _roots_answer(value: Any) -> dict[str, Any]:
    roots = []
    for root in value:
        if isinstance(root, str):
            roots.append({"uri": root})
        elif isinstance(root, Root):
            roots.append({"uri": root.uri, **({"name": root.name} if root.name is not None else {})})
        else:
            roots.append(dict(root))
    return {"roots": roots}


class _Session:
    """What both facades share: the options, the native client, and what connecting
    learned. `loop` is the async facade's event loop, where `async def` answerers and
    callbacks run; without it they run on the package's own loop."""

    def __init__(self, options: ClientOptions) -> None:
        self.options = options
        self.native: NativeClient | None = None
        self.info: dict[str, Any] = {}
        self.loop: asyncio.AbstractEventLoop | None = None

    def resolve(self, value: Any) -> Any:
        """A handler's value, awaited first when it is awaitable."""
        import asyncio

        if not inspect.isawaitable(value):
            return value
        if self.loop is not None:
            return asyncio.run_coroutine_threadsafe(_as_coroutine(value), self.loop).result()
        return wait_for(value)

    def answerer(self, handler: Callable[..., Any] | None, shape: Callable[[Any], dict[str, Any]], read: Callable[[dict[str, Any]], tuple[Any, ...]]) -> Callable[[str], str] | None:
        if handler is None:
            return None

        def answer(params: str) -> str:
            return json.dumps(shape(self.resolve(handler(*read(json.loads(params))))))

        return answer

    def connect(self, connection: dict[str, Any], server: MCPServer | None = None) -> None:
        options = self.options
        described = {
            **connection,
            "era": options.get("mode", "auto"),
            "timeout": options.get("timeout"),
            "name": options.get("name", "boltmcp-python"),
            "version": options.get("version", "0.1.0"),
        }
        notify = options.get("on_notification")
        answer, native = NativeClient.connect(
            json.dumps(described),
            server._prepare(in_process=True) if server is not None else None,
            self.answerer(options.get("on_elicit"), _elicit_answer, lambda p: (p.get("message", ""), p.get("requestedSchema", {}))),
            self.answerer(options.get("on_sample"), _sample_answer, lambda p: (SamplingRequest.from_json(p),)),
            self.answerer(options.get("on_roots"), _roots_answer, lambda p: ()),
            None if notify is None else self.callback(lambda method, params: notify(method, json.loads(params))),
        )
        self.info = _settle(answer)
        self.native = native

    def callback(self, function: Callable[..., Any]) -> Callable[..., None]:
        """`function` as a callback from a handler thread: on the async facade's loop
        when there is one (a coroutine it returns becomes a task there)."""
        loop = self.loop
        if loop is None:

            def here(*args: Any) -> None:
                self.resolve(function(*args))

            return here

        def on_loop(*args: Any) -> None:
            import asyncio

            value = function(*args)
            if inspect.isawaitable(value):
                asyncio.ensure_future(value)

        def to_loop(*args: Any) -> None:
            loop.call_soon_threadsafe(on_loop, *args)

        return to_loop

    def live(self) -> NativeClient:
        if self.native is None:
            raise MCPError("the client is not connected (or was closed)")
        return self.native

    def close(self) -> None:
        if self.native is not None:
            self.native.close()
            self.native = None


async def _as_coroutine(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _tool_params(name: str, arguments: dict[str, Any] | None) -> dict[str, Any]:
    return {"name": name, "arguments": arguments or {}}


class _Info:
    """What connecting learned, shared by both facades."""

    _session: _Session

    @property
    def era(self) -> str:
        """The protocol version in use: `2026-07-28`, or the legacy one negotiated."""
        return str(self._session.info.get("era", ""))

    @property
    def server_info(self) -> dict[str, Any]:
        """The server's name and version (and whatever else it says of itself)."""
        return dict(self._session.info.get("server_info") or {})

    @property
    def capabilities(self) -> dict[str, Any]:
        """The server's capabilities."""
        return dict(self._session.info.get("capabilities") or {})

    @property
    def instructions(self) -> str | None:
        """The server's instructions, if it gave any."""
        instructions = self._session.info.get("instructions")
        return instructions if isinstance(instructions, str) else None


OnClass = TypeVar("OnClass")
Now = TypeVar("Now")


class _Connector(Generic[OnClass, Now]):
    """`connect_stdio` and its siblings: on an instance they connect it and return
    it; on the class they return a `Connecting` for `with`, `async with` or
    `await`, taking the client's options as keywords."""

    def __init__(self, connect: Callable[..., tuple[dict[str, Any], MCPServer | None]]) -> None:
        self.connect = connect
        self.__doc__ = connect.__doc__

    @overload
    def __get__(self, client: None, owner: type[MCPClient]) -> OnClass: ...

    @overload
    def __get__(self, client: MCPClient, owner: type[MCPClient]) -> Now: ...

    def __get__(self, client: MCPClient | None, owner: type[MCPClient]) -> Any:
        if client is not None:

            def now(*args: Any, **kwargs: Any) -> MCPClient:
                client._session.connect(*self.connect(*args, **kwargs))
                return client

            return now

        def later(*args: Any, **kwargs: Any) -> Connecting:
            options = {k: kwargs.pop(k) for k in list(kwargs) if k in ClientOptions.__annotations__}
            return Connecting(_Session(cast(ClientOptions, options)), self.connect(*args, **kwargs))

        return later


def _stdio(command: str, args: Sequence[str] = ()) -> tuple[dict[str, Any], None]:
    """Starts `command args...` and talks to it over its stdin and stdout; it is
    stopped when the client closes."""
    return {"transport": "stdio", "target": command, "args": list(args)}, None


def _http(url: str, headers: dict[str, str] | None = None) -> tuple[dict[str, Any], None]:
    """Connects to the Streamable HTTP endpoint at `url` (`http://` to loopback, or
    `https://`), sending `headers` (`{"Authorization": "Bearer ..."}`) with each
    request."""
    return {"transport": "http", "target": url, "headers": list((headers or {}).items())}, None


def _memory(server: MCPServer) -> tuple[dict[str, Any], MCPServer]:
    """Connects to `server` in this process (for tests): no process, no socket."""
    return {"transport": "memory"}, server


class Connecting:
    """A connection about to be made: `with` gives an `MCPClient`, `async with` (or
    `await`) an `AsyncMCPClient`; leaving the block closes it."""

    def __init__(self, session: _Session, connection: tuple[dict[str, Any], MCPServer | None]) -> None:
        self._session = session
        self._connection = connection

    def __enter__(self) -> MCPClient:
        client = MCPClient.__new__(MCPClient)
        client._session = self._session
        self._session.connect(*self._connection)
        return client

    def __exit__(self, *exc: object) -> None:
        self._session.close()

    async def _open(self) -> AsyncMCPClient:
        import asyncio

        self._session.loop = asyncio.get_running_loop()
        await asyncio.to_thread(self._session.connect, *self._connection)
        return AsyncMCPClient(self._session)

    async def __aenter__(self) -> AsyncMCPClient:
        return await self._open()

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        import asyncio

        await asyncio.to_thread(self._session.close)

    def __await__(self) -> Generator[Any, None, AsyncMCPClient]:
        return self._open().__await__()


class _StdioOnClass(Protocol):
    def __call__(self, command: str, args: Sequence[str] = ..., **options: Unpack[ClientOptions]) -> Connecting: ...


class _StdioNow(Protocol):
    def __call__(self, command: str, args: Sequence[str] = ...) -> MCPClient: ...


class _HttpOnClass(Protocol):
    def __call__(self, url: str, headers: dict[str, str] | None = ..., **options: Unpack[ClientOptions]) -> Connecting: ...


class _HttpNow(Protocol):
    def __call__(self, url: str, headers: dict[str, str] | None = ...) -> MCPClient: ...


class _MemoryOnClass(Protocol):
    def __call__(self, server: MCPServer, **options: Unpack[ClientOptions]) -> Connecting: ...


class _MemoryNow(Protocol):
    def __call__(self, server: MCPServer) -> MCPClient: ...


class MCPClient(_Info):
    """A synchronous MCP client: `connect_stdio`, `connect_http` or
    `connect_in_memory`, then call. Each call waits for its answer (with the GIL
    released, so other Python threads run meanwhile)."""

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        """`mode`: `auto` (probe for 2026-07-28, fall back to `initialize`), `legacy`
        or `2026-07-28`; `timeout`: each call's, in seconds (60 by default, 0 for
        none); `name`/`version`: what the client calls itself; `on_elicit`,
        `on_sample`, `on_roots`: answer the server's questions; `on_notification`:
        hears every notification."""
        self._session = _Session(options)

    connect_stdio = _Connector["_StdioOnClass", "_StdioNow"](_stdio)
    connect_http = _Connector["_HttpOnClass", "_HttpNow"](_http)
    connect_in_memory = _Connector["_MemoryOnClass", "_MemoryNow"](_memory)

    def __enter__(self) -> MCPClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Ends the connection (a stdio server is stopped)."""
        self._session.close()

    def _request(self, method: str, params: dict[str, Any], timeout: float | None = None, progress: Progress | None = None) -> Any:
        wrapped = None if progress is None else self._session.callback(progress)
        return _settle(self._session.live().request(method, json.dumps(params), timeout, wrapped))

    def call_tool(self, name: str, arguments: dict[str, Any] | None = None, *, timeout: float | None = None, progress: Progress | None = None) -> ToolResult:
        """Calls a tool. A tool that failed is a result with `is_error`; a refused
        request raises `MCPError`. `progress(progress, total, message)` hears the
        tool's progress reports."""
        return ToolResult.from_json(self._request("tools/call", _tool_params(name, arguments), timeout, progress))

    def list_tools(self) -> list[Tool]:
        """Every tool, all pages."""
        return [Tool.from_json(t) for t in self._request("tools/list", {})]

    def list_resources(self) -> list[Resource]:
        """Every resource, all pages."""
        return [Resource.from_json(r) for r in self._request("resources/list", {})]

    def list_resource_templates(self) -> list[Resource]:
        """Every resource template, all pages."""
        return [Resource.from_json(r) for r in self._request("resources/templates/list", {})]

    def read_resource(self, uri: str) -> list[ResourceContents]:
        """A resource's contents."""
        return read_contents(self._request("resources/read", {"uri": uri}))

    def list_prompts(self) -> list[Prompt]:
        """Every prompt, all pages."""
        return [Prompt.from_json(p) for p in self._request("prompts/list", {})]

    def get_prompt(self, name: str, arguments: dict[str, str] | None = None) -> PromptResult:
        """A prompt with its arguments filled in."""
        return PromptResult.from_json(self._request("prompts/get", {"name": name, "arguments": arguments or {}}))

    def complete(self, ref: dict[str, Any], argument: str, value: str) -> list[str]:
        """Completions for an argument of a prompt (`{"type": "ref/prompt", "name":
        ...}`) or a resource template (`{"type": "ref/resource", "uri": ...}`)."""
        result = self._request("completion/complete", {"ref": ref, "argument": argument, "value": value})
        return list(result.get("completion", {}).get("values", []))

    def ping(self) -> None:
        """A legacy-era `ping`."""
        self._request("ping", {})

    def set_log_level(self, level: str) -> None:
        """Asks the server for log messages at `level` and above: legacy `logging/setLevel`;
        in 2026-07-28, every later request asks for them in its `_meta`."""
        self._request("logging/setLevel", {"level": level})

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Any request, by method: its result as JSON data."""
        return self._request(method, params or {})


class AsyncMCPClient(_Info):
    """The async facade, from `async with MCPClient.connect_stdio(...) as client`:
    the same calls as `MCPClient`, awaited. A call runs on the Rust runtime without
    a thread of its own; cancelling the awaiting task cancels it on the server."""

    def __init__(self, session: _Session) -> None:
        self._session = session

    async def aclose(self) -> None:
        """Ends the connection (a stdio server is stopped)."""
        import asyncio

        await asyncio.to_thread(self._session.close)

    async def _request(self, method: str, params: dict[str, Any], timeout: float | None = None, progress: Progress | None = None) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()

        def resolve(answer: str) -> None:
            if not future.done():
                future.set_result(answer)

        wrapped = None if progress is None else self._session.callback(progress)
        call = self._session.live().submit(
            method, json.dumps(params), lambda answer: loop.call_soon_threadsafe(resolve, answer), timeout, wrapped
        )
        try:
            return _settle(await future)
        except asyncio.CancelledError:
            call.cancel()
            raise

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None, *, timeout: float | None = None, progress: Progress | None = None) -> ToolResult:
        """Calls a tool (see `MCPClient.call_tool`)."""
        return ToolResult.from_json(await self._request("tools/call", _tool_params(name, arguments), timeout, progress))

    async def list_tools(self) -> list[Tool]:
        """Every tool, all pages."""
        return [Tool.from_json(t) for t in await self._request("tools/list", {})]

    async def list_resources(self) -> list[Resource]:
        """Every resource, all pages."""
        return [Resource.from_json(r) for r in await self._request("resources/list", {})]

    async def list_resource_templates(self) -> list[Resource]:
        """Every resource template, all pages."""
        return [Resource.from_json(r) for r in await self._request("resources/templates/list", {})]

    async def read_resource(self, uri: str) -> list[ResourceContents]:
        """A resource's contents."""
        return read_contents(await self._request("resources/read", {"uri": uri}))

    async def list_prompts(self) -> list[Prompt]:
        """Every prompt, all pages."""
        return [Prompt.from_json(p) for p in await self._request("prompts/list", {})]

    async def get_prompt(self, name: str, arguments: dict[str, str] | None = None) -> PromptResult:
        """A prompt with its arguments filled in."""
        return PromptResult.from_json(await self._request("prompts/get", {"name": name, "arguments": arguments or {}}))

    async def complete(self, ref: dict[str, Any], argument: str, value: str) -> list[str]:
        """Completions for an argument (see `MCPClient.complete`)."""
        result = await self._request("completion/complete", {"ref": ref, "argument": argument, "value": value})
        return list(result.get("completion", {}).get("values", []))

    async def ping(self) -> None:
        """A legacy-era `ping`."""
        await self._request("ping", {})

    async def set_log_level(self, level: str) -> None:
        """Asks the server for log messages at `level` and above: legacy `logging/setLevel`;
        in 2026-07-28, every later request asks for them in its `_meta`."""
        await self._request("logging/setLevel", {"level": level})

    async def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Any request, by method: its result as JSON data."""
        return await self._request(method, params or {})


__all__ = ["AsyncMCPClient", "ClientOptions", "Connecting", "MCPClient"]
