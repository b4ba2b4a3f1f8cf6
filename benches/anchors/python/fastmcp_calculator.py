"""The anchor: the calculator's `add` on fastmcp (PyPI, the version pinned in
tests/interop/requirements.txt), on stdio."""

from fastmcp import FastMCP

server = FastMCP("calculator")


@server.tool()
def add(a: float, b: float) -> float:
    """Adds two numbers."""
    return a + b


if __name__ == "__main__":
    server.run(show_banner=False)
