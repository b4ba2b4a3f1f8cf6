"""How a handler's call ends, in the tagged text the native side reads: its answer,
or `E` (a failure), `P` (a JSON-RPC error: the handler raised `MCPError`), `I` (it
stopped at a question the client answers on the retry) or `K` (the call went on as a
task). Plain handlers answer at once; `async def` ones run on the package's event
loop and answer through `done`."""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable

from typing import TYPE_CHECKING, Any

from ._errors import InputRequired, MCPError, ToolError
from ._native import async_queue_fd, drain_async

if TYPE_CHECKING:
    import asyncio


class TaskStarted(BaseException):
    """Ends a handler whose call went on as a task (`Context.as_task`)."""


class Finished:
    """A result already in tagged form (what `Context.as_task` ran)."""

    __slots__ = ("tagged",)

    def __init__(self, tagged: str) -> None:
        self.tagged = tagged


def failed(err: BaseException) -> str:
    """The tagged answer for a handler that raised `err`."""
    if isinstance(err, InputRequired):
        return "I"
    if isinstance(err, TaskStarted):
        return "K"
    if isinstance(err, MCPError):
        error: dict[str, Any] = {"code": err.code if err.code is not None else -32603, "message": err.message}
        if err.data is not None:
            error["data"] = err.data
        return "P" + json.dumps(error)
    if isinstance(err, ToolError):
        return "E" + str(err)
    said = str(err)
    return "E" + (f"{type(err).__name__}: {said}" if said else type(err).__name__)


class EventLoop:
    """The asyncio event loop async handlers run on: the package's own, in a thread,
    or the caller's (`MCPServer.run_async`). It watches the native side's queue of
    handler calls (`add_reader`), so a call starts on the loop's thread directly.

    The package's loop starts in the background (`start`) when a server with async
    handlers begins serving: importing asyncio is half a start on a slow machine, and
    answering `initialize` or `tools/list` needs no loop. Calls queued meanwhile wait
    in the native queue, and whoever needs the loop itself waits for it (`get`)."""

    _loop: asyncio.AbstractEventLoop | None = None
    _starting = False
    _failure: BaseException | None = None  # why the package's loop did not start
    _ready = threading.Event()
    _lock = threading.Lock()

    @classmethod
    def adopt(cls, loop: asyncio.AbstractEventLoop) -> None:
        """Runs async handlers on `loop`, the running one (`MCPServer.run_async`)."""
        with cls._lock:
            previous, cls._loop = cls._loop, loop
            cls._ready.set()
        if previous is not loop:
            if previous is not None:
                previous.call_soon_threadsafe(previous.remove_reader, async_queue_fd())
            loop.add_reader(async_queue_fd(), drain_async)

    @classmethod
    def start(cls) -> None:
        """Starts the package's loop in a thread, unless there is a loop already or one
        on its way; returns at once."""
        with cls._lock:
            if cls._loop is not None or cls._starting:
                return
            cls._starting = True
        threading.Thread(target=cls._run_own, name="boltmcp-asyncio", daemon=True).start()

    @classmethod
    def _run_own(cls) -> None:
        import asyncio

        try:
            loop = asyncio.new_event_loop()
        except Exception as err:  # no descriptor left, say: `get` raises it, not hangs
            with cls._lock:
                cls._starting = False
                cls._failure = err
                cls._ready.set()
            return
        with cls._lock:
            cls._starting = False
            adopted = cls._loop is not None  # `run_async` gave its own meanwhile
            if not adopted:
                loop.add_reader(async_queue_fd(), drain_async)
                cls._loop = loop
                cls._ready.set()
        if adopted:
            loop.close()
        else:
            loop.run_forever()

    @classmethod
    def get(cls) -> asyncio.AbstractEventLoop:
        """The loop, the package's own started on first use; waits while it starts."""
        loop = cls._loop
        if loop is None:
            cls.start()
            cls._ready.wait()
            loop = cls._loop
            if loop is None:
                raise RuntimeError("the event loop for async handlers did not start") from cls._failure
        return loop


def wait_for(awaitable: Any) -> Any:
    """Runs an awaitable on the package's loop and waits for its value (from a
    handler thread, never from the loop)."""
    import asyncio

    async def run() -> Any:
        return await awaitable

    return asyncio.run_coroutine_threadsafe(run(), EventLoop.get()).result()


def respond(start: Callable[[], Any], answer: Callable[[Any], str], done: Callable[[str], None] | None) -> str | Callable[..., Any]:
    """Runs a handler: `start()` calls it (for an async handler, makes its
    coroutine), `answer` turns its value into the tagged answer. Without `done`, the
    answer is returned; with it (on the loop's thread), the coroutine runs as a task,
    its `cancel` is returned, and the answer is given to `done`. `KeyboardInterrupt`
    and `SystemExit` go through: they stop the server."""
    if done is None:
        try:
            value = start()
            if isinstance(value, Awaitable):  # an async handler called without `done`
                value = wait_for(value)
            if isinstance(value, Finished):
                return value.tagged
            return answer(value)
        except (InputRequired, TaskStarted, Exception) as err:  # a failing handler is an answer, not a crash
            return failed(err)
    # On the loop's thread (the native side queued this call there): the handler
    # runs as a task of its own, its `cancel` returned for a cancelled request.
    import asyncio

    answered = done

    async def run() -> None:
        try:
            value = await start()
            text = value.tagged if isinstance(value, Finished) else answer(value)
        except (InputRequired, TaskStarted, Exception) as err:  # as above
            text = failed(err)
        answered(text)

    return asyncio.get_running_loop().create_task(run()).cancel
