"""A small fastmcp (PyPI) server for the client interop tests: tools, a resource, a
resource template and a prompt, served on stdio."""

from fastmcp import FastMCP

mcp = FastMCP("fastmcp-fixture")


@mcp.tool
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@mcp.tool
def shout(text: str) -> str:
    """Upper-cases the text."""
    return text.upper()


@mcp.resource("data://greeting")
def greeting() -> str:
    """A fixed greeting."""
    return "hello from fastmcp"


@mcp.resource("data://items/{item_id}")
def item(item_id: str) -> str:
    """One item by id."""
    return f"item {item_id}"


@mcp.prompt
def summarize(topic: str) -> str:
    """Asks for a summary of a topic."""
    return f"Summarize {topic} in one sentence."


if __name__ == "__main__":
    mcp.run(show_banner=False)
