"""A running server changes: tools added and removed (clients hear `list_changed`),
completions, resource subscriptions, and `run_async` on the caller's event loop."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from boltmcp import MCPClient, MCPServer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def wait_until(check: Any, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_tools_added_and_removed_while_running_are_announced() -> None:
    server = MCPServer("live")

    @server.tool()
    def first() -> str:
        """The first tool."""
        return "one"

    heard: list[str] = []
    with MCPClient.connect_in_memory(server, mode="legacy", on_notification=lambda method, params: heard.append(method)) as client:
        assert [t.name for t in client.list_tools()] == ["first"]

        def second() -> str:
            """Added later."""
            return "two"

        server.add_tool(second)
        assert wait_until(lambda: "notifications/tools/list_changed" in heard), heard
        assert sorted(t.name for t in client.list_tools()) == ["first", "second"]
        assert client.call_tool("second").data == "two"
        heard.clear()
        assert server.remove_tool("first") is True
        assert wait_until(lambda: "notifications/tools/list_changed" in heard), heard
        assert [t.name for t in client.list_tools()] == ["second"]


def test_completions_from_candidates_and_from_a_function() -> None:
    server = MCPServer("complete")

    @server.prompt(completions={"language": ["python", "perl", "rust"]})
    def review(language: str, code: str) -> str:
        """Reviews code."""
        return f"{language}: {code}"

    @server.resource("docs://{section}", completions=lambda variable, value: [s for s in ("intro", "install") if s.startswith(value)])
    def doc(section: str) -> str:
        """A section."""
        return section

    with MCPClient.connect_in_memory(server) as client:
        languages = client.complete({"type": "ref/prompt", "name": "review"}, "language", "p")
        sections = client.complete({"type": "ref/resource", "uri": "docs://{section}"}, "section", "in")
        nothing = client.complete({"type": "ref/prompt", "name": "review"}, "code", "")
    assert languages == ["python", "perl"]
    assert sections == ["intro", "install"]
    assert nothing == []


def test_subscribers_hear_a_resource_change() -> None:
    server = MCPServer("watched")

    @server.resource("data://counter")
    def counter() -> str:
        """A counter."""
        return "1"

    heard: list[tuple[str, dict[str, Any]]] = []
    with MCPClient.connect_in_memory(server, mode="legacy", on_notification=lambda m, p: heard.append((m, p))) as client:
        client.request("resources/subscribe", {"uri": "data://counter"})
        server.notify_resource_updated("data://counter")
        assert wait_until(lambda: ("notifications/resources/updated", {"uri": "data://counter"}) in heard), heard


RUN_ASYNC = """
import asyncio
import threading

from boltmcp import MCPServer

server = MCPServer("on-my-loop")


@server.tool()
async def where() -> str:
    \"\"\"The thread the handler runs on.\"\"\"
    return threading.current_thread().name


@server.tool()
async def threads() -> list[str]:
    \"\"\"The names of the threads alive.\"\"\"
    return sorted(t.name for t in threading.enumerate())


async def main() -> None:
    threading.current_thread().name = "users-loop"
    await server.run_async()


asyncio.run(main())
"""


def test_run_async_runs_async_handlers_on_the_callers_loop(tmp_path: Path) -> None:
    program = tmp_path / "run_async.py"
    program.write_text(RUN_ASYNC)
    with MCPClient(timeout=20).connect_stdio(sys.executable, [str(program)]) as client:
        assert client.call_tool("where").data == "users-loop"
        # The caller's loop is the only one: the package did not start its own.
        assert "boltmcp-asyncio" not in client.call_tool("threads").data


def test_async_handlers_start_no_thread_before_the_server_serves() -> None:
    probe = (
        "import sys, threading\n"
        f"sys.path.insert(0, {str(EXAMPLES)!r})\n"
        "import async_calculator\n"
        "print(sorted(t.name for t in threading.enumerate()))\n"
        "from boltmcp import MCPClient\n"
        "with MCPClient.connect_in_memory(async_calculator.server) as client:\n"
        "    print(client.call_tool('add', {'a': 1, 'b': 2}).data)\n"
        "    print('boltmcp-asyncio' in [t.name for t in threading.enumerate()])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split("\n")[:3] == ["['MainThread']", "3.0", "True"], out


def test_an_event_loop_that_cannot_start_is_an_error_not_a_hang() -> None:
    probe = (
        "import asyncio\n"
        "from boltmcp._calls import EventLoop\n"
        "def no_loop():\n"
        "    raise OSError('no descriptor left')\n"
        "asyncio.new_event_loop = no_loop\n"
        "try:\n"
        "    EventLoop.get()\n"
        "except RuntimeError as err:\n"
        "    print(err, '/', err.__cause__)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "the event loop for async handlers did not start / no descriptor left", out


def test_an_unknown_security_setting_is_named() -> None:
    with pytest.raises(ValueError, match="unknown 'rate_limits'"):
        MCPServer("x", security={"rate_limits": "1/s"})
    with pytest.raises(ValueError, match="unknown 'memry'.*the settings are .*memory"):
        MCPServer("x", security={"sandbox": {"memry": 2**30}})
    server = MCPServer("x")
    with pytest.raises(ValueError, match="sandbox of `f`: unknown 'wall'"):
        server.tool("f", sandbox={"wall": 3})(lambda: 1)
