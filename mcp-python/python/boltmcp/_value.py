"""`Value`: the base of the package's small value classes (content blocks, a
question's answer, ...). Equality and `repr` come from `__slots__`.

These are plain classes rather than dataclasses because a dataclass costs about half
a millisecond to create, and a server creates them all at start: a dozen of them
were a tenth of the time from start to the first answer.
"""

from __future__ import annotations

from typing import Any, cast


class Value:
    """Equality and `repr` from the subclass's `__slots__`, in order."""

    __slots__ = ()

    def _names(self) -> tuple[str, ...]:
        return cast("tuple[str, ...]", self.__slots__)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._names())

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Value)
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # equal by value, and some hold dicts

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names())
        return f"{type(self).__name__}({fields})"
