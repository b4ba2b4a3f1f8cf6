"""`Context`: what a handler can do within its request. A tool receives it by
declaring a parameter annotated `Context` (under any name); that parameter is not
part of the tool's input schema."""

from __future__ import annotations

import json
from typing import Any

from ._native import NativeContext

LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")


class Context:
    """The request's context: progress reports, log messages, cancellation."""

    __slots__ = ("_native",)

    def __init__(self, native: NativeContext) -> None:
        self._native = native

    def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        """Reports progress, when the client asked for it; values must grow."""
        self._native.progress(float(progress), None if total is None else float(total), message)

    def log(self, level: str, data: Any, logger: str | None = None) -> None:
        """Sends a log message (any JSON data) at `level`, if the client asked to
        hear that level: one of debug, info, notice, warning, error, critical,
        alert, emergency."""
        if level not in LEVELS:
            raise ValueError(f"{level!r} is not a log level: one of {', '.join(LEVELS)}")
        self._native.log(level, json.dumps(data), logger)

    def debug(self, message: str) -> None:
        """Logs at debug."""
        self.log("debug", message)

    def info(self, message: str) -> None:
        """Logs at info."""
        self.log("info", message)

    def warning(self, message: str) -> None:
        """Logs at warning."""
        self.log("warning", message)

    def error(self, message: str) -> None:
        """Logs at error."""
        self.log("error", message)

    @property
    def cancelled(self) -> bool:
        """Whether the client cancelled the request (a long handler can stop early)."""
        return self._native.is_cancelled()
