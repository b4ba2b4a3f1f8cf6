"""A decorated function is read without `inspect`, and reads as `inspect` reads it."""

from __future__ import annotations

import functools
import inspect
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from boltmcp import _docstring, _signature

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def plain(a: int, b: float = 1.5) -> float:
    total = a + b  # a local: `co_varnames` lists it after the parameters
    return total


def every_kind(p, /, q, r=2, *rest, k, m=3, **extra):  # type: ignore[no-untyped-def]
    inner = (p, q, r, rest, k, m, extra)
    return inner


def keyword_only_without_varargs(a, *, b, c=None):  # type: ignore[no-untyped-def]
    return a, b, c


def captured(a: int, b: int) -> Callable[[], int]:
    # `a` is a cell variable: the closure below keeps it.
    return lambda: a + b


async def coroutine(x: int, *, y: int = 0) -> int:
    return x + y


async def async_generator(n: int) -> Any:
    yield n


def decorated(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


class Adder:
    def method(self, a: int, b: int = 0) -> int:
        return a + b

    def __call__(self, x: str) -> str:
        return x


def marked(a: int) -> int:
    return a


if sys.version_info >= (3, 12):
    inspect.markcoroutinefunction(marked)

CALLABLES: dict[str, Callable[..., Any]] = {
    "plain": plain,
    "every_kind": every_kind,
    "keyword_only_without_varargs": keyword_only_without_varargs,
    "captured": captured,
    "lambda": lambda x, y=None: x,
    "coroutine": coroutine,
    "async_generator": async_generator,
    "wrapped": decorated(plain),
    "wrapped_coroutine": decorated(coroutine),
    "partial": functools.partial(every_kind, 1, 2),
    "bound_method": Adder().method,
    "callable_object": Adder(),
    "marked": marked,
}


@pytest.mark.parametrize("name", CALLABLES)
def test_parameters_match_inspect(name: str) -> None:
    fn = CALLABLES[name]
    expected = [
        (p.name, int(p.kind), _signature.EMPTY if p.default is p.empty else p.default)
        for p in inspect.signature(fn).parameters.values()
    ]
    assert [(p.name, p.kind, p.default) for p in _signature.parameters(fn)] == expected
    assert _signature.is_async(fn) is inspect.iscoroutinefunction(fn)


def test_the_kinds_are_numbered_as_inspect_numbers_them() -> None:
    assert [_signature.POSITIONAL_ONLY, _signature.POSITIONAL_OR_KEYWORD, _signature.VAR_POSITIONAL] == [
        int(inspect.Parameter.POSITIONAL_ONLY),
        int(inspect.Parameter.POSITIONAL_OR_KEYWORD),
        int(inspect.Parameter.VAR_POSITIONAL),
    ]
    assert [_signature.KEYWORD_ONLY, _signature.VAR_KEYWORD] == [
        int(inspect.Parameter.KEYWORD_ONLY),
        int(inspect.Parameter.VAR_KEYWORD),
    ]


DOCSTRINGS = [
    "One line.",
    "  Leading spaces.\n\n    Indented body.\n      Deeper.\n    ",
    "\n    Starts on the second line.\n\n    Args:\n        a: The first.\n",
    "Tabs.\n\tIndented by a tab.\n\t\tTwo.",
    "Uneven.\n      six\n  two\n\n",
    "\n\n   \n",
]


@pytest.mark.parametrize("doc", DOCSTRINGS)
def test_docstrings_are_cleaned_as_inspect_cleans_them(doc: str) -> None:
    expected = inspect.cleandoc(doc).splitlines()
    while expected and not expected[-1].strip():
        expected.pop()
    assert _docstring._clean(doc) == expected


def test_a_server_starts_without_importing_inspect_or_dataclasses() -> None:
    """Importing them is a fifth of a start on a slow machine; the calculator needs neither."""
    probe = (
        "import sys\n"
        "before = {'inspect', 'dataclasses'} & set(sys.modules)\n"
        f"sys.path.insert(0, {str(EXAMPLES)!r})\n"
        "import calculator\n"
        "assert calculator.server._tools['add'].description['inputSchema']['required'] == ['a', 'b']\n"
        "print(sorted(({'inspect', 'dataclasses'} & set(sys.modules)) - before))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
