"""A decorated function's parameters and whether it is `async def`, read without
importing `inspect`.

`inspect` brings `ast`, `dis` and `tokenize` with it, which on a slow machine is about
a fifth of a server's start. Nearly every decorated function is a plain function with
nothing attached, and its code object says all `inspect.signature` would. Anything
else (a `functools.partial`, a function that `functools.wraps` another, a bound
method, a callable object, a builtin, or a function carrying any attribute at all)
goes through `inspect` as before, so the two cannot disagree on what they share.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

# The kinds, numbered as `inspect.Parameter.kind` numbers them.
POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD = range(5)

# Code flags (the `inspect.CO_*` constants).
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08
_CO_COROUTINE = 0x80


class _Empty:
    """The default of a parameter without one."""

    def __repr__(self) -> str:
        return "<empty>"


EMPTY: Any = _Empty()


class Parameter:
    """One parameter: its name, its kind (`POSITIONAL_ONLY` ... `VAR_KEYWORD`), and its
    default (`EMPTY` when it has none)."""

    __slots__ = ("default", "kind", "name")

    def __init__(self, name: str, kind: int, default: Any) -> None:
        self.name = name
        self.kind = kind
        self.default = default

    @property
    def is_variadic(self) -> bool:
        return self.kind in (VAR_POSITIONAL, VAR_KEYWORD)

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, kind={self.kind}, default={self.default!r})"


def _is_plain(fn: Callable[..., Any]) -> bool:
    # `functools.wraps` sets `__wrapped__`, `inspect.markcoroutinefunction` a marker,
    # and a hand-set `__signature__` overrides the code: each lives in `__dict__`.
    return type(fn) is types.FunctionType and not fn.__dict__


def parameters(fn: Callable[..., Any]) -> list[Parameter]:
    """`fn`'s parameters in `inspect.signature` order."""
    if not _is_plain(fn):
        import inspect

        return [
            Parameter(p.name, int(p.kind), EMPTY if p.default is p.empty else p.default)
            for p in inspect.signature(fn).parameters.values()
        ]
    code = fn.__code__
    names = code.co_varnames
    positional = code.co_argcount
    keyword_only = code.co_kwonlyargcount
    defaults = fn.__defaults__ or ()
    keyword_defaults = fn.__kwdefaults__ or {}
    first_default = positional - len(defaults)
    found = [
        Parameter(
            names[i],
            POSITIONAL_ONLY if i < code.co_posonlyargcount else POSITIONAL_OR_KEYWORD,
            defaults[i - first_default] if i >= first_default else EMPTY,
        )
        for i in range(positional)
    ]
    extra = positional + keyword_only
    if code.co_flags & _CO_VARARGS:
        found.append(Parameter(names[extra], VAR_POSITIONAL, EMPTY))
        extra += 1
    found.extend(
        Parameter(name, KEYWORD_ONLY, keyword_defaults.get(name, EMPTY)) for name in names[positional : positional + keyword_only]
    )
    if code.co_flags & _CO_VARKEYWORDS:
        found.append(Parameter(names[extra], VAR_KEYWORD, EMPTY))
    return found


def is_async(fn: Callable[..., Any]) -> bool:
    """Whether calling `fn` makes a coroutine (`inspect.iscoroutinefunction`)."""
    if _is_plain(fn):
        return bool(fn.__code__.co_flags & _CO_COROUTINE)
    import inspect

    return inspect.iscoroutinefunction(fn)
