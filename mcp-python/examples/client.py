"""The client flow: start the Python calculator, call `add`, print the sum.

    python mcp-python/examples/client.py                   # the calculator next to this file
    python mcp-python/examples/client.py -- CMD ARG...     # any stdio server
    python mcp-python/examples/client.py --http URL        # a Streamable HTTP server
"""

from __future__ import annotations

import sys
from pathlib import Path

from boltmcp import MCPClient


def main() -> None:
    client = MCPClient()
    if sys.argv[1:2] == ["--http"] and len(sys.argv) == 3:
        client.connect_http(sys.argv[2])
    elif sys.argv[1:2] == ["--"] and len(sys.argv) > 2:
        client.connect_stdio(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 1:
        client.connect_stdio(sys.executable, [str(Path(__file__).with_name("calculator.py"))])
    else:
        sys.exit(__doc__)
    with client:
        print(f"connected to {client.server_info.get('name')} ({client.era})")
        print("tools:", ", ".join(tool.name for tool in client.list_tools()))
        result = client.call_tool("add", {"a": 5, "b": 3})
        print(result)


if __name__ == "__main__":
    main()
