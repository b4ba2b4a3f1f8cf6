"""The calculator, in Python: four tools served by boltmcp's Rust runtime, on stdio or
(with `--http ADDR`) over Streamable HTTP at `http://ADDR/mcp`.

    python mcp-python/examples/calculator.py
    python mcp-python/examples/calculator.py --http 127.0.0.1:8000
"""

import sys

from boltmcp import MCPServer, ToolError

server = MCPServer(name="calculator", version="1.0.0")


@server.tool()
def add(a: float, b: float) -> float:
    """Adds two numbers.

    Args:
        a: The first addend.
        b: The second addend.
    """
    return a + b


@server.tool()
def subtract(a: float, b: float) -> float:
    """Subtracts `b` from `a`."""
    return a - b


@server.tool()
def multiply(a: float, b: float) -> float:
    """Multiplies two numbers."""
    return a * b


@server.tool()
def divide(a: float, b: float) -> float:
    """Divides `a` by `b`."""
    if b == 0:
        raise ToolError("division by zero")
    return a / b


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        host, _, port = sys.argv[2].rpartition(":")
        server.run(transport="http", host=host, port=int(port))
    elif len(sys.argv) == 1:
        server.run()
    else:
        sys.exit("usage: calculator.py [--http HOST:PORT]")
