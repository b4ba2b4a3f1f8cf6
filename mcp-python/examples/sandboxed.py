"""Sandboxed Python tools: `fib`, `allocate`, `inspect`, `read_file`, `connect`,
`spawn` and `slow_square` run in warm, confined worker processes (this script
started again); `add` runs in the server's own process beside them. Every way a
sandboxed call can fail (its wall clock, its CPU, its memory, a forbidden system
call, a crash) comes back as an `isError` result naming the cause, and a fresh
worker takes the dead one's place.

What the tools use is imported at the top: a worker confines itself before it
serves, and may not be allowed to read the interpreter's files after that.

    python sandboxed.py                       # stdio
    python sandboxed.py --http 127.0.0.1:8000 # Streamable HTTP
"""

import asyncio
import os
import socket
import sys
import time

from boltmcp import Context, MCPServer

server = MCPServer(
    name="sandboxed-python",
    version="1.0",
    security={"sandbox": {"cpu_time": 2, "wall_clock": 5, "memory": 512 * 2**20, "workers": 2}},
)


@server.tool()
def add(a: float, b: float) -> float:
    """Adds two numbers, in the server's own process."""
    return a + b


@server.tool(sandbox=True)
def fib(n: int, ctx: Context) -> int:
    """The `n`th Fibonacci number, the slow way, in a sandbox: a large `n` burns CPU
    until the sandbox stops it. Reports its progress."""

    def slow(k: int) -> int:
        return k if k < 2 else slow(k - 1) + slow(k - 2)

    ctx.progress(0, 1, f"fib({n})")
    value = slow(n)
    ctx.progress(1, 1, "done")
    return value


@server.tool(sandbox=True)
def allocate(mib: int) -> int:
    """Allocates `mib` MiB and touches every page, in a sandbox: past its memory
    limit the allocation fails."""
    block = bytearray(mib * 2**20)
    for page in range(0, len(block), 4096):
        block[page] = 1
    return len(block) // 2**20


@server.tool(sandbox=True)
def inspect() -> dict[str, int]:
    """Who the sandboxed worker is: its process id, user id and parent."""
    return {"pid": os.getpid(), "uid": os.getuid(), "ppid": os.getppid()}


@server.tool(sandbox=True)
def read_file(path: str) -> str:
    """Reads a file from inside the sandbox (which sees little of the filesystem)."""
    with open(path) as file:
        return file.read(4096)


@server.tool(sandbox=True)
def write_file(path: str, text: str) -> int:
    """Writes a file from inside the sandbox (its scratch directory only)."""
    with open(path, "w") as file:
        return file.write(text)


@server.tool(sandbox=True)
def connect(host: str, port: int) -> str:
    """Opens a TCP connection from inside the sandbox (which has no network)."""
    with socket.create_connection((host, port), timeout=2):
        return "connected"


@server.tool(sandbox=True)
def spawn() -> int:
    """Forks from inside the sandbox (which may not create processes)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return pid


@server.tool(sandbox=True)
def sleep(seconds: float) -> str:
    """Sleeps in the sandbox: past the wall-clock limit the worker is killed."""
    time.sleep(seconds)
    return "awake"


@server.tool(sandbox=True)
async def slow_square(x: float, ctx: Context) -> float:
    """Squares `x` after a pause, as an `async def` in the sandbox."""
    await asyncio.sleep(0.01)
    ctx.log("info", f"squaring {x} in process {os.getpid()}")
    return x * x


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        host, _, port = sys.argv[2].rpartition(":")
        server.run(transport="http", host=host, port=int(port))
    elif len(sys.argv) == 1:
        server.run()
    else:
        sys.exit("usage: sandboxed.py [--http HOST:PORT]")
