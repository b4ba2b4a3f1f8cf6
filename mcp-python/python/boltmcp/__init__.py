"""boltmcp for Python: Model Context Protocol servers written as decorated Python
functions, served by boltmcp's Rust runtime (both protocol eras, stdio and
Streamable HTTP).

    from boltmcp import MCPServer

    server = MCPServer(name="calc", version="1.0")

    @server.tool()
    def add(a: float, b: float) -> float:
        \"\"\"Add two numbers.\"\"\"
        return a + b

    server.run()
"""

import atexit
from typing import TYPE_CHECKING, Any

from . import _native
from ._content import (
    Audio,
    AudioContent,
    ContentBlock,
    EmbeddedResource,
    Image,
    ImageContent,
    ResourceLink,
    TextContent,
)
from ._context import Ask, Context, Elicited, Principal, Question, ResourceContents, Root, Sampled
from ._errors import InputRequired, MCPError, ToolError
from ._schema import Field
from ._security import dev_token
from ._server import MCPServer

# A handler thread must not take the GIL back from an interpreter that is finalizing.
atexit.register(_native.close_handler_threads)

if TYPE_CHECKING:
    from ._client import AsyncMCPClient, ClientOptions, Connecting, MCPClient
    from ._results import (
        Prompt,
        PromptArgument,
        PromptMessage,
        PromptResult,
        Resource,
        SamplingRequest,
        Tool,
        ToolResult,
    )

# The client's half is imported on first use: a server never pays for it at start.
_LAZY = dict.fromkeys(("AsyncMCPClient", "ClientOptions", "Connecting", "MCPClient"), "_client") | dict.fromkeys(
    ("Prompt", "PromptArgument", "PromptMessage", "PromptResult", "Resource", "SamplingRequest", "Tool", "ToolResult"),
    "_results",
)


def __getattr__(name: str) -> Any:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'boltmcp' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"boltmcp.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Ask",
    "AsyncMCPClient",
    "Audio",
    "AudioContent",
    "ClientOptions",
    "Connecting",
    "ContentBlock",
    "Context",
    "Elicited",
    "EmbeddedResource",
    "Field",
    "Image",
    "ImageContent",
    "InputRequired",
    "MCPClient",
    "MCPError",
    "MCPServer",
    "Principal",
    "Prompt",
    "PromptArgument",
    "PromptMessage",
    "PromptResult",
    "Question",
    "Resource",
    "ResourceContents",
    "ResourceLink",
    "Root",
    "Sampled",
    "SamplingRequest",
    "TextContent",
    "Tool",
    "ToolError",
    "ToolResult",
    "dev_token",
]
