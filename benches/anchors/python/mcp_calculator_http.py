"""The HTTP anchor: the calculator's `add` on the official Python SDK's `MCPServer`
(`mcp` from PyPI), served by its own Streamable HTTP app on uvicorn, stateless with
JSON answers (its fastest configuration), on 127.0.0.1.

    python mcp_calculator_http.py PORT
"""

import sys

import uvicorn
from mcp.server import MCPServer

server = MCPServer("calculator")


@server.tool()
def add(a: float, b: float) -> float:
    """Adds two numbers."""
    return a + b


if __name__ == "__main__":
    app = server.streamable_http_app(stateless_http=True, json_response=True)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
