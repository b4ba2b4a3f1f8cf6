"""The official Python `mcp` client against the `sandbox-server` example over stdio, in
both protocol eras: sandboxed tools answer from their workers, their progress reaches
the client, and each failure comes back as an `isError` result naming its cause while
the unsandboxed `add` goes on answering.

Needs the example binaries built (see conftest.py).
"""

from __future__ import annotations

import anyio
import pytest
from mcp import Client, StdioServerParameters

from conftest import REQUEST_TIMEOUT, SESSION_TIMEOUT

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["legacy", "2026-07-28"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


def text(result) -> str:
    return "".join(block.text for block in result.content if block.type == "text")


async def test_sandboxed_tools_answer_and_fail_by_name(tap, mode: str) -> None:
    argv = tap("sandbox-server").argv()
    progress: list[float] = []

    async def heard(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    with anyio.fail_after(SESSION_TIMEOUT * 2):
        async with Client(
            StdioServerParameters(command=argv[0], args=argv[1:]),
            mode=mode,
            read_timeout_seconds=REQUEST_TIMEOUT,
        ) as client:
            fib = await client.call_tool("fib", {"n": 20}, progress_callback=heard)
            memory = await client.call_tool("allocate", {"mib": 4096})
            cpu = await client.call_tool("fib", {"n": 60})
            echoed = await client.call_tool("run", {"command": "echo hello"})
            shadow = await client.call_tool("run", {"command": "cat /etc/shadow"})
            add = await client.call_tool("add", {"a": 2, "b": 3})

    assert fib.is_error is False and fib.structured_content == {"result": 6765}, fib
    assert progress == [0.0, 1.0], progress
    assert memory.is_error is True and "killed: memory limit 256 MiB" in text(memory), memory
    assert cpu.is_error is True and "killed: CPU time limit 2 s" in text(cpu), cpu
    assert echoed.is_error is False, echoed
    assert echoed.structured_content["stdout"] == "hello\n", echoed
    assert shadow.is_error is True and "Permission denied" in text(shadow), shadow
    assert add.structured_content == {"result": 5.0}, add
