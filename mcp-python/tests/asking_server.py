"""A server whose tools ask the client (elicitation, sampling, roots), read the
server's own resources, and return content blocks: driven by `test_context.py`."""

from __future__ import annotations

import dataclasses
import struct
import sys
import zlib
from typing import Literal, Optional

from boltmcp import Audio, Context, EmbeddedResource, ImageContent, MCPServer, ResourceLink, TextContent, ToolError

server = MCPServer(name="asking", version="1.0")


@dataclasses.dataclass
class Booking:
    """A table booking."""

    name: str
    guests: int
    seating: Literal["inside", "outside"] = "inside"
    note: Optional[str] = None


@server.tool()
def book(ctx: Context) -> str:
    """Books a table, asking the user for the details."""
    answer = ctx.elicit("Who is coming?", Booking)
    if not answer.accepted or answer.data is None:
        return f"no booking ({answer.action})"
    booking = answer.data
    assert isinstance(booking, Booking)
    return f"{booking.name} x{booking.guests} {booking.seating} note={booking.note}"


@server.tool()
def confirm(ctx: Context) -> str:
    """Asks twice, with a form written by hand the second time."""
    first = ctx.elicit("Name?", {"type": "object", "properties": {"name": {"type": "string"}}})
    second = ctx.elicit("Sure?", {"type": "object", "properties": {"sure": {"type": "boolean"}}})
    return f"{first.data} {second.data}"


@server.tool()
def summarize(text: str, ctx: Context) -> str:
    """Asks the client's model for a summary."""
    sampled = ctx.sample(f"Summarize: {text}", system_prompt="Be brief.", max_tokens=50)
    return f"{sampled.model}: {sampled.text}"


@server.tool()
async def summarize_async(text: str, ctx: Context) -> str:
    """The same, from an async tool."""
    sampled = await ctx.asample(f"Summarize: {text}", max_tokens=50)
    return f"{sampled.model}: {sampled.text}"


@server.tool()
def where(ctx: Context) -> list[str]:
    """The client's roots."""
    return [f"{root.name}={root.uri}" for root in ctx.roots()]


@server.tool()
def swallow(ctx: Context) -> str:
    """Asks inside a broad `except Exception`, which must not swallow the question."""
    try:
        return str(ctx.elicit("Name?", {"type": "object", "properties": {"name": {"type": "string"}}}).data)
    except Exception as err:  # noqa: BLE001 (the point of the test)
        raise ToolError(f"swallowed {type(err).__name__}") from err


@server.resource("notes://{topic}", mime_type="text/plain")
def note(topic: str) -> str:
    """A note on a topic."""
    return f"all about {topic}"


@server.resource("data://logo", mime_type="image/png")
def logo() -> bytes:
    """The logo."""
    return _png()


@server.tool()
def quote(topic: str, ctx: Context) -> str:
    """Reads one of the server's own resources."""
    (contents,) = ctx.read_resource(f"notes://{topic}")
    (logo_contents,) = ctx.read_resource("data://logo")
    assert logo_contents.blob == _png()
    return f"{contents.mime_type}: {contents.text}"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


@server.tool()
def picture() -> bytes:
    """A one-pixel PNG, as bytes."""
    return _png()


@server.tool()
def blocks() -> list[TextContent | ImageContent | EmbeddedResource | ResourceLink]:
    """Several kinds of content at once."""
    return [
        TextContent("a picture:"),
        ImageContent(_png(), "image/png"),
        EmbeddedResource("notes://x", text="x", mime_type="text/plain"),
        ResourceLink("notes://y", "y"),
    ]


@server.tool()
def beep() -> object:
    """A sound."""
    return Audio(b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav")


@server.tool()
def unknown_bytes() -> bytes:
    """Bytes of no known kind."""
    return b"\x00\x01"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        server.run("http", port=int(sys.argv[2]))
    else:
        server.run()
