"""Reading the fields of Venice's chunks: a shape we depend on that is wrong raises
:class:`StreamFormatError` naming what it was. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import StreamFormatError
from ..wire.limits import loads


def first_choice(chunk: Mapping[str, Any]) -> Mapping[str, Any] | None:
    choices = chunk.get("choices")
    if choices is None:
        return None
    if not isinstance(choices, list | tuple):
        raise StreamFormatError(f"`choices` was {kind_of(choices)}, not a list")
    if not choices:
        return None
    return choices[0] if type(choices[0]) is dict else as_mapping(choices[0], "a choice")


def content_text(content: Any) -> str:
    """``content`` is a string, or (non-streamed, per Venice's spec) a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list | tuple):
        texts = [p.get("text") for p in content if isinstance(p, Mapping)]
        return "".join(t for t in texts if isinstance(t, str))
    raise StreamFormatError(f"`content` was {kind_of(content)}, not text")


def arguments_text(value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, Mapping):  # already parsed by a lenient upstream: same JSON
        try:
            return json.dumps(value, ensure_ascii=False)
        except (ValueError, RecursionError):
            pass
    raise StreamFormatError(f"tool call arguments were {kind_of(value)}, not text")


def parse_arguments(raw: str) -> Mapping[str, Any] | None:
    """Arguments as a JSON object; ``{}`` for none; None when not a JSON object (or one past
    ``wire.limits``: nested too deep, too many items, a number too large)."""
    if not raw.strip():
        return {}
    try:
        value = loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def as_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise StreamFormatError(f"{what} was {kind_of(value)}, not a JSON object")
    return value


def as_string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise StreamFormatError(f"{what} was {kind_of(value)}, not a string")
    return value


def kind_of(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, int | float) else "odd")
