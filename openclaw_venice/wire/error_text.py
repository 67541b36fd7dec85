"""Venice's error message, one line, from whatever shape it came in. Pure.

``error`` may be a string, an object (``message``/``msg``, ``type``/``code``) or an array of
them, in an error body or an in-band stream chunk. An HTML page (a proxy's) says nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..wire.limits import JsonRefused, loads

__all__ = ["body_details", "body_error_text", "details_text", "error_text"]

MAX_LENGTH = 300


def error_text(value: Any) -> str:
    """One line of at most 300 characters; "" when ``value`` says nothing."""
    line = " ".join(_words(value, 0).split())
    return line if len(line) <= MAX_LENGTH else line[: MAX_LENGTH - 3] + "..."


def body_error_text(body: bytes | str) -> str:
    """The message of an error response body (JSON, plain text, or an HTML page)."""
    try:
        payload: Any = loads(body)
    except JsonRefused:  # nested or huge: it says nothing we could show
        return ""
    except ValueError:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        return "" if "<html" in text[:500].lower() else error_text(text)
    if isinstance(payload, Mapping):
        payload = payload.get("error", payload.get("message", payload.get("details", "")))
    return error_text(payload)


def body_details(body: bytes | str) -> Any:
    """The ``details`` of an error body (Venice's 400s say there what is wrong with which
    field), None when it has none."""
    try:
        payload: Any = loads(body)
    except ValueError:
        return None
    return payload.get("details") if isinstance(payload, Mapping) else None


def details_text(details: Any) -> str:
    """Per-field complaints on one line, ``messages.1.content: Required; model: Invalid``.

    Venice sends zod's formatted errors (the spec's ``DetailedError`` example): every level
    is an object whose ``_errors`` lists what is wrong there and whose other keys are fields.
    zod's flattened form (``formErrors``, ``fieldErrors {field: [...]}``) reads the same."""
    found: list[str] = []
    _fields(details, "", found, 0)
    return error_text("; ".join(found[:8]))


def _fields(value: Any, path: str, found: list[str], depth: int) -> None:
    if depth > 8 or len(found) >= 8:
        return
    if isinstance(value, str):
        found.append(f"{path}: {value}" if path else value)
    elif isinstance(value, list | tuple):
        for item in value[:8]:
            _fields(item, path, found, depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("_errors", "formErrors", "fieldErrors"):
                _fields(item, path, found, depth + 1)  # this level's own complaints
            else:
                _fields(item, f"{path}.{key}" if path else str(key), found, depth + 1)


def _words(value: Any, depth: int) -> str:
    if depth > 3:  # nested deeper than anyone would send
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(filter(None, (_words(v, depth + 1) for v in value[:5])))
    if isinstance(value, Mapping):
        found = value.get("message") or value.get("msg") or value.get("error") or ""
        message = _words(found, depth + 1)
        code = value.get("code") or value.get("type")
        return f"{message} ({code})" if message and code else message or str(code or "")
    return "" if value is None else str(value)
