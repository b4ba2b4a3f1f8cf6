"""JSON Schemas from type hints, computed once when a function is decorated, and the
conversions they imply: JSON arguments into the declared Python types on the way
in, return values into structured content on the way out.

Understood: `str`, `int`, `float`, `bool`, `None`, `Any`, `list[T]` (and `Sequence`,
`set`, `tuple[T, ...]`, `tuple[A, B]`), `dict[str, T]`, `Optional[T]` and unions,
`Literal[...]`, `Enum` subclasses, dataclasses, `TypedDict`, pydantic models (where
pydantic is installed), and `Annotated[T, ...]` carrying a description (a plain string,
`boltmcp.Field(description=...)` or `pydantic.Field(description=...)`).
"""

from __future__ import annotations

import enum
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from ._value import Value

JsonSchema = dict[str, Any]

_PRIMITIVES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}

# A field without a default.
MISSING: Any = object()


def _dataclasses() -> Any:
    """The `dataclasses` module once anything has imported it; until then nothing
    can be a dataclass, and a server's start need not pay for importing it."""
    return sys.modules.get("dataclasses")


def is_dataclass_type(hint: Any) -> bool:
    module = _dataclasses()
    return module is not None and isinstance(hint, type) and module.is_dataclass(hint)


class Field(Value):
    """Describes a parameter or a field: `Annotated[int, Field(description="...")]`."""

    __slots__ = ("description", "title")

    def __init__(self, description: str | None = None, title: str | None = None) -> None:
        self.description = description
        self.title = title


def _pydantic_model() -> type | None:
    try:
        from pydantic import BaseModel
    except ImportError:  # pydantic is optional
        return None
    return BaseModel


def is_pydantic_model(hint: Any) -> bool:
    base = _pydantic_model()
    return base is not None and isinstance(hint, type) and issubclass(hint, base)


def is_typed_dict(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__required_keys__")


def annotation_description(metadata: Sequence[Any]) -> tuple[str | None, str | None]:
    """The description and title an `Annotated[...]`'s metadata carries."""
    description = title = None
    for item in metadata:
        if isinstance(item, str):
            description = item
        else:
            description = getattr(item, "description", None) or description
            title = getattr(item, "title", None) or title
    return description, title


class SchemaBuilder:
    """Builds schemas, collecting pydantic models' shared definitions in `defs`."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def schema(self, hint: Any) -> JsonSchema:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is typing.Annotated:
            described = dict(self.schema(args[0]))
            description, title = annotation_description(args[1:])
            if description:
                described["description"] = description
            if title:
                described["title"] = title
            return described
        if hint is Any:
            return {}
        if hint is None or hint is type(None):
            return {"type": "null"}
        if hint in _PRIMITIVES:
            return {"type": _PRIMITIVES[hint]}
        if origin is typing.Literal:
            return self._enum(list(args))
        if origin in (typing.Union, types.UnionType):
            return self._union(args)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return self._enum([member.value for member in hint])
        if origin in (list, set, frozenset) or origin is Sequence or (origin is tuple and args[-1:] == (Ellipsis,)):
            item = args[0] if args else Any
            schema: JsonSchema = {"type": "array", "items": self.schema(item)}
            if origin in (set, frozenset):
                schema["uniqueItems"] = True
            return schema
        if origin is tuple:
            return {
                "type": "array",
                "prefixItems": [self.schema(a) for a in args],
                "minItems": len(args),
                "maxItems": len(args),
            }
        if hint in (list, tuple, set):
            return {"type": "array"}
        if origin in (dict, Mapping) or hint is dict:
            value = args[1] if len(args) == 2 else Any
            return {"type": "object", "additionalProperties": self.schema(value)}
        if is_dataclass_type(hint):
            return self._dataclass(hint)
        if is_typed_dict(hint):
            return self._typed_dict(hint)
        if is_pydantic_model(hint):
            return self._pydantic(hint)
        raise TypeError(f"no JSON Schema for the type {hint!r}: use a JSON type, a dataclass, a TypedDict or a pydantic model")

    def _enum(self, values: list[Any]) -> JsonSchema:
        schema: JsonSchema = {"enum": values}
        kinds = {_PRIMITIVES.get(type(v)) for v in values}
        if len(kinds) == 1 and None not in kinds:
            schema["type"] = kinds.pop()
        return schema

    def _union(self, args: tuple[Any, ...]) -> JsonSchema:
        options = [self.schema(a) for a in args]
        simple = [o.get("type") for o in options if set(o) == {"type"} and isinstance(o.get("type"), str)]
        if len(simple) == len(options):
            return {"type": simple}
        return {"anyOf": options}

    def _object(self, fields: list[tuple[str, Any, bool, Any]]) -> JsonSchema:
        """An object schema; each field is (name, hint, required, default or MISSING)."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for name, hint, is_required, default in fields:
            schema = self.schema(hint)
            if default is not MISSING and is_json(default):
                schema = {**schema, "default": default}
            properties[name] = schema
            if is_required:
                required.append(name)
        schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        return schema

    def _dataclass(self, cls: type) -> JsonSchema:
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = []
        dataclasses = _dataclasses()
        for field in dataclasses.fields(cls):
            has_default = field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
            default = field.default if field.default is not dataclasses.MISSING else MISSING
            fields.append((field.name, hints.get(field.name, Any), not has_default, default))
        schema = self._object(fields)
        if cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "("):
            schema["description"] = cls.__doc__.strip()
        return schema

    def _typed_dict(self, cls: type) -> JsonSchema:
        hints = typing.get_type_hints(cls, include_extras=True)
        required = getattr(cls, "__required_keys__", frozenset(hints))
        return self._object([(name, hint, name in required, MISSING) for name, hint in hints.items()])

    def _pydantic(self, model: Any) -> JsonSchema:
        schema: JsonSchema = model.model_json_schema(ref_template="#/$defs/{model}")
        self.defs.update(schema.pop("$defs", {}))
        return schema


