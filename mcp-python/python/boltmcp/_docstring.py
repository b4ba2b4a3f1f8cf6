"""A docstring split into the description of the function and of its parameters.

Google style (`Args:` / `Arguments:` / `Parameters:` followed by `name: text` or
`name (type): text` lines) and NumPy style (a `Parameters` heading underlined with
dashes, then `name : type` lines with the text indented below) are understood; the
rest of the docstring is the description.
"""

from __future__ import annotations

import re

_GOOGLE_HEADINGS = {"args:", "arguments:", "parameters:", "params:"}
_GOOGLE_ENTRY = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ENTRY = re.compile(r"^(\w+)\s*(?::.*)?$")
_SECTION = re.compile(r"^[A-Z][A-Za-z ]*:$")


def parse(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """The description, and each parameter's text by name."""
    if not doc:
        return None, {}
    lines = _clean(doc)
    kept: list[str] = []
    params: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.lower() in _GOOGLE_HEADINGS:
            i = _google_section(lines, i + 1, params)
            continue
        if stripped == "Parameters" and i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
            i = _numpy_section(lines, i + 2, params)
            continue
        kept.append(line)
        i += 1
    description = "\n".join(kept).strip() or None
    return description, params


def _clean(doc: str) -> list[str]:
    """The docstring's lines as `inspect.cleandoc` leaves them (without importing
    `inspect`, which a server's start would pay for): tabs expanded, the first line
    stripped, the common indentation of the others removed, and blank lines dropped
    from both ends."""
    lines = doc.expandtabs().splitlines()
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()), default=0)
    lines = [lines[0].lstrip(), *(line[margin:] for line in lines[1:])]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def _google_section(lines: list[str], i: int, params: dict[str, str]) -> int:
    current: str | None = None
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            if i < len(lines) and lines[i] and not lines[i][0].isspace():
                return i
            continue
        if not line[0].isspace() and _SECTION.match(line.strip()):
            return i
        match = _GOOGLE_ENTRY.match(line.strip())
        indent = len(line) - len(line.lstrip())
        if match and (current is None or indent <= _indent_of(lines, i, current)):
            current = match.group(1).lstrip("*")
            params[current] = match.group(2).strip()
        elif current is not None:
            params[current] = (params[current] + " " + line.strip()).strip()
        i += 1
    return i


def _indent_of(lines: list[str], i: int, name: str) -> int:
    for line in reversed(lines[:i]):
        if line.strip().lstrip("*").startswith(name):
            return len(line) - len(line.lstrip())
    return 0


def _numpy_section(lines: list[str], i: int, params: dict[str, str]) -> int:
    current: str | None = None
    while i < len(lines):
        line = lines[i]
        if line.strip() and not line[0].isspace():
            if i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
                return i
            match = _NUMPY_ENTRY.match(line.strip())
            if match:
                current = match.group(1)
                params[current] = ""
        elif line.strip() and current is not None:
            params[current] = (params[current] + " " + line.strip()).strip()
        i += 1
    return i
