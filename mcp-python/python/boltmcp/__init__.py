"""boltmcp for Python: Model Context Protocol servers written as decorated Python
functions, served by boltmcp's Rust runtime (both protocol eras, stdio).

    from boltmcp import MCPServer

    server = MCPServer(name="calc", version="1.0")

    @server.tool()
    def add(a: float, b: float) -> float:
        \"\"\"Add two numbers.\"\"\"
        return a + b

    server.run()
"""

from ._context import Context
from ._schema import Field
from ._server import MCPServer, ToolError

__all__ = ["Context", "Field", "MCPServer", "ToolError"]
