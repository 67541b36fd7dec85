"""JSON in attestation documents, read under a depth limit.

An attestation document is JSON whose string fields carry more JSON (``nvidia_payload``,
``info.tcb_info``, ``event_log``, ``vm_config``, ``app_compose``). ``json.loads`` of
``[[[[…]]]]`` a few thousand deep raises ``RecursionError``, and a structure a few hundred
deep can still exhaust the stack of whatever walks it later. :func:`check_document` reads the
document and every JSON text nested in its strings (up to ``MAX_EMBEDDED`` levels of JSON in
a string in JSON) once, at the door, and refuses anything deeper than ``MAX_DEPTH``; after
that every ``json.loads`` of a part of it is safe. :func:`parse_json` is the same limit for one
text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 64  # Venice's documents nest 6 deep at most (the compose manager's action log)
MAX_EMBEDDED = 4  # JSON in a string in JSON in a string ...


class JsonTextError(ValueError):
    """Not JSON, or JSON nested deeper than the limit."""


class JsonTooDeepError(JsonTextError):
    """JSON nested deeper than the limit."""


def parse_json(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that raises :class:`JsonTextError` (a ``ValueError``) for bad or too
    deeply nested text, never ``RecursionError``."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonTooDeepError(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise JsonTextError(f"not JSON ({type(exc).__name__})") from None
    _check_depth(value, max_depth)
    return value


def check_document(document: Any) -> None:
    """Raise :class:`JsonTooDeepError` when ``document`` (parsed) or any JSON text inside its
    strings nests deeper than ``MAX_DEPTH``."""
    pending: list[tuple[Any, int]] = [(document, 0)]
    while pending:
        value, level = pending.pop()
        for text in _check_depth(value, MAX_DEPTH):
            if level >= MAX_EMBEDDED:
                raise JsonTooDeepError(f"JSON in strings nested more than {MAX_EMBEDDED} times")
            try:
                inner = parse_json(text)
            except JsonTooDeepError:
                raise
            except JsonTextError:
                continue  # a string that only looks like JSON
            pending.append((inner, level + 1))


def _check_depth(value: Any, max_depth: int) -> list[str]:
    """Walk ``value`` without recursion; raise if deeper than ``max_depth``; return the
    strings in it that may hold JSON (start with ``{`` or ``[``)."""
    texts: list[str] = []
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            head = item[:1]
            if head.isspace():
                head = item.lstrip()[:1]
            if head in ("{", "["):
                texts.append(item)
            continue
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > max_depth:
            raise JsonTooDeepError(f"JSON nested deeper than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children)
    return texts
