"""Sandboxed Python tools, on `examples/sandboxed.py` and on small servers written
here. The server runs behind `contain.sh` (a pids cgroup) when the shared tools are
beside the repository, so an attack the sandbox failed to stop could not take the
machine down.

Each attack is answered with an `isError` result naming its cause, the worker is
replaced, and the server goes on serving; the workers are the server's interpreter
running the same script, as another user when started as root, and none outlives
its server. The example is attacked as root and, from root, as `nobody` (on the
system's interpreter, with a copy of the package any user can read)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

import boltmcp
from boltmcp import MCPClient, MCPServer, ToolResult
from conftest import free_port, serving

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SERVER = EXAMPLES / "sandboxed.py"
CONTAIN = Path(__file__).resolve().parents[3] / "shared" / "tools" / "contain.sh"
MARKER = "--boltmcp-sandbox-worker"
#: The first user id a worker started by root takes.
SANDBOX_UID_BASE = 0x7000_0000

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the sandbox is Linux's")


def contained(user: str = "root") -> list[str]:
    """The backstop for attack tests: a pids cgroup as root, or `nobody` with a
    process limit, when the shared tools are there."""
    return ["bash", str(CONTAIN), user] if CONTAIN.exists() and os.geteuid() == 0 else []


def system_python() -> str | None:
    """An interpreter outside `/root`, which `nobody` may run: the system's, when it
    takes the package's abi3 wheel (CPython 3.10 or later)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if not os.path.exists(candidate) or candidate.startswith(sys.prefix):
            continue
        checked = subprocess.run([candidate, "-c", "import sys; print(sys.version_info >= (3, 10))"], capture_output=True, text=True)
        if checked.stdout.strip() == "True":
            return candidate
    return None