def hints_of(fn: Any) -> dict[str, Any]:
    """A function's type hints; a `TypeError` naming it when they cannot be read."""
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except NameError as err:
        raise TypeError(
            f"cannot read the type hints of {fn.__qualname__}: {err} "
            "(a type defined inside a function cannot be named by a string annotation)"
        ) from err


def is_json(value: Any) -> bool:
    """Whether `value` is plain JSON data (for a default in a schema)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, (list, tuple)):
        return all(is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json(v) for k, v in value.items())
    return False


def convert(value: Any, hint: Any) -> Any:
    """A JSON value as the declared type: dataclasses, TypedDicts and pydantic models
    built, enums looked up, containers converted item by item."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        return convert(value, args[0])
    if value is None:
        return None
    if origin in (typing.Union, types.UnionType):
        for option in args:
            if option is type(None):
                continue
            try:
                return convert(value, option)
            except (TypeError, ValueError):
                continue
        return value
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if is_dataclass_type(hint) and isinstance(value, dict):
        hints = typing.get_type_hints(hint, include_extras=True)
        return hint(**{k: convert(v, hints.get(k, Any)) for k, v in value.items()})
    if is_pydantic_model(hint):
        return hint.model_validate(value)
    if origin in (list, Sequence) and isinstance(value, list):
        return [convert(v, args[0]) for v in value] if args else value
    if origin in (set, frozenset) and isinstance(value, list):
        return origin(convert(v, args[0]) for v in value) if args else origin(value)
    if origin is tuple and isinstance(value, list):
        if args[-1:] == (Ellipsis,):
            return tuple(convert(v, args[0]) for v in value)
        return tuple(convert(v, a) for v, a in zip(value, args))
    if origin in (dict, Mapping) and isinstance(value, dict) and len(args) == 2:
        return {k: convert(v, args[1]) for k, v in value.items()}
    return value


def to_json(value: Any) -> Any:
    """A return value as JSON data: dataclasses and pydantic models as objects, enums
    by value, containers item by item."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    dataclasses = _dataclasses()
    if dataclasses is not None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump") and callable(value.model_dump):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    raise TypeError(f"cannot return a {type(value).__name__} as JSON")
