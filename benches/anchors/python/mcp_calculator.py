"""The anchor: the calculator's `add` on the official Python SDK's `MCPServer`
(`mcp` from PyPI, the version pinned in tests/interop/requirements.txt), on stdio."""

from mcp.server import MCPServer

server = MCPServer("calculator")


@server.tool()
def add(a: float, b: float) -> float:
    """Adds two numbers."""
    return a + b


if __name__ == "__main__":
    server.run()
