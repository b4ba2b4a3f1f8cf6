"""The exceptions a handler raises, or that end it."""

from __future__ import annotations


class ToolError(Exception):
    """Raise it from a tool to answer with an `isError` result carrying exactly its
    message (any other exception's message is prefixed with its type's name)."""


class InputRequired(BaseException):
    """Ends a handler whose question (elicitation, sampling, roots) the client answers
    on the call's retry (2026-07-28): the call is answered with an
    `InputRequiredResult`, and the retried call runs the handler again, this time with
    the answer. It is not an `Exception`, so an `except Exception:` in a handler lets
    it through; a handler must not swallow it."""


class MCPError(Exception):
    """A request the server refused or that could not complete: `code` and `data`
    are the JSON-RPC error's (when there was one), `status` the HTTP status (when the
    server answered over HTTP with one other than 2xx), `retry_after` the seconds a
    rate-limited caller should wait."""

    def __init__(
        self,
        message: str,
        code: int | None = None,
        data: object = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.data = data
        self.status = status
        self.retry_after = retry_after
