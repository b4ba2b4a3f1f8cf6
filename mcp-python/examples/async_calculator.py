"""The calculator with `async def` tools: they run on the package's event loop (or
the caller's, with `await server.run_async()`), never holding a handler thread.

    python mcp-python/examples/async_calculator.py
    python mcp-python/examples/async_calculator.py --http 127.0.0.1:8000
"""

import asyncio
import sys

from boltmcp import MCPServer, ToolError

server = MCPServer(name="async-calculator", version="1.0.0")


@server.tool()
async def add(a: float, b: float) -> float:
    """Adds two numbers.

    Args:
        a: The first addend.
        b: The second addend.
    """
    return a + b


@server.tool()
async def subtract(a: float, b: float) -> float:
    """Subtracts `b` from `a`."""
    return a - b


@server.tool()
async def multiply(a: float, b: float) -> float:
    """Multiplies two numbers."""
    return a * b


@server.tool()
async def divide(a: float, b: float) -> float:
    """Divides `a` by `b`."""
    if b == 0:
        raise ToolError("division by zero")
    await asyncio.sleep(0)
    return a / b


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        host, _, port = sys.argv[2].rpartition(":")
        server.run(transport="http", host=host, port=int(port))
    elif len(sys.argv) == 1:
        server.run()
    else:
        sys.exit("usage: async_calculator.py [--http HOST:PORT]")
