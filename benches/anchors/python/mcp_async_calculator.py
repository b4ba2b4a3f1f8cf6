"""The anchor for async tools: the calculator's `add` as an `async def` on the
official Python SDK's `MCPServer` (`mcp` from PyPI), on stdio."""

from mcp.server import MCPServer

server = MCPServer("calculator")


@server.tool()
async def add(a: float, b: float) -> float:
    """Adds two numbers."""
    return a + b


if __name__ == "__main__":
    server.run()
