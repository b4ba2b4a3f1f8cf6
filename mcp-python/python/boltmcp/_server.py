"""`MCPServer`: decorated Python functions served by boltmcp's Rust runtime.

A decorated function is looked at once (`_tool`, `_offerings`); what runs per call
is small, and runs on the Rust side's handler threads or, for `async def` handlers,
on the package's event loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar, overload

from . import _sandbox, _security
from ._calls import EventLoop
from ._context import ResourceContents, contents_from_json
from ._errors import ToolError
from ._native import NativeServer
from ._offerings import Prompt, Resource
from ._tool import Tool, invoker

if TYPE_CHECKING:
    import asyncio

F = TypeVar("F", bound=Callable[..., Any])
Completions = dict[str, list[str]] | Callable[[str, str], list[str]]


def _options(**options: Any) -> str:
    return json.dumps({k: v for k, v in options.items() if v is not None and v != []})


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
        error carrying `retryAfterMs`, or HTTP 429 with `Retry-After`) and `sandbox`
        (the policy of sandboxed tools, `{"wall_clock": 10, "memory": 2**29}`; with
        `"enabled": True` every tool is one). See `boltmcp._security` and
        `boltmcp._sandbox` for every key."""
        self.name = name
        self.version = version
        rate_limit, auth = _security.parse(security or {})
        self._sandbox_by_default, self._sandbox_policy = _sandbox.server_settings(security or {})
        self._native = NativeServer(name, version, instructions, rate_limit, auth)
        self._tools: dict[str, Tool] = {}
        self._resources: dict[str, Resource] = {}
        self._sandboxed: set[str] = set()
        self._has_async = False
        self._serving = False

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
        input_schema: dict[str, Any] | None = None,
        task: Literal["optional", "required"] | None = None,
        sandbox: bool | dict[str, Any] | None = None,
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
        input_schema: dict[str, Any] | None = None,
        task: Literal["optional", "required"] | None = None,
        sandbox: bool | dict[str, Any] | None = None,
    ) -> Any:
        """Registers a function as a tool: `@server.tool`, `@server.tool()` or
        `@server.tool("name", title=..., description=..., annotations=...)`.

        The policies the Rust `#[tool(...)]` declares: `timeout` (seconds; past it
        the call is answered with an `isError` result), `max_concurrency` (calls
        beyond it wait in a bounded queue), `rate_limit` (`"10/s"`, `"100/minute"`:
        the calls all callers together may make), `scopes` (the OAuth scopes a
        caller must hold, with the `security` settings' `auth`).

        `input_schema` replaces the schema the hints give (the arguments are then
        passed as they come, all of them to a `**kwargs`); `task` lets the tool run
        as a task (`"optional"`) or only as one (`"required"`), for clients of the
        tasks extension."""
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
                input_schema=input_schema,
                task=task,
                sandbox=sandbox,
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
        input_schema: dict[str, Any] | None = None,
        task: Literal["optional", "required"] | None = None,
        sandbox: bool | dict[str, Any] | None = None,
    ) -> None:
        """Registers `fn` as a tool, before or while the server runs (clients hear
        `notifications/tools/list_changed`); the options are `tool`'s."""
        tool = Tool(fn, name, title, description, annotations, input_schema)
        sandboxed = _sandbox.tool_settings(tool.name, sandbox, self._sandbox_by_default)
        options = _options(
            with_context=tool.context_param is not None,
            is_async=tool.is_async,
            timeout=timeout,
            max_concurrency=max_concurrency,
            rate_limit=rate_limit,
            scopes=list(scopes),
            task=task,
            sandbox=sandboxed,
        )
        if tool.is_async:
            self._start_loop()
        self._native.add_tool(json.dumps(tool.description), invoker(tool, self._read_resource), options)
        self._tools[tool.name] = tool
        if sandboxed is None:
            self._sandboxed.discard(tool.name)
        else:
            self._sandboxed.add(tool.name)

    def _start_loop(self) -> None:
        """Async handlers need the package's event loop: started in the background
        when the server begins serving (now, if it serves already), or in a sandbox
        worker once it is confined (no thread may run before)."""
        self._has_async = True
        if self._serving and not _sandbox.in_worker():
            EventLoop.start()

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
        completions: Completions | None = None,
    ) -> Callable[[F], F]:
        """Registers a function as the resource at `uri`, or as a template
        (`users://{id}/profile`: the function's parameters are its variables). It
        returns the contents: `str` (text), `bytes` (a blob), or JSON data. Only
        callers holding every one of `scopes` may read it. A template's variables
        complete from `completions`: candidates per variable, or `complete(variable,
        value) -> list[str]`."""

        def register(fn: F) -> F:
            self.add_resource(
                fn,
                uri,
                name=name,
                title=title,
                description=description,
                mime_type=mime_type,
                scopes=scopes,
                completions=completions,
            )
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
        completions: Completions | None = None,
    ) -> None:
        """Registers `fn` as the resource (or template) at `uri`, before or while the
        server runs."""
        resource = Resource(fn, uri, name, title, description, mime_type)
        options = _options(with_context=resource.context_param is not None, is_async=resource.is_async, scopes=list(scopes))
        if resource.is_async:
            self._start_loop()
        self._native.add_resource(json.dumps(resource.description), resource.invoker(self._read_resource), options, completions)
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
        return contents_from_json([resource.read_here(uri, values)])

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
        completions: Completions | None = None,
    ) -> Callable[[F], F]: ...

    def prompt(
        self,
        name: Any = None,
        /,
        *,
        title: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] = (),
        completions: Completions | None = None,
    ) -> Any:
        """Registers a function as a prompt: `@server.prompt`, `@server.prompt()` or
        `@server.prompt("name", ...)`. Its parameters are the prompt's arguments; it
        returns a `str` (one user message) or a list of messages (strings, `(role,
        text)` pairs, or dicts in the protocol's shape)."""
        if callable(name):
            self.add_prompt(name)
            return name

        def register(fn: F) -> F:
            self.add_prompt(fn, name=name, title=title, description=description, scopes=scopes, completions=completions)
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
        completions: Completions | None = None,
    ) -> None:
        """Registers `fn` as a prompt, before or while the server runs; only callers
        holding every one of `scopes` may get it. Its arguments complete from
        `completions`: candidates per argument, or `complete(argument, value) ->
        list[str]`."""
        prompt = Prompt(fn, name, title, description)
        options = _options(with_context=prompt.context_param is not None, is_async=prompt.is_async, scopes=list(scopes))
        if prompt.is_async:
            self._start_loop()
        self._native.add_prompt(json.dumps(prompt.description), prompt.invoker(self._read_resource), options, completions)

    def remove_prompt(self, name: str) -> bool:
        """Removes the prompt `name`; whether there was one."""
        return self._native.remove_prompt(name)

    def notify_tools_changed(self) -> None:
        """Tells listening clients the tool list changed (adding or removing a tool
        already does)."""
        self._native.announce("tools")

    def notify_resources_changed(self) -> None:
        """Tells listening clients the resource list changed."""
        self._native.announce("resources")

    def notify_prompts_changed(self) -> None:
        """Tells listening clients the prompt list changed."""
        self._native.announce("prompts")

    def notify_resource_updated(self, uri: str) -> None:
        """Tells clients subscribed to `uri` that it changed."""
        self._native.announce("updated", uri)

    async def run_async(self, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000) -> None:
        """`run`, from a running event loop: `async def` handlers then run on that
        loop instead of the package's own."""
        import asyncio

        launch = _sandbox.take_worker_launch()
        if launch is not None:
            self._serve_worker(launch)
        EventLoop.adopt(asyncio.get_running_loop())
        await asyncio.to_thread(self.run, transport, host, port)

    def run(self, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000) -> None:
        """Serves stdio until the client closes it, or Streamable HTTP at
        `http://HOST:PORT/mcp` (`transport="http"`, loopback by default); Ctrl-C stops
        either cleanly."""
        if transport not in ("stdio", "http"):
            raise ValueError(f"unknown transport {transport!r}: 'stdio' or 'http'")
        launch = _sandbox.take_worker_launch()
        if launch is not None:
            self._serve_worker(launch)
        self._prepare()
        try:
            if transport == "stdio":
                self._native.run_stdio()
            else:
                self._native.run_http(host, port)
        except KeyboardInterrupt:
            # Ctrl-C: the runtime heard it too and has already stopped serving cleanly.
            pass

    def _prepare(self, in_process: bool = False) -> NativeServer:
        """The native server, about to serve: with a sandbox when a tool is
        sandboxed or the `security` settings give one. Served in this process
        (`connect_in_memory`), it has none: its workers would run this program,
        which does not serve it, again."""
        wants_sandbox = bool(self._sandboxed) or self._sandbox_policy is not None
        if in_process and wants_sandbox:
            raise RuntimeError(
                "a server with sandboxed tools runs as a program (its workers start it "
                "again): connect to it with connect_stdio(sys.executable, ['server.py']) "
                "rather than connect_in_memory"
            )
        if not self._serving and wants_sandbox:
            self._native.configure_sandbox(_sandbox.configuration(self._sandbox_policy or {}))
        self._serving = True
        if self._has_async:
            EventLoop.start()
        return self._native

    def _serve_worker(self, launch: list[str]) -> NoReturn:
        """In a sandbox worker: confines the process, then serves the sandboxed tools
        to the server that started it; never returns."""
        # Imported before confinement, which may leave the interpreter's files
        # unreadable: the async handlers' machinery, and the codec `socket` looks up
        # for a host name.
        import asyncio  # noqa: F401
        import encodings.idna  # noqa: F401

        def ready() -> None:
            if self._has_async:
                EventLoop.get()

        self._native.serve_worker(launch, ready)
        raise SystemExit(1)
