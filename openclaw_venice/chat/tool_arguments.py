"""Tool-call arguments that some upstreams send HTML-entity encoded. Pure.

xAI's Grok models (through Venice) may write their arguments with ``&quot;``, ``&amp;``,
``&lt;``… in place of the characters (openclaw issue 34955; the TypeScript plugin marks Grok
models ``toolCallArgumentsEncoding: "html-entities"``). For those models only, the
arguments are decoded before they are used: an object whose string values hold entities
gets them decoded; a text that is not JSON until decoded (``{&quot;path&quot;: …}``) is
decoded first, then parsed. Only the XML entities and numeric references are read, not
HTML's whole table: ``a=1&copy=2`` in a URL stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .chunk_fields import parse_arguments

__all__ = ["decode_entities", "decode_html_arguments"]

_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def decode_html_arguments(raw: str) -> Mapping[str, Any] | None:
    """The arguments of ``raw`` with HTML entities decoded; None when not a JSON object."""
    parsed = parse_arguments(raw)
    if parsed is not None:
        try:
            decoded: Mapping[str, Any] = _decode_values(parsed)
        except RecursionError:  # nested past Python's depth: left as parsed
            return parsed
        return decoded
    if "&" not in raw:
        return None
    return parse_arguments(decode_entities(raw))


def decode_entities(text: str) -> str:
    return _ENTITY.sub(_replace, text) if "&" in text else text


def _replace(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code == 0:
        return match.group(0)
    return chr(code)


def _decode_values(value: Any) -> Any:
    if isinstance(value, str):
        return decode_entities(value)
    if isinstance(value, list):
        return [_decode_values(v) for v in value]
    if isinstance(value, dict):
        return {k: _decode_values(v) for k, v in value.items()}
    return value
