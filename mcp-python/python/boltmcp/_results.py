"""What `MCPClient` returns: tools, resources, prompts and their results, read from
the protocol's JSON into plain dataclasses."""

from __future__ import annotations

import dataclasses
from typing import Any

from . import _content
from ._content import ContentBlock, TextContent
from ._context import ResourceContents, contents_from_json


@dataclasses.dataclass(frozen=True)
class ToolResult:
    """A tool's answer. `data` is the structured value (a tool returning `8` gives
    `8`, unwrapped from the `{"result": ...}` a non-object is carried in); `str()`
    shows it, or the text, or the error's message."""

    content: list[ContentBlock]
    structured_content: dict[str, Any] | None
    is_error: bool

    @property
    def data(self) -> Any:
        """The structured value; without one, the text of a single text block."""
        structured = self.structured_content
        if structured is not None:
            if set(structured) == {"result"}:
                return structured["result"]
            return structured
        if len(self.content) == 1 and isinstance(self.content[0], TextContent) and not self.is_error:
            return self.content[0].text
        return None

    @property
    def text(self) -> str:
        """The text blocks, joined by newlines."""
        return "\n".join(block.text for block in self.content if isinstance(block, TextContent))

    def __str__(self) -> str:
        data = self.data
        return self.text if data is None or self.is_error else str(data)

    @classmethod
    def from_json(cls, result: dict[str, Any]) -> ToolResult:
        structured = result.get("structuredContent")
        return cls(
            [_content.from_json(block) for block in result.get("content", [])],
            structured if isinstance(structured, dict) else None,
            bool(result.get("isError")),
        )


@dataclasses.dataclass(frozen=True)
class Tool:
    """A tool the server offers."""

    name: str
    description: str | None
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None = None
    title: str | None = None
    annotations: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, tool: dict[str, Any]) -> Tool:
        return cls(
            tool["name"],
            tool.get("description"),
            tool.get("inputSchema", {}),
            tool.get("outputSchema"),
            tool.get("title"),
            tool.get("annotations"),
        )


@dataclasses.dataclass(frozen=True)
class Resource:
    """A resource the server offers (`uri`), or a template of them (`uri_template`)."""

    name: str
    uri: str | None = None
    uri_template: str | None = None
    description: str | None = None
    mime_type: str | None = None
    title: str | None = None

    @classmethod
    def from_json(cls, resource: dict[str, Any]) -> Resource:
        return cls(
            resource.get("name", ""),
            resource.get("uri"),
            resource.get("uriTemplate"),
            resource.get("description"),
            resource.get("mimeType"),
            resource.get("title"),
        )


@dataclasses.dataclass(frozen=True)
class PromptArgument:
    """One argument of a prompt."""

    name: str
    required: bool = False
    description: str | None = None


@dataclasses.dataclass(frozen=True)
class Prompt:
    """A prompt the server offers."""

    name: str
    arguments: list[PromptArgument]
    description: str | None = None
    title: str | None = None

    @classmethod
    def from_json(cls, prompt: dict[str, Any]) -> Prompt:
        arguments = [
            PromptArgument(a["name"], bool(a.get("required")), a.get("description")) for a in prompt.get("arguments") or []
        ]
        return cls(prompt["name"], arguments, prompt.get("description"), prompt.get("title"))


@dataclasses.dataclass(frozen=True)
class PromptMessage:
    """One message of a prompt: `user` or `assistant`, and its content."""

    role: str
    content: ContentBlock


@dataclasses.dataclass(frozen=True)
class PromptResult:
    """A prompt with its arguments filled in."""

    messages: list[PromptMessage]
    description: str | None = None

    @classmethod
    def from_json(cls, result: dict[str, Any]) -> PromptResult:
        messages = [PromptMessage(m.get("role", "user"), _content.from_json(m.get("content", {}))) for m in result.get("messages", [])]
        return cls(messages, result.get("description"))


@dataclasses.dataclass(frozen=True)
class SamplingRequest:
    """What the server asks the client's model (`on_sample` gets it): the messages as
    `(role, content)` pairs, and the request's other parameters (`params`, raw)."""

    messages: list[tuple[str, ContentBlock]]
    system_prompt: str | None
    max_tokens: int
    params: dict[str, Any]

    @classmethod
    def from_json(cls, params: dict[str, Any]) -> SamplingRequest:
        messages = []
        for message in params.get("messages", []):
            content = message.get("content", {})
            first = content[0] if isinstance(content, list) and content else content
            messages.append((str(message.get("role", "user")), _content.from_json(first if isinstance(first, dict) else {})))
        return cls(messages, params.get("systemPrompt"), int(params.get("maxTokens", 0)), params)


def read_contents(result: dict[str, Any]) -> list[ResourceContents]:
    """A `resources/read` result's contents."""
    return contents_from_json(result.get("contents", []))
