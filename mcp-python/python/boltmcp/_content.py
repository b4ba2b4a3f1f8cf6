"""Content blocks: what a tool may return besides plain data, and what prompts and
sampling messages carry. Each turns into the protocol's JSON with `to_json()`.

A tool that returns `bytes` gets an image or audio block when the bytes' signature
names the format (PNG, JPEG, GIF, WebP, WAV, MP3, Ogg, FLAC); other bytes are
refused. `Image(data, "image/svg+xml")` and `Audio(...)` say the type explicitly.
"""

from __future__ import annotations

import base64
from typing import Any, Union

from ._value import Value


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class TextContent(Value):
    """A text block."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def to_json(self) -> dict[str, Any]:
        """The protocol's JSON for it."""
        return {"type": "text", "text": self.text}


class ImageContent(Value):
    """An image: its bytes and MIME type (`image/png`)."""

    __slots__ = ("data", "mime_type")

    def __init__(self, data: bytes, mime_type: str = "image/png") -> None:
        self.data = data
        self.mime_type = mime_type

    def to_json(self) -> dict[str, Any]:
        """The protocol's JSON for it."""
        return {"type": "image", "data": _b64(self.data), "mimeType": self.mime_type}


class AudioContent(Value):
    """A sound: its bytes and MIME type (`audio/wav`)."""

    __slots__ = ("data", "mime_type")

    def __init__(self, data: bytes, mime_type: str = "audio/wav") -> None:
        self.data = data
        self.mime_type = mime_type

    def to_json(self) -> dict[str, Any]:
        """The protocol's JSON for it."""
        return {"type": "audio", "data": _b64(self.data), "mimeType": self.mime_type}


class EmbeddedResource(Value):
    """A resource's contents carried in the result: `text`, or `blob` bytes."""

    __slots__ = ("uri", "text", "blob", "mime_type")

    def __init__(self, uri: str, text: str | None = None, blob: bytes | None = None, mime_type: str | None = None) -> None:
        self.uri = uri
        self.text = text
        self.blob = blob
        self.mime_type = mime_type

    def to_json(self) -> dict[str, Any]:
        """The protocol's JSON for it."""
        return {"type": "resource", "resource": resource_contents(self.uri, self.text, self.blob, self.mime_type)}


class ResourceLink(Value):
    """A link to a resource the client may read."""

    __slots__ = ("uri", "name", "description", "mime_type")

    def __init__(self, uri: str, name: str, description: str | None = None, mime_type: str | None = None) -> None:
        self.uri = uri
        self.name = name
        self.description = description
        self.mime_type = mime_type

    def to_json(self) -> dict[str, Any]:
        """The protocol's JSON for it."""
        link: dict[str, Any] = {"type": "resource_link", "uri": self.uri, "name": self.name}
        if self.description is not None:
            link["description"] = self.description
        if self.mime_type is not None:
            link["mimeType"] = self.mime_type
        return link

ContentBlock = Union[TextContent, ImageContent, AudioContent, EmbeddedResource, ResourceLink]
CONTENT_TYPES = (TextContent, ImageContent, AudioContent, EmbeddedResource, ResourceLink)


def Image(data: bytes, mime_type: str = "image/png") -> ImageContent:  # noqa: N802 (reads as a type)
    """An image block: `return Image(png_bytes)`."""
    return ImageContent(data, mime_type)


def Audio(data: bytes, mime_type: str = "audio/wav") -> AudioContent:  # noqa: N802 (reads as a type)
    """An audio block: `return Audio(wav_bytes)`."""
    return AudioContent(data, mime_type)


def resource_contents(uri: str, text: str | None, blob: bytes | None, mime_type: str | None) -> dict[str, Any]:
    """A `TextResourceContents` or `BlobResourceContents`."""
    contents: dict[str, Any] = {"uri": uri}
    if mime_type is not None:
        contents["mimeType"] = mime_type
    if blob is not None:
        contents["blob"] = _b64(blob)
    else:
        contents["text"] = text if text is not None else ""
    return contents


_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"WAVE", 8, "audio/wav"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"fLaC", 0, "audio/flac"),
)


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes' signature names, if it is a known image or sound."""
    for signature, offset, mime_type in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            return mime_type
    return None


def block(value: Any) -> dict[str, Any]:
    """One content block's JSON, from a block, a string or bytes."""
    if isinstance(value, CONTENT_TYPES):
        return value.to_json()
    if isinstance(value, str):
        return {"type": "text", "text": value}
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
        mime_type = sniff(data)
        if mime_type is None:
            raise TypeError(
                "these bytes are no image or sound this package recognises: return "
                "Image(data, mime_type), Audio(data, mime_type) or EmbeddedResource(uri, blob=data)"
            )
        if mime_type.startswith("image/"):
            return ImageContent(data, mime_type).to_json()
        return AudioContent(data, mime_type).to_json()
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value
    raise TypeError(f"a content block cannot be a {type(value).__name__}")


def is_content(value: Any) -> bool:
    """Whether a returned value is content rather than data: a block, bytes, or a
    non-empty list holding only blocks."""
    if isinstance(value, (*CONTENT_TYPES, bytes, bytearray)):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(item, CONTENT_TYPES) for item in value)


def message(item: Any) -> dict[str, Any]:
    """A prompt or sampling message from a string (the user's), a `(role, content)`
    pair (content: a string or a block), or a dict in the protocol's shape."""
    if isinstance(item, str):
        return {"role": "user", "content": {"type": "text", "text": item}}
    if isinstance(item, tuple) and len(item) == 2:
        return {"role": item[0], "content": block(item[1])}
    if isinstance(item, dict):
        return item
    raise TypeError(f"a message cannot be a {type(item).__name__}")


def from_json(item: dict[str, Any]) -> ContentBlock:
    """A content block from the protocol's JSON (unknown kinds become text)."""
    kind = item.get("type")
    if kind == "image":
        return ImageContent(base64.b64decode(item.get("data", "")), item.get("mimeType", "image/png"))
    if kind == "audio":
        return AudioContent(base64.b64decode(item.get("data", "")), item.get("mimeType", "audio/wav"))
    if kind == "resource":
        resource = item.get("resource", {})
        blob = resource.get("blob")
        return EmbeddedResource(
            resource.get("uri", ""),
            resource.get("text"),
            base64.b64decode(blob) if isinstance(blob, str) else None,
            resource.get("mimeType"),
        )
    if kind == "resource_link":
        return ResourceLink(item.get("uri", ""), item.get("name", ""), item.get("description"), item.get("mimeType"))
    return TextContent(str(item.get("text", "")))
