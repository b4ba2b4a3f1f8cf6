"""Resources and prompts in Python: a fixed resource, a resource template whose
variables are the function's parameters, a prompt, a tool that reports progress and
logs through its `Context`, and one that asks the user to confirm (elicitation, in
either protocol era), on stdio.

    python mcp-python/examples/notes.py
"""

import dataclasses

from boltmcp import Context, MCPServer, ToolError

server = MCPServer(name="notes", version="1.0.0")

NOTES = {1: "Buy milk", 2: "Write the report"}


@server.resource("notes://index", mime_type="application/json")
def index() -> list[int]:
    """The ids of every note."""
    return sorted(NOTES)


@server.resource("notes://{id}")
def note(id: int) -> str:
    """One note's text."""
    if id not in NOTES:
        raise ToolError(f"no note {id}")
    return NOTES[id]


@server.tool()
def count_words(ctx: Context, id: int) -> int:
    """Counts a note's words, reporting progress and logging what it does.

    Args:
        id: The note.
    """
    if id not in NOTES:
        raise ToolError(f"no note {id}")
    ctx.progress(0, 1, "counting")
    ctx.info(f"counting the words of note {id}")
    words = len(NOTES[id].split())
    ctx.progress(1, 1, "done")
    return words


@dataclasses.dataclass
class Confirmation:
    """Whether to go ahead."""

    confirm: bool


@server.tool()
def delete_note(ctx: Context, id: int) -> str:
    """Deletes a note once the user confirms.

    Args:
        id: The note.
    """
    if id not in NOTES:
        raise ToolError(f"no note {id}")
    answer = ctx.elicit(f"Delete note {id} ({NOTES[id]!r})?", Confirmation)
    if not answer.accepted or answer.data is None or not answer.data.confirm:
        return f"kept note {id}"
    del NOTES[id]
    server.notify_resource_updated("notes://index")
    return f"deleted note {id}"


@server.prompt()
def review(text: str, tone: str = "kind") -> str:
    """Asks for a review of a text.

    Args:
        text: What to review.
        tone: How to say it.
    """
    return f"Review this, in a {tone} tone:\n\n{text}"


if __name__ == "__main__":
    server.run()