@pytest.fixture(scope="module")
def reachable() -> Iterator[Path]:
    """The installed package and the example where any user can read them (the
    checkout and this interpreter may sit below `/root`, which only root enters)."""
    base = Path(tempfile.mkdtemp(prefix="boltmcp-sandbox-test-"))
    shutil.copytree(Path(boltmcp.__file__).parent, base / "boltmcp", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(SERVER, base / SERVER.name)
    for path in [base, *base.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield base
    shutil.rmtree(base, ignore_errors=True)


class Served:
    """A sandboxed server over HTTP, as `user`, with a client."""

    def __init__(self, process: subprocess.Popen[str], client: MCPClient, url: str, user: str, script: Path, python: str) -> None:
        self.process = process
        self.client = client
        self.url = url
        self.user = user
        self.script = script
        self.python = python

    def call(self, tool: str, **arguments: Any) -> ToolResult:
        return self.client.call_tool(tool, arguments, timeout=30)

    def value(self, tool: str, **arguments: Any) -> Any:
        result = self.call(tool, **arguments)
        assert not result.is_error, result
        return result.data

    def refused(self, tool: str, cause: str, **arguments: Any) -> None:
        result = self.call(tool, **arguments)
        assert result.is_error, result
        assert cause in str(result), f"expected {cause!r} in: {result}"

    def forbidden(self, call: str) -> str:
        """How a forbidden system call is named: by its name when the server runs as
        root (which reads the kernel's audit of it), by its signal otherwise."""
        return f"forbidden system call `{call}`" if self.user == "root" and os.geteuid() == 0 else "forbidden system call"


@pytest.fixture(params=["self", "nobody"])
def served(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """The example as whoever runs the tests (root in CI) and, from root, as
    `nobody`, on the system's interpreter with a readable copy of the package."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    script, python, user = SERVER, sys.executable, "root" if os.geteuid() == 0 else "self"
    prefix = contained()
    if request.param == "nobody":
        python_outside = system_python()
        if os.geteuid() != 0 or not CONTAIN.exists() or python_outside is None:
            pytest.skip("runs as root, with contain.sh and a system Python 3.10+")
        base = request.getfixturevalue("reachable")
        script, python, user, prefix = base / SERVER.name, python_outside, "nobody", contained("nobody")
        monkeypatch.setenv("PYTHONPATH", str(base))
    with serving(script, "--http", f"127.0.0.1:{port}", prefix=prefix, python=python) as process:
        with MCPClient.connect_http(url) as client:
            yield Served(process, client, url, user, script, python)
        stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    """Ctrl-C: the server stops serving and ends its workers, with their scratch
    directories."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)


def cmdline(pid: int) -> list[str]:
    with open(f"/proc/{pid}/cmdline", "rb") as file:
        return [arg.decode() for arg in file.read().split(b"\0") if arg]


def workers_of(server_pid: int) -> set[int]:
    """The live sandbox workers whose parent is `server_pid`."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == server_pid and fields[0] != "Z" and MARKER in cmdline(int(entry)):
                found.add(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return found


def test_a_sandboxed_tool_runs_in_a_confined_worker_running_the_same_script(served: Served) -> None:
    first = served.value("inspect")
    server_pid = first["ppid"]
    assert first["pid"] != server_pid
    assert str(served.script) in cmdline(server_pid) and MARKER not in cmdline(server_pid)
    worker = cmdline(first["pid"])
    assert worker[0] == served.python and "boltmcp._worker" in worker and str(served.script) in worker and MARKER in worker
    # The worker ran the script with the server's own arguments.
    assert "--http" in worker
    if served.user == "root":
        assert first["uid"] >= SANDBOX_UID_BASE
    elif served.user == "nobody":
        assert first["uid"] == pwd.getpwnam("nobody").pw_uid
    # A warm worker serves the next call; the unsandboxed tool runs in the server.
    assert served.value("inspect")["pid"] in workers_of(server_pid)
    assert served.value("add", a=2, b=3) == 5


def test_the_filesystem_beyond_the_scratch_directory_is_out_of_reach(served: Served, tmp_path: Path) -> None:
    served.refused("read_file", "PermissionError", path="/etc/shadow")
    served.refused("read_file", "PermissionError", path=str(served.script))
    escape = tmp_path / "escape.txt"
    served.refused("write_file", "PermissionError", path=str(escape), text="out")
    assert not escape.exists()
    # The worker's own scratch directory is its working directory, and emptied after each call.
    assert served.value("write_file", path="note.txt", text="in") == 2
    served.refused("read_file", "FileNotFoundError", path="note.txt")


def test_attacks_are_contained_named_and_the_server_goes_on(served: Served) -> None:
    before = served.value("inspect")["pid"]
    served.refused("connect", served.forbidden("socket"), host="127.0.0.1", port=9)
    served.refused("spawn", served.forbidden("clone"))
    served.refused("allocate", "MemoryError", mib=4096)
    served.refused("fib", "CPU time limit 2 s", n=60)
    started = time.monotonic()
    served.refused("sleep", "timed out after 5 s", seconds=60)
    assert time.monotonic() - started < 15
    # Each killed worker was replaced; the server and a fresh worker go on serving.
    after = served.value("inspect")
    assert after["pid"] != before
    assert served.value("allocate", mib=16) == 16
    assert served.value("add", a=1, b=1) == 2


def test_progress_and_logs_come_back_from_the_worker(served: Served) -> None:
    reports: list[tuple[float, float | None, str | None]] = []
    result = served.client.call_tool("fib", {"n": 20}, progress=lambda p, total, message: reports.append((p, total, message)))
    assert result.data == 6765
    assert reports == [(0, 1, "fib(20)"), (1, 1, "done")]
    heard: list[tuple[str, dict[str, Any]]] = []
    # The legacy era, where `logging/setLevel` asks for the logs.
    with MCPClient.connect_http(served.url, mode="legacy", on_notification=lambda m, p: heard.append((m, p))) as client:
        client.set_log_level("info")
        assert client.call_tool("slow_square", {"x": 3}).data == 9
        deadline = time.monotonic() + 15
        while not any(method == "notifications/message" for method, _ in heard) and time.monotonic() < deadline:
            time.sleep(0.05)
    logged = [params for method, params in heard if method == "notifications/message"]
    assert logged and "squaring 3" in str(logged[0]["data"]), heard


def test_workers_die_with_their_server(tmp_path: Path) -> None:
    port = free_port()
    with serving(SERVER, "--http", f"127.0.0.1:{port}", prefix=contained()) as process:
        with MCPClient.connect_http(f"http://127.0.0.1:{port}/mcp") as client:
            server_pid = client.call_tool("inspect").data["ppid"]
        deadline = time.monotonic() + 10
        while len(workers_of(server_pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = workers_of(server_pid)
        assert len(workers) == 2, "the policy keeps two warm workers"
        os.kill(server_pid, 9)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() and MARKER in cmdline(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists() and MARKER in cmdline(pid)]


def test_a_stopped_server_leaves_no_scratch_directory_behind() -> None:
    port = free_port()
    with serving(SERVER, "--http", f"127.0.0.1:{port}") as process:
        with MCPClient.connect_http(f"http://127.0.0.1:{port}/mcp") as client:
            assert client.call_tool("write_file", {"path": "kept.txt", "text": "x"}).data == 1
        scratch = glob.glob(os.path.join(tempfile.gettempdir(), f"boltmcp-sandbox-{process.pid}-*"))
        assert scratch, "each worker has a scratch directory while it lives"
        stop(process)
        assert process.returncode == 0
    assert not [path for path in scratch if os.path.exists(path)]


@pytest.mark.anyio
async def test_the_official_client_calls_sandboxed_tools_over_stdio(mode: str) -> None:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)])
    async with Client(params, mode=mode, read_timeout_seconds=30) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        assert {"add", "fib", "inspect", "slow_square"} <= tools
        inspected = await client.call_tool("inspect", {})
        assert not inspected.is_error and inspected.structured_content is not None
        assert inspected.structured_content["pid"] != inspected.structured_content["ppid"]
        squared = await client.call_tool("slow_square", {"x": 4})
        assert not squared.is_error and squared.structured_content == {"result": 16.0}
        crashed = await client.call_tool("spawn", {})
        assert crashed.is_error and "forbidden system call" in str(crashed.content)
        with anyio.fail_after(20):
            assert not (await client.call_tool("fib", {"n": 10})).is_error


def script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "server.py"
    path.write_text(textwrap.dedent(body))
    return path


POLICIES = """
    import os
    import sys

    from boltmcp import MCPServer

    server = MCPServer("policies", security={"sandbox": {"enabled": True, "memory": 256 * 2**20}})

    @server.tool()
    def where() -> int:
        return os.getpid()

    @server.tool(sandbox=False)
    def here() -> int:
        return os.getpid()

    @server.tool()
    def small(mib: int) -> int:
        return len(bytearray(mib * 2**20)) // 2**20

    @server.tool(sandbox={"memory": 1024 * 2**20})
    def big(mib: int) -> int:
        return len(bytearray(mib * 2**20)) // 2**20

    server.run()
"""


def test_enabled_sandboxes_every_tool_and_a_tools_own_policy_holds(tmp_path: Path) -> None:
    with MCPClient.connect_stdio(sys.executable, [str(script(tmp_path, POLICIES))], timeout=30) as client:
        here = client.call_tool("here").data
        where = client.call_tool("where").data
        assert isinstance(here, int) and isinstance(where, int) and here != where
        refused = client.call_tool("small", {"mib": 400})
        assert refused.is_error and "MemoryError" in str(refused)
        assert client.call_tool("big", {"mib": 400}).data == 400


def test_a_script_with_a_thread_running_before_run_is_refused(tmp_path: Path) -> None:
    threaded = script(
        tmp_path,
        """
        import threading
        import time

        from boltmcp import MCPServer

        server = MCPServer("threaded")
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()

        @server.tool(sandbox=True)
        def noop() -> int:
            return 1

        server.run()
        """,
    )
    with MCPClient.connect_stdio(sys.executable, [str(threaded)], timeout=30) as client:
        result = client.call_tool("noop")
        assert result.is_error and "threads run in this process" in str(result), result


def test_a_script_that_never_reaches_run_in_the_worker_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    guarded = script(
        tmp_path,
        """
        import os

        from boltmcp import MCPServer

        server = MCPServer("guarded")

        @server.tool(sandbox=True)
        def noop() -> int:
            return 1

        if os.environ.get("SERVE") == "1":
            server.run()
        """,
    )
    # The server sees SERVE; its workers, whose environment is cleared, do not.
    monkeypatch.setenv("SERVE", "1")
    with MCPClient.connect_stdio(sys.executable, [str(guarded)], timeout=30) as client:
        result = client.call_tool("noop")
        assert result.is_error and "without reaching server.run()" in str(result), result


def test_a_server_with_sandboxed_tools_is_not_served_in_process() -> None:
    server = MCPServer("in-process")

    @server.tool(sandbox=True)
    def noop() -> int:
        return 1

    with pytest.raises(RuntimeError, match="connect_stdio"):
        MCPClient.connect_in_memory(server).__enter__()


def test_a_server_run_as_a_module_starts_its_workers_as_that_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "served_package"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "server.py").write_text(
        textwrap.dedent(
            """
            import os

            from boltmcp import MCPServer

            server = MCPServer("module")

            @server.tool(sandbox=True)
            def where() -> int:
                return os.getpid()

            @server.tool()
            def here() -> int:
                return os.getpid()

            if __name__ == "__main__":
                server.run()
            """
        )
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with MCPClient.connect_stdio(sys.executable, ["-m", "served_package.server"], timeout=30) as client:
        where = client.call_tool("where")
        assert not where.is_error, where
        worker = cmdline(where.data)
        assert worker[worker.index("boltmcp._worker") + 1 :][:2] == ["module", "served_package.server"]
        assert where.data != client.call_tool("here").data


def test_a_question_from_a_sandboxed_tool_is_named(tmp_path: Path) -> None:
    asking = script(
        tmp_path,
        """
        from boltmcp import Context, MCPServer

        server = MCPServer("asking")

        @server.tool(sandbox=True)
        def ask(ctx: Context) -> str:
            return str(ctx.elicit("Name?", {"type": "object", "properties": {"name": {"type": "string"}}}).data)

        server.run()
        """,
    )
    for mode in ("legacy", "2026-07-28"):
        with MCPClient.connect_stdio(
            sys.executable, [str(asking)], mode=mode, on_elicit=lambda message, schema: {"name": "Ada"}, timeout=30
        ) as client:
            result = client.call_tool("ask")
            assert result.is_error and "cannot ask the client questions" in str(result), result


def test_a_sandboxed_tool_is_not_added_while_the_server_runs() -> None:
    server = MCPServer("running")

    @server.tool()
    def plain() -> int:
        return 1

    with MCPClient.connect_in_memory(server) as client:
        assert client.call_tool("plain").data == 1
        with pytest.raises(RuntimeError, match="before reaching run"):
            server.add_tool(lambda: 2, name="late", sandbox=True)
        assert [tool.name for tool in client.list_tools()] == ["plain"]


def test_run_async_in_a_worker_serves_async_sandboxed_tools(tmp_path: Path) -> None:
    served = script(
        tmp_path,
        """
        import asyncio
        import os

        from boltmcp import MCPServer

        server = MCPServer("async")

        @server.tool(sandbox=True)
        async def where() -> int:
            await asyncio.sleep(0)
            return os.getpid()

        @server.tool()
        def here() -> int:
            return os.getpid()

        asyncio.run(server.run_async())
        """,
    )
    with MCPClient.connect_stdio(sys.executable, [str(served)], timeout=30) as client:
        where = client.call_tool("where")
        assert not where.is_error, where
        assert where.data != client.call_tool("here").data
