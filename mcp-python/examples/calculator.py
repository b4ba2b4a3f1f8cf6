"""The calculator, in Python: four tools on stdio, served by boltmcp's Rust runtime.

    python mcp-python/examples/calculator.py
"""

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
    server.run()
